#include "s3_admin.h"

#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "aws_call.h"
#include "aws_xml.h"
#include "aws_xml_list.h"
#include "s3_request.h"

#define AWS_S3_XMLNS "http://s3.amazonaws.com/doc/2006-03-01/"

/* Sets Content-MD5 (base64 of the MD5 of the body), which S3 wants on
 * configuration PUTs.  Returns 0 or -1. */
static int aws_s3_admin_md5(aws_request_t *req, const char *body, size_t len)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    char b64[64];

    if (EVP_Digest(body, len, md, &mdlen, EVP_md5(), NULL) != 1) {
        return -1;
    }
    EVP_EncodeBlock((unsigned char *) b64, md, (int) mdlen);
    return aws_request_set_header(req, "Content-MD5", b64);
}

/* aws_call build callback for an aws_s3_admin_op_t. */
static int aws_s3_admin_build(aws_client_t *c, void *ctx, aws_request_t *req, aws_error_t *err)
{
    const aws_s3_admin_op_t *op = ctx;

    if (aws_s3_request_init(c, req, op->method, op->bucket, NULL, op->query, err) != 0) {
        return -1;
    }
    if (op->body != NULL
        && (aws_request_set_header(req, "Content-Type", "application/xml") != 0
            || aws_s3_admin_md5(req, op->body, op->body_len) != 0
            || aws_request_set_body(req, op->body, op->body_len) != 0)) {
        aws_request_free(req);
        aws_error_set(err, AWS_ERR_NOMEM, "out of memory building an S3 bucket request");
        return -1;
    }
    return aws_s3_sign(c, req, err);
}

/* aws_call parse callback: the S3 error for non-2xx, else keeps the body. */
static int aws_s3_admin_parse(void *ctx, const aws_response_t *resp, aws_error_t *err)
{
    const aws_s3_admin_op_t *op = ctx;

    if (!aws_response_ok(resp)) {
        return aws_s3_error_parse(resp, err);
    }
    if (op->out != NULL) {
        aws_buf_reset(op->out);
        if (aws_buf_append(op->out, resp->body.data ? resp->body.data : "", resp->body.len) != 0
            || aws_buf_puts(op->out, "") != 0) {
            aws_error_set(err, AWS_ERR_NOMEM, "out of memory keeping an S3 response");
            return -1;
        }
    }
    aws_error_clear(err);
    return 0;
}

int aws_s3_admin_run(aws_client_t *c, aws_s3_admin_op_t *op, aws_response_t *resp, aws_error_t *err)
{
    aws_response_t own;
    int rc;

    if (resp == NULL) {
        aws_response_init(&own);
    }
    rc = aws_call(c, "s3", aws_s3_admin_build, aws_s3_admin_parse, op, resp ? resp : &own, NULL,
                  err);
    if (resp == NULL) {
        aws_response_free(&own);
    }
    return rc;
}

int aws_s3_create_bucket(aws_client_t *c, const char *bucket, aws_error_t *err)
{
    const char *region = aws_client_region(c);
    aws_s3_admin_op_t op = { "PUT", bucket, NULL, NULL, 0, NULL };
    aws_buf_t body = AWS_BUF_INIT;
    int rc;

    if (strcmp(region, "us-east-1") != 0) {
        if (aws_buf_printf(&body,
                           "<CreateBucketConfiguration xmlns=\"" AWS_S3_XMLNS "\">"
                           "<LocationConstraint>%s</LocationConstraint>"
                           "</CreateBucketConfiguration>",
                           region)
            != 0) {
            aws_error_set(err, AWS_ERR_NOMEM, "out of memory building S3 CreateBucket");
            return -1;
        }
        op.body = body.data;
        op.body_len = body.len;
    }
    rc = aws_s3_admin_run(c, &op, NULL, err);
    aws_buf_free(&body);
    return rc;
}

int aws_s3_head_bucket(aws_client_t *c, const char *bucket, aws_error_t *err)
{
    aws_s3_admin_op_t op = { "HEAD", bucket, NULL, NULL, 0, NULL };

    return aws_s3_admin_run(c, &op, NULL, err);
}

int aws_s3_delete_bucket(aws_client_t *c, const char *bucket, aws_error_t *err)
{
    aws_s3_admin_op_t op = { "DELETE", bucket, NULL, NULL, 0, NULL };

    return aws_s3_admin_run(c, &op, NULL, err);
}

int aws_s3_put_bucket_encryption(aws_client_t *c, const char *bucket, aws_s3_sse_t sse,
                                 const char *kms_key_id, aws_error_t *err)
{
    aws_s3_admin_op_t op = { "PUT", bucket, "encryption", NULL, 0, NULL };
    aws_buf_t body = AWS_BUF_INIT;
    int rc, bad;

    if (sse == AWS_S3_SSE_NONE) {
        aws_error_set(err, AWS_ERR_CONFIG, "S3 PutBucketEncryption needs AES256 or aws:kms");
        return -1;
    }
    bad = kms_key_id != NULL && kms_key_id[strcspn(kms_key_id, "<>&\"'")] != '\0';
    if (bad || (sse == AWS_S3_SSE_AES256 && kms_key_id != NULL)) {
        aws_error_set(err, AWS_ERR_CONFIG, "S3 bucket encryption: bad KMS key id");
        return -1;
    }
    if (aws_buf_printf(&body,
                       "<ServerSideEncryptionConfiguration xmlns=\"" AWS_S3_XMLNS "\">"
                       "<Rule><ApplyServerSideEncryptionByDefault>"
                       "<SSEAlgorithm>%s</SSEAlgorithm>%s%s%s"
                       "</ApplyServerSideEncryptionByDefault>%s</Rule>"
                       "</ServerSideEncryptionConfiguration>",
                       sse == AWS_S3_SSE_KMS ? "aws:kms" : "AES256",
                       kms_key_id ? "<KMSMasterKeyID>" : "", kms_key_id ? kms_key_id : "",
                       kms_key_id ? "</KMSMasterKeyID>" : "",
                       sse == AWS_S3_SSE_KMS ? "<BucketKeyEnabled>true</BucketKeyEnabled>" : "")
        != 0) {
        aws_error_set(err, AWS_ERR_NOMEM, "out of memory building S3 PutBucketEncryption");
        return -1;
    }
    op.body = body.data;
    op.body_len = body.len;
    rc = aws_s3_admin_run(c, &op, NULL, err);
    aws_buf_free(&body);
    return rc;
}

