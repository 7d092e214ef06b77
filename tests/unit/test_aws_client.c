/*
 * test_aws_client — client configuration (aws/aws_client.c): endpoint
 * resolution and precedence, TLS verification rules, S3 sizes, and the
 * configuration errors it refuses.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "aws_test_support.h"

static const aws_cred_config_t creds = { TEST_KEY, TEST_SECRET, NULL, NULL, NULL, 1 };

static void test_default_endpoints(void **state)
{
    aws_client_t *c = test_client(NULL, AWS_S3_ADDRESSING_AUTO);
    aws_http_opts_t o;

    (void) state;
    assert_string_equal(aws_client_region(c), "us-east-1");
    assert_string_equal(aws_client_endpoint(c, "sns"), "https://sns.us-east-1.amazonaws.com");
    assert_string_equal(aws_client_endpoint(c, "sqs"), "https://sqs.us-east-1.amazonaws.com");
    assert_string_equal(aws_client_endpoint(c, "s3"), "https://s3.us-east-1.amazonaws.com");
    assert_string_equal(aws_client_endpoint(c, "dynamodb"),
                        "https://dynamodb.us-east-1.amazonaws.com");
    assert_false(aws_client_endpoint_is_custom(c, "sqs"));
    assert_false(aws_client_endpoint_is_custom(c, "dynamodb"));
    aws_client_http_opts(c, "sqs", &o);
    assert_true(o.verify_tls);
    assert_int_equal(o.timeout_ms, AWS_CLIENT_DEFAULT_TIMEOUT_MS);
    assert_int_equal(o.connect_timeout_ms, AWS_CLIENT_DEFAULT_CONNECT_TIMEOUT_MS);
    assert_null(o.cancel);
    assert_int_equal(aws_client_s3_multipart_threshold(c), AWS_S3_DEFAULT_MULTIPART_THRESHOLD);
    assert_int_equal(aws_client_s3_part_size(c), AWS_S3_DEFAULT_PART_SIZE);
    aws_client_free(c);
}

static void test_endpoint_precedence_and_tls(void **state)
{
    const aws_endpoint_t extra[] = { { "dynamodb", "https://ddb.internal:8443/" } };
    aws_client_config_t cfg = { 0 };
    aws_client_t *c;
    aws_http_opts_t o;
    aws_error_t err;

    (void) state;
    cfg.region = "eu-west-1";
    cfg.endpoint = "https://all.example:4566/";
    cfg.endpoint_s3 = "https://minio.example:9000";
    cfg.endpoints = extra;
    cfg.nendpoints = 1;
    cfg.insecure_custom_endpoints = 1;
    cfg.ca_file = "/etc/ssl/certs/ca-certificates.crt";
    cfg.timeout_ms = 1234;
    cfg.credentials = &creds;
    c = aws_client_new(&cfg, &err);
    assert_non_null(c);
    assert_string_equal(aws_client_endpoint(c, "s3"), "https://minio.example:9000");
    assert_string_equal(aws_client_endpoint(c, "sqs"), "https://all.example:4566");
    assert_string_equal(aws_client_endpoint(c, "dynamodb"), "https://ddb.internal:8443");
    assert_string_equal(aws_client_endpoint(c, "kms"), "https://all.example:4566");
    assert_true(aws_client_endpoint_is_custom(c, "sns"));
    aws_client_http_opts(c, "s3", &o);
    assert_false(o.verify_tls);
    assert_string_equal(o.ca_file, "/etc/ssl/certs/ca-certificates.crt");
    assert_int_equal(o.timeout_ms, 1234);
    aws_client_free(c);

    /* insecure applies to configured endpoints only, never to AWS's own */
    cfg.endpoint = NULL;
    cfg.nendpoints = 0;
    c = aws_client_new(&cfg, &err);
    assert_non_null(c);
    aws_client_http_opts(c, "s3", &o);
    assert_false(o.verify_tls);
    aws_client_http_opts(c, "sqs", &o);
    assert_true(o.verify_tls);
    assert_string_equal(aws_client_endpoint(c, "sqs"), "https://sqs.eu-west-1.amazonaws.com");
    aws_client_free(c);
}

static void test_configuration_errors(void **state)
{
    const aws_endpoint_t noservice[] = { { NULL, "https://x" } };
    aws_cred_config_t half = { "AKID", NULL, NULL, NULL, NULL, 1 };
    aws_client_config_t cfg = { 0 };
    aws_error_t err;

    (void) state;
    cfg.region = "us-east-1";
    cfg.credentials = &creds;
    cfg.endpoint = "ftp://example";
    assert_null(aws_client_new(&cfg, &err));
    assert_int_equal(err.kind, AWS_ERR_CONFIG);
    cfg.endpoint = "https://example/path";
    assert_null(aws_client_new(&cfg, &err));
    cfg.endpoint = NULL;
    cfg.endpoint_sqs = "http://";
    assert_null(aws_client_new(&cfg, &err));
    cfg.endpoint_sqs = NULL;
    cfg.endpoints = noservice;
    cfg.nendpoints = 1;
    assert_null(aws_client_new(&cfg, &err));
    cfg.nendpoints = 0;
    cfg.s3_part_size = 1024 * 1024;
    assert_null(aws_client_new(&cfg, &err));
    assert_non_null(strstr(err.message, "part size"));
    cfg.s3_part_size = 0;
    cfg.credentials = &half;
    assert_null(aws_client_new(&cfg, &err));
    assert_int_equal(err.kind, AWS_ERR_CONFIG);
}

static void test_sign_uses_the_provider(void **state)
{
    aws_client_t *c = test_client(NULL, AWS_S3_ADDRESSING_AUTO);
    aws_request_t req;
    aws_error_t err;

    (void) state;
    assert_int_equal(aws_client_request_init(c, &req, "POST", "sqs", NULL, "/", &err), 0);
    assert_string_equal(req.host, "sqs.us-east-1.amazonaws.com");
    assert_string_equal(req.region, "us-east-1");
    assert_int_equal(aws_client_sign_at(c, &req, 1369353600, &err), 0);
    assert_string_equal(aws_request_header(&req, "X-Amz-Date"), "20130524T000000Z");
    test_assert_signed(&req, "sqs");
    aws_request_free(&req);
    aws_client_free(c);
}

static void test_retry_policy_from_config(void **state)
{
    aws_client_config_t cfg = { 0 };
    aws_error_t err, net;
    aws_client_t *c;
    unsigned delay;
    int i;

    (void) state;
    cfg.region = "us-east-1";
    cfg.credentials = &creds;
    cfg.retry.max_attempts = 2;
    cfg.retry.base_ms = 10;
    c = aws_client_new(&cfg, &err);
    assert_non_null(c);
    assert_int_equal(aws_client_retry_policy(c)->max_attempts, 2);
    assert_int_equal(aws_client_retry_policy(c)->base_ms, 10);
    aws_error_set(&net, AWS_ERR_NETWORK, "reset");
    for (i = 0; i < 50; i++) {
        assert_int_equal(aws_client_retry_next(c, 1, &net, -1, &delay), 1);
        assert_true(delay <= 10);
    }
    assert_int_equal(aws_client_retry_next(c, 2, &net, -1, &delay), 0);
    aws_client_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_endpoints),
        cmocka_unit_test(test_endpoint_precedence_and_tls),
        cmocka_unit_test(test_configuration_errors),
        cmocka_unit_test(test_sign_uses_the_provider),
        cmocka_unit_test(test_retry_policy_from_config),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
