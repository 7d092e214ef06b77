/*
 * test_sqs — SQS in AWS JSON 1.0 (aws/sqs*.c): request bodies and
 * headers per action, parsers on AWS's documented ReceiveMessage,
 * SendMessage and DeleteMessageBatch answers, batch failures on HTTP
 * 200, and the JSON / x-amzn-query-error error forms.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "aws_test_support.h"
#include "sqs.h"

/* The emulator hands out URLs on another host: requests never go there. */
#define QUEUE "http://sqs.us-east-1.localhost:4566/123456789012/prism-thumbnail"
#define RECEIPT_1                                                                                  \
    "AQEBaZ+j5qUoOAoxlmrCQPkBm9njMWXqemmIG6shMHCO6fV20JrQYg/AiZ8JELwLwOu5U61W+aIX5Qzu7GGofx"       \
    "Juvzymr4Ph53RiR0mudj4InLSgpSspYeTRDteBye5tV/txbZDdNZxsi+qqZA9xPnmMscKQqF6pGhnGIKrnkYGl"       \
    "45Nl6GPIZv62LrIRb6mSqOn1fn0yqrvmWuuY3w2UzQbaYunJWGxpzZze21EOBtywknU3Je/g7G9is+c6K9hGni"       \
    "ddzhLkK1tHzZKjejOU4jokaiB4nmi0dF3JqLzDsQuPF0Gi8qffhEvw56nl8QCbluSJScFhJYvoagGnDbwOnd9z"       \
    "50L239qtFIgETdpKyirlWwl/NGjWJ45dqWpiW3d2Ws7q"

/* AWS API reference, ReceiveMessage, JSON protocol sample response. */
static const char receive_response[] =
    "{\n"
    "    \"Messages\": [\n"
    "        {\n"
    "            \"Attributes\": {\n"
    "                \"SenderId\": \"AIDASSYFHUBOBT7F4XT75\",\n"
    "                \"ApproximateFirstReceiveTimestamp\": \"1677112433437\",\n"
    "                \"ApproximateReceiveCount\": \"1\",\n"
    "                \"SentTimestamp\": \"1677112427387\"\n"
    "            },\n"
    "            \"Body\": \"This is a test message\",\n"
    "            \"MD5OfBody\": \"fafb00f5732ab283681e124bf8747ed1\",\n"
    "            \"MessageId\": \"219f8380-5770-4cc2-8c3e-5c715e145f5e\",\n"
    "            \"ReceiptHandle\": \"" RECEIPT_1 "\"\n"
    "        }\n"
    "    ]\n"
    "}";

/* AWS API reference, SendMessage, JSON protocol sample response. */
static const char send_response[] =
    "{\n"
    "    \"MD5OfMessageAttributes\": \"c48838208d2b4e14e3ca0093a8443f09\",\n"
    "    \"MD5OfMessageBody\": \"fafb00f5732ab283681e124bf8747ed1\",\n"
    "    \"MessageId\": \"219f8380-5770-4cc2-8c3e-5c715e145f5e\"\n"
    "}";

/* AWS API reference, DeleteMessageBatch sample response, with a Failed
 * entry shaped as BatchResultErrorEntry. */
static const char batch_response[] = "{\n"
                                     "    \"Failed\": [\n"
                                     "        {\n"
                                     "            \"Code\": \"ReceiptHandleIsInvalid\",\n"
                                     "            \"Id\": \"msg3\",\n"
                                     "            \"Message\": \"The input receipt handle "
                                     "\\\"bogus\\\" is not a valid receipt handle.\",\n"
                                     "            \"SenderFault\": true\n"
                                     "        }\n"
                                     "    ],\n"
                                     "    \"Successful\": [\n"
                                     "        {\n"
                                     "            \"Id\": \"msg2\"\n"
                                     "        },\n"
                                     "        {\n"
                                     "            \"Id\": \"msg1\"\n"
                                     "        }\n"
                                     "    ]\n"
                                     "}";

