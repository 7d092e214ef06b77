/*
 * test_multipart — the streaming multipart/form-data parser
 * (ingress/multipart.c) and the upload form collector
 * (ingress/upload_form.c).
 *
 * Every data callback is checked against the body itself: the bytes
 * handed over must equal body[offset .. offset + len), and the offsets of
 * one part must follow each other.  Bodies are fed in every way they can
 * be split, each chunk in its own exactly-sized heap block so that ASan
 * catches a read past a chunk.
 */
#define _GNU_SOURCE /* memmem */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "multipart.h"
#include "upload_form.h"

#define B "XyZzy-42" /* the boundary of the test bodies */

/* ---- recording callbacks --------------------------------------------- */

typedef struct {
    char name[128];
    char filename[128];
    int has_filename;
    char content_type[128];
    uint64_t data_offset;
    char data[16384];
    size_t len;
    int ended;
} rec_part_t;

typedef struct {
    const u_char *body;
    size_t body_len;
    rec_part_t parts[ING_MP_PARTS_MAX];
    int nparts;
    int rc; /* 0, or -1 when feed or finish failed */
    char err[ING_MP_ERR_MAX];
    int fail_on_begin; /* make part_begin fail for this part (1-based) */
} rec_t;

static int rec_begin(void *ctx, const ing_mp_part_t *part, char *err, size_t errlen)
{
    rec_t *r = ctx;
    rec_part_t *p;

    assert_true(r->nparts < ING_MP_PARTS_MAX);
    if (r->nparts > 0) {
        assert_true(r->parts[r->nparts - 1].ended);
    }
    p = &r->parts[r->nparts++];
    memset(p, 0, sizeof(*p));
    snprintf(p->name, sizeof(p->name), "%s", part->name);
    if (part->filename != NULL) {
        p->has_filename = 1;
        snprintf(p->filename, sizeof(p->filename), "%s", part->filename);
    }
    snprintf(p->content_type, sizeof(p->content_type), "%s", part->content_type);
    p->data_offset = part->data_offset;
    assert_true(part->data_offset <= r->body_len);
    if (r->fail_on_begin == r->nparts) {
        snprintf(err, errlen, "refused part %d", r->nparts);
        return -1;
    }
    return 0;
}

static int rec_data(void *ctx, const u_char *data, size_t len, uint64_t offset, char *err,
                    size_t errlen)
{
    rec_t *r = ctx;
    rec_part_t *p;

    (void) err;
    (void) errlen;
    assert_true(r->nparts > 0);
    p = &r->parts[r->nparts - 1];
    assert_false(p->ended);
    assert_true(len > 0);
    /* contiguous, and exactly the body's bytes at that offset */
    assert_true(offset == p->data_offset + p->len);
    assert_true(offset + len <= r->body_len);
    assert_memory_equal(data, r->body + offset, len);
    assert_true(p->len + len <= sizeof(p->data));
    memcpy(p->data + p->len, data, len);
    p->len += len;
    return 0;
}

static int rec_end(void *ctx, char *err, size_t errlen)
{
    rec_t *r = ctx;

    (void) err;
    (void) errlen;
    assert_true(r->nparts > 0);
    assert_false(r->parts[r->nparts - 1].ended);
    r->parts[r->nparts - 1].ended = 1;
    return 0;
}

static const ing_mp_callbacks_t rec_cb = { rec_begin, rec_data, rec_end };

/* Feeds body to a parser split at the sorted offsets cuts[0..ncuts) (each
 * chunk copied into its own heap block), then finishes; records into r. */
static void parse_cuts(rec_t *r, const char *boundary, const void *body, size_t len,
                       const size_t *cuts, size_t ncuts)
{
    ing_multipart_t *p = malloc(sizeof(*p));
    char err[ING_MP_ERR_MAX];
    size_t i, from = 0, to;
    u_char *chunk;
    int fail = r->fail_on_begin;

    assert_non_null(p);
    memset(r, 0, sizeof(*r));
    r->fail_on_begin = fail;
    r->body = body;
    r->body_len = len;
    assert_int_equal(ing_multipart_init(p, boundary, &rec_cb, r, err, sizeof(err)), 0);
    for (i = 0; i <= ncuts && r->rc == 0; i++) {
        to = i < ncuts ? cuts[i] : len;
        chunk = malloc(to - from + 1);
        assert_non_null(chunk);
        memcpy(chunk, (const u_char *) body + from, to - from);
        r->rc = ing_multipart_feed(p, chunk, to - from);
        free(chunk);
        from = to;
    }
    if (r->rc == 0) {
        r->rc = ing_multipart_finish(p);
    } else {
        /* errors are sticky */
        assert_int_equal(ing_multipart_feed(p, (const u_char *) "x", 1), -1);
        assert_int_equal(ing_multipart_finish(p), -1);
    }
    snprintf(r->err, sizeof(r->err), "%s", ing_multipart_error(p));
    free(p);
}

