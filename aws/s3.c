/* S3 single-request object operations: PutObject, GetObject,
 * HeadObject, DeleteObject, and S3 error parsing. */
#include "s3.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aws_call.h"
#include "aws_xml_response.h"
#include "s3_request.h"

/* ---- errors and object info ---------------------------------------------- */

int aws_s3_error_parse(const aws_response_t *resp, aws_error_t *err)
{
    return aws_xml_error_parse(resp, "Error", "Error/RequestId", err);
}

int aws_s3_error_is_not_found(const aws_error_t *err)
{
    return err->kind == AWS_ERR_HTTP
           && (err->http_status == 404 || aws_error_is(err, "NoSuchKey")
               || aws_error_is(err, "NotFound") || aws_error_is(err, "NoSuchBucket"));
}

int aws_s3_error_is_precondition_failed(const aws_error_t *err)
{
    return err->kind == AWS_ERR_HTTP
           && (err->http_status == 412 || aws_error_is(err, "PreconditionFailed"));
}

void aws_s3_object_info_from_response(aws_response_t *resp, aws_s3_object_info_t *info)
{
    info->size = resp->content_length;
    snprintf(info->etag, sizeof(info->etag), "%s", resp->etag);
    snprintf(info->content_type, sizeof(info->content_type), "%s", resp->content_type);
    snprintf(info->last_modified, sizeof(info->last_modified), "%s", resp->last_modified);
    info->meta = resp->meta;
    info->nmeta = resp->nmeta;
    resp->meta = NULL;
    resp->nmeta = resp->cap_meta = 0;
}

void aws_s3_object_info_free(aws_s3_object_info_t *info)
{
    size_t i;

    for (i = 0; i < info->nmeta; i++) {
        free(info->meta[i].name);
        free(info->meta[i].value);
    }
    free(info->meta);
    info->meta = NULL;
    info->nmeta = 0;
}

const char *aws_s3_object_meta(const aws_s3_object_info_t *info, const char *name)
{
    size_t i;

    for (i = 0; i < info->nmeta; i++) {
        if (strcasecmp(info->meta[i].name, name) == 0) {
            return info->meta[i].value;
        }
    }
    return NULL;
}

int aws_s3_parse(const aws_response_t *resp, aws_error_t *err)
{
    if (!aws_response_ok(resp)) {
        return aws_s3_error_parse(resp, err);
    }
    aws_error_clear(err);
    return 0;
}

/* ---- request builders ------------------------------------------------------ */

/* Starts a PutObject of bucket/key with the object headers of opts.
 * Returns 0, or -1 with err set; req then needs no aws_request_free. */
static int aws_s3_put_init(aws_client_t *c, const char *bucket, const char *key,
                           const aws_s3_put_opts_t *opts, aws_request_t *req, aws_error_t *err)
{
    if (key == NULL || key[0] == '\0') {
        aws_error_set(err, AWS_ERR_CONFIG, "S3 PutObject needs a key");
        return -1;
    }
    if (aws_s3_request_init(c, req, "PUT", bucket, key, NULL, err) != 0) {
        return -1;
    }
    if (aws_s3_add_object_headers(req, opts, err) != 0) {
        aws_request_free(req);
        return -1;
    }
    if (opts != NULL && opts->if_none_match
        && aws_request_set_header(req, "If-None-Match", "*") != 0) {
        aws_request_free(req);
        aws_error_set(err, AWS_ERR_NOMEM, "out of memory building PutObject");
        return -1;
    }
    return 0;
}

int aws_s3_put_request(aws_client_t *c, const char *bucket, const char *key, const void *data,
                       size_t len, const aws_s3_put_opts_t *opts, aws_request_t *req,
                       aws_error_t *err)
{
    if (aws_s3_put_init(c, bucket, key, opts, req, err) != 0) {
        return -1;
    }
    if (aws_request_set_body(req, len ? data : "", len) != 0) {
        aws_request_free(req);
        aws_error_set(err, AWS_ERR_NOMEM, "cannot hash the S3 upload");
        return -1;
    }
    return aws_s3_sign(c, req, err);
}

