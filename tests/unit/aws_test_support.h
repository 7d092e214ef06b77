/*
 * aws_test_support — helpers shared by the AWS service unit tests:
 * a client with fixed test credentials, canned responses, JSON bodies.
 * Include after <cmocka.h>.
 */
#ifndef AWS_TEST_SUPPORT_H
#define AWS_TEST_SUPPORT_H

#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "aws_client.h"
#include "aws_http.h"
#include "aws_request.h"

#define TEST_KEY    "AKIDTESTPRISM"
#define TEST_SECRET "test-secret-never-printed"

/* Returns a client for us-east-1 with test keys and the given overrides
 * (endpoint for every service, or NULL), failing the test otherwise. */
static inline aws_client_t *test_client(const char *endpoint, aws_s3_addressing_t addressing)
{
    aws_cred_config_t creds = { TEST_KEY, TEST_SECRET, NULL, NULL, NULL, 1 };
    aws_client_config_t cfg = { 0 };
    aws_error_t err;
    aws_client_t *c;

    cfg.region = "us-east-1";
    cfg.endpoint = endpoint;
    cfg.s3_addressing = addressing;
    cfg.credentials = &creds;
    c = aws_client_new(&cfg, &err);
    if (c == NULL) {
        fail_msg("aws_client_new: %s", err.message);
    }
    return c;
}

/* Initialises resp as a received response with status and body. */
static inline void test_response(aws_response_t *resp, long status, const char *body)
{
    aws_response_init(resp);
    resp->status = status;
    assert_int_equal(aws_buf_puts(&resp->body, body), 0);
}

/* Returns the request body as a new JSON object, failing the test when
 * it does not parse. */
static inline json_t *test_json_body(const aws_request_t *req)
{
    json_error_t jerr;
    json_t *doc = json_loadb(req->body, req->body_len, 0, &jerr);

    if (!json_is_object(doc)) {
        fail_msg("request body is not a JSON object: %s", jerr.text);
    }
    return doc;
}

/* Asserts that req carries a SigV4 Authorization for SERVICE with the
 * test key, an X-Amz-Date, and that the secret appears nowhere. */
static inline void test_assert_signed(const aws_request_t *req, const char *service)
{
    const char *auth = aws_request_header(req, "Authorization");
    char scope[64];
    size_t i;

    assert_non_null(auth);
    assert_non_null(aws_request_header(req, "X-Amz-Date"));
    assert_int_equal(strncmp(auth, "AWS4-HMAC-SHA256 Credential=" TEST_KEY "/",
                             strlen("AWS4-HMAC-SHA256 Credential=" TEST_KEY "/")),
                     0);
    snprintf(scope, sizeof(scope), "/us-east-1/%s/aws4_request", service);
    assert_non_null(strstr(auth, scope));
    for (i = 0; i < req->nheaders; i++) {
        assert_null(strstr(req->headers[i].value, TEST_SECRET));
    }
}

#endif
