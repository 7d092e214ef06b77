/*
 * Separable Lanczos-3 resampling of 8-bit images, in fixed point.
 *
 * The contributions of the source pixels to every output column and row
 * are computed once per call (window scaled with the reduction factor,
 * clipped at the image edges and renormalised there, so edge pixels are
 * not darkened). The horizontal pass runs first, over only the source
 * rows that the vertical pass reads, then the vertical pass; accumulators
 * are 32-bit integers with 22 fractional bits. Works for reduction and
 * enlargement alike; whether to enlarge is the caller's decision.
 *
 * Reductions by IMG_REDUCING_GAP x 2 or more first shrink the region by
 * an integer box factor k (img_box_shrink) so that the filter still
 * reduces by at least IMG_REDUCING_GAP: a Lanczos-3 window over a 20x
 * reduction reads 120 pixels per output pixel, a box pass one.
 *
 * RGBA must be premultiplied (img_premultiply) so that transparent pixels
 * do not bleed their colour into their neighbours.
 */
#ifndef IMG_RESAMPLE_H
#define IMG_RESAMPLE_H

#include "img_buf.h"
#include "img_image.h"

#pragma GCC visibility push(hidden)

/* A source region in pixels; fractional edges are honoured. */
typedef struct {
    double x, y, w, h;
} img_rect_t;

/* The smallest reduction left to the filter after a box pre-shrink. */
#define IMG_REDUCING_GAP 2.0

/* Scratch memory reused between calls (weights and intermediate rows). */
typedef struct {
    img_buf_t xk, yk; /* weights and windows, per output column / row */
    img_buf_t tmp;    /* one row after the vertical pass */
    img_buf_t acc;    /* the vertical pass's sums for that row */
    img_buf_t shrunk; /* the box pre-shrunk region */
    img_buf_t sums;   /* the box pre-shrink's row of sums */
} img_resampler_t;

/* Resamples `region` of src onto the whole of dst, which the caller laid
 * out (img_image_alloc) with the same channel count. Returns 0, or -1
 * with err set: IMG_ERR_INVALID when the region is empty or leaves src,
 * the channels differ, or RGBA is not premultiplied; IMG_ERR_NOMEM. */
int img_resample(img_resampler_t *rs, const img_image_t *src, const img_rect_t *region,
                 img_image_t *dst, img_err_t *err);

/* Frees rs's scratch memory (rs stays usable). */
void img_resampler_free(img_resampler_t *rs);

/* Releases scratch buffers over `keep` bytes (see img_buf_trim). */
void img_resampler_trim(img_resampler_t *rs, size_t keep);

#pragma GCC visibility pop

#endif /* IMG_RESAMPLE_H */
