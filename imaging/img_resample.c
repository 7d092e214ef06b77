/*
 * Lanczos-3 resampling: weight tables, then per output row a vertical
 * pass over the source columns the horizontal pass needs, then the
 * horizontal pass.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "img_resample.h"
#include "img_shrink.h"

#define IMG_PREC    22 /* fractional bits of a weight */
#define IMG_HALF    ((int32_t) 1 << (IMG_PREC - 1))
#define IMG_LANCZOS 3.0 /* lobes, = support in pixels */

/* The source pixels one output pixel reads: [start, start + n). */
typedef struct {
    int start, n;
} img_window_t;

/* A weight table: one window and ksize weights per output pixel. */
typedef struct {
    img_window_t *win;
    int32_t *k;
    int ksize;
} img_weights_t;

/* sin(pi x) / (pi x). */
static double img_sinc(double x)
{
    if (x == 0.0)
        return 1.0;
    x *= M_PI;
    return sin(x) / x;
}

/* The Lanczos-3 kernel. */
static double img_lanczos3(double x)
{
    if (x <= -IMG_LANCZOS || x >= IMG_LANCZOS)
        return 0.0;
    return img_sinc(x) * img_sinc(x / IMG_LANCZOS);
}

/* Builds in buf the weights that map [in0, in0 + len) of an axis of
 * in_size pixels onto out_size pixels. The kernel widens with the
 * reduction factor; windows are clipped to the axis and renormalised.
 * [in0, in0 + len) must lie within [0, in_size).
 * Returns 0, or -1 with IMG_ERR_NOMEM. */
static int img_weights_build(img_buf_t *buf, double in0, double len, int in_size, int out_size,
                             img_weights_t *t, img_err_t *err)
{
    double scale = len / out_size;
    double fscale = scale < 1.0 ? 1.0 : scale;
    double support = IMG_LANCZOS * fscale;
    int ksize = (int) ceil(support) * 2 + 1;
    size_t wsz = (size_t) out_size * sizeof(img_window_t);
    size_t ksz = (size_t) out_size * (size_t) ksize * sizeof(int32_t);

    size_t dsz = (size_t) ksize * sizeof(double);
    double *w;
    int i, j;

    /* doubles first: malloc()ed memory is aligned for them, and the int
     * tables after them need less */
    if (img_buf_reserve(buf, dsz + wsz + ksz, err) != 0)
        return -1;
    w = (double *) buf->data;
    t->win = (img_window_t *) (buf->data + dsz);
    t->k = (int32_t *) (buf->data + dsz + wsz);
    t->ksize = ksize;

    for (i = 0; i < out_size; i++) {
        double center = in0 + (i + 0.5) * scale, sum = 0.0;
        int lo = (int) floor(center - support + 0.5);
        int hi = (int) floor(center + support + 0.5);
        int32_t *k = t->k + (size_t) i * (size_t) ksize;

        if (lo < 0)
            lo = 0;
        if (hi > in_size)
            hi = in_size;
        for (j = 0; j < hi - lo; j++) {
            w[j] = img_lanczos3((lo + j - center + 0.5) / fscale);
            sum += w[j];
        }
        /* the sample nearest the centre is in the window with a weight
         * over 0.6, so sum is positive */
        for (j = 0; j < hi - lo; j++)
            k[j] = (int32_t) lrint(w[j] / sum * (double) (1 << IMG_PREC));
        t->win[i].start = lo;
        t->win[i].n = hi - lo;
    }
    return 0;
}

/* An accumulator back to 0..255. */
static inline unsigned char img_clip8(int32_t a)
{
    a >>= IMG_PREC;
    return (unsigned char) (a < 0 ? 0 : a > 255 ? 255 : a);
}

/* One row through the horizontal weights; ch (1, 3 or 4) is a constant
 * after inlining, so the channel tests vanish and the sums stay in
 * registers. */
static inline __attribute__((always_inline)) void img_hrow(const unsigned char *s, unsigned char *d,
                                                           int dw, const img_weights_t *t, int ch)
{
    const int32_t *k = t->k;
    int x, j;

    for (x = 0; x < dw; x++, k += t->ksize, d += ch) {
        const unsigned char *p = s + (size_t) t->win[x].start * (size_t) ch;
        int32_t a0 = IMG_HALF, a1 = IMG_HALF, a2 = IMG_HALF, a3 = IMG_HALF;

        for (j = 0; j < t->win[x].n; j++, p += ch) {
            a0 += p[0] * k[j];
            if (ch >= 3) {
                a1 += p[1] * k[j];
                a2 += p[2] * k[j];
            }
            if (ch == 4)
                a3 += p[3] * k[j];
        }
        d[0] = img_clip8(a0);
        if (ch >= 3) {
            d[1] = img_clip8(a1);
            d[2] = img_clip8(a2);
        }
        if (ch == 4)
            d[3] = img_clip8(a3);
    }
}

