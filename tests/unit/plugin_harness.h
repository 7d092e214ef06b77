/*
 * A small stand-in for prism-host, shared by the plugin tests: loads
 * build/plugins/NAME.so with dlopen(), serves the plugin's params from a
 * name/value list (falling back to the plugin's declared defaults, as the
 * host does), records what it emits, and decodes emitted JPEG, WebP and
 * AVIF bytes back with libjpeg, libwebp and libheif directly. Also builds test JPEGs
 * with libjpeg (any size and colour, progressive, CMYK, with an EXIF
 * orientation) and edits them (truncate, damage).
 *
 * Header-only (every test is one translation unit): include it after
 * cmocka.h. Run the tests from the repository root.
 */
#ifndef PLUGIN_HARNESS_H
#define PLUGIN_HARNESS_H

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <libheif/heif.h>
#include <png.h>
#include <webp/decode.h>

#include "prism/plugin.h"

#define PH_IMAGES      "tests/data/images/"  /* shared fixtures */
#define PH_DATA        "tests/data/plugins/" /* the plugins' own (README.md there) */
#define PH_MAX_OUTPUTS 16

/* ---- images ------------------------------------------------------------- */

typedef struct {
    int w, h, ch;
    unsigned char *px;
} ph_image_t;

/* A w x h image of ch channels, every pixel set to color[0..ch). */
static inline ph_image_t ph_image_solid(int w, int h, int ch, const unsigned char *color)
{
    ph_image_t im = { w, h, ch, malloc((size_t) w * h * ch) };
    int i;

    assert_non_null(im.px);
    for (i = 0; i < w * h; i++)
        memcpy(im.px + (size_t) i * ch, color, (size_t) ch);
    return im;
}

/* The address of pixel (x, y). */
static inline unsigned char *ph_px(const ph_image_t *im, int x, int y)
{
    return im->px + ((size_t) y * im->w + x) * im->ch;
}

/* Fills the rectangle [x0, x1) x [y0, y1) with color. */
static inline void ph_fill(ph_image_t *im, int x0, int y0, int x1, int y1,
                           const unsigned char *color)
{
    int x, y;

    for (y = y0; y < y1; y++)
        for (x = x0; x < x1; x++)
            memcpy(ph_px(im, x, y), color, (size_t) im->ch);
}

static inline void ph_image_free(ph_image_t *im)
{
    free(im->px);
    im->px = NULL;
}

/* Whether pixel (x, y) is within tol of color on each of the first n
 * channels; prints the pixel when it is not. */
static inline int ph_near(const ph_image_t *im, int x, int y, const unsigned char *color, int n,
                          int tol)
{
    const unsigned char *p = ph_px(im, x, y);
    int c;

    for (c = 0; c < n; c++)
        if (abs((int) p[c] - (int) color[c]) > tol) {
            print_message("pixel (%d,%d) = %d,%d,%d, want %d,%d,%d +- %d\n", x, y, p[0],
                          p[n > 1 ? 1 : 0], p[n > 2 ? 2 : 0], color[0], color[n > 1 ? 1 : 0],
                          color[n > 2 ? 2 : 0], tol);
            return 0;
        }
    return 1;
}

/* ---- files -------------------------------------------------------------- */

/* Reads a whole file (path relative to the repository root). */
static inline unsigned char *ph_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    unsigned char *d;
    long n;

    if (f == NULL)
        fail_msg("cannot open %s", path);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    n = ftell(f);
    assert_true(n >= 0);
    rewind(f);
    d = malloc((size_t) n + 1);
    assert_non_null(d);
    assert_int_equal(fread(d, 1, (size_t) n, f), (size_t) n);
    fclose(f);
    *len = (size_t) n;
    return d;
}

/* ---- JPEG bytes: make, inspect, damage ------------------------------------ */

typedef struct {
    struct jpeg_error_mgr pub;
    jmp_buf jmp;
    char msg[JMSG_LENGTH_MAX];
} ph_jerr_t;

static inline void ph_jerr_exit(j_common_ptr c)
{
    ph_jerr_t *e = (ph_jerr_t *) c->err;

    c->err->format_message(c, e->msg);
    longjmp(e->jmp, 1);
}

