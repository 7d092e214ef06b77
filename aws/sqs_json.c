#include "sqs_json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

json_t *aws_sqs_json_new(const char *queue_url, aws_error_t *err)
{
    json_t *obj;

    if (queue_url == NULL || queue_url[0] == '\0') {
        aws_error_set(err, AWS_ERR_CONFIG, "SQS call needs a queue URL");
        return NULL;
    }
    obj = json_object();
    if (obj == NULL) {
        aws_error_set(err, AWS_ERR_NOMEM, "out of memory building an SQS request");
        return NULL;
    }
    if (aws_sqs_json_set(obj, "QueueUrl", json_string(queue_url), err) != 0) {
        json_decref(obj);
        aws_error_set(err, AWS_ERR_CONFIG, "queue URL is not valid UTF-8");
        return NULL;
    }
    return obj;
}

int aws_sqs_json_set(json_t *obj, const char *key, json_t *value, aws_error_t *err)
{
    if (value == NULL || json_object_set_new(obj, key, value) != 0) {
        aws_error_set(err, AWS_ERR_NOMEM, "cannot build the SQS request field %s", key);
        return -1;
    }
    return 0;
}

int aws_sqs_json_request(aws_client_t *c, const char *action, const json_t *body,
                         aws_request_t *req, aws_buf_t *buf, aws_error_t *err)
{
    char target[64];
    char *text;

    text = json_dumps(body, JSON_COMPACT);
    aws_buf_reset(buf);
    if (text == NULL || aws_buf_puts(buf, text) != 0) {
        free(text);
        aws_error_set(err, AWS_ERR_NOMEM, "out of memory building an SQS %s body", action);
        return -1;
    }
    free(text);
    if (aws_client_request_init(c, req, "POST", "sqs", NULL, "/", err) != 0) {
        return -1;
    }
    snprintf(target, sizeof(target), "AmazonSQS.%s", action);
    if (aws_request_set_header(req, "X-Amz-Target", target) != 0
        || aws_request_set_header(req, "Content-Type", "application/x-amz-json-1.0") != 0
        || aws_request_set_body(req, buf->data, buf->len) != 0) {
        aws_request_free(req);
        aws_error_set(err, AWS_ERR_NOMEM, "out of memory building an SQS %s request", action);
        return -1;
    }
    if (aws_client_sign(c, req, err) != 0) {
        aws_request_free(req);
        return -1;
    }
    return 0;
}

/* Copies the error code out of an AWS JSON "__type"
 * ("com.amazonaws.sqs#QueueDoesNotExist" or
 * "aws.protocol#Code:http://internal..."): the part after the last
 * '#', cut at ':'. */
static void aws_sqs_type_code(const char *type, char *code, size_t len)
{
    const char *hash = strrchr(type, '#');
    const char *start = hash ? hash + 1 : type;

    snprintf(code, len, "%.*s", (int) strcspn(start, ":"), start);
}

int aws_sqs_error_parse(const aws_response_t *resp, aws_error_t *err)
{
    json_t *doc = NULL, *type = NULL, *message = NULL;
    char code[64] = "";

    if (resp->body.len > 0) {
        doc = json_loadb(resp->body.data, resp->body.len, 0, NULL);
    }
    if (json_is_object(doc)) {
        type = json_object_get(doc, "__type");
        message = json_object_get(doc, "message");
        if (!json_is_string(message)) {
            message = json_object_get(doc, "Message");
        }
    }
    if (json_is_string(type)) {
        aws_sqs_type_code(json_string_value(type), code, sizeof(code));
    } else if (resp->query_error[0]) {
        snprintf(code, sizeof(code), "%.*s", (int) strcspn(resp->query_error, ";"),
                 resp->query_error);
    }
    if (code[0] == '\0') {
        aws_response_status_error(resp, err);
    } else {
        aws_error_set_service(err, resp->status, code,
                              json_is_string(message) ? json_string_value(message) : "",
                              resp->request_id);
    }
    json_decref(doc);
    return -1;
}

int aws_sqs_parse_empty(const aws_response_t *resp, aws_error_t *err)
{
    if (!aws_response_ok(resp)) {
        return aws_sqs_error_parse(resp, err);
    }
    aws_error_clear(err);
    return 0;
}

json_t *aws_sqs_json_result(const aws_response_t *resp, const char *action, aws_error_t *err)
{
    json_error_t jerr;
    json_t *doc;

    if (!aws_response_ok(resp)) {
        aws_sqs_error_parse(resp, err);
        return NULL;
    }
    if (resp->body.len == 0) {
        doc = json_object();
    } else {
        doc = json_loadb(resp->body.data, resp->body.len, JSON_REJECT_DUPLICATES, &jerr);
    }
    if (!json_is_object(doc)) {
        aws_error_set(err, AWS_ERR_PARSE, "SQS %s response is not a JSON object%s%s", action,
                      doc == NULL && resp->body.len ? ": " : "",
                      doc == NULL && resp->body.len ? jerr.text : "");
        err->http_status = resp->status;
        aws_error_set_request_id(err, resp->request_id);
        json_decref(doc);
        return NULL;
    }
    return doc;
}

char *aws_sqs_json_strdup(const json_t *obj, const char *key, int required)
{
    json_t *v = json_object_get(obj, key);

    if (json_is_string(v)) {
        return strndup(json_string_value(v), json_string_length(v));
    }
    return v == NULL && !required ? strdup("") : NULL;
}

typedef struct {
    const char       *action;
    const json_t     *body;
    aws_buf_t         buf;
    aws_call_parse_fn parse;
    void             *ctx;
} aws_sqs_call_t;

/* aws_call build callback: the same body, signed afresh. */
static int aws_sqs_call_build(aws_client_t *c, void *ctx, aws_request_t *req, aws_error_t *err)
{
    aws_sqs_call_t *call = ctx;

    return aws_sqs_json_request(c, call->action, call->body, req, &call->buf, err);
}

/* aws_call parse callback: forwards to the action's parser. */
static int aws_sqs_call_parse(void *ctx, const aws_response_t *resp, aws_error_t *err)
{
    aws_sqs_call_t *call = ctx;

    return call->parse(call->ctx, resp, err);
}

int aws_sqs_json_call(aws_client_t *c, const char *action, const json_t *body,
                      aws_call_parse_fn parse, void *ctx, const aws_call_opts_t *opts,
                      aws_error_t *err)
{
    aws_sqs_call_t call = { action, body, AWS_BUF_INIT, parse, ctx };
    aws_response_t resp;
    int rc;

    aws_response_init(&resp);
    rc = aws_call(c, "sqs", aws_sqs_call_build, aws_sqs_call_parse, &call, &resp, opts, err);
    aws_response_free(&resp);
    aws_buf_free(&call.buf);
    return rc;
}
