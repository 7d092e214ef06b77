/*
 * imageinfo: an image's type from its magic bytes and its dimensions from
 * its header, without decoding a pixel. Shared by the nginx module's ingress
 * checks and the plugins' limits.
 *
 * Nothing here allocates, recurses or reads past the length it is given.
 * The parsers are stateless: a caller holding only the start of an upload
 * calls ii_probe() with what it has, and on II_NEED_MORE reads up to
 * info.need bytes (or refuses when that is past its own limit) and calls it
 * again with the longer buffer.
 */
#ifndef II_IMAGEINFO_H
#define II_IMAGEINFO_H

#include <stddef.h>
#include <stdint.h>

typedef enum {
    II_TYPE_UNKNOWN = 0,
    II_TYPE_JPEG,
    II_TYPE_PNG,
    II_TYPE_WEBP,
    II_TYPE_GIF,
    II_TYPE_HEIC, /* HEIF with an HEVC-coded primary image (heic/heix/... brands) */
    II_TYPE_HEIF, /* HEIF of another or undeclared codec (mif1/msf1 brands only) */
    II_TYPE_AVIF  /* HEIF with an AV1-coded primary image (avif/avis brands) */
} ii_type_t;

/* The header budget: the most bytes a caller buffering the start of an
 * upload should hold for ii_probe(). GIF and HEIF parsing never look past
 * it (a HEIF meta box ending past it is II_ERROR; a GIF's walk for a
 * second frame stops there). A JPEG's markers before the frame header are
 * followed as far as they go: a caller refuses a need beyond its budget. */
#define II_HEADER_MAX (1024 * 1024)

/* ii_probe() results */
#define II_OK        0    /* type and dimensions known */
#define II_NEED_MORE 1    /* the header runs past len: see ii_info_t.need */
#define II_ERROR     (-1) /* unknown type or corrupt header: see err */

typedef struct {
    ii_type_t type;
    unsigned width, height; /* JPEG: as stored, before any EXIF orientation;
                                 HEIC/HEIF/AVIF: the primary item's ispe,
                                 swapped by an irot of 90 or 270 degrees (as
                                 displayed; a clean aperture is not applied) */
    int orientation;        /* EXIF 1..8; 1 when absent or invalid (JPEG only) */
    int progressive;        /* JPEG SOF2/6/10/14, PNG Adam7 interlace */
    int components;         /* channels as stored: a palette index counts 1;
                                 HEIF: from pixi, 0 without one */
    int bit_depth;          /* bits per channel (JPEG precision, PNG depth, GIF
                                 palette index bits; 8 for WebP; HEIF: pixi's
                                 first channel, 0 without one) */
    int has_alpha;          /* from the header only (PNG: colour type 4/6;
                                 a tRNS chunk is not looked for) */
    int cmyk;               /* JPEG with 4 components (CMYK or YCCK) */
    int animated;           /* WebP: the VP8X animation flag. GIF: a second
                                 image descriptor; when the first frame runs
                                 past II_HEADER_MAX, a NETSCAPE2.0/ANIMEXTS1.0
                                 loop extension before it. HEIF: an image
                                 sequence major brand (msf1, hevc, hevx, avis) */
    int adobe_transform;    /* JPEG Adobe APP14 transform (0 none/RGB/CMYK,
                                 1 YCbCr, 2 YCCK); -1 without APP14 */
    size_t need;            /* on II_NEED_MORE: the buffer length the probe
                                 needs to get past where it stopped (> len,
                                 and no shorter prefix can give II_OK);
                                 0 otherwise */
} ii_info_t;

/*
 * The type named by the first bytes (magic numbers) alone: JPEG FF D8 FF,
 * the 8-byte PNG signature, RIFF....WEBP, GIF87a/GIF89a, or an ISO-BMFF
 * ftyp box (at most 4096 bytes) whose brands name HEIC, AVIF or HEIF.
 * Brand precedence: a major brand of the HEIC family (heic heix heim heis
 * hevc hevx) or the AVIF family (avif avis) decides; otherwise the
 * compatible brands do, the HEIC family before the AVIF family; otherwise
 * mif1 or msf1 (major or compatible) make it HEIF. II_TYPE_UNKNOWN when
 * buf is too short to hold the whole signature (the whole ftyp box) or
 * matches none.
 */
ii_type_t ii_sniff(const void *buf, size_t len);

/* The MIME type of t ("image/jpeg", ...); "application/octet-stream" for
 * II_TYPE_UNKNOWN or an out-of-range value. Never NULL. */
const char *ii_type_mime(ii_type_t t);

/* The file extension of t without a dot ("jpg", "png", "webp", "gif",
 * "heic", "heif", "avif");
 * "bin" for II_TYPE_UNKNOWN or an out-of-range value. Never NULL. */
const char *ii_type_ext(ii_type_t t);

/* The type a configuration names, case-insensitively: "jpeg"/"jpg", "png",
 * "webp", "gif", "heic", "heif", "avif", or a MIME type "image/jpeg" ....
 * II_TYPE_UNKNOWN for any
 * other string or NULL. */
ii_type_t ii_type_from_name(const char *name);

/*
 * Reads the header of the image in buf[0..len) into *out (required).
 * Returns II_OK when the type and non-zero dimensions are known;
 * II_NEED_MORE when buf is a valid but too short start of an image (also
 * for len 0): out->need then tells the length to read, and out->type and
 * the fields read so far are filled; II_ERROR for an unknown type or a
 * corrupt header, with a one-line reason in err (err may be NULL; the
 * message is truncated to errlen - 1 bytes and always NUL-terminated).
 * A result never changes from II_OK or II_ERROR when more bytes follow.
 * JPEG: markers are walked up to the first frame header (SOFn); EXIF
 * orientation and the Adobe transform count only before it.
 * GIF: blocks are walked past the first frame to the second image
 * descriptor or the trailer, or up to II_HEADER_MAX.
 * HEIC/HEIF/AVIF: top-level boxes are skipped up to the meta box, which is
 * read whole: pitm names the primary item, iprp/ipma its properties in
 * iprp/ipco (ispe, irot, pixi). Image data is never read.
 */
int ii_probe(const void *buf, size_t len, ii_info_t *out, char *err, size_t errlen);

/*
 * The default pixel limit, width x height, of the ingress
 * (prism_max_pixels) and of the built-in plugins (max_pixels), so that
 * anything the ingress accepts is processed and nothing bigger is
 * decoded by default.  II_DEFAULT_MAX_PIXELS_STR is the same as text
 * (for plugin parameter tables).
 */
#define II_DEFAULT_MAX_PIXELS     50000000
#define II_STRINGIFY_(x)          #x
#define II_STRINGIFY(x)           II_STRINGIFY_(x)
#define II_DEFAULT_MAX_PIXELS_STR II_STRINGIFY(II_DEFAULT_MAX_PIXELS)

/*
 * Refuses images too big to decode before anything is decoded: returns
 * II_OK when width * height <= max_pixels and both sides <= max_side,
 * II_ERROR with the reason in err otherwise (and for zero dimensions).
 * A limit of 0 disables that check.
 */
int ii_check_limits(const ii_info_t *info, uint64_t max_pixels, unsigned max_side, char *err,
                    size_t errlen);

#endif /* II_IMAGEINFO_H */
