/*
 * The thumbnail plugin, loaded from build/plugins/thumbnail.so and driven
 * through its descriptor: sizes and modes, EXIF orientations (dimensions
 * and where each corner ends up), colour fidelity, gray/CMYK/progressive/
 * PNG inputs, every refusal (pixel bomb, truncated, damaged, empty,
 * unsupported), init validation and RETRY when the host refuses output.
 * Run from the repository root after building the plugin.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "plugin_harness.h"

static const unsigned char RED[3] = { 255, 0, 0 }, GREEN[3] = { 0, 255, 0 },
                           BLUE[3] = { 0, 0, 255 }, WHITE[3] = { 255, 255, 255 };

static int setup(void **state)
{
    return ph_fixture_setup(state, "thumbnail");
}

/* Decodes the output named suffix, checks it is a JPEG of w x h. */
static ph_image_t decode_output(fx_t *f, const char *suffix, int w, int h)
{
    const ph_blob_t *b = ph_find(&f->out, suffix);
    ph_image_t im;

    if (b == NULL)
        fail_msg("no output %s", suffix);
    assert_string_equal(b->content_type, "image/jpeg");
    assert_int_equal(ph_jpeg_decode(b->data, b->len, &im), 0);
    if (im.w != w || im.h != h)
        fail_msg("%s is %dx%d, want %dx%d", suffix, im.w, im.h, w, h);
    return im;
}

/* Runs the plugin on a shared fixture (tests/data/images). */
static prism_result_t run_file(fx_t *f, const char *name)
{
    char path[256];

    snprintf(path, sizeof(path), "%s%s", PH_IMAGES, name);
    return ph_process_file(&f->p, path, &f->out);
}

static void test_descriptor(void **state)
{
    const prism_plugin_t *pl = ((fx_t *) *state)->p.pl;
    const char *want[] = { "sizes",      "mode",       "quality",  "progressive",
                           "max_pixels", "background", "embed_icc" };
    size_t i;

    for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
        assert_string_equal(pl->params[i].name, want[i]);
    assert_null(pl->params[i].name);
    assert_string_equal(pl->params[0].default_value, "128,256,512");
    assert_int_equal(pl->params[0].type, PRISM_PARAM_INT_LIST);
    assert_string_equal(pl->params[1].choices, "fit|fill");
}

/* Default sizes on a 161x97 JPEG: 128 fits to 128x77; 256 and 512 would
 * enlarge, so they keep the original size. */
static void test_default_sizes_fit(void **state)
{
    fx_t *f = *state;
    ph_image_t im;

    ph_init_ok(&f->p, NULL);
    assert_int_equal(run_file(f, "jpeg-baseline-420.jpg"), PRISM_OK);
    assert_int_equal(f->out.n, 3);
    im = decode_output(f, "128.jpg", 128, 77);
    ph_image_free(&im);
    im = decode_output(f, "256.jpg", 161, 97);
    ph_image_free(&im);
    im = decode_output(f, "512.jpg", 161, 97);
    ph_image_free(&im);
}

/* fill: a square when the original covers it, else a crop that does not
 * enlarge; fit of a tall image limits the height. */
static void test_fill_and_tall_fit(void **state)
{
    fx_t *f = *state;
    const char *kv[] = { "sizes", "64,120", "mode", "fill", NULL };
    const char *kv_fit[] = { "sizes", "100", NULL };
    ph_jpeg_opts_t o = { 0 };
    size_t len;
    unsigned char *tall = ph_jpeg_solid(300, 1200, RED, &o, &len);
    ph_image_t im;

    ph_init_ok(&f->p, kv);
    assert_int_equal(run_file(f, "jpeg-baseline-420.jpg"), PRISM_OK);
    im = decode_output(f, "64.jpg", 64, 64);
    ph_image_free(&im);
    im = decode_output(f, "120.jpg", 120, 97);
    ph_image_free(&im);
    assert_int_equal(ph_process(&f->p, tall, len, &f->out), PRISM_OK);
    im = decode_output(f, "120.jpg", 120, 120);
    ph_image_free(&im);
    ph_destroy(&f->p);

    ph_init_ok(&f->p, kv_fit);
    assert_int_equal(ph_process(&f->p, tall, len, &f->out), PRISM_OK);
    im = decode_output(f, "100.jpg", 25, 100);
    ph_image_free(&im);
    free(tall);
}

