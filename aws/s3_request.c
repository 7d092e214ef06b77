#include "s3_request.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "sigv4.h"
#include "uri.h"

/* Bytes read per pread() while hashing a streamed body. */
#define AWS_S3_HASH_CHUNK (256 * 1024)

int aws_s3_request_init(const aws_client_t *c, aws_request_t *req, const char *method,
                        const char *bucket, const char *key, const char *query, aws_error_t *err)
{
    aws_buf_t path = AWS_BUF_INIT, endpoint = AWS_BUF_INIT;
    const char *base, *sep;
    int virtual_hosted, rc = -1;

    if (bucket == NULL || bucket[0] == '\0' || strchr(bucket, '/') != NULL) {
        aws_error_set(err, AWS_ERR_CONFIG, "invalid S3 bucket name \"%s\"", bucket ? bucket : "");
        return -1;
    }
    base = aws_client_endpoint(c, "s3");
    virtual_hosted = aws_client_s3_virtual_hosted(c, bucket);
    if (base == NULL) {
        aws_error_set(err, AWS_ERR_NOMEM, "out of memory resolving the S3 endpoint");
        return -1;
    }
    if (virtual_hosted) {
        sep = strstr(base, "://") + 3;
        if (aws_buf_printf(&endpoint, "%.*s%s.%s", (int) (sep - base), base, bucket, sep) != 0
            || aws_buf_puts(&path, "/") != 0) {
            goto nomem;
        }
    } else if (aws_buf_puts(&endpoint, base) != 0 || aws_buf_puts(&path, "/") != 0
               || aws_uri_encode_path(&path, bucket) != 0
               || (key != NULL && key[0] != '\0' && aws_buf_puts(&path, "/") != 0)) {
        goto nomem;
    }
    if (key != NULL && aws_uri_encode_path(&path, key) != 0) {
        goto nomem;
    }
    if (aws_client_request_init(c, req, method, "s3", endpoint.data, path.data, err) != 0) {
        goto done;
    }
    if (query != NULL && query[0] != '\0' && aws_request_set_query(req, query) != 0) {
        aws_request_free(req);
        goto nomem;
    }
    rc = 0;
    goto done;
nomem:
    aws_error_set(err, AWS_ERR_NOMEM, "out of memory building an S3 request");
done:
    aws_buf_free(&path);
    aws_buf_free(&endpoint);
    return rc;
}

int aws_s3_set_fd_body(aws_request_t *req, int fd, off_t offset, size_t len, aws_error_t *err)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char md[EVP_MAX_MD_SIZE];
    EVP_MD_CTX *sha = NULL;
    unsigned int mdlen = 0, i;
    char *chunk = NULL;
    size_t done = 0;
    ssize_t n;

    req->body = NULL;
    req->body_fd = fd;
    req->body_offset = offset;
    req->body_len = len;
    if (strcmp(req->scheme, "https") == 0) {
        snprintf(req->payload_hash, sizeof(req->payload_hash), "%s", AWS_SIGV4_UNSIGNED_PAYLOAD);
        return 0;
    }
    sha = EVP_MD_CTX_new();
    chunk = malloc(AWS_S3_HASH_CHUNK);
    if (sha == NULL || chunk == NULL || EVP_DigestInit_ex(sha, EVP_sha256(), NULL) != 1) {
        aws_error_set(err, AWS_ERR_NOMEM, "cannot hash the S3 upload (out of memory)");
        goto fail;
    }
    while (done < len) {
        size_t want = len - done < AWS_S3_HASH_CHUNK ? len - done : AWS_S3_HASH_CHUNK;
        n = pread(fd, chunk, want, offset + (off_t) done);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            aws_error_set(err, AWS_ERR_IO, "reading the upload at offset %lld: %s",
                          (long long) (offset + (off_t) done),
                          n < 0 ? strerror(errno) : "file shorter than the upload size");
            goto fail;
        }
        EVP_DigestUpdate(sha, chunk, (size_t) n);
        done += (size_t) n;
    }
    if (EVP_DigestFinal_ex(sha, md, &mdlen) != 1) {
        aws_error_set(err, AWS_ERR_NOMEM, "cannot hash the S3 upload");
        goto fail;
    }
    for (i = 0; i < mdlen; i++) {
        req->payload_hash[2 * i] = hex[md[i] >> 4];
        req->payload_hash[2 * i + 1] = hex[md[i] & 15];
    }
    req->payload_hash[2 * mdlen] = '\0';
    EVP_MD_CTX_free(sha);
    free(chunk);
    return 0;
fail:
    EVP_MD_CTX_free(sha);
    free(chunk);
    return -1;
}

/* Returns 1 when s is printable ASCII (header-safe), 0 otherwise. */
static int aws_s3_header_safe(const char *s)
{
    for (; *s; s++) {
        if ((unsigned char) *s < 0x20 || (unsigned char) *s > 0x7e) {
            return 0;
        }
    }
    return 1;
}

int aws_s3_add_object_headers(aws_request_t *req, const aws_s3_put_opts_t *opts, aws_error_t *err)
{
    static const char token[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                                "!#$%&'*+-.^_`|~";
    aws_buf_t name = AWS_BUF_INIT;
    size_t i;
    int ok = 1;

    if (opts == NULL) {
        return 0;
    }
    if (opts->content_type != NULL && !aws_s3_header_safe(opts->content_type)) {
        aws_error_set(err, AWS_ERR_CONFIG, "content type has control or non-ASCII characters");
        return -1;
    }
    for (i = 0; i < opts->nmeta; i++) {
        const char *n = opts->meta[i].name, *v = opts->meta[i].value;
        if (n == NULL || n[0] == '\0' || strspn(n, token) != strlen(n) || v == NULL
            || !aws_s3_header_safe(v)) {
            aws_error_set(
                err, AWS_ERR_CONFIG,
                "metadata %zu: the name must be a header token and the value printable ASCII",
                i + 1);
            return -1;
        }
    }
    if (opts->content_type != NULL) {
        ok = aws_request_set_header(req, "Content-Type", opts->content_type) == 0;
    }
    for (i = 0; ok && i < opts->nmeta; i++) {
        aws_buf_reset(&name);
        ok = aws_buf_printf(&name, "x-amz-meta-%s", opts->meta[i].name) == 0
             && aws_request_set_header(req, name.data, opts->meta[i].value) == 0;
    }
    aws_buf_free(&name);
    if (ok && opts->sse == AWS_S3_SSE_AES256) {
        ok = aws_request_set_header(req, "x-amz-server-side-encryption", "AES256") == 0;
    } else if (ok && opts->sse == AWS_S3_SSE_KMS) {
        ok = aws_request_set_header(req, "x-amz-server-side-encryption", "aws:kms") == 0
             && (opts->kms_key_id == NULL
                 || aws_request_set_header(req, "x-amz-server-side-encryption-aws-kms-key-id",
                                           opts->kms_key_id)
                        == 0);
    }
    if (!ok) {
        aws_error_set(err, AWS_ERR_NOMEM, "out of memory adding S3 object headers");
        return -1;
    }
    return 0;
}

int aws_s3_sign(aws_client_t *c, aws_request_t *req, aws_error_t *err)
{
    if (aws_client_sign(c, req, err) != 0) {
        aws_request_free(req);
        return -1;
    }
    return 0;
}

int aws_s3_query_add(aws_buf_t *query, const char *name, const char *value, aws_error_t *err)
{
    if (aws_uri_form_add(query, name, value) != 0) {
        aws_error_set(err, AWS_ERR_NOMEM, "out of memory building an S3 query");
        return -1;
    }
    return 0;
}
