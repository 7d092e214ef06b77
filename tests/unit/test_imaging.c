/*
 * The imaging library (libprismimaging): buffers, geometry, Lanczos and
 * box resampling, EXIF orientation, alpha conversions, compositing, JPEG
 * decoding (DCT scale choice, progressive early stop, gray, CMYK, every
 * refusal), PNG decoding, JPEG and WebP encoding, and the probe that
 * guards decoding. Test JPEGs are made with libjpeg directly, outputs are
 * checked against libjpeg/libwebp/libpng or against formulas. Run from
 * the repository root.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>

#include "plugin_harness.h"

#include "img_buf.h"
#include "img_composite.h"
#include "img_convert.h"
#include "img_geometry.h"
#include "img_jpeg_decode.h"
#include "img_jpeg_encode.h"
#include "img_load.h"
#include "img_orient.h"
#include "img_png_decode.h"
#include "img_resample.h"
#include "img_shrink.h"
#include "img_webp_encode.h"

static const unsigned char RED[3] = { 255, 0, 0 }, GREEN[3] = { 0, 255, 0 };
static const unsigned char FILL[4] = { 1, 2, 3, 4 }; /* any start value, up to 4 channels */

/* Under AddressSanitizer, let an impossible malloc() return NULL as libc
 * does, so the out-of-memory paths can be tested. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
    return "allocator_may_return_null=1";
}

/* An img_image_t over a harness image (no copy). */
static img_image_t view(const ph_image_t *im)
{
    img_image_t v = { im->px, im->w, im->h, (size_t) im->w * (size_t) im->ch, im->ch, 0 };
    return v;
}

/* A harness image copied from an img_image_t. */
static ph_image_t copy_of(const img_image_t *v)
{
    ph_image_t im = { v->width, v->height, v->channels,
                      malloc((size_t) v->width * v->height * v->channels) };
    int y;

    assert_non_null(im.px);
    for (y = 0; y < v->height; y++)
        memcpy(ph_px(&im, 0, y), img_row(v, y), (size_t) v->width * v->channels);
    return im;
}

/* ---- buffers -------------------------------------------------------------- */

static void test_buf(void **state)
{
    img_buf_t b = { 0 };
    img_err_t e;
    unsigned char *p;

    (void) state;
    assert_int_equal(img_buf_reserve(&b, 1000, &e), 0);
    assert_true(b.cap >= 1000);
    p = b.data;
    assert_int_equal(img_buf_reserve(&b, 10, &e), 0); /* no shrink, no move */
    assert_ptr_equal(b.data, p);
    memset(b.data, 7, 1000);
    assert_int_equal(img_buf_grow(&b, 100000, &e), 0);
    assert_true(b.cap >= 100000);
    assert_int_equal(b.data[999], 7); /* grow keeps contents */
    img_buf_trim(&b, 1 << 20);
    assert_non_null(b.data);
    img_buf_trim(&b, 1000);
    assert_null(b.data);
    assert_int_equal(b.cap, 0);
    assert_int_equal(img_buf_reserve(&b, (size_t) 1 << 46, &e), -1); /* 64 TiB */
    assert_int_equal(e.code, IMG_ERR_NOMEM);
    img_buf_free(&b);
}

/* ---- geometry ------------------------------------------------------------- */

static void test_geometry(void **state)
{
    img_geom_t g;
    img_rect_t r;
    int mw, mh;

    (void) state;
    img_geom_compute(1600, 1200, 256, 256, IMG_FIT, 0, &g); /* wide */
    assert_int_equal(g.width, 256);
    assert_int_equal(g.height, 192);
    assert_true(g.region.w == 1600 && g.region.h == 1200);
    img_geom_compute(900, 1600, 256, 256, IMG_FIT, 0, &g); /* tall */
    assert_int_equal(g.width, 144);
    assert_int_equal(g.height, 256);
    img_geom_compute(100, 50, 256, 256, IMG_FIT, 0, &g); /* fits: kept */
    assert_true(g.width == 100 && g.height == 50);
    img_geom_compute(100, 50, 256, 256, IMG_FIT, 1, &g); /* enlarged */
    assert_true(g.width == 256 && g.height == 128);
    img_geom_compute(4000, 1, 256, 256, IMG_FIT, 0, &g); /* never 0 */
    assert_true(g.width == 256 && g.height == 1);

    img_geom_compute(1600, 1200, 256, 256, IMG_FILL, 0, &g); /* cover, crop centre */
    assert_true(g.width == 256 && g.height == 256);
    assert_true(g.region.w == 1200 && g.region.h == 1200);
    assert_true(g.region.x == 200 && g.region.y == 0);
    img_geom_compute(301, 100, 64, 64, IMG_FILL, 0, &g); /* whole-pixel offset */
    assert_true(g.region.x == 100 && g.region.w == 100);
    img_geom_compute(300, 100, 256, 256, IMG_FILL, 0, &g); /* too small: crop only */
    assert_true(g.width == 256 && g.height == 100);
    assert_true(g.region.w == 256 && g.region.h == 100 && g.region.x == 22);

    img_geom_compute(1600, 1200, 256, 256, IMG_FILL, 0, &g);
    img_geom_min_decode(&g, 1600, 1200, &mw, &mh); /* region must keep 256 */
    assert_int_equal(mw, 342);
    assert_int_equal(mh, 256);
    r = img_geom_scale_region(&g, 1600, 1200, 400, 300);
    assert_true(r.x == 50 && r.y == 0 && r.w == 300 && r.h == 300);
}

/* ---- resampling ------------------------------------------------------------- */

