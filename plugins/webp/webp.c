/*
 * webp: JPEG, PNG, WebP, GIF, HEIF or AVIF in, "image.webp" out (libwebp,
 * lossy or lossless), in sRGB; an animation gives its first frame, or
 * with `animated` every frame (an animated WebP with the same durations).
 *
 * With max_dimension set the image is fitted into that box (never
 * enlarged): the JPEG is decoded at the smallest sufficient DCT scale
 * (a HEIF from its thumbnail when big enough), then resampled with
 * Lanczos-3 (alpha premultiplied meanwhile); every frame of an animation
 * alike. EXIF orientation is applied; transparency is kept. Buffers
 * belong to the instance and are reused from one image to the next
 * (img_fit.h).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "prism/plugin.h"
#include "img_accepts.h"
#include "img_fit.h"
#include "img_prism.h"
#include "img_webp_encode.h"

typedef struct {
    img_webp_opts_t enc;
    int max_dimension;      /* 0: keep the size */
    int animated;           /* keep every frame of an animation */
    img_load_opts_t frames; /* with animated: the bounds on all frames */
    uint64_t max_pixels;
    img_profile_t tag; /* with embed_icc: the sRGB profile embedded */
    /* reused between images */
    img_fitter_t fit;
    img_buf_t encoded;
} wp_state_t;

static const prism_param_spec_t wp_params[] = {
    { "quality", PRISM_PARAM_INT, "80", 0, 100, NULL,
      "lossy quality; with lossless, the compression effort" },
    { "method", PRISM_PARAM_INT, "4", 0, 6, NULL, "speed/size trade-off: 0 fastest, 6 smallest" },
    { "lossless", PRISM_PARAM_BOOL, "false", 0, 0, NULL, "encode losslessly" },
    { "max_dimension", PRISM_PARAM_INT, "0", 0, IMG_WEBP_MAX_SIDE, NULL,
      "0 keeps the size; else fit within max_dimension x max_dimension (never enlarged)" },
    { "max_pixels", PRISM_PARAM_INT, II_DEFAULT_MAX_PIXELS_STR, 1, 1e10, NULL,
      "originals with more pixels (width x height, from the header) are rejected undecoded; "
      "with animated, also the pixels of all frames together" },
    { "embed_icc", PRISM_PARAM_BOOL, "false", 0, 0, NULL,
      "embed an sRGB ICC profile in the output (it is sRGB either way; untagged is smaller)" },
    { "animated", PRISM_PARAM_BOOL, "false", 0, 0, NULL,
      "an animated GIF or WebP gives an animated WebP (every frame, same durations); "
      "false: its first frame" },
    { "max_frames", PRISM_PARAM_INT, "1000", 1, 100000, NULL,
      "with animated: animations with more frames are rejected" },
    { NULL, 0, NULL, 0, 0, NULL, NULL }
};

/* Frees an instance and its buffers; state may be NULL. */
static void wp_destroy(void *state)
{
    wp_state_t *st = state;

    if (st == NULL)
        return;
    img_fitter_free(&st->fit);
    img_buf_free(&st->encoded);
    img_buf_free(&st->tag.buf);
    free(st);
}

/* Builds an instance from validated params; fails only out of memory
 * (or when lcms cannot make the sRGB profile for embed_icc). */
static int wp_init(const prism_params_t *p, void **state, char *err, size_t errlen)
{
    wp_state_t *st = calloc(1, sizeof(*st));
    img_err_t e;

    if (st == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    st->enc.quality = (float) p->get_int(p, "quality");
    st->enc.method = (int) p->get_int(p, "method");
    st->enc.lossless = p->get_bool(p, "lossless");
    st->max_dimension = (int) p->get_int(p, "max_dimension");
    st->max_pixels = (uint64_t) p->get_int(p, "max_pixels");
    st->animated = p->get_bool(p, "animated");
    st->frames.max_pixels = st->max_pixels;
    st->frames.max_frames = (int) p->get_int(p, "max_frames");
    st->enc.icc = &st->tag;
    if (p->get_bool(p, "embed_icc") && img_icc_srgb(3, &st->tag, &e) != 0) {
        snprintf(err, errlen, "embed_icc: %s", e.msg);
        wp_destroy(st);
        return -1;
    }
    *state = st;
    return 0;
}

/* Decodes, fits, turns upright and encodes one original into
 * st->encoded: every frame of an animation with `animated`, else one
 * image (a refused profile is logged). Returns 0 or -1 with e set. */
static int wp_convert(wp_state_t *st, const prism_input_t *in, prism_output_t *out, size_t *len,
                      img_err_t *e)
{
    ii_info_t info;
    img_image_t img;
    int rc;

    if (img_load_probe(in->data, in->len, st->max_pixels, &info, e) != 0)
        return -1;
    if (st->animated && img_fit_animated(&info))
        rc = img_fit_frames(&st->fit, in->data, in->len, &info, st->max_dimension, &st->frames, e)
                     != 0
                 ? -1
                 : img_webp_encode_frames(&st->fit.fitted, &st->enc, &st->encoded, len, e);
    else
        rc = img_fit_load(&st->fit, in->data, in->len, &info, st->max_dimension, st->max_pixels,
                          &img, e)
                     != 0
                 ? -1
                 : img_webp_encode(&img, &st->enc, &st->encoded, len, e);
    if (st->fit.load.warn.code != IMG_ERR_NONE)
        out->log(out, PRISM_LOG_WARN, "%s", st->fit.load.warn.msg);
    return rc;
}

/* Converts one original (see the file comment). REJECT for unsupported,
 * empty, damaged or too large input; RETRY when memory runs out or the
 * host refuses the output. */
static prism_result_t wp_process(void *state, const prism_input_t *in, prism_output_t *out)
{
    wp_state_t *st = state;
    prism_result_t rc;
    img_err_t e;
    size_t len;

    if (wp_convert(st, in, out, &len, &e) != 0)
        rc = img_prism_fail(out, &e);
    else
        rc = img_prism_emit(out, "image.webp", "image/webp", st->encoded.data, len);
    img_fitter_trim(&st->fit, IMG_BUF_RETAIN);
    img_buf_trim(&st->encoded, IMG_BUF_RETAIN);
    return rc;
}

PRISM_PLUGIN_EXPORT const prism_plugin_t prism_plugin = {
    .abi_version = PRISM_PLUGIN_ABI_VERSION,
    .name = "webp",
    .version = "1.1.0",
    .description = "JPEG/PNG/WebP/GIF/HEIF/AVIF to WebP (lossy or lossless, still or animated), "
                   "optionally fitted into a box",
    .params = wp_params,
    .accepts = img_accepts,
    .init = wp_init,
    .process = wp_process,
    .destroy = wp_destroy,
};
