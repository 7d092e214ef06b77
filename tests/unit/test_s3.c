/*
 * test_s3 — S3 request building (aws/s3*.c): path-style and
 * virtual-hosted addressing, key encoding, object headers, payload
 * hashes of memory and streamed bodies, multipart query strings and
 * XML, and the parsers on AWS's documented Error,
 * InitiateMultipartUploadResult and CompleteMultipartUploadResult bodies.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "aws_test_support.h"
#include "s3.h"
#include "sigv4.h"

/* AWS S3 error responses documentation: the NoSuchKey example. */
static const char error_body[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                                 "<Error>\n"
                                 "  <Code>NoSuchKey</Code>\n"
                                 "  <Message>The resource you requested does not exist</Message>\n"
                                 "  <Resource>/mybucket/myfoto.jpg</Resource>\n"
                                 "  <RequestId>4442587FB7D0A2F9</RequestId>\n"
                                 "</Error>";

/* AWS API reference, CreateMultipartUpload, sample response. */
static const char initiate_body[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<InitiateMultipartUploadResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\n"
    "  <Bucket>example-bucket</Bucket>\n"
    "  <Key>example-object</Key>\n"
    "  <UploadId>VXBsb2FkIElEIGZvciA2aWWpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA</UploadId>\n"
    "</InitiateMultipartUploadResult>";

/* AWS API reference, CompleteMultipartUpload, sample response. */
static const char complete_body[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<CompleteMultipartUploadResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\n"
    " <Location>http://Example-Bucket.s3.eu-central-1.amazonaws.com/Example-Object</Location>\n"
    " <Bucket>Example-Bucket</Bucket>\n"
    " <Key>Example-Object</Key>\n"
    " <ETag>\"3858f62230ac3c915f300c664312c11f-9\"</ETag>\n"
    "</CompleteMultipartUploadResult>";

/* AWS API reference, CompleteMultipartUpload: an error inside a 200. */
static const char complete_error_body[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "\n"
    "<Error>\n"
    "<Code>InternalError</Code>\n"
    "<Message>We encountered an internal error. Please try again.</Message>\n"
    "<RequestId>656c76696e6727732072657175657374</RequestId>\n"
    "<HostId>Uuag1LuByRx9e6j5Onimru9pO4ZVKnJ2Qz7/C1NPcfTWAtRPfTaOFg==</HostId>\n"
    "</Error>";

static void test_virtual_hosted_on_default_endpoint(void **state)
{
    aws_client_t *c = test_client(NULL, AWS_S3_ADDRESSING_AUTO);
    aws_request_t req;
    aws_error_t err;

    (void) state;
    assert_true(aws_client_s3_virtual_hosted(c, "prism-ingest"));
    assert_int_equal(aws_s3_get_request(c, "prism-ingest", "photos/a b+c/\xc3\xbc.jpg", &req, &err),
                     0);
    assert_string_equal(req.method, "GET");
    assert_string_equal(req.scheme, "https");
    assert_string_equal(req.host, "prism-ingest.s3.us-east-1.amazonaws.com");
    assert_string_equal(req.path, "/photos/a%20b%2Bc/%C3%BC.jpg");
    assert_string_equal(req.service, "s3");
    assert_string_equal(aws_request_header(&req, "x-amz-content-sha256"),
                        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    test_assert_signed(&req, "s3");
    aws_request_free(&req);
    aws_client_free(c);
}

static void test_path_style_rules(void **state)
{
    aws_client_t *dflt = test_client(NULL, AWS_S3_ADDRESSING_AUTO);
    aws_client_t *custom = test_client("http://127.0.0.1:4566", AWS_S3_ADDRESSING_AUTO);
    aws_client_t *forced = test_client("http://minio.local:9000", AWS_S3_ADDRESSING_VIRTUAL);
    aws_client_t *path = test_client(NULL, AWS_S3_ADDRESSING_PATH);
    aws_request_t req;
    aws_error_t err;

    (void) state;
    /* dots break the TLS wildcard; capitals and underscores are not DNS names */
    assert_false(aws_client_s3_virtual_hosted(dflt, "my.dotted.bucket"));
    assert_false(aws_client_s3_virtual_hosted(dflt, "Legacy_Bucket"));
    assert_false(aws_client_s3_virtual_hosted(dflt, "ab"));
    assert_false(aws_client_s3_virtual_hosted(dflt, "192.168.1.1"));
    assert_false(aws_client_s3_virtual_hosted(custom, "prism-ingest"));
    assert_false(aws_client_s3_virtual_hosted(path, "prism-ingest"));
    assert_true(aws_client_s3_virtual_hosted(forced, "prism-ingest"));
    assert_true(aws_client_s3_virtual_hosted(forced, "my.dotted.bucket"));

    assert_int_equal(aws_s3_head_request(dflt, "my.dotted.bucket", "k", &req, &err), 0);
    assert_string_equal(req.host, "s3.us-east-1.amazonaws.com");
    assert_string_equal(req.path, "/my.dotted.bucket/k");
    assert_string_equal(req.method, "HEAD");
    aws_request_free(&req);

    assert_int_equal(aws_s3_delete_request(custom, "prism-ingest", "/lead/slash//x~y", &req, &err),
                     0);
    assert_string_equal(req.scheme, "http");
    assert_string_equal(req.host, "127.0.0.1:4566");
    assert_string_equal(req.path, "/prism-ingest//lead/slash//x~y");
    assert_string_equal(req.method, "DELETE");
    aws_request_free(&req);

    assert_int_equal(aws_s3_get_request(forced, "prism-ingest", "k", &req, &err), 0);
    assert_string_equal(req.host, "prism-ingest.minio.local:9000");
    assert_string_equal(req.path, "/k");
    aws_request_free(&req);

    assert_int_equal(aws_s3_get_request(dflt, "bad/bucket", "k", &req, &err), -1);
    assert_int_equal(err.kind, AWS_ERR_CONFIG);
    assert_int_equal(aws_s3_get_request(dflt, "bucket", "", &req, &err), -1);
    aws_client_free(dflt);
    aws_client_free(custom);
    aws_client_free(forced);
    aws_client_free(path);
}

static void test_put_request_headers_and_hash(void **state)
{
    aws_client_t *c = test_client("http://127.0.0.1:4566", AWS_S3_ADDRESSING_AUTO);
    aws_s3_meta_t meta[] = { { "image-id", "42" }, { "Width", "640" } };
    aws_s3_put_opts_t opts = { "image/jpeg", meta, 2, AWS_S3_SSE_KMS, "alias/prism", 0 };
    const char data[] = "hello, s3";
    aws_request_t req;
    aws_error_t err;
    char hex[65];

    (void) state;
    assert_int_equal(
        aws_s3_put_request(c, "prism-ingest", "a.jpg", data, strlen(data), &opts, &req, &err), 0);
    assert_string_equal(req.method, "PUT");
    assert_string_equal(req.path, "/prism-ingest/a.jpg");
    assert_ptr_equal(req.body, data);
    assert_int_equal(req.body_len, strlen(data));
    assert_int_equal(req.body_fd, -1);
    assert_int_equal(aws_sigv4_sha256_hex(data, strlen(data), hex), 0);
    assert_string_equal(req.payload_hash, hex);
    assert_string_equal(aws_request_header(&req, "x-amz-content-sha256"), hex);
    assert_string_equal(aws_request_header(&req, "Content-Type"), "image/jpeg");
    assert_string_equal(aws_request_header(&req, "x-amz-meta-image-id"), "42");
    assert_string_equal(aws_request_header(&req, "x-amz-meta-width"), "640");
    assert_string_equal(aws_request_header(&req, "x-amz-server-side-encryption"), "aws:kms");
    assert_string_equal(aws_request_header(&req, "x-amz-server-side-encryption-aws-kms-key-id"),
                        "alias/prism");
    test_assert_signed(&req, "s3");
    aws_request_free(&req);

    opts.sse = AWS_S3_SSE_AES256;
    opts.nmeta = 0;
    assert_int_equal(aws_s3_put_request(c, "prism-ingest", "a.jpg", "", 0, &opts, &req, &err), 0);
    assert_string_equal(aws_request_header(&req, "x-amz-server-side-encryption"), "AES256");
    assert_null(aws_request_header(&req, "x-amz-server-side-encryption-aws-kms-key-id"));
    assert_string_equal(req.payload_hash,
                        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assert_null(aws_request_header(&req, "If-None-Match"));
    aws_request_free(&req);

    opts.if_none_match = 1;
    assert_int_equal(aws_s3_put_request(c, "prism-ingest", "a.jpg", "", 0, &opts, &req, &err), 0);
    assert_string_equal(aws_request_header(&req, "If-None-Match"), "*");
    test_assert_signed(&req, "s3");
    aws_request_free(&req);
    aws_client_free(c);
}

static void test_put_request_rejects_header_injection(void **state)
{
    aws_client_t *c = test_client(NULL, AWS_S3_ADDRESSING_AUTO);
    aws_s3_meta_t crlf = { "note", "a\r\nx-evil: 1" }, badname = { "a b", "v" };
    aws_s3_put_opts_t opts = { NULL, &crlf, 1, AWS_S3_SSE_NONE, NULL, 0 };
    aws_request_t req;
    aws_error_t err;

    (void) state;
    assert_int_equal(aws_s3_put_request(c, "b-1", "k", "x", 1, &opts, &req, &err), -1);
    assert_int_equal(err.kind, AWS_ERR_CONFIG);
    opts.meta = &badname;
    assert_int_equal(aws_s3_put_request(c, "b-1", "k", "x", 1, &opts, &req, &err), -1);
    opts.nmeta = 0;
    opts.content_type = "text/plain\n";
    assert_int_equal(aws_s3_put_request(c, "b-1", "k", "x", 1, &opts, &req, &err), -1);
    aws_client_free(c);
}

/* Writes a temporary file of n bytes (pattern) and returns its fd. */
static int temp_file(size_t n)
{
    char path[] = "/tmp/test_s3_XXXXXX";
    int fd = mkstemp(path);
    size_t i;

    assert_true(fd >= 0);
    unlink(path);
    for (i = 0; i < n; i++) {
        unsigned char b = (unsigned char) (i * 31 + 7);
        assert_int_equal(write(fd, &b, 1), 1);
    }
    return fd;
}

static void test_streamed_put_hash_over_http_and_unsigned_over_https(void **state)
{
    aws_client_t *http = test_client("http://127.0.0.1:4566", AWS_S3_ADDRESSING_AUTO);
    aws_client_t *https = test_client(NULL, AWS_S3_ADDRESSING_AUTO);
    unsigned char buf[700];
    aws_request_t req;
    aws_error_t err;
    char hex[65];
    int fd = temp_file(1000);

    (void) state;
    assert_int_equal(pread(fd, buf, sizeof(buf), 100), (ssize_t) sizeof(buf));
    assert_int_equal(aws_sigv4_sha256_hex(buf, sizeof(buf), hex), 0);
    assert_int_equal(
        aws_s3_put_fd_request(http, "b-1", "k", fd, 100, sizeof(buf), NULL, &req, &err), 0);
    assert_int_equal(req.body_fd, fd);
    assert_int_equal(req.body_offset, 100);
    assert_int_equal(req.body_len, sizeof(buf));
    assert_string_equal(req.payload_hash, hex);
    assert_string_equal(aws_request_header(&req, "x-amz-content-sha256"), hex);
    aws_request_free(&req);

    assert_int_equal(aws_s3_put_fd_request(https, "b-1", "k", fd, 0, 1000, NULL, &req, &err), 0);
    assert_string_equal(req.payload_hash, "UNSIGNED-PAYLOAD");
    assert_string_equal(aws_request_header(&req, "x-amz-content-sha256"), "UNSIGNED-PAYLOAD");
    aws_request_free(&req);

    /* the file is shorter than the upload: reading it for the hash fails */
    assert_int_equal(aws_s3_put_fd_request(http, "b-1", "k", fd, 900, 200, NULL, &req, &err), -1);
    assert_int_equal(err.kind, AWS_ERR_IO);
    close(fd);
    aws_client_free(http);
    aws_client_free(https);
}

static void test_multipart_requests(void **state)
{
    aws_client_t *c = test_client("http://127.0.0.1:4566", AWS_S3_ADDRESSING_AUTO);
    aws_s3_part_t parts[] = { { 1, "\"a54357faf0632cce46e942fa68356b38\"" },
                              { 2, "\"0c78aef83f66abc1fa1e8477f296d394\"" } };
    aws_s3_put_opts_t opts = { "image/png", NULL, 0, AWS_S3_SSE_NONE, NULL, 0 };
    aws_buf_t body = AWS_BUF_INIT;
    aws_request_t req;
    aws_error_t err;
    int fd = temp_file(64);

    (void) state;
    assert_int_equal(aws_s3_create_multipart_request(c, "b-1", "big file", &opts, &req, &err), 0);
    assert_string_equal(req.method, "POST");
    assert_string_equal(req.path, "/b-1/big%20file");
    assert_string_equal(req.query, "uploads");
    assert_string_equal(aws_request_header(&req, "Content-Type"), "image/png");
    aws_request_free(&req);

    assert_int_equal(
        aws_s3_upload_part_request(c, "b-1", "big file", "up/id+1=", 3, fd, 0, 64, &req, &err), 0);
    assert_string_equal(req.method, "PUT");
    assert_string_equal(req.query, "partNumber=3&uploadId=up%2Fid%2B1%3D");
    assert_int_equal(req.body_len, 64);
    aws_request_free(&req);
    assert_int_equal(aws_s3_upload_part_request(c, "b-1", "k", "u", 10001, fd, 0, 1, &req, &err),
                     -1);
    assert_int_equal(aws_s3_upload_part_request(c, "b-1", "k", "", 1, fd, 0, 1, &req, &err), -1);

    assert_int_equal(aws_s3_complete_multipart_request(c, "b-1", "big file", "up/id+1=", parts, 2,
                                                       0, &req, &body, &err),
                     0);
    assert_string_equal(req.method, "POST");
    assert_string_equal(req.query, "uploadId=up%2Fid%2B1%3D");
    assert_string_equal(aws_request_header(&req, "Content-Type"), "application/xml");
    assert_string_equal(
        body.data, "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                   "<Part><PartNumber>1</"
                   "PartNumber><ETag>&quot;a54357faf0632cce46e942fa68356b38&quot;</ETag></Part>"
                   "<Part><PartNumber>2</"
                   "PartNumber><ETag>&quot;0c78aef83f66abc1fa1e8477f296d394&quot;</ETag></Part>"
                   "</CompleteMultipartUpload>");
    assert_ptr_equal(req.body, body.data);
    assert_null(aws_request_header(&req, "If-None-Match"));
    aws_request_free(&req);

    assert_int_equal(
        aws_s3_complete_multipart_request(c, "b-1", "k", "u", parts, 2, 1, &req, &body, &err), 0);
    assert_string_equal(aws_request_header(&req, "If-None-Match"), "*");
    aws_request_free(&req);

    parts[1].number = 1;
    assert_int_equal(
        aws_s3_complete_multipart_request(c, "b-1", "k", "u", parts, 2, 0, &req, &body, &err), -1);
    assert_int_equal(err.kind, AWS_ERR_CONFIG);

    assert_int_equal(aws_s3_abort_multipart_request(c, "b-1", "k", "u-1", &req, &err), 0);
    assert_string_equal(req.method, "DELETE");
    assert_string_equal(req.query, "uploadId=u-1");
    aws_request_free(&req);
    aws_buf_free(&body);
    close(fd);
    aws_client_free(c);
}

static void test_parse_documented_error(void **state)
{
    aws_response_t resp;
    aws_error_t err;

    (void) state;
    test_response(&resp, 404, error_body);
    snprintf(resp.request_id, sizeof(resp.request_id), "header-id");
    assert_int_equal(aws_s3_parse(&resp, &err), -1);
    assert_int_equal(err.kind, AWS_ERR_HTTP);
    assert_int_equal(err.http_status, 404);
    assert_string_equal(err.code, "NoSuchKey");
    assert_string_equal(err.message, "The resource you requested does not exist");
    assert_string_equal(err.request_id, "4442587FB7D0A2F9");
    assert_true(aws_s3_error_is_not_found(&err));
    assert_false(aws_error_retryable(&err));
    aws_response_free(&resp);
}

static void test_head_errors_come_from_the_status(void **state)
{
    aws_response_t resp;
    aws_error_t err;

    (void) state;
    test_response(&resp, 404, "");
    snprintf(resp.request_id, sizeof(resp.request_id), "R1");
    assert_int_equal(aws_s3_parse(&resp, &err), -1);
    assert_string_equal(err.code, "NotFound");
    assert_string_equal(err.request_id, "R1");
    assert_true(aws_s3_error_is_not_found(&err));
    aws_response_free(&resp);

    test_response(&resp, 403, "");
    aws_s3_parse(&resp, &err);
    assert_string_equal(err.code, "Forbidden");
    assert_false(aws_s3_error_is_not_found(&err));
    aws_response_free(&resp);

    test_response(&resp, 503, "");
    aws_s3_parse(&resp, &err);
    assert_true(aws_error_retryable(&err));
    aws_response_free(&resp);

    test_response(&resp, 204, "");
    assert_int_equal(aws_s3_parse(&resp, &err), 0);
    aws_response_free(&resp);
}

static void test_conditional_write_refusals(void **state)
{
    aws_response_t resp;
    aws_error_t err;

    (void) state;
    test_response(&resp, 412,
                  "<Error><Code>PreconditionFailed</Code>"
                  "<Message>At least one of the pre-conditions you specified did not hold"
                  "</Message><Condition>If-None-Match</Condition></Error>");
    assert_int_equal(aws_s3_put_parse(&resp, NULL, 0, &err), -1);
    assert_true(aws_s3_error_is_precondition_failed(&err));
    assert_false(aws_error_retryable(&err));
    aws_response_free(&resp);

    test_response(&resp, 409,
                  "<Error><Code>ConditionalRequestConflict</Code>"
                  "<Message>A conflicting conditional operation is in progress"
                  "</Message></Error>");
    assert_int_equal(aws_s3_put_parse(&resp, NULL, 0, &err), -1);
    assert_false(aws_s3_error_is_precondition_failed(&err));
    assert_true(aws_error_retryable(&err));
    aws_response_free(&resp);

    test_response(&resp, 404, "");
    aws_s3_parse(&resp, &err);
    assert_false(aws_s3_error_is_precondition_failed(&err));
    aws_response_free(&resp);
}

static void test_parse_multipart_results(void **state)
{
    aws_response_t resp;
    aws_error_t err;
    char id[128], etag[64];

    (void) state;
    test_response(&resp, 200, initiate_body);
    assert_int_equal(aws_s3_create_multipart_parse(&resp, id, sizeof(id), &err), 0);
    assert_string_equal(id, "VXBsb2FkIElEIGZvciA2aWWpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA");
    aws_response_free(&resp);

    test_response(&resp, 200, "<InitiateMultipartUploadResult/>");
    assert_int_equal(aws_s3_create_multipart_parse(&resp, id, sizeof(id), &err), -1);
    assert_int_equal(err.kind, AWS_ERR_PARSE);
    aws_response_free(&resp);

    test_response(&resp, 200, complete_body);
    assert_int_equal(aws_s3_complete_multipart_parse(&resp, etag, sizeof(etag), &err), 0);
    assert_string_equal(etag, "\"3858f62230ac3c915f300c664312c11f-9\"");
    aws_response_free(&resp);

    test_response(&resp, 200, complete_error_body);
    assert_int_equal(aws_s3_complete_multipart_parse(&resp, etag, sizeof(etag), &err), -1);
    assert_int_equal(err.kind, AWS_ERR_HTTP);
    assert_int_equal(err.http_status, 200);
    assert_string_equal(err.code, "InternalError");
    assert_string_equal(err.request_id, "656c76696e6727732072657175657374");
    assert_true(aws_error_retryable(&err));
    aws_response_free(&resp);

    test_response(&resp, 400,
                  "<Error><Code>EntityTooSmall</Code><Message>Your proposed upload "
                  "is smaller than the minimum allowed object size.</Message></Error>");
    assert_int_equal(aws_s3_complete_multipart_parse(&resp, etag, sizeof(etag), &err), -1);
    assert_string_equal(err.code, "EntityTooSmall");
    assert_false(aws_error_retryable(&err));
    aws_response_free(&resp);
}

static void test_put_parse_and_object_info(void **state)
{
    aws_s3_object_info_t info = { 0 };
    aws_response_t resp;
    aws_error_t err;
    char etag[64];

    (void) state;
    test_response(&resp, 200, "");
    snprintf(resp.etag, sizeof(resp.etag), "\"a741a320609f847a1db82e6c740d85d9\"");
    assert_int_equal(aws_s3_put_parse(&resp, etag, sizeof(etag), &err), 0);
    assert_string_equal(etag, "\"a741a320609f847a1db82e6c740d85d9\"");

    resp.content_length = 1048576;
    snprintf(resp.content_type, sizeof(resp.content_type), "image/jpeg");
    resp.meta = calloc(1, sizeof(*resp.meta));
    resp.meta[0].name = strdup("image-id");
    resp.meta[0].value = strdup("42");
    resp.nmeta = resp.cap_meta = 1;
    aws_s3_object_info_from_response(&resp, &info);
    assert_int_equal(resp.nmeta, 0);
    assert_null(resp.meta);
    assert_true(info.size == 1048576);
    assert_string_equal(info.etag, "\"a741a320609f847a1db82e6c740d85d9\"");
    assert_string_equal(info.content_type, "image/jpeg");
    assert_string_equal(aws_s3_object_meta(&info, "Image-ID"), "42");
    assert_null(aws_s3_object_meta(&info, "width"));
    aws_s3_object_info_free(&info);
    aws_response_free(&resp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_virtual_hosted_on_default_endpoint),
        cmocka_unit_test(test_path_style_rules),
        cmocka_unit_test(test_put_request_headers_and_hash),
        cmocka_unit_test(test_put_request_rejects_header_injection),
        cmocka_unit_test(test_streamed_put_hash_over_http_and_unsigned_over_https),
        cmocka_unit_test(test_multipart_requests),
        cmocka_unit_test(test_parse_documented_error),
        cmocka_unit_test(test_head_errors_come_from_the_status),
        cmocka_unit_test(test_conditional_write_refusals),
        cmocka_unit_test(test_parse_multipart_results),
        cmocka_unit_test(test_put_parse_and_object_info),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
