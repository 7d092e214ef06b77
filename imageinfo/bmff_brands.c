/*
 * HEIC / HEIF / AVIF from the brands of an ISO-BMFF ftyp box: the major
 * brand, the minor version, then compatible brands, 4 bytes each.
 */
#include <string.h>

#include "ii_internal.h"

#define II_FTYP_MIN 16   /* header 8, major brand 4, minor version 4 */
#define II_FTYP_MAX 4096 /* a real one lists a handful of brands */

typedef struct {
    char brand[5];
    ii_type_t type;
} ii_brand_t;

static const ii_brand_t ii_brands[] = {
    { "heic", II_TYPE_HEIC }, { "heix", II_TYPE_HEIC }, { "heim", II_TYPE_HEIC },
    { "heis", II_TYPE_HEIC }, { "hevc", II_TYPE_HEIC }, { "hevx", II_TYPE_HEIC },
    { "avif", II_TYPE_AVIF }, { "avis", II_TYPE_AVIF }, { "mif1", II_TYPE_HEIF },
    { "msf1", II_TYPE_HEIF },
};

#define II_NBRANDS (sizeof(ii_brands) / sizeof(ii_brands[0]))

/* The type brand b[0..4) stands for, or II_TYPE_UNKNOWN. */
static ii_type_t ii_brand_type(const uint8_t *b)
{
    for (size_t i = 0; i < II_NBRANDS; i++) {
        if (memcmp(b, ii_brands[i].brand, 4) == 0)
            return ii_brands[i].type;
    }
    return II_TYPE_UNKNOWN;
}

/* How strongly type t decides among compatible brands: HEIC over AVIF
 * over the codec-neutral HEIF; 0 for none. */
static int ii_brand_rank(ii_type_t t)
{
    return t == II_TYPE_HEIC ? 3 : t == II_TYPE_AVIF ? 2 : t == II_TYPE_HEIF ? 1 : 0;
}

/* Whether buf[0..len) agrees with the start of a ftyp box header: a size
 * below 65536 (two zero bytes) then "ftyp". */
static int ii_ftyp_agrees(const uint8_t *b, size_t len)
{
    static const uint8_t head[8] = { 0, 0, 0, 0, 'f', 't', 'y', 'p' };

    for (size_t i = 0; i < len && i < sizeof(head); i++) {
        if ((i < 2 || i >= 4) && b[i] != head[i])
            return 0;
    }
    return 1;
}

/* The size of the ftyp box buf starts with (len >= 8), or 0 when out of
 * the accepted range or not a multiple of 4. */
static size_t ii_ftyp_size(const uint8_t *b)
{
    uint32_t size = ii_be32(b);

    return size >= II_FTYP_MIN && size <= II_FTYP_MAX && size % 4 == 0 ? size : 0;
}

/* See ii_internal.h. */
ii_type_t ii_bmff_sniff(const uint8_t *b, size_t len)
{
    ii_type_t best, t;
    size_t size;

    if (len < 8 || !ii_ftyp_agrees(b, 8))
        return II_TYPE_UNKNOWN;
    size = ii_ftyp_size(b);
    if (size == 0 || len < size)
        return II_TYPE_UNKNOWN;
    best = ii_brand_type(b + 8);
    if (best == II_TYPE_HEIC || best == II_TYPE_AVIF)
        return best;
    for (size_t p = 16; p < size; p += 4) {
        t = ii_brand_type(b + p);
        if (ii_brand_rank(t) > ii_brand_rank(best))
            best = t;
    }
    return best;
}

/* See ii_internal.h. */
size_t ii_bmff_sniff_need(const uint8_t *b, size_t len)
{
    size_t size;

    if (!ii_ftyp_agrees(b, len))
        return 0;
    if (len < 8)
        return 8;
    size = ii_ftyp_size(b);
    return len < size ? size : 0;
}
