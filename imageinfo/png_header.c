/*
 * PNG header: the IHDR chunk, which must directly follow the signature.
 * Nothing past IHDR is read (a tRNS chunk's transparency or an APNG acTL
 * are not looked for).
 */
#include <string.h>

#include "ii_internal.h"

#define II_PNG_SIG_LEN    8
#define II_PNG_IHDR_LEN   13
#define II_PNG_HEADER_END (II_PNG_SIG_LEN + 8 + II_PNG_IHDR_LEN + 4) /* + length, type; + CRC */
#define II_PNG_MAX_SIDE   0x7FFFFFFFu

/* CRC-32 (ISO 3309, as PNG uses) of p[0..n), bit by bit: it runs once on
 * 17 bytes, and imageinfo links no compression library for it. */
static uint32_t ii_png_crc32(const uint8_t *p, size_t n)
{
    uint32_t c = 0xFFFFFFFFu;

    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
    }
    return c ^ 0xFFFFFFFFu;
}

/* The channel count of PNG colour type ct at bit depth depth, or 0 when
 * that pairing is not allowed by the PNG specification. */
static int ii_png_channels(unsigned ct, unsigned depth)
{
    int eight_or_16 = depth == 8 || depth == 16;

    switch (ct) {
    case 0: return (depth == 1 || depth == 2 || depth == 4 || eight_or_16) ? 1 : 0;
    case 2: return eight_or_16 ? 3 : 0;
    case 3: return (depth == 1 || depth == 2 || depth == 4 || depth == 8) ? 1 : 0;
    case 4: return eight_or_16 ? 2 : 0;
    case 6: return eight_or_16 ? 4 : 0;
    default: return 0;
    }
}

/* See ii_internal.h. */
int ii_png_probe(const uint8_t *b, size_t len, ii_info_t *out, char *err, size_t errlen)
{
    const uint8_t *ihdr = b + II_PNG_SIG_LEN + 8;
    unsigned depth, ct;
    int channels;

    if (len >= II_PNG_SIG_LEN + 8
        && (ii_be32(b + II_PNG_SIG_LEN) != II_PNG_IHDR_LEN
            || memcmp(b + II_PNG_SIG_LEN + 4, "IHDR", 4) != 0))
        return ii_fail(err, errlen, "PNG: the first chunk is not a 13-byte IHDR");
    if (len < II_PNG_HEADER_END)
        return ii_need_more(out, II_PNG_HEADER_END);
    if (ii_be32(ihdr + II_PNG_IHDR_LEN)
        != ii_png_crc32(b + II_PNG_SIG_LEN + 4, 4 + II_PNG_IHDR_LEN))
        return ii_fail(err, errlen, "PNG: IHDR CRC mismatch");

    out->width = ii_be32(ihdr);
    out->height = ii_be32(ihdr + 4);
    depth = ihdr[8];
    ct = ihdr[9];
    if (out->width == 0 || out->height == 0)
        return ii_fail(err, errlen, "PNG: zero dimensions (%ux%u) in IHDR", out->width,
                       out->height);
    if (out->width > II_PNG_MAX_SIDE || out->height > II_PNG_MAX_SIDE)
        return ii_fail(err, errlen, "PNG: dimensions %ux%u exceed 2^31-1", out->width, out->height);
    channels = ii_png_channels(ct, depth);
    if (channels == 0)
        return ii_fail(err, errlen, "PNG: invalid colour type %u with bit depth %u", ct, depth);
    if (ihdr[10] != 0 || ihdr[11] != 0 || ihdr[12] > 1)
        return ii_fail(err, errlen, "PNG: unknown compression %u, filter %u or interlace %u method",
                       ihdr[10], ihdr[11], ihdr[12]);

    out->components = channels;
    out->bit_depth = (int) depth;
    out->has_alpha = ct == 4 || ct == 6;
    out->progressive = ihdr[12] == 1;
    return II_OK;
}
