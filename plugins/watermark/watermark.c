/*
 * watermark: JPEG, PNG, WebP, GIF, HEIF or AVIF in (an animation's first
 * frame), "watermarked.jpg" out in sRGB, with a PNG logo laid over it at
 * a gravity, margin and opacity, its width a fraction of the image's.
 *
 * JPEGs stored upright (EXIF orientation 1) stream: rows are decoded a
 * strip at a time, the logo blended into the strips it covers and each
 * strip handed to the encoder, so memory does not grow with the image (no
 * optimised Huffman tables, which would buffer the whole image; a
 * progressive original still makes libjpeg hold its coefficients); the
 * reader converts each row into sRGB when the JPEG carries a profile.
 * A JPEG stored as YCbCr 4:2:0 that needs no colour transform (most
 * photographs) streams as its planes instead: the output is 4:2:0 too,
 * so the chroma is neither upsampled nor converted to RGB and back, and
 * the logo is blended into Y, Cb and Cr (about a quarter less work).
 * Other orientations and other types take the full-buffer path: the
 * original is decoded whole (transparency laid over the background
 * colour), then strips of upright rows are cut from it for the same
 * blend-and-encode loop. The logo is loaded once in init and
 * resampled once per distinct logo size (a small cache).
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prism/plugin.h"
#include "img_accepts.h"
#include "img_composite.h"
#include "img_convert.h"
#include "img_jpeg_decode.h"
#include "img_jpeg_encode.h"
#include "img_load.h"
#include "img_orient.h"
#include "img_png_decode.h"
#include "img_prism.h"
#include "img_resample.h"

#define WM_STRIP           16 /* rows per blend-and-encode step */
#define WM_CACHE           4  /* resampled logos kept */
#define WM_LOGO_MAX_PIXELS ((uint64_t) 4096 * 4096)
#define WM_LOGO_MAX_BYTES  ((long) 64 << 20)

/* One resampled, faded logo. */
typedef struct {
    img_image_t img;
    img_buf_t buf;
    unsigned used; /* last use, for replacement; 0 = empty */
} wm_logo_t;

typedef struct {
    img_image_t logo; /* premultiplied RGBA as loaded */
    img_buf_t logo_buf;
    int gx, gy; /* gravity: -1 west/north, 0 centre, 1 east/south */
    int margin;
    double opacity, scale;
    img_jpeg_enc_opts_t enc;
    uint64_t max_pixels;
    unsigned char background[3];
    img_profile_t tag; /* with embed_icc: the sRGB profile embedded */
    /* reused between images */
    wm_logo_t cache[WM_CACHE];
    unsigned clock;
    img_loader_t load;
    img_buf_t rgb, strip, encoded;
    img_resampler_t rs;
} wm_state_t;

/* Where each gravity puts the logo. */
static const struct {
    const char *name;
    int gx, gy;
} wm_gravities[] = {
    { "north-west", -1, -1 }, { "north", 0, -1 }, { "north-east", 1, -1 },
    { "west", -1, 0 },        { "center", 0, 0 }, { "east", 1, 0 },
    { "south-west", -1, 1 },  { "south", 0, 1 },  { "south-east", 1, 1 },
};

static const prism_param_spec_t wm_params[] = {
    { "logo", PRISM_PARAM_STRING, NULL, 0, 0, NULL,
      "path of a PNG with an alpha channel, read once at start" },
    { "gravity", PRISM_PARAM_STRING, "south-east", 0, 0,
      "north-west|north|north-east|west|center|east|south-west|south|south-east",
      "where the logo goes" },
    { "margin", PRISM_PARAM_INT, "16", 0, 4096, NULL,
      "pixels between the logo and the edges it is placed against" },
    { "opacity", PRISM_PARAM_DOUBLE, "0.5", 0, 1, NULL, "logo opacity, 0 invisible to 1 as drawn" },
    { "scale", PRISM_PARAM_DOUBLE, "0.2", 0, 1, NULL,
      "logo width as a fraction of the image width (aspect kept, at least 1 pixel, at most the "
      "image height)" },
    { "quality", PRISM_PARAM_INT, "85", 1, 100, NULL, "JPEG quality" },
    { "max_pixels", PRISM_PARAM_INT, II_DEFAULT_MAX_PIXELS_STR, 1, 1e10, NULL,
      "originals with more pixels (width x height, from the header) are rejected undecoded" },
    { "background", PRISM_PARAM_STRING, "#ffffff", 0, 0, NULL,
      "colour (#rrggbb) that transparent originals are laid over" },
    { "embed_icc", PRISM_PARAM_BOOL, "false", 0, 0, NULL,
      "embed an sRGB ICC profile in the output (it is sRGB either way; untagged is smaller)" },
    { NULL, 0, NULL, 0, 0, NULL, NULL }
};