typedef struct {
    int quality; /* 0 = 90 */
    int progressive;
    int orientation; /* 0 = no EXIF */
    int cmyk;        /* ch 4 input is CMYK in Adobe's inverted convention */
    int full_chroma; /* YCbCr 4:4:4 instead of libjpeg's 4:2:0 */
} ph_jpeg_opts_t;

/* The APP1 payload of an EXIF block holding only Orientation = o
 * (little-endian TIFF). Returns its length. */
static inline size_t ph_exif_orientation(unsigned char *p, int o)
{
    static const unsigned char head[] = {
        'E',  'x',  'i', 'f', 0, 0, 'I', 'I', 42, 0, 8, 0, 0, 0, /* TIFF, IFD0 at 8 */
        1,    0,                                                 /* one entry */
        0x12, 0x01, 3,   0,   1, 0, 0,   0,                      /* 0x0112 SHORT x1 */
    };
    size_t n = sizeof(head);

    memcpy(p, head, n);
    p[n++] = (unsigned char) o, p[n++] = 0, p[n++] = 0, p[n++] = 0; /* value */
    memset(p + n, 0, 4);                                            /* no next IFD */
    return n + 4;
}

/* Encodes im (1 gray, 3 RGB, 4 inverted CMYK) as a JPEG with libjpeg;
 * the bytes are malloc()ed. */
static inline unsigned char *ph_jpeg_make(const ph_image_t *im, const ph_jpeg_opts_t *o,
                                          size_t *len)
{
    struct jpeg_compress_struct c;
    ph_jerr_t e;
    unsigned char *out = NULL;
    unsigned long n = 0;
    int y;

    c.err = jpeg_std_error(&e.pub);
    e.pub.error_exit = ph_jerr_exit;
    if (setjmp(e.jmp))
        fail_msg("test jpeg encode: %s", e.msg);
    jpeg_create_compress(&c);
    jpeg_mem_dest(&c, &out, &n);
    c.image_width = (JDIMENSION) im->w;
    c.image_height = (JDIMENSION) im->h;
    c.input_components = im->ch;
    c.in_color_space = im->ch == 1 ? JCS_GRAYSCALE : im->ch == 3 ? JCS_RGB : JCS_CMYK;
    jpeg_set_defaults(&c);
    jpeg_set_quality(&c, o->quality ? o->quality : 90, TRUE);
    if (o->full_chroma)
        c.comp_info[0].h_samp_factor = c.comp_info[0].v_samp_factor = 1;
    if (o->progressive)
        jpeg_simple_progression(&c);
    jpeg_start_compress(&c, TRUE);
    if (o->orientation) {
        unsigned char exif[64];

        jpeg_write_marker(&c, JPEG_APP0 + 1, exif,
                          (unsigned) ph_exif_orientation(exif, o->orientation));
    }
    for (y = 0; y < im->h; y++) {
        JSAMPROW row = ph_px(im, 0, y);

        jpeg_write_scanlines(&c, &row, 1);
    }
    jpeg_finish_compress(&c);
    jpeg_destroy_compress(&c);
    *len = n;
    return out;
}

/* A solid-colour RGB JPEG. */
static inline unsigned char *ph_jpeg_solid(int w, int h, const unsigned char *rgb,
                                           const ph_jpeg_opts_t *o, size_t *len)
{
    ph_image_t im = ph_image_solid(w, h, 3, rgb);
    unsigned char *d = ph_jpeg_make(&im, o, len);

    ph_image_free(&im);
    return d;
}

/* The offset of the first byte of entropy-coded data after the first SOS
 * marker, or 0 when there is none. */
static inline size_t ph_jpeg_scan_data(const unsigned char *d, size_t len)
{
    size_t i = 2;

    while (i + 4 <= len && d[i] == 0xFF) {
        unsigned m = d[i + 1], seg = (unsigned) d[i + 2] << 8 | d[i + 3];

        if (m == 0xDA)
            return i + 2 + seg;
        i += 2 + seg;
    }
    return 0;
}

