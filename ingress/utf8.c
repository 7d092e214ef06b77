/*
 * utf8 — UTF-8 validation and repair.  See utf8.h.
 */
#include "utf8.h"

#include <stdlib.h>
#include <string.h>

/* Returns the length (1..4) of the valid UTF-8 sequence at s[0..len),
 * or 0 when s does not start one. */
static size_t utf8_seq(const unsigned char *s, size_t len)
{
    size_t n, i;
    unsigned cp, min;

    if (s[0] < 0x80) {
        return 1;
    }
    if (s[0] >= 0xc2 && s[0] <= 0xdf) {
        n = 2;
        cp = s[0] & 0x1f;
        min = 0x80;
    } else if (s[0] >= 0xe0 && s[0] <= 0xef) {
        n = 3;
        cp = s[0] & 0x0f;
        min = 0x800;
    } else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
        n = 4;
        cp = s[0] & 0x07;
        min = 0x10000;
    } else {
        return 0;
    }
    if (len < n) {
        return 0;
    }
    for (i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80) {
            return 0;
        }
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
        return 0;
    }
    return n;
}

int ing_utf8_valid(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *) s;
    size_t n;

    while (len > 0) {
        n = utf8_seq(p, len);
        if (n == 0) {
            return 0;
        }
        p += n;
        len -= n;
    }
    return 1;
}

char *ing_utf8_repair(const char *s)
{
    static const char fffd[] = "\xef\xbf\xbd";
    const unsigned char *p = (const unsigned char *) s;
    size_t len = strlen(s), n;
    char *out, *o;

    if (len > ((size_t) -1 - 1) / 3) {
        return NULL;
    }
    out = malloc(3 * len + 1); /* one invalid byte grows into three */
    if (out == NULL) {
        return NULL;
    }
    o = out;
    while (len > 0) {
        n = utf8_seq(p, len);
        if (n == 0) {
            memcpy(o, fffd, 3);
            o += 3;
            n = 1;
        } else {
            memcpy(o, p, n);
            o += n;
        }
        p += n;
        len -= n;
    }
    *o = '\0';
    return out;
}