/* Frees an instance, its logo and buffers; state may be NULL. */
static void wm_destroy(void *state)
{
    wm_state_t *st = state;
    int i;

    if (st == NULL)
        return;
    for (i = 0; i < WM_CACHE; i++)
        img_buf_free(&st->cache[i].buf);
    img_buf_free(&st->logo_buf);
    img_loader_free(&st->load);
    img_buf_free(&st->rgb);
    img_buf_free(&st->strip);
    img_buf_free(&st->encoded);
    img_buf_free(&st->tag.buf);
    img_resampler_free(&st->rs);
    free(st);
}

/* Reads the file at path whole into a malloc()ed buffer. Returns it, or
 * NULL with the reason in err. */
static unsigned char *wm_read_file(const char *path, size_t *len, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    unsigned char *d = NULL;
    long n;

    if (f == NULL) {
        snprintf(err, errlen, "logo %s: %s", path, strerror(errno));
        return NULL;
    }
    if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0)
        snprintf(err, errlen, "logo %s: cannot size: %s", path, strerror(errno));
    else if (n > WM_LOGO_MAX_BYTES)
        snprintf(err, errlen, "logo %s: %ld bytes is too big", path, n);
    else if ((d = malloc(n ? (size_t) n : 1)) == NULL)
        snprintf(err, errlen, "logo %s: out of memory", path);
    else if (fread(d, 1, (size_t) n, f) != (size_t) n) {
        snprintf(err, errlen, "logo %s: read error", path);
        free(d);
        d = NULL;
    }
    fclose(f);
    *len = (size_t) (d ? n : 0);
    return d;
}

/* Loads the logo PNG into st->logo, premultiplied. Returns 0, or -1 with
 * a message naming the file in err (missing, unreadable, not a PNG,
 * damaged, too big, no alpha channel). */
static int wm_load_logo(wm_state_t *st, const char *path, char *err, size_t errlen)
{
    size_t len;
    unsigned char *d = wm_read_file(path, &len, err, errlen);
    img_err_t e;
    int rc;

    if (d == NULL)
        return -1;
    rc = img_png_decode(d, len, WM_LOGO_MAX_PIXELS, &st->logo, &st->logo_buf, NULL, &e);
    free(d);
    if (rc != 0) {
        snprintf(err, errlen, "logo %s: %s", path, e.msg);
        return -1;
    }
    if (st->logo.channels != 4) {
        snprintf(err, errlen, "logo %s: the PNG has no alpha channel", path);
        return -1;
    }
    img_premultiply(&st->logo);
    return 0;
}

/* Builds an instance: parses the gravity and background, makes the sRGB
 * profile for embed_icc and loads the logo. Fails (-1, message in err)
 * when the logo is not set or cannot be loaded, or the background is not
 * #rrggbb. */