/* How many SOS markers (scans) the JPEG has. */
static inline int ph_jpeg_count_scans(const unsigned char *d, size_t len)
{
    size_t i;
    int n = 0;

    for (i = 0; i + 1 < len; i++)
        if (d[i] == 0xFF && d[i + 1] == 0xDA)
            n++;
    return n;
}

/* Whether the JPEG has a marker m before its first scan. */
static inline int ph_jpeg_has_marker(const unsigned char *d, size_t len, unsigned m)
{
    size_t i = 2;

    while (i + 4 <= len && d[i] == 0xFF && d[i + 1] != 0xDA) {
        if (d[i + 1] == m)
            return 1;
        i += 2 + ((unsigned) d[i + 2] << 8 | d[i + 3]);
    }
    return 0;
}

/* Overwrites n bytes at the middle of the first scan's data with 0xFF 0x00
 * pairs: a run of 1-bits, which no Huffman table codes. */
static inline void ph_jpeg_damage_huffman(unsigned char *d, size_t len, size_t n)
{
    size_t s = ph_jpeg_scan_data(d, len), at, i;

    assert_true(s > 0 && len - s > n + 16);
    at = (s + len) / 2 & ~(size_t) 1;
    for (i = 0; i < n; i += 2)
        d[at + i] = 0xFF, d[at + i + 1] = 0x00;
}

/* Rewrites the size in the frame header (SOFn). */
static inline void ph_jpeg_set_size(unsigned char *d, size_t len, unsigned w, unsigned h)
{
    size_t i = 2;

    while (i + 9 <= len && d[i] == 0xFF) {
        unsigned m = d[i + 1];

        if (m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC) {
            d[i + 5] = (unsigned char) (h >> 8), d[i + 6] = (unsigned char) h;
            d[i + 7] = (unsigned char) (w >> 8), d[i + 8] = (unsigned char) w;
            return;
        }
        i += 2 + ((unsigned) d[i + 2] << 8 | d[i + 3]);
    }
    fail_msg("no frame header");
}

/* Decodes JPEG bytes with libjpeg into *im (gray stays 1 channel, colour
 * is RGB). Returns 0, or -1 with the message printed. */
static inline int ph_jpeg_decode(const unsigned char *d, size_t len, ph_image_t *im)
{
    struct jpeg_decompress_struct c;
    ph_jerr_t e;
    int y;

    im->px = NULL;
    c.err = jpeg_std_error(&e.pub);
    e.pub.error_exit = ph_jerr_exit;
    if (setjmp(e.jmp)) {
        print_message("test jpeg decode: %s\n", e.msg);
        jpeg_destroy_decompress(&c);
        free(im->px);
        im->px = NULL;
        return -1;
    }
    jpeg_create_decompress(&c);
    jpeg_mem_src(&c, d, (unsigned long) len);
    jpeg_read_header(&c, TRUE);
    if (c.jpeg_color_space != JCS_GRAYSCALE)
        c.out_color_space = JCS_RGB;
    jpeg_start_decompress(&c);
    im->w = (int) c.output_width;
    im->h = (int) c.output_height;
    im->ch = c.output_components;
    im->px = malloc((size_t) im->w * im->h * im->ch);
    for (y = 0; y < im->h; y++) {
        JSAMPROW row = ph_px(im, 0, y);

        jpeg_read_scanlines(&c, &row, 1);
    }
    jpeg_finish_decompress(&c);
    jpeg_destroy_decompress(&c);
    return 0;
}

/* ---- WebP and PNG bytes ------------------------------------------------------ */

/* Decodes WebP bytes into RGBA *im; *has_alpha and *lossless from the
 * bitstream's features. Returns 0 or -1. */
static inline int ph_webp_decode(const unsigned char *d, size_t len, ph_image_t *im, int *has_alpha,
                                 int *lossless)
{
    WebPBitstreamFeatures f;

    *has_alpha = *lossless = 0;
    im->px = NULL;
    if (WebPGetFeatures(d, len, &f) != VP8_STATUS_OK)
        return -1;
    *has_alpha = f.has_alpha;
    *lossless = f.format == 2;
    im->ch = 4;
    im->px = WebPDecodeRGBA(d, len, &im->w, &im->h);
    return im->px ? 0 : -1;
}