int aws_s3_put_fd_request(aws_client_t *c, const char *bucket, const char *key, int fd,
                          off_t offset, size_t len, const aws_s3_put_opts_t *opts,
                          aws_request_t *req, aws_error_t *err)
{
    if (aws_s3_put_init(c, bucket, key, opts, req, err) != 0) {
        return -1;
    }
    if (aws_s3_set_fd_body(req, fd, offset, len, err) != 0) {
        aws_request_free(req);
        return -1;
    }
    return aws_s3_sign(c, req, err);
}

/* Builds and signs a bodiless METHOD on bucket/key. */
static int aws_s3_simple_request(aws_client_t *c, const char *method, const char *bucket,
                                 const char *key, aws_request_t *req, aws_error_t *err)
{
    if (key == NULL || key[0] == '\0') {
        aws_error_set(err, AWS_ERR_CONFIG, "S3 %s needs a key", method);
        return -1;
    }
    if (aws_s3_request_init(c, req, method, bucket, key, NULL, err) != 0) {
        return -1;
    }
    return aws_s3_sign(c, req, err);
}

int aws_s3_get_request(aws_client_t *c, const char *bucket, const char *key, aws_request_t *req,
                       aws_error_t *err)
{
    return aws_s3_simple_request(c, "GET", bucket, key, req, err);
}

int aws_s3_head_request(aws_client_t *c, const char *bucket, const char *key, aws_request_t *req,
                        aws_error_t *err)
{
    return aws_s3_simple_request(c, "HEAD", bucket, key, req, err);
}

int aws_s3_delete_request(aws_client_t *c, const char *bucket, const char *key, aws_request_t *req,
                          aws_error_t *err)
{
    return aws_s3_simple_request(c, "DELETE", bucket, key, req, err);
}

int aws_s3_put_parse(const aws_response_t *resp, char *etag, size_t len, aws_error_t *err)
{
    if (!aws_response_ok(resp)) {
        return aws_s3_error_parse(resp, err);
    }
    if (etag != NULL && len > 0) {
        snprintf(etag, len, "%s", resp->etag);
    }
    aws_error_clear(err);
    return 0;
}

/* ---- blocking calls -------------------------------------------------------- */

/* One blocking object operation: what to send and where results go. */
typedef struct {
    const char *method;
    const char *bucket;
    const char *key;
    const void *data; /* PUT from memory */
    int fd;           /* PUT from a file when >= 0 */
    off_t offset;
    size_t len;
    const aws_s3_put_opts_t *opts;
    char *etag;
    size_t etag_len;
} aws_s3_op_t;

/* aws_call build callback for every operation of aws_s3_op_t. */
static int aws_s3_op_build(aws_client_t *c, void *ctx, aws_request_t *req, aws_error_t *err)
{
    aws_s3_op_t *op = ctx;

    if (strcmp(op->method, "PUT") != 0) {
        return aws_s3_simple_request(c, op->method, op->bucket, op->key, req, err);
    }
    if (op->fd >= 0) {
        return aws_s3_put_fd_request(c, op->bucket, op->key, op->fd, op->offset, op->len, op->opts,
                                     req, err);
    }
    return aws_s3_put_request(c, op->bucket, op->key, op->data, op->len, op->opts, req, err);
}

/* aws_call parse callback for every operation of aws_s3_op_t. */
static int aws_s3_op_parse(void *ctx, const aws_response_t *resp, aws_error_t *err)
{
    aws_s3_op_t *op = ctx;

    if (strcmp(op->method, "PUT") == 0) {
        return aws_s3_put_parse(resp, op->etag, op->etag_len, err);
    }
    return aws_s3_parse(resp, err);
}

/* Runs op with retries on a response set up with max_body and sink_fd;
 * on success moves the body into body_out (if not NULL) and the headers
 * into info (if not NULL).  Returns 0 or -1 with err set. */
