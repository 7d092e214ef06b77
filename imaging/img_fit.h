/*
 * The still-image pipeline the format-converting plugins share (webp,
 * avif): probe an original, decode it at the smallest sufficient scale,
 * fit it into a square box, turn it upright by its EXIF orientation and
 * give gray as RGB; and the same fitting for every frame of an
 * animation. The buffers belong to one plugin instance and are reused
 * from one original to the next.
 */
#ifndef IMG_FIT_H
#define IMG_FIT_H

#include <stdint.h>

#include "img_load.h"
#include "img_resample.h"

#pragma GCC visibility push(hidden)

typedef struct {
    img_loader_t load; /* load.warn: a refused profile, for the caller to log */
    img_buf_t resized, oriented, rgb;
    img_frames_t fitted; /* img_fit_frames()'s result */
    img_resampler_t rs;
} img_fitter_t;

/* Decodes data[0..len), probed into *info by img_load_probe (max_pixels
 * bounds the decode as there), fits it within max_dimension x
 * max_dimension (0: keeps the size; never enlarged; a JPEG decoded at the
 * smallest sufficient DCT scale, alpha premultiplied while resampling),
 * turns it upright and makes gray RGB: *out is sRGB RGB, or straight
 * RGBA when the original has alpha, pointing into f. Returns 0, or -1
 * with err set as img_load_decode does (IMG_ERR_NOMEM transient, every
 * other code about the input). */
int img_fit_load(img_fitter_t *f, const unsigned char *data, size_t len, const ii_info_t *info,
                 int max_dimension, uint64_t max_pixels, img_image_t *out, img_err_t *err);

/* Whether img_load_frames() gives the frames of an animation for the
 * original probed into *info: an animated GIF or WebP. */
static inline int img_fit_animated(const ii_info_t *info)
{
    return info->animated && (info->type == II_TYPE_GIF || info->type == II_TYPE_WEBP);
}

/* Decodes every frame of data[0..len), an animation (img_fit_animated;
 * else IMG_ERR_INVALID) probed into *info (opts bound the frames and
 * their total pixels, see img_load_frames), and fits each
 * within max_dimension x max_dimension as img_fit_load does, into
 * f->fitted (straight RGBA canvases with their durations). Returns 0, or
 * -1 with err set. */
int img_fit_frames(img_fitter_t *f, const unsigned char *data, size_t len, const ii_info_t *info,
                   int max_dimension, const img_load_opts_t *opts, img_err_t *err);

/* Releases buffers that one huge original grew past keep bytes. */
void img_fitter_trim(img_fitter_t *f, size_t keep);

/* Frees everything f holds; f stays usable. */
void img_fitter_free(img_fitter_t *f);

#pragma GCC visibility pop

#endif /* IMG_FIT_H */
