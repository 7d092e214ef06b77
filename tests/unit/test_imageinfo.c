/*
 * imageinfo: type sniffing and header probing on real fixtures
 * (tests/data/images, see its README.md), every prefix of them, hand-built
 * headers (pixel bombs, corrupt and polyglot bytes, EXIF variants, a large
 * EXIF before the frame header, HEIF boxes built here, GIF frames) and
 * seeded random bytes.
 * Run from the repository root.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imageinfo.h"

#define FIXTURES "tests/data/images/"

/* ---- helpers ------------------------------------------------------------ */

typedef struct {
    unsigned char *p;
    size_t len, cap;
} buf_t;

/* Appends n bytes to b, growing it. */
static void put(buf_t *b, const void *d, size_t n)
{
    if (b->len + n > b->cap) {
        b->cap = (b->len + n) * 2;
        b->p = realloc(b->p, b->cap);
        assert_non_null(b->p);
    }
    memcpy(b->p + b->len, d, n);
    b->len += n;
}

/* Appends a JPEG marker segment: FF m, the length, the payload. */
static void put_segment(buf_t *b, unsigned m, const void *payload, size_t n)
{
    unsigned char h[4] = { 0xFF, (unsigned char) m, (unsigned char) ((n + 2) >> 8),
                           (unsigned char) (n + 2) };
    assert_true(n + 2 <= 0xFFFF);
    put(b, h, 4);
    put(b, payload, n);
}

/* Reads a fixture whole into b. */
static void load(const char *name, buf_t *b)
{
    char path[256];
    unsigned char chunk[4096];
    size_t n;
    FILE *f;

    snprintf(path, sizeof(path), FIXTURES "%s", name);
    f = fopen(path, "rb");
    if (f == NULL)
        fail_msg("cannot open %s (run the tests from the repository root)", path);
    memset(b, 0, sizeof(*b));
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        put(b, chunk, n);
    fclose(f);
    assert_true(b->len > 0);
}

/* Probes a heap copy of exactly n bytes, so that ASan catches any read
 * past the length given. */
static int probe_exact(const void *p, size_t n, ii_info_t *info, char *err, size_t errlen)
{
    unsigned char *copy = malloc(n ? n : 1);
    int r;

    assert_non_null(copy);
    if (n)
        memcpy(copy, p, n);
    r = ii_probe(copy, n, info, err, errlen);
    free(copy);
    return r;
}

/* Asserts that probing p[0..n) fails and that the reason mentions what. */
static void assert_probe_error(const void *p, size_t n, const char *what)
{
    ii_info_t info;
    char err[256];

    assert_int_equal(probe_exact(p, n, &info, err, sizeof(err)), II_ERROR);
    if (strstr(err, what) == NULL)
        fail_msg("error \"%s\" does not mention \"%s\"", err, what);
}

/* Whether two probe results describe the same image (need aside). */
static int same_info(const ii_info_t *a, const ii_info_t *b)
{
    return a->type == b->type && a->width == b->width && a->height == b->height
           && a->orientation == b->orientation && a->progressive == b->progressive
           && a->components == b->components && a->bit_depth == b->bit_depth
           && a->has_alpha == b->has_alpha && a->cmyk == b->cmyk && a->animated == b->animated
           && a->adobe_transform == b->adobe_transform;
}

/* ---- the fixtures ------------------------------------------------------- */

typedef struct {
    const char *file;
    ii_type_t type;
    unsigned width, height;
    int orientation, progressive, components, bit_depth;
    int has_alpha, cmyk, animated, adobe_transform;
} fixture_t;

/* Dimensions as `identify` reports them; flags as webpinfo, the PNG IHDR
 * bytes, the GIF blocks and the JPEG markers of each file show. */
static const fixture_t fixtures[] = {
    { "jpeg-baseline-420.jpg", II_TYPE_JPEG, 161, 97, 1, 0, 3, 8, 0, 0, 0, -1 },
    { "jpeg-progressive.jpg", II_TYPE_JPEG, 161, 97, 1, 1, 3, 8, 0, 0, 0, -1 },
    { "jpeg-gray.jpg", II_TYPE_JPEG, 161, 97, 1, 0, 1, 8, 0, 0, 0, -1 },
    { "jpeg-rgb-adobe.jpg", II_TYPE_JPEG, 64, 40, 1, 0, 3, 8, 0, 0, 0, 0 },
    { "jpeg-cmyk.jpg", II_TYPE_JPEG, 64, 40, 1, 0, 4, 8, 0, 1, 0, 2 },
    { "jpeg-orient-1.jpg", II_TYPE_JPEG, 64, 40, 1, 0, 3, 8, 0, 0, 0, -1 },
    { "jpeg-orient-2.jpg", II_TYPE_JPEG, 64, 40, 2, 0, 3, 8, 0, 0, 0, -1 },
    { "jpeg-orient-3.jpg", II_TYPE_JPEG, 64, 40, 3, 0, 3, 8, 0, 0, 0, -1 },
    { "jpeg-orient-4.jpg", II_TYPE_JPEG, 64, 40, 4, 0, 3, 8, 0, 0, 0, -1 },
    { "jpeg-orient-5.jpg", II_TYPE_JPEG, 64, 40, 5, 0, 3, 8, 0, 0, 0, -1 },
    { "jpeg-orient-6.jpg", II_TYPE_JPEG, 64, 40, 6, 0, 3, 8, 0, 0, 0, -1 },
    { "jpeg-orient-7.jpg", II_TYPE_JPEG, 64, 40, 7, 0, 3, 8, 0, 0, 0, -1 },
    { "jpeg-orient-8.jpg", II_TYPE_JPEG, 64, 40, 8, 0, 3, 8, 0, 0, 0, -1 },
    { "png-rgb.png", II_TYPE_PNG, 150, 91, 1, 0, 3, 8, 0, 0, 0, -1 },
    { "png-rgba.png", II_TYPE_PNG, 150, 91, 1, 0, 4, 8, 1, 0, 0, -1 },
    { "png-gray.png", II_TYPE_PNG, 150, 91, 1, 0, 1, 8, 0, 0, 0, -1 },
    { "png-gray-alpha.png", II_TYPE_PNG, 150, 91, 1, 0, 2, 8, 1, 0, 0, -1 },
    { "png-gray16.png", II_TYPE_PNG, 150, 91, 1, 0, 1, 16, 0, 0, 0, -1 },
    { "png-palette.png", II_TYPE_PNG, 150, 91, 1, 0, 1, 8, 0, 0, 0, -1 },
    { "png-interlaced.png", II_TYPE_PNG, 150, 91, 1, 1, 3, 8, 0, 0, 0, -1 },
    { "webp-lossy.webp", II_TYPE_WEBP, 150, 91, 1, 0, 3, 8, 0, 0, 0, -1 },
    { "webp-lossless.webp", II_TYPE_WEBP, 150, 91, 1, 0, 3, 8, 0, 0, 0, -1 },
    { "webp-alpha.webp", II_TYPE_WEBP, 150, 91, 1, 0, 4, 8, 1, 0, 0, -1 },
    { "webp-lossless-alpha.webp", II_TYPE_WEBP, 150, 91, 1, 0, 4, 8, 1, 0, 0, -1 },
    { "webp-animated.webp", II_TYPE_WEBP, 64, 40, 1, 0, 3, 8, 0, 0, 1, -1 },
    { "gif-still.gif", II_TYPE_GIF, 150, 91, 1, 0, 1, 5, 0, 0, 0, -1 },
    { "gif-transparent.gif", II_TYPE_GIF, 150, 91, 1, 0, 1, 5, 1, 0, 0, -1 },
    { "gif-animated.gif", II_TYPE_GIF, 64, 40, 1, 0, 1, 8, 0, 0, 1, -1 },
    { "heic-64x48.heic", II_TYPE_HEIC, 64, 48, 1, 0, 3, 10, 0, 0, 0, -1 },
    { "avif-64x48.avif", II_TYPE_AVIF, 64, 48, 1, 0, 3, 12, 0, 0, 0, -1 },
    { "avif-64x48-irot90.avif", II_TYPE_AVIF, 48, 64, 1, 0, 3, 12, 0, 0, 0, -1 },
};

