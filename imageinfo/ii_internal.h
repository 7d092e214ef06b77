/*
 * imageinfo internals shared by the per-format header parsers: bounds-free
 * byte readers (callers check lengths first), result helpers, and the
 * parsers ii_probe() dispatches to. Not installed, not for other areas.
 */
#ifndef II_INTERNAL_H
#define II_INTERNAL_H

#include <stdint.h>
#include <stddef.h>

#include "imageinfo.h"

/* Big-endian 16-bit value at p[0..2). */
static inline unsigned ii_be16(const uint8_t *p)
{
    return (unsigned) p[0] << 8 | p[1];
}

/* Little-endian 16-bit value at p[0..2). */
static inline unsigned ii_le16(const uint8_t *p)
{
    return (unsigned) p[1] << 8 | p[0];
}

/* Little-endian 24-bit value at p[0..3). */
static inline uint32_t ii_le24(const uint8_t *p)
{
    return (uint32_t) p[2] << 16 | (uint32_t) p[1] << 8 | p[0];
}

/* Big-endian 32-bit value at p[0..4). */
static inline uint32_t ii_be32(const uint8_t *p)
{
    return (uint32_t) p[0] << 24 | (uint32_t) p[1] << 16 | (uint32_t) p[2] << 8 | p[3];
}

/* Little-endian 32-bit value at p[0..4). */
static inline uint32_t ii_le32(const uint8_t *p)
{
    return (uint32_t) p[3] << 24 | (uint32_t) p[2] << 16 | (uint32_t) p[1] << 8 | p[0];
}

/* Formats a printf-style reason into err (when err and errlen are non-zero,
 * truncating) and returns II_ERROR. */
int ii_fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Records that the parser needs a buffer of at least need bytes and
 * returns II_NEED_MORE. */
int ii_need_more(ii_info_t *out, size_t need);

/* The length of the shortest signature that buf[0..len) is a proper prefix
 * of (so more bytes could still make it a known type), or 0 when it is the
 * prefix of none. */
size_t ii_sniff_need(const uint8_t *buf, size_t len);

/* EXIF orientation (1..8) from the TIFF data of an APP1 "Exif\0\0" payload
 * (tiff points just past that header), looking only at IFD0 and only at
 * bytes below len; 0 when the tag is absent, cut off, malformed or out of
 * range. Never fails otherwise: a broken EXIF does not make a bad image. */
int ii_exif_orientation(const uint8_t *tiff, size_t len);

/* One ISO-BMFF box: offsets into the buffer it was read from. */
typedef struct {
    const uint8_t *type; /* the 4-byte box type */
    size_t body;         /* where the payload starts (past size, type, largesize) */
    size_t end;          /* just past the box; SIZE_MAX for a box that runs
                              to the end of the file (size 0 at top level) */
} ii_box_t;

/* Reads the header of the box at buf[at..) inside a container that ends at
 * limit (SIZE_MAX: the file, whose end is not known). Returns II_OK with
 * *box filled; II_NEED_MORE (out->need set) when the header lies past len;
 * II_ERROR when the size is below the header's (0 and 1 aside), the box
 * overruns its container, or the header does not fit in it. A size of 0
 * makes the box end where its container ends. end is always > at, so a
 * walk that moves to box.end cannot loop. */
int ii_box_read(const uint8_t *buf, size_t len, size_t at, size_t limit, ii_box_t *box,
                ii_info_t *out, char *err, size_t errlen);

/* Whether box is of the 4-character type name. */
int ii_box_is(const ii_box_t *box, const char *name);

/* The HEIF type (II_TYPE_HEIC, II_TYPE_HEIF, II_TYPE_AVIF) the ftyp box at
 * the start of buf names (see ii_sniff for the precedence), or
 * II_TYPE_UNKNOWN when buf does not start with a whole ftyp box of
 * 16..4096 bytes naming one. */
ii_type_t ii_bmff_sniff(const uint8_t *buf, size_t len);

/* Like ii_sniff_need for the ftyp box: the length buf[0..len) must reach
 * for ii_bmff_sniff to decide (8 for the box header, then the box size),
 * or 0 when buf cannot start a ftyp box or already holds the whole box. */
size_t ii_bmff_sniff_need(const uint8_t *buf, size_t len);

/* The per-format parsers behind ii_probe(): buf already starts with the
 * format's full signature and out is initialised (type set, orientation 1,
 * adobe_transform -1, the rest 0). Same results and contract as ii_probe. */
int ii_jpeg_probe(const uint8_t *buf, size_t len, ii_info_t *out, char *err, size_t errlen);
int ii_png_probe(const uint8_t *buf, size_t len, ii_info_t *out, char *err, size_t errlen);
int ii_webp_probe(const uint8_t *buf, size_t len, ii_info_t *out, char *err, size_t errlen);
int ii_gif_probe(const uint8_t *buf, size_t len, ii_info_t *out, char *err, size_t errlen);
int ii_heif_probe(const uint8_t *buf, size_t len, ii_info_t *out, char *err, size_t errlen);

#endif /* II_INTERNAL_H */
