/*
 * Reusable scratch buffers. A plugin instance owns its buffers and hands
 * them to every call, so a worker that processes many images touches
 * fresh memory only when an image is bigger than any before it (the first
 * touch of a fresh page is the expensive part on small VMs). Buffers grow
 * by half again so that slowly growing sizes do not reallocate each time;
 * pages beyond what an image uses are never touched.
 */
#ifndef IMG_BUF_H
#define IMG_BUF_H

#include <stddef.h>

#include "img_error.h"

#pragma GCC visibility push(hidden)

/* Capacity kept across images by img_buf_trim() callers: a buffer that
 * grew past this for one huge image is released afterwards. */
#define IMG_BUF_RETAIN ((size_t) 96 << 20)

typedef struct {
    unsigned char *data;
    size_t cap;
} img_buf_t;

/* Makes b hold at least n bytes; the old contents are NOT kept. Returns 0,
 * or -1 with IMG_ERR_NOMEM in err (b is then empty but valid). */
int img_buf_reserve(img_buf_t *b, size_t n, img_err_t *err);

/* Makes b hold at least n bytes keeping the first cap bytes. Returns 0,
 * or -1 with IMG_ERR_NOMEM in err (b unchanged). */
int img_buf_grow(img_buf_t *b, size_t n, img_err_t *err);

/* Frees b's memory when its capacity is over keep bytes. */
void img_buf_trim(img_buf_t *b, size_t keep);

/* Frees b's memory; b stays usable (empty). */
void img_buf_free(img_buf_t *b);

#pragma GCC visibility pop

#endif /* IMG_BUF_H */
