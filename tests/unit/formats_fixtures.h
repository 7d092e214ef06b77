/*
 * The format fixtures shared by the format tests: made once per test
 * program into a fresh temporary folder by
 * tests/data/formats/make-fixtures.sh (Debian tools, see there), after
 * writing the Display P3 profile it needs (built here with lcms2:
 * P3 primaries, D65 white, the sRGB tone curve). Also: reading a
 * fixture, a reference PNG as straight RGBA, and the mean absolute error
 * of two images.
 *
 * Header-only: include it after cmocka.h and plugin_harness.h.
 */
#ifndef FORMATS_FIXTURES_H
#define FORMATS_FIXTURES_H

#include <math.h>
#include <stdlib.h>
#include <unistd.h>

#include <lcms2.h>

static char ff_dir[64];

/* The path of fixture name (in a static buffer, valid until the next call). */
static inline const char *ff_path(const char *name)
{
    static char path[256];

    snprintf(path, sizeof(path), "%s/%s", ff_dir, name);
    return path;
}

/* The bytes of fixture name (malloc()ed). */
static inline unsigned char *ff_read(const char *name, size_t *len)
{
    return ph_read_file(ff_path(name), len);
}

/* Writes the Display P3 profile to path: P3 primaries, D65, sRGB TRC. */
static inline void ff_write_p3(const char *path)
{
    cmsCIExyY d65 = { 0.3127, 0.3290, 1.0 };
    cmsCIExyYTRIPLE p3 = { { 0.680, 0.320, 1.0 }, { 0.265, 0.690, 1.0 }, { 0.150, 0.060, 1.0 } };
    cmsFloat64Number srgb[5] = { 2.4, 1 / 1.055, 0.055 / 1.055, 1 / 12.92, 0.04045 };
    cmsToneCurve *c = cmsBuildParametricToneCurve(NULL, 4, srgb);
    cmsToneCurve *trc[3] = { c, c, c };
    cmsHPROFILE h = cmsCreateRGBProfile(&d65, &p3, trc);

    assert_non_null(h);
    assert_true(cmsSaveProfileToFile(h, path));
    cmsCloseProfile(h);
    cmsFreeToneCurve(c);
}

/* cmocka group setup: makes the fixtures. */
static inline int ff_setup(void **state)
{
    char cmd[256];

    (void) state;
    snprintf(ff_dir, sizeof(ff_dir), "/tmp/prism-formats-XXXXXX");
    if (mkdtemp(ff_dir) == NULL)
        return -1;
    ff_write_p3(ff_path("p3.icc"));
    snprintf(cmd, sizeof(cmd), "tests/data/formats/make-fixtures.sh %s", ff_dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* cmocka group teardown: removes them. */
static inline int ff_teardown(void **state)
{
    char cmd[256];

    (void) state;
    snprintf(cmd, sizeof(cmd), "rm -rf %s", ff_dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* Lays straight RGBA im over white in place and makes it RGB. */
static inline void ff_flatten_white(ph_image_t *im)
{
    size_t i, n = (size_t) im->w * im->h;

    if (im->ch != 4)
        return;
    for (i = 0; i < n; i++) {
        unsigned char *s = im->px + i * 4, *d = im->px + i * 3;
        unsigned a = s[3], c;

        for (c = 0; c < 3; c++)
            d[c] = (unsigned char) ((s[c] * a + 255 * (255 - a) + 127) / 255);
    }
    im->ch = 3;
}

/* The mean absolute difference over the first n channels of two images
 * of the same size (fails the test when the sizes differ). */
static inline double ff_mae(const ph_image_t *a, const ph_image_t *b, int n)
{
    double sum = 0;
    int x, y, c;

    if (a->w != b->w || a->h != b->h)
        fail_msg("sizes differ: %dx%d vs %dx%d", a->w, a->h, b->w, b->h);
    for (y = 0; y < a->h; y++)
        for (x = 0; x < a->w; x++)
            for (c = 0; c < n; c++)
                sum += abs((int) ph_px(a, x, y)[c] - (int) ph_px(b, x, y)[c]);
    return sum / ((double) a->w * a->h * n);
}

#endif /* FORMATS_FIXTURES_H */
