/*
 * JPEG decoding with libjpeg-turbo, row by row (img_jpeg_reader_*) or into
 * one buffer (img_jpeg_decode).
 *
 * Shrink-on-load: given the smallest size the caller can use, the reader
 * picks the smallest DCT scale M/8 (M = 1..8) whose output is at least
 * IMG_JPEG_DCT_GAP times that big, so a thumbnail of a large photo costs
 * a fraction of the IDCT work while a proper filter still does the last
 * reduction (DCT scaling alone averages whole blocks at 1/8, and aliases).
 * For a progressive JPEG decoded at 1/8 the 1x1 IDCT needs only the DC
 * coefficients: the reader decodes in buffered-image mode and stops after
 * the scan that completes them (DC with at most IMG_JPEG_DC_AL_MAX low
 * bits still missing), skipping every AC scan. That saving is worth more
 * than the gap, so a progressive JPEG whose 1/8 covers the minimum itself
 * is decoded at 1/8.
 *
 * Output is RGB, or gray for grayscale JPEGs when asked, or, when asked
 * (planes_420) and the file is stored as YCbCr 4:2:0 needing no colour
 * transform at full scale, its Y, Cb and Cr planes as stored, an iMCU row
 * (IMG_JPEG_IMCU luma rows, half as many chroma rows) at a time: no
 * upsampling and no colour conversion (libjpeg's raw data), for a caller
 * that writes 4:2:0 again (img_jpeg_writer_start_planes). Other
 * samplings gained nothing measurable this way: averaging their chroma
 * down in C cost what libjpeg's SIMD conversions saved. CMYK and YCCK
 * (Adobe's inverted convention when an Adobe APP14 marker is present)
 * are converted to RGB. Colour management: given a profile holder and a
 * transform cache, the reader keeps the embedded ICC profile (APP2
 * ICC_PROFILE chain) and converts every row into sRGB with it (CMYK/YCCK
 * through the profile, else the naive inversion above, the documented
 * default: Debian ships no CMYK profile to use instead). Other APPn
 * markers are not kept: orientation comes from imageinfo's header parse.
 */
#ifndef IMG_JPEG_DECODE_H
#define IMG_JPEG_DECODE_H

#include <stdint.h>

#include "img_icc.h"
#include "img_image.h"
#include "img_jpeg_error.h"

#pragma GCC visibility push(hidden)

/* How much bigger than the caller's minimum the DCT-scaled output is
 * made (when the image is that big), like Pillow's reducing_gap. */
#define IMG_JPEG_DCT_GAP 1.5
/* Progressive decodes refuse files with more scans than this (a crafted
 * file with thousands of tiny scans would cost a full pass each). */
#define IMG_JPEG_MAX_SCANS 100
/* The DC precision enough for a 1/8 output: with one low bit missing a
 * block's mean is off by at most Q/8 levels for a DC quantiser Q (under
 * one level at quality 85, two at quality 50). */
#define IMG_JPEG_DC_AL_MAX 1
/* Luma rows per iMCU row of a 4:2:0 JPEG (chroma: half as many). */
#define IMG_JPEG_IMCU 16

typedef struct {
    int min_width;        /* smallest useful output width; 0 with      */
    int min_height;       /* min_height 0: decode at full size          */
    int keep_gray;        /* grayscale JPEGs decode to 1 channel, else RGB */
    uint64_t max_pixels;  /* refuse a frame over this many pixels; 0 = no limit */
    img_profile_t *icc;   /* receives the embedded profile; NULL: not read,
                             no colour management */
    img_icc_cache_t *cms; /* transforms (required with icc) */
    int planes_420;       /* deliver YCbCr 4:2:0 planes when stored so */
} img_jpeg_opts_t;

typedef struct {
    struct jpeg_decompress_struct cinfo;
    struct jpeg_progress_mgr progress;
    img_jpeg_err_t jerr;
    int active;                /* cinfo is created and not yet destroyed */
    int buffered;              /* progressive early stop in use */
    int planes;                /* planes delivered (img_jpeg_reader_read_planes) */
    int cmyk;                  /* libjpeg delivers CMYK, converted here */
    int cmyk_inverted;         /* ... in Adobe's inverted convention */
    int src_width, src_height; /* the frame as stored */
    int width, height;         /* what read() delivers */
    int channels;              /* 1 or 3 */
    int scale_eighths;         /* the DCT scale used, in eighths */
    int scans;                 /* scans decoded before output (progressive) */
    size_t row_bytes;          /* bytes every row given to read() must hold */
    void *xform;               /* the profile's transform into sRGB, or NULL */
    img_err_t warn;            /* a refused profile (ignored): code != IMG_ERR_NONE */
} img_jpeg_reader_t;

/* Reads the header of the JPEG in data[0..len), picks the scale and the
 * output colour space, and starts decompression. Returns 0, or -1 with
 * err set (IMG_ERR_CORRUPT with libjpeg's message, IMG_ERR_LIMIT over
 * max_pixels, IMG_ERR_UNSUPPORTED for colour spaces other than gray,
 * YCbCr, RGB, CMYK and YCCK, IMG_ERR_NOMEM) and r closed. data must stay
 * valid until the reader is finished or closed. */
int img_jpeg_reader_open(img_jpeg_reader_t *r, const unsigned char *data, size_t len,
                         const img_jpeg_opts_t *opts, img_err_t *err);

/* Reads up to n more rows into rows[0..n), each holding r->row_bytes.
 * Returns the number of rows read (0 at the end), or -1 with err set and
 * r closed when the data is damaged. */
int img_jpeg_reader_read(img_jpeg_reader_t *r, unsigned char **rows, int n, img_err_t *err);

/* Reads the next iMCU row of a reader delivering planes (r->planes):
 * IMG_JPEG_IMCU rows of Y into planes[0][0..16), 8 rows of Cb and Cr into
 * planes[1] and planes[2], each row at least the plane's width rounded
 * up to 16 samples (rows past the image's edges carry the encoder's
 * padding). Returns the luma rows read (IMG_JPEG_IMCU; 0 at the end), or
 * -1 with err set and r closed when the data is damaged. */
int img_jpeg_reader_read_planes(img_jpeg_reader_t *r, unsigned char **planes[3], img_err_t *err);

/* Ends decompression after the last row (the rest of a progressive file
 * stopped early is not read) and closes r. Returns 0, or -1 with err set
 * when the end of the data is damaged (a truncated file). */
int img_jpeg_reader_finish(img_jpeg_reader_t *r, img_err_t *err);

/* Releases r's libjpeg state; harmless on a closed reader. */
void img_jpeg_reader_close(img_jpeg_reader_t *r);

/* Decodes the whole JPEG in data[0..len) into out, whose pixels live in
 * buf (grown as needed). A refused profile is reported in warn (may be
 * NULL; code IMG_ERR_NONE when there is nothing to report). Returns 0,
 * or -1 with err set as for img_jpeg_reader_open/read/finish. */
int img_jpeg_decode(const unsigned char *data, size_t len, const img_jpeg_opts_t *opts,
                    img_image_t *out, img_buf_t *buf, img_err_t *warn, img_err_t *err);

#pragma GCC visibility pop

#endif /* IMG_JPEG_DECODE_H */
