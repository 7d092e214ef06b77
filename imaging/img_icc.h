/*
 * Colour management with lcms2: decoders hand over the ICC profile the
 * image carries (img_profile_t); img_icc_to_srgb() converts the pixels
 * into sRGB. Untagged images are taken as sRGB and cost nothing; so do
 * profiles that describe sRGB (same colorants and tone curve), found
 * once per profile.
 *
 * Transforms are cached per profile (keyed by a hash of its bytes) in an
 * img_icc_cache_t that belongs to one plugin instance: it is used by one
 * thread at a time, so it has no lock. A profile lcms refuses (not
 * parsable, not RGB/gray/CMYK, or no transform to sRGB) is treated as
 * sRGB: the pixels are left alone and the caller gets a warning to log.
 */
#ifndef IMG_ICC_H
#define IMG_ICC_H

#include <stdint.h>

#include "img_image.h"

#pragma GCC visibility push(hidden)

#define IMG_ICC_CACHE    8                  /* transforms kept per instance */
#define IMG_ICC_MAX_SIZE ((size_t) 4 << 20) /* larger embedded profiles are ignored */

/* An embedded profile: len bytes in buf; len 0 = untagged. */
typedef struct {
    img_buf_t buf;
    size_t len;
} img_profile_t;

/* A profile built from primaries and a tone curve (PNG gAMA/cHRM, HEIF
 * nclx). xy chromaticities of red, green, blue and the white point;
 * gamma > 0 a pure power curve (decoded = encoded^gamma), 0 the sRGB
 * curve. */
typedef struct {
    double r[2], g[2], b[2], white[2];
    double gamma;
} img_icc_primaries_t;

typedef struct {
    uint64_t hash; /* of the profile bytes */
    int layout;    /* the pixel layout the transform was made for */
    void *xform;   /* cmsHTRANSFORM; NULL: sRGB already, nothing to do */
    unsigned used; /* last use, for replacement; 0 = empty slot */
} img_icc_entry_t;

typedef struct {
    img_icc_entry_t e[IMG_ICC_CACHE];
    unsigned clock;
} img_icc_cache_t;

/* Pixel layouts besides 1, 3 and 4 channels: CMYK (4 bytes a pixel,
 * made RGB), and CMYK in Adobe's inverted convention. */
#define IMG_ICC_CMYK_INVERTED 5
#define IMG_ICC_CMYK          6

/* The transform from profile p into sRGB for pixels of `layout` (1 gray,
 * 3 RGB, 4 RGBA with straight alpha kept, IMG_ICC_CMYK*: to RGB), from c
 * or made now. Sets *xform NULL when there is nothing to do: no profile,
 * or an sRGB one. Returns 0, or 1 when the profile is refused (not
 * parsable, another colour space than the layout's, no transform): the
 * reason in warn, for the caller to log; *xform is NULL and the pixels
 * are to be taken as sRGB. */
int img_icc_lookup(img_icc_cache_t *c, const img_profile_t *p, int layout, void **xform,
                   img_err_t *warn);

/* Converts one row of width pixels in place with a transform from
 * img_icc_lookup (CMYK rows: 4 bytes a pixel in, packed RGB out). */
void img_icc_row(void *xform, unsigned char *row, int width);

/* Converts img (gray, RGB or RGBA) from profile p into sRGB in place:
 * img_icc_lookup, then every row. Returns as img_icc_lookup. */
int img_icc_to_srgb(img_icc_cache_t *c, const img_profile_t *p, img_image_t *img, img_err_t *warn);

/* Writes an ICC profile for prim into p (replacing its contents). Returns
 * 0, or -1 with err set (IMG_ERR_NOMEM, IMG_ERR_CORRUPT when lcms refuses
 * the primaries). */
int img_icc_from_primaries(const img_icc_primaries_t *prim, img_profile_t *p, img_err_t *err);

/* Writes the profile of this library's output for images of `channels`
 * into p: lcms's sRGB, or for gray (1) a gray profile with the sRGB tone
 * curve; for callers that tag their outputs. Returns 0, or -1 with err
 * set. */
int img_icc_srgb(int channels, img_profile_t *p, img_err_t *err);

/* Copies len bytes of profile data into p; a profile over
 * IMG_ICC_MAX_SIZE is dropped (p untagged). Returns 0 or -1 (NOMEM). */
int img_profile_set(img_profile_t *p, const void *data, size_t len, img_err_t *err);

/* Frees every cached transform; c stays usable. */
void img_icc_cache_free(img_icc_cache_t *c);

#pragma GCC visibility pop

#endif /* IMG_ICC_H */
