/*
 * Image type from magic bytes: JPEG, PNG, WebP (RIFF container) and GIF
 * by fixed signatures, HEIC/HEIF/AVIF by the brands of the ftyp box.
 */
#include <string.h>

#include "ii_internal.h"

typedef struct {
    ii_type_t type;
    size_t len;
    const char *magic;
    const char *care; /* 'x' where the byte must equal magic, '?' any */
} ii_signature_t;

static const ii_signature_t ii_signatures[] = {
    { II_TYPE_JPEG, 3, "\xFF\xD8\xFF", "xxx" },
    { II_TYPE_PNG, 8, "\x89PNG\r\n\x1A\n", "xxxxxxxx" },
    { II_TYPE_WEBP, 12, "RIFF\0\0\0\0WEBP", "xxxx????xxxx" },
    { II_TYPE_GIF, 6, "GIF87a", "xxxxxx" },
    { II_TYPE_GIF, 6, "GIF89a", "xxxxxx" },
};

#define II_NSIGNATURES (sizeof(ii_signatures) / sizeof(ii_signatures[0]))

/* Whether the first n bytes of buf agree with signature s (n <= s->len). */
static int ii_signature_agrees(const ii_signature_t *s, const uint8_t *buf, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s->care[i] == 'x' && buf[i] != (uint8_t) s->magic[i])
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
    return buf ? ii_bmff_sniff(buf, len) : II_TYPE_UNKNOWN;
}

/* See ii_internal.h. */
size_t ii_sniff_need(const uint8_t *buf, size_t len)
{
    size_t need = ii_bmff_sniff_need(buf, len);

    for (size_t i = 0; i < II_NSIGNATURES; i++) {
        const ii_signature_t *s = &ii_signatures[i];
        if (len < s->len && ii_signature_agrees(s, buf, len) && (need == 0 || s->len < need))
            need = s->len;
    }
    return need;
}
