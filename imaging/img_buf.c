/*
 * Growable buffers reused between images (see img_buf.h for why).
 */
#include <stdlib.h>

#include "img_buf.h"

/* The capacity to allocate for a request of n bytes when cap are held:
 * at least n, at least half again the old capacity, rounded to 4 KiB. */
static size_t img_buf_next_cap(size_t cap, size_t n)
{
    size_t want = cap + cap / 2;

    if (want < n)
        want = n;
    return (want + 4095) & ~(size_t) 4095;
}

/* See img_buf.h. */
int img_buf_reserve(img_buf_t *b, size_t n, img_err_t *err)
{
    size_t cap;

    if (n <= b->cap)
        return 0;
    cap = img_buf_next_cap(b->cap, n);
    free(b->data);
    b->data = malloc(cap);
    if (b->data == NULL) {
        b->cap = 0;
        return img_fail(err, IMG_ERR_NOMEM, "out of memory (%zu bytes)", cap);
    }
    b->cap = cap;
    return 0;
}

/* See img_buf.h. */
int img_buf_grow(img_buf_t *b, size_t n, img_err_t *err)
{
    size_t cap;
    unsigned char *p;

    if (n <= b->cap)
        return 0;
    cap = img_buf_next_cap(b->cap, n);
    p = realloc(b->data, cap);
    if (p == NULL)
        return img_fail(err, IMG_ERR_NOMEM, "out of memory (%zu bytes)", cap);
    b->data = p;
    b->cap = cap;
    return 0;
}

/* See img_buf.h. */
void img_buf_trim(img_buf_t *b, size_t keep)
{
    if (b->cap > keep)
        img_buf_free(b);
}

/* See img_buf.h. */
void img_buf_free(img_buf_t *b)
{
    free(b->data);
    b->data = NULL;
    b->cap = 0;
}
