/*
 * Decode, fit, turn upright: the still and animated pipelines of the
 * format-converting plugins. See img_fit.h.
 */
#include "img_fit.h"

#include "img_convert.h"
#include "img_geometry.h"
#include "img_orient.h"

/* The output size of a w x h original fitted within a square box of side
 * max_dimension (0: its own size). */
static void img_fit_geom(int w, int h, int max_dimension, img_geom_t *g)
{
    img_geom_compute(w, h, max_dimension > 0 ? max_dimension : w,
                     max_dimension > 0 ? max_dimension : h, IMG_FIT, 0, g);
}

/* Resamples *img, decoded from a src_w x src_h original, to g's size into
 * buf (alpha premultiplied meanwhile: *img's own pixels are premultiplied
 * in place, being of no further use) and points *img at the straight
 * result; nothing to do when it already has that size. Returns 0, or -1
 * with err set. */
static int img_fit_resize(img_fitter_t *f, img_image_t *img, const img_geom_t *g, int src_w,
                          int src_h, img_buf_t *buf, img_err_t *err)
{
    img_rect_t region;
    img_image_t next;

    if (g->width == img->width && g->height == img->height)
        return 0;
    region = img_geom_scale_region(g, src_w, src_h, img->width, img->height);
    img_premultiply(img);
    if (img_image_alloc(&next, g->width, g->height, img->channels, buf, err) != 0
        || img_resample(&f->rs, img, &region, &next, err) != 0)
        return -1;
    img_unpremultiply(&next);
    *img = next;
    return 0;
}

/* See img_fit.h. */
int img_fit_load(img_fitter_t *f, const unsigned char *data, size_t len, const ii_info_t *info,
                 int max_dimension, uint64_t max_pixels, img_image_t *out, img_err_t *err)
{
    img_load_opts_t lo = { 0, 0, 0, max_pixels, 0 };
    img_geom_t g;
    img_image_t img, next;

    /* a square box: the geometry on the stored image is the displayed one turned */
    img_fit_geom((int) info->width, (int) info->height, max_dimension, &g);
    if (max_dimension > 0)
        img_geom_min_decode(&g, (int) info->width, (int) info->height, &lo.min_width,
                            &lo.min_height);
    if (img_load_decode(&f->load, data, len, info, &lo, &img, err) != 0
        || img_fit_resize(f, &img, &g, (int) info->width, (int) info->height, &f->resized, err)
               != 0)
        return -1;
    if (info->orientation != 1) {
        if (img_orient(&img, info->orientation, &next, &f->oriented, err) != 0)
            return -1;
        img = next;
    }
    if (img.channels == 1) {
        if (img_gray_to_rgb(&img, &next, &f->rgb, err) != 0)
            return -1;
        img = next;
    }
    *out = img;
    return 0;
}

/* See img_fit.h. */
int img_fit_frames(img_fitter_t *f, const unsigned char *data, size_t len, const ii_info_t *info,
                   int max_dimension, const img_load_opts_t *opts, img_err_t *err)
{
    const img_load_opts_t unbounded = { 0, 0, 0, 0, INT32_MAX };
    img_geom_t g;
    int i;

    img_frames_reset(&f->fitted);
    if (!img_fit_animated(info))
        return img_fail(err, IMG_ERR_INVALID, "not an animation");
    if (img_load_frames(&f->load, data, len, info, opts, err) != 0)
        return -1;
    for (i = 0; i < f->load.frames.count; i++) {
        img_frame_t *fr = &f->load.frames.frame[i];
        img_image_t img = fr->img;

        img_fit_geom(img.width, img.height, max_dimension, &g);
        if (img_fit_resize(f, &img, &g, img.width, img.height, &f->resized, err) != 0
            || img_frames_add(&f->fitted, &img, fr->duration_ms, &unbounded, err) != 0)
            return -1;
    }
    return 0;
}

/* See img_fit.h. */
void img_fitter_trim(img_fitter_t *f, size_t keep)
{
    img_loader_trim(&f->load, keep);
    img_buf_trim(&f->resized, keep);
    img_buf_trim(&f->oriented, keep);
    img_buf_trim(&f->rgb, keep);
    img_buf_trim(&f->fitted.pixels, keep);
    if (f->fitted.pixels.data == NULL)
        img_frames_free(&f->fitted);
    img_resampler_trim(&f->rs, keep);
}

/* See img_fit.h. */
void img_fitter_free(img_fitter_t *f)
{
    img_loader_free(&f->load);
    img_buf_free(&f->resized);
    img_buf_free(&f->oriented);
    img_buf_free(&f->rgb);
    img_frames_free(&f->fitted);
    img_resampler_free(&f->rs);
}
