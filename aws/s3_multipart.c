/* S3 multipart upload: CreateMultipartUpload, UploadPart,
 * CompleteMultipartUpload, AbortMultipartUpload. */
#include "s3.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws_call.h"
#include "aws_xml.h"
#include "aws_xml_response.h"
#include "s3_request.h"

#define AWS_S3_MAX_PARTS 10000

/* Builds req for METHOD with a query holding uploadId (and partNumber
 * when part > 0, or just "uploads" when upload_id is NULL). */
static int aws_s3_multipart_init(const aws_client_t *c, aws_request_t *req, const char *method,
                                 const char *bucket, const char *key, const char *upload_id,
                                 int part, aws_error_t *err)
{
    aws_buf_t query = AWS_BUF_INIT;
    char num[16];
    int rc = -1;

    if (key == NULL || key[0] == '\0') {
        aws_error_set(err, AWS_ERR_CONFIG, "S3 multipart upload needs a key");
        return -1;
    }
    if (upload_id == NULL) {
        if (aws_buf_puts(&query, "uploads") != 0) {
            aws_error_set(err, AWS_ERR_NOMEM, "out of memory building an S3 query");
            goto done;
        }
    } else {
        if (upload_id[0] == '\0') {
            aws_error_set(err, AWS_ERR_CONFIG, "S3 multipart upload needs an upload id");
            goto done;
        }
        snprintf(num, sizeof(num), "%d", part);
        if ((part > 0 && aws_s3_query_add(&query, "partNumber", num, err) != 0)
            || aws_s3_query_add(&query, "uploadId", upload_id, err) != 0) {
            goto done;
        }
    }
    rc = aws_s3_request_init(c, req, method, bucket, key, query.data, err);
done:
    aws_buf_free(&query);
    return rc;
}

int aws_s3_create_multipart_request(aws_client_t *c, const char *bucket, const char *key,
                                    const aws_s3_put_opts_t *opts, aws_request_t *req,
                                    aws_error_t *err)
{
    if (aws_s3_multipart_init(c, req, "POST", bucket, key, NULL, 0, err) != 0) {
        return -1;
    }
    if (aws_s3_add_object_headers(req, opts, err) != 0) {
        aws_request_free(req);
        return -1;
    }
    return aws_s3_sign(c, req, err);
}

int aws_s3_create_multipart_parse(const aws_response_t *resp, char *upload_id, size_t len,
                                  aws_error_t *err)
{
    if (!aws_response_ok(resp)) {
        return aws_s3_error_parse(resp, err);
    }
    if (aws_xml_result_field(resp->body.data, resp->body.len,
                             "InitiateMultipartUploadResult/UploadId", upload_id, len,
                             "CreateMultipartUpload", err)
        != 0) {
        err->http_status = resp->status;
        aws_error_set_request_id(err, resp->request_id);
        return -1;
    }
    return 0;
}

int aws_s3_upload_part_request(aws_client_t *c, const char *bucket, const char *key,
                               const char *upload_id, int part_number, int fd, off_t offset,
                               size_t len, aws_request_t *req, aws_error_t *err)
{
    if (part_number < 1 || part_number > AWS_S3_MAX_PARTS) {
        aws_error_set(err, AWS_ERR_CONFIG, "S3 part number %d is outside 1..%d", part_number,
                      AWS_S3_MAX_PARTS);
        return -1;
    }
    if (aws_s3_multipart_init(c, req, "PUT", bucket, key, upload_id, part_number, err) != 0) {
        return -1;
    }
    if (aws_s3_set_fd_body(req, fd, offset, len, err) != 0) {
        aws_request_free(req);
        return -1;
    }
    return aws_s3_sign(c, req, err);
}

/* Appends s to b with XML's special characters escaped.  0 or -1. */
static int aws_s3_xml_escape(aws_buf_t *b, const char *s)
{
    for (; *s; s++) {
        int rc;
        switch (*s) {
        case '&': rc = aws_buf_puts(b, "&amp;"); break;
        case '<': rc = aws_buf_puts(b, "&lt;"); break;
        case '>': rc = aws_buf_puts(b, "&gt;"); break;
        case '"': rc = aws_buf_puts(b, "&quot;"); break;
        default: rc = aws_buf_append(b, s, 1); break;
        }
        if (rc != 0) {
            return -1;
        }
    }
    return 0;
}

