/*
 * The imaging error record: a code plus a message, filled by the failing
 * function and read by the plugin that maps it to retry or reject.
 */
#include <stdarg.h>
#include <stdio.h>

#include "img_error.h"

/* See img_error.h. */
int img_fail(img_err_t *err, img_err_code_t code, const char *fmt, ...)
{
    va_list ap;

    err->code = code;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    va_end(ap);
    return -1;
}

/* See img_error.h. */
void img_err_clear(img_err_t *err)
{
    err->code = IMG_ERR_NONE;
    err->msg[0] = '\0';
}