/* A large original is decoded at a reduced DCT scale yet every size
 * stays faithful: a solid red photo gives solid red thumbnails. */
static void test_solid_red_stays_red(void **state)
{
    fx_t *f = *state;
    const char *kv[] = { "sizes", "64,256", "mode", "fill", "quality", "90", NULL };
    ph_jpeg_opts_t o = { 0 };
    size_t len;
    unsigned char *d = ph_jpeg_solid(1600, 1200, RED, &o, &len);
    ph_image_t im;
    int x, y;

    ph_init_ok(&f->p, kv);
    assert_int_equal(ph_process(&f->p, d, len, &f->out), PRISM_OK);
    im = decode_output(f, "256.jpg", 256, 256);
    for (y = 0; y < im.h; y += 5)
        for (x = 0; x < im.w; x += 5)
            assert_true(ph_near(&im, x, y, RED, 3, 10));
    ph_image_free(&im);
    im = decode_output(f, "64.jpg", 64, 64);
    assert_true(ph_near(&im, 0, 0, RED, 3, 10));
    assert_true(ph_near(&im, 63, 63, RED, 3, 10));
    ph_image_free(&im);
    free(d);
}

/* Where stored pixel (sx, sy) of a w x h image appears when displayed
 * under EXIF orientation o (the EXIF definitions, written out). */
static void displayed_at(int o, int w, int h, int sx, int sy, int *dx, int *dy)
{
    switch (o) {
    case 1:
        *dx = sx;
        *dy = sy;
        break;
    case 2:
        *dx = w - 1 - sx;
        *dy = sy;
        break; /* mirrored */
    case 3:
        *dx = w - 1 - sx;
        *dy = h - 1 - sy;
        break; /* turned 180 */
    case 4:
        *dx = sx;
        *dy = h - 1 - sy;
        break; /* flipped */
    case 5:
        *dx = sy;
        *dy = sx;
        break; /* transposed */
    case 6:
        *dx = h - 1 - sy;
        *dy = sx;
        break; /* needs 90 clockwise */
    case 7:
        *dx = h - 1 - sy;
        *dy = w - 1 - sx;
        break; /* transversed */
    default:
        *dx = sy;
        *dy = w - 1 - sx;
        break; /* 8: needs 90 counter-clockwise */
    }
}

/* Every orientation on a 80x40 image with coloured quadrants: the 40x20
 * thumbnail is landscape for 1..4 and portrait for 5..8, and each stored
 * quadrant lands where EXIF says it should be displayed. */
static void test_orientations(void **state)
{
    fx_t *f = *state;
    const char *kv[] = { "sizes", "40", NULL };
    const unsigned char *quad[4] = { RED, GREEN, BLUE, WHITE }; /* TL TR BL BR */
    int o;

    ph_init_ok(&f->p, kv);
    for (o = 1; o <= 8; o++) {
        ph_image_t src = ph_image_solid(80, 40, 3, RED), im;
        ph_jpeg_opts_t jo = { 95, 0, o, 0, 0 };
        unsigned char *d;
        size_t len;
        int q, swap = o >= 5;

        ph_fill(&src, 40, 0, 80, 20, GREEN);
        ph_fill(&src, 0, 20, 40, 40, BLUE);
        ph_fill(&src, 40, 20, 80, 40, WHITE);
        d = ph_jpeg_make(&src, &jo, &len);
        assert_int_equal(ph_process(&f->p, d, len, &f->out), PRISM_OK);
        im = decode_output(f, "40.jpg", swap ? 20 : 40, swap ? 40 : 20);
        for (q = 0; q < 4; q++) {
            /* the centre of quadrant q, in the 40x20 stored scale */
            int sx = q % 2 ? 30 : 10, sy = q / 2 ? 15 : 5, dx, dy;

            displayed_at(o, 40, 20, sx, sy, &dx, &dy);
            if (!ph_near(&im, dx, dy, quad[q], 3, 40))
                fail_msg("orientation %d: quadrant %d not at %d,%d", o, q, dx, dy);
        }
        ph_image_free(&im);
        ph_image_free(&src);
        free(d);
    }
}

