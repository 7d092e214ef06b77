/*
 * Gray/RGB/RGBA conversions and alpha premultiplication.
 */
#include <stdio.h>
#include <string.h>

#include "img_convert.h"

/* See img_convert.h. */
void img_premultiply(img_image_t *img)
{
    int x, y;

    if (img->channels != 4 || img->premultiplied)
        return;
    for (y = 0; y < img->height; y++) {
        unsigned char *p = img_row(img, y);

        for (x = 0; x < img->width; x++, p += 4) {
            unsigned a = p[3];

            if (a == 255)
                continue;
            p[0] = (unsigned char) img_mul255(p[0], a);
            p[1] = (unsigned char) img_mul255(p[1], a);
            p[2] = (unsigned char) img_mul255(p[2], a);
        }
    }
    img->premultiplied = 1;
}

/* See img_convert.h. */
void img_unpremultiply(img_image_t *img)
{
    int x, y, c;

    if (img->channels != 4 || !img->premultiplied)
        return;
    for (y = 0; y < img->height; y++) {
        unsigned char *p = img_row(img, y);

        for (x = 0; x < img->width; x++, p += 4) {
            unsigned a = p[3];

            if (a == 255)
                continue;
            for (c = 0; c < 3; c++) {
                unsigned v = a ? (p[c] * 255u + a / 2) / a : 0;

                p[c] = (unsigned char) (v > 255 ? 255 : v);
            }
        }
    }
    img->premultiplied = 0;
}

/* See img_convert.h. */
void img_flatten(img_image_t *img, const unsigned char bg[3])
{
    int x, y, c;

    if (img->channels != 4)
        return;
    for (y = 0; y < img->height; y++) {
        const unsigned char *s = img_row(img, y);
        unsigned char *d = img_row(img, y);

        for (x = 0; x < img->width; x++, s += 4, d += 3) {
            unsigned a = s[3];

            for (c = 0; c < 3; c++) {
                unsigned fg = img->premultiplied ? s[c] : img_mul255(s[c], a);
                unsigned v = fg + img_mul255(bg[c], 255 - a);

                d[c] = (unsigned char) (v > 255 ? 255 : v);
            }
        }
    }
    img->channels = 3;
    img->premultiplied = 0;
}

/* See img_convert.h. */
int img_gray_to_rgb(const img_image_t *src, img_image_t *dst, img_buf_t *buf, img_err_t *err)
{
    int x, y;

    if (src->channels != 1)
        return img_fail(err, IMG_ERR_INVALID, "gray_to_rgb: %d channels", src->channels);
    if (img_image_alloc(dst, src->width, src->height, 3, buf, err) != 0)
        return -1;
    for (y = 0; y < src->height; y++) {
        const unsigned char *s = img_row(src, y);
        unsigned char *d = img_row(dst, y);

        for (x = 0; x < src->width; x++, d += 3)
            d[0] = d[1] = d[2] = s[x];
    }
    return 0;
}

/* See img_convert.h. */
int img_parse_color(const char *s, unsigned char rgb[3])
{
    unsigned v[3];
    int n = 0;

    if (s == NULL || strlen(s) != 7 || s[0] != '#' || strspn(s + 1, "0123456789abcdefABCDEF") != 6
        || sscanf(s + 1, "%2x%2x%2x%n", &v[0], &v[1], &v[2], &n) != 3 || n != 6)
        return -1;
    rgb[0] = (unsigned char) v[0];
    rgb[1] = (unsigned char) v[1];
    rgb[2] = (unsigned char) v[2];
    return 0;
}
