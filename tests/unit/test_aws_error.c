/*
 * test_aws_error — error classification (what is retried) and the
 * one-line formatter of aws/aws_error.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "aws_error.h"

/* Returns a service error with status and code. */
static aws_error_t service_error(long status, const char *code)
{
    aws_error_t e;

    aws_error_set_service(&e, status, code, "message", "req-1");
    return e;
}

static void test_transport_errors_are_retryable(void **state)
{
    aws_error_t e;

    (void) state;
    aws_error_set(&e, AWS_ERR_NETWORK, "Connection refused");
    assert_true(aws_error_retryable(&e));
    aws_error_set(&e, AWS_ERR_TIMEOUT, "Operation timed out");
    assert_true(aws_error_retryable(&e));
}

static void test_local_errors_are_permanent(void **state)
{
    const aws_err_kind_t kinds[] = { AWS_ERR_NONE,        AWS_ERR_PARSE,     AWS_ERR_CONFIG,
                                     AWS_ERR_CREDENTIALS, AWS_ERR_TOO_LARGE, AWS_ERR_NOMEM,
                                     AWS_ERR_IO,          AWS_ERR_CANCELLED };
    aws_error_t e;
    size_t i;

    (void) state;
    for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        aws_error_set(&e, kinds[i], "x");
        assert_false(aws_error_retryable(&e));
    }
    assert_false(aws_error_retryable(NULL));
}

static void test_5xx_and_throttling_are_retryable(void **state)
{
    const struct {
        long status;
        const char *code;
    } retry[] = {
        { 500, "InternalError" },
        { 503, "ServiceUnavailable" },
        { 502, "" },
        { 504, "Http504" },
        { 503, "SlowDown" },
        { 400, "Throttling" },
        { 400, "ThrottlingException" },
        { 403, "RequestThrottled" },
        { 400, "TooManyRequestsException" },
        { 400, "ProvisionedThroughputExceededException" },
        { 503, "RequestLimitExceeded" },
        { 400, "KMSThrottlingException" },
        { 429, "" },
        { 429, "SomethingNew" },
        { 403, "RequestTimeTooSkewed" },
        { 400, "RequestExpired" },
        { 400, "RequestInTheFuture" },
        { 200, "InternalError" },
        { 409, "ConditionalRequestConflict" },
    };
    aws_error_t e;
    size_t i;

    (void) state;
    for (i = 0; i < sizeof(retry) / sizeof(retry[0]); i++) {
        e = service_error(retry[i].status, retry[i].code);
        if (!aws_error_retryable(&e)) {
            fail_msg("%ld %s should be retryable", retry[i].status, retry[i].code);
        }
    }
}

static void test_other_4xx_are_permanent(void **state)
{
    const struct {
        long status;
        const char *code;
    } permanent[] = {
        { 400, "QueueDoesNotExist" },
        { 404, "NoSuchKey" },
        { 404, "NotFound" },
        { 403, "AccessDenied" },
        { 403, "SignatureDoesNotMatch" },
        { 400, "InvalidParameter" },
        { 400, "ReceiptHandleIsInvalid" },
        { 403, "InvalidClientTokenId" },
        { 409, "Conflict" },
        { 400, "EntityTooSmall" },
        { 412, "PreconditionFailed" },
    };
    aws_error_t e;
    size_t i;

    (void) state;
    for (i = 0; i < sizeof(permanent) / sizeof(permanent[0]); i++) {
        e = service_error(permanent[i].status, permanent[i].code);
        if (aws_error_retryable(&e)) {
            fail_msg("%ld %s should be permanent", permanent[i].status, permanent[i].code);
        }
    }
}

