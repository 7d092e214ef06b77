/*
 * The watermark plugin, loaded from build/plugins/watermark.so and driven
 * through its descriptor with the logo in tests/data/watermark/logo.png
 * (64x32: transparent 4-px frame, half-transparent 2-px edge, opaque red
 * (220,20,20) inside). Checks where the logo lands for every gravity, its
 * colour at each opacity, its size per image width, the streaming (JPEG,
 * orientation 1) and full-buffer (rotated JPEG, PNG) paths, init
 * validation and every refusal. Run from the repository root after
 * building the plugin.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "plugin_harness.h"

#define LOGO "tests/data/watermark/logo.png"

static const unsigned char GRAY[3] = { 128, 128, 128 };
/* the logo's red at opacity 0.5 over GRAY */
static const unsigned char HALF_RED[3] = { 174, 74, 74 };

static int setup(void **state)
{
    return ph_fixture_setup(state, "watermark");
}

/* Decodes the single output, checks it is watermarked.jpg of w x h. */
static ph_image_t decode_output(fx_t *f, int w, int h)
{
    const ph_blob_t *b = ph_find(&f->out, "watermarked.jpg");
    ph_image_t im;

    assert_int_equal(f->out.n, 1);
    assert_non_null(b);
    assert_string_equal(b->content_type, "image/jpeg");
    assert_int_equal(ph_jpeg_decode(b->data, b->len, &im), 0);
    if (im.w != w || im.h != h)
        fail_msg("watermarked.jpg is %dx%d, want %dx%d", im.w, im.h, w, h);
    assert_int_equal(im.ch, 3);
    return im;
}

/* Watermarks a solid GRAY JPEG of w x h (EXIF orientation o, 0 = none)
 * and returns the decoded output, upright. */
static ph_image_t mark_gray(fx_t *f, int w, int h, int o)
{
    ph_jpeg_opts_t jo = { 95, 0, o, 0, 0 };
    size_t len;
    unsigned char *d = ph_jpeg_solid(w, h, GRAY, &jo, &len);
    int swap = o >= 5;
    ph_image_t im;

    assert_int_equal(ph_process(&f->p, d, len, &f->out), PRISM_OK);
    free(d);
    im = decode_output(f, swap ? h : w, swap ? w : h);
    return im;
}

static void test_descriptor(void **state)
{
    const prism_plugin_t *pl = ((fx_t *) *state)->p.pl;
    const char *want[] = { "logo",    "gravity",    "margin",     "opacity",  "scale",
                           "quality", "max_pixels", "background", "embed_icc" };
    size_t i;

    for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
        assert_string_equal(pl->params[i].name, want[i]);
    assert_null(pl->params[i].name);
    assert_null(pl->params[0].default_value); /* required */
    assert_string_equal(pl->params[1].default_value, "south-east");
    assert_non_null(strstr(pl->params[1].choices, "north-west|"));
    assert_int_equal(pl->params[3].type, PRISM_PARAM_DOUBLE);
}

/* init fails with a clear message for every kind of bad logo. */
static void test_init_logo_errors(void **state)
{
    fx_t *f = *state;
    const char *missing[] = { "logo", "tests/data/watermark/no-such-logo.png", NULL };
    const char *jpeg[] = { "logo", PH_IMAGES "jpeg-baseline-420.jpg", NULL };
    const char *opaque[] = { "logo", PH_IMAGES "png-rgb.png", NULL };
    const char *broken[] = { "logo", PH_DATA "png-truncated.png", NULL };
    const char *empty[] = { "logo", "", NULL };
    char err[256];

    assert_int_equal(ph_init(&f->p, NULL, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "logo"));
    assert_int_equal(ph_init(&f->p, empty, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "required"));
    assert_int_equal(ph_init(&f->p, missing, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "no-such-logo.png"));
    assert_non_null(strstr(err, "No such file"));
    assert_int_equal(ph_init(&f->p, jpeg, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "png"));
    assert_int_equal(ph_init(&f->p, opaque, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "alpha"));
    assert_int_equal(ph_init(&f->p, broken, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "png-truncated.png"));
    assert_null(f->p.state);
}

