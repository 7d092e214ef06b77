
/*
 * The upload content handler: the upload as one sequence of steps, driven
 * by a small state machine (ngx_http_prism_run):
 *
 *   READ_BODY ─▶ HASH ─▶ VALIDATE ─▶ INTEND ─▶ STORE ─▶ PUBLISH ──────────▶ FORGET ─▶ RESPOND
 *       │          │        │           │          │         │ may pass          ▲
 *       │          │        │           │          │         ├──▶ JOURNAL ──ok───┤
 *       │          │        │           │          │         │       │ fails     │
 *       │          │        │           │          │         └──▶ UNDO ◀┘ ───────┤
 *       └──────────┴────────┴───────────┴──────────┴─ refused, failed, duplicate ┘
 *
 *   READ_BODY  checks that need no body (method, declared length,
 *              credentials); the body streams to nginx's temporary file
 *              through the request body filter (ngx_http_prism_body.c),
 *              which enforces the byte limit and reads the image's
 *              header as the bytes arrive; a refusal is answered at once,
 *              the rest of the body is not stored;
 *   HASH       once the body is complete: its last checks (the form
 *              closed, the image's header whole), then the image's
 *              SHA-256 (the raw body, or the form's file part), read back
 *              from the temporary file in prism_thread_pool
 *              (ngx_http_prism_hash.c), off the loop;
 *   VALIDATE   the object key, the original's name in its store, the
 *              event;
 *   INTEND     with prism_outbox, the upload's intent
 *              (ngx_http_prism_intent.c), written before anything is
 *              stored;
 *   STORE      the original (ngx_http_prism_store.c and its backends); a
 *              key that exists makes the upload a duplicate;
 *   PUBLISH    the event (ngx_http_prism_publish.c);
 *   JOURNAL    a publish that failed for a reason that may pass goes to
 *              the outbox (ngx_http_prism_outbox.c);
 *   UNDO       a publish that failed for good removes the original;
 *   FORGET     the intent is removed before the answer;
 *   RESPOND    201 with the JSON description (the event built once for
 *              the publish), 200 for a duplicate, or a JSON error.
 *
 * A step returns NGX_OK, NGX_DECLINED or NGX_ERROR when it is over, or
 * NGX_AGAIN while its work goes on (on nginx's event loop, or in
 * prism_thread_pool); that work ends in ngx_http_prism_resume()
 * (ngx_http_prism_task.c), which calls the state machine again through
 * ctx->resume.  Exactly one answer is sent, and the request is finalized
 * once.
 */


#include "ngx_http_prism.h"

#include "image_id.h"
#include "key_template.h"


static ngx_int_t ngx_http_prism_refuse(ngx_http_request_t *r,
    ngx_http_prism_ctx_t *ctx);
static void ngx_http_prism_body_handler(ngx_http_request_t *r);
static void ngx_http_prism_reject_handler(ngx_event_t *ev);
static void ngx_http_prism_run(ngx_http_request_t *r,
    ngx_http_prism_ctx_t *ctx, ngx_int_t rc);
static ngx_http_prism_step_e ngx_http_prism_next(ngx_http_request_t *r,
    ngx_http_prism_ctx_t *ctx, ngx_int_t rc);
static ngx_int_t ngx_http_prism_step(ngx_http_request_t *r,
    ngx_http_prism_ctx_t *ctx);
static ngx_int_t ngx_http_prism_validate(ngx_http_request_t *r,
    ngx_http_prism_ctx_t *ctx);
static ngx_int_t ngx_http_prism_name(ngx_http_request_t *r,
    ngx_http_prism_ctx_t *ctx);
static ngx_int_t ngx_http_prism_refuse_key(ngx_http_request_t *r,
    ngx_http_prism_ctx_t *ctx, const char *err);
static void ngx_http_prism_respond(ngx_http_request_t *r,
    ngx_http_prism_ctx_t *ctx);
static ngx_int_t ngx_http_prism_send(ngx_http_request_t *r,
    ngx_http_prism_ctx_t *ctx);
