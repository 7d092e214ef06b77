/*
 * The webp plugin, loaded from build/plugins/webp.so and driven through
 * its descriptor: JPEG and PNG in, WebP out, decoded back with libwebp to
 * check size, colour, alpha, losslessness, max_dimension (with shrink-on-
 * load and premultiplied resampling), EXIF orientation, gray and CMYK
 * inputs, animated GIFs kept animated (ImageMagick makes them; the
 * output is decoded with WebPAnimDecoder), and every refusal. Run from
 * the repository root after building the plugin.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <unistd.h>
#include <webp/demux.h>

#include "plugin_harness.h"

static const unsigned char RED[3] = { 255, 0, 0 }, GREEN[3] = { 0, 255, 0 };

static int setup(void **state)
{
    return ph_fixture_setup(state, "webp");
}

/* Decodes the single output, checks it is image.webp of w x h. */
static ph_image_t decode_output(fx_t *f, int w, int h, int *alpha, int *lossless)
{
    const ph_blob_t *b = ph_find(&f->out, "image.webp");
    ph_image_t im;

    assert_int_equal(f->out.n, 1);
    assert_non_null(b);
    assert_string_equal(b->content_type, "image/webp");
    assert_int_equal(ph_webp_decode(b->data, b->len, &im, alpha, lossless), 0);
    if (im.w != w || im.h != h)
        fail_msg("image.webp is %dx%d, want %dx%d", im.w, im.h, w, h);
    return im;
}

/* Runs the plugin on a shared fixture (tests/data/images). */
static prism_result_t run_file(fx_t *f, const char *name)
{
    char path[256];

    snprintf(path, sizeof(path), "%s%s", PH_IMAGES, name);
    return ph_process_file(&f->p, path, &f->out);
}

/* The mean absolute RGB difference of an RGBA image and an RGB or gray one. */
static double mean_diff(const ph_image_t *rgba, const ph_image_t *ref)
{
    double s = 0;
    int x, y, c;

    assert_int_equal(rgba->w, ref->w);
    assert_int_equal(rgba->h, ref->h);
    for (y = 0; y < ref->h; y++)
        for (x = 0; x < ref->w; x++)
            for (c = 0; c < 3; c++)
                s += abs((int) ph_px(rgba, x, y)[c] - (int) ph_px(ref, x, y)[ref->ch == 1 ? 0 : c]);
    return s / (ref->w * ref->h * 3.0);
}

static void test_descriptor(void **state)
{
    const prism_plugin_t *pl = ((fx_t *) *state)->p.pl;
    const char *want[] = { "quality",    "method",    "lossless", "max_dimension",
                           "max_pixels", "embed_icc", "animated", "max_frames" };
    size_t i;

    for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
        assert_string_equal(pl->params[i].name, want[i]);
    assert_null(pl->params[i].name);
    assert_string_equal(pl->params[0].default_value, "80");
    assert_true(pl->params[1].min == 0 && pl->params[1].max == 6);
}

/* JPEG in: same size, lossy, opaque, and close to libjpeg's own decode. */
static void test_jpeg_full_size(void **state)
{
    fx_t *f = *state;
    size_t len;
    unsigned char *src = ph_read_file(PH_IMAGES "jpeg-baseline-420.jpg", &len);
    ph_image_t ref, im;
    int alpha, lossless;

    ph_init_ok(&f->p, NULL);
    assert_int_equal(ph_process(&f->p, src, len, &f->out), PRISM_OK);
    im = decode_output(f, 161, 97, &alpha, &lossless);
    assert_false(alpha);
    assert_false(lossless);
    assert_int_equal(ph_jpeg_decode(src, len, &ref), 0);
    assert_true(mean_diff(&im, &ref) < 6.0);
    ph_webp_free(&im);
    ph_image_free(&ref);
    free(src);
}