/* Frees pixels from ph_webp_decode. */
static inline void ph_webp_free(ph_image_t *im)
{
    WebPFree(im->px);
    im->px = NULL;
}

/* Reads a PNG file as 8-bit RGBA (libpng's simplified API). */
static inline ph_image_t ph_png_read_rgba(const char *path)
{
    png_image p;
    ph_image_t im;

    memset(&p, 0, sizeof(p));
    p.version = PNG_IMAGE_VERSION;
    assert_true(png_image_begin_read_from_file(&p, path));
    p.format = PNG_FORMAT_RGBA;
    im.w = (int) p.width, im.h = (int) p.height, im.ch = 4;
    im.px = malloc(PNG_IMAGE_SIZE(p));
    assert_non_null(im.px);
    assert_true(png_image_finish_read(&p, NULL, im.px, 0, NULL));
    return im;
}

/* Encodes im (1 gray, 3 RGB or 4 RGBA) as a PNG in memory with libpng's
 * simplified API; the bytes are malloc()ed. */
static inline unsigned char *ph_png_make(const ph_image_t *im, size_t *len)
{
    png_image p;
    png_alloc_size_t n = 0;
    unsigned char *d;

    memset(&p, 0, sizeof(p));
    p.version = PNG_IMAGE_VERSION;
    p.width = (png_uint_32) im->w;
    p.height = (png_uint_32) im->h;
    p.format = im->ch == 1 ? PNG_FORMAT_GRAY : im->ch == 3 ? PNG_FORMAT_RGB : PNG_FORMAT_RGBA;
    assert_true(png_image_write_to_memory(&p, NULL, &n, 0, im->px, 0, NULL));
    d = malloc(n);
    assert_non_null(d);
    assert_true(png_image_write_to_memory(&p, d, &n, 0, im->px, 0, NULL));
    *len = n;
    return d;
}

/* ---- AVIF bytes ------------------------------------------------------------ */

/* An AVIF (or HEIF) decoded by libheif: RGB or RGBA pixels in im, whether it has
 * alpha and an embedded ICC profile. */
typedef struct {
    ph_image_t im;
    int alpha, icc;
} ph_avif_t;

/* Decodes AVIF bytes with libheif into *a (RGBA when it has alpha, else
 * RGB). Returns 0, or -1 with libheif's message printed. */
static inline int ph_avif_decode(const unsigned char *d, size_t len, ph_avif_t *a)
{
    struct heif_context *ctx = heif_context_alloc();
    struct heif_image_handle *h = NULL;
    struct heif_image *img = NULL;
    struct heif_error e;
    const uint8_t *px;
    int stride, y, rc = -1;

    memset(a, 0, sizeof(*a));
    e = heif_context_read_from_memory_without_copy(ctx, d, len, NULL);
    if (e.code == heif_error_Ok)
        e = heif_context_get_primary_image_handle(ctx, &h);
    if (e.code == heif_error_Ok) {
        a->alpha = heif_image_handle_has_alpha_channel(h);
        a->icc = heif_image_handle_get_color_profile_type(h) == heif_color_profile_type_prof;
        e = heif_decode_image(h, &img, heif_colorspace_RGB,
                              a->alpha ? heif_chroma_interleaved_RGBA : heif_chroma_interleaved_RGB,
                              NULL);
    }
    if (e.code != heif_error_Ok) {
        print_message("libheif: %s\n", e.message);
        goto done;
    }
    a->im.w = heif_image_get_width(img, heif_channel_interleaved);
    a->im.h = heif_image_get_height(img, heif_channel_interleaved);
    a->im.ch = a->alpha ? 4 : 3;
    a->im.px = malloc((size_t) a->im.w * a->im.h * a->im.ch);
    assert_non_null(a->im.px);
    px = heif_image_get_plane_readonly(img, heif_channel_interleaved, &stride);
    for (y = 0; y < a->im.h; y++)
        memcpy(ph_px(&a->im, 0, y), px + (size_t) y * stride, (size_t) a->im.w * a->im.ch);
    rc = 0;
done:
    heif_image_release(img);
    heif_image_handle_release(h);
    heif_context_free(ctx);
    return rc;
}

