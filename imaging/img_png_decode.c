/*
 * PNG decoding from memory with libpng; errors longjmp back here with
 * libpng's message (never printed, never exit()).
 */
#include <math.h>
#include <string.h>

#include <png.h>

#include "img_png_decode.h"

typedef struct {
    const unsigned char *data;
    size_t len, pos;
    img_err_t *err;
} img_png_src_t;

/* libpng's error hook: records the message, jumps back to setjmp(). */
static void img_png_error(png_structp png, png_const_charp msg)
{
    img_png_src_t *src = png_get_error_ptr(png);

    img_fail(src->err, IMG_ERR_CORRUPT, "png: %s", msg);
    png_longjmp(png, 1);
}

/* libpng's warning hook: warnings (a bad ancillary chunk) are ignored. */
static void img_png_warning(png_structp png, png_const_charp msg)
{
    (void) png;
    (void) msg;
}

/* libpng's read hook: copies the next n bytes, or fails as truncated. */
static void img_png_read(png_structp png, png_bytep out, png_size_t n)
{
    img_png_src_t *src = png_get_io_ptr(png);

    if (n > src->len - src->pos)
        png_error(png, "truncated PNG data");
    memcpy(out, src->data + src->pos, n);
    src->pos += n;
}

/* Asks libpng for 8-bit gray, RGB or RGBA whatever the stored format. */
static void img_png_set_transforms(png_structp png, png_infop info)
{
    int color = png_get_color_type(png, info);
    int depth = png_get_bit_depth(png, info);
    int trns = png_get_valid(png, info, PNG_INFO_tRNS) != 0;

    if (color == PNG_COLOR_TYPE_PALETTE)
        png_set_palette_to_rgb(png);
    if (color == PNG_COLOR_TYPE_GRAY && depth < 8)
        png_set_expand_gray_1_2_4_to_8(png);
    if (trns)
        png_set_tRNS_to_alpha(png);
    if (depth == 16)
        png_set_scale_16(png);
    if (color == PNG_COLOR_TYPE_GRAY_ALPHA || (color == PNG_COLOR_TYPE_GRAY && trns))
        png_set_gray_to_rgb(png);
}

/* The colour space of the PNG as a profile in icc (see img_png_decode.h).
 * Returns 0 or -1 with err set. */
static int img_png_profile(png_structp png, png_infop info, img_profile_t *icc, img_err_t *err)
{
    img_icc_primaries_t p = {
        { 0.64, 0.33 }, { 0.30, 0.60 }, { 0.15, 0.06 }, { 0.3127, 0.3290 }, 0
    };
    const img_icc_primaries_t srgb = p;
    png_charp name;
    png_bytep prof;
    png_uint_32 n;
    int method, i;
    double g, d = 0;

    icc->len = 0;
    if (png_get_iCCP(png, info, &name, &method, &prof, &n))
        return img_profile_set(icc, prof, n, err);
    if (png_get_valid(png, info, PNG_INFO_sRGB) || !png_get_gAMA(png, info, &g) || g <= 0)
        return 0;
    png_get_cHRM(png, info, &p.white[0], &p.white[1], &p.r[0], &p.r[1], &p.g[0], &p.g[1], &p.b[0],
                 &p.b[1]);
    for (i = 0; i < 2; i++)
        d += fabs(p.r[i] - srgb.r[i]) + fabs(p.g[i] - srgb.g[i]) + fabs(p.b[i] - srgb.b[i])
             + fabs(p.white[i] - srgb.white[i]);
    /* sRGB's primaries with the gamma 1/2.2 that stands for its curve */
    if (d < 0.01 && fabs(g - 1 / 2.2) < 0.01)
        return 0;
    p.gamma = 1 / g;
    return img_icc_from_primaries(&p, icc, err);
}

/* See img_png_decode.h. */
int img_png_decode(const unsigned char *data, size_t len, uint64_t max_pixels, img_image_t *out,
                   img_buf_t *buf, img_profile_t *icc, img_err_t *err)
{
    img_png_src_t src = { data, len, 0, err };
    png_structp png;
    png_infop info;
    png_uint_32 w, h, y;
    int passes, pass, channels;

    png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &src, img_png_error, img_png_warning);
    if (png == NULL)
        return img_fail(err, IMG_ERR_NOMEM, "png: out of memory");
    info = png_create_info_struct(png);
    if (info == NULL) {
        png_destroy_read_struct(&png, NULL, NULL);
        return img_fail(err, IMG_ERR_NOMEM, "png: out of memory");
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_read_struct(&png, &info, NULL);
        return -1;
    }
    png_set_read_fn(png, &src, img_png_read);
    png_read_info(png, info);
    w = png_get_image_width(png, info);
    h = png_get_image_height(png, info);
    if (max_pixels && (uint64_t) w * h > max_pixels) {
        img_fail(err, IMG_ERR_LIMIT, "too many pixels: %ux%u > %llu", (unsigned) w, (unsigned) h,
                 (unsigned long long) max_pixels);
        png_destroy_read_struct(&png, &info, NULL);
        return -1;
    }
    if (icc && img_png_profile(png, info, icc, err) != 0) {
        png_destroy_read_struct(&png, &info, NULL);
        return -1;
    }
    img_png_set_transforms(png, info);
    passes = png_set_interlace_handling(png);
    png_read_update_info(png, info);
    channels = png_get_channels(png, info);
    if (img_image_alloc(out, (int) w, (int) h, channels, buf, err) != 0) {
        png_destroy_read_struct(&png, &info, NULL);
        return -1;
    }
    /* with interlace handling every pass visits every row and fills in
     * its own pixels, so the rows are read in place pass after pass */
    for (pass = 0; pass < passes; pass++)
        for (y = 0; y < h; y++)
            png_read_row(png, img_row(out, (int) y), NULL);
    png_destroy_read_struct(&png, &info, NULL);
    return 0;
}