/* Asserts the JSON 1.0 envelope of req for ACTION. */
static void assert_json_request(const aws_request_t *req, const char *action)
{
    char target[64];

    snprintf(target, sizeof(target), "AmazonSQS.%s", action);
    assert_string_equal(req->method, "POST");
    assert_string_equal(req->host, "sqs.us-east-1.amazonaws.com");
    assert_string_equal(req->path, "/");
    assert_string_equal(aws_request_header(req, "X-Amz-Target"), target);
    assert_string_equal(aws_request_header(req, "Content-Type"), "application/x-amz-json-1.0");
    test_assert_signed(req, "sqs");
}

static void test_receive_request_wire_format(void **state)
{
    aws_client_t *c = test_client(NULL, AWS_S3_ADDRESSING_AUTO);
    aws_sqs_receive_params_t p = { QUEUE, 20, 10, 45, NULL };
    aws_buf_t body = AWS_BUF_INIT;
    aws_request_t req;
    aws_error_t err;
    json_t *doc, *sys;

    (void) state;
    assert_int_equal(aws_sqs_receive_request(c, &p, &req, &body, &err), 0);
    assert_json_request(&req, "ReceiveMessage");
    doc = test_json_body(&req);
    assert_string_equal(json_string_value(json_object_get(doc, "QueueUrl")), QUEUE);
    assert_int_equal(json_integer_value(json_object_get(doc, "WaitTimeSeconds")), 20);
    assert_int_equal(json_integer_value(json_object_get(doc, "MaxNumberOfMessages")), 10);
    assert_int_equal(json_integer_value(json_object_get(doc, "VisibilityTimeout")), 45);
    sys = json_object_get(doc, "MessageSystemAttributeNames");
    assert_true(json_is_array(sys));
    assert_string_equal(json_string_value(json_array_get(sys, 0)), "ApproximateReceiveCount");
    assert_string_equal(
        json_string_value(json_array_get(json_object_get(doc, "MessageAttributeNames"), 0)), "All");
    assert_int_equal(aws_sqs_receive_timeout_ms(&p), 30000);
    json_decref(doc);
    aws_request_free(&req);

    /* defaults: one message, queue's visibility timeout (field omitted) */
    p.max_messages = 0;
    p.visibility_timeout = -1;
    p.wait_seconds = 0;
    assert_int_equal(aws_sqs_receive_request(c, &p, &req, &body, &err), 0);
    doc = test_json_body(&req);
    assert_int_equal(json_integer_value(json_object_get(doc, "MaxNumberOfMessages")), 1);
    assert_null(json_object_get(doc, "VisibilityTimeout"));
    assert_true(aws_sqs_receive_timeout_ms(&p) > 0);
    json_decref(doc);
    aws_request_free(&req);
    aws_buf_free(&body);
    aws_client_free(c);
}

static void test_receive_request_goes_to_the_configured_endpoint(void **state)
{
    aws_client_t *c = test_client("http://127.0.0.1:4566", AWS_S3_ADDRESSING_AUTO);
    aws_sqs_receive_params_t p = { QUEUE, 1, 1, -1, NULL };
    aws_buf_t body = AWS_BUF_INIT;
    aws_request_t req;
    aws_error_t err;

    (void) state;
    assert_int_equal(aws_sqs_receive_request(c, &p, &req, &body, &err), 0);
    assert_string_equal(req.host, "127.0.0.1:4566");
    assert_string_equal(req.path, "/");
    aws_request_free(&req);
    aws_buf_free(&body);
    aws_client_free(c);
}

