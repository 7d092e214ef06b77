/*
 * The avif plugin, loaded from build/plugins/avif.so and driven through
 * its descriptor: every input kind in, AVIF out, decoded back with
 * libheif (ph_avif_decode) to check the size, the pixels against a reference decode of
 * the input (mean absolute error), alpha and background, the quality
 * and speed params, max_dimension, EXIF orientation, the embedded
 * profile, and the refusals. Run from the repository root after
 * building the plugin.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "plugin_harness.h"

static const unsigned char RED[3] = { 255, 0, 0 }, GREEN[3] = { 0, 255, 0 };

static int setup(void **state)
{
    return ph_fixture_setup(state, "avif");
}

/* Decodes the single output, checks it is image.avif of w x h. */
static ph_avif_t decode_output(const fx_t *f, int w, int h)
{
    const ph_blob_t *b = ph_find(&f->out, "image.avif");
    ph_avif_t a;

    assert_int_equal(f->out.n, 1);
    assert_non_null(b);
    assert_string_equal(b->content_type, "image/avif");
    assert_int_equal(ph_avif_decode(b->data, b->len, &a), 0);
    if (a.im.w != w || a.im.h != h)
        fail_msg("image.avif is %dx%d, want %dx%d", a.im.w, a.im.h, w, h);
    return a;
}

/* Runs the plugin on a shared fixture (tests/data/images). */
static prism_result_t run_file(fx_t *f, const char *name)
{
    char path[256];

    snprintf(path, sizeof(path), "%s%s", PH_IMAGES, name);
    return ph_process_file(&f->p, path, &f->out);
}

/* The mean absolute RGB difference of two images of one size (RGB, RGBA
 * or gray reference). */
static double mean_diff(const ph_image_t *a, const ph_image_t *ref)
{
    double s = 0;
    int x, y, c;

    assert_int_equal(a->w, ref->w);
    assert_int_equal(a->h, ref->h);
    for (y = 0; y < ref->h; y++)
        for (x = 0; x < ref->w; x++)
            for (c = 0; c < 3; c++)
                s += abs((int) ph_px(a, x, y)[c] - (int) ph_px(ref, x, y)[ref->ch == 1 ? 0 : c]);
    return s / (ref->w * ref->h * 3.0);
}

/* Encodes the baseline JPEG fixture with kv and returns the output's
 * mean error against libjpeg's decode of it; its size in *size. */
static double jpeg_error(fx_t *f, const char *const *kv, size_t *size)
{
    size_t len;
    unsigned char *src = ph_read_file(PH_IMAGES "jpeg-baseline-420.jpg", &len);
    ph_image_t ref;
    ph_avif_t a;
    double d;

    ph_init_ok(&f->p, kv);
    assert_int_equal(ph_process(&f->p, src, len, &f->out), PRISM_OK);
    a = decode_output(f, 161, 97);
    assert_false(a.alpha);
    assert_int_equal(ph_jpeg_decode(src, len, &ref), 0);
    d = mean_diff(&a.im, &ref);
    *size = ph_find(&f->out, "image.avif")->len;
    ph_image_free(&a.im);
    ph_image_free(&ref);
    ph_destroy(&f->p);
    free(src);
    return d;
}

static void test_descriptor(void **state)
{
    const prism_plugin_t *pl = ((fx_t *) *state)->p.pl;
    const char *want[] = { "quality",    "speed",      "max_dimension",
                           "max_pixels", "background", "embed_icc" };
    size_t i;

    for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
        assert_string_equal(pl->params[i].name, want[i]);
    assert_null(pl->params[i].name);
    assert_string_equal(pl->params[0].default_value, "60");
    assert_true(pl->params[1].min == 0 && pl->params[1].max == 10);
    for (i = 0; pl->accepts[i]; i++)
        ;
    assert_int_equal(i, 7);
}

/* JPEG in: same size, opaque, close to libjpeg's decode; a higher quality
 * is closer and bigger; speed changes the encoding, not the fidelity. */
static void test_quality_and_speed(void **state)
{
    fx_t *f = *state;
    const char *q20[] = { "quality", "20", NULL }, *q90[] = { "quality", "90", NULL };
    const char *s2[] = { "speed", "2", NULL }, *s10[] = { "speed", "10", NULL };
    size_t n_def, n20, n90, n_s2, n_s10;
    double d_def = jpeg_error(f, NULL, &n_def), d20 = jpeg_error(f, q20, &n20),
           d90 = jpeg_error(f, q90, &n90), d_s2 = jpeg_error(f, s2, &n_s2),
           d_s10 = jpeg_error(f, s10, &n_s10);

    print_message("default %.2f (%zu B), q20 %.2f (%zu B), q90 %.2f (%zu B), "
                  "speed 2 %.2f (%zu B), speed 10 %.2f (%zu B)\n",
                  d_def, n_def, d20, n20, d90, n90, d_s2, n_s2, d_s10, n_s10);
    assert_true(d_def < 6.0);
    assert_true(d90 < 3.0);
    assert_true(d90 < d_def && d_def < d20);
    assert_true(n90 > n_def && n_def > n20);
    assert_true(d_s2 < 6.0 && d_s10 < 6.0);
    assert_true(n_s2 != n_s10);
}

