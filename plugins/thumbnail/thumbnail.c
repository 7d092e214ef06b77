/*
 * thumbnail: JPEG, PNG, WebP, GIF, HEIF or AVIF in, one JPEG per
 * bounding size out ("<size>.jpg").
 *
 * The original is decoded once (an animation's first frame), in sRGB, at
 * the smallest DCT scale that still serves the largest size (JPEG
 * shrink-on-load) or from its embedded thumbnail when that is big enough
 * (HEIF); each size is then resampled from that decoded image with
 * Lanczos-3, turned upright per its EXIF orientation (after resizing,
 * while small) and encoded without metadata. Transparency is laid over
 * the background colour. All big buffers belong to the instance and are
 * reused from one image to the next.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prism/plugin.h"
#include "img_accepts.h"
#include "img_convert.h"
#include "img_geometry.h"
#include "img_jpeg_encode.h"
#include "img_load.h"
#include "img_orient.h"
#include "img_prism.h"
#include "img_resample.h"

#define TN_MAX_SIZES 16

typedef struct {
    long sizes[TN_MAX_SIZES];
    int nsizes;
    img_fit_t mode;
    img_jpeg_enc_opts_t enc;
    uint64_t max_pixels;
    unsigned char background[3];
    img_profile_t tag[2]; /* with embed_icc: sRGB for RGB [0], gray [1] outputs */
    /* reused between images */
    img_loader_t load;
    img_buf_t resized, oriented, encoded;
    img_resampler_t rs;
} tn_state_t;

static const prism_param_spec_t tn_params[] = {
    { "sizes", PRISM_PARAM_INT_LIST, "128,256,512", 8, 4096, NULL,
      "bounding box sides in pixels; one output <size>.jpg per size (at most 16, no repeats)" },
    { "mode", PRISM_PARAM_STRING, "fit", 0, 0, "fit|fill",
      "fit: the whole image inside size x size; fill: size x size covered, the centre kept" },
    { "quality", PRISM_PARAM_INT, "85", 1, 100, NULL, "JPEG quality" },
    { "progressive", PRISM_PARAM_BOOL, "false", 0, 0, NULL, "write progressive JPEGs" },
    { "max_pixels", PRISM_PARAM_INT, II_DEFAULT_MAX_PIXELS_STR, 1, 1e10, NULL,
      "originals with more pixels (width x height, from the header) are rejected undecoded" },
    { "background", PRISM_PARAM_STRING, "#ffffff", 0, 0, NULL,
      "colour (#rrggbb) that transparent originals are laid over" },
    { "embed_icc", PRISM_PARAM_BOOL, "false", 0, 0, NULL,
      "embed an sRGB ICC profile in the output (it is sRGB either way; untagged is smaller)" },
    { NULL, 0, NULL, 0, 0, NULL, NULL }
};

/* Frees an instance and its buffers; st may be NULL. */
static void tn_destroy(void *state)
{
    tn_state_t *st = state;

    if (st == NULL)
        return;
    img_loader_free(&st->load);
    img_buf_free(&st->tag[0].buf);
    img_buf_free(&st->tag[1].buf);
    img_buf_free(&st->resized);
    img_buf_free(&st->oriented);
    img_buf_free(&st->encoded);
    img_resampler_free(&st->rs);
    free(st);
}

/* Builds an instance from validated params. Fails (-1, message in err)
 * without sizes, with more than TN_MAX_SIZES or a repeated size (two
 * outputs would share a name), with a background that is not #rrggbb,
 * or out of memory. */