static void test_receive_request_rejects_out_of_range(void **state)
{
    aws_client_t *c = test_client(NULL, AWS_S3_ADDRESSING_AUTO);
    aws_sqs_receive_params_t waits = { QUEUE, 21, 1, -1, NULL };
    aws_sqs_receive_params_t many = { QUEUE, 0, 11, -1, NULL };
    aws_sqs_receive_params_t nourl = { NULL, 0, 1, -1, NULL };
    aws_buf_t body = AWS_BUF_INIT;
    aws_request_t req;
    aws_error_t err;

    (void) state;
    assert_int_equal(aws_sqs_receive_request(c, &waits, &req, &body, &err), -1);
    assert_int_equal(err.kind, AWS_ERR_CONFIG);
    assert_int_equal(aws_sqs_receive_request(c, &many, &req, &body, &err), -1);
    assert_int_equal(err.kind, AWS_ERR_CONFIG);
    assert_int_equal(aws_sqs_receive_request(c, &nourl, &req, &body, &err), -1);
    assert_int_equal(err.kind, AWS_ERR_CONFIG);
    aws_buf_free(&body);
    aws_client_free(c);
}

static void test_parse_documented_receive_response(void **state)
{
    aws_sqs_messages_t out = AWS_SQS_MESSAGES_INIT;
    aws_response_t resp;
    aws_error_t err;

    (void) state;
    test_response(&resp, 200, receive_response);
    assert_int_equal(aws_sqs_receive_parse(&resp, &out, &err), 0);
    assert_int_equal(out.n, 1);
    assert_string_equal(out.msgs[0].message_id, "219f8380-5770-4cc2-8c3e-5c715e145f5e");
    assert_string_equal(out.msgs[0].receipt_handle, RECEIPT_1);
    assert_string_equal(out.msgs[0].body, "This is a test message");
    assert_int_equal(out.msgs[0].body_len, strlen("This is a test message"));
    assert_string_equal(out.msgs[0].md5_of_body, "fafb00f5732ab283681e124bf8747ed1");
    assert_int_equal(out.msgs[0].receive_count, 1);
    assert_true(out.msgs[0].sent_timestamp == 1677112427387LL);
    assert_true(out.msgs[0].first_receive_timestamp == 1677112433437LL);
    assert_int_equal(out.msgs[0].nattrs, 0);
    aws_sqs_messages_free(&out);
    assert_int_equal(out.n, 0);
    aws_response_free(&resp);
}

static void test_parse_message_attributes_and_empty_poll(void **state)
{
    const char *body =
        "{\"Messages\":[{\"MessageId\":\"m1\",\"ReceiptHandle\":\"r1\",\"MD5OfBody\":\"x\","
        "\"Body\":\"a\\u00fcb\",\"Attributes\":{\"ApproximateReceiveCount\":\"4\"},"
        "\"MessageAttributes\":{\"width\":{\"DataType\":\"Number\",\"StringValue\":\"640\"},"
        "\"blob\":{\"DataType\":\"Binary\",\"BinaryValue\":\"AAEC/w==\"}}},"
        "{\"MessageId\":\"m2\",\"ReceiptHandle\":\"r2\",\"Body\":\"plain\"}]}";
    aws_sqs_messages_t out = AWS_SQS_MESSAGES_INIT;
    aws_response_t resp;
    aws_error_t err;

    (void) state;
    test_response(&resp, 200, body);
    assert_int_equal(aws_sqs_receive_parse(&resp, &out, &err), 0);
    assert_int_equal(out.n, 2);
    assert_int_equal(out.msgs[0].body_len, 4);
    assert_string_equal(out.msgs[0].body, "a\xc3\xbc"
                                          "b");
    assert_int_equal(out.msgs[0].receive_count, 4);
    assert_string_equal(aws_sqs_message_attr(&out.msgs[0], "width"), "640");
    assert_string_equal(aws_sqs_message_attr(&out.msgs[0], "blob"), "AAEC/w==");
    assert_null(aws_sqs_message_attr(&out.msgs[0], "height"));
    assert_string_equal(out.msgs[1].md5_of_body, "");
    assert_int_equal(out.msgs[1].receive_count, 0);
    aws_sqs_messages_free(&out);
    aws_response_free(&resp);

    test_response(&resp, 200, "{}");
    assert_int_equal(aws_sqs_receive_parse(&resp, &out, &err), 0);
    assert_int_equal(out.n, 0);
    aws_response_free(&resp);
}

