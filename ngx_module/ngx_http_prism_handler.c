
/*
 * The upload content handler and the order of its phases:
 *
 *   1. checks that need no body (method, declared length, credentials);
 *   2. the body streams to nginx's temporary file through the request body
 *      filter (ngx_http_prism_body.c), which enforces the byte limit,
 *      hashes the image and reads its header as the bytes arrive; a
 *      refusal is answered at once, the rest of the body is not stored;
 *   3. once the body is complete: the last checks, then the object key;
 *      with prism_outbox, the upload's intent (ngx_http_prism_intent.c)
 *      is written before anything is stored, and removed before the
 *      answer;
 *   4. store the original (ngx_http_prism_store.c);
 *   5. publish the event (ngx_http_prism_publish.c); if that fails for
 *      good, remove the stored original before answering;
 *   6. answer 201 with the JSON description, or a JSON error.
 *
 * Phases 4 and 5 run on nginx's event loop; each ends in a callback
 * below.  Exactly one answer is sent, and the request is finalized once.
 */


#include "ngx_http_prism.h"

#include "image_id.h"
#include "key_template.h"


static ngx_int_t ngx_http_prism_refuse(ngx_http_request_t *r,
    ngx_http_prism_ctx_t *ctx);
static void ngx_http_prism_body_handler(ngx_http_request_t *r);
static void ngx_http_prism_reject_handler(ngx_event_t *ev);
static ngx_int_t ngx_http_prism_name(ngx_http_request_t *r,
    ngx_http_prism_ctx_t *ctx);
static ngx_int_t ngx_http_prism_refuse_key(ngx_http_request_t *r,
    ngx_http_prism_ctx_t *ctx, const char *err);
static void ngx_http_prism_cleanup(void *data);
static ngx_int_t ngx_http_prism_request_id(ngx_http_request_t *r,
    ngx_str_t *value);


/*
 * The content handler of "prism_upload".  Returns NGX_DONE while the
 * body is read (the phases finalize the request later), or the result
 * of an early answer.
 */

