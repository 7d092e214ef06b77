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

/* The same for one iMCU row of a YCbCr 4:2:0 image (JFIF full range, as
 * img_jpeg_reader_read_planes delivers it): luma rows [y0, y0 + 16) in
 * planes[0][0..16) and chroma rows [y0 / 2, y0 / 2 + 8) in planes[1] and
 * planes[2]; y0 is a multiple of 16. The conversion from RGB is affine, so
 * compositing each plane with the overlay's colour converted gives what
 * compositing in RGB gives (up to rounding); a chroma sample takes the
 * mean of the overlay over the pixels of the image it covers. Parts
 * outside width x height are skipped. */
void img_composite_planes_420(unsigned char **planes[3], int width, int height, int y0,
                              const img_image_t *overlay, int ox, int oy);

#pragma GCC visibility pop

#endif /* IMG_COMPOSITE_H */
