/*
 * AVIF encoding: the image's RGB(A) converted to YUV by libavif, then one
 * still AV1 frame from aom. See avif_encode.h.
 */
#include <string.h>

#include <avif/avif.h>

#include "avif_encode.h"

/* An error record for libavif's result r (diag: the encoder's detail, or
 * NULL), prefixed with what failed. Returns -1. */
static int avif_fail(avifResult r, const char *what, const avifDiagnostics *diag, img_err_t *err)
{
    if (r == AVIF_RESULT_OUT_OF_MEMORY)
        return img_fail(err, IMG_ERR_NOMEM, "avif encode: out of memory (%s)", what);
    return img_fail(err, IMG_ERR_INVALID, "avif encode: %s: %s%s%s", what, avifResultToString(r),
                    diag && diag->error[0] ? ": " : "", diag && diag->error[0] ? diag->error : "");
}

/* The AV1 quantizer (0 best .. 63 worst) for a quality of 0..100, the
 * mapping later libavif versions use for their own quality setting. */
static int avif_quantizer(int quality)
{
    return ((100 - quality) * AVIF_QUANTIZER_WORST_QUALITY + 50) / 100;
}

/* Makes *image an sRGB-signalled 4:2:0 copy of img (YUV, and alpha when
 * img has it). Returns 0, or -1 with err set. */
static int avif_import(const img_image_t *img, const avif_opts_t *opts, avifImage **image,
                       img_err_t *err)
{
    avifRGBImage rgb;
    avifResult r;

    *image =
        avifImageCreate((uint32_t) img->width, (uint32_t) img->height, 8, AVIF_PIXEL_FORMAT_YUV420);
    if (*image == NULL)
        return img_fail(err, IMG_ERR_NOMEM, "avif encode: out of memory for the image");
    (*image)->colorPrimaries = AVIF_COLOR_PRIMARIES_BT709;
    (*image)->transferCharacteristics = AVIF_TRANSFER_CHARACTERISTICS_SRGB;
    (*image)->matrixCoefficients = AVIF_MATRIX_COEFFICIENTS_BT601;
    (*image)->yuvRange = AVIF_RANGE_FULL;
    if (opts->icc && opts->icc->len)
        avifImageSetProfileICC(*image, opts->icc->buf.data, opts->icc->len);
    avifRGBImageSetDefaults(&rgb, *image);
    rgb.format = img->channels == 4 ? AVIF_RGB_FORMAT_RGBA : AVIF_RGB_FORMAT_RGB;
    rgb.depth = 8;
    rgb.pixels = img->px;
    rgb.rowBytes = (uint32_t) img->stride;
    r = avifImageRGBToYUV(*image, &rgb);
    return r == AVIF_RESULT_OK ? 0 : avif_fail(r, "RGB to YUV", NULL, err);
}

/* See avif_encode.h. */
int avif_encode(const img_image_t *img, const avif_opts_t *opts, img_buf_t *out, size_t *len,
                img_err_t *err)
{
    avifImage *image = NULL;
    avifEncoder *enc = NULL;
    avifRWData data = AVIF_DATA_EMPTY;
    avifResult r;
    int rc = -1, q = avif_quantizer(opts->quality);

    if (img->channels != 3 && !(img->channels == 4 && !img->premultiplied))
        return img_fail(err, IMG_ERR_INVALID, "avif encode: needs RGB or straight RGBA");
    if (img->width > AVIF_MAX_SIDE || img->height > AVIF_MAX_SIDE)
        return img_fail(err, IMG_ERR_LIMIT, "image too large for AVIF: %dx%d (max side %d)",
                        img->width, img->height, AVIF_MAX_SIDE);
    if (avif_import(img, opts, &image, err) != 0)
        goto done;
    enc = avifEncoderCreate();
    if (enc == NULL) {
        img_fail(err, IMG_ERR_NOMEM, "avif encode: out of memory for the encoder");
        goto done;
    }
    enc->codecChoice = AVIF_CODEC_CHOICE_AOM;
    enc->maxThreads = 1;
    enc->speed = opts->speed;
    enc->minQuantizer = enc->maxQuantizer = q;
    enc->minQuantizerAlpha = enc->maxQuantizerAlpha = q;
    r = avifEncoderWrite(enc, image, &data);
    if (r != AVIF_RESULT_OK) {
        avif_fail(r, "aom", &enc->diag, err);
        goto done;
    }
    if (img_buf_reserve(out, data.size, err) == 0) {
        memcpy(out->data, data.data, data.size);
        *len = data.size;
        rc = 0;
    }
done:
    avifRWDataFree(&data);
    if (enc)
        avifEncoderDestroy(enc);
    if (image)
        avifImageDestroy(image);
    return rc;
}
