/*
 * GIF header: the logical screen descriptor for the dimensions, then the
 * blocks up to the first image descriptor for what the extensions before
 * it say: transparency (graphic control extension) and looping animation
 * (NETSCAPE2.0 / ANIMEXTS1.0 application extension). Image data is not read.
 */
#include <string.h>

#include "ii_internal.h"

#define II_GIF_SCREEN_END 13     /* signature 6, logical screen descriptor 7 */
#define II_GIF_IMAGE      0x2C
#define II_GIF_EXTENSION  0x21
#define II_GIF_TRAILER    0x3B
#define II_GIF_GRAPHIC_CONTROL 0xF9
#define II_GIF_APPLICATION     0xFF

/* Notes what the first data sub-block d[0..n) of an extension with the
 * given label tells: the transparency flag of a graphic control extension
 * (the last one before the image applies), or a looping application
 * extension, which is how encoders mark an animation. */
static void ii_gif_read_extension(unsigned label, const uint8_t *d, size_t n, ii_info_t *out)
{
    if (label == II_GIF_GRAPHIC_CONTROL && n >= 4)
        out->has_alpha = d[0] & 1;
    else if (label == II_GIF_APPLICATION && n == 11
             && (memcmp(d, "NETSCAPE2.0", 11) == 0 || memcmp(d, "ANIMEXTS1.0", 11) == 0))
        out->animated = 1;
}

/* See ii_internal.h. II_OK once the first image descriptor's introducer is
 * reached; a trailer or unknown block before it is an error. */
int ii_gif_probe(const uint8_t *b, size_t len, ii_info_t *out, char *err, size_t errlen)
{
    unsigned packed;
    size_t p = II_GIF_SCREEN_END;

    if (len < II_GIF_SCREEN_END)
        return ii_need_more(out, II_GIF_SCREEN_END + 1);
    out->width = ii_le16(b + 6);
    out->height = ii_le16(b + 8);
    if (out->width == 0 || out->height == 0)
        return ii_fail(err, errlen, "GIF: zero logical screen size (%ux%u)",
                       out->width, out->height);
    packed = b[10];
    out->components = 1;
    out->bit_depth = packed & 0x80 ? (int)(packed & 7) + 1 : 8;
    if (packed & 0x80)  /* global colour table: 2^(N+1) RGB triples */
        p += (size_t)3 << ((packed & 7) + 1);

    for (;;) {
        unsigned label;
        int first = 1;

        if (p >= len)
            return ii_need_more(out, p + 1);
        if (b[p] == II_GIF_IMAGE)
            return II_OK;
        if (b[p] == II_GIF_TRAILER)
            return ii_fail(err, errlen, "GIF: trailer at offset %zu before any image", p);
        if (b[p] != II_GIF_EXTENSION)
            return ii_fail(err, errlen, "GIF: unknown block 0x%02X at offset %zu", b[p], p);
        if (p + 2 > len)
            return ii_need_more(out, p + 3);
        label = b[p + 1];
        p += 2;
        for (;;) {  /* data sub-blocks, each a length byte and data, up to a 0 length */
            size_t n;

            if (p >= len)
                return ii_need_more(out, p + 2);
            n = b[p];
            if (n == 0)
                break;
            if (p + 1 + n > len)
                return ii_need_more(out, p + 1 + n + 2);
            if (first)
                ii_gif_read_extension(label, b + p + 1, n, out);
            first = 0;
            p += 1 + n;
        }
        p++;
    }
}