static void test_parse_malformed_receive(void **state)
{
    const char *bad[] = {
        "[]",
        "{\"Messages\":{}}",
        "{\"Messages\":[{\"MessageId\":\"m\",\"Body\":\"b\"}]}",
        "{\"Messages\":[{\"MessageId\":\"m\",\"ReceiptHandle\":\"r\",\"Body\":7}]}",
        "{\"Messages\":[{\"MessageId\":\"m\",\"ReceiptHandle\":\"r\",\"Body\":\"b\","
        "\"MessageAttributes\":{\"a\":{\"DataType\":\"String\"}}}]}",
        "{\"Messages\":[",
        "",
    };
    aws_sqs_messages_t out = AWS_SQS_MESSAGES_INIT;
    aws_response_t resp;
    aws_error_t err;
    size_t i;

    (void) state;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        test_response(&resp, 200, bad[i]);
        if (bad[i][0] == '\0') {
            /* an empty 200 body is an empty result, not an error */
            assert_int_equal(aws_sqs_receive_parse(&resp, &out, &err), 0);
        } else {
            assert_int_equal(aws_sqs_receive_parse(&resp, &out, &err), -1);
            assert_int_equal(err.kind, AWS_ERR_PARSE);
        }
        assert_int_equal(out.n, 0);
        assert_null(out.msgs);
        aws_response_free(&resp);
    }
}

static void test_json_error_with_query_header(void **state)
{
    aws_sqs_messages_t out = AWS_SQS_MESSAGES_INIT;
    aws_response_t resp;
    aws_error_t err;

    (void) state;
    test_response(&resp, 400,
                  "{\"__type\": \"com.amazonaws.sqs#QueueDoesNotExist\","
                  "\"message\": \"The specified queue does not exist.\"}");
    snprintf(resp.query_error, sizeof(resp.query_error),
             "AWS.SimpleQueueService.NonExistentQueue;Sender");
    snprintf(resp.request_id, sizeof(resp.request_id), "a918fbf2-457a-4fe1-99ba-5685ce220fc1");
    assert_int_equal(aws_sqs_receive_parse(&resp, &out, &err), -1);
    assert_int_equal(err.kind, AWS_ERR_HTTP);
    assert_int_equal(err.http_status, 400);
    assert_string_equal(err.code, "QueueDoesNotExist");
    assert_string_equal(err.message, "The specified queue does not exist.");
    assert_string_equal(err.request_id, "a918fbf2-457a-4fe1-99ba-5685ce220fc1");
    assert_false(aws_error_retryable(&err));
    aws_response_free(&resp);
}

static void test_error_forms(void **state)
{
    aws_response_t resp;
    aws_error_t err;

    (void) state;
    /* only the query-compatible header */
    test_response(&resp, 400, "");
    snprintf(resp.query_error, sizeof(resp.query_error),
             "AWS.SimpleQueueService.NonExistentQueue;Sender");
    aws_sqs_error_parse(&resp, &err);
    assert_string_equal(err.code, "AWS.SimpleQueueService.NonExistentQueue");
    aws_response_free(&resp);

    /* throttling with "Message" capitalised and a ':'-suffixed type */
    test_response(&resp, 400,
                  "{\"__type\":\"com.amazon.coral.availability#ThrottlingException:"
                  "http://internal.amazon.com/coral/\",\"Message\":\"Rate exceeded\"}");
    aws_sqs_error_parse(&resp, &err);
    assert_string_equal(err.code, "ThrottlingException");
    assert_string_equal(err.message, "Rate exceeded");
    assert_true(aws_error_retryable(&err));
    aws_response_free(&resp);

    /* no usable body: the status decides */
    test_response(&resp, 500, "<html>oops</html>");
    aws_sqs_error_parse(&resp, &err);
    assert_string_equal(err.code, "InternalError");
    assert_true(aws_error_retryable(&err));
    assert_int_equal(aws_sqs_parse_empty(&resp, &err), -1);
    aws_response_free(&resp);

    test_response(&resp, 200, "");
    assert_int_equal(aws_sqs_parse_empty(&resp, &err), 0);
    aws_response_free(&resp);
}

