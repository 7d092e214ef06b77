/*
 * Image type from magic bytes: JPEG, PNG, WebP (RIFF container), GIF,
 * and HEIF/AVIF (the major brand of an ISOBMFF ftyp box).
 */
#include <string.h>

#include "ii_internal.h"

typedef struct {
    ii_type_t      type;
    size_t         len;
    const char    *magic;
    const char    *care;   /* 'x' where the byte must equal magic, '?' any */
} ii_signature_t;

static const ii_signature_t ii_signatures[] = {
    { II_TYPE_JPEG, 3,  "\xFF\xD8\xFF",                 "xxx" },
    { II_TYPE_PNG,  8,  "\x89PNG\r\n\x1A\n",            "xxxxxxxx" },
    { II_TYPE_WEBP, 12, "RIFF\0\0\0\0WEBP",             "xxxx????xxxx" },
    { II_TYPE_GIF,  6,  "GIF87a",                       "xxxxxx" },
    { II_TYPE_GIF,  6,  "GIF89a",                       "xxxxxx" },
    { II_TYPE_HEIF, 12, "\0\0\0\0ftypheic",             "????xxxxxxxx" },
    { II_TYPE_HEIF, 12, "\0\0\0\0ftypheix",             "????xxxxxxxx" },
    { II_TYPE_HEIF, 12, "\0\0\0\0ftypheim",             "????xxxxxxxx" },
    { II_TYPE_HEIF, 12, "\0\0\0\0ftypheis",             "????xxxxxxxx" },
    { II_TYPE_HEIF, 12, "\0\0\0\0ftyphevc",             "????xxxxxxxx" },
    { II_TYPE_HEIF, 12, "\0\0\0\0ftyphevx",             "????xxxxxxxx" },
    { II_TYPE_HEIF, 12, "\0\0\0\0ftypmif1",             "????xxxxxxxx" },
    { II_TYPE_HEIF, 12, "\0\0\0\0ftypmsf1",             "????xxxxxxxx" },
    { II_TYPE_AVIF, 12, "\0\0\0\0ftypavif",             "????xxxxxxxx" },
    { II_TYPE_AVIF, 12, "\0\0\0\0ftypavis",             "????xxxxxxxx" },
};

#define II_NSIGNATURES (sizeof(ii_signatures) / sizeof(ii_signatures[0]))

/* Whether the first n bytes of buf agree with signature s (n <= s->len). */
static int ii_signature_agrees(const ii_signature_t *s, const uint8_t *buf, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s->care[i] == 'x' && buf[i] != (uint8_t)s->magic[i])
            return 0;
    }
    return 1;
}

/* See imageinfo.h. */
ii_type_t ii_sniff(const void *buf, size_t len)
{
    for (size_t i = 0; buf && i < II_NSIGNATURES; i++) {
        const ii_signature_t *s = &ii_signatures[i];
        if (len >= s->len && ii_signature_agrees(s, buf, s->len))
            return s->type;
    }
    return II_TYPE_UNKNOWN;
}

/* See ii_internal.h. */
size_t ii_sniff_need(const uint8_t *buf, size_t len)
{
    size_t need = 0;

    for (size_t i = 0; i < II_NSIGNATURES; i++) {
        const ii_signature_t *s = &ii_signatures[i];
        if (len < s->len && ii_signature_agrees(s, buf, len) && (need == 0 || s->len < need))
            need = s->len;
    }
    return need;
}