/* Bytes the vertical pass handles per step, in fixed-length loops that
 * the compiler turns into vector instructions. */
#define IMG_VBLOCK 16

/* acc[i] = IMG_HALF + p[i] * k for n bytes: whole IMG_VBLOCKs, then
 * the tail. */
static inline void img_vset(int32_t *restrict acc, const unsigned char *restrict p, int32_t k,
                            size_t n)
{
    size_t i, l, whole = n / IMG_VBLOCK * IMG_VBLOCK;

    for (i = 0; i < whole; i += IMG_VBLOCK)
        for (l = 0; l < IMG_VBLOCK; l++)
            acc[i + l] = IMG_HALF + p[i + l] * k;
    for (; i < n; i++)
        acc[i] = IMG_HALF + p[i] * k;
}

/* acc[i] += p[i] * k for n bytes, the same way. */
static inline void img_vadd(int32_t *restrict acc, const unsigned char *restrict p, int32_t k,
                            size_t n)
{
    size_t i, l, whole = n / IMG_VBLOCK * IMG_VBLOCK;

    for (i = 0; i < whole; i += IMG_VBLOCK)
        for (l = 0; l < IMG_VBLOCK; l++)
            acc[i + l] += p[i + l] * k;
    for (; i < n; i++)
        acc[i] += p[i] * k;
}

/* d[i] = the byte of sum acc[i] for n bytes, the same way. */
static inline void img_vclip(unsigned char *restrict d, const int32_t *restrict acc, size_t n)
{
    size_t i, l, whole = n / IMG_VBLOCK * IMG_VBLOCK;

    for (i = 0; i < whole; i += IMG_VBLOCK)
        for (l = 0; l < IMG_VBLOCK; l++)
            d[i + l] = img_clip8(acc[i + l]);
    for (; i < n; i++)
        d[i] = img_clip8(acc[i]);
}

/* One row of nbytes bytes from n >= 1 source rows starting at rows
 * (stride apart): each byte is the weighted sum of the bytes above and
 * below it. The sums build up in acc (nbytes of them) one source row at
 * a time, so the inner loops run along rows. On x86-64 an AVX2 copy is
 * also built and picked at load time where the CPU has it (twice the
 * lanes, and a native 32-bit multiply). */
#if defined(__x86_64__) && defined(__GNUC__)
__attribute__((target_clones("avx2", "default")))
#endif
static void
img_vrow(const unsigned char *rows, size_t stride, unsigned char *d, size_t nbytes,
         const int32_t *k, int n, int32_t *acc)
{
    int j;

    img_vset(acc, rows, k[0], nbytes);
    for (j = 1; j < n; j++)
        img_vadd(acc, rows + (size_t) j * stride, k[j], nbytes);
    img_vclip(d, acc, nbytes);
}

/* Keeps premultiplied colour within alpha after the kernel's overshoot. */
static void img_clamp_premultiplied(unsigned char *row, int w)
{
    int x, c;

    for (x = 0; x < w; x++, row += 4)
        for (c = 0; c < 3; c++)
            if (row[c] > row[3])
                row[c] = row[3];
}

/* Copies region-sized src into dst row by row (the no-scaling case). */
static void img_copy_rows(const img_image_t *src, int x0, int y0, img_image_t *dst)
{
    size_t n = (size_t) dst->width * (size_t) dst->channels;
    int y;

    for (y = 0; y < dst->height; y++)
        memcpy(img_row(dst, y), img_row(src, y0 + y) + (size_t) x0 * (size_t) src->channels, n);
}

/* Box-shrinks the integer bounds of *region of *src by k into rs->shrunk
 * and points *src and *region at the result (region in its coordinates,
 * kept inside it; *region_buf holds the new region). Returns 0 or -1. */
static int img_pre_shrink(img_resampler_t *rs, const img_image_t **src, const img_rect_t **region,
                          img_image_t *shrunk, img_rect_t *region_buf, int k, img_err_t *err)
{
    const img_rect_t *r = *region;
    int x0 = (int) floor(r->x), y0 = (int) floor(r->y);
    int x1 = (int) ceil(r->x + r->w), y1 = (int) ceil(r->y + r->h);

    x1 = x1 > (*src)->width ? (*src)->width : x1;
    y1 = y1 > (*src)->height ? (*src)->height : y1;
    if (img_box_shrink(*src, x0, y0, x1 - x0, y1 - y0, k, shrunk, &rs->shrunk, &rs->sums, err) != 0)
        return -1;
    region_buf->x = (r->x - x0) / k;
    region_buf->y = (r->y - y0) / k;
    region_buf->w = fmin(r->w / k, shrunk->width - region_buf->x);
    region_buf->h = fmin(r->h / k, shrunk->height - region_buf->y);
    *src = shrunk;
    *region = region_buf;
    return 0;
}