static void ngx_http_prism_cleanup(void *data);
static ngx_int_t ngx_http_prism_request_id(ngx_http_request_t *r,
    ngx_str_t *value);


/*
 * The content handler of "prism_upload".  Returns NGX_DONE while the
 * body is read (its steps finalize the request later), or the result
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
    ctx->step = ngx_http_prism_step_read_body;
    ctx->resume = ngx_http_prism_run;
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

    return ngx_http_prism_send(r, ctx);
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

    ngx_http_prism_run(r, ctx, NGX_ERROR);

    ngx_http_run_posted_requests(c);
}


/*
 * The body is complete (the post handler of
 * ngx_http_read_client_request_body): the step READ_BODY is over.
 */

static void
ngx_http_prism_body_handler(ngx_http_request_t *r)
{
    ngx_http_prism_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_prism_module);

    if (ctx->reject.posted) {
        ngx_delete_posted_event(&ctx->reject);
    }

    ngx_http_prism_run(r, ctx, ctx->outcome == ngx_http_prism_created
                               ? NGX_OK : NGX_ERROR);
}


/*
 * The upload's state machine: takes the result rc of the step ctx->step,
 * moves to the next step and runs it, until a step goes on (NGX_AGAIN:
 * its end calls here again through ngx_http_prism_resume()) or the
 * answer is sent.  RESPOND finalizes the request, which may free it (a
 * client that is gone): nothing of r or ctx is touched after it.
 */

static void
ngx_http_prism_run(ngx_http_request_t *r, ngx_http_prism_ctx_t *ctx,
    ngx_int_t rc)
{
    if (ctx->step == ngx_http_prism_step_respond) {
        return;
    }

    while (rc != NGX_AGAIN) {

        ctx->step = ngx_http_prism_next(r, ctx, rc);

        ngx_log_debug2(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                       "prism: step %ui after %i", (ngx_uint_t) ctx->step, rc);

        if (ctx->step == ngx_http_prism_step_respond) {
            (void) ngx_http_prism_step(r, ctx);
            return;
        }

        rc = ngx_http_prism_step(r, ctx);
    }
}


/*
 * The transitions: the step that follows ctx->step when it ended with rc.
 * A failure without a reason of its own ran out of memory, except the
 * journal's, whose reason is the publish's.
 */

static ngx_http_prism_step_e
ngx_http_prism_next(ngx_http_request_t *r, ngx_http_prism_ctx_t *ctx,
    ngx_int_t rc)
{
    if (rc == NGX_ERROR && ctx->step != ngx_http_prism_step_journal) {
        ngx_http_prism_error(ctx, ngx_http_prism_internal_error,
                             "out of memory");
    }

    switch (ctx->step) {

    case ngx_http_prism_step_read_body:
        return rc == NGX_OK ? ngx_http_prism_step_hash
                            : ngx_http_prism_step_forget;

    case ngx_http_prism_step_hash:
        return rc == NGX_OK ? ngx_http_prism_step_validate
                            : ngx_http_prism_step_forget;

    case ngx_http_prism_step_validate:
        return rc == NGX_OK ? ngx_http_prism_step_intend
                            : ngx_http_prism_step_forget;

    case ngx_http_prism_step_intend:
        return rc == NGX_OK ? ngx_http_prism_step_store
                            : ngx_http_prism_step_forget;

    case ngx_http_prism_step_store:

        /* NGX_DECLINED: a duplicate, which stored nothing */

        if (rc != NGX_OK) {
            return ngx_http_prism_step_forget;
        }

        ctx->stored = 1;

        return ngx_http_prism_step_publish;

    case ngx_http_prism_step_publish:

        /* NGX_DECLINED: the call failed, NGX_ERROR: it could not start */

        if (rc == NGX_OK) {
            return ngx_http_prism_step_forget;
        }

        return rc == NGX_DECLINED ? ngx_http_prism_step_journal
                                  : ngx_http_prism_step_undo;

    case ngx_http_prism_step_journal:

        if (rc == NGX_OK) {
            return ngx_http_prism_step_forget;
        }

        /* not for the outbox, or the journaling failed */

        ngx_http_prism_unpublished(r, ctx);

        return ngx_http_prism_step_undo;

    case ngx_http_prism_step_undo:
        return ngx_http_prism_step_forget;

    default: /* ngx_http_prism_step_forget */
        return ngx_http_prism_step_respond;
    }
}