/* Resamples region of src into a fresh w x h image. */
static ph_image_t resample(const img_image_t *src, img_rect_t region, int w, int h)
{
    static img_resampler_t rs;
    img_buf_t buf = { 0 };
    img_image_t dst;
    img_err_t e;
    ph_image_t out;

    assert_int_equal(img_image_alloc(&dst, w, h, src->channels, &buf, &e), 0);
    if (img_resample(&rs, src, &region, &dst, &e) != 0)
        fail_msg("resample: %s", e.msg);
    out = copy_of(&dst);
    img_buf_free(&buf);
    img_resampler_free(&rs);
    return out;
}

/* A solid image stays exactly solid, edges included, in every direction
 * and channel count (weights are renormalised at the edges). */
static void test_resample_solid(void **state)
{
    const unsigned char c[4] = { 200, 100, 30, 255 };
    static const int sizes[][4] = {
        /* src w, h -> dst w, h */
        { 100, 80, 33, 17 },
        { 5, 3, 40, 24 },
        { 640, 480, 7, 5 },
        { 10, 10, 10, 3 },
    };
    int ch, i, x, y;

    (void) state;
    for (ch = 1; ch <= 4; ch++) {
        if (ch == 2)
            continue;
        for (i = 0; i < 4; i++) {
            ph_image_t src = ph_image_solid(sizes[i][0], sizes[i][1], ch, c), out;
            img_image_t v = view(&src);
            img_rect_t all = { 0, 0, sizes[i][0], sizes[i][1] };

            v.premultiplied = ch == 4;
            out = resample(&v, all, sizes[i][2], sizes[i][3]);
            for (y = 0; y < out.h; y++)
                for (x = 0; x < out.w; x++)
                    if (!ph_near(&out, x, y, c, ch, 1))
                        fail_msg("ch %d, case %d: pixel %d,%d changed", ch, i, x, y);
            ph_image_free(&out);
            ph_image_free(&src);
        }
    }
}

/* A linear ramp stays linear: output pixel i shows the ramp at the centre
 * of the source span it covers, for a plain and a box-assisted factor. */
static void test_resample_ramp(void **state)
{
    static const int widths[] = { 2048, 1024, 300 };
    int t, x, i;

    (void) state;
    for (t = 0; t < 3; t++) {
        int w = widths[t], dw = 64;
        ph_image_t src = ph_image_solid(w, 4, 1, FILL), out;
        img_image_t v;
        img_rect_t all = { 0, 0, w, 4 };

        for (x = 0; x < w; x++)
            for (i = 0; i < 4; i++)
                ph_px(&src, x, i)[0] = (unsigned char) (x * 255 / (w - 1));
        v = view(&src);
        out = resample(&v, all, dw, 1);
        for (i = 4; i < dw - 4; i++) {
            double centre = (i + 0.5) * w / dw - 0.5, want = centre * 255 / (w - 1);

            if (fabs(ph_px(&out, i, 0)[0] - want) > 2.0)
                fail_msg("width %d: pixel %d = %d, want %.1f", w, i, ph_px(&out, i, 0)[0], want);
        }
        ph_image_free(&out);
        ph_image_free(&src);
    }
}

/* A one-pixel checkerboard reduced 10x (box then Lanczos) is flat grey:
 * no aliasing pattern survives. */
static void test_resample_checkerboard(void **state)
{
    const unsigned char black = 0;
    ph_image_t src = ph_image_solid(400, 300, 1, &black), out;
    img_image_t v;
    img_rect_t all = { 0, 0, 400, 300 };
    int x, y;

    (void) state;
    for (y = 0; y < 300; y++)
        for (x = (y & 1); x < 400; x += 2)
            ph_px(&src, x, y)[0] = 255;
    v = view(&src);
    out = resample(&v, all, 40, 30);
    for (y = 0; y < 30; y++)
        for (x = 0; x < 40; x++)
            assert_true(abs(ph_px(&out, x, y)[0] - 128) <= 2);
    ph_image_free(&out);
    ph_image_free(&src);
}

/* An unscaled whole-pixel crop is a copy; bad requests are refused. */
static void test_resample_crop_and_errors(void **state)
{
    ph_image_t src = ph_image_solid(20, 10, 3, FILL), out;
    img_image_t v, dst;
    img_rect_t crop = { 5, 2, 8, 6 }, outside = { 15, 0, 10, 10 };
    img_resampler_t rs = { 0 };
    img_buf_t buf = { 0 };
    img_err_t e;
    int x, y;

    (void) state;
    for (y = 0; y < 10; y++)
        for (x = 0; x < 20; x++)
            ph_px(&src, x, y)[1] = (unsigned char) (x * 10 + y);
    v = view(&src);
    out = resample(&v, crop, 8, 6);
    for (y = 0; y < 6; y++)
        for (x = 0; x < 8; x++)
            assert_int_equal(ph_px(&out, x, y)[1], (x + 5) * 10 + y + 2);
    ph_image_free(&out);

    assert_int_equal(img_image_alloc(&dst, 4, 4, 3, &buf, &e), 0);
    assert_int_equal(img_resample(&rs, &v, &outside, &dst, &e), -1);
    assert_int_equal(e.code, IMG_ERR_INVALID);
    dst.channels = 4;
    assert_int_equal(img_resample(&rs, &v, &crop, &dst, &e), -1);
    v.channels = 4; /* straight RGBA */
    assert_int_equal(img_resample(&rs, &v, &crop, &dst, &e), -1);
    assert_non_null(strstr(e.msg, "premultiplied"));
    img_buf_free(&buf);
    img_resampler_free(&rs);
    ph_image_free(&src);
}

