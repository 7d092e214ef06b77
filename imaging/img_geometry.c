/*
 * Fit/fill geometry and its mapping onto a shrink-on-load decode.
 */
#include <math.h>

#include "img_geometry.h"

/* a * b / c rounded, at least 1. */
static int img_scale_side(int a, int b, int c)
{
    long long v = ((long long) a * b + c / 2) / c;

    return v < 1 ? 1 : (int) v;
}

/* See img_geometry.h. */
void img_geom_compute(int w, int h, int box_w, int box_h, img_fit_t mode, int enlarge,
                      img_geom_t *g)
{
    /* the source is wider than the box (in aspect) when w/h > box_w/box_h */
    int wider = (long long) w * box_h > (long long) h * box_w;

    g->region.x = g->region.y = 0;
    g->region.w = w;
    g->region.h = h;
    if (mode == IMG_FIT) {
        if (!enlarge && w <= box_w && h <= box_h) {
            g->width = w;
            g->height = h;
        } else if (wider) {
            g->width = box_w;
            g->height = img_scale_side(h, box_w, w);
        } else {
            g->height = box_h;
            g->width = img_scale_side(w, box_h, h);
        }
        return;
    }
    if (!enlarge && (w <= box_w || h <= box_h)) {
        /* covering would enlarge: crop to the box without scaling */
        g->width = w < box_w ? w : box_w;
        g->height = h < box_h ? h : box_h;
        g->region.w = g->width;
        g->region.h = g->height;
    } else {
        g->width = box_w;
        g->height = box_h;
        if (wider)
            g->region.w = (double) h * box_w / box_h;
        else
            g->region.h = (double) w * box_h / box_w;
    }
    /* whole-pixel offsets: an unscaled crop then copies without blur */
    g->region.x = floor((w - g->region.w) / 2);
    g->region.y = floor((h - g->region.h) / 2);
}

/* See img_geometry.h. */
void img_geom_min_decode(const img_geom_t *g, int src_w, int src_h, int *min_w, int *min_h)
{
    *min_w = (int) ceil(g->width * (double) src_w / g->region.w - 1e-9);
    *min_h = (int) ceil(g->height * (double) src_h / g->region.h - 1e-9);
}

/* See img_geometry.h. */
img_rect_t img_geom_scale_region(const img_geom_t *g, int src_w, int src_h, int dec_w, int dec_h)
{
    double sx = (double) dec_w / src_w, sy = (double) dec_h / src_h;
    img_rect_t r = { g->region.x * sx, g->region.y * sy, g->region.w * sx, g->region.h * sy };

    if (r.x + r.w > dec_w)
        r.w = dec_w - r.x;
    if (r.y + r.h > dec_h)
        r.h = dec_h - r.y;
    return r;
}