/* The imageinfo fixtures with EXIF orientations 1..8 (64x40). */
static void test_orientation_fixtures(void **state)
{
    fx_t *f = *state;
    const char *kv[] = { "sizes", "32", NULL };
    int o;

    ph_init_ok(&f->p, kv);
    for (o = 1; o <= 8; o++) {
        char name[64];
        ph_image_t im;

        snprintf(name, sizeof(name), "jpeg-orient-%d.jpg", o);
        assert_int_equal(run_file(f, name), PRISM_OK);
        im = decode_output(f, "32.jpg", o >= 5 ? 20 : 32, o >= 5 ? 32 : 20);
        ph_image_free(&im);
    }
}

/* The output carries no EXIF (APP1), whatever the input had. */
static void test_metadata_stripped(void **state)
{
    fx_t *f = *state;
    const char *kv[] = { "sizes", "32", NULL };
    const ph_blob_t *b;

    ph_init_ok(&f->p, kv);
    assert_int_equal(run_file(f, "jpeg-orient-6.jpg"), PRISM_OK);
    b = ph_find(&f->out, "32.jpg");
    assert_non_null(b);
    assert_false(ph_jpeg_has_marker(b->data, b->len, 0xE1));
}

/* Gray in, gray (one component) out. */
static void test_gray(void **state)
{
    fx_t *f = *state;
    const char *kv[] = { "sizes", "80", NULL };
    ph_image_t im;

    ph_init_ok(&f->p, kv);
    assert_int_equal(run_file(f, "jpeg-gray.jpg"), PRISM_OK);
    im = decode_output(f, "80.jpg", 80, 48);
    assert_int_equal(im.ch, 1);
    ph_image_free(&im);
}

/* The mean absolute difference of two same-sized RGB images. */
static double mean_diff(const ph_image_t *a, const ph_image_t *b)
{
    size_t i, n = (size_t) a->w * a->h * 3;
    double s = 0;

    assert_int_equal(a->w, b->w);
    assert_int_equal(a->h, b->h);
    for (i = 0; i < n; i++)
        s += abs((int) a->px[i] - (int) b->px[i]);
    return s / (double) n;
}

/* CMYK (ImageMagick, Adobe inverted) comes out in the same colours as the
 * YCbCr JPEG of the same picture; a libjpeg-made inverted-CMYK red is red. */
static void test_cmyk(void **state)
{
    fx_t *f = *state;
    const char *kv[] = { "sizes", "48", NULL };
    const unsigned char inv_red[4] = { 255, 0, 0, 255 }; /* C=0 M=Y=100% K=0, inverted */
    ph_image_t a, b, src = ph_image_solid(64, 64, 4, inv_red);
    ph_jpeg_opts_t o = { 95, 0, 0, 1, 0 };
    unsigned char *d;
    size_t len;

    ph_init_ok(&f->p, kv);
    assert_int_equal(run_file(f, "jpeg-cmyk.jpg"), PRISM_OK);
    a = decode_output(f, "48.jpg", 48, 30);
    assert_int_equal(a.ch, 3);
    assert_int_equal(run_file(f, "jpeg-orient-1.jpg"), PRISM_OK);
    b = decode_output(f, "48.jpg", 48, 30);
    assert_true(mean_diff(&a, &b) < 12.0);
    ph_image_free(&a);
    ph_image_free(&b);

    d = ph_jpeg_make(&src, &o, &len);
    assert_true(ph_jpeg_has_marker(d, len, 0xEE)); /* Adobe APP14 */
    assert_int_equal(ph_process(&f->p, d, len, &f->out), PRISM_OK);
    a = decode_output(f, "48.jpg", 48, 48);
    assert_true(ph_near(&a, 24, 24, RED, 3, 10));
    ph_image_free(&a);
    ph_image_free(&src);
    free(d);
}

/* Progressive input: the small fixture, and a big one decoded at 1/8
 * with only its DC scans; both agree with the baseline rendering. */