/* Feeds body in one piece. */
static void parse_whole(rec_t *r, const char *boundary, const void *body, size_t len)
{
    parse_cuts(r, boundary, body, len, NULL, 0);
}

/* Feeds body in chunks of `size` bytes. */
static void parse_chunked(rec_t *r, const char *boundary, const void *body, size_t len, size_t size)
{
    size_t *cuts = malloc((len / size + 1) * sizeof(size_t)), n = 0, at;

    assert_non_null(cuts);
    for (at = size; at < len; at += size) {
        cuts[n++] = at;
    }
    parse_cuts(r, boundary, body, len, cuts, n);
    free(cuts);
}

/* Asserts that two parses saw the same parts, data and outcome. */
static void assert_same_parse(const rec_t *a, const rec_t *b)
{
    int i;

    assert_int_equal(a->rc, b->rc);
    assert_string_equal(a->err, b->err);
    assert_int_equal(a->nparts, b->nparts);
    for (i = 0; i < a->nparts; i++) {
        assert_string_equal(a->parts[i].name, b->parts[i].name);
        assert_int_equal(a->parts[i].has_filename, b->parts[i].has_filename);
        assert_string_equal(a->parts[i].filename, b->parts[i].filename);
        assert_string_equal(a->parts[i].content_type, b->parts[i].content_type);
        assert_int_equal(a->parts[i].data_offset, b->parts[i].data_offset);
        assert_int_equal(a->parts[i].len, b->parts[i].len);
        assert_memory_equal(a->parts[i].data, b->parts[i].data, a->parts[i].len);
        assert_int_equal(a->parts[i].ended, b->parts[i].ended);
    }
}

/* Parses body whole, byte by byte, in every chunk size and at every
 * single cut, asserting all parses agree; leaves the whole parse in r. */
static void parse_every_split(rec_t *r, const char *boundary, const void *body, size_t len)
{
    rec_t *other = malloc(sizeof(*other));
    size_t at;

    assert_non_null(other);
    parse_whole(r, boundary, body, len);
    for (at = 1; at <= len; at++) {
        parse_chunked(other, boundary, body, len, at);
        assert_same_parse(r, other);
    }
    for (at = 0; at <= len; at++) {
        parse_cuts(other, boundary, body, len, &at, 1);
        assert_same_parse(r, other);
    }
    free(other);
}

static rec_t *rec_new(void)
{
    rec_t *r = calloc(1, sizeof(rec_t));

    assert_non_null(r);
    return r;
}

/* ---- bodies ------------------------------------------------------------ */

static const char simple_body[] =
    "--" B "\r\n"
    "Content-Disposition: form-data; name=\"title\"\r\n"
    "\r\n"
    "A cat\r\n"
    "--" B "\r\n"
    "Content-Disposition: form-data; name=\"image\"; filename=\"cat.jpg\"\r\n"
    "Content-Type: image/jpeg\r\n"
    "\r\n"
    "\xff\xd8\xff\xe0 binary\r\n\r\n-- \x00 data\r\n"
    "--" B "--\r\n";

static const char file_data[] = "\xff\xd8\xff\xe0 binary\r\n\r\n-- \x00 data";

/* ---- boundary extraction ---------------------------------------------- */

static void expect_boundary(const char *ct, const char *want)
{
    char out[ING_MP_BOUNDARY_MAX + 1], err[ING_MP_ERR_MAX] = "";

    if (ing_multipart_boundary(ct, strlen(ct), out, sizeof(out), err, sizeof(err)) != 0) {
        fail_msg("boundary of [%s]: %s", ct, err);
    }
    assert_string_equal(out, want);
}

static void expect_boundary_error(const char *ct, const char *want)
{
    char out[ING_MP_BOUNDARY_MAX + 1], err[ING_MP_ERR_MAX] = "";

    assert_int_equal(ing_multipart_boundary(ct, strlen(ct), out, sizeof(out), err, sizeof(err)),
                     -1);
    if (strstr(err, want) == NULL) {
        fail_msg("[%s]: error [%s] lacks [%s]", ct, err, want);
    }
}