/* Defaults on 400x300: the logo is 80x40 at (304, 244) (south-east,
 * margin 16); its middle is half red, the rest of the image untouched. */
static void test_default_placement(void **state)
{
    fx_t *f = *state;
    const char *kv[] = { "logo", LOGO, NULL };
    ph_image_t im;

    ph_init_ok(&f->p, kv);
    im = mark_gray(f, 400, 300, 0);
    assert_true(ph_near(&im, 344, 264, HALF_RED, 3, 10));
    assert_true(ph_near(&im, 316, 264, HALF_RED, 3, 10)); /* inside the edge */
    assert_true(ph_near(&im, 372, 264, HALF_RED, 3, 10));
    assert_true(ph_near(&im, 300, 264, GRAY, 3, 6)); /* left of the logo */
    assert_true(ph_near(&im, 344, 290, GRAY, 3, 6)); /* in the bottom margin */
    assert_true(ph_near(&im, 306, 246, GRAY, 3, 6)); /* the transparent frame */
    assert_true(ph_near(&im, 20, 20, GRAY, 3, 6));   /* the opposite corner */
    assert_true(ph_near(&im, 200, 150, GRAY, 3, 6));
    ph_image_free(&im);
}

/* Every gravity puts the logo's middle where it should be and leaves the
 * opposite side alone. margin 10, 50% of 200 = 100 wide, 50 high. */
static void test_gravities(void **state)
{
    fx_t *f = *state;
    static const struct {
        const char *name;
        int cx, cy; /* the logo's middle on a 400x300 image */
    } g[] = {
        { "north-west", 60, 35 },  { "north", 200, 35 },   { "north-east", 340, 35 },
        { "west", 60, 150 },       { "center", 200, 150 }, { "east", 340, 150 },
        { "south-west", 60, 265 }, { "south", 200, 265 },  { "south-east", 340, 265 },
    };
    size_t i;

    for (i = 0; i < sizeof(g) / sizeof(g[0]); i++) {
        const char *kv[] = { "logo", LOGO,    "gravity", g[i].name, "margin",
                             "10",   "scale", "0.25",    NULL };
        ph_image_t im;

        ph_init_ok(&f->p, kv);
        im = mark_gray(f, 400, 300, 0);
        if (!ph_near(&im, g[i].cx, g[i].cy, HALF_RED, 3, 10))
            fail_msg("gravity %s: no logo at %d,%d", g[i].name, g[i].cx, g[i].cy);
        if (!ph_near(&im, 399 - g[i].cx, 299 - g[i].cy, i == 4 ? HALF_RED : GRAY, 3, 10))
            fail_msg("gravity %s: mirror point changed", g[i].name);
        ph_image_free(&im);
        ph_destroy(&f->p);
    }
}

/* Opacity 1 draws the logo's own red; opacity 0 changes nothing. */
static void test_opacity(void **state)
{
    fx_t *f = *state;
    const char *full[] = { "logo", LOGO, "opacity", "1", NULL };
    const char *none[] = { "logo", LOGO, "opacity", "0", NULL };
    const unsigned char red[3] = { 220, 20, 20 };
    ph_image_t im;

    ph_init_ok(&f->p, full);
    im = mark_gray(f, 400, 300, 0);
    assert_true(ph_near(&im, 344, 264, red, 3, 10));
    ph_image_free(&im);
    ph_destroy(&f->p);
    ph_init_ok(&f->p, none);
    im = mark_gray(f, 400, 300, 0);
    assert_true(ph_near(&im, 344, 264, GRAY, 3, 6));
    ph_image_free(&im);
}

/* How many pixels of row y are clearly reddened. */
static int red_span(const ph_image_t *im, int y)
{
    int x, n = 0;

    for (x = 0; x < im->w; x++)
        if (ph_px(im, x, y)[0] > ph_px(im, x, y)[1] + 60)
            n++;
    return n;
}