static void test_progressive(void **state)
{
    fx_t *f = *state;
    const char *kv[] = { "sizes", "96", NULL };
    ph_image_t a, b, src = ph_image_solid(1024, 768, 3, BLUE);
    ph_jpeg_opts_t prog = { 90, 1, 0, 0, 0 }, base = { 90, 0, 0, 0, 0 };
    unsigned char *dp, *db;
    size_t lp, lb;

    ph_init_ok(&f->p, kv);
    assert_int_equal(run_file(f, "jpeg-progressive.jpg"), PRISM_OK);
    a = decode_output(f, "96.jpg", 96, 58);
    assert_int_equal(run_file(f, "jpeg-baseline-420.jpg"), PRISM_OK);
    b = decode_output(f, "96.jpg", 96, 58);
    assert_true(mean_diff(&a, &b) < 6.0);
    ph_image_free(&a);
    ph_image_free(&b);

    ph_fill(&src, 0, 0, 512, 384, RED);
    ph_fill(&src, 512, 384, 1024, 768, GREEN);
    dp = ph_jpeg_make(&src, &prog, &lp);
    db = ph_jpeg_make(&src, &base, &lb);
    assert_true(ph_jpeg_count_scans(dp, lp) > 3);
    assert_int_equal(ph_process(&f->p, dp, lp, &f->out), PRISM_OK);
    a = decode_output(f, "96.jpg", 96, 72);
    assert_int_equal(ph_process(&f->p, db, lb, &f->out), PRISM_OK);
    b = decode_output(f, "96.jpg", 96, 72);
    assert_true(mean_diff(&a, &b) < 3.0);
    assert_true(ph_near(&a, 10, 10, RED, 3, 16));
    assert_true(ph_near(&a, 85, 60, GREEN, 3, 16));
    ph_image_free(&a);
    ph_image_free(&b);
    ph_image_free(&src);
    free(dp);
    free(db);
}

/* PNG inputs of every colour type; transparency is laid over white. */
static void test_png_inputs(void **state)
{
    fx_t *f = *state;
    const char *kv[] = { "sizes", "100", NULL };
    const char *names[] = { "png-rgb.png",    "png-rgba.png",    "png-gray.png",
                            "png-gray16.png", "png-palette.png", "png-interlaced.png" };
    const int channels[] = { 3, 3, 1, 1, 3, 3 };
    size_t i;

    ph_init_ok(&f->p, kv);
    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        ph_image_t im;

        assert_int_equal(run_file(f, names[i]), PRISM_OK);
        im = decode_output(f, "100.jpg", 100, 61);
        assert_int_equal(im.ch, channels[i]);
        if (i == 1) {
            /* the alpha ramp starts transparent at the left: white there */
            assert_true(ph_near(&im, 0, 30, WHITE, 3, 24));
        }
        ph_image_free(&im);
    }
}

/* Refusals, each a REJECT with a reason naming the problem. */
static void test_rejects(void **state)
{
    fx_t *f = *state;
    const char *kv[] = { "sizes", "64", NULL };
    const char *kv_small[] = { "sizes", "64", "max_pixels", "1000", NULL };
    ph_jpeg_opts_t o = { 0 };
    size_t len, i;
    unsigned char *d = ph_jpeg_solid(400, 300, GREEN, &o, &len), *c = malloc(len);

    ph_init_ok(&f->p, kv);

    memcpy(c, d, len); /* pixel bomb: the header claims 60000x60000 */
    ph_jpeg_set_size(c, len, 60000, 60000);
    assert_int_equal(ph_process(&f->p, c, len, &f->out), PRISM_REJECT);
    assert_non_null(strstr(f->out.reason, "too many pixels: 60000x60000 > 50000000"));
    assert_int_equal(f->out.n, 0);
    /* the default is the ingress's prism_max_pixels: 9999x9999 is over it */
    memcpy(c, d, len);
    ph_jpeg_set_size(c, len, 9999, 9999);
    assert_int_equal(ph_process(&f->p, c, len, &f->out), PRISM_REJECT);
    assert_non_null(strstr(f->out.reason, "too many pixels: 9999x9999 > 50000000"));

    assert_int_equal(ph_process(&f->p, d, len * 2 / 3, &f->out), PRISM_REJECT);
    assert_non_null(strstr(f->out.reason, "Premature end of JPEG file"));

    memcpy(c, d, len);
    ph_jpeg_damage_huffman(c, len, 64);
    assert_int_equal(ph_process(&f->p, c, len, &f->out), PRISM_REJECT);
    assert_non_null(strstr(f->out.reason, "Corrupt JPEG data"));

    for (i = 0; i < 60; i++) /* a JPEG whose header is cut short */
        assert_int_equal(ph_process(&f->p, d, i, &f->out), PRISM_REJECT);
    assert_int_equal(ph_process(&f->p, d, 0, &f->out), PRISM_REJECT);
    assert_non_null(strstr(f->out.reason, "empty"));

    assert_int_equal(ph_process(&f->p,
                                (const unsigned char *) "BM6\0\0\0\0\0\0\0\x36\0\0\0 a bitmap", 24,
                                &f->out),
                     PRISM_REJECT);
    assert_non_null(strstr(f->out.reason, "unsupported type"));
    assert_int_equal(ph_process_file(&f->p, PH_DATA "png-bomb.png", &f->out), PRISM_REJECT);
    assert_non_null(strstr(f->out.reason, "too many pixels: 70000x70000"));
    assert_int_equal(ph_process_file(&f->p, PH_DATA "png-truncated.png", &f->out), PRISM_REJECT);
    assert_non_null(strstr(f->out.reason, "png"));
    ph_destroy(&f->p);

    ph_init_ok(&f->p, kv_small);
    assert_int_equal(ph_process(&f->p, d, len, &f->out), PRISM_REJECT);
    assert_string_equal(f->out.reason, "too many pixels: 400x300 > 1000");
    free(c);
    free(d);
}

