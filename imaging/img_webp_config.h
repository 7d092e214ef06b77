/*
 * What the still (img_webp_encode.c) and animated (img_webp_anim.c) WebP
 * encoders share: the libwebp configuration from img_webp_opts_t, a
 * picture imported from an image, the ICC tag and the error records.
 * Internal to the imaging library.
 */
#ifndef IMG_WEBP_CONFIG_H
#define IMG_WEBP_CONFIG_H

#include <webp/encode.h>

#include "img_webp_encode.h"

#pragma GCC visibility push(hidden)

/* Checks that img can be encoded (RGB or straight RGBA, no side over
 * IMG_WEBP_MAX_SIDE) and fills config from opts. Returns 0, or -1 with
 * err set (IMG_ERR_INVALID, IMG_ERR_LIMIT). */
int img_webp_config(const img_image_t *img, const img_webp_opts_t *opts, WebPConfig *config,
                    img_err_t *err);

/* Initialises pic and imports img's pixels into it (ARGB when `argb`,
 * as lossless wants, else YUV). Returns 0, or -1 with IMG_ERR_NOMEM (pic
 * then freed). */
int img_webp_import(const img_image_t *img, int argb, WebPPicture *pic, img_err_t *err);

/* Rewraps the n-byte WebP (still or animated) in out with icc as its
 * ICCP chunk (libwebpmux). Returns 0 with *len the new size, or -1 with
 * err set. */
int img_webp_tag(img_buf_t *out, size_t n, const img_profile_t *icc, size_t *len, img_err_t *err);

/* Copies the n bytes at data into out (grown as needed), *len = n.
 * Returns 0, or -1 with IMG_ERR_NOMEM. */
int img_webp_store(img_buf_t *out, const uint8_t *data, size_t n, size_t *len, img_err_t *err);

#pragma GCC visibility pop

#endif /* IMG_WEBP_CONFIG_H */