/* Premultiplied resampling: invisible red does not tint visible green. */
static void test_resample_alpha(void **state)
{
    const unsigned char clear_red[4] = { 255, 0, 0, 0 }, green[4] = { 0, 255, 0, 255 };
    ph_image_t src = ph_image_solid(64, 8, 4, clear_red), out;
    img_image_t v, o;
    img_rect_t all = { 0, 0, 64, 8 };
    int x;

    (void) state;
    ph_fill(&src, 32, 0, 64, 8, green);
    v = view(&src);
    img_premultiply(&v);
    assert_int_equal(ph_px(&src, 0, 0)[0], 0); /* colour x alpha 0 */
    out = resample(&v, all, 16, 2);
    o = view(&out);
    o.premultiplied = 1;
    img_unpremultiply(&o);
    for (x = 0; x < 16; x++) {
        const unsigned char *p = ph_px(&out, x, 1);

        if (p[3] > 0 && (p[0] > 2 || p[1] < 250))
            fail_msg("pixel %d = %d,%d,%d,%d", x, p[0], p[1], p[2], p[3]);
    }
    assert_true(ph_px(&out, 4, 1)[3] == 0 && ph_px(&out, 12, 1)[3] == 255);
    ph_image_free(&out);
    ph_image_free(&src);
}

/* Box shrink: whole blocks and the partial blocks at the edges average
 * exactly the pixels they cover. */
static void test_box_shrink(void **state)
{
    ph_image_t src = ph_image_solid(10, 7, 1, FILL);
    img_image_t v, dst;
    img_buf_t buf = { 0 }, acc = { 0 };
    img_err_t e;
    int x, y;

    (void) state;
    for (y = 0; y < 7; y++)
        for (x = 0; x < 10; x++)
            ph_px(&src, x, y)[0] = (unsigned char) (x + 10 * y);
    v = view(&src);
    assert_int_equal(img_box_shrink(&v, 1, 1, 9, 6, 4, &dst, &buf, &acc, &e), 0);
    assert_int_equal(dst.width, 3);
    assert_int_equal(dst.height, 2);
    /* block (0,0): x 1..4, y 1..4: mean x 2.5, mean y 2.5 -> 27.5 */
    assert_int_equal(img_row(&dst, 0)[0], 28);
    /* block (2,1): x 9 only, y 5..6 -> 9 + 55 = 64 */
    assert_int_equal(img_row(&dst, 1)[2], 64);
    assert_int_equal(img_box_shrink(&v, 5, 0, 6, 7, 2, &dst, &buf, &acc, &e), -1);
    assert_int_equal(e.code, IMG_ERR_INVALID);
    img_buf_free(&buf);
    img_buf_free(&acc);
    ph_image_free(&src);
}

/* ---- orientation ------------------------------------------------------------ */

/* Where stored pixel (sx, sy) of a w x h image is displayed under EXIF
 * orientation o (the EXIF definitions, written out). */
static void displayed_at(int o, int w, int h, int sx, int sy, int *dx, int *dy)
{
    switch (o) {
    case 2:
        *dx = w - 1 - sx;
        *dy = sy;
        break;
    case 3:
        *dx = w - 1 - sx;
        *dy = h - 1 - sy;
        break;
    case 4:
        *dx = sx;
        *dy = h - 1 - sy;
        break;
    case 5:
        *dx = sy;
        *dy = sx;
        break;
    case 6:
        *dx = h - 1 - sy;
        *dy = sx;
        break;
    case 7:
        *dx = h - 1 - sy;
        *dy = w - 1 - sx;
        break;
    case 8:
        *dx = sy;
        *dy = w - 1 - sx;
        break;
    default:
        *dx = sx;
        *dy = sy;
        break;
    }
}

/* Every orientation moves every pixel where EXIF says, whole or in
 * strips of any height, for 1, 3 and 4 channels. */
static void test_orient(void **state)
{
    static const int chans[] = { 1, 3, 4 };
    int o, ci, x, y;

    (void) state;
    for (ci = 0; ci < 3; ci++) {
        int ch = chans[ci], w = 37, h = 23;
        ph_image_t src = ph_image_solid(w, h, ch, FILL);
        img_image_t v;

        for (y = 0; y < h; y++)
            for (x = 0; x < w; x++)
                memset(ph_px(&src, x, y), (x * 7 + y * 11) & 0xFF, (size_t) ch);
        v = view(&src);
        for (o = 1; o <= 8; o++) {
            img_buf_t buf = { 0 };
            img_image_t dst;
            img_err_t e;
            ph_image_t got, strips;
            int step, dx, dy;

            assert_int_equal(img_orient(&v, o, &dst, &buf, &e), 0);
            got = copy_of(&dst);
            assert_int_equal(got.w, o >= 5 ? h : w);
            for (y = 0; y < h; y++)
                for (x = 0; x < w; x++) {
                    displayed_at(o, w, h, x, y, &dx, &dy);
                    if (ph_px(&got, dx, dy)[0] != ph_px(&src, x, y)[0]
                        || ph_px(&got, dx, dy)[ch - 1] != ph_px(&src, x, y)[ch - 1])
                        fail_msg("ch %d orientation %d: %d,%d not at %d,%d", ch, o, x, y, dx, dy);
                }
            strips = ph_image_solid(got.w, got.h, ch, FILL);
            for (step = 1, y = 0; y < got.h; y += step, step = step % 19 + 2) {
                int n = got.h - y < step ? got.h - y : step;

                img_orient_rows(&v, o, y, n, ph_px(&strips, 0, y), (size_t) got.w * ch);
            }
            assert_memory_equal(strips.px, got.px, (size_t) got.w * got.h * ch);
            ph_image_free(&strips);
            ph_image_free(&got);
            img_buf_free(&buf);
        }
        ph_image_free(&src);
    }
}