#define NFIXTURES (sizeof(fixtures) / sizeof(fixtures[0]))

/* Fails the test naming the fixture and field when got != want. */
static void expect(const char *file, const char *field, long got, long want)
{
    if (got != want)
        fail_msg("%s: %s is %ld, expected %ld", file, field, got, want);
}

/* Every fixture: sniffed type, exact dimensions and flags, within limits. */
static void test_fixtures(void **state)
{
    (void) state;
    for (size_t i = 0; i < NFIXTURES; i++) {
        const fixture_t *f = &fixtures[i];
        ii_info_t info;
        char err[256];
        buf_t b;

        load(f->file, &b);
        assert_int_equal(ii_sniff(b.p, b.len), f->type);
        if (probe_exact(b.p, b.len, &info, err, sizeof(err)) != II_OK)
            fail_msg("%s: %s", f->file, err);
        expect(f->file, "type", (long) info.type, f->type);
        expect(f->file, "width", info.width, f->width);
        expect(f->file, "height", info.height, f->height);
        expect(f->file, "orientation", info.orientation, f->orientation);
        expect(f->file, "progressive", info.progressive, f->progressive);
        expect(f->file, "components", info.components, f->components);
        expect(f->file, "bit_depth", info.bit_depth, f->bit_depth);
        expect(f->file, "has_alpha", info.has_alpha, f->has_alpha);
        expect(f->file, "cmyk", info.cmyk, f->cmyk);
        expect(f->file, "animated", info.animated, f->animated);
        expect(f->file, "adobe_transform", info.adobe_transform, f->adobe_transform);
        assert_int_equal(info.need, 0);
        assert_int_equal(ii_check_limits(&info, 161 * 97, 161, err, sizeof(err)), II_OK);
        free(b.p);
    }
}

/* Every prefix of every fixture is a valid start: II_NEED_MORE with a need
 * past the prefix and never past where II_OK first comes, then II_OK with
 * the whole file's answer. Never II_ERROR, never a read past the prefix. */
static void test_fixture_prefixes(void **state)
{
    (void) state;
    for (size_t i = 0; i < NFIXTURES; i++) {
        ii_info_t full, info;
        size_t n, max_need = 0;
        char err[256];
        buf_t b;
        int r = II_NEED_MORE;

        load(fixtures[i].file, &b);
        assert_int_equal(probe_exact(b.p, b.len, &full, err, sizeof(err)), II_OK);
        for (n = 0; n <= b.len; n++) {
            r = probe_exact(b.p, n, &info, err, sizeof(err));
            if (r != II_NEED_MORE)
                break;
            assert_true(info.need > n);
            if (n >= 32) /* every signature (a fixture's ftyp box too) is complete */
                assert_int_equal(info.type, fixtures[i].type);
            if (info.need > max_need)
                max_need = info.need;
        }
        if (r != II_OK)
            fail_msg("%s: prefix of %zu bytes gave %d (%s)", fixtures[i].file, n, r, err);
        assert_true(max_need <= n);
        assert_true(same_info(&info, &full));
        free(b.p);
    }
}

/* ---- types and names ---------------------------------------------------- */

/* The magic alone decides, and only once the whole signature is there. */
static void test_sniff(void **state)
{
    (void) state;
    assert_int_equal(ii_sniff("\xFF\xD8\xFF", 3), II_TYPE_JPEG);
    assert_int_equal(ii_sniff("\xFF\xD8", 2), II_TYPE_UNKNOWN);
    assert_int_equal(ii_sniff("\x89PNG\r\n\x1A\n", 8), II_TYPE_PNG);
    assert_int_equal(ii_sniff("\x89PNG\r\n\x1A", 7), II_TYPE_UNKNOWN);
    assert_int_equal(ii_sniff("RIFF\x10\x20\x30\x40WEBP", 12), II_TYPE_WEBP);
    assert_int_equal(ii_sniff("RIFF\x10\x20\x30\x40WAVE", 12), II_TYPE_UNKNOWN);
    assert_int_equal(ii_sniff("GIF87a", 6), II_TYPE_GIF);
    assert_int_equal(ii_sniff("GIF89a", 6), II_TYPE_GIF);
    assert_int_equal(ii_sniff("GIF88a", 6), II_TYPE_UNKNOWN);
    assert_int_equal(ii_sniff("BM6\0\0\0", 6), II_TYPE_UNKNOWN);
    assert_int_equal(ii_sniff(NULL, 0), II_TYPE_UNKNOWN);
}

/* MIME types, extensions and configuration names, both ways. */
static void test_type_names(void **state)
{
    static const struct {
        ii_type_t t;
        const char *mime, *ext;
    } names[] = {
        { II_TYPE_JPEG, "image/jpeg", "jpg" },  { II_TYPE_PNG, "image/png", "png" },
        { II_TYPE_WEBP, "image/webp", "webp" }, { II_TYPE_GIF, "image/gif", "gif" },
        { II_TYPE_HEIC, "image/heic", "heic" }, { II_TYPE_HEIF, "image/heif", "heif" },
        { II_TYPE_AVIF, "image/avif", "avif" },
    };
    (void) state;
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        assert_string_equal(ii_type_mime(names[i].t), names[i].mime);
        assert_string_equal(ii_type_ext(names[i].t), names[i].ext);
        assert_int_equal(ii_type_from_name(names[i].ext), names[i].t);
        assert_int_equal(ii_type_from_name(names[i].mime), names[i].t);
    }
    assert_int_equal(ii_type_from_name("jpeg"), II_TYPE_JPEG);
    assert_int_equal(ii_type_from_name("JPEG"), II_TYPE_JPEG);
    assert_int_equal(ii_type_from_name("WebP"), II_TYPE_WEBP);
    assert_int_equal(ii_type_from_name("tiff"), II_TYPE_UNKNOWN);
    assert_int_equal(ii_type_from_name(""), II_TYPE_UNKNOWN);
    assert_int_equal(ii_type_from_name(NULL), II_TYPE_UNKNOWN);
    assert_string_equal(ii_type_mime(II_TYPE_UNKNOWN), "application/octet-stream");
    assert_string_equal(ii_type_ext(II_TYPE_UNKNOWN), "bin");
    assert_string_equal(ii_type_ext((ii_type_t) 42), "bin");
}

/* ---- empty, garbage, polyglots ------------------------------------------ */

