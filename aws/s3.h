/*
 * s3 — Amazon S3 objects over the REST API.
 *
 * Addressing follows the client (aws_client_s3_virtual_hosted):
 * path-style  {endpoint}/{bucket}/{key}  or virtual-hosted
 * {scheme}://{bucket}.{host}/{key}.  Keys are URI-encoded byte by byte
 * with '/' kept ("a b/ü+.jpg" -> "a%20b/%C3%BC%2B.jpg").
 *
 * Payload hashes: in-memory bodies are signed with their SHA-256; bodies
 * streamed from a file descriptor are signed with UNSIGNED-PAYLOAD over
 * https (TLS protects them) and with their SHA-256 (computed by reading
 * the range once) over plain http.
 *
 * Errors: XML <Error><Code/><Message/><RequestId/></Error>; HEAD
 * responses carry no body, so their errors are mapped from the status
 * (404 -> "NotFound"; aws_s3_error_is_not_found() accepts both that and
 * "NoSuchKey").
 *
 * Pure builders (*_request) and parsers (*_parse) do no I/O besides
 * hashing a streamed body over http; the blocking calls retry with the
 * client's policy.  aws_s3_put_file() switches to multipart upload
 * above the client's threshold and aborts the upload on any failure.
 */
#ifndef AWS_S3_H
#define AWS_S3_H

#include <stddef.h>
#include <sys/types.h>

#include "aws_buf.h"
#include "aws_client.h"
#include "aws_error.h"
#include "aws_http.h"
#include "aws_request.h"

typedef enum {
    AWS_S3_SSE_NONE = 0,
    AWS_S3_SSE_AES256, /* x-amz-server-side-encryption: AES256 */
    AWS_S3_SSE_KMS     /* aws:kms, with an optional key id */
} aws_s3_sse_t;

typedef struct {
    const char *name; /* without "x-amz-meta-" */
    const char *value;
} aws_s3_meta_t;

/* Options of a new object (PutObject, CreateMultipartUpload). */
typedef struct {
    const char *content_type;  /* NULL: none sent */
    const aws_s3_meta_t *meta; /* x-amz-meta-* */
    size_t nmeta;
    aws_s3_sse_t sse;
    const char *kms_key_id; /* AWS_S3_SSE_KMS only; NULL: the account's default key */
    int if_none_match;      /* PutObject, CompleteMultipartUpload: "If-None-Match: *",
                                          * store only if the key is absent (else 412
                                          * PreconditionFailed; 409 ConditionalRequestConflict
                                          * on a concurrent conditional write, retryable) */
} aws_s3_put_opts_t;

/* What HEAD/GET tell about an object. */
typedef struct {
    long long size; /* Content-Length; -1 when unknown */
    char etag[128];
    char content_type[128];
    char last_modified[64];
    aws_header_t *meta; /* names lower-case without the prefix */
    size_t nmeta;
} aws_s3_object_info_t;

typedef struct {
    int number;     /* 1..10000 */
    char etag[128]; /* as returned by UploadPart, quotes included */
} aws_s3_part_t;

/* ---- shared ------------------------------------------------------------ */

/* Initialises req for METHOD on BUCKET/KEY (key may be NULL or "" for
 * the bucket itself), with the client's addressing, Host and path, and
 * QUERY (encoded, "" or NULL for none).  Unsigned, no payload hash yet.
 * Returns 0, or -1 with err set (AWS_ERR_CONFIG for an empty bucket or
 * one with '/', AWS_ERR_NOMEM). */
int aws_s3_request_init(const aws_client_t *c, aws_request_t *req, const char *method,
                        const char *bucket, const char *key, const char *query, aws_error_t *err);

/* Sets err from a non-2xx S3 response: Error/Code, Message, RequestId
 * from the XML body, or from the status when there is no body (HEAD).
 * Always returns -1. */
int aws_s3_error_parse(const aws_response_t *resp, aws_error_t *err);

/* Returns 1 when err says the object (or bucket) does not exist:
 * NoSuchKey, NotFound, NoSuchBucket, or HTTP 404. */
int aws_s3_error_is_not_found(const aws_error_t *err);

/* Returns 1 when err says a conditional write found the key present:
 * PreconditionFailed, or HTTP 412. */
int aws_s3_error_is_precondition_failed(const aws_error_t *err);

/* Copies the object's headers from resp into info; the metadata
 * entries are moved, not copied (resp->meta becomes empty). */
void aws_s3_object_info_from_response(aws_response_t *resp, aws_s3_object_info_t *info);

/* Frees info's metadata. */
void aws_s3_object_info_free(aws_s3_object_info_t *info);

/* Returns the value of metadata NAME (case-insensitive), or NULL. */
const char *aws_s3_object_meta(const aws_s3_object_info_t *info, const char *name);

/* ---- PutObject --------------------------------------------------------- */

/* Builds and signs PutObject of data[0..len) (not copied; must outlive
 * req) with opts (may be NULL).  Returns 0, or -1 with err set. */
int aws_s3_put_request(aws_client_t *c, const char *bucket, const char *key, const void *data,
                       size_t len, const aws_s3_put_opts_t *opts, aws_request_t *req,
                       aws_error_t *err);

/* Builds and signs PutObject of len bytes of fd from offset, streamed
 * (fd must stay open while req is in use).  Over http the range is
 * read once to hash it: AWS_ERR_IO when that read fails or ends early. */
int aws_s3_put_fd_request(aws_client_t *c, const char *bucket, const char *key, int fd,
                          off_t offset, size_t len, const aws_s3_put_opts_t *opts,
                          aws_request_t *req, aws_error_t *err);

