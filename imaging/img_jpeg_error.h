/*
 * The libjpeg error manager shared by the JPEG reader and writer. libjpeg
 * reports a fatal error by calling error_exit(), which must not return:
 * ours formats the message and longjmp()s back to the setjmp() of the
 * img_ function that called into libjpeg (never exit()). Warnings that
 * mean the compressed data is damaged (truncated file, bad Huffman code,
 * premature end of a data segment ...) are escalated the same way, so a
 * truncated upload is refused instead of being padded with grey.
 */
#ifndef IMG_JPEG_ERROR_H
#define IMG_JPEG_ERROR_H

#include <setjmp.h>
#include <stdio.h>

#include <jpeglib.h>

#include "img_error.h"

#pragma GCC visibility push(hidden)

typedef struct {
    struct jpeg_error_mgr pub; /* first: libjpeg sees only this */
    jmp_buf jmp;               /* where error_exit() returns to */
    char msg[JMSG_LENGTH_MAX];
} img_jpeg_err_t;

/* Installs je as cinfo's error manager; call before jpeg_create_*(),
 * passing the struct that will be created (it is only written to). */
void img_jpeg_err_install(struct jpeg_error_mgr **slot, img_jpeg_err_t *je);

/* Ends the current libjpeg call like a libjpeg error, with msg as the
 * message (reported with the caller's code). Never returns. */
void img_jpeg_err_throw(j_common_ptr cinfo, const char *msg) __attribute__((noreturn));

/* After a longjmp() to je->jmp: copies libjpeg's message into err with
 * IMG_ERR_NOMEM when libjpeg ran out of memory, else `code`, prefixed
 * with `what` ("jpeg decode"). Returns -1. */
int img_jpeg_err_report(const img_jpeg_err_t *je, img_err_code_t code, const char *what,
                        img_err_t *err);

#pragma GCC visibility pop

#endif /* IMG_JPEG_ERROR_H */