/* A solid red photo stays red. */
static void test_solid_red(void **state)
{
    fx_t *f = *state;
    ph_jpeg_opts_t o = { 0 };
    size_t len;
    unsigned char *d = ph_jpeg_solid(300, 200, RED, &o, &len);
    ph_image_t im;
    int alpha, lossless;

    ph_init_ok(&f->p, NULL);
    assert_int_equal(ph_process(&f->p, d, len, &f->out), PRISM_OK);
    im = decode_output(f, 300, 200, &alpha, &lossless);
    assert_true(ph_near(&im, 0, 0, RED, 3, 12));
    assert_true(ph_near(&im, 150, 100, RED, 3, 12));
    assert_true(ph_near(&im, 299, 199, RED, 3, 12));
    ph_webp_free(&im);
    free(d);
}

/* RGBA PNG: the alpha ramp survives (transparent left, opaque right);
 * lossless keeps every visible pixel and every alpha value exactly. */
static void test_png_alpha(void **state)
{
    fx_t *f = *state;
    const char *kv[] = { "lossless", "true", NULL };
    ph_image_t ref = ph_png_read_rgba(PH_IMAGES "png-rgba.png"), im;
    int alpha, lossless, x, y;

    ph_init_ok(&f->p, NULL);
    assert_int_equal(run_file(f, "png-rgba.png"), PRISM_OK);
    im = decode_output(f, 150, 91, &alpha, &lossless);
    assert_true(alpha);
    assert_true(ph_px(&im, 0, 45)[3] < 8);
    assert_true(ph_px(&im, 149, 45)[3] > 245);
    ph_webp_free(&im);
    ph_destroy(&f->p);

    ph_init_ok(&f->p, kv);
    assert_int_equal(run_file(f, "png-rgba.png"), PRISM_OK);
    im = decode_output(f, 150, 91, &alpha, &lossless);
    assert_true(alpha);
    assert_true(lossless);
    for (y = 0; y < im.h; y++)
        for (x = 0; x < im.w; x++) {
            const unsigned char *a = ph_px(&im, x, y), *b = ph_px(&ref, x, y);

            assert_int_equal(a[3], b[3]);
            if (b[3] != 0)
                assert_memory_equal(a, b, 3);
        }
    ph_webp_free(&im);
    ph_image_free(&ref);
}

/* Lossless RGB and palette PNGs come back pixel for pixel. */
static void test_png_lossless_exact(void **state)
{
    fx_t *f = *state;
    const char *kv[] = { "lossless", "true", "quality", "50", "method", "2", NULL };
    const char *names[] = { PH_IMAGES "png-rgb.png", PH_IMAGES "png-palette.png",
                            PH_IMAGES "png-interlaced.png" };
    size_t i;

    ph_init_ok(&f->p, kv);
    for (i = 0; i < 3; i++) {
        ph_image_t ref = ph_png_read_rgba(names[i]), im;
        int alpha, lossless;

        assert_int_equal(ph_process_file(&f->p, names[i], &f->out), PRISM_OK);
        im = decode_output(f, ref.w, ref.h, &alpha, &lossless);
        assert_true(lossless);
        assert_false(alpha);
        assert_memory_equal(im.px, ref.px, (size_t) ref.w * ref.h * 4);
        ph_webp_free(&im);
        ph_image_free(&ref);
    }
}

/* With the defaults, a JPEG comes out as the very bytes of `cwebp -q 80`
 * (docs/plugins-builtin.md says so). */
static void test_defaults_are_cwebp(void **state)
{
    fx_t *f = *state;
    const char *kv[] = { NULL };
    const char *in = PH_IMAGES "jpeg-baseline-420.jpg";
    char tmp[] = "/tmp/prism-webp-XXXXXX", cmd[512];
    unsigned char *want;
    const ph_blob_t *b;
    size_t n;
    FILE *fh;
    int fd = mkstemp(tmp);

    assert_true(fd >= 0);
    close(fd);
    snprintf(cmd, sizeof(cmd), "cwebp -quiet -q 80 %s -o %s", in, tmp);
    assert_int_equal(system(cmd), 0);
    fh = fopen(tmp, "rb");
    assert_non_null(fh);
    want = malloc(1 << 20);
    assert_non_null(want);
    n = fread(want, 1, 1 << 20, fh);
    fclose(fh);
    unlink(tmp);
    ph_init_ok(&f->p, kv);
    assert_int_equal(ph_process_file(&f->p, in, &f->out), PRISM_OK);
    b = ph_find(&f->out, "image.webp");
    assert_non_null(b);
    assert_int_equal(b->len, n);
    assert_memory_equal(b->data, want, n);
    free(want);
}