/* ---- alpha, gray, compositing ------------------------------------------------ */

static void test_convert(void **state)
{
    const unsigned char px[4] = { 200, 100, 50, 128 };
    ph_image_t im = ph_image_solid(3, 1, 4, px);
    img_image_t v = view(&im), rgb;
    img_buf_t buf = { 0 };
    img_err_t e;
    const unsigned char bg[3] = { 255, 255, 255 };

    (void) state;
    ph_px(&im, 1, 0)[3] = 0;
    ph_px(&im, 2, 0)[3] = 255;
    img_premultiply(&v);
    assert_int_equal(ph_px(&im, 0, 0)[0], 100); /* 200 * 128 / 255 */
    assert_int_equal(ph_px(&im, 1, 0)[0], 0);
    assert_int_equal(ph_px(&im, 2, 0)[0], 200);
    img_unpremultiply(&v);
    assert_true(abs(ph_px(&im, 0, 0)[0] - 200) <= 1);
    assert_true(abs(ph_px(&im, 0, 0)[2] - 50) <= 2);
    img_flatten(&v, bg); /* straight alpha over white */
    assert_int_equal(v.channels, 3);
    assert_true(abs(im.px[0] - 227) <= 1); /* 200 * .5 + 255 * .5 */
    assert_int_equal(im.px[3], 255);       /* transparent: white */
    assert_int_equal(im.px[6], 200);       /* opaque: itself */
    ph_image_free(&im);

    im = ph_image_solid(2, 2, 1, px);
    v = view(&im);
    assert_int_equal(img_gray_to_rgb(&v, &rgb, &buf, &e), 0);
    assert_int_equal(rgb.channels, 3);
    assert_true(img_row(&rgb, 1)[3] == 200 && img_row(&rgb, 1)[5] == 200);
    assert_int_equal(img_gray_to_rgb(&rgb, &v, &buf, &e), -1);
    img_buf_free(&buf);
    ph_image_free(&im);
}

/* The overlay lands at its offset, clipped by the image, blended by its
 * (faded) alpha; strips give the same result as the whole image. */
static void test_composite(void **state)
{
    const unsigned char gray[3] = { 100, 100, 100 }, red_a[4] = { 255, 0, 0, 255 };
    ph_image_t ov = ph_image_solid(6, 4, 4, red_a), whole = ph_image_solid(10, 8, 3, gray);
    ph_image_t strips = ph_image_solid(10, 8, 3, gray);
    img_image_t o = view(&ov);
    int y, n;

    (void) state;
    ph_px(&ov, 0, 0)[3] = 0; /* one transparent pixel */
    img_premultiply(&o);
    img_overlay_fade(&o, 0.5);
    img_composite_rows(whole.px, 30, 10, 0, 8, &o, 7, -1); /* sticks out right and top */
    for (y = 0, n = 3; y < 8; y += n)
        img_composite_rows(ph_px(&strips, 0, y), 30, 10, y, 8 - y < n ? 8 - y : n, &o, 7, -1);
    assert_memory_equal(whole.px, strips.px, 10 * 8 * 3);
    assert_true(ph_near(&whole, 6, 0, gray, 3, 0));      /* left of it */
    assert_true(ph_near(&whole, 7, 3, gray, 3, 0));      /* below it */
    assert_true(abs(ph_px(&whole, 8, 1)[0] - 178) <= 1); /* 255 * .5 + 100 * .5 */
    assert_true(abs(ph_px(&whole, 9, 2)[1] - 50) <= 1);
    ph_image_free(&ov);
    ph_image_free(&whole);
    ph_image_free(&strips);
}

/* ---- JPEG decoding -------------------------------------------------------------- */

/* A w x h RGB JPEG with red/green halves. */
static unsigned char *halves_jpeg(int w, int h, int progressive, size_t *len)
{
    ph_image_t im = ph_image_solid(w, h, 3, RED);
    ph_jpeg_opts_t o = { 90, progressive, 0, 0, 0 };
    unsigned char *d;

    ph_fill(&im, w / 2, 0, w, h, GREEN);
    d = ph_jpeg_make(&im, &o, len);
    ph_image_free(&im);
    return d;
}

/* Decodes with the library; fails the test on error. */
static ph_image_t decode(const unsigned char *d, size_t len, int min_w, int min_h, int gray)
{
    img_jpeg_opts_t o = { min_w, min_h, gray, 0, NULL, NULL, 0 };
    img_buf_t buf = { 0 };
    img_image_t im;
    img_err_t e;
    ph_image_t out;

    if (img_jpeg_decode(d, len, &o, &im, &buf, NULL, &e) != 0)
        fail_msg("decode: %s", e.msg);
    out = copy_of(&im);
    img_buf_free(&buf);
    return out;
}

/* The scale is the smallest eighth whose output covers the minimum
 * times IMG_JPEG_DCT_GAP (1.5), else full size. */
