/*
 * An 8-bit interleaved pixel buffer: gray (1 channel), RGB (3) or RGBA
 * (4). The pixels usually live in an img_buf_t the caller reuses; the
 * image only points into it.
 */
#ifndef IMG_IMAGE_H
#define IMG_IMAGE_H

#include <stddef.h>

#include "img_buf.h"
#include "img_error.h"

#pragma GCC visibility push(hidden)

typedef struct {
    unsigned char *px; /* the first row */
    int width, height;
    size_t stride;     /* bytes from one row to the next */
    int channels;      /* 1 gray, 3 RGB, 4 RGBA */
    int premultiplied; /* RGBA only: colour already multiplied by alpha */
} img_image_t;

/* The address of row y of img. */
static inline unsigned char *img_row(const img_image_t *img, int y)
{
    return img->px + (size_t) y * img->stride;
}

/* Lays out a width x height image of `channels` channels (1, 3 or 4),
 * rows packed, over buf (grown when needed; the old contents are lost).
 * Returns 0, or -1 with IMG_ERR_INVALID for a bad size or channel count,
 * IMG_ERR_NOMEM when buf cannot grow. */
int img_image_alloc(img_image_t *img, int width, int height, int channels, img_buf_t *buf,
                    img_err_t *err);

#pragma GCC visibility pop

#endif /* IMG_IMAGE_H */