/* max_dimension fits JPEG and PNG into the box and never enlarges. */
static void test_max_dimension(void **state)
{
    fx_t *f = *state;
    const char *kv[] = { "max_dimension", "64", NULL };
    const char *kv_big[] = { "max_dimension", "1000", NULL };
    ph_image_t im;
    int alpha, lossless;

    ph_init_ok(&f->p, kv);
    assert_int_equal(run_file(f, "jpeg-baseline-420.jpg"), PRISM_OK);
    im = decode_output(f, 64, 39, &alpha, &lossless);
    ph_webp_free(&im);
    assert_int_equal(run_file(f, "png-rgba.png"), PRISM_OK);
    im = decode_output(f, 64, 39, &alpha, &lossless);
    assert_true(alpha);
    assert_true(ph_px(&im, 0, 20)[3] < 16);
    assert_true(ph_px(&im, 63, 20)[3] > 235);
    ph_webp_free(&im);
    ph_destroy(&f->p);

    ph_init_ok(&f->p, kv_big);
    assert_int_equal(run_file(f, "jpeg-baseline-420.jpg"), PRISM_OK);
    im = decode_output(f, 161, 97, &alpha, &lossless);
    ph_webp_free(&im);
}

/* A big JPEG fitted into a small box (decoded at 1/8) stays faithful. */
static void test_max_dimension_shrink_on_load(void **state)
{
    fx_t *f = *state;
    const char *kv[] = { "max_dimension", "100", NULL };
    ph_image_t src = ph_image_solid(1600, 800, 3, RED), im;
    ph_jpeg_opts_t o = { 0 };
    unsigned char *d;
    size_t len;
    int alpha, lossless;

    ph_fill(&src, 800, 0, 1600, 800, GREEN);
    d = ph_jpeg_make(&src, &o, &len);
    ph_init_ok(&f->p, kv);
    assert_int_equal(ph_process(&f->p, d, len, &f->out), PRISM_OK);
    im = decode_output(f, 100, 50, &alpha, &lossless);
    assert_true(ph_near(&im, 10, 25, RED, 3, 16));
    assert_true(ph_near(&im, 90, 25, GREEN, 3, 16));
    ph_webp_free(&im);
    ph_image_free(&src);
    free(d);
}

/* Resizing premultiplies alpha: the colour of invisible pixels (red,
 * alpha 0) must not bleed into the visible green half. */
static void test_resize_no_colour_bleed(void **state)
{
    fx_t *f = *state;
    const char *kv[] = { "max_dimension", "50", "lossless", "true", NULL };
    const unsigned char clear_red[4] = { 255, 0, 0, 0 }, green[4] = { 0, 255, 0, 255 };
    ph_image_t src = ph_image_solid(200, 100, 4, clear_red), im;
    unsigned char *d;
    size_t len;
    int alpha, lossless, x, y, seen = 0;

    ph_fill(&src, 100, 0, 200, 100, green);
    d = ph_png_make(&src, &len);
    ph_init_ok(&f->p, kv);
    assert_int_equal(ph_process(&f->p, d, len, &f->out), PRISM_OK);
    im = decode_output(f, 50, 25, &alpha, &lossless);
    for (y = 0; y < im.h; y++)
        for (x = 0; x < im.w; x++) {
            const unsigned char *p = ph_px(&im, x, y);

            if (p[3] > 0) {
                seen++;
                if (p[0] > 8 || p[1] < 240)
                    fail_msg("pixel %d,%d = %d,%d,%d,%d: red bled in", x, y, p[0], p[1], p[2],
                             p[3]);
            }
        }
    assert_true(seen >= 25 * 25);
    ph_webp_free(&im);
    ph_image_free(&src);
    free(d);
}

