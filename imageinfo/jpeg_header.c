/*
 * JPEG header: walks the marker segments from SOI to the first frame
 * header (SOFn) for the dimensions, components, precision and coding
 * process, noting the EXIF orientation (APP1) and the Adobe transform
 * (APP14) met on the way. Segments are skipped by their length; nothing
 * after the frame header is read.
 */
#include <string.h>

#include "ii_internal.h"

#define II_JPEG_SOI       0xD8
#define II_JPEG_EOI       0xD9
#define II_JPEG_SOS       0xDA
#define II_JPEG_APP1      0xE1
#define II_JPEG_APP14     0xEE
#define II_JPEG_ADOBE_LEN 12 /* "Adobe", version, flags0, flags1, transform */

/* Whether marker m is a frame header: SOF0..SOF15 except DHT (C4),
 * JPG (C8) and DAC (CC), which share that range. */
static int ii_jpeg_is_sof(unsigned m)
{
    return m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC;
}

/* Whether marker m stands alone, without a length: TEM and RST0..RST7. */
static int ii_jpeg_is_standalone(unsigned m)
{
    return m == 0x01 || (m >= 0xD0 && m <= 0xD7);
}

/* Reads the frame header payload seg[0..n) of marker m into out. Fails on
 * a length that disagrees with the component count, no components, an
 * unusable precision or a zero side (a height left to a DNL marker is not
 * supported). */
static int ii_jpeg_read_sof(const uint8_t *seg, size_t n, unsigned m, ii_info_t *out, char *err,
                            size_t errlen)
{
    unsigned precision, ncomp;

    if (n < 6)
        return ii_fail(err, errlen, "JPEG: frame header SOF%u is too short (%zu bytes)", m - 0xC0,
                       n);
    precision = seg[0];
    ncomp = seg[5];
    if (ncomp == 0 || n != 6 + 3 * (size_t) ncomp)
        return ii_fail(err, errlen, "JPEG: frame header of %zu bytes does not fit %u components", n,
                       ncomp);
    if (precision < 2 || precision > 16)
        return ii_fail(err, errlen, "JPEG: unsupported sample precision %u", precision);

    out->height = ii_be16(seg + 1);
    out->width = ii_be16(seg + 3);
    if (out->width == 0 || out->height == 0)
        return ii_fail(err, errlen, "JPEG: zero dimensions (%ux%u) in the frame header", out->width,
                       out->height);
    out->components = (int) ncomp;
    out->bit_depth = (int) precision;
    out->cmyk = ncomp == 4;
    out->progressive = m == 0xC2 || m == 0xC6 || m == 0xCA || m == 0xCE;
    return II_OK;
}

/* Notes what an APPn segment tells about the image, from the part of its
 * payload present (pay[0..avail)): the first EXIF APP1's orientation, and
 * the Adobe APP14 transform (the last one wins, as in libjpeg). */
static void ii_jpeg_read_app(unsigned m, const uint8_t *pay, size_t avail, int *exif_seen,
                             ii_info_t *out)
{
    if (m == II_JPEG_APP1 && !*exif_seen && avail >= 6 && memcmp(pay, "Exif\0\0", 6) == 0) {
        int o = ii_exif_orientation(pay + 6, avail - 6);
        *exif_seen = 1;
        if (o)
            out->orientation = o;
    } else if (m == II_JPEG_APP14 && avail >= II_JPEG_ADOBE_LEN && memcmp(pay, "Adobe", 5) == 0) {
        out->adobe_transform = pay[11];
    }
}

/* See ii_internal.h. On II_NEED_MORE, need covers the segment being read
 * plus the next marker and its length field (4 bytes), the least any
 * following frame header takes. */
int ii_jpeg_probe(const uint8_t *b, size_t len, ii_info_t *out, char *err, size_t errlen)
{
    size_t p = 2; /* past SOI */
    int exif_seen = 0;

    for (;;) {
        size_t seglen, end;
        unsigned m;

        if (p >= len)
            return ii_need_more(out, p + 4);
        if (b[p] != 0xFF)
            return ii_fail(err, errlen, "JPEG: expected a marker at offset %zu, found 0x%02X", p,
                           b[p]);
        while (p < len && b[p] == 0xFF) /* the marker's 0xFF and any fill bytes */
            p++;
        if (p >= len)
            return ii_need_more(out, p + 3);
        m = b[p++];

        if (ii_jpeg_is_standalone(m))
            continue;
        if (m < 0xC0)
            return ii_fail(err, errlen, "JPEG: invalid marker 0xFF%02X at offset %zu", m, p - 2);
        if (m == II_JPEG_SOI)
            return ii_fail(err, errlen, "JPEG: second start-of-image marker at offset %zu", p - 2);
        if (m == II_JPEG_EOI || m == II_JPEG_SOS)
            return ii_fail(err, errlen, "JPEG: %s at offset %zu before any frame header",
                           m == II_JPEG_EOI ? "end of image" : "start of scan", p - 2);

        if (p + 2 > len)
            return ii_need_more(out, p + 2);
        seglen = ii_be16(b + p);
        if (seglen < 2)
            return ii_fail(err, errlen, "JPEG: segment 0xFF%02X at offset %zu has length %zu", m,
                           p - 2, seglen);
        end = p + seglen;

        if (ii_jpeg_is_sof(m)) {
            if (end > len)
                return ii_need_more(out, end);
            return ii_jpeg_read_sof(b + p + 2, seglen - 2, m, out, err, errlen);
        }
        ii_jpeg_read_app(m, b + p + 2, (end < len ? end : len) - (p + 2), &exif_seen, out);
        if (end > len)
            return ii_need_more(out, end + 4);
        p = end;
    }
}
