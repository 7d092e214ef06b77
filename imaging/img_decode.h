/*
 * What every decoder of the imaging library shares: the options of a
 * decode (the caller's target size, limits) and the frames of an
 * animation.
 */
#ifndef IMG_DECODE_H
#define IMG_DECODE_H

#include <stdint.h>

#include "img_image.h"

#pragma GCC visibility push(hidden)

/* Frames an all-frames decode accepts when the caller sets no limit. */
#define IMG_MAX_FRAMES 1000

typedef struct {
    int min_width, min_height; /* target size hint: the smallest output the caller
                                        can use (JPEG DCT shrink-on-load, HEIF embedded
                                        thumbnail); 0 and 0 = full size */
    int keep_gray;             /* gray JPEGs stay 1 channel (PNGs always do) */
    uint64_t max_pixels;       /* refuse a frame (canvas) over this many pixels,
                                        and all frames together over it; 0 = no limit */
    int max_frames;            /* all-frames decodes: refuse more frames than
                                        this; 0 = IMG_MAX_FRAMES */
} img_load_opts_t;

/* One frame of an animation: the whole canvas as shown (straight RGBA,
 * earlier frames composited under it), for duration_ms. */
typedef struct {
    img_image_t img;
    int duration_ms;
} img_frame_t;

/* The frames of an all-frames decode, every one the canvas size; the
 * memory is the caller's and reused from one decode to the next. */
typedef struct {
    img_frame_t *frame;
    int count;
    img_buf_t pixels, list;
} img_frames_t;

/* Forgets the frames of f (keeping its memory for the next decode). */
void img_frames_reset(img_frames_t *f);

/* Appends a copy of canvas (width x height, 4 channels) to f for
 * duration_ms. Refuses, before copying, frame max_frames + 1 and a total
 * over max_pixels (opts). Returns 0, or -1 with err set: IMG_ERR_LIMIT
 * ("too many frames: ...", "animation over the pixel limit: ..."),
 * IMG_ERR_NOMEM. */
int img_frames_add(img_frames_t *f, const img_image_t *canvas, int duration_ms,
                   const img_load_opts_t *opts, img_err_t *err);

/* Makes f hold img alone, as one frame of 0 ms (img is not copied: its
 * pixels stay where they are). Returns 0, or -1 with IMG_ERR_NOMEM. */
int img_frames_set_still(img_frames_t *f, const img_image_t *img, img_err_t *err);

/* Frees f's memory; f stays usable (empty). */
void img_frames_free(img_frames_t *f);

/* Refuses a width x height frame over opts->max_pixels before anything
 * is allocated for it. Returns 0, or -1 with IMG_ERR_LIMIT ("too many
 * pixels: WxH > max") in err. */
int img_check_pixels(uint64_t width, uint64_t height, const img_load_opts_t *opts, img_err_t *err);

#pragma GCC visibility pop

#endif /* IMG_DECODE_H */
