/*
 * The imaging library's decoders beyond the plugins' view: the frames of
 * animations (pixels against ImageMagick's coalesced frames, durations),
 * and bad inputs that must end in a clean refusal with a reason (never a
 * crash; this test runs under ASan/UBSan): truncated HEIC/WebP/GIF, an
 * AVIF claiming 100000x100000 (refused by max_pixels before decoding), a
 * GIF of 10 000 frames (bounded), a PNG with a malformed iCCP, a JPEG
 * whose ICC profile lcms refuses (ignored with a warning). Also the
 * colour paths the plugin tests do not reach: a CMYK JPEG through its
 * embedded profile (built here with lcms2) and through the naive default,
 * and 16-bit / palette+tRNS PNGs against reference decodes, and the HEIF
 * embedded thumbnail choice.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "plugin_harness.h"
#include "formats_fixtures.h"
#include "img_load.h"

/* Probes and decodes d[0..len) with limit max_pixels through l. Returns
 * what the failing step returned (0 when both succeed). */
static int load(img_loader_t *l, const unsigned char *d, size_t len, uint64_t max_pixels,
                img_image_t *out, img_err_t *e)
{
    img_load_opts_t o = { 0, 0, 0, max_pixels, 0 };
    ii_info_t info;

    if (img_load_probe(d, len, max_pixels, &info, e) != 0)
        return -1;
    return img_load_decode(l, d, len, &info, &o, out, e);
}

/* An img_image_t as a ph_image_t (shared pixels, packed rows only). */
static ph_image_t view(const img_image_t *im)
{
    ph_image_t v = { im->width, im->height, im->channels, im->px };

    assert_int_equal(im->stride, (size_t) im->width * im->channels);
    return v;
}

/* Every frame of fixture name against refs[i], with durations ms[i]. */
static void check_frames(const char *name, const char *const *refs, const int *ms, int n)
{
    img_loader_t l = { 0 };
    img_load_opts_t o = { 0, 0, 0, 0, 0 };
    ii_info_t info;
    img_err_t e;
    size_t len;
    unsigned char *d = ff_read(name, &len);
    int i;

    assert_int_equal(img_load_probe(d, len, 0, &info, &e), 0);
    if (img_load_frames(&l, d, len, &info, &o, &e) != 0)
        fail_msg("%s: %s", name, e.msg);
    assert_int_equal(l.frames.count, n);
    for (i = 0; i < n; i++) {
        ph_image_t ref = ph_png_read_rgba(ff_path(refs[i])), got = view(&l.frames.frame[i].img);
        double mae = ff_mae(&got, &ref, 4);

        print_message("%s frame %d: %d ms, mean abs error %.2f\n", name, i,
                      l.frames.frame[i].duration_ms, mae);
        assert_true(mae < 0.5);
        assert_int_equal(l.frames.frame[i].duration_ms, ms[i]);
        ph_image_free(&ref);
    }
    img_loader_free(&l);
    free(d);
}

static void test_gif_frames(void **state)
{
    const char *refs[] = { "anim-ref-0.png", "anim-ref-1.png", "anim-ref-2.png" };
    const int ms[] = { 100, 100, 100 };

    (void) state;
    check_frames("anim.gif", refs, ms, 3);
}

/* WebP: the first frame alone as the plugins get it, then every frame
 * with its duration (the third, half-transparent, is not compared). */
