/*
 * Pixel format conversions between gray, RGB and RGBA, and between
 * straight and premultiplied alpha. All work in place where the output
 * is not larger than the input.
 */
#ifndef IMG_CONVERT_H
#define IMG_CONVERT_H

#include "img_image.h"

#pragma GCC visibility push(hidden)

/* x * y / 255, rounded, for x and y in 0..255. */
static inline unsigned img_mul255(unsigned x, unsigned y)
{
    unsigned v = x * y + 128;

    return (v + (v >> 8)) >> 8;
}

/* Multiplies the colour of an RGBA image by its alpha, in place. Does
 * nothing to other images or an already premultiplied one. */
void img_premultiply(img_image_t *img);

/* Divides the colour of a premultiplied RGBA image by its alpha, in
 * place (fully transparent pixels become black). Does nothing otherwise. */
void img_unpremultiply(img_image_t *img);

/* Lays an RGBA image (straight or premultiplied) over the opaque colour
 * bg[3] and makes it RGB, in place. Does nothing to other images. */
void img_flatten(img_image_t *img, const unsigned char bg[3]);

/* Writes gray src as RGB into dst laid out over buf (grown as needed).
 * Returns 0, or -1 with err set (IMG_ERR_NOMEM, IMG_ERR_INVALID when src
 * is not gray). */
int img_gray_to_rgb(const img_image_t *src, img_image_t *dst, img_buf_t *buf, img_err_t *err);

/* Parses a colour written "#rrggbb" (hex digits, either case) into
 * rgb[3]. Returns 0, or -1 for anything else (rgb untouched). */
int img_parse_color(const char *s, unsigned char rgb[3]);

#pragma GCC visibility pop

#endif /* IMG_CONVERT_H */