/* EXIF orientation 6 on a 64x40 original gives a portrait WebP. */
static void test_orientation(void **state)
{
    fx_t *f = *state;
    const char *kv[] = { "max_dimension", "32", NULL };
    ph_image_t im;
    int alpha, lossless;

    ph_init_ok(&f->p, NULL);
    assert_int_equal(run_file(f, "jpeg-orient-6.jpg"), PRISM_OK);
    im = decode_output(f, 40, 64, &alpha, &lossless);
    ph_webp_free(&im);
    assert_int_equal(run_file(f, "jpeg-orient-3.jpg"), PRISM_OK);
    im = decode_output(f, 64, 40, &alpha, &lossless);
    ph_webp_free(&im);
    ph_destroy(&f->p);

    ph_init_ok(&f->p, kv);
    assert_int_equal(run_file(f, "jpeg-orient-8.jpg"), PRISM_OK);
    im = decode_output(f, 20, 32, &alpha, &lossless);
    ph_webp_free(&im);
}

/* Gray JPEG and PNG give neutral (R = G = B) WebPs close to the source;
 * CMYK gives the colours of the YCbCr version of the same picture. */
static void test_gray_and_cmyk(void **state)
{
    fx_t *f = *state;
    const char *kv[] = { "lossless", "true", NULL };
    ph_image_t im, ref;
    size_t len;
    unsigned char *src = ph_read_file(PH_IMAGES "jpeg-gray.jpg", &len);
    int alpha, lossless;

    ph_init_ok(&f->p, kv);
    assert_int_equal(ph_process(&f->p, src, len, &f->out), PRISM_OK);
    im = decode_output(f, 161, 97, &alpha, &lossless);
    assert_int_equal(ph_jpeg_decode(src, len, &ref), 0);
    assert_int_equal(ref.ch, 1);
    assert_true(mean_diff(&im, &ref) < 1.0);
    ph_webp_free(&im);
    ph_image_free(&ref);
    free(src);
    assert_int_equal(run_file(f, "png-gray16.png"), PRISM_OK);
    im = decode_output(f, 150, 91, &alpha, &lossless);
    assert_int_equal(ph_px(&im, 75, 45)[0], ph_px(&im, 75, 45)[2]);
    ph_webp_free(&im);

    assert_int_equal(run_file(f, "jpeg-cmyk.jpg"), PRISM_OK);
    im = decode_output(f, 64, 40, &alpha, &lossless);
    src = ph_read_file(PH_IMAGES "jpeg-orient-1.jpg", &len);
    assert_int_equal(ph_jpeg_decode(src, len, &ref), 0);
    assert_true(mean_diff(&im, &ref) < 12.0);
    ph_webp_free(&im);
    ph_image_free(&ref);
    free(src);
}

