/* S3 bucket tags (Put/GetBucketTagging) and whether a bucket holds
 * objects: what prism-provision needs to tell its own buckets and to
 * keep non-empty ones. */
#include "s3_admin.h"

#include <string.h>

#include "aws_buf.h"
#include "aws_xml.h"
#include "aws_xml_list.h"
#include "s3_request.h"

#define AWS_S3_XMLNS "http://s3.amazonaws.com/doc/2006-03-01/"

/* Returns 1 when s is non-NULL and free of XML special characters. */
static int aws_s3_xml_safe(const char *s)
{
    return s != NULL && s[strcspn(s, "<>&\"'")] == '\0';
}

int aws_s3_put_bucket_tagging(aws_client_t *c, const char *bucket, const aws_attrs_t *tags,
                              aws_error_t *err)
{
    aws_s3_admin_op_t op = { "PUT", bucket, "tagging", NULL, 0, NULL };
    aws_buf_t body = AWS_BUF_INIT;
    size_t i;
    int rc = aws_buf_puts(&body, "<Tagging xmlns=\"" AWS_S3_XMLNS "\"><TagSet>");

    if (tags == NULL || tags->n == 0 || tags->n > 50) {
        aws_buf_free(&body);
        aws_error_set(err, AWS_ERR_CONFIG, "S3 PutBucketTagging needs 1 to 50 tags");
        return -1;
    }
    for (i = 0; rc == 0 && i < tags->n; i++) {
        if (!aws_s3_xml_safe(tags->items[i].name) || !aws_s3_xml_safe(tags->items[i].value)) {
            aws_buf_free(&body);
            aws_error_set(err, AWS_ERR_CONFIG, "S3 bucket tag %s: XML special characters",
                          tags->items[i].name);
            return -1;
        }
        rc = aws_buf_printf(&body, "<Tag><Key>%s</Key><Value>%s</Value></Tag>", tags->items[i].name,
                            tags->items[i].value);
    }
    if (rc != 0 || aws_buf_puts(&body, "</TagSet></Tagging>") != 0) {
        aws_buf_free(&body);
        aws_error_set(err, AWS_ERR_NOMEM, "out of memory building S3 PutBucketTagging");
        return -1;
    }
    op.body = body.data;
    op.body_len = body.len;
    rc = aws_s3_admin_run(c, &op, NULL, err);
    aws_buf_free(&body);
    return rc;
}

/* aws_xml_each callback: one Tag. */
static int aws_s3_tag_cb(void *ud, const char *const *v, size_t n)
{
    (void) n;
    return aws_attrs_set(ud, v[0], v[1]);
}

int aws_s3_bucket_tagging_parse(const aws_response_t *resp, aws_attrs_t *out, aws_error_t *err)
{
    static const char *const names[] = { "Key", "Value" };
    const char *doc = resp->body.data ? resp->body.data : "";
    char root[8], msg[128];
    aws_xml_field_t f = { "Tagging", root, sizeof(root), 0, 0 };

    if (!aws_response_ok(resp)) {
        aws_s3_error_parse(resp, err);
        if (aws_error_is(err, "NoSuchTagSet")) {
            aws_error_clear(err);
            return 0;
        }
        return -1;
    }
    if (aws_xml_extract(doc, resp->body.len, &f, 1, msg, sizeof(msg)) != 0 || !f.found) {
        aws_error_set(err, AWS_ERR_PARSE, "GetBucketTagging answer is not a Tagging document");
        return -1;
    }
    if (aws_xml_each(doc, resp->body.len, "Tagging/TagSet/Tag", names, 2, aws_s3_tag_cb, out, msg,
                     sizeof(msg))
        < 0) {
        aws_attrs_free(out);
        aws_error_set(err, AWS_ERR_PARSE, "GetBucketTagging answer: %s", msg);
        return -1;
    }
    aws_error_clear(err);
    return 0;
}

int aws_s3_get_bucket_tagging(aws_client_t *c, const char *bucket, aws_attrs_t *out,
                              aws_error_t *err)
{
    aws_s3_admin_op_t op = { "GET", bucket, "tagging", NULL, 0, NULL };
    aws_response_t resp;
    int rc;

    aws_response_init(&resp);
    rc = aws_s3_admin_run(c, &op, &resp, err);
    if (rc == 0 || resp.status == 404) {
        rc = aws_s3_bucket_tagging_parse(&resp, out, err);
    }
    aws_response_free(&resp);
    return rc;
}

int aws_s3_bucket_is_empty(aws_client_t *c, const char *bucket, int *empty, aws_error_t *err)
{
    aws_buf_t page = AWS_BUF_INIT;
    aws_s3_admin_op_t op = { "GET", bucket, "list-type=2&max-keys=1", NULL, 0, &page };
    char root[8], key[8], msg[128];
    aws_xml_field_t f[] = {
        { "ListBucketResult", root, sizeof(root), 0, 0 },
        { "ListBucketResult/Contents/Key", key, sizeof(key), 0, 0 },
    };
    int rc = aws_s3_admin_run(c, &op, NULL, err);

    if (rc == 0
        && (aws_xml_extract(page.data, page.len, f, 2, msg, sizeof(msg)) != 0 || !f[0].found)) {
        aws_error_set(err, AWS_ERR_PARSE, "S3 ListObjectsV2 response: %s",
                      f[0].found ? msg : "no ListBucketResult");
        rc = -1;
    }
    *empty = rc == 0 && !f[1].found;
    aws_buf_free(&page);
    return rc;
}
