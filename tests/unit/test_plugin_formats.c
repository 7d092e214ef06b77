/*
 * Every built-in plugin on every input kind the imaging library decodes:
 * JPEG (sRGB, Adobe RGB and Display P3 tagged), PNG (16-bit, palette with
 * tRNS, alpha, linear light by gAMA), WebP (lossy, lossless with alpha,
 * animated), GIF (still, animated), HEIF and AVIF (still, alpha, embedded
 * thumbnail, irot/imir, Display P3 described by an nclx box).
 * Each output is decoded and compared with a reference decode of the
 * same picture (mean absolute error bound). The fixtures are made by
 * tests/data/formats/make-fixtures.sh into a temporary folder.
 * Run from the repository root after building the plugins.
 */
#define _GNU_SOURCE /* memmem */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "plugin_harness.h"
#include "formats_fixtures.h"

/* An input kind: the fixture, the reference picture it shows, and the
 * largest mean absolute error (of 255) allowed in a JPEG output (quality
 * 95: sharp palette edges cost more) and in a lossless WebP output (the
 * decode alone). */
typedef struct {
    const char *file, *ref;
    double jpeg_tol, webp_tol;
    int alpha; /* the webp output keeps an alpha channel */
} kind_t;

static const kind_t kinds[] = {
    { "photo.jpg", "photo.png", 2.0, 1.0, 0 },
    { "adobe.jpg", "photo.png", 2.55, 2.55, 0 },
    { "p3.jpg", "photo.png", 2.55, 2.55, 0 },
    { "green-adobe.png", "green-srgb.png", 1.0, 0.5, 0 },
    { "rgb16.png", "photo.png", 2.0, 0.5, 0 },
    { "linear-gama.png", "photo.png", 2.0, 1.5, 0 },
    { "palette-trns.png", "palette-trns-ref.png", 4.0, 0.5, 1 },
    { "lossy.webp", "photo.png", 2.55, 2.0, 0 },
    { "lossless-alpha.webp", "photo-alpha.png", 1.5, 0.5, 1 },
    { "anim.webp", "anim-webp-ref.png", 3.5, 0.5, 0 },
    { "still.gif", "still-ref.png", 3.5, 0.5, 0 },
    { "anim.gif", "anim-ref-0.png", 5.0, 0.5, 0 },
    { "photo.heic", "photo.png", 2.55, 2.0, 0 },
    { "alpha.heic", "photo-alpha.png", 2.55, 2.0, 1 },
    { "thumb.heic", "photo.png", 2.55, 2.0, 0 },
    { "photo.avif", "photo.png", 2.55, 2.0, 0 },
    { "alpha.avif", "photo-alpha.png", 2.55, 2.0, 1 },
    { "irot.avif", "irot-ref.png", 2.55, 2.0, 0 },
    { "imir.avif", "imir-ref.png", 2.55, 2.0, 0 },
    { "p3-nclx.avif", "photo.png", 2.55, 2.55, 0 },
};
#define NKINDS (sizeof(kinds) / sizeof(kinds[0]))

/* The reference of kind k over white (RGB). */
static ph_image_t reference(const kind_t *k)
{
    ph_image_t ref = ph_png_read_rgba(ff_path(k->ref));

    ff_flatten_white(&ref);
    return ref;
}

/* Runs the loaded plugin on fixture name. Returns 0 when it answers
 * OK, else prints the reason and returns -1. */
static int run(fx_t *f, const char *name)
{
    size_t len;
    unsigned char *d = ff_read(name, &len);
    prism_result_t rc = ph_process(&f->p, d, len, &f->out);

    free(d);
    if (rc == PRISM_OK)
        return 0;
    print_message("%-20s FAILED: result %d, reason: %s\n", name, rc, f->out.reason);
    return -1;
}

/* Runs the loaded plugin on fixture name; fails the test unless OK. */
static void run_ok(fx_t *f, const char *name)
{
    if (run(f, name) != 0)
        fail_msg("%s refused", name);
}

/* Prints the error of an output of kind k; returns 1 when over tol. */
static int over(const kind_t *k, const char *output, double mae, double tol)
{
    print_message("%-20s %s: mean abs error %.2f%s\n", k->file, output, mae,
                  mae > tol ? " FAILED" : "");
    return mae > tol;
}

/* Decodes JPEG output suffix as RGB. */
static ph_image_t jpeg_output(fx_t *f, const char *suffix)
{
    const ph_blob_t *b = ph_find(&f->out, suffix);
    ph_image_t im;

    if (b == NULL)
        fail_msg("no output %s", suffix);
    assert_int_equal(ph_jpeg_decode(b->data, b->len, &im), 0);
    assert_int_equal(im.ch, 3);
    return im;
}

