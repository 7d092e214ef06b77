/*
 * GIF decoding with giflib, frame by frame onto a canvas of the logical
 * screen size: transparency keeps what is under it, each frame's disposal
 * (none/keep, background = cleared to transparent, previous = restored)
 * is applied before the next one. The canvas starts transparent (the
 * background colour index is ignored, as browsers do). Frame durations
 * are the delays in milliseconds as stored (0 stays 0).
 */
#ifndef IMG_GIF_DECODE_H
#define IMG_GIF_DECODE_H

#include "img_decode.h"

#pragma GCC visibility push(hidden)

/* Decodes the GIF in data[0..len). Without frames: the first frame
 * (composited on the transparent canvas) into out over buf, straight
 * RGBA; nothing after it is read. With frames: every frame into frames
 * (bounded by opts->max_frames and opts->max_pixels in total); out and
 * buf are used as the canvas. The canvas is refused over
 * opts->max_pixels before anything is allocated. Returns 0, or -1 with
 * err set: IMG_ERR_CORRUPT ("gif: " and giflib's message), IMG_ERR_LIMIT,
 * IMG_ERR_NOMEM. */
int img_gif_decode(const unsigned char *data, size_t len, const img_load_opts_t *opts,
                   img_image_t *out, img_buf_t *buf, img_frames_t *frames, img_err_t *err);

#pragma GCC visibility pop

#endif /* IMG_GIF_DECODE_H */