static void test_delete_batch_request_and_failed_entries(void **state)
{
    aws_client_t *c = test_client(NULL, AWS_S3_ADDRESSING_AUTO);
    aws_sqs_batch_entry_t entries[] = { { "msg1", RECEIPT_1, 0 }, { "msg2", "r-2", 0 } };
    aws_sqs_batch_result_t res = AWS_SQS_BATCH_RESULT_INIT;
    aws_buf_t body = AWS_BUF_INIT;
    aws_response_t resp;
    aws_request_t req;
    aws_error_t err;
    json_t *doc, *e;

    (void) state;
    assert_int_equal(aws_sqs_delete_batch_request(c, QUEUE, entries, 2, &req, &body, &err), 0);
    assert_json_request(&req, "DeleteMessageBatch");
    doc = test_json_body(&req);
    assert_string_equal(json_string_value(json_object_get(doc, "QueueUrl")), QUEUE);
    assert_int_equal(json_array_size(json_object_get(doc, "Entries")), 2);
    e = json_array_get(json_object_get(doc, "Entries"), 0);
    assert_string_equal(json_string_value(json_object_get(e, "Id")), "msg1");
    assert_string_equal(json_string_value(json_object_get(e, "ReceiptHandle")), RECEIPT_1);
    assert_null(json_object_get(e, "VisibilityTimeout"));
    json_decref(doc);
    aws_request_free(&req);

    test_response(&resp, 200, batch_response);
    assert_int_equal(aws_sqs_batch_parse(&resp, &res, &err), 0);
    assert_int_equal(res.nsuccessful, 2);
    assert_string_equal(res.successful[0], "msg2");
    assert_string_equal(res.successful[1], "msg1");
    assert_int_equal(res.nfailed, 1);
    assert_string_equal(res.failed[0].id, "msg3");
    assert_string_equal(res.failed[0].code, "ReceiptHandleIsInvalid");
    assert_non_null(strstr(res.failed[0].message, "not a valid receipt handle"));
    assert_true(res.failed[0].sender_fault);
    aws_sqs_batch_result_free(&res);
    assert_int_equal(res.nfailed, 0);
    aws_response_free(&resp);

    test_response(&resp, 200,
                  "{\"Failed\": [], \"Successful\": [{\"Id\": \"msg2\"}, {\"Id\": \"msg1\"}]}");
    assert_int_equal(aws_sqs_batch_parse(&resp, &res, &err), 0);
    assert_int_equal(res.nfailed, 0);
    assert_int_equal(res.nsuccessful, 2);
    aws_sqs_batch_result_free(&res);
    aws_response_free(&resp);

    test_response(&resp, 200, "{\"Failed\": [{\"Id\": \"x\"}]}");
    assert_int_equal(aws_sqs_batch_parse(&resp, &res, &err), -1);
    assert_int_equal(err.kind, AWS_ERR_PARSE);
    assert_int_equal(res.nfailed, 0);
    aws_response_free(&resp);
    aws_buf_free(&body);
    aws_client_free(c);
}

static void test_batch_request_validation(void **state)
{
    aws_client_t *c = test_client(NULL, AWS_S3_ADDRESSING_AUTO);
    aws_sqs_batch_entry_t many[11], badid = { "a b", "r", 0 }, nohandle = { "a", "", 0 };
    aws_buf_t body = AWS_BUF_INIT;
    aws_request_t req;
    aws_error_t err;
    size_t i;

    (void) state;
    for (i = 0; i < 11; i++) {
        many[i].id = "x";
        many[i].receipt_handle = "r";
        many[i].visibility_timeout = 0;
    }
    assert_int_equal(aws_sqs_delete_batch_request(c, QUEUE, many, 11, &req, &body, &err), -1);
    assert_int_equal(aws_sqs_delete_batch_request(c, QUEUE, many, 0, &req, &body, &err), -1);
    assert_int_equal(aws_sqs_delete_batch_request(c, QUEUE, &badid, 1, &req, &body, &err), -1);
    assert_int_equal(aws_sqs_delete_batch_request(c, QUEUE, &nohandle, 1, &req, &body, &err), -1);
    assert_int_equal(err.kind, AWS_ERR_CONFIG);
    aws_buf_free(&body);
    aws_client_free(c);
}