/* Checks a JPEG-out plugin's output against every kind's reference. */
static void check_jpeg_plugin(fx_t *f, const char *suffix)
{
    size_t i;
    int bad = 0;

    for (i = 0; i < NKINDS; i++) {
        ph_image_t ref, im;

        if (run(f, kinds[i].file) != 0) {
            bad++;
            continue;
        }
        ref = reference(&kinds[i]);
        im = jpeg_output(f, suffix);
        bad += over(&kinds[i], suffix, ff_mae(&im, &ref, 3), kinds[i].jpeg_tol);
        ph_image_free(&im);
        ph_image_free(&ref);
    }
    assert_int_equal(bad, 0);
}

static int setup_thumbnail(void **state)
{
    return ph_fixture_setup(state, "thumbnail");
}

static int setup_watermark(void **state)
{
    return ph_fixture_setup(state, "watermark");
}

static int setup_webp(void **state)
{
    return ph_fixture_setup(state, "webp");
}

static int setup_avif(void **state)
{
    return ph_fixture_setup(state, "avif");
}

/* thumbnail at a size larger than every fixture: the picture itself. */
static void test_thumbnail_every_kind(void **state)
{
    fx_t *f = *state;
    const char *kv[] = { "sizes", "512", "quality", "95", NULL };

    ph_init_ok(&f->p, kv);
    check_jpeg_plugin(f, "512.jpg");
}

/* watermark with an invisible logo: the picture itself. */
static void test_watermark_every_kind(void **state)
{
    fx_t *f = *state;
    const char *kv[] = { "logo", "tests/data/watermark/logo.png", "opacity", "0", "quality", "95",
                         NULL };

    ph_init_ok(&f->p, kv);
    check_jpeg_plugin(f, "watermarked.jpg");
}

/* webp, lossless: the picture itself, alpha kept where there is one. */
static void test_webp_every_kind(void **state)
{
    fx_t *f = *state;
    const char *kv[] = { "lossless", "true", NULL };
    size_t i;
    int bad = 0;

    ph_init_ok(&f->p, kv);
    for (i = 0; i < NKINDS; i++) {
        ph_image_t ref, im;
        const ph_blob_t *b;
        int alpha, lossless;

        if (run(f, kinds[i].file) != 0) {
            bad++;
            continue;
        }
        b = ph_find(&f->out, "image.webp");
        assert_non_null(b);
        assert_int_equal(ph_webp_decode(b->data, b->len, &im, &alpha, &lossless), 0);
        if (alpha != kinds[i].alpha) {
            print_message("%-20s alpha %d, want %d FAILED\n", kinds[i].file, alpha, kinds[i].alpha);
            bad++;
        }
        ff_flatten_white(&im);
        ref = reference(&kinds[i]);
        bad += over(&kinds[i], "image.webp", ff_mae(&im, &ref, 3), kinds[i].webp_tol);
        ph_webp_free(&im);
        ph_image_free(&ref);
    }
    assert_int_equal(bad, 0);
}

/* avif at quality 90: the picture itself within the JPEG output's bound
 * (4:2:0 like the JPEGs) plus 1, alpha kept where there is one. */
static void test_avif_every_kind(void **state)
{
    fx_t *f = *state;
    const char *kv[] = { "quality", "90", "speed", "9", NULL };
    size_t i;
    int bad = 0;

    ph_init_ok(&f->p, kv);
    for (i = 0; i < NKINDS; i++) {
        ph_image_t ref;
        ph_avif_t a;
        const ph_blob_t *b;

        if (run(f, kinds[i].file) != 0) {
            bad++;
            continue;
        }
        b = ph_find(&f->out, "image.avif");
        assert_non_null(b);
        assert_int_equal(ph_avif_decode(b->data, b->len, &a), 0);
        if (a.alpha != kinds[i].alpha) {
            print_message("%-20s alpha %d, want %d FAILED\n", kinds[i].file, a.alpha,
                          kinds[i].alpha);
            bad++;
        }
        if (a.im.ch == 4)
            ff_flatten_white(&a.im);
        ref = reference(&kinds[i]);
        bad += over(&kinds[i], "image.avif", ff_mae(&a.im, &ref, 3), kinds[i].jpeg_tol + 1.0);
        ph_image_free(&a.im);
        ph_image_free(&ref);
    }
    assert_int_equal(bad, 0);
}

/* A saturated green stored in Adobe RGB (60,180,80) is shown as sRGB
 * 0,181,70 or near: the thumbnail must carry the shown colour. */
