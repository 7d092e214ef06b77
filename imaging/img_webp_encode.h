/*
 * WebP encoding with libwebp (WebPEncode through a WebPConfig) into a
 * reusable memory buffer: lossy or lossless, alpha kept for RGBA; and
 * animations (WebPAnimEncoder, libwebpmux) from decoded frames.
 */
#ifndef IMG_WEBP_ENCODE_H
#define IMG_WEBP_ENCODE_H

#include "img_decode.h"
#include "img_icc.h"
#include "img_image.h"

#pragma GCC visibility push(hidden)

/* WebP's largest side. */
#define IMG_WEBP_MAX_SIDE 16383

typedef struct {
    float quality; /* 0..100: lossy quality, or lossless effort */
    int method;    /* 0 (fast) .. 6 (small) */
    int lossless;
    const img_profile_t *icc; /* embedded (ICCP chunk, VP8X container) when set
                                  and not empty; NULL: untagged */
} img_webp_opts_t;

/* Encodes an RGB or straight-alpha RGBA image into out; *len receives the
 * size. Returns 0, or -1 with err set: IMG_ERR_INVALID for gray or
 * premultiplied input or bad options, IMG_ERR_LIMIT for a side over
 * IMG_WEBP_MAX_SIDE, IMG_ERR_NOMEM. */
int img_webp_encode(const img_image_t *img, const img_webp_opts_t *opts, img_buf_t *out,
                    size_t *len, img_err_t *err);

/* Encodes the frames of f (straight RGBA canvases of one size, shown for
 * their duration_ms each) as an animated WebP that loops forever into
 * out, with opts as img_webp_encode takes them (quality, method,
 * lossless and icc apply to every frame); *len receives the size.
 * libwebp stores only what changes from one frame to the next and may
 * merge a frame identical to the one before it (their durations added).
 * Returns 0, or -1 with err set: IMG_ERR_INVALID for no frames, frames
 * of other sizes or layouts, or bad options, IMG_ERR_LIMIT for a side
 * over IMG_WEBP_MAX_SIDE, IMG_ERR_NOMEM. */
int img_webp_encode_frames(const img_frames_t *f, const img_webp_opts_t *opts, img_buf_t *out,
                           size_t *len, img_err_t *err);

#pragma GCC visibility pop

#endif /* IMG_WEBP_ENCODE_H */
