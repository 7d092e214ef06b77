/*
 * aws_buf — a growable byte buffer, always NUL-terminated after `len`
 * (so text bodies can be handed to parsers that want a C string).
 */
#ifndef AWS_BUF_H
#define AWS_BUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct {
    char *data; /* NULL until the first append */
    size_t len;
    size_t cap;
} aws_buf_t;

#define AWS_BUF_INIT                                                                               \
    {                                                                                              \
        NULL, 0, 0                                                                                 \
    }

/* Appends n bytes.  Returns 0, or -1 when memory runs out (buffer unchanged). */
int aws_buf_append(aws_buf_t *b, const void *p, size_t n);

/* Appends a NUL-terminated string.  Returns 0 or -1 as aws_buf_append. */
int aws_buf_puts(aws_buf_t *b, const char *s);

/* Appends printf-formatted text.  Returns 0 or -1 as aws_buf_append. */
int aws_buf_printf(aws_buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int aws_buf_vprintf(aws_buf_t *b, const char *fmt, va_list ap);

/* Empties the buffer, keeping its memory for reuse. */
void aws_buf_reset(aws_buf_t *b);

/* Frees the memory and returns the buffer to AWS_BUF_INIT. */
void aws_buf_free(aws_buf_t *b);

#endif