/* Nothing yet is the start of anything: the shortest signature is needed. */
static void test_empty(void **state)
{
    ii_info_t info;

    (void) state;
    assert_int_equal(ii_probe(NULL, 0, &info, NULL, 0), II_NEED_MORE);
    assert_int_equal(info.need, 3);
    assert_int_equal(info.type, II_TYPE_UNKNOWN);
    assert_int_equal(probe_exact("RIFF", 4, &info, NULL, 0), II_NEED_MORE);
    assert_int_equal(info.need, 12);
    assert_int_equal(probe_exact("GIF8", 4, &info, NULL, 0), II_NEED_MORE);
    assert_int_equal(info.need, 6);
}

/* Unknown bytes are refused with a reason that fits any error buffer. */
static void test_unknown_and_error_buffer(void **state)
{
    const char *text = "<html><body>not an image</body></html>";
    ii_info_t info;
    char small[8];

    (void) state;
    assert_probe_error(text, strlen(text), "unknown image type");
    assert_probe_error("\0\0\0\0\0\0\0\0\0\0\0\0", 12, "unknown image type");
    /* the reason is cut to fit and stays a string; no buffer is fine too */
    memset(small, 'x', sizeof(small));
    assert_int_equal(probe_exact(text, strlen(text), &info, small, sizeof(small)), II_ERROR);
    assert_int_equal(strlen(small), sizeof(small) - 1);
    assert_int_equal(probe_exact(text, strlen(text), &info, NULL, 0), II_ERROR);
}

/* Seeded random bytes, bare and behind each magic: every result keeps the
 * contract (II_OK with non-zero sides, II_NEED_MORE with need > len, or
 * II_ERROR with a reason). */
static void test_random_garbage(void **state)
{
    static const char *magic[] = { "",
                                   "\xFF\xD8\xFF",
                                   "\x89PNG\r\n\x1A\n\0\0\0\x0DIHDR",
                                   "RIFF\xFF\xFF\0\0WEBPVP8 ",
                                   "RIFF\xFF\xFF\0\0WEBPVP8L",
                                   "RIFF\xFF\xFF\0\0WEBPVP8X",
                                   "GIF89a" };
    static const size_t magic_len[] = { 0, 3, 16, 16, 16, 16, 6 };
    uint64_t x = 0x9E3779B97F4A7C15ull;
    unsigned char buf[512];
    int seen[3] = { 0, 0, 0 };

    (void) state;
    for (int round = 0; round < 20000; round++) {
        size_t m = (size_t) round % 7, n;
        ii_info_t info;
        char err[128];
        int r;

        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        n = magic_len[m] + (size_t) (x % (sizeof(buf) - 16));
        memcpy(buf, magic[m], magic_len[m]);
        for (size_t i = magic_len[m]; i < n; i++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            buf[i] = (unsigned char) (x >> 24);
        }
        err[0] = '\0';
        r = probe_exact(buf, n, &info, err, sizeof(err));
        if (r == II_OK) {
            assert_true(info.width > 0 && info.height > 0);
            seen[0]++;
        } else if (r == II_NEED_MORE) {
            assert_true(info.need > n);
            seen[1]++;
        } else {
            assert_int_equal(r, II_ERROR);
            assert_true(err[0] != '\0');
            seen[2]++;
        }
    }
    /* random bytes behind a magic are mostly refused */
    assert_true(seen[2] > seen[0] + seen[1]);
}

/* Bytes that begin like one format and continue as another. */
static void test_polyglots(void **state)
{
    unsigned char tmp[64];
    buf_t jpg, png, b = { 0 };

    (void) state;
    load("jpeg-baseline-420.jpg", &jpg);
    load("png-rgb.png", &png);

    /* PNG signature, then a JPEG */
    put(&b, "\x89PNG\r\n\x1A\n", 8);
    put(&b, jpg.p, jpg.len);
    assert_probe_error(b.p, b.len, "IHDR");
    /* JPEG magic, then a PNG: 0xFF89 is no JPEG marker */
    b.len = 0;
    put(&b, "\xFF\xD8\xFF", 3);
    put(&b, png.p, png.len);
    assert_probe_error(b.p, b.len, "invalid marker");
    /* GIF signature, then a PNG */
    b.len = 0;
    put(&b, "GIF89a", 6);
    put(&b, png.p, png.len);
    assert_probe_error(b.p, b.len, "GIF");
    /* a RIFF WEBP whose first chunk is a WAVE format chunk */
    assert_probe_error("RIFF\x24\0\0\0WEBPfmt \x10\0\0\0\1\0\2\0", 24, "not VP8");
    /* a JPEG that ends, or starts its scan, before any frame header */
    assert_probe_error("\xFF\xD8\xFF\xD9", 4, "end of image");
    memcpy(tmp, "\xFF\xD8\xFF\xDA\x00\x08\x01\x01\x00\x00\x3F\x00", 12);
    assert_probe_error(tmp, 12, "start of scan");
    free(jpg.p);
    free(png.p);
    free(b.p);
}

/* ---- pixel bombs and zero sizes ----------------------------------------- */

/* A JPEG of SOI and a baseline frame header of the given size. */
static size_t jpeg_sof_only(unsigned char *out, unsigned w, unsigned h)
{
    static const unsigned char head[] = { 0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x11, 0x08 };
    memcpy(out, head, sizeof(head));
    out[7] = (unsigned char) (h >> 8);
    out[8] = (unsigned char) h;
    out[9] = (unsigned char) (w >> 8);
    out[10] = (unsigned char) w;
    out[11] = 3;
    memcpy(out + 12, "\x01\x22\x00\x02\x11\x01\x03\x11\x01", 9);
    return 21;
}

/* A 65535x65535 frame header parses and is refused by the limits; zero
 * sides are refused by the probe. */
static void test_jpeg_bomb(void **state)
{
    unsigned char j[32];
    size_t n = jpeg_sof_only(j, 65535, 65535);
    ii_info_t info;
    char err[256];

    (void) state;
    assert_int_equal(probe_exact(j, n, &info, err, sizeof(err)), II_OK);
    assert_int_equal(info.width, 65535);
    assert_int_equal(info.height, 65535);
    assert_int_equal(ii_check_limits(&info, 100000000, 0, err, sizeof(err)), II_ERROR);
    assert_non_null(strstr(err, "65535x65535 = 4294836225 pixels"));
    assert_int_equal(ii_check_limits(&info, 0, 16384, err, sizeof(err)), II_ERROR);
    assert_non_null(strstr(err, "side limit"));
    assert_int_equal(ii_check_limits(&info, 0, 0, err, sizeof(err)), II_OK);

    n = jpeg_sof_only(j, 640, 0); /* height left to a DNL marker */
    assert_probe_error(j, n, "zero dimensions");
    n = jpeg_sof_only(j, 0, 480);
    assert_probe_error(j, n, "zero dimensions");
}

/* IHDR chunks with valid CRCs, written with Python's zlib.crc32. */
static const unsigned char png_65535[] = { 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00,
                                           0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00,
                                           0xff, 0xff, 0x00, 0x00, 0xff, 0xff, 0x08, 0x02, 0x00,
                                           0x00, 0x00, 0x39, 0x67, 0x4e, 0x07 };