/* The logo follows each image's width (cached per width): its opaque
 * inside spans 52/64 of 20% of the width, again after other widths. */
static void test_logo_size_per_width(void **state)
{
    fx_t *f = *state;
    const char *kv[] = { "logo", LOGO, "gravity", "center", NULL };
    const int widths[] = { 640, 320, 960, 640, 1280, 320 };
    size_t i;

    ph_init_ok(&f->p, kv);
    for (i = 0; i < sizeof(widths) / sizeof(widths[0]); i++) {
        ph_image_t im = mark_gray(f, widths[i], 200, 0);
        int want = widths[i] / 5 * 52 / 64, got = red_span(&im, 100);

        if (abs(got - want) > 3)
            fail_msg("width %d: red span %d, want about %d", widths[i], got, want);
        ph_image_free(&im);
    }
}

/* A logo that would be taller than the image is made to fit its height:
 * on 400x40 at scale 0.5 it is 80x40 (not 200x100). */
static void test_logo_not_taller_than_image(void **state)
{
    fx_t *f = *state;
    const char *kv[] = { "logo", LOGO, "gravity", "center", "scale", "0.5", NULL };
    ph_image_t im;
    int got;

    ph_init_ok(&f->p, kv);
    im = mark_gray(f, 400, 40, 0);
    got = red_span(&im, 20);
    if (abs(got - 80 * 52 / 64) > 3)
        fail_msg("red span %d, want about %d", got, 80 * 52 / 64);
    assert_true(ph_near(&im, 200, 20, HALF_RED, 3, 12));
    assert_true(ph_near(&im, 150, 20, GRAY, 3, 6));
    ph_image_free(&im);
}

/* EXIF orientation 6 (full-buffer path): the output is upright (portrait)
 * and the logo sits at the displayed south-east corner. */
static void test_orientation(void **state)
{
    fx_t *f = *state;
    const char *kv[] = { "logo", LOGO, NULL };
    ph_image_t im;

    ph_init_ok(&f->p, kv);
    im = mark_gray(f, 400, 200, 6); /* displayed 200x400: logo 40x20 at (144, 364) */
    assert_true(ph_near(&im, 164, 374, HALF_RED, 3, 12));
    assert_true(ph_near(&im, 164, 25, GRAY, 3, 6));
    assert_true(ph_near(&im, 35, 374, GRAY, 3, 6));
    ph_image_free(&im);
    im = mark_gray(f, 400, 200, 3); /* upside down: logo 80x40 at (304, 144) */
    assert_true(ph_near(&im, 344, 164, HALF_RED, 3, 12));
    assert_true(ph_near(&im, 55, 35, GRAY, 3, 6));
    ph_image_free(&im);
}

/* PNG input (full-buffer path), gray PNG and transparent PNG included. */
static void test_png_inputs(void **state)
{
    fx_t *f = *state;
    const char *kv[] = { "logo", LOGO, NULL };
    const unsigned char gray_a[4] = { 128, 128, 128, 255 }, clear[4] = { 0, 0, 0, 0 };
    ph_image_t src = ph_image_solid(400, 300, 4, gray_a), g1, im;
    unsigned char *d;
    size_t len;

    ph_fill(&src, 0, 0, 100, 100, clear);
    d = ph_png_make(&src, &len);
    ph_init_ok(&f->p, kv);
    assert_int_equal(ph_process(&f->p, d, len, &f->out), PRISM_OK);
    free(d);
    im = decode_output(f, 400, 300);
    assert_true(ph_near(&im, 344, 264, HALF_RED, 3, 10));
    assert_true(ph_near(&im, 50, 50, (const unsigned char *) "\xff\xff\xff", 3, 6));
    assert_true(ph_near(&im, 200, 150, GRAY, 3, 6));
    ph_image_free(&im);

    g1 = ph_image_solid(400, 300, 1, GRAY);
    d = ph_png_make(&g1, &len);
    assert_int_equal(ph_process(&f->p, d, len, &f->out), PRISM_OK);
    free(d);
    im = decode_output(f, 400, 300);
    assert_true(ph_near(&im, 344, 264, HALF_RED, 3, 10));
    ph_image_free(&im);
    ph_image_free(&g1);
    ph_image_free(&src);
    assert_int_equal(ph_process_file(&f->p, PH_IMAGES "png-palette.png", &f->out), PRISM_OK);
    im = decode_output(f, 150, 91);
    ph_image_free(&im);
}

