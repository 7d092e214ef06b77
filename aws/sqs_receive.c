/* SQS ReceiveMessage: build, parse, long-poll. */
#include "sqs.h"

#include <stdlib.h>
#include <string.h>

#include "aws_conformance.h"
#include "sqs_json.h"

/* Returns the ReceiveMessage body for p, or NULL with err set. */
static json_t *aws_sqs_receive_json(const aws_sqs_receive_params_t *p, aws_error_t *err)
{
    int max = p->max_messages ? p->max_messages : 1;
    json_t *obj, *sys;

    if (p->wait_seconds < 0 || p->wait_seconds > AWS_SQS_MAX_WAIT_SECONDS) {
        aws_error_set(err, AWS_ERR_CONFIG, "WaitTimeSeconds %d is outside 0..%d", p->wait_seconds,
                      AWS_SQS_MAX_WAIT_SECONDS);
        return NULL;
    }
    if (max < 1 || max > AWS_SQS_MAX_MESSAGES) {
        aws_error_set(err, AWS_ERR_CONFIG, "MaxNumberOfMessages %d is outside 1..%d", max,
                      AWS_SQS_MAX_MESSAGES);
        return NULL;
    }
    if ((obj = aws_sqs_json_body("QueueUrl", p->queue_url, err)) == NULL) {
        return NULL;
    }
    sys = json_pack("[ssss]", "ApproximateReceiveCount", "SentTimestamp",
                    "ApproximateFirstReceiveTimestamp", "MessageGroupId");
    if (aws_json_set(obj, "MaxNumberOfMessages", json_integer(max), err) != 0
        || aws_json_set(obj, "WaitTimeSeconds", json_integer(p->wait_seconds), err) != 0
        || (p->visibility_timeout >= 0
            && aws_json_set(obj, "VisibilityTimeout", json_integer(p->visibility_timeout), err)
                   != 0)
        || aws_json_set(obj, "MessageSystemAttributeNames", sys, err) != 0
        || aws_json_set(obj, "MessageAttributeNames", json_pack("[s]", "All"), err) != 0) {
        json_decref(obj);
        return NULL;
    }
    return obj;
}

int aws_sqs_receive_request(aws_client_t *c, const aws_sqs_receive_params_t *p, aws_request_t *req,
                            aws_buf_t *body, aws_error_t *err)
{
    return aws_json_request(c, &aws_sqs_api, "ReceiveMessage", aws_sqs_receive_json(p, err), req,
                            body, err);
}

long aws_sqs_receive_timeout_ms(const aws_sqs_receive_params_t *p)
{
    return (long) p->wait_seconds * 1000 + AWS_SQS_POLL_MARGIN_MS;
}

/* Frees one message's fields. */
static void aws_sqs_message_free(aws_sqs_message_t *m)
{
    size_t i;

    free(m->message_id);
    free(m->receipt_handle);
    free(m->body);
    free(m->md5_of_body);
    free(m->message_group_id);
    for (i = 0; i < m->nattrs; i++) {
        free(m->attrs[i].name);
        free(m->attrs[i].type);
        free(m->attrs[i].value);
    }
    free(m->attrs);
}

void aws_sqs_messages_free(aws_sqs_messages_t *out)
{
    size_t i;

    for (i = 0; i < out->n; i++) {
        aws_sqs_message_free(&out->msgs[i]);
    }
    free(out->msgs);
    out->msgs = NULL;
    out->n = 0;
    out->nonconforming = 0;
}

const char *aws_sqs_message_attr(const aws_sqs_message_t *m, const char *name)
{
    size_t i;

    for (i = 0; i < m->nattrs; i++) {
        if (strcmp(m->attrs[i].name, name) == 0) {
            return m->attrs[i].value;
        }
    }
    return NULL;
}

/* Returns the number in the string member key of attrs ("1", SQS sends
 * system attributes as strings), 0 when absent or not a number. */
static long long aws_sqs_attr_number(const json_t *attrs, const char *key)
{
    const char *s = json_string_value(json_object_get(attrs, key));

    return s != NULL ? strtoll(s, NULL, 10) : 0;
}

/* Copies the MessageAttributes object into m.  Returns 0, or -1 with
 * err set (a malformed attribute, out of memory). */
static int aws_sqs_parse_msg_attrs(const json_t *obj, aws_sqs_message_t *m, aws_error_t *err)
{
    const char *name;
    json_t *v;
    size_t n = json_object_size(obj);

    if (n == 0) {
        return 0;
    }
    m->attrs = calloc(n, sizeof(*m->attrs));
    if (m->attrs == NULL) {
        aws_error_set(err, AWS_ERR_NOMEM, "out of memory parsing SQS messages");
        return -1;
    }
    json_object_foreach((json_t *) obj, name, v)
    {
        aws_sqs_attr_t *a = &m->attrs[m->nattrs];
        const char *value_key = json_object_get(v, "StringValue") ? "StringValue" : "BinaryValue";

        a->name = strdup(name);
        a->type = aws_json_strdup(v, "DataType", 1);
        a->value = aws_json_strdup(v, value_key, 1);
        m->nattrs++;
        if (a->name == NULL || a->type == NULL || a->value == NULL) {
            aws_error_set(err, AWS_ERR_PARSE,
                          "SQS message attribute \"%s\" lacks DataType or a string value", name);
            return -1;
        }
    }
    return 0;
}