static const unsigned char png_max[] = { /* 2^31-1 x 2^31-1 RGBA */
                                         0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00,
                                         0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x7f, 0xff,
                                         0xff, 0xff, 0x7f, 0xff, 0xff, 0xff, 0x08, 0x06, 0x00,
                                         0x00, 0x00, 0x14, 0xc9, 0x0b, 0x66
};
static const unsigned char png_over[] = { /* 2^31 x 1 */
                                          0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00,
                                          0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x80, 0x00,
                                          0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x08, 0x02, 0x00,
                                          0x00, 0x00, 0xdf, 0xdf, 0x1d, 0xf7
};
static const unsigned char png_zero[] = { /* 0 x 10 */
                                          0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00,
                                          0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00,
                                          0x00, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x08, 0x02, 0x00,
                                          0x00, 0x00, 0x15, 0x72, 0xc8, 0x23
};
static const unsigned char png_rgb_depth4[] = { /* colour type 2 allows 8 or 16 only */
                                                0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a,
                                                0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48,
                                                0x44, 0x52, 0x00, 0x00, 0x00, 0x0a, 0x00,
                                                0x00, 0x00, 0x0a, 0x04, 0x02, 0x00, 0x00,
                                                0x00, 0xc7, 0xa0, 0xb5, 0xeb
};

/* IHDR bombs parse and are refused by the limits; sides over 2^31-1,
 * zero sides, bad depths, a bad CRC and a missing IHDR are errors. */
static void test_png_bombs_and_bad_headers(void **state)
{
    ii_info_t info;
    char err[256];
    buf_t png;

    (void) state;
    assert_int_equal(probe_exact(png_65535, sizeof(png_65535), &info, err, sizeof(err)), II_OK);
    assert_int_equal(info.width, 65535);
    assert_int_equal(info.height, 65535);
    assert_int_equal(ii_check_limits(&info, 100000000, 0, err, sizeof(err)), II_ERROR);

    assert_int_equal(probe_exact(png_max, sizeof(png_max), &info, err, sizeof(err)), II_OK);
    assert_int_equal(info.width, 2147483647u);
    assert_int_equal(info.height, 2147483647u);
    assert_int_equal(info.has_alpha, 1);
    assert_int_equal(ii_check_limits(&info, 100000000, 0, err, sizeof(err)), II_ERROR);
    assert_non_null(strstr(err, "4611686014132420609 pixels"));

    assert_probe_error(png_over, sizeof(png_over), "exceed 2^31-1");
    assert_probe_error(png_zero, sizeof(png_zero), "zero dimensions");
    assert_probe_error(png_rgb_depth4, sizeof(png_rgb_depth4), "colour type 2 with bit depth 4");

    /* a changed width no longer matches the CRC */
    load("png-rgb.png", &png);
    png.p[19] ^= 0x01;
    assert_probe_error(png.p, png.len, "CRC");
    /* a first chunk other than IHDR is refused as soon as it is seen */
    memcpy(png.p + 12, "IDAT", 4);
    assert_probe_error(png.p, 16, "IHDR");
    free(png.p);
}

/* A RIFF WEBP with a VP8X chunk of the given canvas. */
static size_t webp_vp8x(unsigned char *out, uint32_t w, uint32_t h)
{
    memcpy(out, "RIFF\x16\0\0\0WEBPVP8X\x0A\0\0\0\x10\0\0\0", 24);
    w--;
    h--;
    out[24] = (unsigned char) w;
    out[25] = (unsigned char) (w >> 8);
    out[26] = (unsigned char) (w >> 16);
    out[27] = (unsigned char) h;
    out[28] = (unsigned char) (h >> 8);
    out[29] = (unsigned char) (h >> 16);
    return 30;
}

/* The largest WebP and GIF headers parse and are refused by the limits;
 * a canvas of 2^32 pixels and a GIF without an image are errors. */
static void test_webp_and_gif_bombs(void **state)
{
    unsigned char w[32];
    ii_info_t info;
    char err[256];
    size_t n;

    (void) state;
    n = webp_vp8x(w, 16777216, 255);
    assert_int_equal(probe_exact(w, n, &info, err, sizeof(err)), II_OK);
    assert_int_equal(info.width, 16777216);
    assert_int_equal(info.height, 255);
    assert_int_equal(info.has_alpha, 1);
    assert_int_equal(ii_check_limits(&info, 0, 65535, err, sizeof(err)), II_ERROR);
    n = webp_vp8x(w, 16777216, 256); /* 2^32 pixels: forbidden by the format */
    assert_probe_error(w, n, "exceeds 2^32-1");

    /* the largest lossless header: 16384 x 16384 */
    assert_int_equal(probe_exact("RIFF\x11\0\0\0WEBPVP8L\x05\0\0\0\x2F\xFF\xFF\xFF\x0F", 25, &info,
                                 err, sizeof(err)),
                     II_OK);
    assert_int_equal(info.width, 16384);
    assert_int_equal(info.height, 16384);
    assert_int_equal(ii_check_limits(&info, 100000000, 0, err, sizeof(err)), II_ERROR);

    assert_int_equal(probe_exact("GIF89a\xFF\xFF\xFF\xFF\x00\x00\x00"
                                 "\x2C\0\0\0\0\x01\0\x01\0\0\x02\0;",
                                 26, &info, err, sizeof(err)),
                     II_OK);
    assert_int_equal(info.width, 65535);
    assert_int_equal(info.height, 65535);
    assert_int_equal(ii_check_limits(&info, 100000000, 0, err, sizeof(err)), II_ERROR);
    assert_probe_error("GIF89a\x00\x00\x10\x00\x00\x00\x00\x2C", 14, "zero");
    assert_probe_error("GIF89a\x10\x00\x10\x00\x00\x00\x00\x3B", 14, "before any image");
}

/* Limits are inclusive, 0 disables one, zero sides are always refused. */
static void test_check_limits(void **state)
{
    ii_info_t info = { .type = II_TYPE_PNG, .width = 1000, .height = 500 };
    ii_info_t zero = { .type = II_TYPE_PNG, .width = 0, .height = 500 };
    char err[256];

    (void) state;
    assert_int_equal(ii_check_limits(&info, 500000, 1000, err, sizeof(err)), II_OK);
    assert_int_equal(ii_check_limits(&info, 499999, 0, err, sizeof(err)), II_ERROR);
    assert_non_null(strstr(err, "1000x500 = 500000 pixels, over the 499999 pixel limit"));
    assert_int_equal(ii_check_limits(&info, 0, 999, err, sizeof(err)), II_ERROR);
    assert_non_null(strstr(err, "999 pixel side limit"));
    assert_int_equal(ii_check_limits(&zero, 0, 0, err, sizeof(err)), II_ERROR);
    assert_non_null(strstr(err, "zero dimensions"));
}

/* ---- JPEG marker walking ------------------------------------------------ */

/* out = SOI, the bytes extra[0..n), then the baseline fixture after SOI. */
static void jpeg_with(buf_t *out, const void *extra, size_t n)
{
    buf_t base;

    load("jpeg-baseline-420.jpg", &base);
    memset(out, 0, sizeof(*out));
    put(out, base.p, 2);
    put(out, extra, n);
    put(out, base.p + 2, base.len - 2);
    free(base.p);
}

/* Fill bytes, standalone markers and unknown segments are walked over;
 * malformed marker structure is refused with its offset. */
