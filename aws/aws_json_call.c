#include "aws_json_call.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int aws_json_set(json_t *obj, const char *key, json_t *value, aws_error_t *err)
{
    if (value == NULL) {
        aws_error_set(err, AWS_ERR_CONFIG, "request field %s is not valid UTF-8 (or out of memory)",
                      key);
        return -1;
    }
    if (json_object_set_new(obj, key, value) != 0) {
        aws_error_set(err, AWS_ERR_NOMEM, "cannot set request field %s", key);
        return -1;
    }
    return 0;
}

char *aws_json_strdup(const json_t *obj, const char *key, int required)
{
    json_t *v = json_object_get(obj, key);

    if (json_is_string(v)) {
        return strndup(json_string_value(v), json_string_length(v));
    }
    return v == NULL && !required ? strdup("") : NULL;
}

/* Serialises body (consumed; NULL: err already set) into *buf.
 * Returns 0, or -1 with err set. */
static int aws_json_dump(json_t *body, aws_buf_t *buf, const char *action, aws_error_t *err)
{
    char *text;

    if (body == NULL) {
        return -1;
    }
    text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    aws_buf_reset(buf);
    if (text == NULL || aws_buf_puts(buf, text) != 0) {
        free(text);
        aws_error_set(err, AWS_ERR_NOMEM, "out of memory building a %s body", action);
        return -1;
    }
    free(text);
    return 0;
}

/* Builds and signs "POST /" for api's endpoint with the serialised
 * body in buf.  Returns 0, or -1 with err set (req then freed). */
static int aws_json_sign(aws_client_t *c, const aws_json_api_t *api, const char *action,
                         const aws_buf_t *buf, aws_request_t *req, aws_error_t *err)
{
    char target[128];

    if (aws_client_request_init(c, req, "POST", api->service, NULL, "/", err) != 0) {
        return -1;
    }
    snprintf(target, sizeof(target), "%s.%s", api->target_prefix, action);
    if (aws_request_set_header(req, "X-Amz-Target", target) != 0
        || aws_request_set_header(req, "Content-Type", "application/x-amz-json-1.0") != 0
        || aws_request_set_body(req, buf->data, buf->len) != 0) {
        aws_request_free(req);
        aws_error_set(err, AWS_ERR_NOMEM, "out of memory building a %s request", action);
        return -1;
    }
    if (aws_client_sign(c, req, err) != 0) {
        aws_request_free(req);
        return -1;
    }
    return 0;
}

int aws_json_request(aws_client_t *c, const aws_json_api_t *api, const char *action, json_t *body,
                     aws_request_t *req, aws_buf_t *buf, aws_error_t *err)
{
    if (aws_json_dump(body, buf, action, err) != 0) {
        return -1;
    }
    return aws_json_sign(c, api, action, buf, req, err);
}

int aws_json_error_parse(const aws_response_t *resp, aws_error_t *err)
{
    json_t *doc = NULL, *type = NULL, *message = NULL;
    const char *start, *hash;
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
        hash = strrchr(json_string_value(type), '#');
        start = hash != NULL ? hash + 1 : json_string_value(type);
        snprintf(code, sizeof(code), "%.*s", (int) strcspn(start, ":"), start);
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

json_t *aws_json_result(const aws_response_t *resp, const char *what, aws_error_t *err)
{
    json_error_t jerr;
    json_t *doc;

    if (!aws_response_ok(resp)) {
        aws_json_error_parse(resp, err);
        return NULL;
    }
    doc = resp->body.len == 0
              ? json_object()
              : json_loadb(resp->body.data, resp->body.len, JSON_REJECT_DUPLICATES, &jerr);
    if (!json_is_object(doc)) {
        aws_error_set(err, AWS_ERR_PARSE, "%s response is not a JSON object%s%s", what,
                      doc == NULL && resp->body.len ? ": " : "",
                      doc == NULL && resp->body.len ? jerr.text : "");
        err->http_status = resp->status;
        aws_error_set_request_id(err, resp->request_id);
        json_decref(doc);
        return NULL;
    }
    aws_error_clear(err);
    return doc;
}

typedef struct {
    const aws_json_api_t *api;
    const char *action;
    aws_buf_t buf; /* the serialised body */
    aws_call_parse_fn parse;
    void *ctx;
} aws_json_call_ctx_t;

/* aws_call build callback: the same body, signed afresh. */
static int aws_json_call_build(aws_client_t *c, void *ctx, aws_request_t *req, aws_error_t *err)
{
    aws_json_call_ctx_t *call = ctx;

    return aws_json_sign(c, call->api, call->action, &call->buf, req, err);
}

/* aws_call parse callback: forwards to the caller's parser. */
static int aws_json_call_parse(void *ctx, const aws_response_t *resp, aws_error_t *err)
{
    aws_json_call_ctx_t *call = ctx;

    return call->parse(call->ctx, resp, err);
}

int aws_json_call_with(aws_client_t *c, const aws_json_api_t *api, const char *action, json_t *body,
                       aws_call_parse_fn parse, void *ctx, const aws_call_opts_t *opts,
                       aws_error_t *err)
{
    aws_json_call_ctx_t call = { api, action, AWS_BUF_INIT, parse, ctx };
    aws_response_t resp;
    int rc = -1;

    if (aws_json_dump(body, &call.buf, action, err) == 0) {
        aws_response_init(&resp);
        rc = aws_call(c, api->service, aws_json_call_build, aws_json_call_parse, &call, &resp, opts,
                      err);
        aws_response_free(&resp);
    }
    aws_buf_free(&call.buf);
    return rc;
}

typedef struct {
    const char *action;
    json_t *result;
} aws_json_keep_t;

/* aws_call parse callback of aws_json_call: keeps the result object of
 * a 2xx answer. */
static int aws_json_keep_result(void *ctx, const aws_response_t *resp, aws_error_t *err)
{
    aws_json_keep_t *keep = ctx;

    keep->result = aws_json_result(resp, keep->action, err);
    return keep->result != NULL ? 0 : -1;
}

json_t *aws_json_call(aws_client_t *c, const aws_json_api_t *api, const char *action, json_t *body,
                      aws_error_t *err)
{
    aws_json_keep_t keep = { action, NULL };

    /* keep.result is only set by the successful, hence last, attempt */
    return aws_json_call_with(c, api, action, body, aws_json_keep_result, &keep, NULL, err) == 0
               ? keep.result
               : NULL;
}

int aws_json_call_consume(aws_client_t *c, const aws_json_api_t *api, const char *action,
                          json_t *body, aws_error_t *err)
{
    json_t *result = aws_json_call(c, api, action, body, err);

    if (result == NULL) {
        return -1;
    }
    json_decref(result);
    return 0;
}
