/*
 * JPEG decoding: shrink-on-load scale choice, progressive early stop,
 * CMYK to RGB, row-by-row reading and whole-image decoding.
 */
#include <stdlib.h>
#include <string.h>

#include "img_convert.h"
#include "img_jpeg_decode.h"

/* Rows handed to libjpeg per call when decoding a whole image. */
#define IMG_JPEG_ROW_BATCH 16

/* Converts n CMYK pixels at row to packed RGB in place (RGB is written
 * behind the CMYK being read). Adobe files store inverted ink amounts. */
static void img_cmyk_to_rgb(unsigned char *row, int n, int inverted)
{
    const unsigned char *s = row;
    unsigned char *d = row;
    int i;

    for (i = 0; i < n; i++, s += 4, d += 3) {
        unsigned c = s[0], m = s[1], y = s[2], k = s[3];

        if (!inverted) {
            c = 255 - c, m = 255 - m, y = 255 - y, k = 255 - k;
        }
        d[0] = (unsigned char) img_mul255(c, k);
        d[1] = (unsigned char) img_mul255(m, k);
        d[2] = (unsigned char) img_mul255(y, k);
    }
}

/* Refuses progressive files with too many scans (called during input). */
static void img_jpeg_check_scans(j_decompress_ptr c)
{
    if (c->input_scan_number > IMG_JPEG_MAX_SCANS)
        img_jpeg_err_throw((j_common_ptr) c, "progressive JPEG with too many scans");
}

/* libjpeg's progress hook: called per row group while scans are read. */
static void img_jpeg_progress(j_common_ptr cinfo)
{
    img_jpeg_check_scans((j_decompress_ptr) cinfo);
}

/* Whether every component's DC coefficient is known to within
 * IMG_JPEG_DC_AL_MAX low bits (coef_bits holds the pending Al, -1 for
 * nothing yet). */
static int img_jpeg_dc_complete(j_decompress_ptr c)
{
    int ci;

    for (ci = 0; ci < c->num_components; ci++) {
        int al = c->coef_bits[ci][0];

        if (al < 0 || al > IMG_JPEG_DC_AL_MAX)
            return 0;
    }
    return 1;
}

/* Buffered-image mode: absorbs scans until the DC coefficients are
 * complete (or the file ends), then starts output on the last scan read. */
static void img_jpeg_absorb_dc_scans(img_jpeg_reader_t *r)
{
    j_decompress_ptr c = &r->cinfo;

    for (;;) {
        int rc = jpeg_consume_input(c);

        img_jpeg_check_scans(c);
        /* a memory source never suspends: it fakes an EOI at the end */
        if (rc == JPEG_REACHED_EOI || rc == JPEG_SUSPENDED)
            break;
        if (rc == JPEG_SCAN_COMPLETED && img_jpeg_dc_complete(c))
            break;
    }
    r->scans = c->input_scan_number;
    jpeg_start_output(c, c->input_scan_number);
}

/* Whether DCT scale m/8 gives at least min_w x min_h (leaves cinfo's
 * output dimensions computed for m). */
static int img_jpeg_scale_covers(j_decompress_ptr c, int m, double min_w, double min_h)
{
    c->scale_num = (unsigned) m;
    c->scale_denom = 8;
    jpeg_calc_output_dimensions(c);
    return c->output_width >= min_w && c->output_height >= min_h;
}

/* The DCT scale in eighths (see the file comment of img_jpeg_decode.h):
 * the smallest covering IMG_JPEG_DCT_GAP x the minimum, 1 for a
 * progressive file whose 1/8 covers the minimum, 8 without a minimum.
 * Leaves cinfo's output dimensions computed for it. */
static int img_jpeg_pick_scale(j_decompress_ptr c, int min_w, int min_h)
{
    int m;

    if (min_w <= 0 && min_h <= 0) {
        img_jpeg_scale_covers(c, 8, 0, 0);
        return 8;
    }
    if (c->progressive_mode && img_jpeg_scale_covers(c, 1, min_w, min_h))
        return 1;
    for (m = 1; m < 8; m++)
        if (img_jpeg_scale_covers(c, m, IMG_JPEG_DCT_GAP * min_w, IMG_JPEG_DCT_GAP * min_h))
            return m;
    img_jpeg_scale_covers(c, 8, 0, 0);
    return 8;
}

/* Whether the file is stored as YCbCr with 2x2 luma and 1x1 chroma
 * sampling (4:2:0). */
