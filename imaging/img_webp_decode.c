/*
 * WebP decoding: stills straight into the caller's buffer, animations
 * through WebPAnimDecoder, the ICC profile through WebPDemux.
 */
#include <string.h>

#include <webp/decode.h>
#include <webp/demux.h>

#include "img_webp_decode.h"

/* Copies the ICCP chunk of the WebP in wd into icc (untagged without
 * one). Returns 0, or -1 with err set. */
static int img_webp_profile(const WebPData *wd, img_profile_t *icc, img_err_t *err)
{
    WebPDemuxer *dmx = WebPDemux(wd);
    WebPChunkIterator it;
    int rc = 0;

    icc->len = 0;
    if (dmx == NULL)
        return img_fail(err, IMG_ERR_CORRUPT, "webp: damaged container");
    if (WebPDemuxGetChunk(dmx, "ICCP", 1, &it)) {
        rc = img_profile_set(icc, it.chunk.bytes, it.chunk.size, err);
        WebPDemuxReleaseChunkIterator(&it);
    }
    WebPDemuxDelete(dmx);
    return rc;
}

/* Decodes a still WebP into out over buf. */
static int img_webp_still(const WebPData *wd, const WebPBitstreamFeatures *f, img_image_t *out,
                          img_buf_t *buf, img_err_t *err)
{
    int ch = f->has_alpha ? 4 : 3;
    size_t size;
    uint8_t *px;

    if (img_image_alloc(out, f->width, f->height, ch, buf, err) != 0)
        return -1;
    size = out->stride * (size_t) out->height;
    px = ch == 4 ? WebPDecodeRGBAInto(wd->bytes, wd->size, out->px, size, (int) out->stride)
                 : WebPDecodeRGBInto(wd->bytes, wd->size, out->px, size, (int) out->stride);
    if (px == NULL)
        return img_fail(err, IMG_ERR_CORRUPT, "webp: the bitstream cannot be decoded");
    return 0;
}

/* Decodes an animation's first frame into out, or every frame into frames. */
static int img_webp_anim(const WebPData *wd, const img_load_opts_t *opts, img_image_t *out,
                         img_buf_t *buf, img_frames_t *frames, img_err_t *err)
{
    WebPAnimDecoderOptions ao;
    WebPAnimDecoder *dec;
    WebPAnimInfo ai;
    img_image_t canvas;
    uint8_t *px;
    int ts, prev = 0, rc = 0, y;

    if (!WebPAnimDecoderOptionsInit(&ao))
        return img_fail(err, IMG_ERR_INVALID, "webp: library version mismatch");
    ao.color_mode = MODE_RGBA;
    ao.use_threads = 0;
    dec = WebPAnimDecoderNew(wd, &ao);
    if (dec == NULL)
        return img_fail(err, IMG_ERR_CORRUPT, "webp: damaged animation");
    if (!WebPAnimDecoderGetInfo(dec, &ai))
        rc = img_fail(err, IMG_ERR_CORRUPT, "webp: damaged animation");
    while (rc == 0 && WebPAnimDecoderHasMoreFrames(dec)) {
        if (!WebPAnimDecoderGetNext(dec, &px, &ts)) {
            rc = img_fail(err, IMG_ERR_CORRUPT, "webp: damaged frame");
            break;
        }
        canvas = (img_image_t){
            px, (int) ai.canvas_width, (int) ai.canvas_height, (size_t) ai.canvas_width * 4, 4, 0
        };
        if (frames == NULL) {
            rc = img_image_alloc(out, canvas.width, canvas.height, 4, buf, err);
            for (y = 0; rc == 0 && y < canvas.height; y++)
                memcpy(img_row(out, y), img_row(&canvas, y), canvas.stride);
            break;
        }
        rc = img_frames_add(frames, &canvas, ts - prev, opts, err);
        prev = ts;
    }
    WebPAnimDecoderDelete(dec);
    return rc;
}

/* See img_webp_decode.h. */
int img_webp_decode(const unsigned char *data, size_t len, const img_load_opts_t *opts,
                    img_image_t *out, img_buf_t *buf, img_profile_t *icc, img_frames_t *frames,
                    img_err_t *err)
{
    WebPData wd = { data, len };
    WebPBitstreamFeatures f;

    if (WebPGetFeatures(data, len, &f) != VP8_STATUS_OK)
        return img_fail(err, IMG_ERR_CORRUPT, "webp: damaged header");
    if (img_check_pixels((uint64_t) f.width, (uint64_t) f.height, opts, err) != 0)
        return -1;
    if (icc && img_webp_profile(&wd, icc, err) != 0)
        return -1;
    if (frames)
        img_frames_reset(frames);
    if (f.has_animation || frames)
        return img_webp_anim(&wd, opts, out, buf, frames, err);
    return img_webp_still(&wd, &f, out, buf, err);
}
