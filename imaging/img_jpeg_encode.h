/*
 * JPEG encoding with libjpeg-turbo into a reusable memory buffer, row by
 * row (img_jpeg_writer_*) or from a whole image (img_jpeg_encode). Gray
 * images give 1-component JPEGs, RGB gives YCbCr 4:2:0. Only the JFIF
 * header is written, and an ICC profile when asked: no EXIF or comment.
 */
#ifndef IMG_JPEG_ENCODE_H
#define IMG_JPEG_ENCODE_H

#include "img_icc.h"
#include "img_image.h"
#include "img_jpeg_error.h"

#pragma GCC visibility push(hidden)

typedef struct {
    int quality;              /* 1..100 */
    int progressive;          /* libjpeg's standard progressive script */
    int optimize;             /* optimal Huffman tables; libjpeg then buffers the
                         whole image's coefficients, so streaming callers
                         leave it off */
    const img_profile_t *icc; /* embedded (APP2 ICC_PROFILE) when set and not
                                  empty; NULL: untagged */
} img_jpeg_enc_opts_t;

/* The destination manager: writes into an img_buf_t, growing it. */
typedef struct {
    struct jpeg_destination_mgr pub;
    img_buf_t *buf;
    size_t len; /* bytes written so far, final after finish */
} img_jpeg_dest_t;

typedef struct {
    struct jpeg_compress_struct cinfo;
    img_jpeg_dest_t dest;
    img_jpeg_err_t jerr;
    int active;
} img_jpeg_writer_t;

/* Starts a width x height JPEG of `channels` (1 gray or 3 RGB) into out,
 * whose old contents are overwritten. Returns 0, or -1 with err set
 * (IMG_ERR_INVALID for bad parameters, IMG_ERR_NOMEM) and w closed. */
int img_jpeg_writer_start(img_jpeg_writer_t *w, int width, int height, int channels,
                          const img_jpeg_enc_opts_t *opts, img_buf_t *out, img_err_t *err);

/* Starts a width x height YCbCr 4:2:0 JPEG written from planes (libjpeg's
 * raw data: no colour conversion, no downsampling), as
 * img_jpeg_reader_read_planes delivers them. Returns as
 * img_jpeg_writer_start. */
int img_jpeg_writer_start_planes(img_jpeg_writer_t *w, int width, int height,
                                 const img_jpeg_enc_opts_t *opts, img_buf_t *out, img_err_t *err);

/* Compresses the next iMCU row of planes (16 rows of Y, 8 of Cb and Cr,
 * rows past the image's bottom edge included, each row at least the
 * plane's width rounded up to 16). Returns 0, or -1 with err set and w
 * closed. */
int img_jpeg_writer_write_planes(img_jpeg_writer_t *w, unsigned char **planes[3], img_err_t *err);

/* Compresses the next n rows (width * channels bytes each). Returns 0, or
 * -1 with err set and w closed. */
int img_jpeg_writer_write(img_jpeg_writer_t *w, unsigned char **rows, int n, img_err_t *err);

/* Completes the file after the last row and closes w; *len is then the
 * JPEG's size at the start of the output buffer. Returns 0 or -1 with
 * err set. */
int img_jpeg_writer_finish(img_jpeg_writer_t *w, size_t *len, img_err_t *err);

/* Releases w's libjpeg state; harmless on a closed writer. */
void img_jpeg_writer_close(img_jpeg_writer_t *w);

/* Encodes a gray or RGB image into out; *len receives the size. Returns 0,
 * or -1 with err set (IMG_ERR_INVALID for other channel counts). */
int img_jpeg_encode(const img_image_t *img, const img_jpeg_enc_opts_t *opts, img_buf_t *out,
                    size_t *len, img_err_t *err);

#pragma GCC visibility pop

#endif /* IMG_JPEG_ENCODE_H */