static void test_jpeg_markers(void **state)
{
    ii_info_t info;
    char err[256];
    buf_t j;

    (void) state;
    /* fill bytes, TEM and RST markers before a segment are stepped over */
    jpeg_with(&j, "\xFF\xFF\xFF\x01\xFF\xD3\xFF\xFF", 8);
    assert_int_equal(probe_exact(j.p, j.len, &info, err, sizeof(err)), II_OK);
    assert_int_equal(info.width, 161);
    assert_int_equal(info.height, 97);
    free(j.p);
    /* a COM segment and an unknown APP15 are skipped by their length */
    jpeg_with(&j, "\xFF\xFE\x00\x06hey!\xFF\xEF\x00\x03z", 13);
    assert_int_equal(probe_exact(j.p, j.len, &info, err, sizeof(err)), II_OK);
    assert_int_equal(info.width, 161);
    free(j.p);

    jpeg_with(&j, "\xFF\x02\x00\x04..", 6); /* reserved marker */
    assert_probe_error(j.p, j.len, "invalid marker 0xFF02 at offset 2");
    free(j.p);
    jpeg_with(&j, "\xFF\xE0\x00\x01", 4); /* length below its own 2 bytes */
    assert_probe_error(j.p, j.len, "has length 1");
    free(j.p);
    jpeg_with(&j, "\xFF\xFE\x00\x03zjunk", 9); /* bytes where a marker belongs */
    assert_probe_error(j.p, j.len, "expected a marker at offset 7, found 0x6A");
    free(j.p);
    jpeg_with(&j, "\xFF\xD8", 2);
    assert_probe_error(j.p, j.len, "second start-of-image");
    free(j.p);
    jpeg_with(&j, "\xFF\x00", 2);
    assert_probe_error(j.p, j.len, "invalid marker 0xFF00");
    free(j.p);
    /* a frame header whose length disagrees with its component count */
    assert_probe_error("\xFF\xD8\xFF\xC0\x00\x0B\x08\x00\x10\x00\x10\x03\x01\x22\x00", 15,
                       "does not fit 3 components");
    assert_probe_error("\xFF\xD8\xFF\xC0\x00\x0B\x00\x00\x10\x00\x10\x01\x01\x11\x00", 15,
                       "precision 0");
}

/* ---- EXIF ---------------------------------------------------------------- */

/* Writes the n-byte value v at p, big-endian when be, else little-endian. */
static void put_uint(unsigned char *p, size_t n, uint32_t v, int be)
{
    for (size_t i = 0; i < n; i++)
        p[be ? n - 1 - i : i] = (unsigned char) (v >> (8 * i));
}

/* An APP1 EXIF payload whose IFD0 (at ifd) holds a Make entry and then an
 * Orientation entry of the given TIFF type and value; big-endian when be.
 * Returns its length. */
static size_t exif_payload(unsigned char *out, int be, uint32_t ifd, unsigned type, unsigned value)
{
    enum { LEN = 6 + 8 + 2 + 2 * 12 + 4 }; /* header, TIFF header, IFD0 */
    unsigned char *t = out + 6;

    memset(out, 0, LEN);
    memcpy(out, "Exif\0\0", 6);
    memcpy(t, be ? "MM" : "II", 2);
    put_uint(t + 2, 2, 42, be);
    put_uint(t + 4, 4, ifd, be);
    put_uint(t + 8, 2, 2, be);       /* entries */
    put_uint(t + 10, 2, 0x010F, be); /* Make, ASCII[4] */
    put_uint(t + 12, 2, 2, be);
    put_uint(t + 14, 4, 4, be);
    memcpy(t + 18, "abc", 4);
    put_uint(t + 22, 2, 0x0112, be); /* Orientation */
    put_uint(t + 24, 2, type, be);
    put_uint(t + 26, 4, 1, be);
    put_uint(t + 30, 2, value, be);
    return LEN;
}

/* Orientation of the baseline fixture with the given APP1 payload(s). */
static int orientation_with(const void *app1, size_t n, const void *app1b, size_t nb)
{
    ii_info_t info;
    char err[256];
    buf_t seg = { 0 }, j;
    int r;

    put_segment(&seg, 0xE1, app1, n);
    if (app1b)
        put_segment(&seg, 0xE1, app1b, nb);
    jpeg_with(&j, seg.p, seg.len);
    r = probe_exact(j.p, j.len, &info, err, sizeof(err));
    free(seg.p);
    free(j.p);
    assert_int_equal(r, II_OK);
    assert_int_equal(info.width, 161);
    return info.orientation;
}

/* Orientation in both byte orders; broken or missing EXIF leaves 1 and
 * never fails the probe; the first EXIF APP1 wins. */
static void test_exif_orientation(void **state)
{
    unsigned char a[64], b[64];
    size_t n, nb;

    (void) state;
    for (int be = 0; be <= 1; be++) {
        n = exif_payload(a, be, 8, 3, 6);
        assert_int_equal(orientation_with(a, n, NULL, 0), 6);
        n = exif_payload(a, be, 8, 3, 9); /* out of range */
        assert_int_equal(orientation_with(a, n, NULL, 0), 1);
        n = exif_payload(a, be, 8, 4, 6); /* LONG, not SHORT */
        assert_int_equal(orientation_with(a, n, NULL, 0), 1);
        n = exif_payload(a, be, 4000, 3, 6); /* IFD0 past the segment */
        assert_int_equal(orientation_with(a, n, NULL, 0), 1);
        exif_payload(a, be, 8, 3, 6); /* IFD0 cut inside Orientation */
        assert_int_equal(orientation_with(a, 6 + 8 + 2 + 12 + 4, NULL, 0), 1);
    }
    /* the first EXIF segment counts; XMP in APP1 is not EXIF */
    n = exif_payload(a, 0, 8, 3, 3);
    nb = exif_payload(b, 1, 8, 3, 8);
    assert_int_equal(orientation_with(a, n, b, nb), 3);
    assert_int_equal(orientation_with("http://ns.adobe.com/xap/1.0/\0<x/>", 33, b, nb), 8);
    /* a TIFF header that is neither II nor MM */
    memcpy(a + 6, "XX", 2);
    assert_int_equal(orientation_with(a, n, NULL, 0), 1);
}

/* APPn segments worth megabytes ahead of the frame header (a 64 KiB EXIF,
 * then ICC profile chunks): each II_NEED_MORE names the end of the segment
 * in the way plus the next marker, and reading exactly that much each time
 * reaches II_OK; a caller with a smaller limit sees need pass it. */
static void test_large_exif_need(void **state)
{
    enum { N_ICC = 40, SEG = 65533 };
    unsigned char *payload = calloc(1, SEG);
    size_t have = 4096, limit_hit_at = 0;
    int r, rounds = 0;
    ii_info_t info;
    char err[256];
    buf_t segs = { 0 }, j;

    (void) state;
    assert_non_null(payload);
    exif_payload(payload, 1, 8, 3, 6);
    put_segment(&segs, 0xE1, payload, SEG);
    memset(payload, 0, SEG);
    memcpy(payload, "ICC_PROFILE\0", 12);
    for (int i = 0; i < N_ICC; i++)
        put_segment(&segs, 0xE2, payload, SEG);
    jpeg_with(&j, segs.p, segs.len);

    r = probe_exact(j.p, have, &info, err, sizeof(err));
    assert_int_equal(r, II_NEED_MORE);
    assert_int_equal(info.type, II_TYPE_JPEG);
    assert_int_equal(info.need, 2 + 2 + 65535 + 4);
    assert_int_equal(info.orientation, 6); /* read from the part present */

    while ((r = probe_exact(j.p, have, &info, err, sizeof(err))) == II_NEED_MORE) {
        assert_true(info.need > have);
        assert_true(info.need <= j.len);
        if (limit_hit_at == 0 && info.need > (1u << 20))
            limit_hit_at = have;
        have = info.need;
        rounds++;
        assert_true(rounds <= 100);
    }
    assert_int_equal(r, II_OK);
    /* one round per segment: EXIF, the ICC chunks, the fixture's APP0 and
     * two DQT, then its frame header */
    assert_int_equal(rounds, 1 + N_ICC + 3 + 1);
    assert_int_equal(info.width, 161);
    assert_int_equal(info.height, 97);
    assert_int_equal(info.orientation, 6);
    /* a 1 MiB limit is seen to be too small after 15 segments, not at the end */
    assert_int_equal(limit_hit_at, 2 + 15 * (2 + 65535) + 4);
    free(payload);
    free(segs.p);
    free(j.p);
}