/* See img_resample.h. */
int img_resample(img_resampler_t *rs, const img_image_t *src, const img_rect_t *region,
                 img_image_t *dst, img_err_t *err)
{
    img_weights_t xw, yw;
    img_image_t shrunk;
    img_rect_t shrunk_region;
    size_t nbytes;
    int x0, x1, x, y, k;

    if (src->channels != dst->channels)
        return img_fail(err, IMG_ERR_INVALID, "resample: %d channels into %d", src->channels,
                        dst->channels);
    if (src->channels == 4 && !src->premultiplied)
        return img_fail(err, IMG_ERR_INVALID, "resample: RGBA must be premultiplied");
    if (!(region->w > 0 && region->h > 0 && region->x >= 0 && region->y >= 0
          && region->x + region->w <= src->width + 1e-6
          && region->y + region->h <= src->height + 1e-6))
        return img_fail(err, IMG_ERR_INVALID, "resample: region %.1fx%.1f+%.1f+%.1f outside %dx%d",
                        region->w, region->h, region->x, region->y, src->width, src->height);
    dst->premultiplied = src->premultiplied;

    if (region->w == dst->width && region->h == dst->height && region->x == floor(region->x)
        && region->y == floor(region->y)) {
        img_copy_rows(src, (int) region->x, (int) region->y, dst);
        return 0;
    }
    k = (int) (fmin(region->w / dst->width, region->h / dst->height) / IMG_REDUCING_GAP);
    if (k >= 2 && img_pre_shrink(rs, &src, &region, &shrunk, &shrunk_region, k, err) != 0)
        return -1;
    if (img_weights_build(&rs->xk, region->x, region->w, src->width, dst->width, &xw, err) != 0
        || img_weights_build(&rs->yk, region->y, region->h, src->height, dst->height, &yw, err)
               != 0)
        return -1;

    /* vertical first, a row at a time: the vectorized pass runs over the
     * source columns, the costlier horizontal one over output rows only;
     * columns [x0, x1) are the ones some window reads */
    x0 = xw.win[0].start;
    x1 = xw.win[dst->width - 1].start + xw.win[dst->width - 1].n;
    for (x = 0; x < dst->width; x++)
        xw.win[x].start -= x0;
    nbytes = (size_t) (x1 - x0) * (size_t) src->channels;
    if (img_buf_reserve(&rs->tmp, nbytes, err) != 0
        || img_buf_reserve(&rs->acc, nbytes * sizeof(int32_t), err) != 0)
        return -1;

    for (y = 0; y < dst->height; y++) {
        unsigned char *d = img_row(dst, y);

        img_vrow(img_row(src, yw.win[y].start) + (size_t) x0 * (size_t) src->channels, src->stride,
                 rs->tmp.data, nbytes, yw.k + (size_t) y * (size_t) yw.ksize, yw.win[y].n,
                 (int32_t *) rs->acc.data);
        switch (dst->channels) {
        case 1: img_hrow(rs->tmp.data, d, dst->width, &xw, 1); break;
        case 3: img_hrow(rs->tmp.data, d, dst->width, &xw, 3); break;
        default: img_hrow(rs->tmp.data, d, dst->width, &xw, 4); break;
        }
        if (dst->channels == 4)
            img_clamp_premultiplied(d, dst->width);
    }
    return 0;
}

/* See img_resample.h. */
void img_resampler_free(img_resampler_t *rs)
{
    img_buf_free(&rs->xk);
    img_buf_free(&rs->yk);
    img_buf_free(&rs->tmp);
    img_buf_free(&rs->acc);
    img_buf_free(&rs->shrunk);
    img_buf_free(&rs->sums);
}

/* See img_resample.h. */
void img_resampler_trim(img_resampler_t *rs, size_t keep)
{
    img_buf_trim(&rs->xk, keep);
    img_buf_trim(&rs->yk, keep);
    img_buf_trim(&rs->tmp, keep);
    img_buf_trim(&rs->acc, keep);
    img_buf_trim(&rs->shrunk, keep);
    img_buf_trim(&rs->sums, keep);
}
