/*
 * Probe-then-decode for the plugins' inputs, dispatching on the type.
 */
#include <string.h>

#include "img_gif_decode.h"
#include "img_heif_decode.h"
#include "img_jpeg_decode.h"
#include "img_load.h"
#include "img_png_decode.h"
#include "img_webp_decode.h"

/* Reads the header of an original imageinfo does not parse (HEIF, AVIF)
 * into info. Returns 0 or -1 with err set. */
static int img_load_probe_heif(const unsigned char *data, size_t len, ii_info_t *info,
                               img_err_t *err)
{
    ii_type_t type = info->type;

    memset(info, 0, sizeof(*info));
    info->type = type;
    info->orientation = 1;
    info->adobe_transform = -1;
    info->bit_depth = 8;
    return img_heif_probe(data, len, &info->width, &info->height, err);
}

/* See img_load.h. */
int img_load_probe(const unsigned char *data, size_t len, uint64_t max_pixels, ii_info_t *info,
                   img_err_t *err)
{
    char why[200];
    int rc;

    if (len == 0)
        return img_fail(err, IMG_ERR_UNSUPPORTED, "empty input");
    rc = ii_probe(data, len, info, why, sizeof(why));
    if (info->type == II_TYPE_UNKNOWN)
        return img_fail(err, IMG_ERR_UNSUPPORTED, "unsupported type: %s", ii_type_mime(info->type));
    if (info->type == II_TYPE_HEIC || info->type == II_TYPE_HEIF || info->type == II_TYPE_AVIF) {
        if (img_load_probe_heif(data, len, info, err) != 0)
            return -1;
    } else if (rc == II_NEED_MORE) {
        return img_fail(err, IMG_ERR_CORRUPT, "truncated %s header", ii_type_ext(info->type));
    } else if (rc != II_OK) {
        return img_fail(err, IMG_ERR_CORRUPT, "%s", why);
    }
    if (max_pixels && (uint64_t) info->width * info->height > max_pixels)
        return img_fail(err, IMG_ERR_LIMIT, "too many pixels: %ux%u > %llu", info->width,
                        info->height, (unsigned long long) max_pixels);
    if (ii_check_limits(info, max_pixels, 0, why, sizeof(why)) != II_OK)
        return img_fail(err, IMG_ERR_LIMIT, "%s", why);
    return 0;
}

/* Decodes with the type's decoder into out (frames: every frame into
 * them instead, for the types that animate). */
static int img_load_dispatch(img_loader_t *l, const unsigned char *data, size_t len,
                             const ii_info_t *info, const img_load_opts_t *opts, img_image_t *out,
                             img_frames_t *frames, img_err_t *err)
{
    img_jpeg_opts_t jo = {
        opts->min_width, opts->min_height, opts->keep_gray, opts->max_pixels, &l->icc, &l->cms, 0
    };

    l->icc.len = 0;
    switch (info->type) {
    case II_TYPE_JPEG:
        /* the reader converts into sRGB row by row (CMYK too) */
        return img_jpeg_decode(data, len, &jo, out, &l->pixels, &l->warn, err);
    case II_TYPE_PNG:
        return img_png_decode(data, len, opts->max_pixels, out, &l->pixels, &l->icc, err);
    case II_TYPE_WEBP:
        return img_webp_decode(data, len, opts, out, &l->pixels, &l->icc, frames, err);
    case II_TYPE_GIF: return img_gif_decode(data, len, opts, out, &l->pixels, frames, err);
    case II_TYPE_HEIC:
    case II_TYPE_HEIF:
    case II_TYPE_AVIF: return img_heif_decode(data, len, opts, out, &l->pixels, &l->icc, err);
    case II_TYPE_UNKNOWN: break;
    }
    return img_fail(err, IMG_ERR_UNSUPPORTED, "unsupported type: %s", ii_type_mime(info->type));
}

/* See img_load.h. */
int img_load_decode(img_loader_t *l, const unsigned char *data, size_t len, const ii_info_t *info,
                    const img_load_opts_t *opts, img_image_t *out, img_err_t *err)
{
    img_err_clear(&l->warn);
    if (img_load_dispatch(l, data, len, info, opts, out, NULL, err) != 0)
        return -1;
    if (info->type != II_TYPE_JPEG)
        img_icc_to_srgb(&l->cms, &l->icc, out, &l->warn);
    return 0;
}

/* See img_load.h. */
int img_load_frames(img_loader_t *l, const unsigned char *data, size_t len, const ii_info_t *info,
                    const img_load_opts_t *opts, img_err_t *err)
{
    img_image_t img; /* the still image, or the canvas while frames are composed */
    int i;

    img_err_clear(&l->warn);
    img_frames_reset(&l->frames);
    if (info->type != II_TYPE_GIF && info->type != II_TYPE_WEBP)
        return img_load_decode(l, data, len, info, opts, &img, err) != 0
                   ? -1
                   : img_frames_set_still(&l->frames, &img, err);
    if (img_load_dispatch(l, data, len, info, opts, &img, &l->frames, err) != 0)
        return -1;
    for (i = 0; i < l->frames.count; i++)
        img_icc_to_srgb(&l->cms, &l->icc, &l->frames.frame[i].img, &l->warn);
    return 0;
}

/* See img_load.h. */
void img_loader_trim(img_loader_t *l, size_t keep)
{
    img_buf_trim(&l->pixels, keep);
    img_buf_trim(&l->frames.pixels, keep);
    if (l->frames.pixels.data == NULL)
        img_frames_free(&l->frames);
}

/* See img_load.h. */
void img_loader_free(img_loader_t *l)
{
    img_buf_free(&l->pixels);
    img_buf_free(&l->icc.buf);
    l->icc.len = 0;
    img_icc_cache_free(&l->cms);
    img_frames_free(&l->frames);
}
