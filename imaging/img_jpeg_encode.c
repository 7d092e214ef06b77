/*
 * JPEG encoding: a growable memory destination and a row writer.
 */
#include <string.h>

#include "img_jpeg_encode.h"

#include <jerror.h> /* after jpeglib.h, for ERREXIT1 */

/* Rows handed to libjpeg per call when encoding a whole image. */
#define IMG_JPEG_ENC_BATCH 16
/* The first output buffer holds this much at least. */
#define IMG_JPEG_ENC_MIN (64 * 1024)

/* libjpeg's destination hook at start: the whole buffer is free. */
static void img_dest_init(j_compress_ptr c)
{
    img_jpeg_dest_t *d = (img_jpeg_dest_t *) c->dest;

    d->len = 0;
    d->pub.next_output_byte = d->buf->data;
    d->pub.free_in_buffer = d->buf->cap;
}

/* libjpeg's destination hook when the buffer is full: doubles it, or
 * fails like a libjpeg allocation. */
static boolean img_dest_empty(j_compress_ptr c)
{
    img_jpeg_dest_t *d = (img_jpeg_dest_t *) c->dest;
    size_t used = d->buf->cap;
    img_err_t err;

    if (img_buf_grow(d->buf, used * 2, &err) != 0)
        ERREXIT1(c, JERR_OUT_OF_MEMORY, 10);
    d->pub.next_output_byte = d->buf->data + used;
    d->pub.free_in_buffer = d->buf->cap - used;
    return TRUE;
}

/* libjpeg's destination hook at the end: records the length. */
static void img_dest_term(j_compress_ptr c)
{
    img_jpeg_dest_t *d = (img_jpeg_dest_t *) c->dest;

    d->len = (size_t) (d->pub.next_output_byte - d->buf->data);
}

/* The libjpeg calls of img_jpeg_writer_start: channels 1 (gray) or 3
 * (RGB rows), or 0 for YCbCr 4:2:0 planes. */
static void img_jpeg_writer_setup(img_jpeg_writer_t *w, int width, int height, int channels,
                                  const img_jpeg_enc_opts_t *opts)
{
    j_compress_ptr c = &w->cinfo;

    jpeg_create_compress(c);
    w->active = 1;
    w->dest.pub.init_destination = img_dest_init;
    w->dest.pub.empty_output_buffer = img_dest_empty;
    w->dest.pub.term_destination = img_dest_term;
    c->dest = &w->dest.pub;
    c->image_width = (JDIMENSION) width;
    c->image_height = (JDIMENSION) height;
    c->input_components = channels ? channels : 3;
    c->in_color_space = channels == 1 ? JCS_GRAYSCALE : channels ? JCS_EXT_RGB : JCS_YCbCr;
    jpeg_set_defaults(c); /* YCbCr 4:2:0 for colour */
    c->raw_data_in = channels ? FALSE : TRUE;
    jpeg_set_quality(c, opts->quality, TRUE);
    c->optimize_coding = opts->optimize ? TRUE : FALSE;
    if (opts->progressive)
        jpeg_simple_progression(c);
    jpeg_start_compress(c, TRUE);
    if (opts->icc && opts->icc->len)
        jpeg_write_icc_profile(c, opts->icc->buf.data, (unsigned) opts->icc->len);
}

/* Starts w (see img_jpeg_writer_setup for channels). */
static int img_jpeg_writer_begin(img_jpeg_writer_t *w, int width, int height, int channels,
                                 const img_jpeg_enc_opts_t *opts, img_buf_t *out, img_err_t *err)
{
    size_t guess = (size_t) width * (size_t) height * (size_t) (channels ? channels : 3) / 8;

    memset(w, 0, sizeof(*w));
    if (width <= 0 || height <= 0 || (channels != 0 && channels != 1 && channels != 3)
        || opts->quality < 1 || opts->quality > 100)
        return img_fail(err, IMG_ERR_INVALID, "jpeg encode: bad parameters %dx%dx%d q%d", width,
                        height, channels, opts->quality);
    if (img_buf_grow(out, guess < IMG_JPEG_ENC_MIN ? IMG_JPEG_ENC_MIN : guess, err) != 0)
        return -1;
    w->dest.buf = out;
    img_jpeg_err_install(&w->cinfo.err, &w->jerr);
    if (setjmp(w->jerr.jmp)) {
        img_jpeg_err_report(&w->jerr, IMG_ERR_INVALID, "jpeg encode", err);
        img_jpeg_writer_close(w);
        return -1;
    }
    img_jpeg_writer_setup(w, width, height, channels, opts);
    return 0;
}