static void test_boundary_forms(void **state)
{
    char seventy[71], ct[160];

    (void) state;
    expect_boundary("multipart/form-data; boundary=abc", "abc");
    expect_boundary("Multipart/Form-Data;BOUNDARY=abc", "abc");
    expect_boundary("multipart/form-data; boundary=\"a b:c?\"", "a b:c?");
    expect_boundary("multipart/form-data; boundary=\"q\\\"uote\"", "q\"uote");
    expect_boundary("multipart/form-data; charset=utf-8; BoUnDaRy=----WebKitFormBoundary7MA4YWxk",
                    "----WebKitFormBoundary7MA4YWxk");
    expect_boundary("  multipart/form-data ; boundary=x ; charset=\"utf-8\"  ", "x");

    memset(seventy, 'b', 70);
    seventy[70] = '\0';
    snprintf(ct, sizeof(ct), "multipart/form-data; boundary=%s", seventy);
    expect_boundary(ct, seventy);
    snprintf(ct, sizeof(ct), "multipart/form-data; boundary=\"%sb\"", seventy);
    expect_boundary_error(ct, "longer than 70");
}

static void test_boundary_errors(void **state)
{
    char out[4], err[ING_MP_ERR_MAX];
    const char *ct = "multipart/form-data; boundary=abcdef";

    (void) state;
    expect_boundary_error("multipart/form-data", "no boundary");
    expect_boundary_error("multipart/form-data; charset=utf-8", "no boundary");
    expect_boundary_error("multipart/form-data; boundary=", "empty");
    expect_boundary_error("multipart/form-data; boundary=\"\"", "empty");
    expect_boundary_error("multipart/form-data; boundary=\"abc \"", "ends with a space");
    expect_boundary_error("multipart/form-data; boundary=\"abc", "unterminated");
    expect_boundary_error("multipart/form-data; boundary=a; boundary=b", "more than one");
    expect_boundary_error("multipart/form-data; boundary=\"a\tb\"", "invalid character");
    expect_boundary_error("multipart/form-data boundary=abc", "malformed");
    expect_boundary_error("multipart/mixed; boundary=abc", "not multipart/form-data");
    expect_boundary_error("multipart/form-datax; boundary=abc", "not multipart/form-data");
    expect_boundary_error("text/plain", "not multipart/form-data");
    expect_boundary_error("", "not multipart/form-data");
    /* the length is honoured: the header is not NUL-terminated for us */
    assert_int_equal(ing_multipart_boundary(ct, 19, out, sizeof(out), err, sizeof(err)), -1);
    assert_non_null(strstr(err, "no boundary"));
    /* an output buffer too small is an error, not an overflow */
    assert_int_equal(ing_multipart_boundary(ct, strlen(ct), out, sizeof(out), err, sizeof(err)),
                     -1);
}

static void test_init_rejects_bad_boundary(void **state)
{
    ing_multipart_t *p = malloc(sizeof(*p));
    char err[ING_MP_ERR_MAX];

    (void) state;
    assert_int_equal(ing_multipart_init(p, "", &rec_cb, NULL, err, sizeof(err)), -1);
    assert_int_equal(ing_multipart_init(p, "a\rb", &rec_cb, NULL, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "invalid character"));
    free(p);
}

/* ---- parsing ------------------------------------------------------------ */

static void test_simple_form(void **state)
{
    rec_t *r = rec_new();

    (void) state;
    parse_whole(r, B, simple_body, sizeof(simple_body) - 1);
    assert_int_equal(r->rc, 0);
    assert_int_equal(r->nparts, 2);
    assert_string_equal(r->parts[0].name, "title");
    assert_false(r->parts[0].has_filename);
    assert_string_equal(r->parts[0].content_type, "");
    assert_int_equal(r->parts[0].len, 5);
    assert_memory_equal(r->parts[0].data, "A cat", 5);
    assert_string_equal(r->parts[1].name, "image");
    assert_string_equal(r->parts[1].filename, "cat.jpg");
    assert_string_equal(r->parts[1].content_type, "image/jpeg");
    assert_int_equal(r->parts[1].len, sizeof(file_data) - 1);
    assert_memory_equal(r->parts[1].data, file_data, sizeof(file_data) - 1);
    /* the offset points at the data inside the body */
    assert_memory_equal(simple_body + r->parts[1].data_offset, file_data, sizeof(file_data) - 1);
    assert_int_equal(r->parts[1].data_offset,
                     (uint64_t) (strstr(simple_body, "\xff\xd8") - simple_body));
    assert_true(r->parts[0].ended && r->parts[1].ended);
    free(r);
}