/* Streamed gray, CMYK and progressive JPEGs come out as RGB JPEGs in the
 * source's colours (opacity 0 shows the plain re-encode). */
static void test_jpeg_kinds(void **state)
{
    fx_t *f = *state;
    const char *kv[] = { "logo", LOGO, "opacity", "0", NULL };
    const char *names[] = { "jpeg-cmyk.jpg", "jpeg-rgb-adobe.jpg", "jpeg-orient-1.jpg" };
    ph_image_t ref, im;
    size_t len, i;
    unsigned char *d = ph_read_file(PH_IMAGES "jpeg-orient-1.jpg", &len);

    assert_int_equal(ph_jpeg_decode(d, len, &ref), 0);
    free(d);
    ph_init_ok(&f->p, kv);
    for (i = 0; i < 3; i++) {
        double s = 0;
        size_t k, n = 64 * 40 * 3;
        char path[128];

        snprintf(path, sizeof(path), PH_IMAGES "%s", names[i]);
        assert_int_equal(ph_process_file(&f->p, path, &f->out), PRISM_OK);
        im = decode_output(f, 64, 40);
        for (k = 0; k < n; k++)
            s += abs((int) im.px[k] - (int) ref.px[k]);
        if (s / n > 12.0)
            fail_msg("%s: mean difference %.1f", names[i], s / n);
        ph_image_free(&im);
    }
    ph_image_free(&ref);
    assert_int_equal(ph_process_file(&f->p, PH_IMAGES "jpeg-gray.jpg", &f->out), PRISM_OK);
    im = decode_output(f, 161, 97);
    ph_image_free(&im);
    assert_int_equal(ph_process_file(&f->p, PH_IMAGES "jpeg-progressive.jpg", &f->out), PRISM_OK);
    im = decode_output(f, 161, 97);
    ph_image_free(&im);
}

/* A 4:2:0 JPEG streams as YCbCr planes, a 4:4:4 one as RGB rows; on the
 * same picture (odd size, smooth colours, the logo across iMCU rows and
 * in the last, partial one) both come out alike, row by row and column by
 * column. */