static int img_jpeg_is_420(j_decompress_ptr c)
{
    return c->jpeg_color_space == JCS_YCbCr && c->num_components == 3
           && c->comp_info[0].h_samp_factor == 2 && c->comp_info[0].v_samp_factor == 2
           && c->comp_info[1].h_samp_factor == 1 && c->comp_info[1].v_samp_factor == 1
           && c->comp_info[2].h_samp_factor == 1 && c->comp_info[2].v_samp_factor == 1;
}

/* Reads the embedded ICC profile into opts->icc and looks up its
 * transform into sRGB for the output colour space chosen (a refused
 * profile leaves r->xform NULL and r->warn set). Returns 0, or -1 with
 * err set when out of memory. */
static int img_jpeg_read_profile(img_jpeg_reader_t *r, const img_jpeg_opts_t *opts, img_err_t *err)
{
    JOCTET *icc = NULL;
    unsigned int n = 0;
    int layout, rc;

    opts->icc->len = 0;
    if (!jpeg_read_icc_profile(&r->cinfo, &icc, &n))
        return 0;
    rc = img_profile_set(opts->icc, icc, n, err);
    free(icc);
    if (rc != 0)
        return -1;
    layout = r->cmyk ? (r->cmyk_inverted ? IMG_ICC_CMYK_INVERTED : IMG_ICC_CMYK)
             : r->cinfo.out_color_space == JCS_GRAYSCALE ? 1
                                                         : 3;
    img_icc_lookup(opts->cms, opts->icc, layout, &r->xform, &r->warn);
    return 0;
}

/* See img_jpeg_decode.h. */
int img_jpeg_reader_open(img_jpeg_reader_t *r, const unsigned char *data, size_t len,
                         const img_jpeg_opts_t *opts, img_err_t *err)
{
    j_decompress_ptr c = &r->cinfo;
    uint64_t pixels;

    memset(r, 0, sizeof(*r));
    img_jpeg_err_install(&c->err, &r->jerr);
    if (setjmp(r->jerr.jmp)) {
        img_jpeg_err_report(&r->jerr, IMG_ERR_CORRUPT, "jpeg", err);
        img_jpeg_reader_close(r);
        return -1;
    }
    jpeg_create_decompress(c);
    r->active = 1;
    r->progress.progress_monitor = img_jpeg_progress;
    c->progress = &r->progress;
    jpeg_mem_src(c, data, (unsigned long) len);
    if (opts->icc)
        jpeg_save_markers(c, JPEG_APP0 + 2, 0xFFFF);
    jpeg_read_header(c, TRUE);

    r->src_width = (int) c->image_width;
    r->src_height = (int) c->image_height;
    pixels = (uint64_t) c->image_width * c->image_height;
    if (opts->max_pixels && pixels > opts->max_pixels) {
        img_fail(err, IMG_ERR_LIMIT, "too many pixels: %dx%d > %llu", r->src_width, r->src_height,
                 (unsigned long long) opts->max_pixels);
        img_jpeg_reader_close(r);
        return -1;
    }

    switch (c->jpeg_color_space) {
    case JCS_GRAYSCALE: c->out_color_space = opts->keep_gray ? JCS_GRAYSCALE : JCS_EXT_RGB; break;
    case JCS_YCbCr:
    case JCS_RGB: c->out_color_space = JCS_EXT_RGB; break;
    case JCS_CMYK:
    case JCS_YCCK:
        c->out_color_space = JCS_CMYK;
        r->cmyk = 1;
        r->cmyk_inverted = c->saw_Adobe_marker;
        break;
    default:
        img_fail(err, IMG_ERR_UNSUPPORTED, "jpeg: unsupported colour space (%d components)",
                 c->num_components);
        img_jpeg_reader_close(r);
        return -1;
    }

    if (opts->icc && img_jpeg_read_profile(r, opts, err) != 0) {
        img_jpeg_reader_close(r);
        return -1;
    }
    r->scale_eighths = img_jpeg_pick_scale(c, opts->min_width, opts->min_height);
    if (opts->planes_420 && img_jpeg_is_420(c) && r->scale_eighths == 8 && r->xform == NULL) {
        c->out_color_space = JCS_YCbCr;
        c->raw_data_out = TRUE;
        r->planes = 1;
    }
    if (c->progressive_mode && r->scale_eighths == 1) {
        /* the 1x1 IDCT reads only DC: no AC scan needs decoding, and
         * block smoothing (which guesses AC from DC) would be wasted */
        c->buffered_image = TRUE;
        c->do_block_smoothing = FALSE;
        r->buffered = 1;
    }
    jpeg_start_decompress(c);
    if (r->buffered)
        img_jpeg_absorb_dc_scans(r);
    else
        r->scans = c->input_scan_number;

    r->width = (int) c->output_width;
    r->height = (int) c->output_height;
    r->channels = r->cmyk ? 3 : c->output_components;
    r->row_bytes = (size_t) c->output_width * (size_t) c->output_components;
    return 0;
}

