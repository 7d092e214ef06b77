/*
 * WebP header: the RIFF container and its first chunk, which is VP8
 * (lossy: the key frame header), VP8L (lossless: the 14-bit sizes after
 * the 0x2F signature) or VP8X (extended: canvas size, alpha and animation
 * flags). Later chunks are not read.
 */
#include <string.h>

#include "ii_internal.h"

#define II_RIFF_HEADER_LEN  12 /* "RIFF", size, "WEBP" */
#define II_CHUNK_HEADER_LEN 8  /* fourcc, size */
#define II_WEBP_DATA_AT     (II_RIFF_HEADER_LEN + II_CHUNK_HEADER_LEN)
#define II_VP8_HEADER_LEN   10 /* frame tag 3, start code 3, width 2, height 2 */
#define II_VP8L_HEADER_LEN  5  /* signature 1, packed sizes 4 */
#define II_VP8X_LEN         10 /* flags 4, canvas width-1 3, height-1 3 */
#define II_VP8X_ALPHA       0x10
#define II_VP8X_ANIMATION   0x02

typedef enum { II_WEBP_VP8, II_WEBP_VP8L, II_WEBP_VP8X } ii_webp_kind_t;

/* Reads a lossy key frame header d[0..10) of a chunk of csize bytes.
 * Fails on an inter frame, unknown profile, hidden frame, a first
 * partition longer than the chunk, a bad start code or a zero side. */
static int ii_webp_read_vp8(const uint8_t *d, uint32_t csize, ii_info_t *out, char *err,
                            size_t errlen)
{
    uint32_t tag = ii_le24(d);

    if (tag & 1)
        return ii_fail(err, errlen, "WebP: VP8 frame is not a key frame");
    if (((tag >> 1) & 7) > 3)
        return ii_fail(err, errlen, "WebP: unknown VP8 profile %u", (unsigned) (tag >> 1) & 7);
    if (!((tag >> 4) & 1))
        return ii_fail(err, errlen, "WebP: VP8 frame is not shown");
    if ((tag >> 5) >= csize)
        return ii_fail(err, errlen, "WebP: VP8 partition (%u bytes) exceeds its chunk (%u bytes)",
                       (unsigned) (tag >> 5), (unsigned) csize);
    if (d[3] != 0x9D || d[4] != 0x01 || d[5] != 0x2A)
        return ii_fail(err, errlen, "WebP: bad VP8 start code");
    out->width = ii_le16(d + 6) & 0x3FFF;
    out->height = ii_le16(d + 8) & 0x3FFF;
    if (out->width == 0 || out->height == 0)
        return ii_fail(err, errlen, "WebP: zero dimensions (%ux%u) in the VP8 frame header",
                       out->width, out->height);
    out->components = 3;
    return II_OK;
}

/* Reads a lossless header d[0..5): signature 0x2F, then width-1 and
 * height-1 (14 bits each), the alpha hint and a 3-bit version that must
 * be 0. */
static int ii_webp_read_vp8l(const uint8_t *d, ii_info_t *out, char *err, size_t errlen)
{
    uint32_t bits = ii_le32(d + 1);

    if (d[0] != 0x2F)
        return ii_fail(err, errlen, "WebP: bad VP8L signature 0x%02X", d[0]);
    if (bits >> 29)
        return ii_fail(err, errlen, "WebP: unknown VP8L version %u", (unsigned) (bits >> 29));
    out->width = (bits & 0x3FFF) + 1;
    out->height = ((bits >> 14) & 0x3FFF) + 1;
    out->has_alpha = (bits >> 28) & 1;
    out->components = out->has_alpha ? 4 : 3;
    return II_OK;
}

/* Reads an extended header d[0..10): flags and the 24-bit canvas
 * width-1 and height-1. Fails on a canvas over 2^32-1 pixels, which the
 * format forbids. */
static int ii_webp_read_vp8x(const uint8_t *d, ii_info_t *out, char *err, size_t errlen)
{
    out->width = ii_le24(d + 4) + 1;
    out->height = ii_le24(d + 7) + 1;
    if ((uint64_t) out->width * out->height > UINT32_MAX)
        return ii_fail(err, errlen, "WebP: canvas %ux%u exceeds 2^32-1 pixels", out->width,
                       out->height);
    out->has_alpha = (d[0] & II_VP8X_ALPHA) != 0;
    out->animated = (d[0] & II_VP8X_ANIMATION) != 0;
    out->components = out->has_alpha ? 4 : 3;
    return II_OK;
}

/* Which first chunk fourcc names, or -1 for any other chunk. */
static int ii_webp_kind(const uint8_t *fourcc)
{
    if (memcmp(fourcc, "VP8 ", 4) == 0)
        return II_WEBP_VP8;
    if (memcmp(fourcc, "VP8L", 4) == 0)
        return II_WEBP_VP8L;
    if (memcmp(fourcc, "VP8X", 4) == 0)
        return II_WEBP_VP8X;
    return -1;
}

/* See ii_internal.h. */
int ii_webp_probe(const uint8_t *b, size_t len, ii_info_t *out, char *err, size_t errlen)
{
    static const uint32_t header_len[] = { II_VP8_HEADER_LEN, II_VP8L_HEADER_LEN, II_VP8X_LEN };
    uint32_t riff = ii_le32(b + 4), csize;
    int kind;

    if (riff < 4 + II_CHUNK_HEADER_LEN)
        return ii_fail(err, errlen, "WebP: RIFF size %u is too small", (unsigned) riff);
    if (len < II_RIFF_HEADER_LEN + 4)
        return ii_need_more(out, II_WEBP_DATA_AT + II_VP8L_HEADER_LEN);
    kind = ii_webp_kind(b + II_RIFF_HEADER_LEN);
    if (kind < 0)
        return ii_fail(err, errlen,
                       "WebP: first chunk is not VP8, VP8L or VP8X "
                       "(%02X %02X %02X %02X)",
                       b[12], b[13], b[14], b[15]);
    if (len < II_WEBP_DATA_AT)
        return ii_need_more(out, II_WEBP_DATA_AT + header_len[kind]);

    csize = ii_le32(b + II_RIFF_HEADER_LEN + 4);
    if (csize > riff - 4 - II_CHUNK_HEADER_LEN)
        return ii_fail(err, errlen, "WebP: chunk of %u bytes overruns the RIFF size %u",
                       (unsigned) csize, (unsigned) riff);
    if (csize < header_len[kind] || (kind == II_WEBP_VP8X && csize != II_VP8X_LEN))
        return ii_fail(err, errlen, "WebP: %.4s chunk of %u bytes is the wrong size",
                       (const char *) b + II_RIFF_HEADER_LEN, (unsigned) csize);
    if (len < II_WEBP_DATA_AT + header_len[kind])
        return ii_need_more(out, II_WEBP_DATA_AT + header_len[kind]);

    out->bit_depth = 8;
    switch (kind) {
    case II_WEBP_VP8: return ii_webp_read_vp8(b + II_WEBP_DATA_AT, csize, out, err, errlen);
    case II_WEBP_VP8L: return ii_webp_read_vp8l(b + II_WEBP_DATA_AT, out, err, errlen);
    default: return ii_webp_read_vp8x(b + II_WEBP_DATA_AT, out, err, errlen);
    }
}
