/*
 * imaging errors: every img_ function that can fail fills an img_err_t
 * (a code and a one-line message) and returns -1. Nothing here prints.
 * The code tells a plugin what to answer: IMG_ERR_NOMEM is transient
 * (retry later), every other code is final (reject the input).
 */
#ifndef IMG_ERROR_H
#define IMG_ERROR_H

#include <stddef.h>

#pragma GCC visibility push(hidden)

typedef enum {
    IMG_ERR_NONE = 0,
    IMG_ERR_CORRUPT,     /* the decoder refused the data (message is the decoder's) */
    IMG_ERR_UNSUPPORTED, /* a valid image this library does not handle */
    IMG_ERR_LIMIT,       /* over a configured limit (pixels, sides) */
    IMG_ERR_NOMEM,       /* an allocation failed */
    IMG_ERR_INVALID      /* a caller passed arguments outside the contract */
} img_err_code_t;

typedef struct {
    img_err_code_t code;
    char msg[256];
} img_err_t;

/* Records code and a printf-style message in err (truncated to fit) and
 * returns -1, so callers can write `return img_fail(err, ...)`. */
int img_fail(img_err_t *err, img_err_code_t code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Resets err to IMG_ERR_NONE with an empty message. */
void img_err_clear(img_err_t *err);

#pragma GCC visibility pop

#endif /* IMG_ERROR_H */