/* Interprets a PutObject / UploadPart response: the ETag (quotes kept)
 * into etag (len bytes; may be NULL).  Returns 0, or -1 with err set. */
int aws_s3_put_parse(const aws_response_t *resp, char *etag, size_t len, aws_error_t *err);

/* Blocking PutObject from memory, with retries.  etag may be NULL. */
int aws_s3_put_object(aws_client_t *c, const char *bucket, const char *key, const void *data,
                      size_t len, const aws_s3_put_opts_t *opts, char *etag, size_t etag_len,
                      aws_error_t *err);

/* Blocking upload of size bytes of fd from offset: one streamed
 * PutObject up to the client's multipart threshold, multipart above it
 * (aborted on any failure).  etag may be NULL. */
int aws_s3_put_file(aws_client_t *c, const char *bucket, const char *key, int fd, off_t offset,
                    size_t size, const aws_s3_put_opts_t *opts, char *etag, size_t etag_len,
                    aws_error_t *err);

/* ---- GetObject / HeadObject / DeleteObject ------------------------------ */

/* Builds and signs GetObject / HeadObject / DeleteObject. */
int aws_s3_get_request(aws_client_t *c, const char *bucket, const char *key, aws_request_t *req,
                       aws_error_t *err);
int aws_s3_head_request(aws_client_t *c, const char *bucket, const char *key, aws_request_t *req,
                        aws_error_t *err);
int aws_s3_delete_request(aws_client_t *c, const char *bucket, const char *key, aws_request_t *req,
                          aws_error_t *err);

/* Interprets a GET/HEAD/DELETE response: 0 on 2xx, else -1 with the
 * service error (HEAD's from the status).  The body stays in resp. */
int aws_s3_parse(const aws_response_t *resp, aws_error_t *err);

/* Blocking GetObject into out (its previous content is freed), at most
 * max_bytes (0: AWS_HTTP_DEFAULT_MAX_BODY): AWS_ERR_TOO_LARGE names the
 * limit when the object is larger (by Content-Length, or while
 * streaming).  info may be NULL. */
int aws_s3_get_object(aws_client_t *c, const char *bucket, const char *key, size_t max_bytes,
                      aws_buf_t *out, aws_s3_object_info_t *info, aws_error_t *err);

/* Blocking GetObject written to fd from its offset 0 with pwrite
 * (max_bytes 0: no limit).  On failure fd may hold part of the object.
 * info may be NULL. */
int aws_s3_get_to_fd(aws_client_t *c, const char *bucket, const char *key, int fd, size_t max_bytes,
                     aws_s3_object_info_t *info, aws_error_t *err);

/* Blocking HeadObject into info. */
int aws_s3_head_object(aws_client_t *c, const char *bucket, const char *key,
                       aws_s3_object_info_t *info, aws_error_t *err);

/* Blocking DeleteObject (S3 answers 204 whether or not the key existed). */
int aws_s3_delete_object(aws_client_t *c, const char *bucket, const char *key, aws_error_t *err);

/* ---- multipart upload (s3_multipart.c) --------------------------------- */

/* Builds and signs CreateMultipartUpload (POST ?uploads) with opts. */
int aws_s3_create_multipart_request(aws_client_t *c, const char *bucket, const char *key,
                                    const aws_s3_put_opts_t *opts, aws_request_t *req,
                                    aws_error_t *err);

/* Parses InitiateMultipartUploadResult/UploadId into upload_id. */
int aws_s3_create_multipart_parse(const aws_response_t *resp, char *upload_id, size_t len,
                                  aws_error_t *err);

/* Builds and signs UploadPart (PUT ?partNumber=N&uploadId=ID) of len
 * bytes of fd from offset, streamed; hashed as aws_s3_put_fd_request.
 * Parse its response with aws_s3_put_parse (the part's ETag). */
int aws_s3_upload_part_request(aws_client_t *c, const char *bucket, const char *key,
                               const char *upload_id, int part_number, int fd, off_t offset,
                               size_t len, aws_request_t *req, aws_error_t *err);

/* Builds and signs CompleteMultipartUpload (POST ?uploadId=ID) with the
 * XML list of parts (ascending numbers) written into *body (must
 * outlive req); with if_none_match, "If-None-Match: *" (the object is
 * created only if the key is absent, as aws_s3_put_opts_t says). */
int aws_s3_complete_multipart_request(aws_client_t *c, const char *bucket, const char *key,
                                      const char *upload_id, const aws_s3_part_t *parts,
                                      size_t nparts, int if_none_match, aws_request_t *req,
                                      aws_buf_t *body, aws_error_t *err);

/* Parses CompleteMultipartUploadResult/ETag into etag (may be NULL).
 * S3 may answer 200 with an <Error> body: that is an error here. */
int aws_s3_complete_multipart_parse(const aws_response_t *resp, char *etag, size_t len,
                                    aws_error_t *err);

/* Builds and signs AbortMultipartUpload (DELETE ?uploadId=ID). */
int aws_s3_abort_multipart_request(aws_client_t *c, const char *bucket, const char *key,
                                   const char *upload_id, aws_request_t *req, aws_error_t *err);

/* Blocking multipart upload of size bytes of fd from offset, in parts
 * of the client's part size (grown when more than 10000 parts would be
 * needed), each streamed and retried on its own; on failure the upload
 * is aborted (best effort) and err holds the first error. */
int aws_s3_multipart_upload(aws_client_t *c, const char *bucket, const char *key, int fd,
                            off_t offset, size_t size, const aws_s3_put_opts_t *opts, char *etag,
                            size_t etag_len, aws_error_t *err);

#endif
