/*
 * test_conformance — noticing answers that lack what AWS documents
 * (aws/aws_conformance.c and the parsers that use it): a ReceiveMessage
 * answer without the ApproximateReceiveCount it was asked for, a 2xx
 * answer without the protocol's content type, a GetQueueAttributes
 * answer without requested attributes; and how prism-host counts them
 * (prism_conformance_warnings_total{kind}) and warns once per endpoint
 * and kind (host/metrics.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "aws_conformance.h"
#include "aws_test_support.h"
#include "metrics.h"
#include "sqs.h"

#define MSG(extra) "{\"MessageId\":\"m\",\"ReceiptHandle\":\"r\",\"Body\":\"b\"" extra "}"

/* Parses BODY (status 200, Content-Type CTYPE, NULL: none) as a
 * ReceiveMessage answer; returns its findings. */
static unsigned receive_findings(const char *body, const char *ctype)
{
    aws_sqs_messages_t out = AWS_SQS_MESSAGES_INIT;
    aws_response_t resp;
    aws_error_t err;
    unsigned found;

    test_response(&resp, 200, body);
    if (ctype != NULL) {
        snprintf(resp.content_type, sizeof(resp.content_type), "%s", ctype);
    }
    assert_int_equal(aws_sqs_receive_parse(&resp, &out, &err), 0);
    found = out.nonconforming;
    aws_sqs_messages_free(&out);
    aws_response_free(&resp);
    return found;
}

static void test_receive_count_missing(void **state)
{
    const char *json = "application/x-amz-json-1.0";

    (void) state;
    assert_int_equal(
        receive_findings(
            "{\"Messages\":[" MSG(",\"Attributes\":{\"ApproximateReceiveCount\":\"2\"}") "]}",
            json),
        0);
    assert_int_equal(
        receive_findings(
            "{\"Messages\":[" MSG(",\"Attributes\":{\"ApproximateReceiveCount\":\"2\"}") "," MSG(
                ",\"Attributes\":{\"SentTimestamp\":\"1\"}") "]}",
            json),
        AWS_CONF_BIT(AWS_CONF_RECEIVE_COUNT));
    assert_int_equal(receive_findings("{\"Messages\":[" MSG("") "]}", json),
                     AWS_CONF_BIT(AWS_CONF_RECEIVE_COUNT));
    /* an empty poll lacks nothing */
    assert_int_equal(receive_findings("{}", json), 0);
}

static void test_content_type(void **state)
{
    const char *ok =
        "{\"Messages\":[" MSG(",\"Attributes\":{\"ApproximateReceiveCount\":\"1\"}") "]}";

    (void) state;
    assert_int_equal(receive_findings(ok, "application/x-amz-json-1.0; charset=utf-8"), 0);
    assert_int_equal(receive_findings(ok, "Application/X-Amz-JSON-1.0"), 0);
    assert_int_equal(receive_findings(ok, "application/json"), AWS_CONF_BIT(AWS_CONF_CONTENT_TYPE));
    assert_int_equal(receive_findings(ok, "text/html"), AWS_CONF_BIT(AWS_CONF_CONTENT_TYPE));
    assert_int_equal(receive_findings(ok, NULL), AWS_CONF_BIT(AWS_CONF_CONTENT_TYPE));
    assert_int_equal(receive_findings(ok, "application/x-amz-json-1.00"),
                     AWS_CONF_BIT(AWS_CONF_CONTENT_TYPE));
}

static void test_attributes_missing(void **state)
{
    const char *names[] = { "VisibilityTimeout", "RedrivePolicy", "Policy" };
    aws_sqs_queue_attrs_t got = AWS_SQS_QUEUE_ATTRS_INIT;
    aws_buf_t list = AWS_BUF_INIT;
    aws_response_t resp;
    aws_error_t err;

    (void) state;
    test_response(&resp, 200, "{\"Attributes\":{\"VisibilityTimeout\":\"30\",\"Other\":\"x\"}}");
    assert_int_equal(aws_sqs_get_attributes_parse(&resp, &got, &err), 0);
    assert_int_equal(aws_sqs_attrs_missing(&got, names, 3, &list), 2);
    assert_string_equal(list.data, "RedrivePolicy, Policy");
    aws_buf_reset(&list);
    assert_int_equal(aws_sqs_attrs_missing(&got, names, 1, &list), 0);
    assert_true(list.len == 0);
    aws_buf_free(&list);
    aws_sqs_queue_attrs_free(&got);
    aws_response_free(&resp);
}

static void test_kind_names(void **state)
{
    (void) state;
    assert_string_equal(aws_conf_kind_name(AWS_CONF_RECEIVE_COUNT), "receive_count");
    assert_string_equal(aws_conf_kind_name(AWS_CONF_ATTRIBUTES), "attributes");
    assert_string_equal(aws_conf_kind_name(AWS_CONF_CONTENT_TYPE), "content_type");
}

static void test_host_counts_and_warns_once(void **state)
{
    aws_buf_t text = AWS_BUF_INIT;
    char err[128];
    host_metrics_t *m = host_metrics_create(err, sizeof(err));

    (void) state;
    assert_non_null(m);
    assert_int_equal(host_metrics_conformance(m, AWS_CONF_RECEIVE_COUNT, "http://a:1"), 1);
    assert_int_equal(host_metrics_conformance(m, AWS_CONF_RECEIVE_COUNT, "http://a:1"), 0);
    assert_int_equal(host_metrics_conformance(m, AWS_CONF_CONTENT_TYPE, "http://a:1"), 1);
    assert_int_equal(host_metrics_conformance(m, AWS_CONF_RECEIVE_COUNT, "http://b:2"), 1);
    assert_int_equal(host_metrics_render(m, 1, &text), 0);
    assert_non_null(strstr(text.data, "# TYPE prism_conformance_warnings_total counter\n"));
    assert_non_null(
        strstr(text.data, "prism_conformance_warnings_total{kind=\"receive_count\"} 3\n"));
    assert_non_null(
        strstr(text.data, "prism_conformance_warnings_total{kind=\"content_type\"} 1\n"));
    assert_non_null(strstr(text.data, "prism_conformance_warnings_total{kind=\"attributes\"} 0\n"));
    aws_buf_free(&text);
    host_metrics_destroy(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_receive_count_missing),      cmocka_unit_test(test_content_type),
        cmocka_unit_test(test_attributes_missing),         cmocka_unit_test(test_kind_names),
        cmocka_unit_test(test_host_counts_and_warns_once),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