static void test_every_split_simple(void **state)
{
    rec_t *r = rec_new();

    (void) state;
    parse_every_split(r, B, simple_body, sizeof(simple_body) - 1);
    assert_int_equal(r->rc, 0);
    assert_int_equal(r->nparts, 2);
    free(r);
}

/* Preamble, epilogue, transport padding, empty parts, case-insensitive
 * header and parameter names, a Windows path with escaped quotes, and
 * file data that begins with CR and holds delimiter prefixes. */
static const char tricky_body[] =
    "This is the preamble.\r\n--XyZzy-4 looks like a boundary\r\n--\r\n"
    "\r\n--" B " \t \r\n"
    "content-disposition: FORM-DATA; NAME=empty\r\n"
    "\r\n"
    "\r\n--" B "\r\n"
    "Content-Disposition: form-data; name=\"f\"; filename=\"C:\\dir\\a \\\"b\\\".png\"\r\n"
    "Content-Type:   image/png  \r\n"
    "X-Ignored: yes\r\n"
    "\r\n"
    "\r\r\n--XyZzy-4Q\r\n-\r\n--XyZ\r\n--\r\n\r\r"
    "\r\n--" B "--  padding then epilogue\r\n--" B "\r\nignored";

static void test_tricky_body(void **state)
{
    rec_t *r = rec_new();
    const char *want = "\r\r\n--XyZzy-4Q\r\n-\r\n--XyZ\r\n--\r\n\r\r";

    (void) state;
    parse_every_split(r, B, tricky_body, sizeof(tricky_body) - 1);
    assert_int_equal(r->rc, 0);
    assert_int_equal(r->nparts, 2);
    assert_string_equal(r->parts[0].name, "empty");
    assert_int_equal(r->parts[0].len, 0);
    assert_true(r->parts[0].ended);
    assert_string_equal(r->parts[1].name, "f");
    assert_string_equal(r->parts[1].filename, "C:\\dir\\a \"b\".png");
    assert_string_equal(r->parts[1].content_type, "image/png");
    assert_int_equal(r->parts[1].len, strlen(want));
    assert_memory_equal(r->parts[1].data, want, strlen(want));
    assert_memory_equal(tricky_body + r->parts[1].data_offset, want, strlen(want));
    free(r);
}

/* A line that starts with the boundary but goes on is not a delimiter
 * line; RFC 2046 forbids it, so it is an error, also in the preamble. */
static void test_boundary_with_junk(void **state)
{
    rec_t *r = rec_new();

    (void) state;
    parse_every_split(r, B, "preamble\r\n--" B "X\r\n", sizeof("preamble\r\n--" B "X\r\n") - 1);
    assert_int_equal(r->rc, -1);
    assert_non_null(strstr(r->err, "boundary followed by unexpected characters"));
    assert_int_equal(r->nparts, 0);
    free(r);
}

/* The brief's case: "\r\n--boundar" inside file data, then other bytes. */
static void test_delimiter_prefix_in_data(void **state)
{
    static const char body[] =
        "--" B "\r\n"
        "Content-Disposition: form-data; name=\"file\"; filename=\"x.bin\"\r\n\r\n"
        "a\r\n--XyZzy-4\r\n--XyZzy\r\n--\r\n-\r\n\r\n--XyZzy-4"
        "2"
        "x"
        "\r\n--" B "--";
    rec_t *r = rec_new();

    (void) state;
    /* "\r\n--XyZzy-42x": a complete delimiter followed by junk */
    parse_every_split(r, B, body, sizeof(body) - 1);
    assert_int_equal(r->rc, -1);
    assert_non_null(strstr(r->err, "unexpected characters"));
    free(r);

    {
        static const char ok[] =
            "--" B "\r\n"
            "Content-Disposition: form-data; name=\"file\"; filename=\"x.bin\"\r\n\r\n"
            "a\r\n--XyZzy-4\r\n--XyZzy\r\n--\r\n-\r\n\r\n--XyZzy-4\r"
            "\r\n--" B "--";
        const char *want = "a\r\n--XyZzy-4\r\n--XyZzy\r\n--\r\n-\r\n\r\n--XyZzy-4\r";

        r = rec_new();
        parse_every_split(r, B, ok, sizeof(ok) - 1);
        assert_int_equal(r->rc, 0);
        assert_int_equal(r->nparts, 1);
        assert_int_equal(r->parts[0].len, strlen(want));
        assert_memory_equal(r->parts[0].data, want, strlen(want));
        free(r);
    }
}