/* ---- WebP structure -------------------------------------------------------- */

/* Each WebP header check refuses a corrupted fixture with its reason. */
static void test_webp_headers(void **state)
{
    ii_info_t info;
    char err[256];
    buf_t w;

    (void) state;
    load("webp-lossy.webp", &w);
    w.p[23] = 0x9C; /* start code */
    assert_probe_error(w.p, w.len, "start code");
    w.p[23] = 0x9D;
    w.p[20] |= 1; /* inter frame */
    assert_probe_error(w.p, w.len, "key frame");
    w.p[20] &= 0xFE;
    w.p[20] |= 0x0E; /* profile 7 */
    assert_probe_error(w.p, w.len, "profile 7");
    w.p[20] &= 0xE1; /* profile 0, not shown */
    assert_probe_error(w.p, w.len, "not shown");
    w.p[20] |= 0x10;
    w.p[22] ^= 0x80; /* first partition length + 2^18 */
    assert_probe_error(w.p, w.len, "exceeds its chunk");
    w.p[22] ^= 0x80;
    assert_int_equal(probe_exact(w.p, w.len, &info, err, sizeof(err)), II_OK);
    w.p[4] = 0x10;
    w.p[5] = 0;
    w.p[6] = 0;
    w.p[7] = 0; /* RIFF size below the chunk */
    assert_probe_error(w.p, w.len, "overruns the RIFF size");
    free(w.p);

    load("webp-lossless.webp", &w);
    w.p[20] = 0x2E;
    assert_probe_error(w.p, w.len, "VP8L signature");
    w.p[20] = 0x2F;
    w.p[24] |= 0x20; /* version 1 */
    assert_probe_error(w.p, w.len, "VP8L version");
    free(w.p);

    load("webp-alpha.webp", &w);
    w.p[16] = 12; /* VP8X must be 10 bytes */
    assert_probe_error(w.p, w.len, "wrong size");
    free(w.p);
    assert_probe_error("RIFF\x02\0\0\0WEBP", 12, "RIFF size 2");
    assert_int_equal(probe_exact("RIFF\xFF\0\0\0WEBPVP8 ", 16, &info, err, sizeof(err)),
                     II_NEED_MORE);
    assert_int_equal(info.need, 30);
}

/* ---- HEIC / HEIF / AVIF, built box by box ------------------------------- */

/* Appends a 32-bit big-endian value. */
static void put_be32(buf_t *b, uint32_t v)
{
    unsigned char c[4] = { (unsigned char) (v >> 24), (unsigned char) (v >> 16),
                           (unsigned char) (v >> 8), (unsigned char) v };
    put(b, c, 4);
}

/* Appends a box: its size, its type, then the payload. */
static void put_box(buf_t *b, const char *type, const void *payload, size_t n)
{
    put_be32(b, (uint32_t) (n + 8));
    put(b, type, 4);
    put(b, payload, n);
}

/* Appends a box whose payload is another buffer's content, freeing it. */
static void put_box_of(buf_t *b, const char *type, buf_t *payload)
{
    put_box(b, type, payload->p, payload->len);
    free(payload->p);
    memset(payload, 0, sizeof(*payload));
}

/* What heif_file() puts in a file. */
typedef struct {
    const char *brands;     /* major, then compatible ones, 4 characters each */
    uint32_t width, height; /* the primary item's ispe */
    int angle;              /* irot quarter turns, -1 for none */
    int decoy;              /* a first ispe of another item, 4096x4096 */
    size_t mdat_first;      /* bytes of an mdat before meta, 0 for none */
} heif_spec_t;

/* A HEIF file as libheif lays one out: ftyp, meta (hdlr, pitm item 1,
 * iprp with ipco [decoy ispe,] ispe, pixi [, irot] and ipma), then mdat. */
static void heif_file(const heif_spec_t *spec, buf_t *out)
{
    static const unsigned char hdlr[] = { 0, 0, 0, 0, 0, 0, 0, 0, 'p', 'i', 'c', 't', 0,
                                          0, 0, 0, 0, 0, 0, 0, 0, 0,   0,   0,   0 };
    static const unsigned char pitm[] = { 0, 0, 0, 0, 0, 1 };
    static const unsigned char pixi[] = { 0, 0, 0, 0, 3, 8, 8, 8 };
    unsigned char ispe[12] = { 0 }, decoy[12] = { 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0, 0x10, 0 };
    unsigned char irot[1], ipma[32];
    size_t nb = strlen(spec->brands) / 4, ni = 0, na;
    buf_t ftyp = { 0 }, meta = { 0 }, iprp = { 0 }, ipco = { 0 };
    unsigned first;

    memset(out, 0, sizeof(*out));
    put(&ftyp, spec->brands, 4);
    put_be32(&ftyp, 0);
    for (size_t i = 1; i < nb; i++)
        put(&ftyp, spec->brands + 4 * i, 4);
    put_box_of(out, "ftyp", &ftyp);
    if (spec->mdat_first) {
        unsigned char *zeros = calloc(1, spec->mdat_first);
        assert_non_null(zeros);
        put_box(out, "mdat", zeros, spec->mdat_first);
        free(zeros);
    }

    if (spec->decoy)
        put_box(&ipco, "ispe", decoy, sizeof(decoy));
    first = spec->decoy ? 2 : 1;
    ispe[4] = (unsigned char) (spec->width >> 24);
    ispe[5] = (unsigned char) (spec->width >> 16);
    ispe[6] = (unsigned char) (spec->width >> 8);
    ispe[7] = (unsigned char) spec->width;
    ispe[8] = (unsigned char) (spec->height >> 24);
    ispe[9] = (unsigned char) (spec->height >> 16);
    ispe[10] = (unsigned char) (spec->height >> 8);
    ispe[11] = (unsigned char) spec->height;
    put_box(&ipco, "ispe", ispe, sizeof(ispe));
    put_box(&ipco, "pixi", pixi, sizeof(pixi));
    if (spec->angle >= 0) {
        irot[0] = (unsigned char) spec->angle;
        put_box(&ipco, "irot", irot, 1);
    }
    /* ipma version 0, flags 0: [item 2 -> decoy,] item 1 -> its properties */
    memset(ipma, 0, sizeof(ipma));
    ni = 4;
    ipma[ni + 3] = spec->decoy ? 2 : 1;
    ni += 4;
    if (spec->decoy) {
        ipma[ni + 1] = 2;
        ipma[ni + 2] = 1;
        ipma[ni + 3] = 0x81;
        ni += 4;
    }
    na = spec->angle >= 0 ? 3 : 2;
    ipma[ni + 1] = 1;
    ipma[ni + 2] = (unsigned char) na;
    ipma[ni + 3] = (unsigned char) (0x80 | first);
    ipma[ni + 4] = (unsigned char) (first + 1);
    if (na == 3)
        ipma[ni + 5] = (unsigned char) (0x80 | (first + 2));
    ni += 3 + na;
    put_box_of(&iprp, "ipco", &ipco);
    put_box(&iprp, "ipma", ipma, ni);

    put_be32(&meta, 0);
    put_box(&meta, "hdlr", hdlr, sizeof(hdlr));
    put_box(&meta, "pitm", pitm, sizeof(pitm));
    put_box_of(&meta, "iprp", &iprp);
    put_box_of(out, "meta", &meta);
    put_box(out, "mdat", "\0\0\0\0\0\0\0\0", 8);
}

