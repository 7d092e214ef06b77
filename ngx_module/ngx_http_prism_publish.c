
/*
 * The SNS notification of a stored upload.
 *
 * The message body is the S3-event-shaped JSON of ingress/event (plus the
 * "prism" object), with the message attributes that subscription filter
 * policies use (content_type, width, height, size, request_id).  It is
 * published on the event loop with retries inside prism_publish_timeout.
 * When that fails for a reason that may pass and "prism_outbox" is set,
 * the event is journaled for replay instead (ngx_http_prism_outbox.c).
 *
 * A FIFO topic (its name ends in ".fifo") gets a MessageGroupId
 * (prism_message_group_id, "prism" by default: one order for all
 * uploads) and the upload's SHA-256 as MessageDeduplicationId, so that
 * the same bytes uploaded again within SNS's deduplication window (5
 * minutes) fan out once.  Other topics get neither: SNS refuses them.
 */


#include "ngx_http_prism.h"

#include "sns.h"


/* the MessageGroupId without "prism_message_group_id", or when empty */
#define NGX_HTTP_PRISM_GROUP_ID_DEFAULT  "prism"


static int ngx_http_prism_publish_build(ngx_http_prism_call_t *call,
    aws_error_t *err);
static int ngx_http_prism_publish_parse(ngx_http_prism_call_t *call,
    aws_error_t *err);
static void ngx_http_prism_publish_done(ngx_http_prism_call_t *call);
static ngx_int_t ngx_http_prism_fifo_params(ngx_http_request_t *r,
    ngx_http_prism_ctx_t *ctx, char *err, size_t errlen);


/*
 * Describes the named upload as an event in ctx->event, once: the
 * intent's and the publish's message and the 201 body are made from it.
 * The strings point into ctx; the ETag is still unknown (the publish
 * sets it once the store told it).
 */

void
ngx_http_prism_describe(ngx_http_request_t *r, ngx_http_prism_ctx_t *ctx)
{
    ing_event_t                 *ev;
    ngx_http_prism_loc_conf_t   *plcf;
    ngx_http_prism_main_conf_t  *pmcf;

    plcf = ngx_http_get_module_loc_conf(r, ngx_http_prism_module);
    pmcf = ngx_http_get_module_main_conf(r, ngx_http_prism_module);

    ev = &ctx->event;

    ngx_memzero(ev, sizeof(ing_event_t));

    ev->region = aws_client_region(pmcf->client);
    ev->bucket = ctx->bucket.len ? (char *) ctx->bucket.data : "";
    ev->key = (char *) ctx->key.data;
    ev->size = (uint64_t) ctx->size;
    ev->etag = ctx->etag.len ? (char *) ctx->etag.data : "";
    ev->image_id = (char *) ctx->image_id.data;
    ev->content_type = (char *) ctx->content_type.data;
    ev->width = ctx->info.width;
    ev->height = ctx->info.height;
    ev->animated = ctx->info.animated;
    ev->sha256 = (char *) ctx->sha256;
    ev->request_id = (char *) ctx->request_id.data;
    ev->source_ip = (char *) ctx->source_ip.data;
    ev->user_id = ctx->user.len ? (char *) ctx->user.data : NULL;
    ev->time = ctx->time;

    ev->storage = plcf->backend->storage;
    ev->local_path = (char *) ctx->path.data;     /* the local store's */
}


/*
 * Builds the publish of the upload's event (ctx->event) in ctx->params
 * (message, attributes, FIFO ids): before the store (for the intent) the
 * ETag is still empty.  Returns NGX_OK, or NGX_ERROR with the reason in
 * err.
 */