static void expect_parse_error(const char *body, size_t len, const char *want)
{
    rec_t *r = rec_new();

    parse_every_split(r, B, body, len);
    assert_int_equal(r->rc, -1);
    if (strstr(r->err, want) == NULL) {
        fail_msg("error [%s] lacks [%s]", r->err, want);
    }
    free(r);
}

#define EXPECT_PARSE_ERROR(body, want) expect_parse_error(body, sizeof(body) - 1, want)

static void test_unterminated(void **state)
{
    (void) state;
    EXPECT_PARSE_ERROR("--" B "\r\nContent-Disposition: form-data; name=a\r\n\r\ndata",
                       "unterminated part");
    EXPECT_PARSE_ERROR("--" B "\r\nContent-Disposition: form-data; name=a\r\n\r\ndata\r\n--" B,
                       "unterminated part");
    EXPECT_PARSE_ERROR("--" B "\r\nContent-Disposition: form-data; name=a\r\n\r\ndata\r\n--" B
                       "\r\n",
                       "unterminated part");
    EXPECT_PARSE_ERROR("--" B "\r\nContent-Disposition: form-data; name=a\r\n",
                       "unterminated part");
    EXPECT_PARSE_ERROR("--" B "\r\nContent-Disposition: form-data; name=a\r\n\r\n"
                       "data\r\n--" B "-",
                       "unterminated part");
    EXPECT_PARSE_ERROR("--" B, "no closing boundary");
    EXPECT_PARSE_ERROR("just some text, no boundary\r\n", "no boundary found");
    EXPECT_PARSE_ERROR("", "no boundary found");
}

static void test_syntax_errors(void **state)
{
    (void) state;
    EXPECT_PARSE_ERROR("--" B "\nContent-Disposition: form-data; name=a\n\ndata\n--" B "--\n",
                       "LF-only");
    EXPECT_PARSE_ERROR("--" B "\r\nContent-Disposition: form-data; name=a\n\r\n\r\n--" B "--",
                       "LF-only");
    EXPECT_PARSE_ERROR("--" B "\r\nContent-Disposition: form-data;\r\n name=a\r\n\r\n\r\n--" B "--",
                       "folded");
    EXPECT_PARSE_ERROR("--" B "\r\nContent-Type: text/plain\r\n\r\nx\r\n--" B "--",
                       "without Content-Disposition");
    EXPECT_PARSE_ERROR("--" B "\r\n\r\nx\r\n--" B "--", "without Content-Disposition");
    EXPECT_PARSE_ERROR("--" B "\r\nContent-Disposition: attachment; name=a\r\n\r\nx\r\n--" B "--",
                       "not form-data");
    EXPECT_PARSE_ERROR(
        "--" B "\r\nContent-Disposition: form-data; filename=a\r\n\r\nx\r\n--" B "--", "no name");
    EXPECT_PARSE_ERROR("--" B "\r\nContent-Disposition: form-data; name=\"a\r\n\r\nx\r\n--" B "--",
                       "parameter value");
    EXPECT_PARSE_ERROR("--" B "\r\nContent-Disposition: form-data; name=a; name=b\r\n\r\n"
                       "x\r\n--" B "--",
                       "two name");
    EXPECT_PARSE_ERROR("--" B "\r\nContent-Disposition: form-data; name=a b\r\n\r\n"
                       "x\r\n--" B "--",
                       "malformed part Content-Disposition");
    EXPECT_PARSE_ERROR("--" B "\r\nContent-Disposition: form-data; name\r\n\r\n"
                       "x\r\n--" B "--",
                       "malformed part Content-Disposition parameter");
    EXPECT_PARSE_ERROR("--" B "\r\nno colon here\r\n\r\nx\r\n--" B "--", "malformed part header");
    EXPECT_PARSE_ERROR("--" B "\r\nBad Name: x\r\n\r\nx\r\n--" B "--", "malformed part header");
    EXPECT_PARSE_ERROR("--" B "\r\nContent-Disposition: form-data; name=a\r\nX: \x01\r\n\r\n"
                       "x\r\n--" B "--",
                       "control character");
    EXPECT_PARSE_ERROR("--" B "\r\nContent-Disposition: form-data; name=a\rX\r\n\r\n"
                       "x\r\n--" B "--",
                       "CR without LF");
    EXPECT_PARSE_ERROR("--" B "\rX", "CR without LF after a boundary");
    EXPECT_PARSE_ERROR("--" B "-x", "unexpected characters");
    EXPECT_PARSE_ERROR("--" B " x\r\n", "unexpected characters");
    EXPECT_PARSE_ERROR("--" B "\r\nContent-Disposition: form-data; name=a\r\n"
                       "Content-Disposition: form-data; name=b\r\n\r\nx\r\n--" B "--",
                       "two Content-Disposition");
}