/* See img_jpeg_encode.h. */
int img_jpeg_writer_start(img_jpeg_writer_t *w, int width, int height, int channels,
                          const img_jpeg_enc_opts_t *opts, img_buf_t *out, img_err_t *err)
{
    if (channels != 1 && channels != 3)
        return img_fail(err, IMG_ERR_INVALID, "jpeg encode: bad parameters %dx%dx%d q%d", width,
                        height, channels, opts->quality);
    return img_jpeg_writer_begin(w, width, height, channels, opts, out, err);
}

/* See img_jpeg_encode.h. */
int img_jpeg_writer_start_planes(img_jpeg_writer_t *w, int width, int height,
                                 const img_jpeg_enc_opts_t *opts, img_buf_t *out, img_err_t *err)
{
    return img_jpeg_writer_begin(w, width, height, 0, opts, out, err);
}

/* See img_jpeg_encode.h. */
int img_jpeg_writer_write_planes(img_jpeg_writer_t *w, unsigned char **planes[3], img_err_t *err)
{
    if (setjmp(w->jerr.jmp)) {
        img_jpeg_err_report(&w->jerr, IMG_ERR_INVALID, "jpeg encode", err);
        img_jpeg_writer_close(w);
        return -1;
    }
    jpeg_write_raw_data(&w->cinfo, (JSAMPIMAGE) planes, 2 * DCTSIZE);
    return 0;
}

/* See img_jpeg_encode.h. */
int img_jpeg_writer_write(img_jpeg_writer_t *w, unsigned char **rows, int n, img_err_t *err)
{
    if (setjmp(w->jerr.jmp)) {
        img_jpeg_err_report(&w->jerr, IMG_ERR_INVALID, "jpeg encode", err);
        img_jpeg_writer_close(w);
        return -1;
    }
    jpeg_write_scanlines(&w->cinfo, rows, (JDIMENSION) n);
    return 0;
}

/* See img_jpeg_encode.h. */
int img_jpeg_writer_finish(img_jpeg_writer_t *w, size_t *len, img_err_t *err)
{
    if (setjmp(w->jerr.jmp)) {
        img_jpeg_err_report(&w->jerr, IMG_ERR_INVALID, "jpeg encode", err);
        img_jpeg_writer_close(w);
        return -1;
    }
    jpeg_finish_compress(&w->cinfo);
    *len = w->dest.len;
    img_jpeg_writer_close(w);
    return 0;
}

/* See img_jpeg_encode.h. */
void img_jpeg_writer_close(img_jpeg_writer_t *w)
{
    if (w->active) {
        jpeg_destroy_compress(&w->cinfo);
        w->active = 0;
    }
}

/* See img_jpeg_encode.h. */
int img_jpeg_encode(const img_image_t *img, const img_jpeg_enc_opts_t *opts, img_buf_t *out,
                    size_t *len, img_err_t *err)
{
    img_jpeg_writer_t w;
    unsigned char *rows[IMG_JPEG_ENC_BATCH];
    int y, i;

    if (img->channels != 1 && img->channels != 3)
        return img_fail(err, IMG_ERR_INVALID, "jpeg encode: %d channels", img->channels);
    if (img_jpeg_writer_start(&w, img->width, img->height, img->channels, opts, out, err) != 0)
        return -1;
    for (y = 0; y < img->height; y += IMG_JPEG_ENC_BATCH) {
        int n = img->height - y < IMG_JPEG_ENC_BATCH ? img->height - y : IMG_JPEG_ENC_BATCH;

        for (i = 0; i < n; i++)
            rows[i] = img_row(img, y + i);
        if (img_jpeg_writer_write(&w, rows, n, err) != 0)
            return -1;
    }
    return img_jpeg_writer_finish(&w, len, err);
}