/* Refusals, each a REJECT with a reason naming the problem. */
static void test_rejects(void **state)
{
    fx_t *f = *state;
    const char *kv_fit[] = { "max_dimension", "1000", NULL };
    ph_jpeg_opts_t o = { 0 };
    size_t len, wlen;
    unsigned char *d = ph_jpeg_solid(400, 300, GREEN, &o, &len), *c = malloc(len);
    unsigned char *wide = ph_jpeg_solid(17000, 16, GREEN, &o, &wlen);
    ph_image_t im;
    int alpha, lossless;

    ph_init_ok(&f->p, NULL);
    memcpy(c, d, len);
    ph_jpeg_set_size(c, len, 50000, 40000);
    assert_int_equal(ph_process(&f->p, c, len, &f->out), PRISM_REJECT);
    assert_non_null(strstr(f->out.reason, "too many pixels"));
    /* the default is the ingress's prism_max_pixels: 9999x9999 is over it */
    ph_jpeg_set_size(c, len, 9999, 9999);
    assert_int_equal(ph_process(&f->p, c, len, &f->out), PRISM_REJECT);
    assert_non_null(strstr(f->out.reason, "too many pixels: 9999x9999 > 50000000"));
    assert_int_equal(ph_process(&f->p, d, len / 2, &f->out), PRISM_REJECT);
    assert_non_null(strstr(f->out.reason, "Premature end of JPEG file"));
    memcpy(c, d, len);
    ph_jpeg_damage_huffman(c, len, 64);
    assert_int_equal(ph_process(&f->p, c, len, &f->out), PRISM_REJECT);
    assert_non_null(strstr(f->out.reason, "Corrupt JPEG data"));
    assert_int_equal(ph_process(&f->p, d, 0, &f->out), PRISM_REJECT);
    assert_int_equal(ph_process(&f->p,
                                (const unsigned char *) "BM6\0\0\0\0\0\0\0\x36\0\0\0 a bitmap", 24,
                                &f->out),
                     PRISM_REJECT);
    assert_non_null(strstr(f->out.reason, "unsupported type"));
    assert_int_equal(ph_process_file(&f->p, PH_DATA "png-bomb.png", &f->out), PRISM_REJECT);
    assert_non_null(strstr(f->out.reason, "too many pixels"));
    assert_int_equal(ph_process_file(&f->p, PH_DATA "png-crc.png", &f->out), PRISM_REJECT);
    assert_non_null(strstr(f->out.reason, "CRC"));
    assert_int_equal(ph_process_file(&f->p, PH_DATA "png-truncated.png", &f->out), PRISM_REJECT);
    assert_non_null(strstr(f->out.reason, "png: "));
    /* wider than WebP allows at full size; fine when fitted */
    assert_int_equal(ph_process(&f->p, wide, wlen, &f->out), PRISM_REJECT);
    assert_non_null(strstr(f->out.reason, "too large for WebP"));
    ph_destroy(&f->p);
    ph_init_ok(&f->p, kv_fit);
    assert_int_equal(ph_process(&f->p, wide, wlen, &f->out), PRISM_OK);
    im = decode_output(f, 1000, 1, &alpha, &lossless);
    ph_webp_free(&im);
    free(wide);
    free(c);
    free(d);
}

/* The three frames of the test animation: each its left and right colour,
 * shown for 100, 200 and 300 ms. */
static const unsigned char ANIM[3][2][3] = {
    { { 255, 0, 0 }, { 0, 0, 255 } },
    { { 0, 255, 0 }, { 255, 255, 0 } },
    { { 0, 0, 255 }, { 255, 255, 255 } },
};
static const int ANIM_MS[3] = { 100, 200, 300 };

/* Writes the 40x30 test animation as a GIF with ImageMagick into a
 * temporary file; returns its path (to unlink). */
static char *make_anim_gif(void)
{
    static char path[] = "/tmp/prism-anim-XXXXXX.gif";
    char cmd[1024];
    int fd = mkstemps(path, 4), i, n;

    assert_true(fd >= 0);
    close(fd);
    n = snprintf(cmd, sizeof(cmd), "convert");
    for (i = 0; i < 3; i++)
        n += snprintf(cmd + n, sizeof(cmd) - (size_t) n,
                      " -delay %d '(' -size 40x30 xc:'rgb(%d,%d,%d)' -fill 'rgb(%d,%d,%d)'"
                      " -draw 'rectangle 20,0 39,29' ')'",
                      ANIM_MS[i] / 10, ANIM[i][0][0], ANIM[i][0][1], ANIM[i][0][2], ANIM[i][1][0],
                      ANIM[i][1][1], ANIM[i][1][2]);
    snprintf(cmd + n, sizeof(cmd) - (size_t) n, " -loop 0 %s", path);
    if (system(cmd) != 0)
        fail_msg("ImageMagick failed: %s", cmd);
    return path;
}

/* The mean absolute RGB difference of an RGBA w x h frame from test frame
 * k (left half, right half), the 4 columns around the seam left out
 * (resampling blends them). */
static double anim_diff(const unsigned char *rgba, int w, int h, int k)
{
    double s = 0;
    int x, y, c, n = 0;

    for (y = 0; y < h; y++)
        for (x = 0; x < w; x++) {
            if (x >= w / 2 - 2 && x < w / 2 + 2)
                continue;
            for (c = 0; c < 3; c++)
                s += abs((int) rgba[((size_t) y * w + x) * 4 + c] - (int) ANIM[k][x >= w / 2][c]);
            n += 3;
        }
    return s / n;
}