static void test_huge_headers(void **state)
{
    size_t n = ING_MP_HEADERS_MAX + 100, len;
    char *body = malloc(n + 200);
    rec_t *r = rec_new();

    (void) state;
    len = (size_t) sprintf(body, "--" B "\r\nContent-Disposition: form-data; name=a\r\nX-Big: ");
    memset(body + len, 'h', n);
    len += n;
    len += (size_t) sprintf(body + len, "\r\n\r\nx\r\n--" B "--");
    parse_whole(r, B, body, len);
    assert_int_equal(r->rc, -1);
    assert_non_null(strstr(r->err, "part headers too large"));
    parse_chunked(r, B, body, len, 7);
    assert_int_equal(r->rc, -1);
    assert_non_null(strstr(r->err, "part headers too large"));

    /* just under the limit is fine */
    len = (size_t) sprintf(body, "--" B "\r\nContent-Disposition: form-data; name=a\r\nX-Big: ");
    n = ING_MP_HEADERS_MAX - len + (sizeof("--" B "\r\n") - 1) - 4;
    memset(body + len, 'h', n);
    len += n;
    len += (size_t) sprintf(body + len, "\r\n\r\nx\r\n--" B "--");
    parse_chunked(r, B, body, len, 13);
    assert_int_equal(r->rc, 0);
    assert_int_equal(r->nparts, 1);
    free(body);
    free(r);
}

static void test_too_many_parts(void **state)
{
    static const char part[] = "--" B "\r\nContent-Disposition: form-data; name=p\r\n\r\nv\r\n";
    size_t n = ING_MP_PARTS_MAX + 1, len = 0, i;
    char *body = malloc(n * sizeof(part) + 32);
    rec_t *r = rec_new();

    (void) state;
    for (i = 0; i < ING_MP_PARTS_MAX; i++) {
        len += (size_t) sprintf(body + len, "%s", part);
    }
    len += (size_t) sprintf(body + len, "--" B "--");
    parse_whole(r, B, body, len);
    assert_int_equal(r->rc, 0);
    assert_int_equal(r->nparts, ING_MP_PARTS_MAX);

    len -= sizeof("--" B "--") - 1;
    len += (size_t) sprintf(body + len, "%s--" B "--", part);
    parse_whole(r, B, body, len);
    assert_int_equal(r->rc, -1);
    assert_non_null(strstr(r->err, "more than 64 parts"));
    free(body);
    free(r);
}

static void test_callback_error(void **state)
{
    rec_t *r = rec_new();

    (void) state;
    r->fail_on_begin = 2;
    parse_whole(r, B, simple_body, sizeof(simple_body) - 1);
    assert_int_equal(r->rc, -1);
    assert_string_equal(r->err, "refused part 2");
    free(r);
}

/* ---- the upload form collector ------------------------------------------ */

typedef struct {
    int rc;
    char err[ING_MP_ERR_MAX];
    ing_upload_form_t f;
} form_run_t;

/* Collects body (in chunks of `size` bytes, 0 = whole) into run->f. */
static void collect(form_run_t *run, const void *body, size_t len, size_t size)
{
    size_t at, n;
    u_char *chunk;

    assert_int_equal(ing_upload_form_init(&run->f, B, run->err, sizeof(run->err)), 0);
    run->rc = 0;
    for (at = 0; at < len && run->rc == 0; at += n) {
        n = size == 0 || len - at < size ? len - at : size;
        chunk = malloc(n);
        memcpy(chunk, (const u_char *) body + at, n);
        run->rc = ing_upload_form_feed(&run->f, chunk, n);
        free(chunk);
    }
    if (run->rc == 0) {
        run->rc = ing_upload_form_finish(&run->f);
    }
    snprintf(run->err, sizeof(run->err), "%s", ing_upload_form_error(&run->f));
}

static form_run_t *form_run_new(void)
{
    form_run_t *run = calloc(1, sizeof(*run));

    assert_non_null(run);
    return run;
}

static void test_form_simple(void **state)
{
    form_run_t *run = form_run_new();
    size_t size;
    const ing_form_field_t *fld;

    (void) state;
    for (size = 0; size < sizeof(simple_body); size++) {
        collect(run, simple_body, sizeof(simple_body) - 1, size);
        assert_int_equal(run->rc, 0);
        assert_string_equal(run->f.file_field, "image");
        assert_string_equal(run->f.filename, "cat.jpg");
        assert_string_equal(run->f.content_type, "image/jpeg");
        assert_int_equal(run->f.data_len, sizeof(file_data) - 1);
        assert_memory_equal(simple_body + run->f.data_offset, file_data, run->f.data_len);
        assert_int_equal(run->f.nfields, 1);
        fld = ing_upload_form_field(&run->f, "title");
        assert_non_null(fld);
        assert_int_equal(fld->value_len, 5);
        assert_string_equal(fld->value, "A cat");
        assert_null(ing_upload_form_field(&run->f, "image"));
        ing_upload_form_free(&run->f);
    }
    free(run);
}