static void test_webp_frames(void **state)
{
    img_loader_t l = { 0 };
    img_load_opts_t o = { 0, 0, 0, 0, 0 };
    ii_info_t info;
    img_image_t im;
    img_err_t e;
    size_t len;
    unsigned char *d = ff_read("anim.webp", &len);
    ph_image_t ref0 = ph_png_read_rgba(ff_path("anim-webp-ref.png"));
    ph_image_t ref1 = ph_png_read_rgba(ff_path("anim-webp-ref-1.png")), got;

    (void) state;
    assert_int_equal(load(&l, d, len, 0, &im, &e), 0);
    got = view(&im);
    assert_true(ff_mae(&got, &ref0, 4) < 0.5);
    assert_int_equal(img_load_probe(d, len, 0, &info, &e), 0);
    assert_int_equal(img_load_frames(&l, d, len, &info, &o, &e), 0);
    assert_int_equal(l.frames.count, 3);
    got = view(&l.frames.frame[0].img);
    assert_true(ff_mae(&got, &ref0, 4) < 0.5);
    got = view(&l.frames.frame[1].img);
    assert_true(ff_mae(&got, &ref1, 4) < 0.5);
    assert_int_equal(l.frames.frame[0].duration_ms, 100);
    assert_int_equal(l.frames.frame[1].duration_ms, 200);
    assert_int_equal(l.frames.frame[2].duration_ms, 300);
    ph_image_free(&ref0);
    ph_image_free(&ref1);
    img_loader_free(&l);
    free(d);
}

/* A GIF of 1x1 frames: header, a 2-colour table, n frames, trailer. */
static unsigned char *many_frames_gif(int n, size_t *len)
{
    static const unsigned char head[] = { 'G',  'I', 'F', '8', '9', 'a', 1,   0,   1,  0,
                                          0x80, 0,   0,   0,   0,   0,   255, 255, 255 };
    static const unsigned char frame[] = { 0x2C, 0, 0, 0, 0, 1, 0, 1, 0, 0, 2, 2, 0x44, 0x01, 0 };
    unsigned char *d = malloc(sizeof(head) + sizeof(frame) * (size_t) n + 1), *p = d;
    int i;

    assert_non_null(d);
    memcpy(p, head, sizeof(head));
    p += sizeof(head);
    for (i = 0; i < n; i++, p += sizeof(frame))
        memcpy(p, frame, sizeof(frame));
    *p++ = 0x3B;
    *len = (size_t) (p - d);
    return d;
}

static void test_gif_bounded(void **state)
{
    img_loader_t l = { 0 };
    img_load_opts_t o = { 0, 0, 0, 100000000, 0 };
    ii_info_t info;
    img_image_t im;
    img_err_t e;
    size_t len;
    unsigned char *d = many_frames_gif(10000, &len);

    (void) state;
    assert_int_equal(load(&l, d, len, 100000000, &im, &e), 0); /* first frame only */
    assert_int_equal(im.width, 1);
    assert_int_equal(img_load_probe(d, len, 0, &info, &e), 0);
    assert_int_equal(img_load_frames(&l, d, len, &info, &o, &e), -1);
    assert_int_equal(e.code, IMG_ERR_LIMIT);
    assert_string_equal(e.msg, "too many frames: more than 1000");
    o.max_frames = 20000;
    o.max_pixels = 5000; /* the pixel budget: 5000 1x1 frames */
    assert_int_equal(img_load_frames(&l, d, len, &info, &o, &e), -1);
    assert_non_null(strstr(e.msg, "animation over the pixel limit"));
    /* truncated in the middle of the frames */
    assert_int_equal(img_load_frames(&l, d, len / 2, &info, &o, &e), -1);
    assert_int_equal(e.code, IMG_ERR_CORRUPT);
    print_message("truncated gif: %s\n", e.msg);
    img_loader_free(&l);
    free(d);
}

/* Truncated HEIC and WebP: refused as damaged. */
static void test_truncated(void **state)
{
    const char *names[] = { "photo.heic", "photo.avif", "lossy.webp", "still.gif" };
    img_loader_t l = { 0 };
    img_image_t im;
    img_err_t e;
    size_t i, len;

    (void) state;
    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        unsigned char *d = ff_read(names[i], &len);
        size_t cut;

        for (cut = 0; cut < len; cut += len / 7 + 1) {
            assert_int_equal(load(&l, d, cut, 0, &im, &e), -1);
            assert_true(e.code == IMG_ERR_CORRUPT || e.code == IMG_ERR_UNSUPPORTED);
            assert_true(e.msg[0] != '\0');
        }
        print_message("%s cut: %s\n", names[i], e.msg);
        free(d);
    }
    img_loader_free(&l);
}