static void test_jpeg_scale_choice(void **state)
{
    static const int cases[][4] = {
        /* min w, min h -> out w, h */
        { 66, 50, 100, 75 },   { 67, 10, 200, 150 }, { 10, 51, 200, 150 },
        { 100, 75, 200, 150 }, { 301, 0, 500, 375 }, { 350, 262, 600, 450 },
        { 534, 0, 800, 600 },  { 0, 0, 800, 600 },   { 5000, 10, 800, 600 },
    };
    size_t len, i;
    unsigned char *d = halves_jpeg(800, 600, 0, &len);

    (void) state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ph_image_t im = decode(d, len, cases[i][0], cases[i][1], 0);

        if (im.w != cases[i][2] || im.h != cases[i][3])
            fail_msg("min %dx%d gave %dx%d", cases[i][0], cases[i][1], im.w, im.h);
        assert_true(ph_near(&im, im.w / 8, im.h / 2, RED, 3, 12));
        assert_true(ph_near(&im, im.w * 7 / 8, im.h / 2, GREEN, 3, 12));
        ph_image_free(&im);
    }
    free(d);
}

/* Reading in small batches gives the whole-image decode. */
static void test_jpeg_reader_rows(void **state)
{
    size_t len;
    unsigned char *d = halves_jpeg(90, 70, 0, &len);
    ph_image_t whole = decode(d, len, 0, 0, 0), rows = ph_image_solid(90, 70, 3, RED);
    img_jpeg_opts_t o = { 0, 0, 0, 0, NULL, NULL, 0 };
    img_jpeg_reader_t r;
    img_err_t e;
    int y = 0, n;

    (void) state;
    assert_int_equal(img_jpeg_reader_open(&r, d, len, &o, &e), 0);
    assert_int_equal(r.row_bytes, 90 * 3);
    for (;;) {
        unsigned char *p[7];
        int i;

        for (i = 0; i < 7; i++)
            p[i] = ph_px(&rows, 0, y + i < 70 ? y + i : 69);
        n = img_jpeg_reader_read(&r, p, 70 - y < 7 ? 70 - y : 7, &e);
        assert_true(n >= 0);
        if (n == 0)
            break;
        y += n;
    }
    assert_int_equal(y, 70);
    assert_int_equal(img_jpeg_reader_finish(&r, &e), 0);
    assert_memory_equal(rows.px, whole.px, 90 * 70 * 3);
    ph_image_free(&rows);
    ph_image_free(&whole);
    free(d);
}

/* Gray JPEGs give one channel on request, RGB otherwise. */
static void test_jpeg_gray(void **state)
{
    const unsigned char g = 90;
    ph_image_t src = ph_image_solid(40, 30, 1, &g), a, b;
    ph_jpeg_opts_t o = { 90, 0, 0, 0, 0 };
    size_t len;
    unsigned char *d = ph_jpeg_make(&src, &o, &len);

    (void) state;
    a = decode(d, len, 0, 0, 1);
    b = decode(d, len, 0, 0, 0);
    assert_int_equal(a.ch, 1);
    assert_int_equal(b.ch, 3);
    assert_true(abs(a.px[0] - 90) <= 2);
    assert_true(b.px[0] == a.px[0] && b.px[1] == a.px[0] && b.px[2] == a.px[0]);
    ph_image_free(&a);
    ph_image_free(&b);
    ph_image_free(&src);
    free(d);
}

/* Removes the Adobe APP14 segment from a JPEG in place; returns the new length. */
static size_t strip_app14(unsigned char *d, size_t len)
{
    size_t i = 2;

    while (i + 4 <= len && d[i] == 0xFF && d[i + 1] != 0xDA) {
        size_t seg = 2 + ((size_t) d[i + 2] << 8 | d[i + 3]);

        if (d[i + 1] == 0xEE) {
            memmove(d + i, d + i + seg, len - i - seg);
            return len - seg;
        }
        i += seg;
    }
    fail_msg("no APP14");
    return len;
}

/* CMYK: inverted with an Adobe marker, plain without; both red here. */
static void test_jpeg_cmyk(void **state)
{
    const unsigned char inverted[4] = { 255, 0, 0, 255 }, plain[4] = { 0, 255, 255, 0 };
    ph_jpeg_opts_t o = { 95, 0, 0, 1, 0 };
    ph_image_t a = ph_image_solid(32, 16, 4, inverted), b = ph_image_solid(32, 16, 4, plain), im;
    size_t la, lb;
    unsigned char *da = ph_jpeg_make(&a, &o, &la), *db = ph_jpeg_make(&b, &o, &lb);

    (void) state;
    im = decode(da, la, 0, 0, 1);
    assert_int_equal(im.ch, 3);
    assert_true(ph_near(&im, 16, 8, RED, 3, 6));
    ph_image_free(&im);
    lb = strip_app14(db, lb);
    im = decode(db, lb, 0, 0, 1);
    assert_true(ph_near(&im, 16, 8, RED, 3, 6));
    ph_image_free(&im);
    im = decode(da, la, 2, 1, 1); /* DCT-scaled CMYK: 1/8 */
    assert_true(im.w == 4 && im.h == 2);
    assert_true(ph_near(&im, 2, 1, RED, 3, 6));
    ph_image_free(&im);
    ph_image_free(&a);
    ph_image_free(&b);
    free(da);
    free(db);
}

/* Decodes with libjpeg alone (no buffered mode) at scale 1/8. */
static ph_image_t reference_eighth(const unsigned char *d, size_t len)
{
    struct jpeg_decompress_struct c;
    ph_jerr_t e;
    ph_image_t im;
    int y;

    c.err = jpeg_std_error(&e.pub);
    e.pub.error_exit = ph_jerr_exit;
    if (setjmp(e.jmp))
        fail_msg("reference decode: %s", e.msg);
    jpeg_create_decompress(&c);
    jpeg_mem_src(&c, d, (unsigned long) len);
    jpeg_read_header(&c, TRUE);
    c.scale_num = 1;
    c.scale_denom = 8;
    c.out_color_space = JCS_RGB;
    jpeg_start_decompress(&c);
    im.w = (int) c.output_width, im.h = (int) c.output_height, im.ch = 3;
    im.px = malloc((size_t) im.w * im.h * 3);
    for (y = 0; y < im.h; y++) {
        JSAMPROW row = ph_px(&im, 0, y);

        jpeg_read_scanlines(&c, &row, 1);
    }
    jpeg_finish_decompress(&c);
    jpeg_destroy_decompress(&c);
    return im;
}

