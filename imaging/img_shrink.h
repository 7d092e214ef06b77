/*
 * Integer box reduction: every k x k block of pixels becomes its average.
 * Cheap (one addition per sample), so large reductions shrink by boxes
 * first and leave the last factor of two or more to the Lanczos filter,
 * as Pillow's reducing_gap and libvips' shrink-then-reduce do.
 */
#ifndef IMG_SHRINK_H
#define IMG_SHRINK_H

#include "img_buf.h"
#include "img_image.h"

#pragma GCC visibility push(hidden)

/* Box-reduces the w x h area of src at (x0, y0) by k into dst, laid out
 * over buf as ceil(w / k) x ceil(h / k) pixels (blocks cut by the area's
 * right or bottom edge average the pixels they have). acc is scratch.
 * Returns 0, or -1 with err set (IMG_ERR_NOMEM, IMG_ERR_INVALID for an
 * area outside src or k < 1). */
int img_box_shrink(const img_image_t *src, int x0, int y0, int w, int h, int k, img_image_t *dst,
                   img_buf_t *buf, img_buf_t *acc, img_err_t *err);

#pragma GCC visibility pop

#endif /* IMG_SHRINK_H */