int aws_s3_complete_multipart_request(aws_client_t *c, const char *bucket, const char *key,
                                      const char *upload_id, const aws_s3_part_t *parts,
                                      size_t nparts, int if_none_match, aws_request_t *req,
                                      aws_buf_t *body, aws_error_t *err)
{
    size_t i;
    int ok;

    if (nparts < 1 || nparts > AWS_S3_MAX_PARTS) {
        aws_error_set(err, AWS_ERR_CONFIG, "CompleteMultipartUpload needs 1..%d parts, not %zu",
                      AWS_S3_MAX_PARTS, nparts);
        return -1;
    }
    for (i = 0; i < nparts; i++) {
        if (parts[i].number < 1 || (i > 0 && parts[i].number <= parts[i - 1].number)
            || parts[i].etag[0] == '\0') {
            aws_error_set(err, AWS_ERR_CONFIG,
                          "CompleteMultipartUpload: part %zu needs an ETag and an ascending number",
                          i + 1);
            return -1;
        }
    }
    aws_buf_reset(body);
    ok = aws_buf_puts(body,
                      "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">")
         == 0;
    for (i = 0; ok && i < nparts; i++) {
        ok = aws_buf_printf(body, "<Part><PartNumber>%d</PartNumber><ETag>", parts[i].number) == 0
             && aws_s3_xml_escape(body, parts[i].etag) == 0
             && aws_buf_puts(body, "</ETag></Part>") == 0;
    }
    if (!ok || aws_buf_puts(body, "</CompleteMultipartUpload>") != 0) {
        aws_error_set(err, AWS_ERR_NOMEM, "out of memory building CompleteMultipartUpload");
        return -1;
    }
    if (aws_s3_multipart_init(c, req, "POST", bucket, key, upload_id, 0, err) != 0) {
        return -1;
    }
    if (aws_request_set_header(req, "Content-Type", "application/xml") != 0
        || (if_none_match && aws_request_set_header(req, "If-None-Match", "*") != 0)
        || aws_request_set_body(req, body->data, body->len) != 0) {
        aws_request_free(req);
        aws_error_set(err, AWS_ERR_NOMEM, "out of memory building CompleteMultipartUpload");
        return -1;
    }
    return aws_s3_sign(c, req, err);
}

int aws_s3_complete_multipart_parse(const aws_response_t *resp, char *etag, size_t len,
                                    aws_error_t *err)
{
    char code[64], message[512], request_id[128], tag[128], msg[128];
    aws_xml_field_t f[] = {
        { "Error/Code", code, sizeof(code), 0, 0 },
        { "Error/Message", message, sizeof(message), 0, 0 },
        { "Error/RequestId", request_id, sizeof(request_id), 0, 0 },
        { "CompleteMultipartUploadResult/ETag", tag, sizeof(tag), 0, 0 },
    };

    if (!aws_response_ok(resp)) {
        return aws_s3_error_parse(resp, err);
    }
    if (aws_xml_extract(resp->body.data ? resp->body.data : "", resp->body.len, f, 4, msg,
                        sizeof(msg))
        != 0) {
        aws_error_set(err, AWS_ERR_PARSE, "CompleteMultipartUpload response: %s", msg);
    } else if (f[0].found) {
        /* S3 reports some failures as 200 with an <Error> body */
        aws_error_set_service(err, resp->status, code, message, request_id);
    } else if (!f[3].found) {
        aws_error_set(err, AWS_ERR_PARSE, "CompleteMultipartUpload response has no ETag");
    } else {
        if (etag != NULL && len > 0) {
            snprintf(etag, len, "%s", tag);
        }
        aws_error_clear(err);
        return 0;
    }
    err->http_status = resp->status;
    aws_error_set_request_id(err, resp->request_id);
    return -1;
}

int aws_s3_abort_multipart_request(aws_client_t *c, const char *bucket, const char *key,
                                   const char *upload_id, aws_request_t *req, aws_error_t *err)
{
    if (aws_s3_multipart_init(c, req, "DELETE", bucket, key, upload_id, 0, err) != 0) {
        return -1;
    }
    return aws_s3_sign(c, req, err);
}

/* ---- the blocking upload ------------------------------------------------------ */

typedef enum {
    AWS_S3_MP_CREATE,
    AWS_S3_MP_PART,
    AWS_S3_MP_COMPLETE,
    AWS_S3_MP_ABORT
} aws_s3_mp_step_t;

/* State of one blocking multipart upload; `step` selects what the aws_call
 * callbacks build and parse. */
typedef struct {
    aws_s3_mp_step_t step;
    const char *bucket;
    const char *key;
    const aws_s3_put_opts_t *opts;
    int fd;
    off_t offset; /* of the current part in fd */
    size_t len;   /* of the current part */
    char upload_id[1024];
    aws_s3_part_t *parts;
    size_t nparts;  /* parts uploaded so far */
    aws_buf_t body; /* CompleteMultipartUpload XML */
    char etag[128]; /* of the finished object */
} aws_s3_mp_t;

/* aws_call build callback for the current step. */
static int aws_s3_mp_build(aws_client_t *c, void *ctx, aws_request_t *req, aws_error_t *err)
{
    aws_s3_mp_t *mp = ctx;

    switch (mp->step) {
    case AWS_S3_MP_CREATE:
        return aws_s3_create_multipart_request(c, mp->bucket, mp->key, mp->opts, req, err);
    case AWS_S3_MP_PART:
        return aws_s3_upload_part_request(c, mp->bucket, mp->key, mp->upload_id,
                                          (int) mp->nparts + 1, mp->fd, mp->offset, mp->len, req,
                                          err);
    case AWS_S3_MP_COMPLETE:
        return aws_s3_complete_multipart_request(
            c, mp->bucket, mp->key, mp->upload_id, mp->parts, mp->nparts,
            mp->opts != NULL && mp->opts->if_none_match, req, &mp->body, err);
    default: return aws_s3_abort_multipart_request(c, mp->bucket, mp->key, mp->upload_id, req, err);
    }
}

/* aws_call parse callback for the current step. */
static int aws_s3_mp_parse(void *ctx, const aws_response_t *resp, aws_error_t *err)
{
    aws_s3_mp_t *mp = ctx;

    switch (mp->step) {
    case AWS_S3_MP_CREATE:
        return aws_s3_create_multipart_parse(resp, mp->upload_id, sizeof(mp->upload_id), err);
    case AWS_S3_MP_PART:
        if (aws_s3_put_parse(resp, mp->parts[mp->nparts].etag, sizeof(mp->parts[mp->nparts].etag),
                             err)
            != 0) {
            return -1;
        }
        if (mp->parts[mp->nparts].etag[0] == '\0') {
            aws_error_set(err, AWS_ERR_PARSE, "UploadPart response has no ETag");
            return -1;
        }
        return 0;
    case AWS_S3_MP_COMPLETE:
        return aws_s3_complete_multipart_parse(resp, mp->etag, sizeof(mp->etag), err);
    default: return aws_s3_parse(resp, err);
    }
}

/* Runs the current step with retries. */
static int aws_s3_mp_step(aws_client_t *c, aws_s3_mp_t *mp, aws_s3_mp_step_t step, aws_error_t *err)
{
    aws_response_t resp;
    int rc;

    mp->step = step;
    aws_response_init(&resp);
    resp.max_body = AWS_HTTP_MAX_ERROR_BODY;
    rc = aws_call(c, "s3", aws_s3_mp_build, aws_s3_mp_parse, mp, &resp, NULL, err);
    aws_response_free(&resp);
    return rc;
}

/* Returns the part size for an upload of size bytes: the client's, grown
 * in whole MiB when more than 10000 parts would be needed. */
static size_t aws_s3_mp_part_size(const aws_client_t *c, size_t size)
{
    size_t part = aws_client_s3_part_size(c);
    size_t mib = 1024 * 1024;

    if (size / part >= AWS_S3_MAX_PARTS) {
        part = (size / AWS_S3_MAX_PARTS + mib) / mib * mib;
    }
    return part;
}

int aws_s3_multipart_upload(aws_client_t *c, const char *bucket, const char *key, int fd,
                            off_t offset, size_t size, const aws_s3_put_opts_t *opts, char *etag,
                            size_t etag_len, aws_error_t *err)
{
    aws_s3_mp_t mp;
    aws_error_t ignored;
    size_t part = aws_s3_mp_part_size(c, size), done = 0, count;
    int rc = -1;

    if (size == 0) {
        aws_error_set(err, AWS_ERR_CONFIG, "a multipart upload needs at least one byte");
        return -1;
    }
    memset(&mp, 0, sizeof(mp));
    mp.bucket = bucket;
    mp.key = key;
    mp.opts = opts;
    mp.fd = fd;
    count = (size + part - 1) / part;
    mp.parts = calloc(count, sizeof(*mp.parts));
    if (mp.parts == NULL) {
        aws_error_set(err, AWS_ERR_NOMEM, "out of memory for %zu upload parts", count);
        return -1;
    }
    if (aws_s3_mp_step(c, &mp, AWS_S3_MP_CREATE, err) != 0) {
        goto done;
    }
    while (done < size) {
        mp.offset = offset + (off_t) done;
        mp.len = size - done < part ? size - done : part;
        mp.parts[mp.nparts].number = (int) mp.nparts + 1;
        if (aws_s3_mp_step(c, &mp, AWS_S3_MP_PART, err) != 0) {
            goto abort;
        }
        mp.nparts++;
        done += mp.len;
    }
    if (aws_s3_mp_step(c, &mp, AWS_S3_MP_COMPLETE, err) != 0) {
        goto abort;
    }
    if (etag != NULL && etag_len > 0) {
        snprintf(etag, etag_len, "%s", mp.etag);
    }
    rc = 0;
    goto done;
abort:
    /* best effort: the first error is the one to report */
    aws_s3_mp_step(c, &mp, AWS_S3_MP_ABORT, &ignored);
done:
    aws_buf_free(&mp.body);
    free(mp.parts);
    return rc;
}
