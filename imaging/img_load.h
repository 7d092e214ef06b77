/*
 * Loading an original: identify it and enforce the pixel limit from the
 * header alone (imageinfo, nothing decoded), then decode JPEG or PNG.
 */
#ifndef IMG_LOAD_H
#define IMG_LOAD_H

#include <stdint.h>

#include "imageinfo.h"
#include "img_image.h"

#pragma GCC visibility push(hidden)

/* Reads the type, stored size and EXIF orientation of data[0..len) into
 * *info and refuses, before any decoding: empty input and types other
 * than JPEG and PNG (IMG_ERR_UNSUPPORTED), headers imageinfo cannot parse
 * (IMG_ERR_CORRUPT), and more than max_pixels pixels (IMG_ERR_LIMIT,
 * "too many pixels: WxH > max"; 0 = no limit). Returns 0 or -1. */
int img_load_probe(const unsigned char *data, size_t len, uint64_t max_pixels,
                   ii_info_t *info, img_err_t *err);

typedef struct {
    int      min_width, min_height;  /* JPEG shrink-on-load target (0 = full size) */
    int      keep_gray;              /* gray JPEGs stay 1 channel (PNGs always do) */
    uint64_t max_pixels;             /* the decoder's own check of the frame */
} img_load_opts_t;

/* Decodes data[0..len), probed into *info, into out (pixels in buf):
 * gray, RGB, or straight RGBA for PNGs with alpha; a JPEG is scaled down
 * by its DCT as far as opts allow. Returns 0, or -1 with err set as by
 * img_jpeg_decode / img_png_decode. */
int img_load_decode(const unsigned char *data, size_t len, const ii_info_t *info,
                    const img_load_opts_t *opts, img_image_t *out, img_buf_t *buf,
                    img_err_t *err);

#pragma GCC visibility pop

#endif /* IMG_LOAD_H */
