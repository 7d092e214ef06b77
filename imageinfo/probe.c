/*
 * ii_probe(): sniffs the type, then hands the buffer to that format's
 * header parser. Also the result helpers the parsers share.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ii_internal.h"

/* See ii_internal.h. */
int ii_fail(char *err, size_t errlen, const char *fmt, ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return II_ERROR;
}

/* See ii_internal.h. */
int ii_need_more(ii_info_t *out, size_t need)
{
    out->need = need;
    return II_NEED_MORE;
}

/* The parser of type t on b[0..len) (see ii_probe), or for an unknown
 * type: II_NEED_MORE while b may still become a known signature, else
 * II_ERROR. */
static int ii_probe_type(ii_type_t t, const uint8_t *b, size_t len, ii_info_t *out, char *err,
                         size_t errlen)
{
    size_t need;

    switch (t) {
    case II_TYPE_JPEG: return ii_jpeg_probe(b, len, out, err, errlen);
    case II_TYPE_PNG: return ii_png_probe(b, len, out, err, errlen);
    case II_TYPE_WEBP: return ii_webp_probe(b, len, out, err, errlen);
    case II_TYPE_GIF: return ii_gif_probe(b, len, out, err, errlen);
    case II_TYPE_HEIC:
    case II_TYPE_HEIF:
    case II_TYPE_AVIF: return ii_heif_probe(b, len, out, err, errlen);
    case II_TYPE_UNKNOWN: break;
    }

    need = ii_sniff_need(b, len);
    if (need)
        return ii_need_more(out, need);
    return ii_fail(err, errlen,
                   "unknown image type (not JPEG, PNG, WebP, GIF, HEIC, HEIF "
                   "or AVIF)");
}

/* See imageinfo.h. */
int ii_probe(const void *buf, size_t len, ii_info_t *out, char *err, size_t errlen)
{
    const uint8_t *b = buf;

    memset(out, 0, sizeof(*out));
    out->orientation = 1;
    out->adobe_transform = -1;
    if (err && errlen)
        err[0] = '\0';
    if (b == NULL)
        len = 0;

    out->type = ii_sniff(b, len);
    return ii_probe_type(out->type, b, len, out, err, errlen);
}
