/*
 * The decoders' shared pieces: the pixel limit and the frame list.
 */
#include <string.h>

#include "img_decode.h"

/* See img_decode.h. */
int img_check_pixels(uint64_t width, uint64_t height, const img_load_opts_t *opts, img_err_t *err)
{
    if (opts->max_pixels && width * height > opts->max_pixels)
        return img_fail(err, IMG_ERR_LIMIT, "too many pixels: %llux%llu > %llu",
                        (unsigned long long) width, (unsigned long long) height,
                        (unsigned long long) opts->max_pixels);
    return 0;
}

/* See img_decode.h. */
void img_frames_reset(img_frames_t *f)
{
    f->frame = NULL;
    f->count = 0;
}

/* See img_decode.h. */
int img_frames_add(img_frames_t *f, const img_image_t *canvas, int duration_ms,
                   const img_load_opts_t *opts, img_err_t *err)
{
    int max = opts->max_frames > 0 ? opts->max_frames : IMG_MAX_FRAMES;
    size_t size = (size_t) canvas->width * (size_t) canvas->height * 4;
    uint64_t total = (uint64_t) canvas->width * canvas->height * (uint64_t) (f->count + 1);
    int i, y;

    if (f->count >= max)
        return img_fail(err, IMG_ERR_LIMIT, "too many frames: more than %d", max);
    if (opts->max_pixels && total > opts->max_pixels)
        return img_fail(err, IMG_ERR_LIMIT,
                        "animation over the pixel limit: %d frames of %dx%d > %llu", f->count + 1,
                        canvas->width, canvas->height, (unsigned long long) opts->max_pixels);
    if (img_buf_grow(&f->pixels, size * (size_t) (f->count + 1), err) != 0
        || img_buf_grow(&f->list, sizeof(img_frame_t) * (size_t) (f->count + 1), err) != 0)
        return -1;
    f->frame = (img_frame_t *) (void *) f->list.data;
    /* the pixel buffer may have moved: every frame points into it again */
    for (i = 0; i <= f->count; i++) {
        img_image_t *im = &f->frame[i].img;

        im->px = f->pixels.data + size * (size_t) i;
        im->width = canvas->width;
        im->height = canvas->height;
        im->stride = (size_t) canvas->width * 4;
        im->channels = 4;
        im->premultiplied = 0;
    }
    for (y = 0; y < canvas->height; y++)
        memcpy(img_row(&f->frame[f->count].img, y), img_row(canvas, y), (size_t) canvas->width * 4);
    f->frame[f->count].duration_ms = duration_ms;
    f->count++;
    return 0;
}

/* See img_decode.h. */
int img_frames_set_still(img_frames_t *f, const img_image_t *img, img_err_t *err)
{
    img_frames_reset(f);
    if (img_buf_reserve(&f->list, sizeof(img_frame_t), err) != 0)
        return -1;
    f->frame = (img_frame_t *) (void *) f->list.data;
    f->frame[0].img = *img;
    f->frame[0].duration_ms = 0;
    f->count = 1;
    return 0;
}

/* See img_decode.h. */
void img_frames_free(img_frames_t *f)
{
    img_buf_free(&f->pixels);
    img_buf_free(&f->list);
    img_frames_reset(f);
}
