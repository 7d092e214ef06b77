
/*
 * How an upload is answered: the outcomes with their HTTP status and
 * JSON error code, the record of why an upload fails
 * (ngx_http_prism_error), the mapping of AWS failures to outcomes, and
 * the JSON bodies (built by ingress/response: 201 with the upload's
 * description, or {"error": CODE, "message": TEXT}).  Counting the
 * answers is the handler's, so this file needs no other of the module's.
 */


#include "ngx_http_prism.h"

#include "response.h"


ngx_http_prism_outcome_t  ngx_http_prism_outcomes[] = {
    { NGX_HTTP_CREATED, ngx_string("created") },
    { NGX_HTTP_OK, ngx_string("duplicate") },
    { NGX_HTTP_BAD_REQUEST, ngx_string("empty_body") },
    { NGX_HTTP_BAD_REQUEST, ngx_string("malformed_body") },
    { NGX_HTTP_BAD_REQUEST, ngx_string("invalid_image") },
    { NGX_HTTP_REQUEST_ENTITY_TOO_LARGE, ngx_string("too_large") },
    { NGX_HTTP_REQUEST_ENTITY_TOO_LARGE, ngx_string("too_many_pixels") },
    { NGX_HTTP_UNSUPPORTED_MEDIA_TYPE, ngx_string("unsupported_type") },
    { NGX_HTTP_UNSUPPORTED_MEDIA_TYPE, ngx_string("type_not_allowed") },
    { NGX_HTTP_NOT_ALLOWED, ngx_string("method_not_allowed") },
    { NGX_HTTP_BAD_GATEWAY, ngx_string("store_failed") },
    { NGX_HTTP_SERVICE_UNAVAILABLE, ngx_string("store_unavailable") },
    { NGX_HTTP_GATEWAY_TIME_OUT, ngx_string("store_timeout") },
    { NGX_HTTP_INSUFFICIENT_STORAGE, ngx_string("store_full") },
    { NGX_HTTP_BAD_GATEWAY, ngx_string("publish_failed") },
    { NGX_HTTP_SERVICE_UNAVAILABLE, ngx_string("publish_unavailable") },
    { NGX_HTTP_GATEWAY_TIME_OUT, ngx_string("publish_timeout") },
    { NGX_HTTP_SERVICE_UNAVAILABLE, ngx_string("credentials_unavailable") },
    { NGX_HTTP_BAD_REQUEST, ngx_string("invalid_key") },
    { NGX_HTTP_FORBIDDEN, ngx_string("invalid_user") },
    { NGX_HTTP_INTERNAL_SERVER_ERROR, ngx_string("internal_error") },
    { NGX_HTTP_CLIENT_CLOSED_REQUEST, ngx_string("aborted") }
};


/*
 * Records why the upload is refused: the outcome and a message for the
 * client (truncated to NGX_MAX_ERROR_STR).  The first reason wins.
 */

void
ngx_http_prism_error(ngx_http_prism_ctx_t *ctx,
    ngx_http_prism_outcome_e outcome, const char *fmt, ...)
{
    u_char   *p;
    va_list   args;
    u_char    msg[NGX_MAX_ERROR_STR];

    if (ctx->outcome != ngx_http_prism_created) {
        return;
    }

    va_start(args, fmt);
    p = ngx_vslprintf(msg, msg + sizeof(msg), fmt, args);
    va_end(args);

    ctx->outcome = outcome;

    ctx->message.data = ngx_pnalloc(ctx->request->pool, p - msg + 1);
    if (ctx->message.data == NULL) {
        ctx->message.len = 0;
        return;
    }

    ctx->message.len = p - msg;
    ngx_memcpy(ctx->message.data, msg, ctx->message.len);
    ctx->message.data[ctx->message.len] = '\0';
}


/*
 * The outcome of an AWS call that failed with err, for a step whose
 * "failed" outcome is FAILED (its "unavailable" and "timeout" outcomes
 * follow it): a timeout is 504; an unreachable service, throttling, a 503
 * or missing credentials are 503; any other answer of the service is 502;
 * local trouble (memory, files, configuration) is 500.
 */

ngx_http_prism_outcome_e
ngx_http_prism_aws_outcome(const aws_error_t *err,
    ngx_http_prism_outcome_e failed)
{
    switch (err->kind) {

    case AWS_ERR_TIMEOUT:
        return failed + 2;

    case AWS_ERR_NETWORK:
        return failed + 1;

    case AWS_ERR_CREDENTIALS:
        return ngx_http_prism_credentials_unavailable;

    case AWS_ERR_HTTP:
        if (err->http_status == NGX_HTTP_SERVICE_UNAVAILABLE
            || aws_error_is_throttling(err))
        {
            return failed + 1;
        }

        return failed;

    case AWS_ERR_PARSE:
    case AWS_ERR_TLS:
        return failed;

    default:
        return ngx_http_prism_internal_error;
    }
}


