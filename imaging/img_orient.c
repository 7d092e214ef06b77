/*
 * EXIF orientation by walking the stored pixels from the displayed
 * image's origin with one step per displayed column and one per row.
 */
#include <string.h>
#include <sys/types.h>

#include "img_orient.h"

/* Displayed rows produced together, so transposing reads stay local. */
#define IMG_ORIENT_STRIP 16

/* Where displayed pixel (0, 0) is stored, and the byte steps in the
 * stored image for one displayed column right (dx) and one row down (dy). */
static const unsigned char *img_orient_walk(const img_image_t *s, int orientation, ssize_t *dx,
                                            ssize_t *dy)
{
    ssize_t ch = s->channels, st = (ssize_t) s->stride;
    const unsigned char *right = s->px + (s->width - 1) * ch;   /* stored top-right */
    const unsigned char *bottom = img_row(s, s->height - 1);    /* stored bottom-left */
    const unsigned char *corner = bottom + (s->width - 1) * ch; /* stored bottom-right */

    switch (orientation) {
    case 2:
        *dx = -ch;
        *dy = st;
        return right;
    case 3:
        *dx = -ch;
        *dy = -st;
        return corner;
    case 4:
        *dx = ch;
        *dy = -st;
        return bottom;
    case 5:
        *dx = st;
        *dy = ch;
        return s->px;
    case 6:
        *dx = -st;
        *dy = ch;
        return bottom;
    case 7:
        *dx = -st;
        *dy = -ch;
        return corner;
    case 8:
        *dx = st;
        *dy = -ch;
        return right;
    default:
        *dx = ch;
        *dy = st;
        return s->px;
    }
}

/* See img_orient.h. */
void img_orient_rows(const img_image_t *src, int orientation, int y0, int n, unsigned char *dst,
                     size_t dstride)
{
    int ch = src->channels, w = img_orient_swaps(orientation) ? src->height : src->width;
    ssize_t dx, dy;
    const unsigned char *origin = img_orient_walk(src, orientation, &dx, &dy);
    int x, r;

    if (orientation < 2 || orientation > 8) {
        for (r = 0; r < n; r++)
            memcpy(dst + (size_t) r * dstride, img_row(src, y0 + r), (size_t) w * (size_t) ch);
        return;
    }
    /* column by column across the strip: for a transpose, the pixels of
     * one displayed column are neighbours in one stored row. Offsets are
     * kept as integers so no pointer ever steps outside the image. */
    for (r = 0; r < n; r += IMG_ORIENT_STRIP) {
        int rows = n - r < IMG_ORIENT_STRIP ? n - r : IMG_ORIENT_STRIP, i;
        ssize_t row0 = (ssize_t) (y0 + r) * dy;
        unsigned char *d0 = dst + (size_t) r * dstride;

        for (x = 0; x < w; x++) {
            for (i = 0; i < rows; i++) {
                const unsigned char *s = origin + row0 + x * dx + i * dy;
                unsigned char *d = d0 + (size_t) i * dstride + (size_t) x * (size_t) ch;

                switch (ch) {
                case 1: d[0] = s[0]; break;
                case 3:
                    d[0] = s[0];
                    d[1] = s[1];
                    d[2] = s[2];
                    break;
                default: memcpy(d, s, 4); break;
                }
            }
        }
    }
}

/* See img_orient.h. */
int img_orient(const img_image_t *src, int orientation, img_image_t *dst, img_buf_t *buf,
               img_err_t *err)
{
    int swap = img_orient_swaps(orientation);

    if (img_image_alloc(dst, swap ? src->height : src->width, swap ? src->width : src->height,
                        src->channels, buf, err)
        != 0)
        return -1;
    dst->premultiplied = src->premultiplied;
    img_orient_rows(src, orientation, 0, dst->height, dst->px, dst->stride);
    return 0;
}
