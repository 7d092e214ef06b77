/*
 * "Over" compositing of a premultiplied overlay: out = o + d * (1 - a).
 */
#include <math.h>

#include "img_composite.h"
#include "img_convert.h"

/* See img_composite.h. */
void img_overlay_fade(img_image_t *overlay, double opacity)
{
    unsigned f = (unsigned) lrint((opacity < 0 ? 0 : opacity > 1 ? 1 : opacity) * 255.0);
    int x, y, c;

    for (y = 0; y < overlay->height; y++) {
        unsigned char *p = img_row(overlay, y);

        for (x = 0; x < overlay->width; x++, p += 4)
            for (c = 0; c < 4; c++)
                p[c] = (unsigned char) img_mul255(p[c], f);
    }
}

/* See img_composite.h. */
void img_composite_rows(unsigned char *rows, size_t stride, int dst_width, int y0, int n,
                        const img_image_t *overlay, int ox, int oy)
{
    int top = oy > y0 ? oy : y0;
    int bottom = oy + overlay->height < y0 + n ? oy + overlay->height : y0 + n;
    int left = ox > 0 ? ox : 0;
    int right = ox + overlay->width < dst_width ? ox + overlay->width : dst_width;
    int x, y;

    for (y = top; y < bottom; y++) {
        const unsigned char *o = img_row(overlay, y - oy) + (size_t) (left - ox) * 4;
        unsigned char *d = rows + (size_t) (y - y0) * stride + (size_t) left * 3;

        for (x = left; x < right; x++, o += 4, d += 3) {
            unsigned keep = 255u - o[3];

            if (o[3] == 0)
                continue;
            d[0] = (unsigned char) (o[0] + img_mul255(d[0], keep));
            d[1] = (unsigned char) (o[1] + img_mul255(d[1], keep));
            d[2] = (unsigned char) (o[2] + img_mul255(d[2], keep));
        }
    }
}

/* A float rounded into 0..255. */
static unsigned char img_clamp_round(float v)
{
    return v <= 0.0f ? 0 : v >= 255.0f ? 255 : (unsigned char) (v + 0.5f);
}

/* The JFIF luma of the overlay pixel o (premultiplied RGBA). */
static float img_overlay_luma(const unsigned char *o)
{
    return 0.299f * o[0] + 0.587f * o[1] + 0.114f * o[2];
}

/* The JFIF chroma of the overlay pixel o (premultiplied RGBA), with 128 x
 * its alpha added: the conversion's offset, which a premultiplied colour
 * carries in proportion to its coverage. */
static void img_overlay_chroma(const unsigned char *o, float *cb, float *cr)
{
    float offset = 128.0f * (float) o[3] / 255.0f;

    *cb = -0.168735892f * o[0] - 0.331264108f * o[1] + 0.5f * o[2] + offset;
    *cr = 0.5f * o[0] - 0.418687589f * o[1] - 0.081312411f * o[2] + offset;
}

/* Composites the overlay onto the iMCU row's chroma (see
 * img_composite_planes_420): each sample covers 2x2 pixels. */
static void img_composite_chroma_420(unsigned char **cb_rows, unsigned char **cr_rows, int width,
                                     int height, int y0, const img_image_t *overlay, int ox, int oy)
{
    int left = ox > 0 ? ox : 0, top = oy > 0 ? oy : 0;
    int right = ox + overlay->width < width ? ox + overlay->width : width;
    int bottom = oy + overlay->height < height ? oy + overlay->height : height;
    int c0 = y0 / 2, cy, cx;

    for (cy = top / 2 > c0 ? top / 2 : c0; cy < c0 + 8 && 2 * cy < bottom; cy++) {
        for (cx = left / 2; 2 * cx < right; cx++) {
            float sa = 0, scb = 0, scr = 0, b_, r_;
            int n = 0, dx, dy;

            for (dy = 0; dy < 2; dy++)
                for (dx = 0; dx < 2; dx++) {
                    int px = 2 * cx + dx, py = 2 * cy + dy;
                    const unsigned char *o;

                    if (px >= width || py >= height)
                        continue;
                    n++;
                    if (px < left || px >= right || py < top || py >= bottom)
                        continue;
                    o = img_row(overlay, py - oy) + (size_t) (px - ox) * 4;
                    img_overlay_chroma(o, &b_, &r_);
                    sa += o[3], scb += b_, scr += r_;
                }
            if (sa > 0) {
                unsigned char *b = cb_rows[cy - c0] + cx, *r = cr_rows[cy - c0] + cx;
                float keep = 1.0f - sa / (255.0f * (float) n);

                *b = img_clamp_round(*b * keep + scb / (float) n);
                *r = img_clamp_round(*r * keep + scr / (float) n);
            }
        }
    }
}

/* See img_composite.h. */
void img_composite_planes_420(unsigned char **planes[3], int width, int height, int y0,
                              const img_image_t *overlay, int ox, int oy)
{
    int top = oy > y0 ? oy : y0;
    int bottom = oy + overlay->height < y0 + 16 ? oy + overlay->height : y0 + 16;
    int left = ox > 0 ? ox : 0;
    int right = ox + overlay->width < width ? ox + overlay->width : width;
    int x, y;

    bottom = bottom < height ? bottom : height;
    for (y = top; y < bottom; y++) {
        const unsigned char *o = img_row(overlay, y - oy) + (size_t) (left - ox) * 4;
        unsigned char *d = planes[0][y - y0] + left;

        for (x = left; x < right; x++, o += 4, d++)
            if (o[3] != 0)
                *d = img_clamp_round(img_overlay_luma(o) + *d * (1.0f - (float) o[3] / 255.0f));
    }
    img_composite_chroma_420(planes[1], planes[2], width, height, y0, overlay, ox, oy);
}