int aws_s3_bucket_encryption_parse(const aws_response_t *resp, aws_s3_bucket_encryption_t *out,
                                   aws_error_t *err)
{
    char root[8], algo[32], msg[128];
    aws_xml_field_t f[] = {
        { "ServerSideEncryptionConfiguration", root, sizeof(root), 0, 0 },
        { "ServerSideEncryptionConfiguration/Rule/ApplyServerSideEncryptionByDefault/SSEAlgorithm",
          algo, sizeof(algo), 0, 0 },
        { "ServerSideEncryptionConfiguration/Rule/ApplyServerSideEncryptionByDefault/"
          "KMSMasterKeyID",
          out->kms_key_id, sizeof(out->kms_key_id), 0, 0 },
    };

    out->sse = AWS_S3_SSE_NONE;
    out->kms_key_id[0] = '\0';
    if (!aws_response_ok(resp)) {
        aws_s3_error_parse(resp, err);
        if (aws_error_is(err, "ServerSideEncryptionConfigurationNotFoundError")) {
            aws_error_clear(err);
            return 0;
        }
        return -1;
    }
    if (aws_xml_extract(resp->body.data ? resp->body.data : "", resp->body.len, f, 3, msg,
                        sizeof(msg))
            != 0
        || !f[0].found) {
        aws_error_set(err, AWS_ERR_PARSE,
                      "GetBucketEncryption answer is not a ServerSideEncryptionConfiguration");
        return -1;
    }
    if (strcmp(algo, "AES256") == 0) {
        out->sse = AWS_S3_SSE_AES256;
    } else if (strncmp(algo, "aws:kms", 7) == 0) {
        out->sse = AWS_S3_SSE_KMS;
    }
    aws_error_clear(err);
    return 0;
}

int aws_s3_get_bucket_encryption(aws_client_t *c, const char *bucket,
                                 aws_s3_bucket_encryption_t *out, aws_error_t *err)
{
    aws_s3_admin_op_t op = { "GET", bucket, "encryption", NULL, 0, NULL };
    aws_response_t resp;
    int rc;

    aws_response_init(&resp);
    rc = aws_s3_admin_run(c, &op, &resp, err);
    if (rc == 0 || resp.status == 404) {
        rc = aws_s3_bucket_encryption_parse(&resp, out, err);
    }
    aws_response_free(&resp);
    return rc;
}

typedef struct {
    aws_client_t *c;
    const char *bucket;
    size_t *deleted;
    aws_error_t *err;
} aws_s3_empty_ctx_t;

/* aws_xml_each callback: deletes one listed key. */
static int aws_s3_empty_cb(void *ud, const char *const *v, size_t n)
{
    aws_s3_empty_ctx_t *e = ud;

    (void) n;
    if (v[0][0] == '\0') {
        return 0;
    }
    if (aws_s3_delete_object(e->c, e->bucket, v[0], e->err) != 0) {
        return -1;
    }
    (*e->deleted)++;
    return 0;
}

int aws_s3_empty_bucket(aws_client_t *c, const char *bucket, size_t *deleted, aws_error_t *err)
{
    static const char *const key[] = { "Key" };
    aws_s3_empty_ctx_t ctx = { c, bucket, deleted, err };
    aws_buf_t query = AWS_BUF_INIT, page = AWS_BUF_INIT;
    aws_s3_admin_op_t op = { "GET", bucket, NULL, NULL, 0, &page };
    char token[1024] = "", truncated[8], msg[128];
    aws_xml_field_t f[] = {
        { "ListBucketResult/IsTruncated", truncated, sizeof(truncated), 0, 0 },
        { "ListBucketResult/NextContinuationToken", token, sizeof(token), 0, 0 },
    };
    int pages, rc = -1;

    *deleted = 0;
    for (pages = 0; pages < 1000; pages++) {
        aws_buf_reset(&query);
        if (aws_s3_query_add(&query, "list-type", "2", err) != 0
            || (token[0] && aws_s3_query_add(&query, "continuation-token", token, err) != 0)) {
            break;
        }
        op.query = query.data;
        if (aws_s3_admin_run(c, &op, NULL, err) != 0) {
            break;
        }
        if (aws_xml_each(page.data, page.len, "ListBucketResult/Contents", key, 1, aws_s3_empty_cb,
                         &ctx, msg, sizeof(msg))
            < 0) {
            if (err->kind == AWS_ERR_NONE) {
                aws_error_set(err, AWS_ERR_PARSE, "S3 ListObjectsV2 response: %s", msg);
            }
            break;
        }
        if (aws_xml_extract(page.data, page.len, f, 2, msg, sizeof(msg)) != 0 || f[1].truncated) {
            aws_error_set(err, AWS_ERR_PARSE, "S3 ListObjectsV2 response: %s", msg);
            break;
        }
        if (strcmp(truncated, "true") != 0 || token[0] == '\0') {
            rc = 0;
            break;
        }
    }
    aws_buf_free(&query);
    aws_buf_free(&page);
    return rc;
}
