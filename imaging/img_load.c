/*
 * Probe-then-decode for the plugins' inputs.
 */
#include "img_jpeg_decode.h"
#include "img_load.h"
#include "img_png_decode.h"

/* See img_load.h. */
int img_load_probe(const unsigned char *data, size_t len, uint64_t max_pixels,
                   ii_info_t *info, img_err_t *err)
{
    char why[200];
    ii_type_t type;
    int rc;

    if (len == 0)
        return img_fail(err, IMG_ERR_UNSUPPORTED, "empty input");
    type = ii_sniff(data, len);
    if (type != II_TYPE_JPEG && type != II_TYPE_PNG)
        return img_fail(err, IMG_ERR_UNSUPPORTED, "unsupported type: %s", ii_type_mime(type));
    rc = ii_probe(data, len, info, why, sizeof(why));
    if (rc == II_NEED_MORE)
        return img_fail(err, IMG_ERR_CORRUPT, "truncated %s header", ii_type_ext(type));
    if (rc != II_OK)
        return img_fail(err, IMG_ERR_CORRUPT, "%s", why);
    if (max_pixels && (uint64_t)info->width * info->height > max_pixels)
        return img_fail(err, IMG_ERR_LIMIT, "too many pixels: %ux%u > %llu", info->width,
                        info->height, (unsigned long long)max_pixels);
    if (ii_check_limits(info, max_pixels, 0, why, sizeof(why)) != II_OK)
        return img_fail(err, IMG_ERR_LIMIT, "%s", why);
    return 0;
}

/* See img_load.h. */
int img_load_decode(const unsigned char *data, size_t len, const ii_info_t *info,
                    const img_load_opts_t *opts, img_image_t *out, img_buf_t *buf,
                    img_err_t *err)
{
    img_jpeg_opts_t jo = { opts->min_width, opts->min_height, opts->keep_gray, opts->max_pixels };

    if (info->type == II_TYPE_JPEG)
        return img_jpeg_decode(data, len, &jo, out, buf, err);
    return img_png_decode(data, len, opts->max_pixels, out, buf, err);
}