static void test_change_visibility_requests(void **state)
{
    aws_client_t *c = test_client(NULL, AWS_S3_ADDRESSING_AUTO);
    aws_sqs_batch_entry_t entries[] = { { "a", "r-a", 60 }, { "b", "r-b", 0 } };
    aws_buf_t body = AWS_BUF_INIT;
    aws_request_t req;
    aws_error_t err;
    json_t *doc, *e;

    (void) state;
    assert_int_equal(aws_sqs_change_visibility_request(c, QUEUE, "r-a", 120, &req, &body, &err), 0);
    assert_json_request(&req, "ChangeMessageVisibility");
    doc = test_json_body(&req);
    assert_string_equal(json_string_value(json_object_get(doc, "ReceiptHandle")), "r-a");
    assert_int_equal(json_integer_value(json_object_get(doc, "VisibilityTimeout")), 120);
    json_decref(doc);
    aws_request_free(&req);

    assert_int_equal(aws_sqs_change_visibility_request(c, QUEUE, "r-a", 43201, &req, &body, &err),
                     -1);
    assert_int_equal(err.kind, AWS_ERR_CONFIG);

    assert_int_equal(
        aws_sqs_change_visibility_batch_request(c, QUEUE, entries, 2, &req, &body, &err), 0);
    assert_json_request(&req, "ChangeMessageVisibilityBatch");
    doc = test_json_body(&req);
    e = json_array_get(json_object_get(doc, "Entries"), 0);
    assert_int_equal(json_integer_value(json_object_get(e, "VisibilityTimeout")), 60);
    e = json_array_get(json_object_get(doc, "Entries"), 1);
    assert_string_equal(json_string_value(json_object_get(e, "ReceiptHandle")), "r-b");
    assert_int_equal(json_integer_value(json_object_get(e, "VisibilityTimeout")), 0);
    json_decref(doc);
    aws_request_free(&req);
    aws_buf_free(&body);
    aws_client_free(c);
}

static void test_send_request_and_parse(void **state)
{
    aws_client_t *c = test_client(NULL, AWS_S3_ADDRESSING_AUTO);
    aws_msg_attr_t attrs[] = { { "reason", "String", "corrupt JPEG" },
                               { "attempts", "Number", "3" } };
    aws_sqs_send_params_t p = { QUEUE, "{\"bucket\":\"b\"}", attrs, 2, 5, NULL, NULL };
    aws_buf_t body = AWS_BUF_INIT;
    aws_response_t resp;
    aws_request_t req;
    aws_error_t err;
    json_t *doc, *a;
    char id[64];

    (void) state;
    assert_int_equal(aws_sqs_send_request(c, &p, &req, &body, &err), 0);
    assert_json_request(&req, "SendMessage");
    doc = test_json_body(&req);
    assert_string_equal(json_string_value(json_object_get(doc, "MessageBody")),
                        "{\"bucket\":\"b\"}");
    assert_int_equal(json_integer_value(json_object_get(doc, "DelaySeconds")), 5);
    a = json_object_get(json_object_get(doc, "MessageAttributes"), "reason");
    assert_string_equal(json_string_value(json_object_get(a, "DataType")), "String");
    assert_string_equal(json_string_value(json_object_get(a, "StringValue")), "corrupt JPEG");
    a = json_object_get(json_object_get(doc, "MessageAttributes"), "attempts");
    assert_string_equal(json_string_value(json_object_get(a, "DataType")), "Number");
    assert_null(json_object_get(doc, "MessageGroupId"));
    json_decref(doc);
    aws_request_free(&req);

    test_response(&resp, 200, send_response);
    assert_int_equal(aws_sqs_send_parse(&resp, id, sizeof(id), &err), 0);
    assert_string_equal(id, "219f8380-5770-4cc2-8c3e-5c715e145f5e");
    assert_int_equal(aws_sqs_send_parse(&resp, id, 8, &err), -1);
    assert_int_equal(err.kind, AWS_ERR_PARSE);
    aws_response_free(&resp);

    p.body = "";
    assert_int_equal(aws_sqs_send_request(c, &p, &req, &body, &err), -1);
    assert_int_equal(err.kind, AWS_ERR_CONFIG);
    aws_buf_free(&body);
    aws_client_free(c);
}

