/*
 * libFuzzer target for SigV4 canonicalisation (aws/sigv4.c, aws/uri.c).
 *
 * Input: fields separated by '\n':
 *   METHOD \n PATH \n QUERY \n NAME:VALUE \n NAME:VALUE ...
 * (at most MAX_HEADERS headers; a PATH without a leading '/' gets one).
 * The request is signed for "s3" (path as sent) and for "sqs" (path
 * normalised, double encoded).  Aborts when a result breaks its contract:
 *   - a valid request signs; signing it again gives the same signature,
 *     canonical request and string to sign;
 *   - the canonical request starts with the method, its query line is
 *     aws_uri_canonical_query() of the query: sorted by name then value,
 *     only unreserved bytes and %XX, no raw space; the signed-header list
 *     is lower-case and strictly sorted; header values are trimmed;
 *   - aws_uri_encode gives only unreserved bytes, upper-case %XX (and '/'
 *     when kept), and aws_uri_decode gives the input back;
 *   - aws_uri_normalize_path starts with '/', has no empty, "." or ".."
 *     segment, and normalising again changes nothing.
 */
#define _GNU_SOURCE /* memmem */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aws_request.h"
#include "sigv4.h"
#include "uri.h"

#define MAX_HEADERS 6

/* Whether C is an RFC 3986 unreserved byte. */
static int unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'
           || c == '.' || c == '_' || c == '~';
}

/* Whether C is an upper-case hex digit. */
static int hex_upper(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
}

/* Aborts unless s[0..len) is unreserved bytes and %XX only; '/' is also
 * allowed when keep_slash, and the bytes in EXTRA always. */
static void check_encoded(const char *s, size_t len, int keep_slash, const char *extra)
{
    size_t i;

    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char) s[i];
        if (c == '%') {
            if (i + 2 >= len)
                abort();
            if (!hex_upper((unsigned char) s[i + 1]) || !hex_upper((unsigned char) s[i + 2]))
                abort();
            i += 2;
        } else if (!unreserved(c) && !(keep_slash && c == '/')
                   && !(c != '\0' && extra != NULL && strchr(extra, c) != NULL)) {
            abort();
        }
    }
}

/* Encodes s[0..len) both ways, checks the alphabet and the round trip. */
static void check_encode(const char *s, size_t len)
{
    int keep;

    for (keep = 0; keep <= 1; keep++) {
        aws_buf_t enc = AWS_BUF_INIT, dec = AWS_BUF_INIT;
        if (aws_uri_encode(&enc, s, len, keep) != 0
            || aws_uri_decode(&dec, enc.data ? enc.data : "", enc.len) != 0)
            abort();
        check_encoded(enc.data, enc.len, keep, NULL);
        if (dec.len != len || (len && memcmp(dec.data, s, len) != 0))
            abort();
        aws_buf_free(&enc);
        aws_buf_free(&dec);
    }
}

/* Normalises PATH, checks the shape of the result and idempotence. */
static void check_normalize(const char *path)
{
    aws_buf_t once = AWS_BUF_INIT, twice = AWS_BUF_INIT;
    const char *seg;

    if (aws_uri_normalize_path(&once, path) != 0 || aws_buf_puts(&once, "") != 0)
        abort();
    if (once.len == 0 || once.data[0] != '/' || strstr(once.data, "//") != NULL)
        abort();
    for (seg = once.data + 1; *seg != '\0'; seg += strcspn(seg, "/"), seg += *seg == '/') {
        size_t n = strcspn(seg, "/");
        if ((n == 1 && seg[0] == '.') || (n == 2 && seg[0] == '.' && seg[1] == '.'))
            abort();
    }
    if (aws_uri_normalize_path(&twice, once.data) != 0 || aws_buf_puts(&twice, "") != 0)
        abort();
    if (strcmp(once.data, twice.data) != 0)
        abort();
    aws_buf_free(&once);
    aws_buf_free(&twice);
}

/* Compares two canonical query pairs A and B (an = and bn bytes, each
 * "name=value"; '=' is encoded everywhere else) by name, then value. */
