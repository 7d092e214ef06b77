/*
 * Animated WebP encoding: every frame through one WebPAnimEncoder, at
 * timestamps that add up the frames' durations. See img_webp_encode.h.
 */
#include <webp/mux.h>

#include "img_webp_config.h"

/* Adds frame i of f, shown from ts_ms, to enc. Returns 0, or -1 with err
 * set. */
static int img_webp_anim_add(WebPAnimEncoder *enc, const img_frames_t *f, int i, int ts_ms,
                             const WebPConfig *config, img_err_t *err)
{
    const img_image_t *img = &f->frame[i].img;
    WebPPicture pic;
    WebPEncodingError code;
    int ok;

    if (img->width != f->frame[0].img.width || img->height != f->frame[0].img.height
        || img->channels != 4)
        return img_fail(err, IMG_ERR_INVALID, "webp encode: frame %d is not a %dx%d RGBA canvas", i,
                        f->frame[0].img.width, f->frame[0].img.height);
    if (img_webp_import(img, config->lossless, &pic, err) != 0)
        return -1;
    ok = WebPAnimEncoderAdd(enc, &pic, ts_ms, config);
    code = pic.error_code;
    WebPPictureFree(&pic);
    if (!ok)
        return img_fail(err, code == VP8_ENC_ERROR_OUT_OF_MEMORY ? IMG_ERR_NOMEM : IMG_ERR_INVALID,
                        "webp encode: frame %d: %s", i, WebPAnimEncoderGetError(enc));
    return 0;
}

/* See img_webp_encode.h. */
int img_webp_encode_frames(const img_frames_t *f, const img_webp_opts_t *opts, img_buf_t *out,
                           size_t *len, img_err_t *err)
{
    WebPAnimEncoderOptions ao;
    WebPAnimEncoder *enc;
    WebPConfig config;
    WebPData all = { NULL, 0 };
    int i, ts = 0, rc = -1;

    if (f->count < 1)
        return img_fail(err, IMG_ERR_INVALID, "webp encode: no frames");
    if (img_webp_config(&f->frame[0].img, opts, &config, err) != 0)
        return -1;
    if (!WebPAnimEncoderOptionsInit(&ao))
        return img_fail(err, IMG_ERR_INVALID, "webp encode: library version mismatch");
    ao.anim_params.loop_count = 0;
    enc = WebPAnimEncoderNew(f->frame[0].img.width, f->frame[0].img.height, &ao);
    if (enc == NULL)
        return img_fail(err, IMG_ERR_NOMEM, "webp encode: out of memory for the animation");
    for (i = 0; i < f->count; i++) {
        if (img_webp_anim_add(enc, f, i, ts, &config, err) != 0)
            goto done;
        ts += f->frame[i].duration_ms;
    }
    if (!WebPAnimEncoderAdd(enc, NULL, ts, NULL) || !WebPAnimEncoderAssemble(enc, &all)) {
        img_fail(err, IMG_ERR_NOMEM, "webp encode: %s", WebPAnimEncoderGetError(enc));
        goto done;
    }
    if (img_webp_store(out, all.bytes, all.size, len, err) == 0)
        rc = opts->icc && opts->icc->len ? img_webp_tag(out, *len, opts->icc, len, err) : 0;
done:
    WebPDataClear(&all);
    WebPAnimEncoderDelete(enc);
    return rc;
}
