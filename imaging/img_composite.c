/*
 * "Over" compositing of a premultiplied overlay: out = o + d * (1 - a).
 */
#include <math.h>

#include "img_composite.h"
#include "img_convert.h"

/* See img_composite.h. */
void img_overlay_fade(img_image_t *overlay, double opacity)
{
    unsigned f = (unsigned) lrint((opacity < 0 ? 0 : opacity > 1 ? 1 : opacity) * 255.0);
    int x, y, c;

    for (y = 0; y < overlay->height; y++) {
        unsigned char *p = img_row(overlay, y);

        for (x = 0; x < overlay->width; x++, p += 4)
            for (c = 0; c < 4; c++)
                p[c] = (unsigned char) img_mul255(p[c], f);
    }
}

/* See img_composite.h. */
void img_composite_rows(unsigned char *rows, size_t stride, int dst_width, int y0, int n,
                        const img_image_t *overlay, int ox, int oy)
{
    int top = oy > y0 ? oy : y0;
    int bottom = oy + overlay->height < y0 + n ? oy + overlay->height : y0 + n;
    int left = ox > 0 ? ox : 0;
    int right = ox + overlay->width < dst_width ? ox + overlay->width : dst_width;
    int x, y;

    for (y = top; y < bottom; y++) {
        const unsigned char *o = img_row(overlay, y - oy) + (size_t) (left - ox) * 4;
        unsigned char *d = rows + (size_t) (y - y0) * stride + (size_t) left * 3;

        for (x = left; x < right; x++, o += 4, d += 3) {
            unsigned keep = 255u - o[3];

            if (o[3] == 0)
                continue;
            d[0] = (unsigned char) (o[0] + img_mul255(d[0], keep));
            d[1] = (unsigned char) (o[1] + img_mul255(d[1], keep));
            d[2] = (unsigned char) (o[2] + img_mul255(d[2], keep));
        }
    }
}
