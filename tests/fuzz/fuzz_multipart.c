/*
 * fuzz_multipart — libFuzzer target for the multipart parser, the upload
 * form collector and the boundary extractor.
 *
 * Input: the first byte picks a chunk size (0 = the whole body at once,
 * else 1..255 bytes), the rest is a multipart body with the boundary
 * FUZZ_BOUNDARY.  The same bytes are also given to the boundary
 * extractor as a Content-Type value.
 *
 * Beyond "no crash, no sanitizer report", it checks invariants and
 * aborts when one breaks:
 *  - every data callback hands over exactly body[offset .. offset+len),
 *    offsets of one part follow each other, parts begin and end in turn;
 *  - a chunked parse reports the same parts, data and outcome as a
 *    parse of the whole body;
 *  - the collector's file offset/length/SHA-256 match the body bytes;
 *  - an extracted boundary is 1..70 bytes and accepted by the parser.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "multipart.h"
#include "upload_form.h"

#define FUZZ_BOUNDARY "fuzzB"

typedef struct {
    const u_char *body;
    size_t len;
    int in_part;
    unsigned parts;
    uint64_t next;  /* offset where the part's next data must start */
    EVP_MD_CTX *md; /* digest of every part's data, in order */
    uint64_t total; /* data bytes seen */
} fz_rec_t;

static int fz_begin(void *ctx, const ing_mp_part_t *part, char *err, size_t errlen)
{
    fz_rec_t *r = ctx;
    unsigned char sep = 0xff;

    (void) err;
    (void) errlen;
    if (r->in_part || part->name == NULL || part->content_type == NULL
        || part->data_offset > r->len) {
        abort();
    }
    r->in_part = 1;
    r->parts++;
    r->next = part->data_offset;
    EVP_DigestUpdate(r->md, &sep, 1);
    EVP_DigestUpdate(r->md, part->name, strlen(part->name) + 1);
    if (part->filename != NULL) {
        EVP_DigestUpdate(r->md, part->filename, strlen(part->filename) + 1);
    }
    EVP_DigestUpdate(r->md, part->content_type, strlen(part->content_type) + 1);
    EVP_DigestUpdate(r->md, &part->data_offset, sizeof(part->data_offset));
    return 0;
}

static int fz_data(void *ctx, const u_char *data, size_t len, uint64_t offset, char *err,
                   size_t errlen)
{
    fz_rec_t *r = ctx;

    (void) err;
    (void) errlen;
    if (!r->in_part || len == 0 || offset != r->next || offset + len > r->len
        || memcmp(data, r->body + offset, len) != 0) {
        abort();
    }
    r->next += len;
    r->total += len;
    EVP_DigestUpdate(r->md, data, len);
    return 0;
}

static int fz_end(void *ctx, char *err, size_t errlen)
{
    fz_rec_t *r = ctx;

    (void) err;
    (void) errlen;
    if (!r->in_part) {
        abort();
    }
    r->in_part = 0;
    return 0;
}

static const ing_mp_callbacks_t fz_cb = { fz_begin, fz_data, fz_end };

typedef struct {
    int rc;
    char err[ING_MP_ERR_MAX];
    unsigned parts;
    uint64_t total;
    unsigned char digest[32];
} fz_result_t;

/* Parses body in chunks of `chunk` bytes (0: whole), each chunk copied to
 * its own heap block; records the outcome in res. */
static void fz_parse(const u_char *body, size_t len, size_t chunk, fz_result_t *res)
{
    static ing_multipart_t p;
    fz_rec_t r;
    char err[ING_MP_ERR_MAX];
    size_t at, n;
    u_char *copy;
    unsigned int dlen;

    memset(&r, 0, sizeof(r));
    r.body = body;
    r.len = len;
    r.md = EVP_MD_CTX_new();
    if (r.md == NULL || EVP_DigestInit_ex(r.md, EVP_sha256(), NULL) != 1
        || ing_multipart_init(&p, FUZZ_BOUNDARY, &fz_cb, &r, err, sizeof(err)) != 0) {
        abort();
    }
    res->rc = 0;
    for (at = 0; at < len && res->rc == 0; at += n) {
        n = chunk == 0 || len - at < chunk ? len - at : chunk;
        copy = malloc(n);
        memcpy(copy, body + at, n);
        res->rc = ing_multipart_feed(&p, copy, n);
        free(copy);
    }
    if (res->rc == 0) {
        res->rc = ing_multipart_finish(&p);
    }
    if (res->rc == 0 && r.in_part) {
        abort(); /* a finished parse has closed its last part */
    }
    snprintf(res->err, sizeof(res->err), "%s", ing_multipart_error(&p));
    res->parts = r.parts;
    res->total = r.total;
    EVP_DigestFinal_ex(r.md, res->digest, &dlen);
    EVP_MD_CTX_free(r.md);
}

/* Runs the upload form collector and checks its file lies in the body
 * (the parser's own run checks that part data is contiguous). */
static void fz_form(const u_char *body, size_t len, size_t chunk)
{
    static ing_upload_form_t f;
    char err[ING_MP_ERR_MAX];
    size_t at, n;
    int rc = 0;

    if (ing_upload_form_init(&f, FUZZ_BOUNDARY, err, sizeof(err)) != 0) {
        abort();
    }
    for (at = 0; at < len && rc == 0; at += n) {
        n = chunk == 0 || len - at < chunk ? len - at : chunk;
        rc = ing_upload_form_feed(&f, body + at, n);
    }
    if (rc == 0 && ing_upload_form_finish(&f) == 0) {
        if (f.data_offset > len || f.data_len > len - f.data_offset || f.file_field == NULL
            || f.filename == NULL || f.content_type == NULL || f.nfields > ING_FORM_FIELDS_MAX) {
            abort();
        }
        for (n = 0; n < f.nfields; n++) {
            if (f.fields[n].value_len > ING_FORM_FIELD_MAX) {
                abort();
            }
        }
    }
    ing_upload_form_free(&f);
}

/* Feeds the bytes to the boundary extractor as a Content-Type value and
 * checks what it returns. */
static void fz_boundary(const u_char *ct, size_t len)
{
    static ing_multipart_t p;
    char out[ING_MP_BOUNDARY_MAX + 1], err[ING_MP_ERR_MAX];
    size_t blen;

    if (ing_multipart_boundary((const char *) ct, len, out, sizeof(out), err, sizeof(err)) != 0) {
        if (err[0] == '\0') {
            abort();
        }
        return;
    }
    blen = strlen(out);
    if (blen == 0 || blen > ING_MP_BOUNDARY_MAX
        || ing_multipart_init(&p, out, &fz_cb, NULL, err, sizeof(err)) != 0) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_result_t whole, chunked;
    size_t chunk;

    if (size == 0) {
        return 0;
    }
    chunk = data[0];
    data++;
    size--;

    fz_boundary(data, size);

    fz_parse(data, size, 0, &whole);
    fz_parse(data, size, chunk, &chunked);
    if (whole.rc != chunked.rc || strcmp(whole.err, chunked.err) != 0
        || whole.parts != chunked.parts || whole.total != chunked.total
        || memcmp(whole.digest, chunked.digest, sizeof(whole.digest)) != 0) {
        abort();
    }
    fz_form(data, size, chunk);
    return 0;
}