static void test_purge_delete_and_attributes(void **state)
{
    aws_client_t *c = test_client(NULL, AWS_S3_ADDRESSING_AUTO);
    const char *names[] = { "ApproximateNumberOfMessages", "VisibilityTimeout" };
    aws_sqs_queue_attrs_t attrs = AWS_SQS_QUEUE_ATTRS_INIT;
    aws_buf_t body = AWS_BUF_INIT;
    aws_response_t resp;
    aws_request_t req;
    aws_error_t err;
    json_t *doc;

    (void) state;
    assert_int_equal(aws_sqs_purge_request(c, QUEUE, &req, &body, &err), 0);
    assert_json_request(&req, "PurgeQueue");
    assert_string_equal(body.data, "{\"QueueUrl\":\"" QUEUE "\"}");
    aws_request_free(&req);

    assert_int_equal(aws_sqs_delete_request(c, QUEUE, "r-1", &req, &body, &err), 0);
    assert_json_request(&req, "DeleteMessage");
    doc = test_json_body(&req);
    assert_string_equal(json_string_value(json_object_get(doc, "ReceiptHandle")), "r-1");
    json_decref(doc);
    aws_request_free(&req);

    assert_int_equal(aws_sqs_get_attributes_request(c, QUEUE, names, 2, &req, &body, &err), 0);
    assert_json_request(&req, "GetQueueAttributes");
    doc = test_json_body(&req);
    assert_string_equal(
        json_string_value(json_array_get(json_object_get(doc, "AttributeNames"), 1)),
        "VisibilityTimeout");
    json_decref(doc);
    aws_request_free(&req);
    assert_int_equal(aws_sqs_get_attributes_request(c, QUEUE, NULL, 0, &req, &body, &err), 0);
    doc = test_json_body(&req);
    assert_string_equal(
        json_string_value(json_array_get(json_object_get(doc, "AttributeNames"), 0)), "All");
    json_decref(doc);
    aws_request_free(&req);

    test_response(&resp, 200,
                  "{\"Attributes\":{\"ApproximateNumberOfMessages\":\"7\","
                  "\"VisibilityTimeout\":\"30\"}}");
    assert_int_equal(aws_sqs_get_attributes_parse(&resp, &attrs, &err), 0);
    assert_int_equal(attrs.n, 2);
    assert_string_equal(aws_sqs_queue_attr(&attrs, "ApproximateNumberOfMessages"), "7");
    assert_null(aws_sqs_queue_attr(&attrs, "DelaySeconds"));
    aws_sqs_queue_attrs_free(&attrs);
    aws_response_free(&resp);
    aws_buf_free(&body);
    aws_client_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_receive_request_wire_format),
        cmocka_unit_test(test_receive_request_goes_to_the_configured_endpoint),
        cmocka_unit_test(test_receive_request_rejects_out_of_range),
        cmocka_unit_test(test_parse_documented_receive_response),
        cmocka_unit_test(test_parse_message_attributes_and_empty_poll),
        cmocka_unit_test(test_parse_malformed_receive),
        cmocka_unit_test(test_json_error_with_query_header),
        cmocka_unit_test(test_error_forms),
        cmocka_unit_test(test_delete_batch_request_and_failed_entries),
        cmocka_unit_test(test_batch_request_validation),
        cmocka_unit_test(test_change_visibility_requests),
        cmocka_unit_test(test_send_request_and_parse),
        cmocka_unit_test(test_purge_delete_and_attributes),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
