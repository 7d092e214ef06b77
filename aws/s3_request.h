/*
 * s3_request — S3 request building shared by s3.c and s3_multipart.c
 * (internal to aws/s3*.c; aws_s3_request_init itself is public in s3.h).
 */
#ifndef AWS_S3_REQUEST_H
#define AWS_S3_REQUEST_H

#include "aws_call.h"
#include "s3.h"

/* Points req's payload at len bytes of fd from offset, streamed, and
 * sets its payload hash: UNSIGNED-PAYLOAD over https, else the SHA-256
 * of the range (read once with pread).  Returns 0, or -1 with err set
 * (AWS_ERR_IO when a read fails or the file ends early). */
int aws_s3_set_fd_body(aws_request_t *req, int fd, off_t offset, size_t len, aws_error_t *err);

/* Adds the headers of a new object: Content-Type, x-amz-meta-*,
 * x-amz-server-side-encryption (+ KMS key id).  opts may be NULL.
 * Returns 0, or -1 with err set (AWS_ERR_CONFIG for a metadata name
 * that is not a header token or a value with control or non-ASCII
 * characters; AWS_ERR_NOMEM). */
int aws_s3_add_object_headers(aws_request_t *req, const aws_s3_put_opts_t *opts, aws_error_t *err);

/* Signs req with the client; frees it on failure.  Returns 0 or -1. */
int aws_s3_sign(aws_client_t *c, aws_request_t *req, aws_error_t *err);

/* Appends "name=ENCODED(value)" to query (with '&' when not empty).
 * Returns 0, or -1 with AWS_ERR_NOMEM in err. */
int aws_s3_query_add(aws_buf_t *query, const char *name, const char *value, aws_error_t *err);

/* One blocking bucket-level operation of s3_admin.c / s3_tagging.c:
 * what to send and where the 2xx body goes. */
typedef struct {
    const char *method;
    const char *bucket;
    const char *query; /* encoded, NULL for none */
    const char *body;  /* XML body (sent with Content-MD5) or NULL */
    size_t body_len;
    aws_buf_t *out; /* 2xx body, or NULL */
} aws_s3_admin_op_t;

/* Runs op with retries; resp (may be NULL) receives the last response.
 * Returns 0, or -1 with err set (the S3 error of a non-2xx answer). */
int aws_s3_admin_run(aws_client_t *c, aws_s3_admin_op_t *op, aws_response_t *resp,
                     aws_error_t *err);

#endif