static void test_thumbnail_adobe_green(void **state)
{
    fx_t *f = *state;
    const char *kv[] = { "sizes", "32", "quality", "100", NULL };
    static const unsigned char want[3] = { 0, 181, 70 };
    ph_image_t im;

    ph_init_ok(&f->p, kv);
    run_ok(f, "green-adobe.jpg");
    im = jpeg_output(f, "32.jpg");
    assert_true(ph_near(&im, 16, 16, want, 3, 4));
    ph_image_free(&im);
}

/* embed_icc: JPEG outputs carry an APP2 ICC profile and WebP outputs an
 * ICCP chunk; by default neither does. */
static void test_embed_icc(void **state)
{
    fx_t *f = *state;
    const char *tagged[] = { "sizes", "64", "embed_icc", "true", NULL };
    const ph_blob_t *b;

    ph_init_ok(&f->p, NULL);
    run_ok(f, "adobe.jpg");
    b = ph_find(&f->out, "128.jpg");
    assert_non_null(b);
    assert_false(ph_jpeg_has_marker(b->data, b->len, 0xE2));
    ph_destroy(&f->p);
    ph_init_ok(&f->p, tagged);
    run_ok(f, "adobe.jpg");
    b = ph_find(&f->out, "64.jpg");
    assert_non_null(b);
    assert_true(ph_jpeg_has_marker(b->data, b->len, 0xE2));
}

/* A HEIF with an embedded 96x58 thumbnail makes small thumbnails from it
 * (test_imaging_formats checks the decode picks it): the same picture as
 * from the full image, within what heif-enc's thumbnail itself differs
 * from a proper resize of the photo (mean abs error 6.3). */
static void test_thumbnail_heif_embedded(void **state)
{
    fx_t *f = *state;
    const char *kv[] = { "sizes", "48", NULL };
    ph_image_t a, b;

    ph_init_ok(&f->p, kv);
    run_ok(f, "thumb.heic");
    a = jpeg_output(f, "48.jpg");
    run_ok(f, "photo.heic");
    b = jpeg_output(f, "48.jpg");
    print_message("thumbnail from the embedded thumbnail vs the full image: %.2f\n",
                  ff_mae(&a, &b, 3));
    assert_true(ff_mae(&a, &b, 3) < 10);
    ph_image_free(&a);
    ph_image_free(&b);
}

/* background: transparency is laid over it; a bad colour fails init. */
static void test_background(void **state)
{
    fx_t *f = *state;
    const char *black[] = { "sizes", "512", "background", "#000000", NULL };
    const char *bad[] = { "background", "white", NULL };
    static const unsigned char dark[3] = { 0, 0, 0 };
    char err[256];
    ph_image_t im;

    assert_int_equal(ph_init(&f->p, bad, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "background"));
    ph_init_ok(&f->p, black);
    run_ok(f, "lossless-alpha.webp"); /* alpha 0 at the left edge */
    im = jpeg_output(f, "512.jpg");
    assert_true(ph_near(&im, 0, im.h / 2, dark, 3, 8));
    ph_image_free(&im);
}

/* webp with embed_icc: an ICCP chunk in the output. */
static void test_webp_embed_icc(void **state)
{
    fx_t *f = *state;
    const char *tagged[] = { "embed_icc", "true", NULL };
    const ph_blob_t *b;

    ph_init_ok(&f->p, NULL);
    run_ok(f, "photo.jpg");
    b = ph_find(&f->out, "image.webp");
    assert_non_null(b);
    assert_null(memmem(b->data, b->len, "ICCP", 4));
    ph_destroy(&f->p);
    ph_init_ok(&f->p, tagged);
    run_ok(f, "photo.jpg");
    b = ph_find(&f->out, "image.webp");
    assert_non_null(b);
    assert_non_null(memmem(b->data, b->len, "ICCP", 4));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_thumbnail_adobe_green, setup_thumbnail, teardown),
        cmocka_unit_test_setup_teardown(test_thumbnail_every_kind, setup_thumbnail, teardown),
        cmocka_unit_test_setup_teardown(test_watermark_every_kind, setup_watermark, teardown),
        cmocka_unit_test_setup_teardown(test_webp_every_kind, setup_webp, teardown),
        cmocka_unit_test_setup_teardown(test_avif_every_kind, setup_avif, teardown),
        cmocka_unit_test_setup_teardown(test_embed_icc, setup_thumbnail, teardown),
        cmocka_unit_test_setup_teardown(test_thumbnail_heif_embedded, setup_thumbnail, teardown),
        cmocka_unit_test_setup_teardown(test_background, setup_thumbnail, teardown),
        cmocka_unit_test_setup_teardown(test_webp_embed_icc, setup_webp, teardown),
    };

    return cmocka_run_group_tests(tests, ff_setup, ff_teardown);
}
