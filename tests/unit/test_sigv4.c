/*
 * test_sigv4 — Signature V4 (aws/sigv4.c) and the request it signs
 * (aws/aws_request.c), against AWS's documented examples.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>

#include "aws_request.h"
#include "sigv4.h"

/* The AWS documentation's example keys and dates. */
#define DOC_KEY      "AKIAIOSFODNN7EXAMPLE"
#define DOC_SECRET   "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
#define DOC_TIME     1369353600 /* 2013-05-24T00:00:00Z */
#define EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

/* Fills CREDS with KEY, SECRET and TOKEN (may be ""). */
static void make_creds(aws_credentials_t *creds, const char *key, const char *secret,
                       const char *token)
{
    memset(creds, 0, sizeof(*creds));
    snprintf(creds->access_key_id, sizeof(creds->access_key_id), "%s", key);
    snprintf(creds->secret_access_key, sizeof(creds->secret_access_key), "%s", secret);
    snprintf(creds->session_token, sizeof(creds->session_token), "%s", token);
}

/* Initialises REQ or fails the test. */
static void make_req(aws_request_t *req, const char *method, const char *endpoint, const char *path,
                     const char *service, const char *region)
{
    char err[256];

    assert_int_equal(
        aws_request_init(req, method, endpoint, path, service, region, err, sizeof(err)), 0);
}

/* Returns how many headers of REQ are named NAME (case-insensitive). */
static size_t count_headers(const aws_request_t *req, const char *name)
{
    size_t i, n = 0;

    for (i = 0; i < req->nheaders; i++) {
        n += strcasecmp(req->headers[i].name, name) == 0;
    }
    return n;
}

/* AWS S3 docs, "Authenticating Requests: Using Query Parameters": the
 * presigned GET of examplebucket/test.txt valid for 86400 s. */
static void test_presign_s3_doc_example(void **state)
{
    aws_sigv4_trace_t trace = AWS_SIGV4_TRACE_INIT;
    aws_credentials_t creds;
    aws_buf_t url = AWS_BUF_INIT;
    aws_request_t req;
    char err[256];

    (void) state;
    make_creds(&creds, DOC_KEY, DOC_SECRET, "");
    make_req(&req, "GET", "https://examplebucket.s3.amazonaws.com", "/test.txt", "s3", "us-east-1");
    assert_int_equal(
        aws_sigv4_presign_ex(&req, &creds, DOC_TIME, 86400, NULL, &trace, err, sizeof(err)), 0);
    assert_string_equal(trace.signature,
                        "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");
    assert_string_equal(
        trace.canonical_request.data,
        "GET\n/test.txt\n"
        "X-Amz-Algorithm=AWS4-HMAC-SHA256"
        "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
        "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host\n"
        "host:examplebucket.s3.amazonaws.com\n\nhost\nUNSIGNED-PAYLOAD");
    assert_int_equal(aws_request_url(&req, &url), 0);
    assert_string_equal(
        url.data,
        "https://examplebucket.s3.amazonaws.com/test.txt"
        "?X-Amz-Algorithm=AWS4-HMAC-SHA256"
        "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
        "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
        "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");
    assert_null(aws_request_header(&req, "Authorization"));
    aws_buf_free(&url);
    aws_sigv4_trace_free(&trace);
    aws_request_free(&req);
}

/* AWS S3 docs, "Signature Calculations for the Authorization Header":
 * GET Object examplebucket/test.txt with Range: bytes=0-9. */