/* An AVIF whose ispe claims 100000x100000: refused from the header. */
static void test_avif_absurd_ispe(void **state)
{
    img_loader_t l = { 0 };
    img_image_t im;
    img_err_t e;
    size_t len, i;
    unsigned char *d = ff_read("photo.avif", &len);

    (void) state;
    for (i = 0; i + 20 < len; i++)
        if (memcmp(d + i, "ispe", 4) == 0) {
            static const unsigned char big[8] = { 0, 1, 0x86, 0xA0, 0, 1, 0x86, 0xA0 };

            memcpy(d + i + 8, big, 8); /* after version and flags */
            break;
        }
    assert_true(i + 20 < len);
    assert_int_equal(load(&l, d, len, 100000000, &im, &e), -1);
    print_message("absurd ispe: %s\n", e.msg);
    assert_int_equal(e.code, IMG_ERR_LIMIT);
    img_loader_free(&l);
    free(d);
}

/* The PNG CRC (CRC-32, reflected 0xEDB88320) of n bytes of d after c. */
static unsigned long crc32_png(unsigned long c, const unsigned char *d, size_t n)
{
    size_t i;
    int k;

    c ^= 0xFFFFFFFFUL;
    for (i = 0; i < n; i++) {
        c ^= d[i];
        for (k = 0; k < 8; k++)
            c = c & 1 ? (c >> 1) ^ 0xEDB88320UL : c >> 1;
    }
    return c ^ 0xFFFFFFFFUL;
}

/* Inserts chunk type/data (CRC made here) after the IHDR of png. */
static unsigned char *png_with_chunk(const unsigned char *png, size_t len, const char *type,
                                     const unsigned char *data, size_t n, size_t *out_len)
{
    unsigned char *d = malloc(len + n + 12), *p;
    unsigned long crc;

    assert_non_null(d);
    memcpy(d, png, 33); /* signature + IHDR */
    p = d + 33;
    p[0] = (unsigned char) (n >> 24), p[1] = (unsigned char) (n >> 16);
    p[2] = (unsigned char) (n >> 8), p[3] = (unsigned char) n;
    memcpy(p + 4, type, 4);
    memcpy(p + 8, data, n);
    crc = crc32_png(crc32_png(0, p + 4, 4), data, n);
    p[8 + n] = (unsigned char) (crc >> 24), p[9 + n] = (unsigned char) (crc >> 16);
    p[10 + n] = (unsigned char) (crc >> 8), p[11 + n] = (unsigned char) crc;
    memcpy(p + 12 + n, png + 33, len - 33);
    *out_len = len + n + 12;
    return d;
}

/* A malformed iCCP (its "compressed profile" is not zlib data): libpng
 * drops it, the PNG decodes untagged like the original. */
static void test_png_bad_iccp(void **state)
{
    static const char junk[] = "this is not a zlib stream, nor an ICC profile";
    unsigned char chunk[256];
    img_loader_t l = { 0 };
    img_image_t im;
    img_err_t e;
    size_t len, blen;
    unsigned char *d = ff_read("photo.png", &len), *bad;
    ph_image_t ref = ph_png_read_rgba(ff_path("photo.png")), got;

    (void) state;
    memcpy(chunk, "bad\0\0", 5); /* name, NUL, method 0 */
    memcpy(chunk + 5, junk, sizeof(junk));
    bad = png_with_chunk(d, len, "iCCP", chunk, 5 + sizeof(junk), &blen);
    assert_int_equal(load(&l, bad, blen, 0, &im, &e), 0);
    assert_int_equal(l.icc.len, 0);
    ff_flatten_white(&ref);
    got = view(&im);
    assert_true(ff_mae(&got, &ref, 3) < 0.01);
    ph_image_free(&ref);
    img_loader_free(&l);
    free(bad);
    free(d);
}