/* Decodes the animated image.webp with WebPAnimDecoder and checks it has
 * the test animation's 3 frames at w x h, their durations, and pixels
 * within tol of them (mean absolute error). */
static void check_anim(const fx_t *f, int w, int h, double tol)
{
    const ph_blob_t *b = ph_find(&f->out, "image.webp");
    WebPData data;
    WebPAnimDecoderOptions o;
    WebPAnimDecoder *dec;
    WebPAnimInfo ai;
    int k = 0, prev = 0;

    assert_non_null(b);
    data.bytes = b->data, data.size = b->len;
    assert_true(WebPAnimDecoderOptionsInit(&o));
    o.color_mode = MODE_RGBA;
    dec = WebPAnimDecoderNew(&data, &o);
    assert_non_null(dec);
    assert_true(WebPAnimDecoderGetInfo(dec, &ai));
    assert_int_equal(ai.frame_count, 3);
    assert_int_equal(ai.canvas_width, w);
    assert_int_equal(ai.canvas_height, h);
    assert_int_equal(ai.loop_count, 0);
    while (WebPAnimDecoderHasMoreFrames(dec)) {
        uint8_t *px;
        int ts;

        assert_true(WebPAnimDecoderGetNext(dec, &px, &ts));
        assert_true(k < 3);
        assert_int_equal(ts - prev, ANIM_MS[k]);
        if (anim_diff(px, w, h, k) > tol)
            fail_msg("frame %d differs by %.2f (> %.2f)", k, anim_diff(px, w, h, k), tol);
        prev = ts;
        k++;
    }
    assert_int_equal(k, 3);
    WebPAnimDecoderDelete(dec);
}

/* An animated GIF: with animated, an animated WebP with every frame and
 * its duration (lossy, lossless, fitted into a box); without, its first
 * frame alone; max_frames and max_pixels bound all frames together. */
static void test_animated_gif(void **state)
{
    fx_t *f = *state;
    const char *kv[] = { "animated", "true", NULL };
    const char *kv_exact[] = { "animated", "true", "lossless", "true", NULL };
    const char *kv_fit[] = { "animated", "true", "max_dimension", "20", NULL };
    const char *kv_frames[] = { "animated", "true", "max_frames", "2", NULL };
    const char *kv_pixels[] = { "animated", "true", "max_pixels", "3000", NULL };
    char *gif = make_anim_gif();
    ph_image_t im;
    int alpha, lossless;

    ph_init_ok(&f->p, kv);
    assert_int_equal(ph_process_file(&f->p, gif, &f->out), PRISM_OK);
    check_anim(f, 40, 30, 6.0);
    ph_destroy(&f->p);
    ph_init_ok(&f->p, kv_exact);
    assert_int_equal(ph_process_file(&f->p, gif, &f->out), PRISM_OK);
    check_anim(f, 40, 30, 0.0);
    ph_destroy(&f->p);
    ph_init_ok(&f->p, kv_fit);
    assert_int_equal(ph_process_file(&f->p, gif, &f->out), PRISM_OK);
    check_anim(f, 20, 15, 8.0);
    ph_destroy(&f->p);

    ph_init_ok(&f->p, NULL);
    assert_int_equal(ph_process_file(&f->p, gif, &f->out), PRISM_OK);
    im = decode_output(f, 40, 30, &alpha, &lossless);
    assert_true(anim_diff(im.px, 40, 30, 0) < 6.0);
    ph_webp_free(&im);
    ph_destroy(&f->p);

    ph_init_ok(&f->p, kv_frames);
    assert_int_equal(ph_process_file(&f->p, gif, &f->out), PRISM_REJECT);
    assert_non_null(strstr(f->out.reason, "too many frames"));
    ph_destroy(&f->p);
    ph_init_ok(&f->p, kv_pixels);
    assert_int_equal(ph_process_file(&f->p, gif, &f->out), PRISM_REJECT);
    assert_non_null(strstr(f->out.reason, "animation over the pixel limit"));
    unlink(gif);
}