ngx_int_t
ngx_http_prism_upload_handler(ngx_http_request_t *r)
{
    off_t                        limit;
    ngx_int_t                    rc;
    ngx_pool_cleanup_t          *cln;
    ngx_http_prism_ctx_t        *ctx;
    ngx_http_core_loc_conf_t    *clcf;
    ngx_http_prism_loc_conf_t   *plcf;

    if (r != r->main) {
        return NGX_HTTP_NOT_ALLOWED;
    }

    ctx = ngx_pcalloc(r->pool, sizeof(ngx_http_prism_ctx_t));
    if (ctx == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    cln = ngx_pool_cleanup_add(r->pool, 0);
    if (cln == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ctx->request = r;
    ctx->fd = NGX_INVALID_FILE;
    ctx->probe = NGX_AGAIN;
    ctx->outcome = ngx_http_prism_created;

    ctx->reject.handler = ngx_http_prism_reject_handler;
    ctx->reject.data = r->connection;
    ctx->reject.log = r->connection->log;

    ngx_http_set_ctx(r, ctx, ngx_http_prism_module);

    cln->handler = ngx_http_prism_cleanup;
    cln->data = ctx;

    ngx_http_prism_count_in_flight(r, 1);

    if (!(r->method & (NGX_HTTP_POST|NGX_HTTP_PUT))) {
        ngx_http_prism_error(ctx, ngx_http_prism_method_not_allowed,
                             "uploads use POST or PUT, not %V",
                             &r->method_name);
        return ngx_http_prism_refuse(r, ctx);
    }

    if (!ngx_http_prism_credentials_ready()) {
        ngx_http_prism_error(ctx, ngx_http_prism_credentials_unavailable,
                             "no AWS credentials are available at the moment");
        return ngx_http_prism_refuse(r, ctx);
    }

    plcf = ngx_http_get_module_loc_conf(r, ngx_http_prism_module);
    clcf = ngx_http_get_module_loc_conf(r, ngx_http_core_module);

    limit = plcf->max_bytes >= 0 ? plcf->max_bytes
                                 : clcf->client_max_body_size;
    ctx->max_bytes = limit;

    rc = ngx_http_prism_body_start(r, ctx);

    if (rc == NGX_ERROR) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (rc == NGX_DECLINED) {
        return ngx_http_prism_refuse(r, ctx);
    }

    /* a form carries a little more than the file */

    if (limit && r->headers_in.content_length_n
                 > limit + (ctx->form ? NGX_HTTP_PRISM_FORM_SLACK : 0))
    {
        ngx_http_prism_error(ctx, ngx_http_prism_too_large,
                             "the upload is %O bytes, the limit is %O",
                             r->headers_in.content_length_n, limit);
        return ngx_http_prism_refuse(r, ctx);
    }

    r->request_body_in_file_only = 1;
    r->request_body_in_persistent_file = 1;
    r->request_body_in_clean_file = 1;
    r->request_body_file_log_level = 0;

    rc = ngx_http_read_client_request_body(r, ngx_http_prism_body_handler);

    if (rc >= NGX_HTTP_SPECIAL_RESPONSE) {
        return rc;
    }

    return NGX_DONE;
}


/*
 * Answers an upload refused before its body was read: the body is
 * discarded.  Returns the result for the content phase.
 */

static ngx_int_t
ngx_http_prism_refuse(ngx_http_request_t *r, ngx_http_prism_ctx_t *ctx)
{
    ngx_int_t  rc;

    rc = ngx_http_discard_request_body(r);
    if (rc != NGX_OK) {
        return rc;
    }

    return ngx_http_prism_send_error(r, ctx);
}


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
 * Called by the body filter when it refused the upload while the body
 * was still arriving: the answer goes out from a posted event, outside
 * the body-reading code, and the rest of the body is drained by nginx's
 * lingering close without being stored.
 */

void
ngx_http_prism_reject(ngx_http_request_t *r, ngx_http_prism_ctx_t *ctx)
{
    if (!ctx->reject.posted && !ctx->answered) {
        ngx_post_event(&ctx->reject, &ngx_posted_events);
    }
}


/* The posted refusal of a body that is still arriving. */

static void
ngx_http_prism_reject_handler(ngx_event_t *ev)
{
    ngx_connection_t      *c;
    ngx_http_request_t    *r;
    ngx_http_prism_ctx_t  *ctx;

    c = ev->data;
    r = c->data;
    ctx = ngx_http_get_module_ctx(r, ngx_http_prism_module);

    ngx_log_error(NGX_LOG_INFO, c->log, 0,
                  "prism: upload refused while reading the body: %V",
                  &ctx->message);

    r->keepalive = 0;
    r->lingering_close = 1;

    ngx_http_prism_answer(r, ctx);

    ngx_http_run_posted_requests(c);
}


/*
 * The body is complete (the post handler of
 * ngx_http_read_client_request_body): last checks, key, then store.
 */

static void
ngx_http_prism_body_handler(ngx_http_request_t *r)
{
    ngx_int_t              rc;
    ngx_http_prism_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_prism_module);

    if (ctx->reject.posted) {
        ngx_delete_posted_event(&ctx->reject);
    }

    if (ctx->outcome != ngx_http_prism_created
        || ngx_http_prism_body_finish(r, ctx) != NGX_OK
        || ngx_http_prism_name(r, ctx) != NGX_OK)
    {
        /* failures without a reason of their own ran out of memory */

        ngx_http_prism_error(ctx, ngx_http_prism_internal_error,
                             "out of memory");
        ngx_http_prism_answer(r, ctx);
        return;
    }

    rc = ngx_http_prism_intend(r, ctx);

    if (rc == NGX_AGAIN) {
        return;
    }

    ngx_http_prism_stored(r, ctx, rc);
}


/*
 * Names the upload: its time, id, type, bucket and object key (prefix
 * followed by the expanded key template).  Returns NGX_OK, or NGX_ERROR
 * with the outcome set.
 */

static ngx_int_t
ngx_http_prism_name(ngx_http_request_t *r, ngx_http_prism_ctx_t *ctx)
{
    u_char                      *p;
    ngx_int_t                    rc;
    ngx_str_t                    prefix, tpl, value, request_id;
    ing_key_vars_t               vars;
    ngx_http_prism_loc_conf_t   *plcf;
    char                         id[ING_IMAGE_ID_LEN + 1];
    char                         key[ING_KEY_MAX + 1];
    char                         err[256];

    plcf = ngx_http_get_module_loc_conf(r, ngx_http_prism_module);

    (void) clock_gettime(CLOCK_REALTIME, &ctx->time);
    ngx_gmtime(ctx->time.tv_sec, &ctx->tm);

    if (ing_image_id(id, (uint64_t) ctx->time.tv_sec * 1000
                         + ctx->time.tv_nsec / 1000000,
                     err, sizeof(err))
        != 0)
    {
        ngx_log_error(NGX_LOG_ALERT, r->connection->log, 0,
                      "prism: %s", err);
        ngx_http_prism_error(ctx, ngx_http_prism_internal_error,
                             "cannot create an image id");
        return NGX_ERROR;
    }

    if (ngx_http_prism_strdup(r->pool, &ctx->image_id, (u_char *) id,
                              ING_IMAGE_ID_LEN)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    ctx->content_type.data = (u_char *) ii_type_mime(ctx->info.type);
    ctx->content_type.len = ngx_strlen(ctx->content_type.data);
    ctx->ext.data = (u_char *) ii_type_ext(ctx->info.type);
    ctx->ext.len = ngx_strlen(ctx->ext.data);

    if (plcf->bucket) {
        if (ngx_http_complex_value(r, plcf->bucket, &value) != NGX_OK
            || ngx_http_prism_strdup(r->pool, &ctx->bucket, value.data,
                                     value.len)
               != NGX_OK)
        {
            return NGX_ERROR;
        }

        if (plcf->backend->bucket && ctx->bucket.len == 0) {
            ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                          "prism: \"prism_bucket\" is empty");
            ngx_http_prism_error(ctx, ngx_http_prism_internal_error,
                                 "no bucket is configured for this upload");
            return NGX_ERROR;
        }
    }

    if (ngx_http_prism_user(r, ctx) != NGX_OK) {
        return NGX_ERROR;
    }

    ngx_str_null(&prefix);

    rc = NGX_OK;

    if (plcf->key_prefix) {
        rc = ngx_http_prism_key_value(r, plcf->key_prefix,
                                      plcf->key_prefix_parts, &prefix,
                                      err, sizeof(err));
    }

    if (rc == NGX_OK) {
        rc = ngx_http_prism_key_value(r, plcf->key_template,
                                      plcf->key_template_parts, &tpl,
                                      err, sizeof(err));
    }

    if (rc == NGX_DECLINED) {
        return ngx_http_prism_refuse_key(r, ctx, err);
    }

    if (rc != NGX_OK || ngx_http_prism_request_id(r, &request_id) != NGX_OK) {
        return NGX_ERROR;
    }

    if (ngx_http_prism_strdup(r->pool, &ctx->request_id, request_id.data,
                              request_id.len)
        != NGX_OK
        || ngx_http_prism_strdup(r->pool, &ctx->source_ip,
                                 r->connection->addr_text.data,
                                 r->connection->addr_text.len)
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    vars.id = id;
    vars.ext = (char *) ctx->ext.data;
    vars.sha256 = (char *) ctx->sha256;
    vars.request_id = (char *) request_id.data;
    vars.time = ctx->time.tv_sec;

    p = ngx_cpymem(key, prefix.data, ngx_min(prefix.len, ING_KEY_MAX));
    *p = '\0';

    if (ngx_http_prism_strdup(r->pool, &tpl, tpl.data, tpl.len) != NGX_OK) {
        return NGX_ERROR;
    }

    if (ing_key_expand((char *) tpl.data, &vars, (char *) p,
                       sizeof(key) - (p - (u_char *) key), err, sizeof(err))
        != 0
        || ing_key_check(key, err, sizeof(err)) != 0)
    {
        return ngx_http_prism_refuse_key(r, ctx, err);
    }

    return ngx_http_prism_strdup(r->pool, &ctx->key, (u_char *) key,
                                 ngx_strlen(key));
}


/*
 * Refuses an upload whose object key cannot be built (err says why):
 * 400 invalid_key where variables bring client input into the key, else
 * a configuration problem (500).  Returns NGX_ERROR.
 */

static ngx_int_t
ngx_http_prism_refuse_key(ngx_http_request_t *r, ngx_http_prism_ctx_t *ctx,
    const char *err)
{
    ngx_uint_t                   client, level;
    ngx_http_prism_loc_conf_t   *plcf;

    plcf = ngx_http_get_module_loc_conf(r, ngx_http_prism_module);

    client = (plcf->key_prefix && plcf->key_prefix->lengths)
             || plcf->key_template->lengths;
    level = client ? NGX_LOG_INFO : NGX_LOG_ERR;

    ngx_log_error(level, r->connection->log, 0,
                  "prism: cannot build the object key: %s", err);

    ngx_http_prism_error(ctx, client ? ngx_http_prism_invalid_key
                                     : ngx_http_prism_internal_error,
                         "cannot build the object key: %s", err);
    return NGX_ERROR;
}


/*
 * End of the store phase: NGX_OK moves on to the publish; anything else
 * is answered with the outcome the store set: NGX_DECLINED when the key
 * existed already (a duplicate: this upload created nothing, so it
 * announces and removes nothing), NGX_ERROR on failure.
 */

void
ngx_http_prism_stored(ngx_http_request_t *r, ngx_http_prism_ctx_t *ctx,
    ngx_int_t rc)
{
    if (rc != NGX_OK) {
        ngx_http_prism_answer(r, ctx);
        return;
    }

    ctx->stored = 1;

    rc = ngx_http_prism_publish(r, ctx);

    if (rc == NGX_AGAIN) {
        return;
    }

    ngx_http_prism_published(r, ctx, rc);
}


/*
 * End of the publish phase: success is answered; a failure first removes
 * the stored original, so that nothing the client was not told about
 * remains.
 */

void
ngx_http_prism_published(ngx_http_request_t *r, ngx_http_prism_ctx_t *ctx,
    ngx_int_t rc)
{
    if (rc == NGX_OK) {
        ngx_http_prism_answer(r, ctx);
        return;
    }

    rc = ngx_http_prism_unstore(r, ctx);

    if (rc == NGX_AGAIN) {
        return;
    }

    ngx_http_prism_unstored(r, ctx);
}


/* The stored original was removed (or could not be): answer the error. */

void
ngx_http_prism_unstored(ngx_http_request_t *r, ngx_http_prism_ctx_t *ctx)
{
    ngx_http_prism_answer(r, ctx);
}


/*
 * Sends the one answer of the upload and finalizes the request; first
 * the upload's intent is removed (called again once it is).
 */

void
ngx_http_prism_answer(ngx_http_request_t *r, ngx_http_prism_ctx_t *ctx)
{
    ngx_int_t  rc;

#if (NGX_THREADS)
    if (ngx_http_prism_intent_clear(r, ctx) == NGX_AGAIN) {
        return;
    }
#endif

    if (ctx->outcome == ngx_http_prism_created
        || ctx->outcome == ngx_http_prism_duplicate)
    {
        rc = ngx_http_prism_send_created(r, ctx);

    } else {
        rc = ngx_http_prism_send_error(r, ctx);
    }

    ngx_http_finalize_request(r, rc);
}


/*
 * Pool cleanup of an upload: a refusal still posted is dropped, and an
 * upload torn down before it was answered counts as aborted.
 */

static void
ngx_http_prism_cleanup(void *data)
{
    ngx_http_prism_ctx_t  *ctx = data;

    if (ctx->reject.posted) {
        ngx_delete_posted_event(&ctx->reject);
    }

    if (!ctx->answered) {
        ngx_http_prism_count_upload(ctx->request, ngx_http_prism_aborted, 0);

        if (ctx->stored && !ctx->unstored) {
            ngx_log_error(NGX_LOG_WARN, ctx->request->connection->log, 0,
                          "prism: upload torn down after its original "
                          "was stored as \"%V\"", &ctx->key);
        }
    }

    ngx_http_prism_count_in_flight(ctx->request, -1);
}


/*
 * Fetches $request_id, which travels with the event.  Returns NGX_OK with
 * a NUL-terminated value, or NGX_ERROR.
 */

static ngx_int_t
ngx_http_prism_request_id(ngx_http_request_t *r, ngx_str_t *value)
{
    ngx_http_variable_value_t   *vv;
    ngx_http_prism_main_conf_t  *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_prism_module);

    vv = ngx_http_get_indexed_variable(r, pmcf->request_id_index);
    if (vv == NULL || vv->not_found) {
        return NGX_ERROR;
    }

    return ngx_http_prism_strdup(r->pool, value, vv->data, vv->len);
}