/* Probes a built file and checks type, size and animation. */
static void expect_heif(const heif_spec_t *spec, ii_type_t type, unsigned w, unsigned h,
                        int animated)
{
    ii_info_t info;
    char err[256];
    buf_t b;

    heif_file(spec, &b);
    assert_int_equal(ii_sniff(b.p, b.len), type);
    if (probe_exact(b.p, b.len, &info, err, sizeof(err)) != II_OK)
        fail_msg("%s: %s", spec->brands, err);
    assert_int_equal(info.type, type);
    assert_int_equal(info.width, w);
    assert_int_equal(info.height, h);
    assert_int_equal(info.animated, animated);
    assert_int_equal(info.components, 3);
    assert_int_equal(info.bit_depth, 8);
    free(b.p);
}

/* The ftyp brands decide: a codec major brand first, then compatible
 * brands (HEIC before AVIF), then mif1/msf1 for plain HEIF; anything
 * else in an ftyp box (an MP4, a QuickTime file) is no image type. */
static void test_heif_brands(void **state)
{
    heif_spec_t s = { .width = 64, .height = 48, .angle = -1 };
    ii_info_t info;

    (void) state;
    s.brands = "heic";
    expect_heif(&s, II_TYPE_HEIC, 64, 48, 0);
    s.brands = "mif1heicmiaf";
    expect_heif(&s, II_TYPE_HEIC, 64, 48, 0);
    s.brands = "heixmif1";
    expect_heif(&s, II_TYPE_HEIC, 64, 48, 0);
    s.brands = "heimmif1";
    expect_heif(&s, II_TYPE_HEIC, 64, 48, 0);
    s.brands = "heismif1";
    expect_heif(&s, II_TYPE_HEIC, 64, 48, 0);
    s.brands = "hevcmsf1";
    expect_heif(&s, II_TYPE_HEIC, 64, 48, 1);
    s.brands = "hevxmsf1";
    expect_heif(&s, II_TYPE_HEIC, 64, 48, 1);
    s.brands = "avifmif1miaf";
    expect_heif(&s, II_TYPE_AVIF, 64, 48, 0);
    s.brands = "avisavifmsf1";
    expect_heif(&s, II_TYPE_AVIF, 64, 48, 1);
    s.brands = "mif1avifmiaf";
    expect_heif(&s, II_TYPE_AVIF, 64, 48, 0);
    s.brands = "mif1avifheic";
    expect_heif(&s, II_TYPE_HEIC, 64, 48, 0);
    s.brands = "avifheicmif1";
    expect_heif(&s, II_TYPE_AVIF, 64, 48, 0); /* major wins */
    s.brands = "mif1miaf";
    expect_heif(&s, II_TYPE_HEIF, 64, 48, 0);
    s.brands = "msf1";
    expect_heif(&s, II_TYPE_HEIF, 64, 48, 1);
    s.brands = "miafmif1";
    expect_heif(&s, II_TYPE_HEIF, 64, 48, 0);
    assert_probe_error("\0\0\0\x18"
                       "ftypisom\0\0\0\0isommp41",
                       24, "unknown image type");
    assert_probe_error("\0\0\0\x14"
                       "ftypqt  \0\0\0\0qt  ",
                       20, "unknown image type");
    /* an ftyp box is needed whole before it names a type */
    assert_int_equal(ii_sniff("\0\0\0\x18"
                              "ftypmif1\0\0\0\0heic",
                              20),
                     II_TYPE_UNKNOWN);
    assert_int_equal(probe_exact("\0\0\0\x18"
                                 "ftypmif1\0\0\0\0heic",
                                 20, &info, NULL, 0),
                     II_NEED_MORE);
    assert_int_equal(info.need, 24);
    assert_int_equal(probe_exact("\0\0\0", 3, &info, NULL, 0), II_NEED_MORE);
    assert_int_equal(info.need, 8);
    /* sizes a real ftyp never has */
    assert_probe_error("\0\0\0\x0C"
                       "ftypheic",
                       8, "unknown image type");
    assert_probe_error("\0\0\x10\x04"
                       "ftypheic",
                       8, "unknown image type");
    assert_probe_error("\0\0\0\x13"
                       "ftypheic\0\0\0\0mif",
                       19, "unknown image type");
}

/* The primary item's ispe counts, not another item's; irot by 90 or 270
 * degrees swaps the sides, 180 does not. */
static void test_heif_properties(void **state)
{
    heif_spec_t s = { .brands = "heicmif1", .width = 640, .height = 480, .angle = -1 };

    (void) state;
    s.decoy = 1;
    expect_heif(&s, II_TYPE_HEIC, 640, 480, 0);
    s.angle = 0;
    expect_heif(&s, II_TYPE_HEIC, 640, 480, 0);
    s.angle = 1;
    expect_heif(&s, II_TYPE_HEIC, 480, 640, 0);
    s.angle = 2;
    expect_heif(&s, II_TYPE_HEIC, 640, 480, 0);
    s.angle = 3;
    expect_heif(&s, II_TYPE_HEIC, 480, 640, 0);
    s.decoy = 0;
    expect_heif(&s, II_TYPE_HEIC, 480, 640, 0);
}

/* Offset of the first occurrence of the 4-byte tag in b, failing without. */
static size_t find_tag(const buf_t *b, const char *tag)
{
    for (size_t i = 0; i + 4 <= b->len; i++) {
        if (memcmp(b->p + i, tag, 4) == 0)
            return i;
    }
    fail_msg("no %s in the built file", tag);
    return 0;
}

/* An absurd ispe is read (and refused by the limits); every malformed box
 * is an error with a reason, found without looping or reading past. */
