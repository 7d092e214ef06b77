/*
 * test_sns — SNS Publish in the Query protocol (aws/sns.c): the exact
 * form body and headers the builder sends, and the parser on AWS's
 * documented PublishResponse and ErrorResponse bodies.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "aws_test_support.h"
#include "sns.h"

#define TOPIC "arn:aws:sns:us-east-1:123456789012:prism-uploads"

/* AWS API reference, Publish, sample response. */
static const char publish_response[] =
    "<PublishResponse xmlns=\"https://sns.amazonaws.com/doc/2010-03-31/\">\n"
    "    <PublishResult>\n"
    "        <MessageId>567910cd-659e-55d4-8ccb-5aaf14679dc0</MessageId>\n"
    "    </PublishResult>\n"
    "    <ResponseMetadata>\n"
    "        <RequestId>d74b8436-ae13-5ab4-a9ff-ce54dfea72a0</RequestId>\n"
    "    </ResponseMetadata>\n"
    "</PublishResponse>\n";

/* The Query protocol's error document (SNS NotFound for a missing topic). */
static const char error_response[] =
    "<ErrorResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\">\n"
    "  <Error>\n"
    "    <Type>Sender</Type>\n"
    "    <Code>NotFound</Code>\n"
    "    <Message>Topic does not exist</Message>\n"
    "  </Error>\n"
    "  <RequestId>9dd01905-5012-5f99-8663-4b3ecd0dfaef</RequestId>\n"
    "</ErrorResponse>\n";

static void test_publish_request_wire_format(void **state)
{
    aws_client_t *c = test_client(NULL, AWS_S3_ADDRESSING_AUTO);
    aws_msg_attr_t attrs[] = {
        { "content_type", "String", "image/jpeg" },
        { "width", "Number", "640" },
    };
    aws_sns_publish_params_t p = { TOPIC, "{\"k\":\"a b+c/ü\"}", NULL, NULL, NULL, attrs, 2 };
    aws_buf_t body = AWS_BUF_INIT;
    aws_request_t req;
    aws_error_t err;

    (void) state;
    assert_int_equal(aws_sns_publish_request(c, &p, &req, &body, &err), 0);
    assert_string_equal(req.method, "POST");
    assert_string_equal(req.scheme, "https");
    assert_string_equal(req.host, "sns.us-east-1.amazonaws.com");
    assert_string_equal(req.path, "/");
    assert_string_equal(req.query, "");
    assert_string_equal(aws_request_header(&req, "Content-Type"),
                        "application/x-www-form-urlencoded; charset=utf-8");
    assert_string_equal((const char *) req.body,
                        "Action=Publish&Version=2010-03-31"
                        "&TopicArn=arn%3Aaws%3Asns%3Aus-east-1%3A123456789012%3Aprism-uploads"
                        "&Message=%7B%22k%22%3A%22a%20b%2Bc%2F%C3%BC%22%7D"
                        "&MessageAttributes.entry.1.Name=content_type"
                        "&MessageAttributes.entry.1.Value.DataType=String"
                        "&MessageAttributes.entry.1.Value.StringValue=image%2Fjpeg"
                        "&MessageAttributes.entry.2.Name=width"
                        "&MessageAttributes.entry.2.Value.DataType=Number"
                        "&MessageAttributes.entry.2.Value.StringValue=640");
    assert_int_equal(req.body_len, body.len);
    assert_string_equal(req.service, "sns");
    test_assert_signed(&req, "sns");
    aws_request_free(&req);
    aws_buf_free(&body);
    aws_client_free(c);
}

static void test_publish_request_optional_fields_and_endpoint(void **state)
{
    aws_client_t *c = test_client("http://127.0.0.1:4566/", AWS_S3_ADDRESSING_AUTO);
    aws_sns_publish_params_t p = { TOPIC, "m", "Sub ject", "group-1", "dedup-1", NULL, 0 };
    aws_buf_t body = AWS_BUF_INIT;
    aws_request_t req;
    aws_error_t err;

    (void) state;
    assert_int_equal(aws_sns_publish_request(c, &p, &req, &body, &err), 0);
    assert_string_equal(req.scheme, "http");
    assert_string_equal(req.host, "127.0.0.1:4566");
    assert_non_null(strstr(body.data, "&Message=m&Subject=Sub%20ject&MessageGroupId=group-1"
                                      "&MessageDeduplicationId=dedup-1"));
    assert_null(strstr(body.data, "MessageAttributes"));
    aws_request_free(&req);
    aws_buf_free(&body);
    aws_client_free(c);
}