/* A large file in a body with a preamble, fields before and after and
 * data full of CRLFs: offset and length must be exact. */
static void test_form_large_file(void **state)
{
    form_run_t *run = form_run_new();
    size_t flen = 300000, len = 0, i, sizes[] = { 0, 1, 3, 4096, 65536, 77777 };
    u_char *file = malloc(flen), *body = malloc(flen + 1024);
    uint64_t off;

    (void) state;
    for (i = 0; i < flen; i++) {
        file[i] = (u_char) ((i * 7919u) >> 3);
        if (i % 97 == 0) {
            file[i] = '\r';
        } else if (i % 97 == 1) {
            file[i] = '\n';
        }
    }
    memcpy(file + 1000, "\r\n--" B, sizeof("\r\n--" B) - 2); /* all but the last byte */
    len += (size_t) sprintf((char *) body, "preamble\r\n--" B "\r\n"
                                           "Content-Disposition: form-data; name=\"alt\"\r\n\r\n"
                                           "text\r\n--" B "\r\n"
                                           "Content-Disposition: form-data; name=\"upload\"; "
                                           "filename=\"big.raw\"\r\n\r\n");
    off = len;
    memcpy(body + len, file, flen);
    len += flen;
    len += (size_t) sprintf((char *) body + len,
                            "\r\n--" B "\r\n"
                            "Content-Disposition: form-data; name=\"after\"\r\n\r\n"
                            "1\r\n--" B "--\r\n");
    for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        collect(run, body, len, sizes[i]);
        assert_int_equal(run->rc, 0);
        assert_int_equal(run->f.data_offset, off);
        assert_int_equal(run->f.data_len, flen);
        assert_memory_equal(body + run->f.data_offset, file, flen);
        assert_string_equal(run->f.content_type, "");
        assert_int_equal(run->f.nfields, 2);
        assert_string_equal(ing_upload_form_field(&run->f, "after")->value, "1");
        ing_upload_form_free(&run->f);
    }
    free(file);
    free(body);
    free(run);
}

static void expect_form_error(const char *body, size_t len, const char *want)
{
    form_run_t *run = form_run_new();
    size_t size;

    for (size = 0; size <= len; size += 1 + size / 3) {
        collect(run, body, len, size);
        assert_int_equal(run->rc, -1);
        if (strstr(run->err, want) == NULL) {
            fail_msg("error [%s] lacks [%s]", run->err, want);
        }
        ing_upload_form_free(&run->f);
    }
    free(run);
}

#define EXPECT_FORM_ERROR(body, want) expect_form_error(body, sizeof(body) - 1, want)

static void test_form_errors(void **state)
{
    (void) state;
    EXPECT_FORM_ERROR("--" B "\r\nContent-Disposition: form-data; name=a; filename=a.jpg\r\n\r\n"
                      "1\r\n--" B "\r\n"
                      "Content-Disposition: form-data; name=b; filename=b.jpg\r\n\r\n"
                      "2\r\n--" B "--",
                      "more than one file field");
    EXPECT_FORM_ERROR("--" B "\r\nContent-Disposition: form-data; name=a\r\n\r\n"
                      "1\r\n--" B "--",
                      "no file field");
    EXPECT_FORM_ERROR("--" B "--", "no file field");
    EXPECT_FORM_ERROR("--" B "\r\nContent-Disposition: form-data; name=a; filename=a.jpg\r\n\r\n"
                      "1\r\n--" B,
                      "unterminated part");
    /* an empty file input is no file */
    EXPECT_FORM_ERROR("--" B "\r\nContent-Disposition: form-data; name=a; filename=\"\"\r\n"
                      "Content-Type: application/octet-stream\r\n\r\n"
                      "\r\n--" B "--",
                      "no file field");
}

