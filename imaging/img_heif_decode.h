/*
 * HEIF (HEVC) and AVIF (AV1) decoding with libheif: the primary image
 * with its irot/imir/clap transformations applied (libheif's default),
 * so it comes out upright; 10/12-bit images are reduced to 8 bits.
 *
 * The container is parsed first (img_heif_probe: no pixel is decoded),
 * so the size is checked before anything is decoded. Given a target
 * size, the decoder uses the primary image's embedded thumbnail when one
 * is at least that big (the smallest such): a thumbnail of a 12 MP photo
 * then costs a 320x240 decode.
 *
 * Colour: an ICC profile (colr prof/rICC) is handed over as it is; an
 * nclx colour description with primaries other than BT.709/sRGB (or
 * unspecified) becomes a profile built from its primaries and white
 * point, with the sRGB tone curve unless the transfer characteristics
 * name gamma 2.2 (4), gamma 2.8 (5) or linear (8).
 */
#ifndef IMG_HEIF_DECODE_H
#define IMG_HEIF_DECODE_H

#include "img_decode.h"
#include "img_icc.h"

#pragma GCC visibility push(hidden)

/* The side limit handed to libheif's parser (its default, 32768, would
 * refuse before the caller's max_pixels is checked on the parsed size). */
#define IMG_HEIF_MAX_SIDE (1 << 20)

/* Reads the size of the primary image of the HEIF/AVIF in data[0..len)
 * as it will be decoded (after rotation) into *width, *height, from the
 * container alone. Returns 0, or -1 with err set: IMG_ERR_CORRUPT
 * ("heif: " and libheif's message). */
int img_heif_probe(const unsigned char *data, size_t len, unsigned *width, unsigned *height,
                   img_err_t *err);

/* Decodes the primary image (or its thumbnail, see above) of the
 * HEIF/AVIF in data[0..len) into out over buf: RGB, or straight RGBA
 * when it has an alpha channel. Refuses an image over opts->max_pixels
 * before decoding. The profile goes to icc (NULL: not wanted). Returns
 * 0, or -1 with err set: IMG_ERR_CORRUPT ("heif: " and libheif's
 * message: truncated or damaged data, no decoder), IMG_ERR_LIMIT,
 * IMG_ERR_NOMEM. */
int img_heif_decode(const unsigned char *data, size_t len, const img_load_opts_t *opts,
                    img_image_t *out, img_buf_t *buf, img_profile_t *icc, img_err_t *err);

#pragma GCC visibility pop

#endif /* IMG_HEIF_DECODE_H */
