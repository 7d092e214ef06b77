/*
 * libFuzzer target for imageinfo: ii_sniff, ii_probe and ii_check_limits
 * on arbitrary bytes, and on a prefix of them, checking the contract that
 * callers rely on (abort() on a breach, which the fuzzer reports):
 *   - II_OK has non-zero sides; II_NEED_MORE asks for more than it has;
 *     II_ERROR gives a reason;
 *   - a prefix never decides differently from the whole: an error or a
 *     result on the prefix is the same on the whole, and a prefix's need
 *     is no more than where the whole got its result.
 * The prefix is probed from its own heap copy so ASan sees any overread.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "imageinfo.h"

/* Whether two II_OK results describe the same image. */
static int same_info(const ii_info_t *a, const ii_info_t *b)
{
    return a->type == b->type && a->width == b->width && a->height == b->height
           && a->orientation == b->orientation && a->progressive == b->progressive
           && a->components == b->components && a->bit_depth == b->bit_depth
           && a->has_alpha == b->has_alpha && a->cmyk == b->cmyk && a->animated == b->animated
           && a->adobe_transform == b->adobe_transform;
}

/* Probes buf[0..len) and aborts when the result breaks the contract. */
static int probe_checked(const uint8_t *buf, size_t len, ii_info_t *info, char *err, size_t errlen)
{
    int r = ii_probe(buf, len, info, err, errlen);

    if (r == II_OK && (info->width == 0 || info->height == 0 || info->type == II_TYPE_UNKNOWN))
        abort();
    if (r == II_NEED_MORE && info->need <= len)
        abort();
    if (r == II_ERROR && err[0] == '\0')
        abort();
    if (r != II_OK && r != II_NEED_MORE && r != II_ERROR)
        abort();
    if (r != II_ERROR && info->type != II_TYPE_UNKNOWN && info->type != ii_sniff(buf, len))
        abort();
    return r;
}

/* The libFuzzer entry: probes data whole and a prefix of it (the last
 * byte picks the cut), checks the results against each other, and runs the
 * limits on a success. Aborts on a contract breach; always returns 0. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ii_info_t whole, part;
    char err[128], perr[128], lerr[128];
    size_t cut = size ? size * data[size - 1] / 256 : 0; /* the tail picks the cut */
    uint8_t *prefix;
    int r, pr;

    (void) ii_sniff(data, size);
    (void) ii_type_mime(ii_sniff(data, size));
    r = probe_checked(data, size, &whole, err, sizeof(err));
    if (r == II_OK)
        (void) ii_check_limits(&whole, 100000000, 16384, lerr, sizeof(lerr));

    prefix = malloc(cut ? cut : 1);
    if (prefix == NULL)
        return 0;
    memcpy(prefix, data, cut);
    pr = probe_checked(prefix, cut, &part, perr, sizeof(perr));
    free(prefix);

    if (pr == II_ERROR && (r != II_ERROR || strcmp(err, perr) != 0))
        abort();
    if (pr == II_OK && (r != II_OK || !same_info(&part, &whole)))
        abort();
    if (pr == II_NEED_MORE && r == II_OK && part.need > size)
        abort();
    return 0;
}