ngx_int_t
ngx_http_prism_publish_params(ngx_http_request_t *r,
    ngx_http_prism_ctx_t *ctx, char *err, size_t errlen)
{
    int                          i, n;
    char                        *json;
    ing_event_attr_t            *attrs;
    ngx_http_prism_loc_conf_t   *plcf;

    plcf = ngx_http_get_module_loc_conf(r, ngx_http_prism_module);

    json = ing_event_json(&ctx->event, err, errlen);
    if (json == NULL) {
        return NGX_ERROR;
    }

    if (ngx_http_prism_strdup(r->pool, &ctx->json, (u_char *) json,
                              ngx_strlen(json))
        != NGX_OK)
    {
        free(json);
        goto nomem;
    }

    free(json);

    attrs = ngx_palloc(r->pool, ING_EVENT_ATTRS_MAX * sizeof(ing_event_attr_t));
    ctx->attrs = ngx_palloc(r->pool,
                            ING_EVENT_ATTRS_MAX * sizeof(aws_msg_attr_t));
    if (attrs == NULL || ctx->attrs == NULL) {
        goto nomem;
    }

    n = ing_event_attrs(&ctx->event, attrs, err, errlen);
    if (n < 0) {
        return NGX_ERROR;
    }

    for (i = 0; i < n; i++) {
        ctx->attrs[i].name = attrs[i].name;
        ctx->attrs[i].type = attrs[i].type;
        ctx->attrs[i].value = attrs[i].value;
    }

    ngx_memzero(&ctx->params, sizeof(aws_sns_publish_params_t));

    ctx->params.topic_arn = (char *) plcf->topic_arn.data;
    ctx->params.message = (char *) ctx->json.data;
    ctx->params.attrs = ctx->attrs;
    ctx->params.nattrs = (size_t) n;

    return ngx_http_prism_fifo_params(r, ctx, err, errlen);

nomem:

    ngx_cpystrn((u_char *) err, (u_char *) "out of memory", errlen);

    return NGX_ERROR;
}


/*
 * Publishes the stored upload's event, with the ETag the store told.
 * Returns NGX_AGAIN when the publish runs (its result goes to
 * ngx_http_prism_resume(): NGX_OK, or NGX_DECLINED when it failed, the
 * reason in ctx->call->err), or NGX_ERROR with the outcome set.
 */

ngx_int_t
ngx_http_prism_publish(ngx_http_request_t *r, ngx_http_prism_ctx_t *ctx)
{
    ngx_http_prism_loc_conf_t   *plcf;
    ngx_http_prism_main_conf_t  *pmcf;
    char                         err[256];

    plcf = ngx_http_get_module_loc_conf(r, ngx_http_prism_module);
    pmcf = ngx_http_get_module_main_conf(r, ngx_http_prism_module);

    ctx->event.etag = ctx->etag.len ? (char *) ctx->etag.data : "";

    if (ngx_http_prism_publish_params(r, ctx, err, sizeof(err)) != NGX_OK) {
        goto failed;
    }

    if (ctx->call == NULL) {
        ctx->call = ngx_http_prism_call_create(r->pool, r->connection,
                                               pmcf->client);
        if (ctx->call == NULL) {
            ngx_cpystrn((u_char *) err, (u_char *) "out of memory",
                        sizeof(err));
            goto failed;
        }
    }

    ctx->call->service = "sns";
    ctx->call->build = ngx_http_prism_publish_build;
    ctx->call->parse = ngx_http_prism_publish_parse;
    ctx->call->done = ngx_http_prism_publish_done;
    ctx->call->data = r;

    ctx->publish_start = ngx_current_msec;

    if (ngx_http_prism_call_start(ctx->call,
                                  ngx_current_msec + plcf->publish_timeout)
        != NGX_OK)
    {
        (void) aws_error_format(&ctx->call->err, err, sizeof(err));
        goto failed;
    }

    return NGX_AGAIN;

failed:

    ngx_log_error(NGX_LOG_ALERT, r->connection->log, 0,
                  "prism: cannot publish the event of \"%V\": %s",
                  &ctx->key, err);

    ngx_http_prism_error(ctx, ngx_http_prism_internal_error,
                         "cannot publish the upload's event: %s", err);

    return NGX_ERROR;
}


/*
 * For a FIFO topic, sets the publish's MessageGroupId (evaluated from
 * prism_message_group_id; the default when unset or empty) and its
 * MessageDeduplicationId (the upload's SHA-256, 64 hex digits).  Returns
 * NGX_OK, or NGX_ERROR with err set when the group id cannot be
 * evaluated or is not one SNS accepts.
 */