/* Decodes an animated WebP's frames (RGBA canvases) with WebPAnimDecoder
 * into a malloc()ed array of *n frames of *w x *h, durations in ms[]
 * (at most 8). */
static unsigned char *anim_frames(const unsigned char *d, size_t len, int *n, int *w, int *h,
                                  int ms[8])
{
    WebPData data = { d, len };
    WebPAnimDecoderOptions o;
    WebPAnimDecoder *dec;
    WebPAnimInfo ai;
    unsigned char *all;
    int prev = 0;

    assert_true(WebPAnimDecoderOptionsInit(&o));
    o.color_mode = MODE_RGBA;
    dec = WebPAnimDecoderNew(&data, &o);
    assert_non_null(dec);
    assert_true(WebPAnimDecoderGetInfo(dec, &ai));
    assert_true(ai.frame_count <= 8);
    *w = (int) ai.canvas_width, *h = (int) ai.canvas_height, *n = 0;
    all = malloc((size_t) *w * *h * 4 * ai.frame_count);
    assert_non_null(all);
    while (WebPAnimDecoderHasMoreFrames(dec)) {
        uint8_t *px;
        int ts;

        assert_true(WebPAnimDecoderGetNext(dec, &px, &ts));
        memcpy(all + (size_t) *n * *w * *h * 4, px, (size_t) *w * *h * 4);
        ms[*n] = ts - prev;
        prev = ts;
        (*n)++;
    }
    WebPAnimDecoderDelete(dec);
    return all;
}

/* An animated WebP stays animated, lossless pixel for pixel: its frames
 * and durations as libwebp decodes them from the original. */
static void test_animated_webp(void **state)
{
    fx_t *f = *state;
    const char *kv[] = { "animated", "true", "lossless", "true", NULL };
    size_t len;
    unsigned char *src = ph_read_file(PH_IMAGES "webp-animated.webp", &len), *want, *got;
    int n, w, h, n2, w2, h2, ms[8], ms2[8], i;
    const ph_blob_t *b;

    ph_init_ok(&f->p, kv);
    assert_int_equal(ph_process(&f->p, src, len, &f->out), PRISM_OK);
    b = ph_find(&f->out, "image.webp");
    assert_non_null(b);
    want = anim_frames(src, len, &n, &w, &h, ms);
    got = anim_frames(b->data, b->len, &n2, &w2, &h2, ms2);
    assert_int_equal(n, 3);
    assert_int_equal(n2, n);
    assert_int_equal(w2, w);
    assert_int_equal(h2, h);
    for (i = 0; i < n; i++)
        assert_int_equal(ms2[i], ms[i]);
    assert_memory_equal(got, want, (size_t) n * w * h * 4);
    free(got);
    free(want);
    free(src);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_descriptor, setup, teardown),
        cmocka_unit_test_setup_teardown(test_jpeg_full_size, setup, teardown),
        cmocka_unit_test_setup_teardown(test_solid_red, setup, teardown),
        cmocka_unit_test_setup_teardown(test_png_alpha, setup, teardown),
        cmocka_unit_test_setup_teardown(test_png_lossless_exact, setup, teardown),
        cmocka_unit_test_setup_teardown(test_defaults_are_cwebp, setup, teardown),
        cmocka_unit_test_setup_teardown(test_max_dimension, setup, teardown),
        cmocka_unit_test_setup_teardown(test_max_dimension_shrink_on_load, setup, teardown),
        cmocka_unit_test_setup_teardown(test_resize_no_colour_bleed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_orientation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gray_and_cmyk, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rejects, setup, teardown),
        cmocka_unit_test_setup_teardown(test_animated_gif, setup, teardown),
        cmocka_unit_test_setup_teardown(test_animated_webp, setup, teardown),
    };

    return cmocka_run_group_tests_name("plugin_webp", tests, NULL, NULL);
}
