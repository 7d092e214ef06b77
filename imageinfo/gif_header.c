/*
 * GIF header: the logical screen descriptor for the dimensions, then the
 * blocks up to the first image descriptor for what the extensions before
 * it say (transparency: graphic control extension; a looping application
 * extension), then past the first frame's data to the next image
 * descriptor (animated) or the trailer (a still). The walk past the first
 * frame ends at II_HEADER_MAX; pixel data is skipped by its sub-block
 * lengths, never decoded.
 */
#include <string.h>

#include "ii_internal.h"

#define II_GIF_SCREEN_END      13 /* signature 6, logical screen descriptor 7 */
#define II_GIF_IMAGE_LEN       10 /* separator, left, top, width, height, packed */
#define II_GIF_IMAGE           0x2C
#define II_GIF_EXTENSION       0x21
#define II_GIF_TRAILER         0x3B
#define II_GIF_GRAPHIC_CONTROL 0xF9
#define II_GIF_APPLICATION     0xFF

/* Notes what the first data sub-block d[0..n) of an extension with the
 * given label tells: the transparency flag of a graphic control extension
 * (the last one before the image applies), or a looping application
 * extension (*loops), which is how encoders mark an animation. */
static void ii_gif_read_extension(unsigned label, const uint8_t *d, size_t n, ii_info_t *out,
                                  int *loops)
{
    if (label == II_GIF_GRAPHIC_CONTROL && n >= 4)
        out->has_alpha = d[0] & 1;
    else if (label == II_GIF_APPLICATION && n == 11
             && (memcmp(d, "NETSCAPE2.0", 11) == 0 || memcmp(d, "ANIMEXTS1.0", 11) == 0))
        *loops = 1;
}

/* Skips the data sub-blocks starting at *p (length byte, data, ..., a
 * zero length) and moves *p past the terminator. Calls back for the
 * first sub-block of an extension with label (0 for image data). Returns
 * II_OK or II_NEED_MORE. */
static int ii_gif_skip_blocks(const uint8_t *b, size_t len, size_t *p, unsigned label,
                              ii_info_t *out, int *loops)
{
    int first = 1;

    for (;;) {
        size_t n;

        if (*p >= len)
            return ii_need_more(out, *p + 2);
        n = b[*p];
        if (n == 0)
            break;
        if (*p + 1 + n > len)
            return ii_need_more(out, *p + 1 + n + 2);
        if (first && label)
            ii_gif_read_extension(label, b + *p + 1, n, out, loops);
        first = 0;
        *p += 1 + n;
    }
    (*p)++;
    return II_OK;
}

/* Skips the image descriptor at *p, its local colour table and its LZW
 * data. Returns II_OK or II_NEED_MORE. */
static int ii_gif_skip_image(const uint8_t *b, size_t len, size_t *p, ii_info_t *out)
{
    unsigned packed;

    if (*p + II_GIF_IMAGE_LEN + 1 > len)
        return ii_need_more(out, *p + II_GIF_IMAGE_LEN + 2);
    packed = b[*p + 9];
    *p += II_GIF_IMAGE_LEN;
    if (packed & 0x80)
        *p += (size_t) 3 << ((packed & 7) + 1);
    *p += 1; /* LZW minimum code size */
    return ii_gif_skip_blocks(b, len, p, 0, out, NULL);
}

/* See ii_internal.h. II_OK at the second image descriptor (animated), the
 * trailer or any other block after the first frame, or when the first
 * frame runs past II_HEADER_MAX (animated when a looping extension came
 * before it); before the first image descriptor a trailer or an unknown
 * block is an error. */
int ii_gif_probe(const uint8_t *b, size_t len, ii_info_t *out, char *err, size_t errlen)
{
    unsigned packed;
    size_t p = II_GIF_SCREEN_END, glen = len < II_HEADER_MAX ? len : II_HEADER_MAX;
    int images = 0, loops = 0, rc = II_OK;

    if (len < II_GIF_SCREEN_END)
        return ii_need_more(out, II_GIF_SCREEN_END + 1);
    out->width = ii_le16(b + 6);
    out->height = ii_le16(b + 8);
    if (out->width == 0 || out->height == 0)
        return ii_fail(err, errlen, "GIF: zero logical screen size (%ux%u)", out->width,
                       out->height);
    packed = b[10];
    out->components = 1;
    out->bit_depth = packed & 0x80 ? (int) (packed & 7) + 1 : 8;
    if (packed & 0x80) /* global colour table: 2^(N+1) RGB triples */
        p += (size_t) 3 << ((packed & 7) + 1);

    while (rc == II_OK) {
        size_t lim = images ? glen : len; /* past the first frame, within the budget */

        if (p >= lim) {
            rc = ii_need_more(out, p + 1);
            break;
        }
        if (b[p] == II_GIF_IMAGE && images) {
            out->animated = 1;
            return II_OK;
        }
        if (b[p] == II_GIF_IMAGE) {
            images = 1;
            rc = ii_gif_skip_image(b, glen, &p, out);
        } else if (b[p] == II_GIF_EXTENSION) {
            if (p + 2 > lim) {
                rc = ii_need_more(out, p + 3);
                break;
            }
            p += 2;
            rc = ii_gif_skip_blocks(b, lim, &p, images ? 0 : b[p - 1], out, &loops);
        } else if (images) {
            return II_OK; /* the trailer, or what a decoder stops at */
        } else if (b[p] == II_GIF_TRAILER) {
            return ii_fail(err, errlen, "GIF: trailer at offset %zu before any image", p);
        } else {
            return ii_fail(err, errlen, "GIF: unknown block 0x%02X at offset %zu", b[p], p);
        }
    }
    if (images && out->need > II_HEADER_MAX) { /* the budget ends the walk: the
                                                   same verdict for any longer buf */
        out->need = 0;
        out->animated = loops;
        return II_OK;
    }
    return rc;
}