static int wm_init(const prism_params_t *p, void **state, char *err, size_t errlen)
{
    const char *logo = p->get_string(p, "logo");
    const char *gravity = p->get_string(p, "gravity");
    wm_state_t *st;
    img_err_t e;
    size_t i;

    if (logo == NULL || *logo == '\0') {
        snprintf(err, errlen, "logo: a PNG path is required");
        return -1;
    }
    st = calloc(1, sizeof(*st));
    if (st == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    st->gx = st->gy = 1;
    for (i = 0; gravity && i < sizeof(wm_gravities) / sizeof(wm_gravities[0]); i++)
        if (strcmp(gravity, wm_gravities[i].name) == 0) {
            st->gx = wm_gravities[i].gx;
            st->gy = wm_gravities[i].gy;
        }
    st->margin = (int) p->get_int(p, "margin");
    st->opacity = p->get_double(p, "opacity");
    st->scale = p->get_double(p, "scale");
    st->enc.quality = (int) p->get_int(p, "quality");
    st->max_pixels = (uint64_t) p->get_int(p, "max_pixels");
    if (img_parse_color(p->get_string(p, "background"), st->background) != 0) {
        snprintf(err, errlen, "background: want #rrggbb, got %s", p->get_string(p, "background"));
        wm_destroy(st);
        return -1;
    }
    st->enc.icc = &st->tag;
    if (p->get_bool(p, "embed_icc") && img_icc_srgb(3, &st->tag, &e) != 0) {
        snprintf(err, errlen, "embed_icc: %s", e.msg);
        wm_destroy(st);
        return -1;
    }
    if (wm_load_logo(st, logo, err, errlen) != 0) {
        wm_destroy(st);
        return -1;
    }
    *state = st;
    return 0;
}

/* The logo for a width x height image: scale x width wide, aspect kept,
 * at least 1 pixel, and no taller than the image (so its size is bounded
 * by the image's), resampled and faded to the opacity; from the cache or
 * made now (replacing the least recently used entry). Returns it, or NULL
 * with e set. */
static const img_image_t *wm_logo_for(wm_state_t *st, int width, int height, img_err_t *e)
{
    double aspect = (double) st->logo.height / st->logo.width;
    int lw = (int) lrint(st->scale * width), lh, i, pick = 0;
    img_rect_t all = { 0, 0, st->logo.width, st->logo.height };
    wm_logo_t *c;

    lw = lw < 1 ? 1 : lw;
    lh = (int) lrint(lw * aspect);
    if (lh > height) {
        lh = height;
        lw = (int) lrint(height / aspect);
        lw = lw < 1 ? 1 : lw;
    }
    lh = lh < 1 ? 1 : lh;
    st->clock++;
    for (i = 0; i < WM_CACHE; i++) {
        c = &st->cache[i];
        if (c->used && c->img.width == lw && c->img.height == lh) {
            c->used = st->clock;
            return &c->img;
        }
        if (c->used < st->cache[pick].used)
            pick = i;
    }
    c = &st->cache[pick];
    c->used = 0;
    if (img_image_alloc(&c->img, lw, lh, 4, &c->buf, e) != 0
        || img_resample(&st->rs, &st->logo, &all, &c->img, e) != 0)
        return NULL;
    img_overlay_fade(&c->img, st->opacity);
    c->used = st->clock;
    return &c->img;
}

/* The logo's top-left corner on a w x h image for the gravity and margin. */
static void wm_place(const wm_state_t *st, int w, int h, const img_image_t *logo, int *x, int *y)
{
    *x = st->gx < 0   ? st->margin
         : st->gx > 0 ? w - logo->width - st->margin
                      : (w - logo->width) / 2;
    *y = st->gy < 0   ? st->margin
         : st->gy > 0 ? h - logo->height - st->margin
                      : (h - logo->height) / 2;
}

/* Where upright rows come from: the streaming JPEG reader, or a decoded
 * image cut into rows under its orientation. */
typedef struct {
    img_jpeg_reader_t *reader;
    const img_image_t *img;
    int orientation;
    int width, height; /* upright */
    int y;             /* next row (full-buffer source) */
} wm_source_t;

/* Produces up to n next rows of src into rows. Returns how many, or -1
 * with e set (the reader is then closed). */
static int wm_source_read(wm_source_t *src, unsigned char **rows, size_t stride, int n,
                          img_err_t *e)
{
    if (src->reader)
        return img_jpeg_reader_read(src->reader, rows, n, e);
    n = src->height - src->y < n ? src->height - src->y : n;
    img_orient_rows(src->img, src->orientation, src->y, n, rows[0], stride);
    src->y += n;
    return n;
}

/* The blend-and-encode loop: strips of upright rows from src get the
 * logo and go to the JPEG writer; the JPEG ends up in st->encoded.
 * Returns 0 or -1 with e set (the writer is closed either way). */
static int wm_render(wm_state_t *st, wm_source_t *src, size_t row_bytes, size_t *len, img_err_t *e)
{
    const img_image_t *logo = wm_logo_for(st, src->width, src->height, e);
    unsigned char *rows[WM_STRIP];
    img_jpeg_writer_t w;
    int lx, ly, y, i;

    if (logo == NULL || img_buf_reserve(&st->strip, row_bytes * WM_STRIP, e) != 0)
        return -1;
    for (i = 0; i < WM_STRIP; i++)
        rows[i] = st->strip.data + (size_t) i * row_bytes;
    wm_place(st, src->width, src->height, logo, &lx, &ly);
    if (img_jpeg_writer_start(&w, src->width, src->height, 3, &st->enc, &st->encoded, e) != 0)
        return -1;
    for (y = 0; y < src->height;) {
        int n = wm_source_read(src, rows, row_bytes, WM_STRIP, e);

        if (n <= 0) {
            if (n == 0)
                img_fail(e, IMG_ERR_CORRUPT, "image ended after %d of %d rows", y, src->height);
            img_jpeg_writer_close(&w);
            return -1;
        }
        img_composite_rows(st->strip.data, row_bytes, src->width, y, n, logo, lx, ly);
        if (img_jpeg_writer_write(&w, rows, n, e) != 0)
            return -1;
        y += n;
    }
    return img_jpeg_writer_finish(&w, len, e);
}

/* The blend-and-encode loop on YCbCr 4:2:0 planes: an iMCU row at a time
 * from the reader r, the logo blended in, to the JPEG writer; the JPEG
 * ends up in st->encoded. Returns 0 or -1 with e set (the writer is
 * closed either way; the reader when it failed). */
static int wm_render_planes(wm_state_t *st, img_jpeg_reader_t *r, size_t *len, img_err_t *e)
{
    const img_image_t *logo = wm_logo_for(st, r->width, r->height, e);
    size_t ystride = ((size_t) r->width + 31) & ~(size_t) 15, cstride = ystride / 2;
    unsigned char *yrows[IMG_JPEG_IMCU], *cbrows[IMG_JPEG_IMCU / 2], *crrows[IMG_JPEG_IMCU / 2];
    unsigned char **planes[3] = { yrows, cbrows, crrows };
    img_jpeg_writer_t w;
    int lx, ly, y, i;

    if (logo == NULL || img_buf_reserve(&st->strip, (ystride + cstride) * IMG_JPEG_IMCU, e) != 0)
        return -1;
    for (i = 0; i < IMG_JPEG_IMCU; i++)
        yrows[i] = st->strip.data + (size_t) i * ystride;
    for (i = 0; i < IMG_JPEG_IMCU / 2; i++) {
        cbrows[i] = st->strip.data + IMG_JPEG_IMCU * ystride + (size_t) i * cstride;
        crrows[i] = cbrows[i] + IMG_JPEG_IMCU / 2 * cstride;
    }
    wm_place(st, r->width, r->height, logo, &lx, &ly);
    if (img_jpeg_writer_start_planes(&w, r->width, r->height, &st->enc, &st->encoded, e) != 0)
        return -1;
    for (y = 0; y < r->height; y += IMG_JPEG_IMCU) {
        int n = img_jpeg_reader_read_planes(r, planes, e);

        if (n <= 0) {
            if (n == 0)
                img_fail(e, IMG_ERR_CORRUPT, "image ended after %d of %d rows", y, r->height);
            img_jpeg_writer_close(&w);
            return -1;
        }
        img_composite_planes_420(planes, r->width, r->height, y, logo, lx, ly);
        if (img_jpeg_writer_write_planes(&w, planes, e) != 0)
            return -1;
    }
    return img_jpeg_writer_finish(&w, len, e);
}

/* Streams a JPEG stored upright through a blend-and-encode loop: its
 * planes when it is 4:2:0, else RGB rows. */
static int wm_stream_jpeg(wm_state_t *st, const prism_input_t *in, prism_output_t *out, size_t *len,
                          img_err_t *e)
{
    img_jpeg_opts_t jo = { 0, 0, 0, st->max_pixels, &st->load.icc, &st->load.cms, 1 };
    img_jpeg_reader_t r;
    wm_source_t src = { &r, NULL, 1, 0, 0, 0 };
    int rc;

    if (img_jpeg_reader_open(&r, in->data, in->len, &jo, e) != 0)
        return -1;
    st->load.warn = r.warn;
    out->log(out, PRISM_LOG_DEBUG, "streaming %dx%d as %s", r.width, r.height,
             r.planes ? "YCbCr 4:2:0 planes" : "RGB rows");
    src.width = r.width;
    src.height = r.height;
    rc = r.planes ? wm_render_planes(st, &r, len, e) : wm_render(st, &src, r.row_bytes, len, e);
    if (rc != 0) {
        img_jpeg_reader_close(&r);
        return -1;
    }
    return img_jpeg_reader_finish(&r, e);
}

/* Decodes the original whole (not a JPEG, or one needing rotation), makes
 * it RGB (transparency over the background) and runs the loop on upright
 * rows. */
static int wm_full_buffer(wm_state_t *st, const prism_input_t *in, const ii_info_t *info,
                          size_t *len, img_err_t *e)
{
    img_load_opts_t lo = { 0, 0, 0, st->max_pixels, 0 };
    img_image_t img, rgb;
    wm_source_t src = { NULL, NULL, info->orientation, 0, 0, 0 };
    int swap = img_orient_swaps(info->orientation);

    if (img_load_decode(&st->load, in->data, in->len, info, &lo, &img, e) != 0)
        return -1;
    img_flatten(&img, st->background);
    if (img.channels == 1) {
        if (img_gray_to_rgb(&img, &rgb, &st->rgb, e) != 0)
            return -1;
        img = rgb;
    }
    src.img = &img;
    src.width = swap ? img.height : img.width;
    src.height = swap ? img.width : img.height;
    return wm_render(st, &src, (size_t) src.width * 3, len, e);
}

/* Releases buffers that one huge image grew past the retained size,
 * cached logos included (they are remade when needed again). */
static void wm_trim(wm_state_t *st)
{
    int i;

    for (i = 0; i < WM_CACHE; i++)
        if (st->cache[i].buf.cap > IMG_BUF_RETAIN) {
            img_buf_free(&st->cache[i].buf);
            st->cache[i].used = 0;
        }
    img_loader_trim(&st->load, IMG_BUF_RETAIN);
    img_buf_trim(&st->rgb, IMG_BUF_RETAIN);
    img_buf_trim(&st->strip, IMG_BUF_RETAIN);
    img_buf_trim(&st->encoded, IMG_BUF_RETAIN);
    img_resampler_trim(&st->rs, IMG_BUF_RETAIN);
}

/* Watermarks one original (see the file comment). REJECT for unsupported,
 * empty, damaged or too large input; RETRY when memory runs out or the
 * host refuses the output. */
static prism_result_t wm_process(void *state, const prism_input_t *in, prism_output_t *out)
{
    wm_state_t *st = state;
    prism_result_t rc;
    ii_info_t info;
    img_err_t e;
    size_t len;
    int fail;

    img_err_clear(&st->load.warn);
    fail = img_load_probe(in->data, in->len, st->max_pixels, &info, &e) != 0;
    if (!fail && info.type == II_TYPE_JPEG && info.orientation == 1)
        fail = wm_stream_jpeg(st, in, out, &len, &e) != 0;
    else if (!fail)
        fail = wm_full_buffer(st, in, &info, &len, &e) != 0;
    if (st->load.warn.code != IMG_ERR_NONE)
        out->log(out, PRISM_LOG_WARN, "%s", st->load.warn.msg);
    if (fail)
        rc = img_prism_fail(out, &e);
    else
        rc = img_prism_emit(out, "watermarked.jpg", "image/jpeg", st->encoded.data, len);
    wm_trim(st);
    return rc;
}

PRISM_PLUGIN_EXPORT const prism_plugin_t prism_plugin = {
    .abi_version = PRISM_PLUGIN_ABI_VERSION,
    .name = "watermark",
    .version = "1.0.0",
    .description = "lays a PNG logo over JPEG/PNG/WebP/GIF/HEIF/AVIF images at a gravity, margin "
                   "and opacity; JPEG out",
    .params = wm_params,
    .accepts = img_accepts,
    .init = wm_init,
    .process = wm_process,
    .destroy = wm_destroy,
};
