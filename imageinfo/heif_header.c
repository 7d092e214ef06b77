/*
 * HEIC / HEIF / AVIF header: the ISO-BMFF boxes after ftyp are skipped up
 * to the meta box, which is read whole: pitm names the primary item, the
 * primary item's ipma entry lists its properties, found by index in ipco:
 * ispe (the coded size), irot (a rotation, which the reported size
 * follows) and pixi (channels and bits). mdat and image data are never
 * read; a meta box must end within II_HEADER_MAX bytes (one placed after a
 * large mdat is refused), so what is read does not depend on the length
 * of the buffer.
 */
#include <string.h>

#include "ii_internal.h"

#define II_FULLBOX_LEN 4   /* version 1, flags 3 */
#define II_ASSOC_MAX   255 /* association_count is 8 bits */

/* What the primary item's properties say. */
typedef struct {
    int have_size;
    uint32_t width, height;
    unsigned angle; /* irot: quarter turns anticlockwise */
    int have_pixi;
    int channels, bits;
} ii_heif_props_t;

/* Reads the property at body b[p..end) of box type t into *pr; the first
 * ispe, irot and pixi count. Fails on a property too short for its type. */
static int ii_heif_read_prop(const uint8_t *b, const ii_box_t *t, size_t end, ii_heif_props_t *pr,
                             char *err, size_t errlen)
{
    size_t p = t->body, n = end - p;

    if (ii_box_is(t, "ispe") && !pr->have_size) {
        if (n < II_FULLBOX_LEN + 8)
            return ii_fail(err, errlen, "HEIF: ispe property of %zu bytes is too short", n);
        pr->width = ii_be32(b + p + 4);
        pr->height = ii_be32(b + p + 8);
        pr->have_size = 1;
    } else if (ii_box_is(t, "irot")) {
        if (n < 1)
            return ii_fail(err, errlen, "HEIF: empty irot property");
        pr->angle = b[p] & 3;
    } else if (ii_box_is(t, "pixi") && !pr->have_pixi) {
        if (n < II_FULLBOX_LEN + 1 || b[p + 4] == 0 || n < II_FULLBOX_LEN + 1 + (size_t) b[p + 4])
            return ii_fail(err, errlen, "HEIF: pixi property of %zu bytes is malformed", n);
        pr->channels = b[p + 4];
        pr->bits = b[p + 5];
        pr->have_pixi = 1;
    }
    return II_OK;
}

/* Applies property number index (1-based) of the ipco box whose children
 * lie in b[start..end). Fails when ipco has fewer properties or a child
 * box is malformed. */
static int ii_heif_apply_prop(const uint8_t *b, size_t start, size_t end, unsigned index,
                              ii_heif_props_t *pr, ii_info_t *out, char *err, size_t errlen)
{
    ii_box_t box;
    size_t p = start;

    for (unsigned i = 1;; i++) {
        int rc;

        if (p >= end)
            return ii_fail(err, errlen, "HEIF: ipma names property %u, ipco has %u", index, i - 1);
        rc = ii_box_read(b, end, p, end, &box, out, err, errlen);
        if (rc != II_OK)
            return rc;
        if (i == index)
            return ii_heif_read_prop(b, &box, box.end, pr, err, errlen);
        p = box.end;
    }
}

/* Collects the property indices ipma (payload b[p..end)) associates with
 * item primary into idx[0..*n). Fails on a truncated entry or a second
 * entry for the item. */
static int ii_heif_read_ipma(const uint8_t *b, size_t p, size_t end, uint32_t primary,
                             uint16_t idx[II_ASSOC_MAX], size_t *n, int *seen, char *err,
                             size_t errlen)
{
    unsigned version, wide;
    uint32_t count;
    size_t idlen, alen;

    if (end - p < II_FULLBOX_LEN + 4)
        return ii_fail(err, errlen, "HEIF: ipma box is too short");
    version = b[p];
    wide = b[p + 3] & 1;
    count = ii_be32(b + p + 4);
    p += II_FULLBOX_LEN + 4;
    idlen = version < 1 ? 2 : 4;
    alen = wide ? 2 : 1;

    for (uint32_t e = 0; e < count; e++) {
        uint32_t id;
        size_t nassoc;

        if (end - p < idlen + 1)
            return ii_fail(err, errlen, "HEIF: ipma entry %u is truncated", (unsigned) e);
        id = idlen == 2 ? ii_be16(b + p) : ii_be32(b + p);
        nassoc = b[p + idlen];
        p += idlen + 1;
        if (end - p < nassoc * alen)
            return ii_fail(err, errlen, "HEIF: ipma entry %u is truncated", (unsigned) e);
        if (id == primary) {
            if (*seen)
                return ii_fail(err, errlen, "HEIF: ipma lists the primary item twice");
            *seen = 1;
            for (size_t a = 0; a < nassoc; a++)
                idx[a] = alen == 2 ? ii_be16(b + p + 2 * a) & 0x7FFF : b[p + a] & 0x7F;
            *n = nassoc;
        }
        p += nassoc * alen;
    }
    return II_OK;
}

/* Reads the primary item's properties from the iprp box whose children lie
 * in b[start..end). Fails when there is no ipco or ipma, or no ipma entry
 * for the item. */
