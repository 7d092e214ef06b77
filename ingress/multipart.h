/*
 * multipart — a streaming multipart/form-data parser (RFC 7578, RFC 2046).
 *
 * The body is fed in chunks of any size; a chunk may end anywhere, also
 * inside a delimiter or a part's headers.  The parser keeps a bounded
 * amount of state: the delimiter ("\r\n--" boundary, at most 74 bytes),
 * the count of delimiter bytes matched so far (held-back data is always a
 * prefix of the delimiter, so no copy of it is kept) and one part-header
 * block of at most ING_MP_HEADERS_MAX bytes.  It never allocates.
 *
 * It reports through callbacks: a part begins (its Content-Disposition
 * name and filename and its Content-Type), part data (pointer, length and
 * the ABSOLUTE offset of those bytes in the whole body, so a caller whose
 * body sits in a file can locate a part there without copying), a part
 * ends.  A part's data is contiguous in the body: the offsets of
 * successive data callbacks of one part follow each other exactly.
 *
 * Accepted syntax:
 *   preamble, then "--boundary" (at the very start of the body or after
 *   CRLF), transport padding (SP / HT) and CRLF, part headers ending with
 *   an empty line, data, "\r\n--boundary" ... "\r\n--boundary--", then an
 *   epilogue, which is ignored.
 * Rejected with a clear error: LF-only line endings, folded headers,
 * header lines without ':', a part without "Content-Disposition:
 * form-data" or without a name, headers over ING_MP_HEADERS_MAX bytes,
 * more than ING_MP_PARTS_MAX parts, anything but padding after a
 * boundary, and a body that ends before the close delimiter.
 *
 * Quoted parameter values accept the escapes \" and \\; any other
 * backslash is kept as is, because browsers send Windows paths
 * ("C:\dir\a.jpg") unescaped and percent-encode '"' as %22 (HTML spec).
 */
#ifndef ING_MULTIPART_H
#define ING_MULTIPART_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define ING_MP_BOUNDARY_MAX 70   /* RFC 2046 §5.1.1 */
#define ING_MP_HEADERS_MAX  8192 /* one part's header block, CRLFs included */
#define ING_MP_PARTS_MAX    64
#define ING_MP_ERR_MAX      256

/* One part as its headers describe it.  The strings point into the
 * parser's header buffer: valid only during the part_begin callback. */
typedef struct {
    const char *name;         /* Content-Disposition name="..." */
    const char *filename;     /* filename="...", NULL when absent */
    const char *content_type; /* Content-Type value, "" when absent */
    uint64_t data_offset;     /* body offset of the part's first data byte */
} ing_mp_part_t;

/* Callbacks return 0 to go on, or -1 to stop the parse after writing a
 * message into err (errlen bytes); the parse then fails with it.
 * Any of them may be NULL. */
typedef struct {
    int (*part_begin)(void *ctx, const ing_mp_part_t *part, char *err, size_t errlen);
    int (*part_data)(void *ctx, const u_char *data, size_t len, uint64_t offset, char *err,
                     size_t errlen);
    int (*part_end)(void *ctx, char *err, size_t errlen);
} ing_mp_callbacks_t;

/* Parser state.  Public so a caller can embed it or allocate it from its
 * own pool; the fields are private to multipart.c. */
typedef struct {
    const ing_mp_callbacks_t *cb;
    void *ctx;
    int state;
    int in_part;
    size_t dlen;           /* delimiter length: 4 + boundary length */
    size_t match;          /* delimiter bytes matched (held back) */
    uint64_t match_offset; /* body offset of the first held-back byte */
    uint64_t pos;          /* body offset of the current chunk's start */
    unsigned parts;
    size_t hlen;       /* bytes in hdr */
    size_t line_start; /* offset in hdr of the current header line */
    u_char delim[4 + ING_MP_BOUNDARY_MAX];
    char hdr[ING_MP_HEADERS_MAX + 1];
    char err[ING_MP_ERR_MAX];
} ing_multipart_t;

/* Extracts the boundary parameter from a Content-Type header value
 * (content_type, len bytes, not necessarily NUL-terminated): the type
 * must be multipart/form-data (case-insensitive); the parameter name is
 * matched case-insensitively; its value may be a token or a quoted
 * string.  Writes the boundary, NUL-terminated, into out (outlen bytes;
 * ING_MP_BOUNDARY_MAX + 1 is always enough).  Returns 0, or -1 with err
 * set when the type is not multipart/form-data, the header is malformed,
 * or the boundary is missing, given twice, empty, longer than 70
 * characters, ends in a space or holds a byte that is neither visible
 * ASCII nor a space (RFC 2046's bchars, widened to every visible ASCII
 * character so that any HTTP token is accepted). */
int ing_multipart_boundary(const char *content_type, size_t len, char *out, size_t outlen,
                           char *err, size_t errlen);

/* Prepares p to parse a body with the given boundary (NUL-terminated, as
 * ing_multipart_boundary returns it); cb (which must outlive p) and ctx
 * receive the events.  Returns 0, or -1 with err set when the boundary is
 * not a valid RFC 2046 boundary. */
int ing_multipart_init(ing_multipart_t *p, const char *boundary, const ing_mp_callbacks_t *cb,
                       void *ctx, char *err, size_t errlen);

/* Parses the next len bytes of the body.  Returns 0, or -1 when the body
 * is malformed or a callback stopped the parse; the message is then in
 * ing_multipart_error(p).  Errors are sticky: later calls return -1. */
int ing_multipart_feed(ing_multipart_t *p, const u_char *buf, size_t len);

/* Declares the end of the body.  Returns 0 when the close delimiter was
 * seen, else -1 with the error set ("no boundary found in the body",
 * "unterminated part: no closing boundary"), or -1 for an earlier error. */
int ing_multipart_finish(ing_multipart_t *p);

/* Returns the error message of the last failure ("" when none). */
const char *ing_multipart_error(const ing_multipart_t *p);

#endif
