/*
 * PNG decoding with libpng into 8-bit gray, RGB or RGBA (straight alpha):
 * palettes expand to RGB, a tRNS chunk becomes an alpha channel, 16-bit
 * samples are scaled to 8, gray with alpha becomes RGBA, interlaced
 * images are de-interlaced. The colour space is handed over as an ICC
 * profile: iCCP as stored; none for an sRGB chunk; for a gAMA chunk
 * (and cHRM) without either, one built from them unless it is sRGB's
 * gamma with sRGB primaries. A malformed iCCP is dropped by libpng (a
 * benign error): the image is then untagged. Other chunks are not kept.
 */
#ifndef IMG_PNG_DECODE_H
#define IMG_PNG_DECODE_H

#include <stdint.h>

#include "img_icc.h"
#include "img_image.h"

#pragma GCC visibility push(hidden)

/* Decodes the PNG in data[0..len) into out, whose pixels live in buf
 * (grown as needed). Refuses a header over max_pixels (0 = no limit)
 * before allocating for it. The colour profile goes to icc (NULL: not
 * wanted). Returns 0, or -1 with err set: IMG_ERR_CORRUPT with libpng's
 * message (bad signature, CRC, truncated data ...), IMG_ERR_LIMIT,
 * IMG_ERR_NOMEM. */
int img_png_decode(const unsigned char *data, size_t len, uint64_t max_pixels, img_image_t *out,
                   img_buf_t *buf, img_profile_t *icc, img_err_t *err);

#pragma GCC visibility pop

#endif /* IMG_PNG_DECODE_H */
