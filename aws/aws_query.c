#include "aws_query.h"

#include <stdio.h>

#include "aws_xml_response.h"
#include "uri.h"

int aws_query_form(aws_buf_t *form, const char *action, const char *version, aws_error_t *err)
{
    aws_buf_reset(form);
    if (aws_uri_form_add(form, "Action", action) != 0
        || aws_uri_form_add(form, "Version", version) != 0) {
        aws_error_set(err, AWS_ERR_NOMEM, "out of memory building a %s request", action);
        return -1;
    }
    return 0;
}

int aws_query_add(aws_buf_t *form, const char *name, const char *value, aws_error_t *err)
{
    if (aws_uri_form_add(form, name, value) != 0) {
        aws_error_set(err, AWS_ERR_NOMEM, "out of memory adding request field %s", name);
        return -1;
    }
    return 0;
}

int aws_query_add_map(aws_buf_t *form, const char *prefix, const aws_attrs_t *attrs,
                      aws_error_t *err)
{
    char name[128];
    size_t i;

    for (i = 0; attrs != NULL && i < attrs->n; i++) {
        snprintf(name, sizeof(name), "%s.entry.%zu.key", prefix, i + 1);
        if (aws_query_add(form, name, attrs->items[i].name, err) != 0) {
            return -1;
        }
        snprintf(name, sizeof(name), "%s.entry.%zu.value", prefix, i + 1);
        if (aws_query_add(form, name, attrs->items[i].value, err) != 0) {
            return -1;
        }
    }
    return 0;
}

int aws_query_add_tags(aws_buf_t *form, const char *prefix, const aws_attrs_t *tags,
                       aws_error_t *err)
{
    char name[128];
    size_t i;

    for (i = 0; tags != NULL && i < tags->n; i++) {
        snprintf(name, sizeof(name), "%s.member.%zu.Key", prefix, i + 1);
        if (aws_query_add(form, name, tags->items[i].name, err) != 0) {
            return -1;
        }
        snprintf(name, sizeof(name), "%s.member.%zu.Value", prefix, i + 1);
        if (aws_query_add(form, name, tags->items[i].value, err) != 0) {
            return -1;
        }
    }
    return 0;
}

int aws_query_request(aws_client_t *c, const char *service, const aws_buf_t *form,
                      aws_request_t *req, aws_error_t *err)
{
    if (aws_client_request_init(c, req, "POST", service, NULL, "/", err) != 0) {
        return -1;
    }
    if (aws_request_set_header(req, "Content-Type",
                               "application/x-www-form-urlencoded; charset=utf-8")
            != 0
        || aws_request_set_body(req, form->data ? form->data : "", form->len) != 0) {
        aws_request_free(req);
        aws_error_set(err, AWS_ERR_NOMEM, "out of memory building a %s request", service);
        return -1;
    }
    if (aws_client_sign(c, req, err) != 0) {
        aws_request_free(req);
        return -1;
    }
    return 0;
}

int aws_query_error_parse(const aws_response_t *resp, aws_error_t *err)
{
    return aws_xml_error_parse(resp, "ErrorResponse/Error", "ErrorResponse/RequestId", err);
}

typedef struct {
    const char *service;
    const aws_buf_t *form;
    aws_buf_t *body;
} aws_query_ctx_t;

/* aws_call build callback: the same form, signed afresh. */
static int aws_query_build_cb(aws_client_t *c, void *ctx, aws_request_t *req, aws_error_t *err)
{
    aws_query_ctx_t *q = ctx;

    return aws_query_request(c, q->service, q->form, req, err);
}

/* aws_call parse callback: error on non-2xx, else copies the body. */
static int aws_query_parse_cb(void *ctx, const aws_response_t *resp, aws_error_t *err)
{
    aws_query_ctx_t *q = ctx;

    if (!aws_response_ok(resp)) {
        return aws_query_error_parse(resp, err);
    }
    if (q->body != NULL) {
        aws_buf_reset(q->body);
        if (aws_buf_append(q->body, resp->body.data ? resp->body.data : "", resp->body.len) != 0
            || aws_buf_puts(q->body, "") != 0) {
            aws_error_set(err, AWS_ERR_NOMEM, "out of memory keeping a %s response", q->service);
            return -1;
        }
    }
    aws_error_clear(err);
    return 0;
}

int aws_query_call(aws_client_t *c, const char *service, const aws_buf_t *form, aws_buf_t *body,
                   aws_error_t *err)
{
    aws_query_ctx_t q = { service, form, body };
    aws_response_t resp;
    int rc;

    aws_response_init(&resp);
    rc = aws_call(c, service, aws_query_build_cb, aws_query_parse_cb, &q, &resp, NULL, err);
    aws_response_free(&resp);
    return rc;
}