/* Progressive at 1/8 (chosen whenever 1/8 covers the minimum, gap or
 * not) stops after the DC scans and still matches a full decode; at 2/8
 * every scan is read. */
static void test_jpeg_progressive_early_stop(void **state)
{
    img_jpeg_opts_t eighth = { 128, 96, 0, 0, NULL, NULL, 0 },
                    quarter = { 129, 96, 0, 0, NULL, NULL, 0 };
    img_jpeg_reader_t r;
    img_err_t e;
    size_t len, blen, i;
    unsigned char *d = halves_jpeg(1024, 768, 1, &len), *b = halves_jpeg(1024, 768, 0, &blen);
    int total = ph_jpeg_count_scans(d, len);
    ph_image_t early, ref;
    double diff = 0;

    (void) state;
    assert_true(total >= 6);
    assert_int_equal(img_jpeg_reader_open(&r, b, blen, &eighth, &e), 0);
    assert_int_equal(r.scale_eighths, 2); /* baseline keeps the gap */
    img_jpeg_reader_close(&r);
    free(b);
    assert_int_equal(img_jpeg_reader_open(&r, d, len, &eighth, &e), 0);
    assert_true(r.buffered);
    assert_int_equal(r.scale_eighths, 1);
    assert_true(r.scans >= 1 && r.scans < total);
    img_jpeg_reader_close(&r);
    assert_int_equal(img_jpeg_reader_open(&r, d, len, &quarter, &e), 0);
    assert_false(r.buffered);
    assert_int_equal(r.scale_eighths, 2);
    img_jpeg_reader_close(&r);

    early = decode(d, len, 128, 96, 0);
    ref = reference_eighth(d, len);
    assert_int_equal(early.w, ref.w);
    assert_int_equal(early.h, ref.h);
    for (i = 0; i < (size_t) ref.w * ref.h * 3; i++)
        diff += abs(early.px[i] - ref.px[i]);
    assert_true(diff / (ref.w * ref.h * 3.0) < 1.5);
    ph_image_free(&early);
    ph_image_free(&ref);
    free(d);
}

/* A progressive JPEG with one scan per AC coefficient and component
 * (190 scans). */
static unsigned char *many_scans_jpeg(size_t *len)
{
    static jpeg_scan_info scans[1 + 63 * 3];
    struct jpeg_compress_struct c;
    ph_jerr_t e;
    ph_image_t im = ph_image_solid(64, 64, 3, RED);
    unsigned char *out = NULL;
    unsigned long n = 0;
    int i, k, y;

    scans[0].comps_in_scan = 3;
    for (i = 0; i < 3; i++)
        scans[0].component_index[i] = i;
    for (i = 1, k = 1; k < 64; k++) {
        int ci;

        for (ci = 0; ci < 3; ci++, i++) {
            scans[i].comps_in_scan = 1;
            scans[i].component_index[0] = ci;
            scans[i].Ss = scans[i].Se = k;
        }
    }
    c.err = jpeg_std_error(&e.pub);
    e.pub.error_exit = ph_jerr_exit;
    if (setjmp(e.jmp))
        fail_msg("many-scan encode: %s", e.msg);
    jpeg_create_compress(&c);
    jpeg_mem_dest(&c, &out, &n);
    c.image_width = c.image_height = 64;
    c.input_components = 3;
    c.in_color_space = JCS_RGB;
    jpeg_set_defaults(&c);
    c.scan_info = scans;
    c.num_scans = i;
    jpeg_start_compress(&c, TRUE);
    for (y = 0; y < 64; y++) {
        JSAMPROW row = ph_px(&im, 0, y);

        jpeg_write_scanlines(&c, &row, 1);
    }
    jpeg_finish_compress(&c);
    jpeg_destroy_compress(&c);
    ph_image_free(&im);
    *len = n;
    return out;
}

/* Every kind of bad input is an error with the decoder's reason. */
static void test_jpeg_errors(void **state)
{
    img_jpeg_opts_t o = { 0, 0, 0, 0, NULL, NULL, 0 }, small = { 0, 0, 0, 1000, NULL, NULL, 0 };
    img_buf_t buf = { 0 };
    img_image_t im;
    img_err_t e;
    size_t len, slen;
    unsigned char *d = halves_jpeg(300, 200, 0, &len), *c = malloc(len);
    unsigned char *s = many_scans_jpeg(&slen);

    (void) state;
    assert_int_equal(img_jpeg_decode(d, 0, &o, &im, &buf, NULL, &e), -1);
    assert_int_equal(e.code, IMG_ERR_CORRUPT);
    assert_non_null(strstr(e.msg, "Empty input"));
    assert_int_equal(
        img_jpeg_decode((const unsigned char *) "GIF89a....", 10, &o, &im, &buf, NULL, &e), -1);
    assert_non_null(strstr(e.msg, "Not a JPEG file"));
    assert_int_equal(img_jpeg_decode(d, len - 300, &o, &im, &buf, NULL, &e), -1);
    assert_non_null(strstr(e.msg, "Premature end of JPEG file"));
    assert_int_equal(img_jpeg_decode(d, len - 2, &o, &im, &buf, NULL, &e), -1); /* no EOI */
    assert_int_equal(e.code, IMG_ERR_CORRUPT);
    memcpy(c, d, len);
    ph_jpeg_damage_huffman(c, len, 32);
    assert_int_equal(img_jpeg_decode(c, len, &o, &im, &buf, NULL, &e), -1);
    assert_non_null(strstr(e.msg, "Corrupt JPEG data"));
    assert_int_equal(img_jpeg_decode(d, len, &small, &im, &buf, NULL, &e), -1);
    assert_int_equal(e.code, IMG_ERR_LIMIT);
    assert_string_equal(e.msg, "too many pixels: 300x200 > 1000");
    assert_int_equal(ph_jpeg_count_scans(s, slen), 190);
    assert_int_equal(img_jpeg_decode(s, slen, &o, &im, &buf, NULL, &e), -1);
    assert_non_null(strstr(e.msg, "too many scans"));
    assert_int_equal(img_jpeg_decode(d, len, &o, &im, &buf, NULL, &e), 0); /* still fine */
    img_buf_free(&buf);
    free(s);
    free(c);
    free(d);
}