static void test_publish_request_rejects_bad_params(void **state)
{
    aws_client_t *c = test_client(NULL, AWS_S3_ADDRESSING_AUTO);
    aws_msg_attr_t binary = { "blob", "Binary", "AAEC" };
    aws_msg_attr_t badname = { "bad name", "String", "x" };
    aws_msg_attr_t empty = { "e", "String", "" };
    aws_sns_publish_params_t p = { TOPIC, "m", NULL, NULL, NULL, &binary, 1 };
    aws_sns_publish_params_t nomsg = { TOPIC, "", NULL, NULL, NULL, NULL, 0 };
    aws_sns_publish_params_t notopic = { NULL, "m", NULL, NULL, NULL, NULL, 0 };
    aws_buf_t body = AWS_BUF_INIT;
    aws_request_t req;
    aws_error_t err;

    (void) state;
    assert_int_equal(aws_sns_publish_request(c, &p, &req, &body, &err), -1);
    assert_int_equal(err.kind, AWS_ERR_CONFIG);
    assert_non_null(strstr(err.message, "blob"));
    p.attrs = &badname;
    assert_int_equal(aws_sns_publish_request(c, &p, &req, &body, &err), -1);
    p.attrs = &empty;
    assert_int_equal(aws_sns_publish_request(c, &p, &req, &body, &err), -1);
    assert_int_equal(aws_sns_publish_request(c, &nomsg, &req, &body, &err), -1);
    assert_int_equal(aws_sns_publish_request(c, &notopic, &req, &body, &err), -1);
    assert_int_equal(err.kind, AWS_ERR_CONFIG);
    aws_buf_free(&body);
    aws_client_free(c);
}

static void test_parse_documented_publish_response(void **state)
{
    aws_response_t resp;
    aws_error_t err;
    char id[128];

    (void) state;
    test_response(&resp, 200, publish_response);
    assert_int_equal(aws_sns_publish_parse(&resp, id, sizeof(id), &err), 0);
    assert_string_equal(id, "567910cd-659e-55d4-8ccb-5aaf14679dc0");
    assert_int_equal(err.kind, AWS_ERR_NONE);
    aws_response_free(&resp);
}

static void test_parse_documented_error_response(void **state)
{
    aws_response_t resp;
    aws_error_t err;
    char id[128];

    (void) state;
    test_response(&resp, 404, error_response);
    snprintf(resp.request_id, sizeof(resp.request_id), "header-id");
    assert_int_equal(aws_sns_publish_parse(&resp, id, sizeof(id), &err), -1);
    assert_int_equal(err.kind, AWS_ERR_HTTP);
    assert_int_equal(err.http_status, 404);
    assert_string_equal(err.code, "NotFound");
    assert_string_equal(err.message, "Topic does not exist");
    assert_string_equal(err.request_id, "9dd01905-5012-5f99-8663-4b3ecd0dfaef");
    assert_false(aws_error_retryable(&err));
    aws_response_free(&resp);
}

static void test_parse_throttling_is_retryable(void **state)
{
    const char *body = "<ErrorResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\"><Error>"
                       "<Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message>"
                       "</Error><RequestId>r</RequestId></ErrorResponse>";
    aws_response_t resp;
    aws_error_t err;
    char id[64];

    (void) state;
    test_response(&resp, 400, body);
    assert_int_equal(aws_sns_publish_parse(&resp, id, sizeof(id), &err), -1);
    assert_string_equal(err.code, "Throttling");
    assert_true(aws_error_retryable(&err));
    aws_response_free(&resp);
}

static void test_parse_non_xml_error_uses_status(void **state)
{
    aws_response_t resp;
    aws_error_t err;
    char id[64];

    (void) state;
    test_response(&resp, 503, "<html>Service Unavailable</html");
    snprintf(resp.request_id, sizeof(resp.request_id), "hdr-7");
    assert_int_equal(aws_sns_publish_parse(&resp, id, sizeof(id), &err), -1);
    assert_int_equal(err.kind, AWS_ERR_HTTP);
    assert_string_equal(err.code, "ServiceUnavailable");
    assert_string_equal(err.request_id, "hdr-7");
    assert_true(aws_error_retryable(&err));
    aws_response_free(&resp);
}

static void test_parse_success_without_id_is_a_parse_error(void **state)
{
    aws_response_t resp;
    aws_error_t err;
    char id[64], tiny[8];

    (void) state;
    test_response(&resp, 200, "<PublishResponse><PublishResult/></PublishResponse>");
    assert_int_equal(aws_sns_publish_parse(&resp, id, sizeof(id), &err), -1);
    assert_int_equal(err.kind, AWS_ERR_PARSE);
    aws_response_free(&resp);

    test_response(&resp, 200, "garbage");
    assert_int_equal(aws_sns_publish_parse(&resp, id, sizeof(id), &err), -1);
    assert_int_equal(err.kind, AWS_ERR_PARSE);
    aws_response_free(&resp);

    test_response(&resp, 200, publish_response);
    assert_int_equal(aws_sns_publish_parse(&resp, tiny, sizeof(tiny), &err), -1);
    assert_int_equal(err.kind, AWS_ERR_PARSE);
    aws_response_free(&resp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_publish_request_wire_format),
        cmocka_unit_test(test_publish_request_optional_fields_and_endpoint),
        cmocka_unit_test(test_publish_request_rejects_bad_params),
        cmocka_unit_test(test_parse_documented_publish_response),
        cmocka_unit_test(test_parse_documented_error_response),
        cmocka_unit_test(test_parse_throttling_is_retryable),
        cmocka_unit_test(test_parse_non_xml_error_uses_status),
        cmocka_unit_test(test_parse_success_without_id_is_a_parse_error),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
