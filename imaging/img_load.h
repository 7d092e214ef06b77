/*
 * Loading an original, for every plugin: identify it and enforce the
 * pixel limit from the header alone (nothing decoded), then decode it with
 * the decoder made for its type (JPEG, PNG, WebP, GIF, HEIF, AVIF) and
 * bring its colours into sRGB (img_icc.h).
 *
 * An img_loader_t belongs to one plugin instance (one thread at a time):
 * it holds the decoded pixels, the embedded profile, the colour
 * transforms cached per profile and the frames of an animation, all
 * reused from one original to the next.
 */
#ifndef IMG_LOAD_H
#define IMG_LOAD_H

#include <stdint.h>

#include "imageinfo.h"
#include "img_decode.h"
#include "img_icc.h"

#pragma GCC visibility push(hidden)

typedef struct {
    img_buf_t pixels;  /* the decoded image */
    img_profile_t icc; /* the profile of the last original (len 0: none) */
    img_icc_cache_t cms;
    img_frames_t frames; /* the last img_load_frames() */
    img_err_t warn;      /* after a decode: why its profile was ignored
                                 (code IMG_ERR_NONE: nothing to report) */
} img_loader_t;

/* Reads the type, size and EXIF orientation of data[0..len) into *info
 * and refuses, before any decoding: empty input and types other than
 * JPEG, PNG, WebP, GIF, HEIF and AVIF (IMG_ERR_UNSUPPORTED), headers that
 * cannot be parsed (IMG_ERR_CORRUPT), and more than max_pixels pixels
 * (IMG_ERR_LIMIT, "too many pixels: WxH > max"; 0 = no limit). For HEIF
 * and AVIF the size is the primary image's, upright (libheif parses the
 * container; orientation is then 1). Returns 0 or -1. */
int img_load_probe(const unsigned char *data, size_t len, uint64_t max_pixels, ii_info_t *info,
                   img_err_t *err);

/* Decodes data[0..len), probed into *info, into out (pixels in l): gray,
 * RGB, or straight RGBA when the original has alpha (PNG, WebP, GIF,
 * HEIF/AVIF); an animation's first frame; in sRGB. A JPEG is scaled down
 * by its DCT and a HEIF replaced by its embedded thumbnail as far as
 * opts' target size allows, so out may be smaller than *info. Sets
 * l->warn when the embedded profile was refused (pixels taken as sRGB).
 * Returns 0, or -1 with err set by the decoder (IMG_ERR_CORRUPT,
 * IMG_ERR_LIMIT, IMG_ERR_NOMEM). */
int img_load_decode(img_loader_t *l, const unsigned char *data, size_t len, const ii_info_t *info,
                    const img_load_opts_t *opts, img_image_t *out, img_err_t *err);

/* Decodes every frame of data[0..len) into l->frames, in sRGB: those of
 * an animated GIF or WebP (composited canvases, straight RGBA, with their
 * durations), or the single image of any other original (its own
 * channels, duration 0). Bounded by opts->max_frames and, in total
 * pixels, opts->max_pixels. Returns 0, or -1 with err set as for
 * img_load_decode. */
int img_load_frames(img_loader_t *l, const unsigned char *data, size_t len, const ii_info_t *info,
                    const img_load_opts_t *opts, img_err_t *err);

/* Releases buffers that one huge original grew past keep bytes. */
void img_loader_trim(img_loader_t *l, size_t keep);

/* Frees everything l holds; l stays usable. */
void img_loader_free(img_loader_t *l);

#pragma GCC visibility pop

#endif /* IMG_LOAD_H */
