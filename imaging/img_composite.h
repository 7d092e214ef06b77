/*
 * Compositing a premultiplied RGBA overlay (a logo) onto RGB pixels, for
 * a whole image or for a strip of rows as they stream past.
 */
#ifndef IMG_COMPOSITE_H
#define IMG_COMPOSITE_H

#include "img_image.h"

#pragma GCC visibility push(hidden)

/* Multiplies all four channels of a premultiplied RGBA overlay by
 * opacity (0..1), in place, so compositing needs no further factor. */
void img_overlay_fade(img_image_t *overlay, double opacity);

/* Composites premultiplied RGBA `overlay`, placed with its top-left at
 * (ox, oy) of an RGB image dst_width pixels wide, onto that image's rows
 * [y0, y0 + n), held at rows (row i at rows + i * stride). Parts of the
 * overlay outside the image or the strip are skipped. */
void img_composite_rows(unsigned char *rows, size_t stride, int dst_width, int y0, int n,
                        const img_image_t *overlay, int ox, int oy);

#pragma GCC visibility pop

#endif /* IMG_COMPOSITE_H */