static void test_heif_bombs_and_malformed_boxes(void **state)
{
    heif_spec_t s = {
        .brands = "avifmif1", .width = 0xFFFFFFFFu, .height = 0xFFFFFFFFu, .angle = -1
    };
    ii_info_t info;
    char err[256];
    size_t at;
    buf_t b;

    (void) state;
    heif_file(&s, &b);
    assert_int_equal(probe_exact(b.p, b.len, &info, err, sizeof(err)), II_OK);
    assert_int_equal(info.width, 0xFFFFFFFFu);
    assert_int_equal(ii_check_limits(&info, 50000000, 0, err, sizeof(err)), II_ERROR);
    assert_non_null(strstr(err, "pixel limit"));
    free(b.p);

    s.width = 64;
    s.height = 0;
    heif_file(&s, &b);
    assert_probe_error(b.p, b.len, "zero dimensions");
    free(b.p);

    s.height = 48;
    heif_file(&s, &b);
    at = find_tag(&b, "pitm") - 4;
    /* a child box smaller than its header, then one overrunning meta */
    b.p[at + 3] = 4;
    assert_probe_error(b.p, b.len, "less than its header");
    b.p[at + 2] = 0x10;
    assert_probe_error(b.p, b.len, "overruns its container");
    b.p[at + 2] = 0;
    /* a 64-bit largesize overrunning meta */
    b.p[at + 3] = 1;
    assert_probe_error(b.p, b.len, "overruns its container");
    /* no pitm at all: renamed */
    b.p[at + 3] = 14;
    memcpy(b.p + at + 4, "xxxx", 4);
    assert_probe_error(b.p, b.len, "no primary item");
    memcpy(b.p + at + 4, "pitm", 4);
    b.p[at + 13] = 7; /* primary item 7: ipma does not list it */
    assert_probe_error(b.p, b.len, "no property associations");
    b.p[at + 13] = 1;
    /* ipma naming property 9 of 2 */
    at = find_tag(&b, "ipma");
    b.p[at + 4 + 4 + 4 + 3] = 0x89;
    assert_probe_error(b.p, b.len, "ipco has 2");
    b.p[at + 4 + 4 + 4 + 3] = 0x81;
    /* ipma claiming more entries than it holds */
    b.p[at + 4 + 4 + 3] = 200;
    assert_probe_error(b.p, b.len, "truncated");
    b.p[at + 4 + 4 + 3] = 1;
    /* no ispe: renamed */
    at = find_tag(&b, "ispe");
    memcpy(b.p + at, "ispf", 4);
    assert_probe_error(b.p, b.len, "no ispe");
    memcpy(b.p + at, "ispe", 4);
    assert_int_equal(probe_exact(b.p, b.len, &info, err, sizeof(err)), II_OK);
    /* a top-level box of size 0 before meta: meta can never come */
    at = find_tag(&b, "meta") - 4;
    memcpy(b.p + at + 4, "free", 4);
    b.p[at] = b.p[at + 1] = b.p[at + 2] = b.p[at + 3] = 0;
    assert_probe_error(b.p, b.len, "runs to the end of the file");
    /* size 1 with a largesize below 16 */
    b.p[at + 3] = 1;
    memcpy(b.p + at + 8, "\0\0\0\0\0\0\0\x08", 8);
    assert_probe_error(b.p, b.len, "less than its header");
    free(b.p);
}

/* meta behind a large mdat: NEED_MORE up to the budget, then refused;
 * a small mdat before meta is skipped. */
static void test_heif_header_budget(void **state)
{
    heif_spec_t s = {
        .brands = "heicmif1", .width = 64, .height = 48, .angle = -1, .mdat_first = 1000
    };
    ii_info_t info;
    char err[256];
    buf_t b;

    (void) state;
    expect_heif(&s, II_TYPE_HEIC, 64, 48, 0);
    s.mdat_first = II_HEADER_MAX;
    heif_file(&s, &b);
    assert_int_equal(probe_exact(b.p, 4096, &info, err, sizeof(err)), II_ERROR);
    assert_non_null(strstr(err, "no meta box in the first 1048576 bytes"));
    assert_int_equal(probe_exact(b.p, b.len, &info, err, sizeof(err)), II_ERROR);
    assert_non_null(strstr(err, "no meta box in the first 1048576 bytes"));
    free(b.p);
}

/* A GIF of two frames: the logical screen, a global table of 2 colours,
 * each frame an image descriptor and LZW data of n bytes (not decoded). */
static void gif_frames(buf_t *b, int frames, size_t data, int loop_extension)
{
    static const unsigned char head[] = { 'G',  'I', 'F', '8', '9', 'a', 8,   0,   8,  0,
                                          0x80, 0,   0,   0,   0,   0,   255, 255, 255 };
    static const unsigned char loop[] = { 0x21, 0xFF, 11,  'N', 'E', 'T', 'S', 'C', 'A', 'P',
                                          'E',  '2',  '.', '0', 3,   1,   0,   0,   0 };
    static const unsigned char image[] = { 0x2C, 0, 0, 0, 0, 8, 0, 8, 0, 0, 2 };

    memset(b, 0, sizeof(*b));
    put(b, head, sizeof(head));
    if (loop_extension)
        put(b, loop, sizeof(loop));
    for (int f = 0; f < frames; f++) {
        put(b, image, sizeof(image));
        for (size_t left = data; left > 0;) {
            unsigned char n = (unsigned char) (left > 255 ? 255 : left);
            unsigned char block[256] = { n };
            put(b, block, 1 + (size_t) n);
            left -= n;
        }
        put(b, "", 1);
    }
    put(b, ";", 1);
}

/* Animated means a second image descriptor; a loop extension alone is a
 * still; a first frame past the budget leaves the loop extension to say. */
static void test_gif_frames(void **state)
{
    ii_info_t info;
    char err[256];
    buf_t b;

    (void) state;
    gif_frames(&b, 2, 300, 0);
    assert_int_equal(probe_exact(b.p, b.len, &info, err, sizeof(err)), II_OK);
    assert_int_equal(info.animated, 1);
    assert_int_equal(probe_exact(b.p, b.len - 2, &info, err, sizeof(err)), II_OK);
    assert_int_equal(info.animated, 1);
    free(b.p);

    gif_frames(&b, 1, 300, 1);
    assert_int_equal(probe_exact(b.p, b.len, &info, err, sizeof(err)), II_OK);
    assert_int_equal(info.animated, 0);
    /* the frame's data cut short: more is needed to know */
    assert_int_equal(probe_exact(b.p, b.len - 100, &info, err, sizeof(err)), II_NEED_MORE);
    free(b.p);

    gif_frames(&b, 2, II_HEADER_MAX, 1);
    assert_int_equal(probe_exact(b.p, b.len, &info, err, sizeof(err)), II_OK);
    assert_int_equal(info.animated, 1);
    assert_int_equal(info.width, 8);
    free(b.p);
    gif_frames(&b, 2, II_HEADER_MAX, 0);
    assert_int_equal(probe_exact(b.p, b.len, &info, err, sizeof(err)), II_OK);
    assert_int_equal(info.animated, 0);
    free(b.p);
}

/* Runs every test; the exit status is the number that failed. */
int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixtures),
        cmocka_unit_test(test_fixture_prefixes),
        cmocka_unit_test(test_sniff),
        cmocka_unit_test(test_type_names),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_unknown_and_error_buffer),
        cmocka_unit_test(test_random_garbage),
        cmocka_unit_test(test_polyglots),
        cmocka_unit_test(test_jpeg_bomb),
        cmocka_unit_test(test_png_bombs_and_bad_headers),
        cmocka_unit_test(test_webp_and_gif_bombs),
        cmocka_unit_test(test_check_limits),
        cmocka_unit_test(test_jpeg_markers),
        cmocka_unit_test(test_exif_orientation),
        cmocka_unit_test(test_large_exif_need),
        cmocka_unit_test(test_webp_headers),
        cmocka_unit_test(test_heif_brands),
        cmocka_unit_test(test_heif_properties),
        cmocka_unit_test(test_heif_bombs_and_malformed_boxes),
        cmocka_unit_test(test_heif_header_budget),
        cmocka_unit_test(test_gif_frames),
    };
    return cmocka_run_group_tests_name("imageinfo", tests, NULL, NULL);
}