/*
 * Runs the step ctx->step.  Returns its result: NGX_AGAIN while it goes
 * on, else NGX_OK, NGX_DECLINED or NGX_ERROR as the step says.
 */

static ngx_int_t
ngx_http_prism_step(ngx_http_request_t *r, ngx_http_prism_ctx_t *ctx)
{
    switch (ctx->step) {

    case ngx_http_prism_step_hash:
        return ngx_http_prism_hash(r, ctx);

    case ngx_http_prism_step_validate:
        return ngx_http_prism_validate(r, ctx);

    case ngx_http_prism_step_intend:
        return ngx_http_prism_intend(r, ctx);

    case ngx_http_prism_step_store:
        return ngx_http_prism_store(r, ctx);

    case ngx_http_prism_step_publish:
        return ngx_http_prism_publish(r, ctx);

    case ngx_http_prism_step_journal:
#if (NGX_THREADS)
        return ngx_http_prism_outbox_journal(r, ctx, &ctx->call->err);
#else
        return NGX_DECLINED;
#endif

    case ngx_http_prism_step_undo:
        return ngx_http_prism_unstore(r, ctx);

    case ngx_http_prism_step_forget:
#if (NGX_THREADS)
        return ngx_http_prism_intent_clear(r, ctx);
#else
        return NGX_DECLINED;
#endif

    case ngx_http_prism_step_respond:
        ngx_http_prism_respond(r, ctx);
        return NGX_OK;

    default: /* ngx_http_prism_step_read_body: not run from here */
        return NGX_ERROR;
    }
}


/*
 * VALIDATE: the upload's name (key, id, bucket, user), the original's
 * name in its store, then the event that the publish and the answer
 * share.  Returns NGX_OK, or NGX_ERROR
 * with the outcome set (else out of memory).
 */

static ngx_int_t
ngx_http_prism_validate(ngx_http_request_t *r, ngx_http_prism_ctx_t *ctx)
{
    if (ngx_http_prism_name(r, ctx) != NGX_OK
        || ngx_http_prism_store_prepare(r, ctx) != NGX_OK)
    {
        return NGX_ERROR;
    }

    ngx_http_prism_describe(r, ctx);

    return NGX_OK;
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
 * RESPOND: sends the one answer of the upload and finalizes the request.
 */

static void
ngx_http_prism_respond(ngx_http_request_t *r, ngx_http_prism_ctx_t *ctx)
{
    ngx_http_finalize_request(r, ngx_http_prism_send(r, ctx));
}


/*
 * Sends the answer of ctx->outcome and counts it: 201 (200 for a
 * duplicate) with the upload's description and its Location, or the JSON
 * error.  Returns the result of sending.
 */

static ngx_int_t
ngx_http_prism_send(ngx_http_request_t *r, ngx_http_prism_ctx_t *ctx)
{
    ngx_str_t  json, location;

    if (ctx->outcome != ngx_http_prism_created
        && ctx->outcome != ngx_http_prism_duplicate)
    {
        ctx->answered = 1;
        ngx_http_prism_count_upload(r, ctx->outcome, 0);

        return ngx_http_prism_send_error(r, ctx);
    }

    if (ngx_http_prism_location(r, ctx, &location) != NGX_OK
        || ngx_http_prism_created_json(r, ctx, &json) != NGX_OK)
    {
        return NGX_ERROR;
    }

    ctx->answered = 1;
    ngx_http_prism_count_upload(r, ctx->outcome, ctx->size);

    return ngx_http_prism_send_created(r, &json, &location);
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