static int tn_init(const prism_params_t *p, void **state, char *err, size_t errlen)
{
    long sizes[TN_MAX_SIZES + 1];
    size_t n = p->get_int_list(p, "sizes", sizes, TN_MAX_SIZES + 1);
    tn_state_t *st;
    img_err_t e;
    size_t i, j;

    if (n == 0 || n > TN_MAX_SIZES) {
        snprintf(err, errlen, "sizes: need 1 to %d sizes, got %zu", TN_MAX_SIZES, n);
        return -1;
    }
    for (i = 0; i < n; i++)
        for (j = 0; j < i; j++)
            if (sizes[i] == sizes[j]) {
                snprintf(err, errlen, "sizes: %ld is listed twice", sizes[i]);
                return -1;
            }
    st = calloc(1, sizeof(*st));
    if (st == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (img_parse_color(p->get_string(p, "background"), st->background) != 0) {
        snprintf(err, errlen, "background: want #rrggbb, got %s", p->get_string(p, "background"));
        free(st);
        return -1;
    }
    memcpy(st->sizes, sizes, n * sizeof(sizes[0]));
    st->nsizes = (int) n;
    st->mode = strcmp(p->get_string(p, "mode"), "fill") == 0 ? IMG_FILL : IMG_FIT;
    st->enc.quality = (int) p->get_int(p, "quality");
    st->enc.progressive = p->get_bool(p, "progressive");
    st->enc.optimize = 1;
    st->max_pixels = (uint64_t) p->get_int(p, "max_pixels");
    if (p->get_bool(p, "embed_icc")
        && (img_icc_srgb(3, &st->tag[0], &e) != 0 || img_icc_srgb(1, &st->tag[1], &e) != 0)) {
        snprintf(err, errlen, "embed_icc: %s", e.msg);
        tn_destroy(st);
        return -1;
    }
    *state = st;
    return 0;
}

/* Resamples the decoded image for one size, turns it upright, lays any
 * alpha over the background and encodes it into st->encoded. Returns 0
 * or -1. */
static int tn_render(tn_state_t *st, const img_image_t *dec, const ii_info_t *info,
                     const img_geom_t *g, size_t *len, img_err_t *e)
{
    img_rect_t region =
        img_geom_scale_region(g, (int) info->width, (int) info->height, dec->width, dec->height);
    img_image_t resized, upright;

    if (img_image_alloc(&resized, g->width, g->height, dec->channels, &st->resized, e) != 0
        || img_resample(&st->rs, dec, &region, &resized, e) != 0)
        return -1;
    upright = resized;
    if (info->orientation != 1
        && img_orient(&resized, info->orientation, &upright, &st->oriented, e) != 0)
        return -1;
    img_flatten(&upright, st->background);
    st->enc.icc = &st->tag[upright.channels == 1];
    return img_jpeg_encode(&upright, &st->enc, &st->encoded, len, e);
}

/* Thumbnails one original (see the file comment). REJECT for unsupported
 * or empty input, too many pixels, or data the decoder refuses; RETRY
 * when memory runs out or the host refuses an output. */
static prism_result_t tn_process(void *state, const prism_input_t *in, prism_output_t *out)
{
    tn_state_t *st = state;
    img_geom_t g[TN_MAX_SIZES];
    img_load_opts_t lo = { 0, 0, 1, st->max_pixels, 0 };
    ii_info_t info;
    img_image_t dec;
    img_err_t e;
    prism_result_t rc = PRISM_OK;
    int i;

    if (img_load_probe(in->data, in->len, st->max_pixels, &info, &e) != 0)
        return img_prism_fail(out, &e);
    /* boxes are square, so the geometry on the stored image is the
     * displayed one turned; the decode must serve every size */
    for (i = 0; i < st->nsizes; i++) {
        int mw, mh;

        img_geom_compute((int) info.width, (int) info.height, (int) st->sizes[i],
                         (int) st->sizes[i], st->mode, 0, &g[i]);
        img_geom_min_decode(&g[i], (int) info.width, (int) info.height, &mw, &mh);
        lo.min_width = mw > lo.min_width ? mw : lo.min_width;
        lo.min_height = mh > lo.min_height ? mh : lo.min_height;
    }
    if (img_load_decode(&st->load, in->data, in->len, &info, &lo, &dec, &e) != 0)
        return img_prism_fail(out, &e);
    if (st->load.warn.code != IMG_ERR_NONE)
        out->log(out, PRISM_LOG_WARN, "%s", st->load.warn.msg);
    out->log(out, PRISM_LOG_DEBUG, "decoded %ux%u as %dx%d", info.width, info.height, dec.width,
             dec.height);
    img_premultiply(&dec);

    for (i = 0; i < st->nsizes && rc == PRISM_OK; i++) {
        char suffix[32];
        size_t len;

        if (tn_render(st, &dec, &info, &g[i], &len, &e) != 0) {
            rc = img_prism_fail(out, &e);
            break;
        }
        snprintf(suffix, sizeof(suffix), "%ld.jpg", st->sizes[i]);
        rc = img_prism_emit(out, suffix, "image/jpeg", st->encoded.data, len);
    }
    img_loader_trim(&st->load, IMG_BUF_RETAIN);
    img_buf_trim(&st->resized, IMG_BUF_RETAIN);
    img_buf_trim(&st->oriented, IMG_BUF_RETAIN);
    img_buf_trim(&st->encoded, IMG_BUF_RETAIN);
    img_resampler_trim(&st->rs, IMG_BUF_RETAIN);
    return rc;
}

PRISM_PLUGIN_EXPORT const prism_plugin_t prism_plugin = {
    .abi_version = PRISM_PLUGIN_ABI_VERSION,
    .name = "thumbnail",
    .version = "1.0.0",
    .description = "JPEG/PNG/WebP/GIF/HEIF/AVIF to JPEG thumbnails at one or more bounding sizes "
                   "(fit or fill)",
    .params = tn_params,
    .accepts = img_accepts,
    .init = tn_init,
    .process = tn_process,
    .destroy = tn_destroy,
};