/* ---- PNG decoding ------------------------------------------------------------------ */

static ph_image_t png_file(const char *path, uint64_t max_pixels, int *rc, img_err_t *e)
{
    size_t len;
    unsigned char *d = ph_read_file(path, &len);
    img_buf_t buf = { 0 };
    img_image_t im;
    ph_image_t out = { 0, 0, 0, NULL };

    *rc = img_png_decode(d, len, max_pixels, &im, &buf, NULL, e);
    if (*rc == 0)
        out = copy_of(&im);
    img_buf_free(&buf);
    free(d);
    return out;
}

/* Every colour type comes out 8-bit; interlaced equals non-interlaced. */
static void test_png(void **state)
{
    img_err_t e;
    int rc, i;
    ph_image_t rgb = png_file(PH_IMAGES "png-rgb.png", 0, &rc, &e), other, ref;

    (void) state;
    assert_int_equal(rc, 0);
    assert_int_equal(rgb.ch, 3);
    other = png_file(PH_IMAGES "png-interlaced.png", 0, &rc, &e);
    assert_int_equal(rc, 0);
    assert_memory_equal(other.px, rgb.px, (size_t) rgb.w * rgb.h * 3);
    ph_image_free(&other);
    ref = ph_png_read_rgba(PH_IMAGES "png-rgba.png");
    other = png_file(PH_IMAGES "png-rgba.png", 0, &rc, &e);
    assert_int_equal(other.ch, 4);
    assert_memory_equal(other.px, ref.px, (size_t) ref.w * ref.h * 4);
    ph_image_free(&other);
    ph_image_free(&ref);
    ref = png_file(PH_IMAGES "png-gray.png", 0, &rc, &e);
    other = png_file(PH_IMAGES "png-gray16.png", 0, &rc, &e);
    assert_int_equal(other.ch, 1);
    for (i = 0; i < ref.w * ref.h; i++)
        assert_true(abs(other.px[i] - ref.px[i]) <= 1);
    ph_image_free(&other);
    ph_image_free(&ref);
    other = png_file(PH_IMAGES "png-palette.png", 0, &rc, &e);
    assert_int_equal(other.ch, 3);
    ph_image_free(&other);
    ph_image_free(&rgb);
}

static void test_png_errors(void **state)
{
    img_err_t e;
    int rc;

    (void) state;
    png_file(PH_DATA "png-truncated.png", 0, &rc, &e);
    assert_int_equal(rc, -1);
    assert_int_equal(e.code, IMG_ERR_CORRUPT);
    png_file(PH_DATA "png-crc.png", 0, &rc, &e);
    assert_int_equal(rc, -1);
    assert_non_null(strstr(e.msg, "CRC"));
    png_file(PH_DATA "png-bomb.png", 100000000, &rc, &e);
    assert_int_equal(rc, -1);
    assert_int_equal(e.code, IMG_ERR_LIMIT);
    png_file(PH_IMAGES "jpeg-gray.jpg", 0, &rc, &e);
    assert_int_equal(rc, -1);
    assert_non_null(strstr(e.msg, "png:"));
}

/* ---- encoders ------------------------------------------------------------------------ */

static void test_jpeg_encode(void **state)
{
    ph_image_t src = ph_image_solid(50, 30, 3, RED), back;
    img_image_t v = view(&src);
    img_jpeg_enc_opts_t base = { 90, 0, 1, NULL }, prog = { 90, 1, 0, NULL },
                        bad = { 0, 0, 0, NULL };
    img_buf_t out = { 0 };
    img_err_t e;
    size_t len;

    (void) state;
    ph_fill(&src, 25, 0, 50, 30, GREEN);
    assert_int_equal(img_jpeg_encode(&v, &base, &out, &len, &e), 0);
    assert_true(ph_jpeg_has_marker(out.data, len, 0xC0));  /* baseline SOF0 */
    assert_false(ph_jpeg_has_marker(out.data, len, 0xE1)); /* no EXIF */
    assert_false(ph_jpeg_has_marker(out.data, len, 0xE2)); /* no ICC */
    assert_int_equal(ph_jpeg_decode(out.data, len, &back), 0);
    assert_true(back.w == 50 && back.h == 30 && back.ch == 3);
    assert_true(ph_near(&back, 5, 15, RED, 3, 10));
    assert_true(ph_near(&back, 45, 15, GREEN, 3, 10));
    ph_image_free(&back);
    assert_int_equal(img_jpeg_encode(&v, &prog, &out, &len, &e), 0);
    assert_true(ph_jpeg_has_marker(out.data, len, 0xC2)); /* progressive SOF2 */
    assert_int_equal(img_jpeg_encode(&v, &bad, &out, &len, &e), -1);
    assert_int_equal(e.code, IMG_ERR_INVALID);
    v.channels = 1;
    v.width = 150;
    assert_int_equal(img_jpeg_encode(&v, &base, &out, &len, &e), 0);
    assert_int_equal(ph_jpeg_decode(out.data, len, &back), 0);
    assert_int_equal(back.ch, 1);
    ph_image_free(&back);
    v.channels = 4;
    assert_int_equal(img_jpeg_encode(&v, &base, &out, &len, &e), -1);
    img_buf_free(&out);
    ph_image_free(&src);
}