static int pair_cmp(const char *a, size_t an, const char *b, size_t bn)
{
    size_t ak = (size_t) ((const char *) memchr(a, '=', an) - a);
    size_t bk = (size_t) ((const char *) memchr(b, '=', bn) - b);
    int c = memcmp(a, b, ak < bk ? ak : bk);

    if (c != 0 || ak != bk)
        return c != 0 ? c : (ak < bk ? -1 : 1);
    a += ak + 1, an -= ak + 1;
    b += bk + 1, bn -= bk + 1;
    c = memcmp(a, b, an < bn ? an : bn);
    return c != 0 ? c : (an > bn) - (an < bn);
}

/* Aborts unless the canonical query Q[0..len) is encoded and its pairs
 * are sorted by name, then value. */
static void check_canonical_query(const char *q, size_t len)
{
    const char *p = q, *end = q + len, *prev = NULL;
    size_t prev_len = 0;

    check_encoded(q, len, 0, "=&");
    while (p < end) {
        const char *amp = memchr(p, '&', (size_t) (end - p));
        size_t n = amp ? (size_t) (amp - p) : (size_t) (end - p);
        const char *eq = memchr(p, '=', n);
        if (eq == NULL || memchr(eq + 1, '=', n - (size_t) (eq + 1 - p)) != NULL)
            abort();
        if (prev != NULL && pair_cmp(prev, prev_len, p, n) > 0)
            abort();
        prev = p;
        prev_len = n;
        p += n + 1;
    }
}

/* Splits the canonical request CREQ (NUL-terminated) into its lines and
 * checks them against REQ: method, query, header values, signed headers. */
static void check_canonical_request(const aws_request_t *req, const char *creq,
                                    const char *signed_headers)
{
    aws_buf_t want = AWS_BUF_INIT;
    const char *line[3];
    const char *p = creq, *h;
    size_t i;

    for (i = 0; i < 3; i++) {
        line[i] = p;
        p = strchr(p, '\n');
        if (p == NULL)
            abort();
        p++;
    }
    if ((size_t) (line[1] - line[0] - 1) != strlen(req->method)
        || memcmp(line[0], req->method, strlen(req->method)) != 0)
        abort();
    if (aws_uri_canonical_query(&want, req->query) != 0)
        abort();
    if ((size_t) (p - line[2] - 1) != want.len
        || (want.len && memcmp(want.data, line[2], want.len) != 0))
        abort();
    check_canonical_query(line[2], want.len);
    aws_buf_free(&want);

    /* The header block: "name:value" lines, values trimmed, a blank line. */
    while (*p != '\n') {
        const char *nl = strchr(p, '\n'), *colon = strchr(p, ':');
        if (nl == NULL || colon == NULL || colon > nl)
            abort();
        if (colon + 1 < nl && (colon[1] == ' ' || nl[-1] == ' '))
            abort();
        if (memmem(colon, (size_t) (nl - colon), "  ", 2) != NULL)
            abort();
        p = nl + 1;
    }
    p++;
    if (strncmp(p, signed_headers, strlen(signed_headers)) != 0
        || p[strlen(signed_headers)] != '\n')
        abort();

    /* Signed headers: lower-case, strictly sorted. */
    for (h = signed_headers; *h != '\0';) {
        size_t n = strcspn(h, ";"), j;
        const char *next = h + n + (h[n] == ';');
        for (j = 0; j < n; j++)
            if (h[j] >= 'A' && h[j] <= 'Z')
                abort();
        if (*next != '\0') {
            size_t m = strcspn(next, ";");
            int c = memcmp(h, next, n < m ? n : m);
            if (c > 0 || (c == 0 && n >= m))
                abort();
        }
        h = next;
    }
}

/* Signs REQ for SERVICE twice and checks the canonical request and that
 * both signings agree. */