/* The JPEG d[0..len) with an APP2 ICC_PROFILE segment holding icc[0..n)
 * (one chunk, n <= 65519) right after SOI; malloc()ed, *out_len its size. */
static unsigned char *jpeg_with_icc(const unsigned char *d, size_t len, const unsigned char *icc,
                                    size_t n, size_t *out_len)
{
    size_t seg = 2 + 14 + n;
    unsigned char *j = malloc(len + 2 + seg), *p = j;

    assert_non_null(j);
    assert_true(seg <= 65535);
    memcpy(p, d, 2); /* SOI */
    p += 2;
    *p++ = 0xFF, *p++ = 0xE2;
    *p++ = (unsigned char) (seg >> 8), *p++ = (unsigned char) seg;
    memcpy(p, "ICC_PROFILE\0\1\1", 14); /* chunk 1 of 1 */
    memcpy(p + 14, icc, n);
    p += 14 + n;
    memcpy(p, d + 2, len - 2);
    *out_len = len + 2 + seg;
    return j;
}

/* A JPEG whose APP2 ICC_PROFILE holds junk: lcms refuses it; the pixels
 * are taken as sRGB (the same as without it) and a warning is left. */
static void test_jpeg_refused_profile(void **state)
{
    unsigned char junk[200];
    img_loader_t l = { 0 };
    img_image_t im, plain;
    img_err_t e;
    size_t len, blen, i;
    unsigned char *d = ff_read("photo.jpg", &len), *bad;
    ph_image_t a, b;
    img_buf_t keep = { 0 };

    (void) state;
    for (i = 0; i < sizeof(junk); i++)
        junk[i] = (unsigned char) (i * 7);
    bad = jpeg_with_icc(d, len, junk, sizeof(junk), &blen);

    assert_int_equal(load(&l, d, len, 0, &plain, &e), 0);
    assert_int_equal(l.warn.code, IMG_ERR_NONE);
    assert_int_equal(img_buf_reserve(&keep, plain.stride * plain.height, &e), 0);
    memcpy(keep.data, plain.px, plain.stride * plain.height);
    assert_int_equal(load(&l, bad, blen, 0, &im, &e), 0);
    print_message("warning: %s\n", l.warn.msg);
    assert_int_not_equal(l.warn.code, IMG_ERR_NONE);
    assert_non_null(strstr(l.warn.msg, "ICC profile ignored"));
    a = view(&im);
    b = (ph_image_t){ im.width, im.height, 3, keep.data };
    assert_true(ff_mae(&a, &b, 3) == 0);
    img_buf_free(&keep);
    img_loader_free(&l);
    free(bad);
    free(d);
}

/* An sRGB-tagged JPEG (lcms's sRGB profile embedded) costs nothing: no
 * transform is made, the pixels are those of the untagged file. */
static void test_srgb_profile_skipped(void **state)
{
    img_loader_t l = { 0 };
    img_profile_t srgb = { { NULL, 0 }, 0 };
    img_image_t im;
    img_err_t e;
    size_t len, tlen, y;
    unsigned char *d = ff_read("photo.jpg", &len), *tagged;
    img_buf_t plain = { NULL, 0 };
    void *xf = (void *) &xf;

    (void) state;
    assert_int_equal(img_icc_srgb(3, &srgb, &e), 0);
    assert_int_equal(img_icc_lookup(&l.cms, &srgb, 3, &xf, &e), 0);
    assert_null(xf);
    tagged = jpeg_with_icc(d, len, srgb.buf.data, srgb.len, &tlen);
    assert_int_equal(load(&l, d, len, 0, &im, &e), 0);
    assert_int_equal(img_buf_reserve(&plain, im.stride * (size_t) im.height, &e), 0);
    memcpy(plain.data, im.px, im.stride * (size_t) im.height);
    assert_int_equal(load(&l, tagged, tlen, 0, &im, &e), 0);
    assert_int_equal(l.icc.len, srgb.len);
    assert_int_equal(l.warn.code, IMG_ERR_NONE);
    for (y = 0; y < (size_t) im.height; y++)
        assert_memory_equal(img_row(&im, (int) y), plain.data + y * im.stride, im.stride);
    img_buf_free(&plain);
    img_buf_free(&srgb.buf);
    img_loader_free(&l);
    free(tagged);
    free(d);
}

