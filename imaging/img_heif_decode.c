/*
 * HEIF/AVIF decoding through libheif.
 */
#include <stdlib.h>
#include <string.h>

#include <libheif/heif.h>

#include "img_heif_decode.h"

/* Records libheif's error e in err (its security limits as
 * IMG_ERR_LIMIT, not as the memory shortage libheif files them under)
 * and returns -1. */
static int img_heif_fail(struct heif_error e, img_err_t *err)
{
    const char *m = e.message ? e.message : "damaged data";
    int n = (int) strcspn(m, "\n");
    img_err_code_t code = e.subcode == heif_suberror_Security_limit_exceeded ? IMG_ERR_LIMIT
                          : e.code == heif_error_Memory_allocation_error     ? IMG_ERR_NOMEM
                                                                             : IMG_ERR_CORRUPT;

    return img_fail(err, code, "heif: %.*s", n, m);
}

/* Parses the container into a new context and opens its primary image.
 * Returns 0, or -1 with err set (nothing left to free). */
static int img_heif_open(const unsigned char *data, size_t len, struct heif_context **ctx,
                         struct heif_image_handle **h, img_err_t *err)
{
    struct heif_error e;

    *h = NULL;
    *ctx = heif_context_alloc();
    if (*ctx == NULL)
        return img_fail(err, IMG_ERR_NOMEM, "heif: out of memory");
    /* libheif's own side limit (32768) would refuse first: the callers'
     * max_pixels check on the parsed size is the one that applies */
    heif_context_set_maximum_image_size_limit(*ctx, IMG_HEIF_MAX_SIDE);
    e = heif_context_read_from_memory_without_copy(*ctx, data, len, NULL);
    if (e.code == heif_error_Ok)
        e = heif_context_get_primary_image_handle(*ctx, h);
    if (e.code != heif_error_Ok) {
        img_heif_fail(e, err); /* the message lives in the context: copy it first */
        heif_context_free(*ctx);
        return -1;
    }
    return 0;
}

/* Releases what img_heif_open made. */
static void img_heif_close(struct heif_context *ctx, struct heif_image_handle *h)
{
    heif_image_handle_release(h);
    heif_context_free(ctx);
}

/* See img_heif_decode.h. */
int img_heif_probe(const unsigned char *data, size_t len, unsigned *width, unsigned *height,
                   img_err_t *err)
{
    struct heif_context *ctx;
    struct heif_image_handle *h;

    if (img_heif_open(data, len, &ctx, &h, err) != 0)
        return -1;
    *width = (unsigned) heif_image_handle_get_width(h);
    *height = (unsigned) heif_image_handle_get_height(h);
    img_heif_close(ctx, h);
    return 0;
}

/* The smallest thumbnail of h at least min_w x min_h, or NULL (none, or
 * no target size). The caller releases it. */
static struct heif_image_handle *img_heif_thumbnail(struct heif_image_handle *h, int min_w,
                                                    int min_h)
{
    heif_item_id ids[8];
    struct heif_image_handle *best = NULL, *t;
    int i, n;

    if (min_w <= 0 && min_h <= 0)
        return NULL;
    n = heif_image_handle_get_list_of_thumbnail_IDs(h, ids, 8);
    for (i = 0; i < n; i++) {
        if (heif_image_handle_get_thumbnail(h, ids[i], &t).code != heif_error_Ok)
            continue;
        if (heif_image_handle_get_width(t) >= min_w && heif_image_handle_get_height(t) >= min_h
            && (best == NULL
                || heif_image_handle_get_width(t) < heif_image_handle_get_width(best))) {
            heif_image_handle_release(best);
            best = t;
        } else {
            heif_image_handle_release(t);
        }
    }
    return best;
}

/* Hands over the colour description of h as a profile in icc (see
 * img_heif_decode.h). Returns 0 or -1 with err set. */
