/*
 * avif: JPEG, PNG, WebP, GIF, HEIF or AVIF in, "image.avif" out (libavif
 * with aom), in sRGB; an animation gives its first frame.
 *
 * A drop-in plugin built the way a third party builds one: against the
 * installed plugin header and the shared imaging library alone (see
 * README.md). The original is decoded, fitted into max_dimension (never
 * enlarged; a JPEG decoded at the smallest sufficient DCT scale), turned
 * upright by its EXIF orientation, and encoded. Transparency is kept
 * unless a background colour is given. Buffers belong to the instance
 * and are reused from one image to the next.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <prism/plugin.h>

#include "avif_encode.h"
#include "img_accepts.h"
#include "img_convert.h"
#include "img_fit.h"
#include "img_prism.h"

typedef struct {
    avif_opts_t enc;
    int max_dimension; /* 0: keep the size */
    uint64_t max_pixels;
    int flatten; /* lay transparency over background */
    unsigned char background[3];
    img_profile_t tag; /* with embed_icc: the sRGB profile embedded */
    /* reused between images */
    img_fitter_t fit;
    img_buf_t encoded;
} av_state_t;

static const prism_param_spec_t av_params[] = {
    { "quality", PRISM_PARAM_INT, "60", 0, 100, NULL,
      "0 smallest .. 100 best (the AV1 quantizer, inverted)" },
    { "speed", PRISM_PARAM_INT, "6", 0, 10, NULL,
      "encoder speed: 0 slowest and smallest, 10 fastest" },
    { "max_dimension", PRISM_PARAM_INT, "0", 0, AVIF_MAX_SIDE, NULL,
      "0 keeps the size; else fit within max_dimension x max_dimension (never enlarged)" },
    { "max_pixels", PRISM_PARAM_INT, II_DEFAULT_MAX_PIXELS_STR, 1, 1e10, NULL,
      "originals with more pixels (width x height, from the header) are rejected undecoded" },
    { "background", PRISM_PARAM_STRING, "none", 0, 0, NULL,
      "none keeps transparency (AVIF has alpha); #rrggbb lays it over that colour" },
    { "embed_icc", PRISM_PARAM_BOOL, "false", 0, 0, NULL,
      "embed an sRGB ICC profile (the colours are signalled as sRGB either way)" },
    { NULL, 0, NULL, 0, 0, NULL, NULL }
};

/* Frees an instance and its buffers; state may be NULL. */
static void av_destroy(void *state)
{
    av_state_t *st = state;

    if (st == NULL)
        return;
    img_fitter_free(&st->fit);
    img_buf_free(&st->encoded);
    img_buf_free(&st->tag.buf);
    free(st);
}

/* Builds an instance from validated params. Fails with a background that
 * is neither "none" nor #rrggbb, or out of memory (or when lcms cannot
 * make the sRGB profile for embed_icc). */
static int av_init(const prism_params_t *p, void **state, char *err, size_t errlen)
{
    av_state_t *st = calloc(1, sizeof(*st));
    const char *bg = p->get_string(p, "background");
    img_err_t e;

    if (st == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    st->enc.quality = (int) p->get_int(p, "quality");
    st->enc.speed = (int) p->get_int(p, "speed");
    st->enc.icc = &st->tag;
    st->max_dimension = (int) p->get_int(p, "max_dimension");
    st->max_pixels = (uint64_t) p->get_int(p, "max_pixels");
    st->flatten = strcmp(bg, "none") != 0;
    if (st->flatten && img_parse_color(bg, st->background) != 0) {
        snprintf(err, errlen, "background: want none or #rrggbb, got %s", bg);
        av_destroy(st);
        return -1;
    }
    if (p->get_bool(p, "embed_icc") && img_icc_srgb(3, &st->tag, &e) != 0) {
        snprintf(err, errlen, "embed_icc: %s", e.msg);
        av_destroy(st);
        return -1;
    }
    *state = st;
    return 0;
}

/* Decodes, fits, turns upright, flattens when asked and encodes one
 * original into st->encoded (a refused profile is logged). Returns 0 or
 * -1 with e set. */
static int av_convert(av_state_t *st, const prism_input_t *in, prism_output_t *out, size_t *len,
                      img_err_t *e)
{
    ii_info_t info;
    img_image_t img;
    int rc;

    if (img_load_probe(in->data, in->len, st->max_pixels, &info, e) != 0)
        return -1;
    rc = img_fit_load(&st->fit, in->data, in->len, &info, st->max_dimension, st->max_pixels, &img,
                      e);
    if (st->fit.load.warn.code != IMG_ERR_NONE)
        out->log(out, PRISM_LOG_WARN, "%s", st->fit.load.warn.msg);
    if (rc != 0)
        return -1;
    if (st->flatten)
        img_flatten(&img, st->background);
    return avif_encode(&img, &st->enc, &st->encoded, len, e);
}

/* Converts one original (see the file comment). REJECT for unsupported,
 * empty, damaged or too large input; RETRY when memory runs out or the
 * host refuses the output. */
static prism_result_t av_process(void *state, const prism_input_t *in, prism_output_t *out)
{
    av_state_t *st = state;
    prism_result_t rc;
    img_err_t e;
    size_t len;

    if (av_convert(st, in, out, &len, &e) != 0)
        rc = img_prism_fail(out, &e);
    else
        rc = img_prism_emit(out, "image.avif", "image/avif", st->encoded.data, len);
    img_fitter_trim(&st->fit, IMG_BUF_RETAIN);
    img_buf_trim(&st->encoded, IMG_BUF_RETAIN);
    return rc;
}

PRISM_PLUGIN_EXPORT const prism_plugin_t prism_plugin = {
    .abi_version = PRISM_PLUGIN_ABI_VERSION,
    .name = "avif",
    .version = "1.0.0",
    .description =
        "JPEG/PNG/WebP/GIF/HEIF/AVIF to AVIF (libavif, aom), optionally fitted into a box",
    .params = av_params,
    .accepts = img_accepts,
    .init = av_init,
    .process = av_process,
    .destroy = av_destroy,
};