/* The CLUT of a CMYK test profile: the naive conversion (each of C, M, Y
 * times K), with red and blue swapped so its use shows, as Lab. */
static int cmyk_swapped_sampler(const cmsUInt16Number in[], cmsUInt16Number out[], void *cargo)
{
    double k = 1 - in[3] / 65535.0;
    cmsFloat32Number rgb[3] = { (cmsFloat32Number) ((1 - in[2] / 65535.0) * k),
                                (cmsFloat32Number) ((1 - in[1] / 65535.0) * k),
                                (cmsFloat32Number) ((1 - in[0] / 65535.0) * k) };
    cmsCIELab lab;

    cmsDoTransform(cargo, rgb, &lab, 1);
    cmsFloat2LabEncodedV2(out, &lab); /* a v2 lut16 table */
    return 1;
}

/* Writes that CMYK profile (an output-class profile with an AToB0 CLUT
 * into Lab) into p; returns its size. */
static size_t cmyk_swapped_profile(unsigned char **p)
{
    cmsHPROFILE srgb = cmsCreate_sRGBProfile(), lab = cmsCreateLab4Profile(NULL);
    cmsHTRANSFORM to_lab =
        cmsCreateTransform(srgb, TYPE_RGB_FLT, lab, TYPE_Lab_DBL, INTENT_RELATIVE_COLORIMETRIC, 0);
    cmsHPROFILE h = cmsCreateProfilePlaceholder(NULL);
    cmsPipeline *lut = cmsPipelineAlloc(NULL, 4, 3);
    cmsStage *clut = cmsStageAllocCLut16bit(NULL, 9, 4, 3, NULL);
    cmsUInt32Number n = 0;

    assert_true(to_lab && h && lut && clut);
    assert_true(cmsStageSampleCLut16bit(clut, cmyk_swapped_sampler, to_lab, 0));
    assert_true(cmsPipelineInsertStage(lut, cmsAT_BEGIN, clut));
    cmsSetProfileVersion(h, 2.1);
    cmsSetDeviceClass(h, cmsSigOutputClass);
    cmsSetColorSpace(h, cmsSigCmykData);
    cmsSetPCS(h, cmsSigLabData);
    assert_true(cmsWriteTag(h, cmsSigAToB0Tag, lut));
    assert_true(cmsWriteTag(h, cmsSigMediaWhitePointTag, cmsD50_XYZ()));
    assert_true(cmsSaveProfileToMem(h, NULL, &n));
    *p = malloc(n);
    assert_non_null(*p);
    assert_true(cmsSaveProfileToMem(h, *p, &n));
    cmsPipelineFree(lut);
    cmsCloseProfile(h);
    cmsDeleteTransform(to_lab);
    cmsCloseProfile(srgb);
    cmsCloseProfile(lab);
    return n;
}

/* A CMYK JPEG (Adobe, inverted) goes through its embedded profile, and
 * through the naive conversion without one: patches of cyan, magenta,
 * yellow and no ink. */