static ngx_int_t
ngx_http_prism_fifo_params(ngx_http_request_t *r, ngx_http_prism_ctx_t *ctx,
    char *err, size_t errlen)
{
    ngx_str_t                   *arn, id;
    ngx_http_prism_loc_conf_t   *plcf;

    plcf = ngx_http_get_module_loc_conf(r, ngx_http_prism_module);

    arn = &plcf->topic_arn;

    if (arn->len < sizeof(".fifo") - 1
        || ngx_strncmp(arn->data + arn->len - (sizeof(".fifo") - 1), ".fifo",
                       sizeof(".fifo") - 1)
           != 0)
    {
        return NGX_OK;
    }

    ngx_str_null(&id);

    if (plcf->message_group_id
        && ngx_http_complex_value(r, plcf->message_group_id, &id) != NGX_OK)
    {
        ngx_cpystrn((u_char *) err, (u_char *) "out of memory", errlen);
        return NGX_ERROR;
    }

    if (id.len == 0) {
        ngx_str_set(&id, NGX_HTTP_PRISM_GROUP_ID_DEFAULT);
    }

    if (ngx_http_prism_printable(&id, NGX_HTTP_PRISM_GROUP_ID_MAX)
        != NGX_OK)
    {
        ngx_snprintf((u_char *) err, errlen,
                     "the message group id is not 1 to %d printable ASCII "
                     "characters without spaces%Z",
                     NGX_HTTP_PRISM_GROUP_ID_MAX);
        return NGX_ERROR;
    }

    if (ngx_http_prism_strdup(r->pool, &ctx->group_id, id.data, id.len)
        != NGX_OK)
    {
        ngx_cpystrn((u_char *) err, (u_char *) "out of memory", errlen);
        return NGX_ERROR;
    }

    ctx->params.message_group_id = (char *) ctx->group_id.data;
    ctx->params.deduplication_id = (char *) ctx->sha256;

    return NGX_OK;
}


/* Publish request of one attempt. */

static int
ngx_http_prism_publish_build(ngx_http_prism_call_t *call, aws_error_t *err)
{
    ngx_http_request_t    *r = call->data;
    ngx_http_prism_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_prism_module);

    return aws_sns_publish_request(call->client, &ctx->params, &call->req,
                                   &call->body, err);
}


/* Publish's answer: the message id. */

static int
ngx_http_prism_publish_parse(ngx_http_prism_call_t *call, aws_error_t *err)
{
    ngx_http_request_t    *r = call->data;
    ngx_http_prism_ctx_t  *ctx;
    char                   id[256];

    ctx = ngx_http_get_module_ctx(r, ngx_http_prism_module);

    if (aws_sns_publish_parse(&call->resp, id, sizeof(id), err) != 0) {
        return -1;
    }

    return ngx_http_prism_call_keep(r->pool, &ctx->message_id, id, err);
}


/*
 * End of the publish: counted, a failure logged; NGX_OK or NGX_DECLINED
 * (failed) goes to the upload.
 */

static void
ngx_http_prism_publish_done(ngx_http_prism_call_t *call)
{
    ngx_http_request_t    *r = call->data;
    ngx_http_prism_ctx_t  *ctx;
    u_char                 msg[NGX_MAX_ERROR_STR];

    ctx = ngx_http_get_module_ctx(r, ngx_http_prism_module);

    ngx_http_prism_count_publish(r, call->rc == NGX_OK, call->attempts,
                                 ngx_current_msec - ctx->publish_start);

    if (call->rc != NGX_OK) {
        (void) aws_error_format(&call->err, (char *) msg, sizeof(msg));

        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "prism: publishing the event of \"%V\" failed after "
                      "%ui attempts: %s", &ctx->key, call->attempts, msg);

        ngx_http_prism_resume(r, NGX_DECLINED);
        return;
    }

    ngx_http_prism_resume(r, NGX_OK);
}


/*
 * The event could not be published nor journaled: the outcome from the
 * publish's error (the removal of the original and the answer follow).
 */

void
ngx_http_prism_unpublished(ngx_http_request_t *r, ngx_http_prism_ctx_t *ctx)
{
    u_char  msg[NGX_MAX_ERROR_STR];

    (void) aws_error_format(&ctx->call->err, (char *) msg, sizeof(msg));

    ngx_http_prism_error(ctx, ngx_http_prism_aws_outcome(&ctx->call->err,
                                              ngx_http_prism_publish_failed),
                         "publishing the upload's event failed: %s", msg);
}
