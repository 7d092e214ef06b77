/*
 * Image buffers laid out over reusable scratch memory.
 */
#include "img_image.h"

/* See img_image.h. */
int img_image_alloc(img_image_t *img, int width, int height, int channels, img_buf_t *buf,
                    img_err_t *err)
{
    size_t stride;

    if (width <= 0 || height <= 0 || (channels != 1 && channels != 3 && channels != 4))
        return img_fail(err, IMG_ERR_INVALID, "bad image layout %dx%dx%d", width, height, channels);
    stride = (size_t) width * (size_t) channels;
    if (img_buf_reserve(buf, stride * (size_t) height, err) != 0)
        return -1;
    img->px = buf->data;
    img->width = width;
    img->height = height;
    img->stride = stride;
    img->channels = channels;
    img->premultiplied = 0;
    return 0;
}
