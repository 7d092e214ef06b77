/*
 * WebP decoding with libwebp: lossy, lossless, with or without alpha,
 * still or animated (WebPAnimDecoder composites the frames onto the
 * canvas). The ICCP chunk is handed over as the profile (libwebp's
 * demuxer).
 */
#ifndef IMG_WEBP_DECODE_H
#define IMG_WEBP_DECODE_H

#include "img_decode.h"
#include "img_icc.h"

#pragma GCC visibility push(hidden)

/* Decodes the WebP in data[0..len). Without frames: the still image, or
 * an animation's first frame, into out over buf (RGB, or straight RGBA
 * when the file has alpha or is animated). With frames: every frame,
 * composited, into frames (a still image is one frame of 0 ms); out is
 * not set. The canvas is refused over opts->max_pixels before any pixel
 * is decoded. The profile goes to icc (NULL: not wanted). Returns 0, or
 * -1 with err set: IMG_ERR_CORRUPT ("webp: ..."), IMG_ERR_LIMIT,
 * IMG_ERR_NOMEM. */
int img_webp_decode(const unsigned char *data, size_t len, const img_load_opts_t *opts,
                    img_image_t *out, img_buf_t *buf, img_profile_t *icc, img_frames_t *frames,
                    img_err_t *err);

#pragma GCC visibility pop

#endif /* IMG_WEBP_DECODE_H */
