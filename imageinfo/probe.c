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

/* See imageinfo.h. */
int ii_probe(const void *buf, size_t len, ii_info_t *out, char *err, size_t errlen)
{
    const uint8_t *b = buf;
    size_t need;

    memset(out, 0, sizeof(*out));
    out->orientation = 1;
    out->adobe_transform = -1;
    if (err && errlen)
        err[0] = '\0';
    if (b == NULL)
        len = 0;

    out->type = ii_sniff(b, len);
    switch (out->type) {
    case II_TYPE_JPEG: return ii_jpeg_probe(b, len, out, err, errlen);
    case II_TYPE_PNG:  return ii_png_probe(b, len, out, err, errlen);
    case II_TYPE_WEBP: return ii_webp_probe(b, len, out, err, errlen);
    case II_TYPE_GIF:  return ii_gif_probe(b, len, out, err, errlen);
    case II_TYPE_HEIF:
    case II_TYPE_AVIF:
        return ii_fail(err, errlen, "%s dimensions are not read by imageinfo",
                       ii_type_ext(out->type));
    case II_TYPE_UNKNOWN: break;
    }

    need = ii_sniff_need(b, len);
    if (need)
        return ii_need_more(out, need);
    return ii_fail(err, errlen, "unknown image type (not JPEG, PNG, WebP or GIF)");
}
