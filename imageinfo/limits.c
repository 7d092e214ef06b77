/*
 * Pixel and side limits, checked on the header's dimensions so that a
 * decompression bomb (65535x65535 in a few bytes) is refused before any
 * decoder allocates for it.
 */
#include "ii_internal.h"

/* See imageinfo.h. */
int ii_check_limits(const ii_info_t *info, uint64_t max_pixels, unsigned max_side, char *err,
                    size_t errlen)
{
    uint64_t pixels = (uint64_t) info->width * info->height;

    if (pixels == 0)
        return ii_fail(err, errlen, "image has zero dimensions (%ux%u)", info->width, info->height);
    if (max_side && (info->width > max_side || info->height > max_side))
        return ii_fail(err, errlen, "image is %ux%u, over the %u pixel side limit", info->width,
                       info->height, max_side);
    if (max_pixels && pixels > max_pixels)
        return ii_fail(err, errlen, "image is %ux%u = %llu pixels, over the %llu pixel limit",
                       info->width, info->height, (unsigned long long) pixels,
                       (unsigned long long) max_pixels);
    return II_OK;
}