static void test_jpeg_cmyk_profile(void **state)
{
    static const unsigned char ink[4][4] = {
        { 255, 0, 0, 0 }, { 0, 255, 0, 0 }, { 0, 0, 255, 0 }, { 0, 0, 0, 0 }
    };
    static const unsigned char naive[4][3] = {
        { 0, 255, 255 }, { 255, 0, 255 }, { 255, 255, 0 }, { 255, 255, 255 }
    };
    static const unsigned char swapped[4][3] = {
        { 255, 255, 0 }, { 255, 0, 255 }, { 0, 255, 255 }, { 255, 255, 255 }
    };
    ph_jpeg_opts_t jo = { 100, 0, 0, 1, 0 };
    ph_image_t cmyk = ph_image_solid(64, 16, 4, ink[3]), got;
    img_loader_t l = { 0 };
    img_image_t im;
    img_err_t e;
    unsigned char *icc, *d, *tagged;
    size_t n = cmyk_swapped_profile(&icc), len, tlen;
    int i, c;

    (void) state;
    for (i = 0; i < 4; i++) {
        unsigned char stored[4];

        for (c = 0; c < 4; c++)
            stored[c] = (unsigned char) (255 - ink[i][c]); /* Adobe: inverted */
        ph_fill(&cmyk, i * 16, 0, i * 16 + 16, 16, stored);
    }
    d = ph_jpeg_make(&cmyk, &jo, &len);
    tagged = jpeg_with_icc(d, len, icc, n, &tlen);

    assert_int_equal(load(&l, d, len, 0, &im, &e), 0);
    got = view(&im);
    for (i = 0; i < 4; i++)
        assert_true(ph_near(&got, i * 16 + 8, 8, naive[i], 3, 6));
    assert_int_equal(load(&l, tagged, tlen, 0, &im, &e), 0);
    assert_int_equal(l.warn.code, IMG_ERR_NONE);
    got = view(&im);
    for (i = 0; i < 4; i++)
        assert_true(ph_near(&got, i * 16 + 8, 8, swapped[i], 3, 10));
    img_loader_free(&l);
    ph_image_free(&cmyk);
    free(icc);
    free(d);
    free(tagged);
}

/* 16-bit PNG, palette + tRNS, gray + alpha: against reference decodes. */
static void test_png_kinds(void **state)
{
    const char *pairs[][2] = { { "rgb16.png", "photo.png" },
                               { "palette-trns.png", "palette-trns-ref.png" } };
    img_loader_t l = { 0 };
    img_image_t im;
    img_err_t e;
    size_t i, len;

    (void) state;
    for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
        unsigned char *d = ff_read(pairs[i][0], &len);
        ph_image_t ref = ph_png_read_rgba(ff_path(pairs[i][1])), got;

        assert_int_equal(load(&l, d, len, 0, &im, &e), 0);
        got = view(&im);
        if (got.ch == 3)
            ff_flatten_white(&ref);
        print_message("%s: %d channels, mean abs error %.2f\n", pairs[i][0], got.ch,
                      ff_mae(&got, &ref, got.ch));
        assert_true(ff_mae(&got, &ref, got.ch) < 0.6);
        ph_image_free(&ref);
        free(d);
    }
    img_loader_free(&l);
}

/* HEIF: the embedded 96x58 thumbnail serves a 64-pixel target; a larger
 * target decodes the primary image. */
static void test_heif_thumbnail(void **state)
{
    img_loader_t l = { 0 };
    img_load_opts_t o = { 64, 39, 0, 0, 0 };
    ii_info_t info;
    img_image_t im;
    img_err_t e;
    size_t len;
    unsigned char *d = ff_read("thumb.heic", &len);

    (void) state;
    assert_int_equal(img_load_probe(d, len, 0, &info, &e), 0);
    assert_int_equal(info.width, 150);
    assert_int_equal(img_load_decode(&l, d, len, &info, &o, &im, &e), 0);
    assert_int_equal(im.width, 96);
    o.min_width = 100;
    assert_int_equal(img_load_decode(&l, d, len, &info, &o, &im, &e), 0);
    assert_int_equal(im.width, 150);
    img_loader_free(&l);
    free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gif_frames),           cmocka_unit_test(test_webp_frames),
        cmocka_unit_test(test_gif_bounded),          cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_avif_absurd_ispe),     cmocka_unit_test(test_png_bad_iccp),
        cmocka_unit_test(test_jpeg_refused_profile), cmocka_unit_test(test_jpeg_cmyk_profile),
        cmocka_unit_test(test_srgb_profile_skipped), cmocka_unit_test(test_png_kinds),
        cmocka_unit_test(test_heif_thumbnail),
    };

    return cmocka_run_group_tests(tests, ff_setup, ff_teardown);
}
