/*
 * EXIF orientation: the Orientation tag (0x0112) of IFD0 in the TIFF
 * structure an APP1 "Exif" segment carries, in either byte order. Only
 * IFD0 is read; no other offset is followed.
 */
#include "ii_internal.h"

#define II_TIFF_ORIENTATION 0x0112
#define II_TIFF_SHORT       3
#define II_TIFF_ENTRY_LEN   12

/* See ii_internal.h. */
int ii_exif_orientation(const uint8_t *tiff, size_t len)
{
    unsigned (*u16)(const uint8_t *);
    uint32_t ifd;
    size_t count;

    if (len < 8)
        return 0;
    if (tiff[0] == 'I' && tiff[1] == 'I' && ii_le16(tiff + 2) == 42)
        u16 = ii_le16;
    else if (tiff[0] == 'M' && tiff[1] == 'M' && ii_be16(tiff + 2) == 42)
        u16 = ii_be16;
    else
        return 0;

    ifd = u16 == ii_le16 ? ii_le32(tiff + 4) : ii_be32(tiff + 4);
    if (ifd < 8 || ifd > len - 2)
        return 0;
    count = u16(tiff + ifd);

    for (size_t i = 0; i < count; i++) {
        const uint8_t *e;
        size_t at = ifd + 2 + i * II_TIFF_ENTRY_LEN;
        unsigned v;

        if (at + II_TIFF_ENTRY_LEN > len)
            return 0;
        e = tiff + at;
        if (u16(e) != II_TIFF_ORIENTATION)
            continue;
        /* SHORT, count 1: the value sits left-justified in the offset field */
        if (u16(e + 2) != II_TIFF_SHORT)
            return 0;
        v = u16(e + 8);
        return v >= 1 && v <= 8 ? (int) v : 0;
    }
    return 0;
}
