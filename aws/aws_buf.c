#include "aws_buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Ensures room for `extra` more bytes plus the NUL.  Returns 0 or -1. */
static int aws_buf_reserve(aws_buf_t *b, size_t extra)
{
    size_t need, cap;
    char *p;

    if (extra > (size_t) -1 - b->len - 1) {
        return -1;
    }
    need = b->len + extra + 1;
    if (need <= b->cap) {
        return 0;
    }
    cap = b->cap ? b->cap : 256;
    while (cap < need) {
        cap = cap > (size_t) -1 / 2 ? need : cap * 2;
    }
    p = realloc(b->data, cap);
    if (p == NULL) {
        return -1;
    }
    b->data = p;
    b->cap = cap;
    return 0;
}

int aws_buf_append(aws_buf_t *b, const void *p, size_t n)
{
    if (aws_buf_reserve(b, n) != 0) {
        return -1;
    }
    if (n) {
        memcpy(b->data + b->len, p, n);
    }
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

int aws_buf_puts(aws_buf_t *b, const char *s)
{
    return aws_buf_append(b, s, strlen(s));
}

int aws_buf_vprintf(aws_buf_t *b, const char *fmt, va_list ap)
{
    va_list cp;
    int n;

    va_copy(cp, ap);
    n = vsnprintf(NULL, 0, fmt, cp);
    va_end(cp);
    if (n < 0 || aws_buf_reserve(b, (size_t) n) != 0) {
        return -1;
    }
    vsnprintf(b->data + b->len, (size_t) n + 1, fmt, ap);
    b->len += (size_t) n;
    return 0;
}

int aws_buf_printf(aws_buf_t *b, const char *fmt, ...)
{
    va_list ap;
    int rc;

    va_start(ap, fmt);
    rc = aws_buf_vprintf(b, fmt, ap);
    va_end(ap);
    return rc;
}

void aws_buf_reset(aws_buf_t *b)
{
    b->len = 0;
    if (b->data) {
        b->data[0] = '\0';
    }
}

void aws_buf_free(aws_buf_t *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}