/* When the host refuses an output the message is retried. */
static void test_emit_refused_retries(void **state)
{
    fx_t *f = *state;
    const char *kv[] = { "sizes", "64", NULL };
    char path[] = PH_IMAGES "jpeg-baseline-420.jpg";
    size_t len;
    unsigned char *d = ph_read_file(path, &len);

    ph_init_ok(&f->p, kv);
    ph_output_reset(&f->out);
    f->out.refuse = 1;
    {
        prism_input_t in = { d, len, "k", NULL, 0, 0, NULL, NULL };

        assert_int_equal(f->p.pl->process(f->p.state, &in, &f->out.pub), PRISM_RETRY);
    }
    assert_non_null(strstr(f->out.reason, "64.jpg"));
    free(d);
}

/* init refuses repeated sizes (two outputs would share a name). */
static void test_init_validation(void **state)
{
    fx_t *f = *state;
    const char *dup[] = { "sizes", "64,128,64", NULL };
    const char *many[] = { "sizes", "8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24", NULL };
    char err[256];

    assert_int_equal(ph_init(&f->p, dup, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "64"));
    assert_int_equal(ph_init(&f->p, many, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "sizes"));
    ph_init_ok(&f->p, NULL);
}

/* One instance serves many images of different sizes and kinds in turn
 * (its buffers are reused), each result independent of the previous. */
static void test_instance_reuse(void **state)
{
    fx_t *f = *state;
    const char *kv[] = { "sizes", "50", NULL };
    const char *seq[] = { "jpeg-baseline-420.jpg", "png-rgba.png", "jpeg-orient-6.jpg",
                          "jpeg-cmyk.jpg", "jpeg-baseline-420.jpg" };
    const int w[] = { 50, 50, 31, 50, 50 }, h[] = { 30, 30, 50, 31, 30 };
    size_t i;

    ph_init_ok(&f->p, kv);
    for (i = 0; i < sizeof(seq) / sizeof(seq[0]); i++) {
        ph_image_t im;

        assert_int_equal(run_file(f, seq[i]), PRISM_OK);
        im = decode_output(f, "50.jpg", w[i], h[i]);
        ph_image_free(&im);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_descriptor, setup, teardown),
        cmocka_unit_test_setup_teardown(test_default_sizes_fit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fill_and_tall_fit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_solid_red_stays_red, setup, teardown),
        cmocka_unit_test_setup_teardown(test_orientations, setup, teardown),
        cmocka_unit_test_setup_teardown(test_orientation_fixtures, setup, teardown),
        cmocka_unit_test_setup_teardown(test_metadata_stripped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gray, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cmyk, setup, teardown),
        cmocka_unit_test_setup_teardown(test_progressive, setup, teardown),
        cmocka_unit_test_setup_teardown(test_png_inputs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rejects, setup, teardown),
        cmocka_unit_test_setup_teardown(test_emit_refused_retries, setup, teardown),
        cmocka_unit_test_setup_teardown(test_init_validation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_instance_reuse, setup, teardown),
    };

    return cmocka_run_group_tests_name("plugin_thumbnail", tests, NULL, NULL);
}