static int ii_heif_read_iprp(const uint8_t *b, size_t start, size_t end, uint32_t primary,
                             ii_heif_props_t *pr, ii_info_t *out, char *err, size_t errlen)
{
    uint16_t idx[II_ASSOC_MAX];
    size_t nidx = 0, ipco_body = 0, ipco_end = 0;
    int seen = 0, rc;
    ii_box_t box;

    for (size_t p = start; p < end; p = box.end) {
        rc = ii_box_read(b, end, p, end, &box, out, err, errlen);
        if (rc != II_OK)
            return rc;
        if (ii_box_is(&box, "ipco") && ipco_end == 0) {
            ipco_body = box.body;
            ipco_end = box.end;
        } else if (ii_box_is(&box, "ipma")) {
            rc = ii_heif_read_ipma(b, box.body, box.end, primary, idx, &nidx, &seen, err, errlen);
            if (rc != II_OK)
                return rc;
        }
    }
    if (ipco_end == 0)
        return ii_fail(err, errlen, "HEIF: no item property container (ipco)");
    if (!seen)
        return ii_fail(err, errlen,
                       "HEIF: no property associations (ipma) for the primary "
                       "item %u",
                       (unsigned) primary);
    for (size_t i = 0; i < nidx; i++) {
        if (idx[i] == 0)
            continue;
        rc = ii_heif_apply_prop(b, ipco_body, ipco_end, idx[i], pr, out, err, errlen);
        if (rc != II_OK)
            return rc;
    }
    return II_OK;
}

/* Reads the meta box's payload b[start..end) (all in the buffer): the
 * primary item and its properties into out. */
static int ii_heif_read_meta(const uint8_t *b, size_t start, size_t end, ii_info_t *out, char *err,
                             size_t errlen)
{
    ii_heif_props_t pr;
    size_t iprp_body = 0, iprp_end = 0;
    uint32_t primary = 0;
    int have_pitm = 0, rc;
    ii_box_t box;

    if (end - start < II_FULLBOX_LEN)
        return ii_fail(err, errlen, "HEIF: meta box is too short");
    for (size_t p = start + II_FULLBOX_LEN; p < end; p = box.end) {
        rc = ii_box_read(b, end, p, end, &box, out, err, errlen);
        if (rc != II_OK)
            return rc;
        if (ii_box_is(&box, "pitm") && !have_pitm) {
            size_t n = box.end - box.body;
            if (n < II_FULLBOX_LEN + 2 || (b[box.body] != 0 && n < II_FULLBOX_LEN + 4))
                return ii_fail(err, errlen, "HEIF: pitm box is too short");
            primary = b[box.body] == 0 ? ii_be16(b + box.body + 4) : ii_be32(b + box.body + 4);
            have_pitm = 1;
        } else if (ii_box_is(&box, "iprp") && iprp_end == 0) {
            iprp_body = box.body;
            iprp_end = box.end;
        }
    }
    if (!have_pitm)
        return ii_fail(err, errlen, "HEIF: no primary item (pitm)");
    if (iprp_end == 0)
        return ii_fail(err, errlen, "HEIF: no item properties (iprp)");

    memset(&pr, 0, sizeof(pr));
    rc = ii_heif_read_iprp(b, iprp_body, iprp_end, primary, &pr, out, err, errlen);
    if (rc != II_OK)
        return rc;
    if (!pr.have_size)
        return ii_fail(err, errlen, "HEIF: the primary item %u has no ispe property",
                       (unsigned) primary);
    if (pr.width == 0 || pr.height == 0)
        return ii_fail(err, errlen, "HEIF: zero dimensions (%ux%u) in ispe", (unsigned) pr.width,
                       (unsigned) pr.height);
    out->width = pr.angle & 1 ? pr.height : pr.width;
    out->height = pr.angle & 1 ? pr.width : pr.height;
    out->components = pr.channels;
    out->bit_depth = pr.bits;
    return II_OK;
}

/* Whether the major brand at b[8..12) names an image sequence. */
static int ii_heif_sequence(const uint8_t *b)
{
    return memcmp(b + 8, "msf1", 4) == 0 || memcmp(b + 8, "hevc", 4) == 0
           || memcmp(b + 8, "hevx", 4) == 0 || memcmp(b + 8, "avis", 4) == 0;
}

/* See ii_internal.h. b starts with a whole ftyp box (the sniffer checked
 * it); the walk goes from box end to box end, each past the last. */
int ii_heif_probe(const uint8_t *b, size_t len, ii_info_t *out, char *err, size_t errlen)
{
    ii_box_t box;
    size_t at = ii_be32(b);
    int rc;

    out->animated = ii_heif_sequence(b);
    for (;;) {
        rc = ii_box_read(b, len, at, SIZE_MAX, &box, out, err, errlen);
        if (rc != II_OK)
            return rc;
        if (box.end == SIZE_MAX)
            return ii_fail(err, errlen,
                           "HEIF: a box at offset %zu runs to the end of the file "
                           "before any meta box",
                           at);
        if (ii_box_is(&box, "meta"))
            break;
        if (box.end > II_HEADER_MAX - 8)
            return ii_fail(err, errlen, "HEIF: no meta box in the first %d bytes", II_HEADER_MAX);
        at = box.end;
    }
    if (box.end > II_HEADER_MAX)
        return ii_fail(err, errlen, "HEIF: the meta box ends past the first %d bytes",
                       II_HEADER_MAX);
    if (box.end > len)
        return ii_need_more(out, box.end);
    return ii_heif_read_meta(b, box.body, box.end, out, err, errlen);
}
