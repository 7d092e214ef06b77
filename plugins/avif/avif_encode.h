/*
 * AVIF encoding with libavif and its aom AV1 encoder: an 8-bit sRGB
 * image (RGB, or RGBA with its alpha kept) into a reusable buffer.
 */
#ifndef AVIF_ENCODE_H
#define AVIF_ENCODE_H

#include "img_icc.h"
#include "img_image.h"

/* The largest side written: libavif's readers refuse images over
 * AVIF_DEFAULT_IMAGE_SIZE_LIMIT (16384 x 16384 pixels) by default. */
#define AVIF_MAX_SIDE 16384

typedef struct {
    int quality;              /* 0 (smallest) .. 100 (lossless-like): the AV1 quantizer, inverted */
    int speed;                /* 0 (slowest, smallest) .. 10 (fastest) */
    const img_profile_t *icc; /* embedded (colr prof) when set and not empty; NULL:
                                  the colours are signalled as sRGB (colr nclx) alone */
} avif_opts_t;

/* Encodes img (RGB or straight RGBA, 8 bits; 4:2:0, full range, the
 * colours signalled as sRGB) as a still AVIF into out; *len receives the
 * size. One thread: the output does not depend on the machine. Returns
 * 0, or -1 with err set: IMG_ERR_INVALID for another layout or an
 * encoder failure (libavif's reason), IMG_ERR_LIMIT for a side over
 * AVIF_MAX_SIDE, IMG_ERR_NOMEM. */
int avif_encode(const img_image_t *img, const avif_opts_t *opts, img_buf_t *out, size_t *len,
                img_err_t *err);

#endif /* AVIF_ENCODE_H */