static void test_webp_encode(void **state)
{
    const unsigned char half[4] = { 0, 0, 255, 128 };
    ph_image_t src = ph_image_solid(40, 20, 4, half), back;
    img_image_t v = view(&src);
    img_webp_opts_t lossy = { 80, 4, 0, NULL }, lossless = { 50, 1, 1, NULL },
                    bad = { 80, 9, 0, NULL };
    img_buf_t out = { 0 };
    img_err_t e;
    size_t len;
    int alpha, ll;

    (void) state;
    assert_int_equal(img_webp_encode(&v, &lossless, &out, &len, &e), 0);
    assert_int_equal(ph_webp_decode(out.data, len, &back, &alpha, &ll), 0);
    assert_true(alpha && ll && back.w == 40 && back.h == 20);
    assert_memory_equal(back.px, src.px, 40 * 20 * 4);
    ph_webp_free(&back);
    assert_int_equal(img_webp_encode(&v, &lossy, &out, &len, &e), 0);
    assert_int_equal(ph_webp_decode(out.data, len, &back, &alpha, &ll), 0);
    assert_true(alpha && !ll);
    assert_true(abs(ph_px(&back, 20, 10)[3] - 128) <= 2);
    ph_webp_free(&back);
    assert_int_equal(img_webp_encode(&v, &bad, &out, &len, &e), -1);
    assert_int_equal(e.code, IMG_ERR_INVALID);
    v.premultiplied = 1;
    assert_int_equal(img_webp_encode(&v, &lossy, &out, &len, &e), -1);
    v.premultiplied = 0;
    v.channels = 1;
    assert_int_equal(img_webp_encode(&v, &lossy, &out, &len, &e), -1);
    v.channels = 3;
    v.width = IMG_WEBP_MAX_SIDE + 1; /* refused before any pixel is read */
    assert_int_equal(img_webp_encode(&v, &lossy, &out, &len, &e), -1);
    assert_int_equal(e.code, IMG_ERR_LIMIT);
    img_buf_free(&out);
    ph_image_free(&src);
}

/* ---- probing ------------------------------------------------------------------------- */

static void test_load_probe(void **state)
{
    ii_info_t info;
    img_err_t e;
    size_t len, glen;
    unsigned char *d = halves_jpeg(300, 200, 0, &len);
    unsigned char *g = ph_read_file(PH_IMAGES "gif-still.gif", &glen);

    (void) state;
    assert_int_equal(img_load_probe(d, len, 0, &info, &e), 0);
    assert_true(info.type == II_TYPE_JPEG && info.width == 300 && info.orientation == 1);
    assert_int_equal(img_load_probe(d, 0, 0, &info, &e), -1);
    assert_int_equal(e.code, IMG_ERR_UNSUPPORTED);
    assert_string_equal(e.msg, "empty input");
    assert_int_equal(img_load_probe(g, glen, 0, &info, &e), 0);
    assert_int_equal(info.type, II_TYPE_GIF);
    assert_int_equal(img_load_probe((const unsigned char *) "BM6\0\0\0\0\0", 8, 0, &info, &e), -1);
    assert_string_equal(e.msg, "unsupported type: application/octet-stream");
    assert_int_equal(img_load_probe(d, 40, 0, &info, &e), -1);
    assert_int_equal(e.code, IMG_ERR_CORRUPT);
    assert_int_equal(img_load_probe(d, len, 59999, &info, &e), -1);
    assert_int_equal(e.code, IMG_ERR_LIMIT);
    assert_string_equal(e.msg, "too many pixels: 300x200 > 59999");
    assert_int_equal(img_load_probe(d, len, 60000, &info, &e), 0);
    free(g);
    free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buf),
        cmocka_unit_test(test_geometry),
        cmocka_unit_test(test_resample_solid),
        cmocka_unit_test(test_resample_ramp),
        cmocka_unit_test(test_resample_checkerboard),
        cmocka_unit_test(test_resample_crop_and_errors),
        cmocka_unit_test(test_resample_alpha),
        cmocka_unit_test(test_box_shrink),
        cmocka_unit_test(test_orient),
        cmocka_unit_test(test_convert),
        cmocka_unit_test(test_composite),
        cmocka_unit_test(test_jpeg_scale_choice),
        cmocka_unit_test(test_jpeg_reader_rows),
        cmocka_unit_test(test_jpeg_gray),
        cmocka_unit_test(test_jpeg_cmyk),
        cmocka_unit_test(test_jpeg_progressive_early_stop),
        cmocka_unit_test(test_jpeg_errors),
        cmocka_unit_test(test_png),
        cmocka_unit_test(test_png_errors),
        cmocka_unit_test(test_jpeg_encode),
        cmocka_unit_test(test_webp_encode),
        cmocka_unit_test(test_load_probe),
    };

    return cmocka_run_group_tests_name("imaging", tests, NULL, NULL);
}