static void check_signing(aws_request_t *req, const char *service)
{
    static const aws_credentials_t creds = { "AKIDEXAMPLE",
                                             "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "", 0 };
    aws_sigv4_options_t opts;
    aws_sigv4_trace_t t1 = AWS_SIGV4_TRACE_INIT, t2 = AWS_SIGV4_TRACE_INIT;
    aws_buf_t creq = AWS_BUF_INIT, sh = AWS_BUF_INIT;
    char err[256];

    req->service = service;
    aws_sigv4_options_for_service(service, &opts);
    if (aws_sigv4_sign_ex(req, &creds, 1440938160, &opts, &t1, err, sizeof(err)) != 0)
        abort();
    if (aws_sigv4_sign_ex(req, &creds, 1440938160, &opts, &t2, err, sizeof(err)) != 0)
        abort();
    if (strcmp(t1.signature, t2.signature) != 0 || strlen(t1.signature) != 64
        || t1.canonical_request.len != t2.canonical_request.len
        || memcmp(t1.canonical_request.data, t2.canonical_request.data, t1.canonical_request.len)
               != 0
        || t1.string_to_sign.len != t2.string_to_sign.len
        || memcmp(t1.string_to_sign.data, t2.string_to_sign.data, t1.string_to_sign.len) != 0)
        abort();

    if (aws_sigv4_canonical_request(req, &opts, &creq, &sh, err, sizeof(err)) != 0
        || aws_buf_puts(&creq, "") != 0 || aws_buf_puts(&sh, "") != 0)
        abort();
    if (creq.len != t1.canonical_request.len
        || memcmp(creq.data, t1.canonical_request.data, creq.len) != 0)
        abort();
    check_canonical_request(req, creq.data, sh.data);

    aws_buf_free(&creq);
    aws_buf_free(&sh);
    aws_sigv4_trace_free(&t1);
    aws_sigv4_trace_free(&t2);
}

/* Returns a NUL-terminated heap copy of s[0..len), or aborts. */
static char *dup_field(const uint8_t *s, size_t len)
{
    char *r = malloc(len + 1);

    if (r == NULL)
        abort();
    memcpy(r, s, len);
    r[len] = '\0';
    return r;
}

/* Builds a request from FIELDS (method, path, query, headers) and checks
 * it for both services. */
static void check_request(char **fields, size_t nfields)
{
    aws_request_t req;
    aws_buf_t path = AWS_BUF_INIT;
    char err[256];
    size_t i;

    if (fields[1][0] != '/' && aws_buf_puts(&path, "/") != 0)
        abort();
    if (aws_buf_puts(&path, fields[1]) != 0)
        abort();
    if (aws_request_init(&req, fields[0], "https://example.amazonaws.com", path.data, "s3",
                         "us-east-1", err, sizeof(err))
        != 0) {
        aws_buf_free(&path);
        return; /* an invalid method is refused: nothing more to check */
    }
    if (aws_request_set_query(&req, fields[2]) != 0)
        abort();
    for (i = 3; i < nfields; i++) {
        char *colon = strchr(fields[i], ':');
        if (colon == NULL || colon == fields[i]
            || strcspn(fields[i], "; \t") < (size_t) (colon - fields[i]))
            continue; /* header names are tokens in every caller */
        *colon = '\0';
        if (aws_request_set_header(&req, fields[i], colon + 1) != 0)
            abort();
    }
    if (aws_request_set_body(&req, "", 0) != 0)
        abort();

    check_signing(&req, "s3");
    check_signing(&req, "sqs");
    aws_request_free(&req);
    aws_buf_free(&path);
}

/* The libFuzzer entry: splits data on '\n' into the request fields,
 * checks encoding and normalisation of the path and query and the
 * signing of the request.  Aborts on a contract breach; returns 0. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *fields[3 + MAX_HEADERS];
    size_t nfields = 0, start = 0, i;

    for (i = 0; i <= size && nfields < 3 + MAX_HEADERS; i++) {
        if (i == size || data[i] == '\n') {
            fields[nfields++] = dup_field(data + start, i - start);
            start = i + 1;
        }
    }
    while (nfields < 3)
        fields[nfields++] = dup_field(data, 0);

    check_encode((const char *) data, size);
    check_normalize(fields[1]);
    check_request(fields, nfields);

    for (i = 0; i < nfields; i++)
        free(fields[i]);
    return 0;
}