/* A solid red photo stays red. */
static void test_solid_red(void **state)
{
    fx_t *f = *state;
    ph_jpeg_opts_t o = { 0 };
    size_t len;
    unsigned char *d = ph_jpeg_solid(300, 200, RED, &o, &len);
    ph_avif_t a;

    ph_init_ok(&f->p, NULL);
    assert_int_equal(ph_process(&f->p, d, len, &f->out), PRISM_OK);
    a = decode_output(f, 300, 200);
    assert_true(ph_near(&a.im, 0, 0, RED, 3, 12));
    assert_true(ph_near(&a.im, 150, 100, RED, 3, 12));
    assert_true(ph_near(&a.im, 299, 199, RED, 3, 12));
    ph_image_free(&a.im);
    free(d);
}

/* RGBA PNG: the alpha ramp survives, and the colours match; with a
 * background the transparent side takes its colour and alpha goes. */
static void test_alpha_and_background(void **state)
{
    fx_t *f = *state;
    const char *kv[] = { "background", "#ff0000", NULL };
    ph_image_t ref = ph_png_read_rgba(PH_IMAGES "png-rgba.png");
    ph_avif_t a;

    ph_init_ok(&f->p, NULL);
    assert_int_equal(run_file(f, "png-rgba.png"), PRISM_OK);
    a = decode_output(f, 150, 91);
    assert_true(a.alpha);
    assert_true(ph_px(&a.im, 0, 45)[3] < 8);
    assert_true(ph_px(&a.im, 149, 45)[3] > 245);
    assert_true(ph_near(&a.im, 149, 45, ph_px(&ref, 149, 45), 3, 16));
    ph_image_free(&a.im);
    ph_destroy(&f->p);

    ph_init_ok(&f->p, kv);
    assert_int_equal(run_file(f, "png-rgba.png"), PRISM_OK);
    a = decode_output(f, 150, 91);
    assert_false(a.alpha);
    assert_true(ph_near(&a.im, 0, 45, RED, 3, 16));
    ph_image_free(&a.im);
    ph_image_free(&ref);
}

/* max_dimension fits into the box and never enlarges; EXIF orientation
 * is applied before. */
static void test_max_dimension_and_orientation(void **state)
{
    fx_t *f = *state;
    const char *kv[] = { "max_dimension", "64", NULL };
    const char *kv_big[] = { "max_dimension", "1000", NULL };
    const char *kv_32[] = { "max_dimension", "32", NULL };
    ph_image_t src = ph_image_solid(1600, 800, 3, RED);
    ph_jpeg_opts_t o = { 0 };
    unsigned char *d;
    size_t len;
    ph_avif_t a;

    ph_init_ok(&f->p, kv);
    assert_int_equal(run_file(f, "jpeg-baseline-420.jpg"), PRISM_OK);
    a = decode_output(f, 64, 39);
    ph_image_free(&a.im);
    /* a big JPEG decoded at 1/8 and resampled stays faithful */
    ph_fill(&src, 800, 0, 1600, 800, GREEN);
    d = ph_jpeg_make(&src, &o, &len);
    assert_int_equal(ph_process(&f->p, d, len, &f->out), PRISM_OK);
    a = decode_output(f, 64, 32);
    assert_true(ph_near(&a.im, 8, 16, RED, 3, 16));
    assert_true(ph_near(&a.im, 56, 16, GREEN, 3, 16));
    ph_image_free(&a.im);
    ph_destroy(&f->p);

    ph_init_ok(&f->p, kv_big);
    assert_int_equal(run_file(f, "jpeg-baseline-420.jpg"), PRISM_OK);
    a = decode_output(f, 161, 97);
    ph_image_free(&a.im);
    assert_int_equal(run_file(f, "jpeg-orient-6.jpg"), PRISM_OK);
    a = decode_output(f, 40, 64);
    ph_image_free(&a.im);
    ph_destroy(&f->p);

    ph_init_ok(&f->p, kv_32);
    assert_int_equal(run_file(f, "jpeg-orient-8.jpg"), PRISM_OK);
    a = decode_output(f, 20, 32);
    ph_image_free(&a.im);
    ph_image_free(&src);
    free(d);
}

