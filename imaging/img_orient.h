/*
 * EXIF orientation (values 1..8): turns an image as stored into the image
 * as it should be displayed, by flips, rotations and transposes. Applied
 * after resizing, where images are small. Rows can be produced a strip at
 * a time (for encoders that take rows) or all at once.
 */
#ifndef IMG_ORIENT_H
#define IMG_ORIENT_H

#include "img_image.h"

#pragma GCC visibility push(hidden)

/* Whether orientation swaps width and height (5..8). */
static inline int img_orient_swaps(int orientation)
{
    return orientation >= 5 && orientation <= 8;
}

/* Writes rows [y0, y0 + n) of src as displayed under `orientation` to
 * dst (row i at dst + i * dstride, width * channels bytes each, where
 * width is the displayed width). Values outside 2..8 copy unchanged. */
void img_orient_rows(const img_image_t *src, int orientation, int y0, int n, unsigned char *dst,
                     size_t dstride);

/* Writes all of src as displayed under `orientation` into dst laid out
 * over buf (grown as needed). Returns 0, or -1 with IMG_ERR_NOMEM. */
int img_orient(const img_image_t *src, int orientation, img_image_t *dst, img_buf_t *buf,
               img_err_t *err);

#pragma GCC visibility pop

#endif /* IMG_ORIENT_H */
