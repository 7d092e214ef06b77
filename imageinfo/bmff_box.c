/*
 * ISO-BMFF (ISO/IEC 14496-12) box headers: 32-bit size and type, a 64-bit
 * largesize when the size is 1, "to the end of the container" when it is
 * 0. Every size is checked against the container before it is used.
 */
#include <string.h>

#include "ii_internal.h"

#define II_BOX_HEADER_LEN 8
#define II_BOX_LARGE_LEN  16

/* See ii_internal.h. */
int ii_box_read(const uint8_t *b, size_t len, size_t at, size_t limit, ii_box_t *box,
                ii_info_t *out, char *err, size_t errlen)
{
    uint64_t size;
    size_t hdr = II_BOX_HEADER_LEN;

    if (limit - at < II_BOX_HEADER_LEN)
        return ii_fail(err, errlen, "HEIF: box header at offset %zu overruns its container", at);
    if (len < at + II_BOX_HEADER_LEN)
        return ii_need_more(out, at + II_BOX_HEADER_LEN);
    size = ii_be32(b + at);
    if (size == 1) {
        hdr = II_BOX_LARGE_LEN;
        if (limit - at < II_BOX_LARGE_LEN)
            return ii_fail(err, errlen, "HEIF: box header at offset %zu overruns its container",
                           at);
        if (len < at + II_BOX_LARGE_LEN)
            return ii_need_more(out, at + II_BOX_LARGE_LEN);
        size = (uint64_t) ii_be32(b + at + 8) << 32 | ii_be32(b + at + 12);
    }
    box->type = b + at + 4;
    box->body = at + hdr;
    if (size == 0) {
        box->end = limit;
        return II_OK;
    }
    if (size < hdr)
        return ii_fail(err, errlen, "HEIF: box at offset %zu has size %llu, less than its header",
                       at, (unsigned long long) size);
    if (size > limit - at)
        return ii_fail(err, errlen, "HEIF: box at offset %zu (%llu bytes) overruns its container",
                       at, (unsigned long long) size);
    box->end = at + (size_t) size;
    return II_OK;
}

/* See ii_internal.h. */
int ii_box_is(const ii_box_t *box, const char *name)
{
    return memcmp(box->type, name, 4) == 0;
}