/*
 * Answers ctx->outcome as {"error": CODE, "message": TEXT} with the
 * outcome's status.  Returns the result of sending.
 */

ngx_int_t
ngx_http_prism_send_error(ngx_http_request_t *r, ngx_http_prism_ctx_t *ctx)
{
    char                      *json;
    ngx_int_t                  rc;
    ngx_table_elt_t           *h;
    ngx_http_prism_outcome_t  *o;

    o = &ngx_http_prism_outcomes[ctx->outcome];

    if (ctx->outcome == ngx_http_prism_method_not_allowed) {
        h = ngx_list_push(&r->headers_out.headers);
        if (h == NULL) {
            return NGX_ERROR;
        }

        h->hash = 1;
        ngx_str_set(&h->key, "Allow");
        ngx_str_set(&h->value, "POST, PUT");
    }

    json = ing_error_json((char *) o->code.data,
                          ctx->message.len ? (char *) ctx->message.data : "");
    if (json == NULL) {
        return NGX_ERROR;
    }

    rc = ngx_http_prism_send_json(r, o->status, (u_char *) json,
                                  ngx_strlen(json));

    free(json);

    return rc;
}


/*
 * The JSON description of a stored upload (or of the duplicate's, when
 * the key existed) in json, from the event built for its publish
 * (ctx->event).  Returns NGX_OK, or NGX_ERROR (logged) when it cannot be
 * built.
 */

ngx_int_t
ngx_http_prism_created_json(ngx_http_request_t *r, ngx_http_prism_ctx_t *ctx,
    ngx_str_t *json)
{
    char       *text;
    ngx_int_t   rc;
    char        err[256];

    text = ing_response_json(&ctx->event, (char *) ctx->message_id.data,
                             ctx->outcome == ngx_http_prism_duplicate, err,
                             sizeof(err));
    if (text == NULL) {
        ngx_log_error(NGX_LOG_ALERT, r->connection->log, 0,
                      "prism: %s", err);
        return NGX_ERROR;
    }

    rc = ngx_http_prism_strdup(r->pool, json, (u_char *) text,
                               ngx_strlen(text));

    free(text);

    return rc;
}


/*
 * Answers 201 with the upload's JSON description json and its Location,
 * or 200 with the duplicate's (the key existed).  Returns the result of
 * sending.
 */

ngx_int_t
ngx_http_prism_send_created(ngx_http_request_t *r, ngx_str_t *json,
    ngx_str_t *location)
{
    ngx_table_elt_t       *h;
    ngx_http_prism_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_prism_module);

    h = ngx_list_push(&r->headers_out.headers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    h->hash = 1;
    ngx_str_set(&h->key, "Location");
    h->value = *location;

    r->headers_out.location = h;

    return ngx_http_prism_send_json(r,
                                    ngx_http_prism_outcomes[ctx->outcome].status,
                                    json->data, json->len);
}


/*
 * Sends STATUS with the JSON body json[0..len) (copied) and a final
 * newline; headers already in r->headers_out go along.  Returns the
 * result of the output filters, or NGX_ERROR when memory runs out.
 */

ngx_int_t
ngx_http_prism_send_json(ngx_http_request_t *r, ngx_uint_t status,
    u_char *json, size_t len)
{
    ngx_buf_t  *b;

    b = ngx_create_temp_buf(r->pool, len + 1);
    if (b == NULL) {
        return NGX_ERROR;
    }

    b->last = ngx_cpymem(b->last, json, len);
    *b->last++ = LF;

    ngx_str_set(&r->headers_out.content_type, "application/json");
    r->headers_out.content_type_len = r->headers_out.content_type.len;
    r->headers_out.content_type_lowcase = NULL;

    return ngx_http_prism_send_buf(r, status, b);
}


/*
 * Sends STATUS with the body b (the whole answer; its Content-Type set by
 * the caller).  HEAD gets the headers only.  Returns the result of the
 * output filters.
 */

ngx_int_t
ngx_http_prism_send_buf(ngx_http_request_t *r, ngx_uint_t status,
    ngx_buf_t *b)
{
    ngx_int_t     rc;
    ngx_chain_t   out;

    b->last_buf = (r == r->main) ? 1 : 0;
    b->last_in_chain = 1;

    r->headers_out.status = status;
    r->headers_out.content_length_n = b->last - b->pos;

    rc = ngx_http_send_header(r);

    if (rc == NGX_ERROR || rc > NGX_OK || r->header_only) {
        return rc;
    }

    out.buf = b;
    out.next = NULL;

    return ngx_http_output_filter(r, &out);
}