static void test_sign_s3_doc_example(void **state)
{
    aws_sigv4_trace_t trace = AWS_SIGV4_TRACE_INIT;
    aws_credentials_t creds;
    aws_request_t req;
    char err[256];

    (void) state;
    make_creds(&creds, DOC_KEY, DOC_SECRET, "");
    make_req(&req, "GET", "https://examplebucket.s3.amazonaws.com", "/test.txt", "s3", "us-east-1");
    assert_int_equal(aws_request_set_header(&req, "Range", "bytes=0-9"), 0);
    assert_int_equal(aws_sigv4_sign_ex(&req, &creds, DOC_TIME, NULL, &trace, err, sizeof(err)), 0);
    assert_string_equal(trace.canonical_request.data,
                        "GET\n/test.txt\n\n"
                        "host:examplebucket.s3.amazonaws.com\n"
                        "range:bytes=0-9\n"
                        "x-amz-content-sha256:" EMPTY_SHA256 "\n"
                        "x-amz-date:20130524T000000Z\n\n"
                        "host;range;x-amz-content-sha256;x-amz-date\n" EMPTY_SHA256);
    assert_string_equal(
        aws_request_header(&req, "Authorization"),
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
        "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
        "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
    assert_string_equal(aws_request_header(&req, "Host"), "examplebucket.s3.amazonaws.com");
    assert_string_equal(aws_request_header(&req, "X-Amz-Date"), "20130524T000000Z");
    assert_string_equal(aws_request_header(&req, "x-amz-content-sha256"), EMPTY_SHA256);
    aws_sigv4_trace_free(&trace);
    aws_request_free(&req);
}

/* The pure building blocks, composed by hand, give what signing gave. */
static void test_building_blocks(void **state)
{
    aws_sigv4_trace_t trace = AWS_SIGV4_TRACE_INIT;
    aws_buf_t creq = AWS_BUF_INIT, signed_headers = AWS_BUF_INIT, sts = AWS_BUF_INIT;
    aws_sigv4_options_t opts;
    aws_credentials_t creds;
    aws_request_t req;
    unsigned char key[32];
    char err[256], sig[65];

    (void) state;
    make_creds(&creds, DOC_KEY, DOC_SECRET, "");
    make_req(&req, "GET", "https://examplebucket.s3.amazonaws.com", "/test.txt", "s3", "us-east-1");
    assert_int_equal(aws_request_set_header(&req, "Range", "bytes=0-9"), 0);
    assert_int_equal(aws_sigv4_sign_ex(&req, &creds, DOC_TIME, NULL, &trace, err, sizeof(err)), 0);

    aws_sigv4_options_for_service("s3", &opts);
    assert_int_equal(
        aws_sigv4_canonical_request(&req, &opts, &creq, &signed_headers, err, sizeof(err)), 0);
    assert_string_equal(creq.data, trace.canonical_request.data);
    assert_string_equal(signed_headers.data, "host;range;x-amz-content-sha256;x-amz-date");
    assert_int_equal(aws_sigv4_string_to_sign(&sts, "20130524T000000Z",
                                              "20130524/us-east-1/s3/aws4_request", creq.data,
                                              creq.len),
                     0);
    assert_string_equal(sts.data,
                        "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"
                        "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972");
    assert_int_equal(aws_sigv4_signing_key(DOC_SECRET, "20130524", "us-east-1", "s3", key), 0);
    assert_int_equal(aws_sigv4_signature(key, sts.data, sts.len, sig), 0);
    assert_string_equal(sig, "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
    assert_string_equal(sig, trace.signature);

    aws_buf_free(&creq);
    aws_buf_free(&signed_headers);
    aws_buf_free(&sts);
    aws_sigv4_trace_free(&trace);
    aws_request_free(&req);
}

/* AWS General Reference, "Examples of how to derive a signing key". */
static void test_signing_key_doc_example(void **state)
{
    static const unsigned char want[32] = {
        0xf4, 0x78, 0x0e, 0x2d, 0x9f, 0x65, 0xfa, 0x89, 0x5f, 0x9c, 0x67,
        0xb3, 0x2c, 0xe1, 0xba, 0xf0, 0xb0, 0xd8, 0xa4, 0x35, 0x05, 0xa0,
        0x00, 0xa1, 0xa9, 0xe0, 0x90, 0xd4, 0x14, 0xdb, 0x40, 0x4d,
    };
    unsigned char key[32];

    (void) state;
    assert_int_equal(aws_sigv4_signing_key("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20120215",
                                           "us-east-1", "iam", key),
                     0);
    assert_memory_equal(key, want, 32);
}

static void test_signing_key_cache(void **state)
{
    unsigned long h0, m0, h1, m1;
    unsigned char k1[32], k2[32], k3[32], k4[32];

    (void) state;
    aws_sigv4_key_cache_stats(&h0, &m0);
    assert_int_equal(aws_sigv4_signing_key("cache-secret", "20240101", "eu-west-1", "sqs", k1), 0);
    aws_sigv4_key_cache_stats(&h1, &m1);
    assert_int_equal(m1, m0 + 1);
    assert_int_equal(h1, h0);

    assert_int_equal(aws_sigv4_signing_key("cache-secret", "20240101", "eu-west-1", "sqs", k2), 0);
    aws_sigv4_key_cache_stats(&h1, &m1);
    assert_int_equal(m1, m0 + 1);
    assert_int_equal(h1, h0 + 1);
    assert_memory_equal(k1, k2, 32);

    /* any element of the tuple changes the key and misses the cache */
    assert_int_equal(aws_sigv4_signing_key("cache-secret", "20240102", "eu-west-1", "sqs", k3), 0);
    assert_int_equal(aws_sigv4_signing_key("cache-secreT", "20240101", "eu-west-1", "sqs", k4), 0);
    aws_sigv4_key_cache_stats(&h1, &m1);
    assert_int_equal(m1, m0 + 3);
    assert_memory_not_equal(k1, k3, 32);
    assert_memory_not_equal(k1, k4, 32);

    /* ten more tuples push the first out of the small cache: still right */
    for (int i = 0; i < 10; i++) {
        char region[16];
        snprintf(region, sizeof(region), "r-%d", i);
        assert_int_equal(aws_sigv4_signing_key("cache-secret", "20240101", region, "sqs", k3), 0);
    }
    assert_int_equal(aws_sigv4_signing_key("cache-secret", "20240101", "eu-west-1", "sqs", k2), 0);
    assert_memory_equal(k1, k2, 32);
}

/* Signs "POST /" for sqs in REGION and returns the signature (static). */
static void sign_sqs(const char *region, time_t now, char sig[65])
{
    aws_sigv4_trace_t trace = AWS_SIGV4_TRACE_INIT;
    aws_credentials_t creds;
    aws_request_t req;
    char err[256];

    make_creds(&creds, "AKIDTHREAD", "thread-secret", "");
    make_req(&req, "POST", "https://sqs.us-east-1.amazonaws.com", "/", "sqs", region);
    assert_int_equal(aws_request_set_body(&req, "{}", 2), 0);
    assert_int_equal(aws_sigv4_sign_ex(&req, &creds, now, NULL, &trace, err, sizeof(err)), 0);
    memcpy(sig, trace.signature, 65);
    aws_sigv4_trace_free(&trace);
    aws_request_free(&req);
}

static const char *thread_regions[] = { "us-east-1", "eu-west-1", "ap-south-1", "us-west-2" };
static char thread_want[4][65];

/* Signs 200 times across the regions and counts wrong signatures. */
static void *sign_thread(void *arg)
{
    size_t i, *bad = arg;
    char sig[65];

    for (i = 0; i < 200; i++) {
        sign_sqs(thread_regions[i % 4], 1700000000, sig);
        *bad += strcmp(sig, thread_want[i % 4]) != 0;
    }
    return NULL;
}

static void test_sign_from_threads(void **state)
{
    pthread_t t[8];
    size_t bad[8] = { 0 }, i;

    (void) state;
    for (i = 0; i < 4; i++) {
        sign_sqs(thread_regions[i], 1700000000, thread_want[i]);
    }
    assert_string_not_equal(thread_want[0], thread_want[1]);
    for (i = 0; i < 8; i++) {
        assert_int_equal(pthread_create(&t[i], NULL, sign_thread, &bad[i]), 0);
    }
    for (i = 0; i < 8; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(bad[i], 0);
    }
}

static void test_canonical_uri_s3_vs_others(void **state)
{
    aws_sigv4_options_t s3, sqs;
    aws_buf_t b = AWS_BUF_INIT;

    (void) state;
    aws_sigv4_options_for_service("s3", &s3);
    aws_sigv4_options_for_service("sqs", &sqs);
    assert_false(s3.normalize_path);
    assert_false(s3.double_encode);
    assert_true(s3.sign_payload);
    assert_true(sqs.normalize_path);
    assert_true(sqs.double_encode);
    assert_false(sqs.sign_payload);

    /* S3: the path as sent, dot segments and "//" are part of the key */
    assert_int_equal(aws_sigv4_canonical_uri(&b, "/bucket/a%20b//./c", &s3), 0);
    assert_string_equal(b.data, "/bucket/a%20b//./c");
    aws_buf_reset(&b);
    assert_int_equal(aws_sigv4_canonical_uri(&b, "/bucket/../other/a/../../x", &s3), 0);
    assert_string_equal(b.data, "/bucket/../other/a/../../x");
    aws_buf_reset(&b);
    /* S3: a laxly encoded path is brought to AWS's encoding */
    assert_int_equal(aws_sigv4_canonical_uri(&b, "/bucket/a b+c%7e", &s3), 0);
    assert_string_equal(b.data, "/bucket/a%20b%2Bc~");
    aws_buf_reset(&b);
    /* others: normalised, then the encoded path is encoded again */
    assert_int_equal(aws_sigv4_canonical_uri(&b, "/x/a%20b//./c/../d", &sqs), 0);
    assert_string_equal(b.data, "/x/a%2520b/d");
    aws_buf_free(&b);
}

#define STS_PREFIX "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/sqs/aws4_request\n"

static void test_sign_sqs_headers(void **state)
{
    aws_sigv4_trace_t trace = AWS_SIGV4_TRACE_INIT;
    aws_credentials_t creds;
    aws_request_t req;
    const char *authz;
    char err[256];

    (void) state;
    make_creds(&creds, "AKIDSQS", "sqs-secret", "session-token-value");
    make_req(&req, "POST", "http://127.0.0.1:4566", "/", "sqs", "us-east-1");
    assert_int_equal(aws_request_set_header(&req, "Content-Type", "application/x-amz-json-1.0"), 0);
    assert_int_equal(aws_request_set_header(&req, "X-Amz-Target", "AmazonSQS.ReceiveMessage"), 0);
    assert_int_equal(aws_request_set_body(&req, "{\"QueueUrl\":\"q\"}", 16), 0);
    assert_int_equal(aws_sigv4_sign_ex(&req, &creds, DOC_TIME, NULL, &trace, err, sizeof(err)), 0);

    assert_string_equal(aws_request_header(&req, "Host"), "127.0.0.1:4566");
    assert_string_equal(aws_request_header(&req, "X-Amz-Security-Token"), "session-token-value");
    assert_null(aws_request_header(&req, "x-amz-content-sha256"));
    authz = aws_request_header(&req, "Authorization");
    assert_non_null(authz);
    assert_non_null(strstr(authz, "Credential=AKIDSQS/20130524/us-east-1/sqs/aws4_request, "));
    assert_non_null(strstr(authz, "SignedHeaders=content-type;host;x-amz-date;"
                                  "x-amz-security-token;x-amz-target, "));
    assert_non_null(strstr(authz, trace.signature));
    assert_null(strstr(authz, "sqs-secret"));
    assert_non_null(
        strstr(trace.canonical_request.data, "\nx-amz-target:AmazonSQS.ReceiveMessage\n"));
    assert_true(strncmp(trace.string_to_sign.data, STS_PREFIX, strlen(STS_PREFIX)) == 0);

    /* a retry signs again: headers are replaced, never repeated, and the
     * old Authorization is not signed */
    assert_int_equal(aws_sigv4_sign_ex(&req, &creds, DOC_TIME + 60, NULL, &trace, err, sizeof(err)),
                     0);
    assert_int_equal(count_headers(&req, "Authorization"), 1);
    assert_int_equal(count_headers(&req, "X-Amz-Date"), 1);
    assert_int_equal(count_headers(&req, "Host"), 1);
    assert_string_equal(aws_request_header(&req, "X-Amz-Date"), "20130524T000100Z");
    assert_null(strstr(trace.canonical_request.data, "authorization"));
    aws_sigv4_trace_free(&trace);
    aws_request_free(&req);
}

static void test_sign_values_and_repeats(void **state)
{
    aws_sigv4_trace_t trace = AWS_SIGV4_TRACE_INIT;
    aws_credentials_t creds;
    aws_request_t req;
    char err[256];

    (void) state;
    make_creds(&creds, "AKID", "secret", "");
    make_req(&req, "GET", "https://example.amazonaws.com", "/", "service", "us-east-1");
    assert_int_equal(aws_request_set_header(&req, "My-Header1", "  a   b\t c  "), 0);
    assert_int_equal(aws_request_set_header(&req, "ZZ", "z1"), 0);
    /* a repeated header placed in the array directly (the struct is public) */
    assert_int_equal(aws_request_set_header(&req, "zz-tmp", " z2 "), 0);
    req.headers[req.nheaders - 1].name[2] = '\0';
    assert_int_equal(aws_sigv4_sign_ex(&req, &creds, DOC_TIME, NULL, &trace, err, sizeof(err)), 0);
    assert_non_null(strstr(trace.canonical_request.data, "\nmy-header1:a b c\n"));
    assert_non_null(strstr(trace.canonical_request.data, "\nzz:z1,z2\n"));
    assert_non_null(strstr(trace.canonical_request.data, "\nhost;my-header1;x-amz-date;zz\n"));
    aws_sigv4_trace_free(&trace);
    aws_request_free(&req);
}

static void test_sign_errors(void **state)
{
    aws_credentials_t creds, none;
    aws_request_t req;
    char err[256];

    (void) state;
    make_creds(&creds, "AKID", "very-secret-value", "");
    make_creds(&none, "", "", "");
    make_req(&req, "GET", "https://s3.amazonaws.com", "/b/k", "s3", "us-east-1");

    err[0] = '\0';
    assert_int_equal(aws_sigv4_sign(&req, &none, DOC_TIME, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "no credentials"));
    assert_int_equal(aws_sigv4_presign(&req, &creds, DOC_TIME, 0, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "expiry"));
    assert_int_equal(aws_sigv4_presign(&req, &creds, DOC_TIME, 604801, err, sizeof(err)), -1);
    assert_int_equal(aws_sigv4_presign(&req, &creds, DOC_TIME, 604800, err, sizeof(err)), 0);
    aws_request_free(&req);

    make_req(&req, "PUT", "https://s3.amazonaws.com", "/b/k", "s3", "us-east-1");
    req.payload_hash[0] = '\0';
    assert_int_equal(aws_sigv4_sign(&req, &creds, DOC_TIME, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "payload hash"));
    assert_null(strstr(err, "very-secret-value"));
    aws_request_free(&req);

    make_req(&req, "GET", "https://s3.amazonaws.com", "/b/k", "s3", "");
    assert_int_equal(aws_sigv4_sign(&req, &creds, DOC_TIME, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "region"));
    aws_request_free(&req);
}

static void test_presign_session_token(void **state)
{
    aws_credentials_t creds;
    aws_request_t req;
    char err[256];

    (void) state;
    make_creds(&creds, "AKID", "secret", "tok/en+=");
    make_req(&req, "GET", "https://b.s3.amazonaws.com", "/k", "s3", "us-east-1");
    assert_int_equal(aws_request_set_query(&req, "versionId=3"), 0);
    assert_int_equal(aws_sigv4_presign(&req, &creds, DOC_TIME, 60, err, sizeof(err)), 0);
    assert_true(strncmp(req.query, "versionId=3&X-Amz-Algorithm=", 28) == 0);
    assert_non_null(strstr(req.query, "&X-Amz-Security-Token=tok%2Fen%2B%3D&X-Amz-Signature="));
    aws_request_free(&req);
}

static void test_request_init(void **state)
{
    aws_buf_t url = AWS_BUF_INIT;
    aws_request_t req;
    char err[256];

    (void) state;
    make_req(&req, "PUT", "https://b.s3.amazonaws.com:443/", "/k%20x", "s3", "us-east-1");
    assert_string_equal(req.host, "b.s3.amazonaws.com");
    assert_string_equal(req.scheme, "https");
    assert_string_equal(req.payload_hash, EMPTY_SHA256);
    assert_int_equal(req.body_fd, -1);
    assert_int_equal(aws_request_set_header(&req, "content-type", "a"), 0);
    assert_int_equal(aws_request_set_header(&req, "Content-Type", "b"), 0);
    assert_int_equal(req.nheaders, 1);
    assert_string_equal(aws_request_header(&req, "CONTENT-TYPE"), "b");
    assert_int_equal(aws_request_url(&req, &url), 0);
    assert_string_equal(url.data, "https://b.s3.amazonaws.com/k%20x");
    aws_buf_free(&url);
    aws_request_free(&req);

    make_req(&req, "GET", "http://127.0.0.1:4566", "/", "sqs", "us-east-1");
    assert_string_equal(req.host, "127.0.0.1:4566");
    aws_request_free(&req);
    make_req(&req, "GET", "http://localhost:80", "/", "sqs", "us-east-1");
    assert_string_equal(req.host, "localhost");
    aws_request_free(&req);

    assert_int_equal(aws_request_init(&req, "GET", "ftp://x", "/", "s3", "r", err, sizeof(err)),
                     -1);
    assert_int_equal(aws_request_init(&req, "GET", "https://", "/", "s3", "r", err, sizeof(err)),
                     -1);
    assert_int_equal(aws_request_init(&req, "GET", "https://h/p", "/", "s3", "r", err, sizeof(err)),
                     -1);
    assert_int_equal(aws_request_init(&req, "GET", "https://u@h", "/", "s3", "r", err, sizeof(err)),
                     -1);
    assert_int_equal(aws_request_init(&req, "GET", "https://h", "x", "s3", "r", err, sizeof(err)),
                     -1);
    assert_int_equal(
        aws_request_init(&req, "PROPFIND", "https://h", "/", "s3", "r", err, sizeof(err)), -1);
}

static void test_format_time(void **state)
{
    char amz[17], date[9];

    (void) state;
    assert_int_equal(aws_sigv4_format_time(1440938160, amz, date), 0);
    assert_string_equal(amz, "20150830T123600Z");
    assert_string_equal(date, "20150830");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_presign_s3_doc_example),
        cmocka_unit_test(test_sign_s3_doc_example),
        cmocka_unit_test(test_building_blocks),
        cmocka_unit_test(test_signing_key_doc_example),
        cmocka_unit_test(test_signing_key_cache),
        cmocka_unit_test(test_sign_from_threads),
        cmocka_unit_test(test_canonical_uri_s3_vs_others),
        cmocka_unit_test(test_sign_sqs_headers),
        cmocka_unit_test(test_sign_values_and_repeats),
        cmocka_unit_test(test_sign_errors),
        cmocka_unit_test(test_presign_session_token),
        cmocka_unit_test(test_request_init),
        cmocka_unit_test(test_format_time),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