/* Fills m from one element of "Messages".  Returns 0, or -1 with err set. */
static int aws_sqs_parse_message(const json_t *jm, aws_sqs_message_t *m, aws_error_t *err)
{
    const json_t *attrs = json_object_get(jm, "Attributes");
    const json_t *mattrs = json_object_get(jm, "MessageAttributes");
    const json_t *body = json_object_get(jm, "Body");

    if (!json_is_object(jm) || !json_is_string(body) || (attrs != NULL && !json_is_object(attrs))
        || (mattrs != NULL && !json_is_object(mattrs))) {
        aws_error_set(err, AWS_ERR_PARSE, "SQS message is not a valid message object");
        return -1;
    }
    m->message_id = aws_json_strdup(jm, "MessageId", 1);
    m->receipt_handle = aws_json_strdup(jm, "ReceiptHandle", 1);
    m->md5_of_body = aws_json_strdup(jm, "MD5OfBody", 0);
    m->body_len = json_string_length(body);
    m->body = strndup(json_string_value(body), m->body_len);
    if (m->message_id == NULL || m->receipt_handle == NULL || m->md5_of_body == NULL
        || m->body == NULL) {
        aws_error_set(err, AWS_ERR_PARSE,
                      "SQS message lacks MessageId, ReceiptHandle or Body (or out of memory)");
        return -1;
    }
    m->receive_count = (long) aws_sqs_attr_number(attrs, "ApproximateReceiveCount");
    m->sent_timestamp = aws_sqs_attr_number(attrs, "SentTimestamp");
    m->first_receive_timestamp = aws_sqs_attr_number(attrs, "ApproximateFirstReceiveTimestamp");
    if (json_is_string(json_object_get(attrs, "MessageGroupId"))
        && (m->message_group_id = aws_json_strdup(attrs, "MessageGroupId", 0)) == NULL) {
        aws_error_set(err, AWS_ERR_NOMEM, "out of memory parsing an SQS message");
        return -1;
    }
    return aws_sqs_parse_msg_attrs(mattrs, m, err);
}

int aws_sqs_receive_parse(const aws_response_t *resp, aws_sqs_messages_t *out, aws_error_t *err)
{
    json_t *doc = aws_json_result(resp, "SQS ReceiveMessage", err), *msgs;
    size_t i, n;

    if (doc == NULL) {
        return -1;
    }
    msgs = json_object_get(doc, "Messages");
    n = json_array_size(msgs);
    if (msgs != NULL && !json_is_array(msgs)) {
        aws_error_set(err, AWS_ERR_PARSE, "SQS ReceiveMessage: \"Messages\" is not an array");
        goto fail;
    }
    if (n > 0 && (out->msgs = calloc(n, sizeof(*out->msgs))) == NULL) {
        aws_error_set(err, AWS_ERR_NOMEM, "out of memory parsing SQS messages");
        goto fail;
    }
    for (i = 0; i < n; i++) {
        const json_t *jm = json_array_get(msgs, i);

        out->n++;
        if (aws_sqs_parse_message(jm, &out->msgs[i], err) != 0) {
            goto fail;
        }
        if (json_object_get(json_object_get(jm, "Attributes"), "ApproximateReceiveCount") == NULL) {
            out->nonconforming |= AWS_CONF_BIT(AWS_CONF_RECEIVE_COUNT);
        }
    }
    if (aws_conf_content_type_differs(resp, "application/x-amz-json-1.0")) {
        out->nonconforming |= AWS_CONF_BIT(AWS_CONF_CONTENT_TYPE);
    }
    json_decref(doc);
    aws_error_clear(err);
    return 0;
fail:
    err->http_status = resp->status;
    aws_error_set_request_id(err, resp->request_id);
    aws_sqs_messages_free(out);
    json_decref(doc);
    return -1;
}

/* aws_call parse callback for ReceiveMessage. */
static int aws_sqs_receive_parse_cb(void *ctx, const aws_response_t *resp, aws_error_t *err)
{
    return aws_sqs_receive_parse(resp, ctx, err);
}

int aws_sqs_receive(aws_client_t *c, const aws_sqs_receive_params_t *p, aws_sqs_messages_t *out,
                    aws_error_t *err)
{
    aws_call_opts_t opts = { aws_sqs_receive_timeout_ms(p), 0, p->cancel };

    return aws_json_call_with(c, &aws_sqs_api, "ReceiveMessage", aws_sqs_receive_json(p, err),
                              aws_sqs_receive_parse_cb, out, &opts, err);
}