static int img_heif_profile(struct heif_image_handle *h, img_profile_t *icc, img_err_t *err)
{
    enum heif_color_profile_type t = heif_image_handle_get_color_profile_type(h);
    struct heif_color_profile_nclx *nclx = NULL;
    img_icc_primaries_t p;
    size_t n;

    icc->len = 0;
    if (t == heif_color_profile_type_prof || t == heif_color_profile_type_rICC) {
        n = heif_image_handle_get_raw_color_profile_size(h);
        if (n == 0 || n > IMG_ICC_MAX_SIZE)
            return 0; /* none, or too big to be a real one: untagged */
        if (img_buf_reserve(&icc->buf, n, err) != 0)
            return -1;
        if (heif_image_handle_get_raw_color_profile(h, icc->buf.data).code == heif_error_Ok)
            icc->len = n;
        return 0;
    }
    if (t != heif_color_profile_type_nclx)
        return 0;
    if (heif_image_handle_get_nclx_color_profile(h, &nclx).code != heif_error_Ok) {
        heif_nclx_color_profile_free(nclx); /* may be set even on an error */
        return 0;
    }
    if (nclx->color_primaries == heif_color_primaries_ITU_R_BT_709_5
        || nclx->color_primaries == heif_color_primaries_unspecified) {
        heif_nclx_color_profile_free(nclx);
        return 0;
    }
    p = (img_icc_primaries_t){ { nclx->color_primary_red_x, nclx->color_primary_red_y },
                               { nclx->color_primary_green_x, nclx->color_primary_green_y },
                               { nclx->color_primary_blue_x, nclx->color_primary_blue_y },
                               { nclx->color_primary_white_x, nclx->color_primary_white_y },
                               0 };
    switch (nclx->transfer_characteristics) {
    case heif_transfer_characteristic_ITU_R_BT_470_6_System_M: p.gamma = 2.2; break;
    case heif_transfer_characteristic_ITU_R_BT_470_6_System_B_G: p.gamma = 2.8; break;
    case heif_transfer_characteristic_linear: p.gamma = 1.0; break;
    default: break;
    }
    heif_nclx_color_profile_free(nclx);
    return img_icc_from_primaries(&p, icc, err);
}

/* Decodes handle h into out over buf (8-bit interleaved, upright). */
static int img_heif_pixels(struct heif_image_handle *h, img_image_t *out, img_buf_t *buf,
                           img_err_t *err)
{
    int alpha = heif_image_handle_has_alpha_channel(h);
    struct heif_decoding_options *o = heif_decoding_options_alloc();
    struct heif_image *img = NULL;
    struct heif_error e;
    const uint8_t *px;
    int stride, y, rc;

    if (o == NULL)
        return img_fail(err, IMG_ERR_NOMEM, "heif: out of memory");
    o->convert_hdr_to_8bit = 1;
    e = heif_decode_image(h, &img, heif_colorspace_RGB,
                          alpha ? heif_chroma_interleaved_RGBA : heif_chroma_interleaved_RGB, o);
    heif_decoding_options_free(o);
    if (e.code != heif_error_Ok)
        return img_heif_fail(e, err);
    px = heif_image_get_plane_readonly(img, heif_channel_interleaved, &stride);
    rc = px == NULL ? img_fail(err, IMG_ERR_CORRUPT, "heif: no pixels decoded")
                    : img_image_alloc(out, heif_image_get_width(img, heif_channel_interleaved),
                                      heif_image_get_height(img, heif_channel_interleaved),
                                      alpha ? 4 : 3, buf, err);
    for (y = 0; rc == 0 && y < out->height; y++)
        memcpy(img_row(out, y), px + (size_t) y * (size_t) stride,
               (size_t) out->width * (size_t) out->channels);
    heif_image_release(img);
    return rc;
}

/* See img_heif_decode.h. */
int img_heif_decode(const unsigned char *data, size_t len, const img_load_opts_t *opts,
                    img_image_t *out, img_buf_t *buf, img_profile_t *icc, img_err_t *err)
{
    struct heif_context *ctx;
    struct heif_image_handle *h, *thumb;
    int rc;

    if (img_heif_open(data, len, &ctx, &h, err) != 0)
        return -1;
    rc = img_check_pixels((uint64_t) heif_image_handle_get_width(h),
                          (uint64_t) heif_image_handle_get_height(h), opts, err);
    if (rc == 0 && icc)
        rc = img_heif_profile(h, icc, err);
    if (rc == 0) {
        thumb = img_heif_thumbnail(h, opts->min_width, opts->min_height);
        rc = img_heif_pixels(thumb ? thumb : h, out, buf, err);
        heif_image_handle_release(thumb);
    }
    img_heif_close(ctx, h);
    return rc;
}
