/*
 * WebP encoding: a WebPPicture imported from RGB(A), written through a
 * writer callback into an img_buf_t.
 */
#include <string.h>

#include <webp/encode.h>
#include <webp/mux.h>

#include "img_webp_config.h"

typedef struct {
    img_buf_t *buf;
    size_t len;
    int oom;
} img_webp_sink_t;

/* libwebp's writer hook: appends to the sink's buffer; 0 stops the
 * encoder when the buffer cannot grow. */
static int img_webp_write(const uint8_t *data, size_t n, const WebPPicture *pic)
{
    img_webp_sink_t *s = pic->custom_ptr;
    img_err_t err;

    if (s->len + n > s->buf->cap && img_buf_grow(s->buf, s->len + n, &err) != 0) {
        s->oom = 1;
        return 0;
    }
    memcpy(s->buf->data + s->len, data, n);
    s->len += n;
    return 1;
}

/* An error record for libwebp's result code. */
static int img_webp_fail(WebPEncodingError code, int oom, img_err_t *err)
{
    static const char *const names[] = {
        "ok",
        "out of memory",
        "out of memory for the bitstream",
        "NULL parameter",
        "invalid configuration",
        "bad dimension",
        "partition 0 overflow",
        "partition overflow",
        "write error",
        "file too big",
        "user abort",
    };
    const char *name = (unsigned) code < sizeof(names) / sizeof(names[0]) ? names[code] : "unknown";

    if (oom || code == VP8_ENC_ERROR_OUT_OF_MEMORY || code == VP8_ENC_ERROR_BITSTREAM_OUT_OF_MEMORY)
        return img_fail(err, IMG_ERR_NOMEM, "webp encode: out of memory");
    return img_fail(err, IMG_ERR_INVALID, "webp encode: %s (%d)", name, (int) code);
}

/* See img_webp_config.h. */
int img_webp_store(img_buf_t *out, const uint8_t *data, size_t n, size_t *len, img_err_t *err)
{
    if (img_buf_reserve(out, n, err) != 0)
        return -1;
    memcpy(out->data, data, n);
    *len = n;
    return 0;
}

/* See img_webp_config.h. */
int img_webp_tag(img_buf_t *out, size_t n, const img_profile_t *icc, size_t *len, img_err_t *err)
{
    WebPData image = { out->data, n }, prof = { icc->buf.data, icc->len }, all = { NULL, 0 };
    WebPMux *mux = WebPMuxCreate(&image, 1);
    int rc = -1;

    if (mux == NULL)
        return img_fail(err, IMG_ERR_NOMEM, "webp encode: out of memory for the ICC profile");
    if (WebPMuxSetChunk(mux, "ICCP", &prof, 0) != WEBP_MUX_OK
        || WebPMuxAssemble(mux, &all) != WEBP_MUX_OK)
        img_fail(err, IMG_ERR_NOMEM, "webp encode: cannot add the ICC profile");
    else
        rc = img_webp_store(out, all.bytes, all.size, len, err);
    WebPDataClear(&all);
    WebPMuxDelete(mux);
    return rc;
}

/* See img_webp_config.h. */
int img_webp_config(const img_image_t *img, const img_webp_opts_t *opts, WebPConfig *config,
                    img_err_t *err)
{
    if (img->channels != 3 && !(img->channels == 4 && !img->premultiplied))
        return img_fail(err, IMG_ERR_INVALID, "webp encode: needs RGB or straight RGBA");
    if (img->width > IMG_WEBP_MAX_SIDE || img->height > IMG_WEBP_MAX_SIDE)
        return img_fail(err, IMG_ERR_LIMIT, "image too large for WebP: %dx%d (max side %d)",
                        img->width, img->height, IMG_WEBP_MAX_SIDE);
    if (!WebPConfigInit(config))
        return img_fail(err, IMG_ERR_INVALID, "webp encode: library version mismatch");
    config->quality = opts->quality;
    config->method = opts->method;
    config->lossless = opts->lossless ? 1 : 0;
    if (!WebPValidateConfig(config))
        return img_fail(err, IMG_ERR_INVALID, "webp encode: invalid options q%.0f m%d",
                        (double) opts->quality, opts->method);
    return 0;
}

/* See img_webp_config.h. */
int img_webp_import(const img_image_t *img, int argb, WebPPicture *pic, img_err_t *err)
{
    int ok;

    if (!WebPPictureInit(pic))
        return img_fail(err, IMG_ERR_INVALID, "webp encode: library version mismatch");
    pic->width = img->width;
    pic->height = img->height;
    pic->use_argb = argb;
    ok = img->channels == 4 ? WebPPictureImportRGBA(pic, img->px, (int) img->stride)
                            : WebPPictureImportRGB(pic, img->px, (int) img->stride);
    if (ok)
        return 0;
    WebPPictureFree(pic);
    return img_fail(err, IMG_ERR_NOMEM, "webp encode: out of memory importing pixels");
}

/* See img_webp_encode.h. */
int img_webp_encode(const img_image_t *img, const img_webp_opts_t *opts, img_buf_t *out,
                    size_t *len, img_err_t *err)
{
    WebPConfig config;
    WebPPicture pic;
    img_webp_sink_t sink = { out, 0, 0 };
    int ok;

    if (img_webp_config(img, opts, &config, err) != 0
        || img_webp_import(img, config.lossless, &pic, err) != 0)
        return -1;
    pic.writer = img_webp_write;
    pic.custom_ptr = &sink;
    ok = WebPEncode(&config, &pic);
    if (!ok) {
        WebPEncodingError code = pic.error_code;

        WebPPictureFree(&pic);
        return img_webp_fail(code, sink.oom, err);
    }
    WebPPictureFree(&pic);
    *len = sink.len;
    return opts->icc && opts->icc->len ? img_webp_tag(out, sink.len, opts->icc, len, err) : 0;
}