static int aws_s3_op_run(aws_client_t *c, aws_s3_op_t *op, size_t max_body, int sink_fd,
                         aws_buf_t *body_out, aws_s3_object_info_t *info, aws_error_t *err)
{
    aws_response_t resp;
    int rc;

    aws_response_init(&resp);
    resp.max_body = max_body;
    resp.sink_fd = sink_fd;
    rc = aws_call(c, "s3", aws_s3_op_build, aws_s3_op_parse, op, &resp, NULL, err);
    if (rc == 0 && body_out != NULL) {
        aws_buf_free(body_out);
        *body_out = resp.body;
        resp.body = (aws_buf_t) AWS_BUF_INIT;
    }
    if (rc == 0 && info != NULL) {
        aws_s3_object_info_from_response(&resp, info);
    }
    if (rc != 0 && err->kind == AWS_ERR_TOO_LARGE) {
        char size[48] = "";
        if (resp.content_length >= 0) {
            snprintf(size, sizeof(size), " (%lld bytes)", resp.content_length);
        }
        aws_error_set(err, AWS_ERR_TOO_LARGE, "s3://%s/%s%s is larger than the limit of %zu bytes",
                      op->bucket, op->key, size, max_body);
    }
    aws_response_free(&resp);
    return rc;
}

int aws_s3_put_object(aws_client_t *c, const char *bucket, const char *key, const void *data,
                      size_t len, const aws_s3_put_opts_t *opts, char *etag, size_t etag_len,
                      aws_error_t *err)
{
    aws_s3_op_t op = { "PUT", bucket, key, data, -1, 0, len, opts, etag, etag_len };

    return aws_s3_op_run(c, &op, AWS_HTTP_DEFAULT_MAX_BODY, -1, NULL, NULL, err);
}

int aws_s3_put_file(aws_client_t *c, const char *bucket, const char *key, int fd, off_t offset,
                    size_t size, const aws_s3_put_opts_t *opts, char *etag, size_t etag_len,
                    aws_error_t *err)
{
    aws_s3_op_t op = { "PUT", bucket, key, NULL, fd, offset, size, opts, etag, etag_len };

    if (size > aws_client_s3_multipart_threshold(c)) {
        return aws_s3_multipart_upload(c, bucket, key, fd, offset, size, opts, etag, etag_len, err);
    }
    return aws_s3_op_run(c, &op, AWS_HTTP_DEFAULT_MAX_BODY, -1, NULL, NULL, err);
}

int aws_s3_get_object(aws_client_t *c, const char *bucket, const char *key, size_t max_bytes,
                      aws_buf_t *out, aws_s3_object_info_t *info, aws_error_t *err)
{
    aws_s3_op_t op = { "GET", bucket, key, NULL, -1, 0, 0, NULL, NULL, 0 };

    return aws_s3_op_run(c, &op, max_bytes ? max_bytes : AWS_HTTP_DEFAULT_MAX_BODY, -1, out, info,
                         err);
}

int aws_s3_get_to_fd(aws_client_t *c, const char *bucket, const char *key, int fd, size_t max_bytes,
                     aws_s3_object_info_t *info, aws_error_t *err)
{
    aws_s3_op_t op = { "GET", bucket, key, NULL, -1, 0, 0, NULL, NULL, 0 };
    aws_s3_object_info_t got = { 0 };
    struct stat st;
    int rc;

    rc = aws_s3_op_run(c, &op, max_bytes, fd, NULL, &got, err);
    /* a retried download may leave a longer earlier attempt's tail */
    if (rc == 0 && got.size >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode)
        && st.st_size > got.size && ftruncate(fd, got.size) != 0) {
        aws_error_set(err, AWS_ERR_IO, "truncating the download: %s", strerror(errno));
        rc = -1;
    }
    if (rc == 0 && info != NULL) {
        *info = got;
    } else {
        aws_s3_object_info_free(&got);
    }
    return rc;
}

int aws_s3_head_object(aws_client_t *c, const char *bucket, const char *key,
                       aws_s3_object_info_t *info, aws_error_t *err)
{
    aws_s3_op_t op = { "HEAD", bucket, key, NULL, -1, 0, 0, NULL, NULL, 0 };

    return aws_s3_op_run(c, &op, 0, -1, NULL, info, err);
}

int aws_s3_delete_object(aws_client_t *c, const char *bucket, const char *key, aws_error_t *err)
{
    aws_s3_op_t op = { "DELETE", bucket, key, NULL, -1, 0, 0, NULL, NULL, 0 };

    return aws_s3_op_run(c, &op, AWS_HTTP_MAX_ERROR_BODY, -1, NULL, NULL, err);
}
