/*
 * libjpeg error manager: longjmp() out on errors and on warnings that
 * mean damaged data, keeping the message for the reject reason.
 */
#include "img_jpeg_error.h"

#include <jerror.h> /* after jpeglib.h: its message list depends on jconfig.h */

/* libjpeg's fatal error hook: keeps the message, jumps back to the
 * caller's setjmp(). Never returns. */
static void img_jpeg_error_exit(j_common_ptr cinfo)
{
    img_jpeg_err_t *je = (img_jpeg_err_t *) cinfo->err;

    cinfo->err->format_message(cinfo, je->msg);
    longjmp(je->jmp, 1);
}

/* Whether a libjpeg warning code means the compressed data is damaged
 * (and decoding on would invent pixels). Header oddities (an unknown
 * JFIF revision, a bad ICC marker, stray bytes between markers) are not. */
static int img_jpeg_warning_is_fatal(int code)
{
    switch (code) {
    case JWRN_JPEG_EOF:   /* truncated file */
    case JWRN_HIT_MARKER: /* entropy data cut short */
    case JWRN_HUFF_BAD_CODE:
    case JWRN_ARITH_BAD_CODE:
    case JWRN_MUST_RESYNC:
    case JWRN_NOT_SEQUENTIAL:
    case JWRN_BOGUS_PROGRESSION: return 1;
    default: return 0;
    }
}

/* libjpeg's message hook: level -1 is a warning, higher levels are trace
 * output (ignored). Damaged-data warnings end the work like errors. */
static void img_jpeg_emit_message(j_common_ptr cinfo, int msg_level)
{
    if (msg_level >= 0)
        return;
    cinfo->err->num_warnings++;
    if (img_jpeg_warning_is_fatal(cinfo->err->msg_code))
        img_jpeg_error_exit(cinfo);
}

/* See img_jpeg_error.h. */
void img_jpeg_err_install(struct jpeg_error_mgr **slot, img_jpeg_err_t *je)
{
    *slot = jpeg_std_error(&je->pub);
    je->pub.error_exit = img_jpeg_error_exit;
    je->pub.emit_message = img_jpeg_emit_message;
    je->msg[0] = '\0';
}

/* See img_jpeg_error.h. */
void img_jpeg_err_throw(j_common_ptr cinfo, const char *msg)
{
    img_jpeg_err_t *je = (img_jpeg_err_t *) cinfo->err;

    snprintf(je->msg, sizeof(je->msg), "%s", msg);
    je->pub.msg_code = JMSG_NOMESSAGE;
    longjmp(je->jmp, 1);
}

/* See img_jpeg_error.h. */
int img_jpeg_err_report(const img_jpeg_err_t *je, img_err_code_t code, const char *what,
                        img_err_t *err)
{
    if (je->pub.msg_code == JERR_OUT_OF_MEMORY)
        code = IMG_ERR_NOMEM;
    return img_fail(err, code, "%s: %s", what, je->msg);
}