/* ---- the plugin's side of the ABI ------------------------------------------ */

typedef struct {
    prism_params_t pub;
    const prism_param_spec_t *spec;
    const char *const *kv; /* name, value, ..., NULL */
} ph_params_t;

/* The text value of a declared param: from kv, else its default; NULL
 * for undeclared names and required params left unset. */
static inline const char *ph_param(const prism_params_t *pp, const char *name)
{
    const ph_params_t *p = (const ph_params_t *) pp;
    const prism_param_spec_t *s;
    size_t i;

    for (s = p->spec; s->name; s++)
        if (strcmp(s->name, name) == 0)
            break;
    if (s->name == NULL)
        return NULL;
    for (i = 0; p->kv && p->kv[i]; i += 2)
        if (strcmp(p->kv[i], name) == 0)
            return p->kv[i + 1];
    return s->default_value;
}

static inline long ph_get_int(const prism_params_t *p, const char *name)
{
    const char *v = ph_param(p, name);

    return v ? strtol(v, NULL, 10) : 0;
}

static inline double ph_get_double(const prism_params_t *p, const char *name)
{
    const char *v = ph_param(p, name);

    return v ? strtod(v, NULL) : 0;
}

static inline int ph_get_bool(const prism_params_t *p, const char *name)
{
    const char *v = ph_param(p, name);

    return v && strcmp(v, "true") == 0;
}

static inline const char *ph_get_string(const prism_params_t *p, const char *name)
{
    return ph_param(p, name);
}

static inline size_t ph_get_int_list(const prism_params_t *p, const char *name, long *out,
                                     size_t max)
{
    const char *v = ph_param(p, name);
    size_t n = 0;
    char *end;

    while (v && *v) {
        long x = strtol(v, &end, 10);

        if (end == v)
            break;
        if (n < max)
            out[n] = x;
        n++;
        v = *end == ',' ? end + 1 : end;
    }
    return n;
}

/* Params served from kv (name, value, ..., NULL; may be NULL). */
static inline ph_params_t ph_params(const prism_plugin_t *pl, const char *const *kv)
{
    ph_params_t p = { { NULL, ph_get_int, ph_get_double, ph_get_bool, ph_get_string,
                        ph_get_int_list },
                      pl->params,
                      kv };
    return p;
}

typedef struct {
    char suffix[80];
    char content_type[64];
    unsigned char *data;
    size_t len;
} ph_blob_t;

typedef struct {
    prism_output_t pub;
    ph_blob_t out[PH_MAX_OUTPUTS];
    int n;
    int refuse; /* emit() answers -1 */
    char reason[512];
    int logs;
    char last_log[512]; /* the plugin's last log line */
} ph_output_t;

static inline int ph_emit(prism_output_t *o, const char *suffix, const char *ct, const void *data,
                          size_t len)
{
    ph_output_t *r = (ph_output_t *) o;
    ph_blob_t *b;

    if (r->refuse)
        return -1;
    assert_true(r->n < PH_MAX_OUTPUTS);
    b = &r->out[r->n++];
    snprintf(b->suffix, sizeof(b->suffix), "%s", suffix);
    snprintf(b->content_type, sizeof(b->content_type), "%s", ct);
    b->data = malloc(len);
    assert_non_null(b->data);
    memcpy(b->data, data, len);
    b->len = len;
    return 0;
}

static inline void ph_set_reason(prism_output_t *o, const char *fmt, ...)
{
    ph_output_t *r = (ph_output_t *) o;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(r->reason, sizeof(r->reason), fmt, ap);
    va_end(ap);
}

static inline void ph_log(prism_output_t *o, prism_log_level_t level, const char *fmt, ...)
{
    ph_output_t *r = (ph_output_t *) o;
    va_list ap;

    (void) level;
    r->logs++;
    va_start(ap, fmt);
    vsnprintf(r->last_log, sizeof(r->last_log), fmt, ap);
    va_end(ap);
}