static void test_form_field_limits(void **state)
{
    size_t len, i;
    char *body = malloc(2 * ING_FORM_FIELD_MAX + 4096);
    form_run_t *run = form_run_new();

    (void) state;
    /* a field of exactly ING_FORM_FIELD_MAX bytes is fine, one more is not */
    len = (size_t) sprintf(body, "--" B "\r\nContent-Disposition: form-data; name=big\r\n\r\n");
    memset(body + len, 'v', ING_FORM_FIELD_MAX);
    len += ING_FORM_FIELD_MAX;
    len += (size_t) sprintf(
        body + len, "\r\n--" B "\r\n"
                    "Content-Disposition: form-data; name=f; filename=f\r\n\r\nF\r\n--" B "--");
    collect(run, body, len, 1000);
    assert_int_equal(run->rc, 0);
    assert_int_equal(ing_upload_form_field(&run->f, "big")->value_len, ING_FORM_FIELD_MAX);
    ing_upload_form_free(&run->f);

    len = (size_t) sprintf(body, "--" B "\r\nContent-Disposition: form-data; name=big\r\n\r\n");
    memset(body + len, 'v', ING_FORM_FIELD_MAX + 1);
    len += ING_FORM_FIELD_MAX + 1;
    len += (size_t) sprintf(body + len, "\r\n--" B "--");
    expect_form_error(body, len, "form field \"big\" too large");

    len = 0;
    for (i = 0; i < ING_FORM_FIELDS_MAX + 1; i++) {
        len += (size_t) sprintf(body + len,
                                "--" B "\r\n"
                                "Content-Disposition: form-data; name=k%zu\r\n\r\nv%zu\r\n",
                                i, i);
    }
    len += (size_t) sprintf(body + len, "--" B "--");
    expect_form_error(body, len, "more than 16 form fields");
    free(body);
    free(run);
}

/* Metadata before and after the file, a field with a NUL byte, an empty
 * file input before the real file, and an empty file. */
static void test_form_metadata(void **state)
{
    static const char body[] =
        "--" B "\r\nContent-Disposition: form-data; name=\"caption\"\r\n\r\n"
        "Sunset \xc3\xbc\r\n"
        "--" B "\r\nContent-Disposition: form-data; name=\"skip\"; filename=\"\"\r\n\r\n"
        "\r\n--" B "\r\nContent-Disposition: form-data; name=\"raw\"\r\n\r\n"
        "a\x00"
        "b\r\n"
        "--" B "\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"empty.png\"\r\n"
        "Content-Type: image/png\r\n\r\n"
        "\r\n--" B "\r\nContent-Disposition: form-data; name=\"tags\"\r\n\r\n"
        "\r\n--" B "--";
    form_run_t *run = form_run_new();
    const ing_form_field_t *fld;

    (void) state;
    collect(run, body, sizeof(body) - 1, 5);
    assert_int_equal(run->rc, 0);
    assert_string_equal(run->f.file_field, "photo");
    assert_string_equal(run->f.filename, "empty.png");
    assert_int_equal(run->f.data_len, 0);
    assert_int_equal(run->f.data_offset, (uint64_t) ((const char *) memmem(body, sizeof(body) - 1,
                                                                           "image/png\r\n\r\n", 13)
                                                     + 13 - body));
    assert_int_equal(run->f.nfields, 3);
    assert_string_equal(run->f.fields[0].name, "caption");
    assert_string_equal(run->f.fields[0].value, "Sunset \xc3\xbc");
    fld = ing_upload_form_field(&run->f, "raw");
    assert_int_equal(fld->value_len, 3);
    assert_memory_equal(fld->value, "a\0b", 3);
    fld = ing_upload_form_field(&run->f, "tags");
    assert_int_equal(fld->value_len, 0);
    assert_string_equal(fld->value, "");
    ing_upload_form_free(&run->f);
    free(run);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_boundary_forms),
        cmocka_unit_test(test_boundary_errors),
        cmocka_unit_test(test_init_rejects_bad_boundary),
        cmocka_unit_test(test_simple_form),
        cmocka_unit_test(test_every_split_simple),
        cmocka_unit_test(test_tricky_body),
        cmocka_unit_test(test_boundary_with_junk),
        cmocka_unit_test(test_delimiter_prefix_in_data),
        cmocka_unit_test(test_unterminated),
        cmocka_unit_test(test_syntax_errors),
        cmocka_unit_test(test_huge_headers),
        cmocka_unit_test(test_too_many_parts),
        cmocka_unit_test(test_callback_error),
        cmocka_unit_test(test_form_simple),
        cmocka_unit_test(test_form_large_file),
        cmocka_unit_test(test_form_errors),
        cmocka_unit_test(test_form_field_limits),
        cmocka_unit_test(test_form_metadata),
    };

    return cmocka_run_group_tests_name("multipart", tests, NULL, NULL);
}