static void test_throttling_and_code_match(void **state)
{
    aws_error_t e = service_error(400, "ThrottlingException");

    (void) state;
    assert_true(aws_error_is_throttling(&e));
    assert_true(aws_error_is(&e, "ThrottlingException"));
    assert_false(aws_error_is(&e, "Throttling"));
    e = service_error(500, "InternalError");
    assert_false(aws_error_is_throttling(&e));
    e = service_error(429, "");
    assert_true(aws_error_is_throttling(&e));
    aws_error_set(&e, AWS_ERR_NETWORK, "ThrottlingException");
    assert_false(aws_error_is(&e, "ThrottlingException"));
}

static void test_format_service_error_one_line(void **state)
{
    aws_error_t e;
    char line[256];

    (void) state;
    aws_error_set_service(&e, 404, "NoSuchKey", "The specified key\ndoes not exist.",
                          "4442587FB7D0A2F9");
    assert_string_equal(aws_error_format(&e, line, sizeof(line)),
                        "http 404 NoSuchKey: The specified key does not exist. "
                        "(request id 4442587FB7D0A2F9)");
    assert_null(strchr(line, '\n'));
}

static void test_format_transport_error(void **state)
{
    aws_error_t e;
    char line[256];

    (void) state;
    aws_error_set(&e, AWS_ERR_TIMEOUT, "Operation timed out after %d milliseconds", 5001);
    assert_string_equal(aws_error_format(&e, line, sizeof(line)),
                        "timeout: Operation timed out after 5001 milliseconds");
    aws_error_set(&e, AWS_ERR_TOO_LARGE, "body over 10 bytes");
    e.http_status = 200;
    assert_string_equal(aws_error_format(&e, line, sizeof(line)),
                        "too-large (http 200): body over 10 bytes");
    aws_error_clear(&e);
    assert_string_equal(aws_error_format(&e, line, sizeof(line)), "no error");
}

static void test_format_truncates_safely(void **state)
{
    aws_error_t e;
    char line[16];

    (void) state;
    aws_error_set_service(&e, 503, "ServiceUnavailable", "Please reduce your request rate.", "ABC");
    aws_error_format(&e, line, sizeof(line));
    assert_int_equal(strlen(line), sizeof(line) - 1);
    assert_int_equal(strncmp(line, "http 503 Servic", 15), 0);
}

static void test_setters_truncate_and_keep_first_request_id(void **state)
{
    char long_code[200];
    aws_error_t e;

    (void) state;
    memset(long_code, 'C', sizeof(long_code) - 1);
    long_code[sizeof(long_code) - 1] = '\0';
    aws_error_set_service(&e, 400, long_code, NULL, NULL);
    assert_int_equal(e.kind, AWS_ERR_HTTP);
    assert_int_equal(strlen(e.code), sizeof(e.code) - 1);
    assert_string_equal(e.message, "");
    aws_error_set_request_id(&e, "from-header");
    aws_error_set_request_id(&e, "second");
    assert_string_equal(e.request_id, "from-header");
    aws_error_set(&e, AWS_ERR_CONFIG, "reset");
    assert_int_equal(e.http_status, 0);
    assert_string_equal(e.code, "");
    assert_string_equal(e.request_id, "");
    aws_error_set(NULL, AWS_ERR_CONFIG, "ignored");
}

static void test_kind_names(void **state)
{
    (void) state;
    assert_string_equal(aws_err_kind_name(AWS_ERR_NETWORK), "network");
    assert_string_equal(aws_err_kind_name(AWS_ERR_HTTP), "http");
    assert_string_equal(aws_err_kind_name(AWS_ERR_CANCELLED), "cancelled");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_transport_errors_are_retryable),
        cmocka_unit_test(test_local_errors_are_permanent),
        cmocka_unit_test(test_5xx_and_throttling_are_retryable),
        cmocka_unit_test(test_other_4xx_are_permanent),
        cmocka_unit_test(test_throttling_and_code_match),
        cmocka_unit_test(test_format_service_error_one_line),
        cmocka_unit_test(test_format_transport_error),
        cmocka_unit_test(test_format_truncates_safely),
        cmocka_unit_test(test_setters_truncate_and_keep_first_request_id),
        cmocka_unit_test(test_kind_names),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