static inline void ph_output_init(ph_output_t *r)
{
    memset(r, 0, sizeof(*r));
    r->pub.emit = ph_emit;
    r->pub.set_reason = ph_set_reason;
    r->pub.log = ph_log;
}

/* Frees what was recorded and empties r for another message. */
static inline void ph_output_reset(ph_output_t *r)
{
    int i;

    for (i = 0; i < r->n; i++)
        free(r->out[i].data);
    ph_output_init(r);
}

/* The recorded output named suffix, or NULL. */
static inline const ph_blob_t *ph_find(const ph_output_t *r, const char *suffix)
{
    int i;

    for (i = 0; i < r->n; i++)
        if (strcmp(r->out[i].suffix, suffix) == 0)
            return &r->out[i];
    return NULL;
}

/* ---- loading and running a plugin -------------------------------------------- */

typedef struct {
    void *dl;
    const prism_plugin_t *pl;
    void *state;
} ph_plugin_t;

/* dlopen()s build/plugins/NAME.so and checks its descriptor. */
static inline void ph_load(ph_plugin_t *p, const char *name)
{
    char path[256];

    snprintf(path, sizeof(path), "build/plugins/%s.so", name);
    p->dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (p->dl == NULL)
        fail_msg("dlopen %s: %s", path, dlerror());
    p->pl = dlsym(p->dl, PRISM_PLUGIN_SYMBOL);
    assert_non_null(p->pl);
    assert_int_equal(p->pl->abi_version, PRISM_PLUGIN_ABI_VERSION);
    assert_string_equal(p->pl->name, name);
    p->state = NULL;
}

/* Calls init with kv; returns its result, the message in err. */
static inline int ph_init(ph_plugin_t *p, const char *const *kv, char *err, size_t errlen)
{
    ph_params_t params = ph_params(p->pl, kv);

    err[0] = '\0';
    return p->pl->init(&params.pub, &p->state, err, errlen);
}

/* destroy()s the current instance, if any. */
static inline void ph_destroy(ph_plugin_t *p)
{
    p->pl->destroy(p->state);
    p->state = NULL;
}

/* Calls init with kv and fails the test when it fails. */
static inline void ph_init_ok(ph_plugin_t *p, const char *const *kv)
{
    char err[256];

    if (ph_init(p, kv, err, sizeof(err)) != 0)
        fail_msg("init failed: %s", err);
}

/* Processes the file at path with out reset first. */
static inline prism_result_t ph_process_file(ph_plugin_t *p, const char *path, ph_output_t *out);

/* Processes data[0..len) with out reset first. */
static inline prism_result_t ph_process(ph_plugin_t *p, const unsigned char *data, size_t len,
                                        ph_output_t *out)
{
    prism_input_t in = { data, len, "originals/test", NULL, 0, 0, "test-image", "test-req" };

    ph_output_reset(out);
    return p->pl->process(p->state, &in, &out->pub);
}

static inline prism_result_t ph_process_file(ph_plugin_t *p, const char *path, ph_output_t *out)
{
    size_t len;
    unsigned char *d = ph_read_file(path, &len);
    prism_result_t rc = ph_process(p, d, len, out);

    free(d);
    return rc;
}

/* destroy()s the instance and dlclose()s the plugin. */
static inline void ph_unload(ph_plugin_t *p)
{
    ph_destroy(p);
    dlclose(p->dl);
}

/* A cmocka fixture: one loaded plugin and an output recorder.  Each test
 * file's setup calls ph_fixture_setup(state, "NAME"); teardown is shared. */
typedef struct {
    ph_plugin_t p;
    ph_output_t out;
} fx_t;

static inline int ph_fixture_setup(void **state, const char *name)
{
    fx_t *f = calloc(1, sizeof(*f));

    if (f == NULL)
        return -1;
    ph_load(&f->p, name);
    ph_output_init(&f->out);
    *state = f;
    return 0;
}

static inline int teardown(void **state)
{
    fx_t *f = *state;

    ph_output_reset(&f->out);
    ph_unload(&f->p);
    free(f);
    return 0;
}

#endif /* PLUGIN_HARNESS_H */
