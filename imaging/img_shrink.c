/*
 * Box reduction by an integer factor, a row of sums at a time.
 */
#include <stdint.h>
#include <string.h>

#include "img_shrink.h"

/* Adds the samples of one source row into the per-output-pixel sums;
 * ch is a constant after inlining. */
static inline __attribute__((always_inline)) void
img_box_add_row(const unsigned char *s, uint32_t *sum, int w, int k, int ch)
{
    int x, i, c;

    for (x = 0; x < w; x += k, sum += ch) {
        int n = w - x < k ? w - x : k;

        for (i = 0; i < n; i++, s += ch)
            for (c = 0; c < ch; c++)
                sum[c] += s[c];
    }
}

/* See img_shrink.h. */
int img_box_shrink(const img_image_t *src, int x0, int y0, int w, int h, int k, img_image_t *dst,
                   img_buf_t *buf, img_buf_t *acc, img_err_t *err)
{
    int ch = src->channels, dw, dh, x, y, r, c;
    uint32_t *sum;

    if (k < 1 || x0 < 0 || y0 < 0 || w < 1 || h < 1 || x0 + w > src->width || y0 + h > src->height)
        return img_fail(err, IMG_ERR_INVALID, "box shrink: %dx%d+%d+%d by %d outside %dx%d", w, h,
                        x0, y0, k, src->width, src->height);
    dw = (w + k - 1) / k;
    dh = (h + k - 1) / k;
    if (img_image_alloc(dst, dw, dh, ch, buf, err) != 0
        || img_buf_reserve(acc, (size_t) dw * (size_t) ch * sizeof(uint32_t), err) != 0)
        return -1;
    dst->premultiplied = src->premultiplied;
    sum = (uint32_t *) acc->data;

    for (y = 0; y < dh; y++) {
        int rows = h - y * k < k ? h - y * k : k;
        unsigned char *d = img_row(dst, y);

        memset(sum, 0, (size_t) dw * (size_t) ch * sizeof(uint32_t));
        for (r = 0; r < rows; r++) {
            const unsigned char *s = img_row(src, y0 + y * k + r) + (size_t) x0 * (size_t) ch;

            switch (ch) {
            case 1: img_box_add_row(s, sum, w, k, 1); break;
            case 3: img_box_add_row(s, sum, w, k, 3); break;
            default: img_box_add_row(s, sum, w, k, 4); break;
            }
        }
        for (x = 0; x < dw; x++) {
            uint32_t n = (uint32_t) rows * (uint32_t) (w - x * k < k ? w - x * k : k);

            for (c = 0; c < ch; c++)
                d[x * ch + c] = (unsigned char) ((sum[x * ch + c] + n / 2) / n);
        }
    }
    return 0;
}