/* Every input type the imaging library decodes gives an AVIF of its
 * size (HEIC, AVIF, WebP, GIF: an animation's first frame, gray PNG);
 * alpha is kept where the picture has transparency (libavif writes no
 * alpha plane for an opaque one). */
static void test_input_types(void **state)
{
    fx_t *f = *state;
    static const struct {
        const char *file;
        int w, h, alpha;
    } in[] = {
        { "heic-64x48.heic", 64, 48, 0 },        { "avif-64x48.avif", 64, 48, 0 },
        { "avif-64x48-irot90.avif", 48, 64, 0 }, { "webp-lossy.webp", 150, 91, 0 },
        { "webp-alpha.webp", 150, 91, 1 },       { "webp-animated.webp", 64, 40, 0 },
        { "gif-animated.gif", 64, 40, 0 },       { "png-gray.png", 150, 91, 0 },
        { "gif-transparent.gif", 150, 91, 1 },
    };
    size_t i;

    ph_init_ok(&f->p, NULL);
    for (i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
        ph_avif_t a;

        if (run_file(f, in[i].file) != PRISM_OK)
            fail_msg("%s: %s", in[i].file, f->out.reason);
        a = decode_output(f, in[i].w, in[i].h);
        if (a.alpha != in[i].alpha)
            fail_msg("%s: alpha %d, want %d", in[i].file, a.alpha, in[i].alpha);
        ph_image_free(&a.im);
    }
}

/* embed_icc embeds a profile; by default there is none (nclx alone). */
static void test_embed_icc(void **state)
{
    fx_t *f = *state;
    const char *kv[] = { "embed_icc", "true", NULL };
    ph_avif_t a;

    ph_init_ok(&f->p, NULL);
    assert_int_equal(run_file(f, "jpeg-orient-1.jpg"), PRISM_OK);
    a = decode_output(f, 64, 40);
    assert_false(a.icc);
    ph_image_free(&a.im);
    ph_destroy(&f->p);
    ph_init_ok(&f->p, kv);
    assert_int_equal(run_file(f, "jpeg-orient-1.jpg"), PRISM_OK);
    a = decode_output(f, 64, 40);
    assert_true(a.icc);
    ph_image_free(&a.im);
}

/* Refusals: init with a bad background; each bad input a REJECT with a
 * reason naming the problem. */
static void test_rejects(void **state)
{
    fx_t *f = *state;
    const char *bad_bg[] = { "background", "red", NULL };
    ph_jpeg_opts_t o = { 0 };
    size_t len, wlen;
    unsigned char *d = ph_jpeg_solid(400, 300, GREEN, &o, &len), *c = malloc(len);
    unsigned char *wide = ph_jpeg_solid(17000, 16, GREEN, &o, &wlen);
    char err[256];

    assert_int_equal(ph_init(&f->p, bad_bg, err, sizeof(err)), -1);
    assert_string_equal(err, "background: want none or #rrggbb, got red");
    ph_init_ok(&f->p, NULL);
    memcpy(c, d, len);
    ph_jpeg_set_size(c, len, 9999, 9999);
    assert_int_equal(ph_process(&f->p, c, len, &f->out), PRISM_REJECT);
    assert_non_null(strstr(f->out.reason, "too many pixels: 9999x9999 > 50000000"));
    assert_int_equal(ph_process(&f->p, d, len / 2, &f->out), PRISM_REJECT);
    assert_non_null(strstr(f->out.reason, "Premature end of JPEG file"));
    assert_int_equal(ph_process(&f->p,
                                (const unsigned char *) "BM6\0\0\0\0\0\0\0\x36\0\0\0 a bitmap", 24,
                                &f->out),
                     PRISM_REJECT);
    assert_non_null(strstr(f->out.reason, "unsupported type"));
    assert_int_equal(ph_process_file(&f->p, PH_DATA "png-bomb.png", &f->out), PRISM_REJECT);
    assert_non_null(strstr(f->out.reason, "too many pixels"));
    assert_int_equal(ph_process(&f->p, wide, wlen, &f->out), PRISM_REJECT);
    assert_non_null(strstr(f->out.reason, "too large for AVIF"));
    free(wide);
    free(c);
    free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_descriptor, setup, teardown),
        cmocka_unit_test_setup_teardown(test_quality_and_speed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_solid_red, setup, teardown),
        cmocka_unit_test_setup_teardown(test_alpha_and_background, setup, teardown),
        cmocka_unit_test_setup_teardown(test_max_dimension_and_orientation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_input_types, setup, teardown),
        cmocka_unit_test_setup_teardown(test_embed_icc, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rejects, setup, teardown),
    };

    return cmocka_run_group_tests_name("plugin_avif", tests, NULL, NULL);
}