static void test_planes_match_rgb_rows(void **state)
{
    fx_t *f = *state;
    const char *kv[] = { "logo", LOGO, "scale", "0.5", "opacity", "0.7", "margin", "0", NULL };
    const int w = 203, h = 117, lw = 102, lh = 51; /* the logo: 64x32 at 0.5 of 203 */
    ph_image_t src = ph_image_solid(w, h, 3, GRAY), out[2];
    double all = 0, row[117] = { 0 }, col[203] = { 0 }, worst_row = 0, worst_col = 0;
    int x, y, k, i;

    for (y = 0; y < h; y++)
        for (x = 0; x < w; x++) {
            unsigned char *p = ph_px(&src, x, y);

            p[0] = (unsigned char) (40 + x), p[1] = (unsigned char) (60 + y), p[2] = 150;
        }
    ph_init_ok(&f->p, kv);
    for (i = 0; i < 2; i++) {
        ph_jpeg_opts_t jo = { 95, 0, 0, 0, i };
        size_t len;
        unsigned char *d = ph_jpeg_make(&src, &jo, &len);

        ph_output_reset(&f->out);
        assert_int_equal(ph_process(&f->p, d, len, &f->out), PRISM_OK);
        free(d);
        assert_non_null(strstr(f->out.last_log, i == 0 ? "YCbCr 4:2:0 planes" : "RGB rows"));
        out[i] = decode_output(f, w, h);
    }
    for (y = 0; y < h; y++)
        for (x = 0; x < w; x++)
            for (k = 0; k < 3; k++) {
                int d = abs((int) ph_px(&out[0], x, y)[k] - (int) ph_px(&out[1], x, y)[k]);

                all += d;
                row[y] += d / (3.0 * w);
                col[x] += d / (3.0 * h);
            }
    for (y = 0; y < h; y++)
        worst_row = row[y] > worst_row ? row[y] : worst_row;
    for (x = 0; x < w; x++)
        worst_col = col[x] > worst_col ? col[x] : worst_col;
    all /= (double) w * h * 3;
    /* every row and column counts, the last ones at the edges included */
    if (all > 1.5 || worst_row > 3 || worst_col > 3)
        fail_msg("planes and RGB rows differ: mean %.2f, worst row %.2f, worst column %.2f", all,
                 worst_row, worst_col);
    assert_true(
        ph_near(&out[0], w - lw / 2, h - lh / 2, ph_px(&out[1], w - lw / 2, h - lh / 2), 3, 6));
    ph_image_free(&out[0]);
    ph_image_free(&out[1]);
    ph_image_free(&src);
}

/* Refusals, each a REJECT with a reason naming the problem. */
static void test_rejects(void **state)
{
    fx_t *f = *state;
    const char *kv[] = { "logo", LOGO, NULL };
    ph_jpeg_opts_t o = { 0 }, o6 = { 0, 0, 6, 0, 0 };
    size_t len, len6;
    unsigned char *d = ph_jpeg_solid(400, 300, GRAY, &o, &len), *c = malloc(len);
    unsigned char *d6 = ph_jpeg_solid(400, 300, GRAY, &o6, &len6);

    ph_init_ok(&f->p, kv);
    memcpy(c, d, len);
    ph_jpeg_set_size(c, len, 30000, 30000);
    assert_int_equal(ph_process(&f->p, c, len, &f->out), PRISM_REJECT);
    assert_non_null(strstr(f->out.reason, "too many pixels"));
    /* the default is the ingress's prism_max_pixels: 9999x9999 is over it */
    ph_jpeg_set_size(c, len, 9999, 9999);
    assert_int_equal(ph_process(&f->p, c, len, &f->out), PRISM_REJECT);
    assert_non_null(strstr(f->out.reason, "too many pixels: 9999x9999 > 50000000"));
    /* truncated: streamed, and through the full-buffer path */
    assert_int_equal(ph_process(&f->p, d, len * 3 / 4, &f->out), PRISM_REJECT);
    assert_non_null(strstr(f->out.reason, "Premature end of JPEG file"));
    assert_int_equal(f->out.n, 0);
    assert_int_equal(ph_process(&f->p, d6, len6 * 3 / 4, &f->out), PRISM_REJECT);
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
    /* the instance still works after all that */
    assert_int_equal(ph_process(&f->p, d, len, &f->out), PRISM_OK);
    free(c);
    free(d);
    free(d6);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_descriptor, setup, teardown),
        cmocka_unit_test_setup_teardown(test_init_logo_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_default_placement, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gravities, setup, teardown),
        cmocka_unit_test_setup_teardown(test_opacity, setup, teardown),
        cmocka_unit_test_setup_teardown(test_logo_size_per_width, setup, teardown),
        cmocka_unit_test_setup_teardown(test_logo_not_taller_than_image, setup, teardown),
        cmocka_unit_test_setup_teardown(test_orientation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_png_inputs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_jpeg_kinds, setup, teardown),
        cmocka_unit_test_setup_teardown(test_planes_match_rgb_rows, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rejects, setup, teardown),
    };

    return cmocka_run_group_tests_name("plugin_watermark", tests, NULL, NULL);
}