/* Reads up to n rows (the libjpeg calls of img_jpeg_reader_read). */
static int img_jpeg_read_rows(img_jpeg_reader_t *r, unsigned char **rows, int n)
{
    j_decompress_ptr c = &r->cinfo;
    int got = 0;

    while (got < n && c->output_scanline < c->output_height) {
        JDIMENSION k = jpeg_read_scanlines(c, rows + got, (JDIMENSION) (n - got));
        JDIMENSION i;

        if (k == 0)
            break;
        for (i = 0; i < k; i++) {
            if (r->xform)
                img_icc_row(r->xform, rows[got + (int) i], r->width);
            else if (r->cmyk)
                img_cmyk_to_rgb(rows[got + (int) i], r->width, r->cmyk_inverted);
        }
        got += (int) k;
    }
    return got;
}

/* See img_jpeg_decode.h. */
int img_jpeg_reader_read(img_jpeg_reader_t *r, unsigned char **rows, int n, img_err_t *err)
{
    if (setjmp(r->jerr.jmp)) {
        img_jpeg_err_report(&r->jerr, IMG_ERR_CORRUPT, "jpeg", err);
        img_jpeg_reader_close(r);
        return -1;
    }
    return img_jpeg_read_rows(r, rows, n);
}

/* See img_jpeg_decode.h. */
int img_jpeg_reader_read_planes(img_jpeg_reader_t *r, unsigned char **planes[3], img_err_t *err)
{
    j_decompress_ptr c = &r->cinfo;

    if (setjmp(r->jerr.jmp)) {
        img_jpeg_err_report(&r->jerr, IMG_ERR_CORRUPT, "jpeg", err);
        img_jpeg_reader_close(r);
        return -1;
    }
    if (c->output_scanline >= c->output_height)
        return 0;
    return (int) jpeg_read_raw_data(c, (JSAMPIMAGE) planes, IMG_JPEG_IMCU);
}

/* See img_jpeg_decode.h. */
int img_jpeg_reader_finish(img_jpeg_reader_t *r, img_err_t *err)
{
    j_decompress_ptr c = &r->cinfo;

    if (setjmp(r->jerr.jmp)) {
        img_jpeg_err_report(&r->jerr, IMG_ERR_CORRUPT, "jpeg", err);
        img_jpeg_reader_close(r);
        return -1;
    }
    if (r->buffered) {
        jpeg_finish_output(c);
        jpeg_abort_decompress(c);
    } else {
        jpeg_finish_decompress(c);
    }
    img_jpeg_reader_close(r);
    return 0;
}

/* See img_jpeg_decode.h. */
void img_jpeg_reader_close(img_jpeg_reader_t *r)
{
    if (r->active) {
        jpeg_destroy_decompress(&r->cinfo);
        r->active = 0;
    }
}

/* See img_jpeg_decode.h. */
int img_jpeg_decode(const unsigned char *data, size_t len, const img_jpeg_opts_t *opts,
                    img_image_t *out, img_buf_t *buf, img_err_t *warn, img_err_t *err)
{
    img_jpeg_reader_t r;
    unsigned char *rows[IMG_JPEG_ROW_BATCH];
    size_t stride;
    int y, batch;

    if (img_jpeg_reader_open(&r, data, len, opts, err) != 0)
        return -1;
    if (warn)
        *warn = r.warn;
    stride = (size_t) r.width * (size_t) r.channels;
    /* CMYK rows are read 4 bytes a pixel and packed to 3 in place, so each
     * row overlaps the next one's space: one row at a time, slack after */
    batch = r.row_bytes > stride ? 1 : IMG_JPEG_ROW_BATCH;
    if (img_buf_reserve(buf, stride * (size_t) (r.height - 1) + r.row_bytes, err) != 0) {
        img_jpeg_reader_close(&r);
        return -1;
    }
    out->px = buf->data;
    out->width = r.width;
    out->height = r.height;
    out->stride = stride;
    out->channels = r.channels;
    out->premultiplied = 0;

    for (y = 0; y < r.height;) {
        int i, n = r.height - y < batch ? r.height - y : batch, got;

        for (i = 0; i < n; i++)
            rows[i] = img_row(out, y + i);
        got = img_jpeg_reader_read(&r, rows, n, err);
        if (got < 0)
            return -1;
        if (got == 0)
            break;
        y += got;
    }
    return img_jpeg_reader_finish(&r, err);
}
