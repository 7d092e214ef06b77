
/*
 * The upload's intent: what makes the upload path crash-safe.
 *
 * An nginx worker that dies (kill -9, a crash, the OOM killer) between
 * the store of an original and the publish of its event would leave an
 * original that nothing announces.  So with "prism_outbox", before the
 * original is stored, the upload's complete event (the publish's topic,
 * message and attributes, as the outbox journals it, but with the ETag
 * still unknown) is written to the spool as IMAGE_ID.intent, with what
 * tells its original apart (bucket and key with the image id that the
 * store sets as the object's prism-image-id metadata, or the local path;
 * size; SHA-256) and the time from which it may be resolved: now plus
 * prism_intent_grace.  The file is fsync()ed and renamed like a journal
 * entry, locked before it is written, and kept open and locked by the
 * worker while the upload runs.  Whatever the outcome (published,
 * journaled, refused, undone), the intent is deleted before the answer
 * is sent.
 *
 * An intent left behind belongs to a worker that died (its lock went
 * with it) or to an upload torn down before its answer.  The outbox's
 * replay claims it with the same flock() as a journal entry, only past
 * its grace (a store still landing in S3 when its worker died must have
 * landed), and resolves it: when its original exists and is its upload's
 * (the replay's HeadObject compares the prism-image-id metadata and the
 * size; a local original is compared by size and SHA-256), the event is
 * published, with the object's ETag; else the intent is forgotten.  So an
 * original stored by a dying worker is announced once its intent is
 * resolved, and an intent never announces an object that is not its own
 * (a key template that repeats, another upload's object, a store that
 * never happened).  Announcing is at least once: an intent left by a
 * worker killed after the publish publishes the event again.
 *
 * Without "prism_outbox" there is no spool: the upload is not crash-safe
 * (nginx -t warns).  The file I/O runs in prism_thread_pool.
 */


#include "ngx_http_prism.h"

#if (NGX_THREADS)

/* prism_intent_grace, unset: the store's and publish's budgets and this */
#define NGX_HTTP_PRISM_INTENT_MARGIN  60000


/* the removal of an answered upload's intent (a thread task) */
typedef struct {
    ngx_fd_t                       fd;
    u_char                        *path;
    ngx_err_t                      err;       /* of unlink(), or 0 */
} ngx_http_prism_intent_clear_t;


static ngx_int_t ngx_http_prism_intent_written(ngx_http_request_t *r,
    void *data);
static void ngx_http_prism_intent_remove(void *data, ngx_log_t *log);
static ngx_int_t ngx_http_prism_intent_removed(ngx_http_request_t *r,
    void *data);
static void ngx_http_prism_intent_cleanup(void *data);

#endif


/*
 * INTEND: writes the intent of a named upload, before its store, when
 * the configuration has an outbox.  Returns NGX_AGAIN while it is
 * written (NGX_OK or NGX_ERROR go to ngx_http_prism_resume()), NGX_OK
 * without an outbox, or NGX_ERROR with the outcome set.
 */

ngx_int_t
ngx_http_prism_intend(ngx_http_request_t *r, ngx_http_prism_ctx_t *ctx)
{
#if (NGX_THREADS)
    ngx_msec_t                   grace;
    ngx_pool_cleanup_t          *cln;
    ngx_thread_task_t           *task;
    ngx_http_prism_journal_t    *jn;
    ngx_http_prism_loc_conf_t   *plcf;
    ngx_http_prism_main_conf_t  *pmcf;
    char                         err[256];

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_prism_module);

    if (pmcf->outbox == NULL) {
        return NGX_OK;
    }

    plcf = ngx_http_get_module_loc_conf(r, ngx_http_prism_module);

    if (ngx_http_prism_publish_params(r, ctx, err, sizeof(err)) != NGX_OK) {
        ngx_log_error(NGX_LOG_ALERT, r->connection->log, 0,
                      "prism: cannot describe the event of \"%V\": %s",
                      &ctx->key, err);
        goto failed;
    }

    task = ngx_http_prism_task_alloc(r, sizeof(ngx_http_prism_journal_t));
    cln = ngx_pool_cleanup_add(r->pool, 0);

    if (task == NULL || cln == NULL) {
        goto failed;
    }

    cln->handler = ngx_http_prism_intent_cleanup;
    cln->data = ctx;

    jn = task->ctx;
    jn->keep = 1;

    grace = plcf->intent_grace != NGX_CONF_UNSET_MSEC
            ? plcf->intent_grace
            : plcf->store_timeout + plcf->publish_timeout
              + NGX_HTTP_PRISM_INTENT_MARGIN;

    /* resolvable from the next whole second past the grace */

    if (ngx_http_prism_outbox_prepare(r, ctx, jn,
                                      ngx_time() + (time_t) (grace + 999)
                                                   / 1000)
        != NGX_OK)
    {
        goto failed;
    }

    if (ngx_http_prism_task_post(r, task, ngx_http_prism_outbox_write,
                                 ngx_http_prism_intent_written)
        != NGX_OK)
    {
        goto failed;
    }

    return NGX_AGAIN;

failed:

    ngx_http_prism_error(ctx, ngx_http_prism_internal_error,
                         "cannot record the upload's intent");

    return NGX_ERROR;
#else
    return NGX_OK;
#endif
}


#if (NGX_THREADS)

/*
 * Back in the event loop after writing the intent: NGX_OK (the store
 * follows), or NGX_ERROR with the outcome set (nothing was stored).
 */

static ngx_int_t
ngx_http_prism_intent_written(ngx_http_request_t *r, void *data)
{
    ngx_http_prism_journal_t  *jn = data;

    ngx_http_prism_ctx_t        *ctx;
    ngx_http_prism_main_conf_t  *pmcf;

    ctx = ngx_http_get_module_ctx(r, ngx_http_prism_module);

    if (jn->op) {
        ngx_log_error(NGX_LOG_CRIT, r->connection->log, jn->err,
                      "prism: writing the intent of \"%V\" failed: %s \"%s\" "
                      "failed", &ctx->key, jn->op, jn->file);

        ngx_http_prism_error(ctx, ngx_http_prism_internal_error,
                             "cannot record the upload's intent");
        return NGX_ERROR;
    }

    ctx->intent_fd = jn->fd;
    ctx->intent_path = jn->path;

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_prism_module);
    ngx_http_prism_count_intents(pmcf, 1, 0, 0);

    return NGX_OK;
}


/*
 * FORGET: removes the upload's intent before its answer, in a thread.
 * Returns NGX_AGAIN while it is removed (NGX_OK goes to
 * ngx_http_prism_resume() then), or NGX_DECLINED when there is none (or
 * it cannot be removed now: then it is unlocked and left to the replay,
 * which publishes the event again if the original is there).
 */

ngx_int_t
ngx_http_prism_intent_clear(ngx_http_request_t *r, ngx_http_prism_ctx_t *ctx)
{
    ngx_thread_task_t              *task;
    ngx_http_prism_intent_clear_t  *ic;

    if (ctx->intent_path == NULL) {
        return NGX_DECLINED;
    }

    task = ngx_http_prism_task_alloc(r,
                                     sizeof(ngx_http_prism_intent_clear_t));
    if (task == NULL) {
        goto failed;
    }

    ic = task->ctx;
    ic->fd = ctx->intent_fd;
    ic->path = ctx->intent_path;

    if (ngx_http_prism_task_post(r, task, ngx_http_prism_intent_remove,
                                 ngx_http_prism_intent_removed)
        != NGX_OK)
    {
        goto failed;
    }

    return NGX_AGAIN;

failed:

    ngx_log_error(NGX_LOG_ALERT, r->connection->log, 0,
                  "prism: cannot remove the intent \"%s\", it is left to "
                  "the replay", ctx->intent_path);

    ngx_http_prism_intent_cleanup(ctx);

    return NGX_DECLINED;
}


/*
 * In a pool thread: deletes the intent, then closes it, which drops the
 * lock (never an unlocked intent of a live upload in the spool).
 */

static void
ngx_http_prism_intent_remove(void *data, ngx_log_t *log)
{
    ngx_http_prism_intent_clear_t  *ic = data;

    if (unlink((char *) ic->path) == -1) {
        ic->err = ngx_errno;
    }

    (void) close(ic->fd);
}


/* Back in the event loop after the removal: the answer follows. */

static ngx_int_t
ngx_http_prism_intent_removed(ngx_http_request_t *r, void *data)
{
    ngx_http_prism_intent_clear_t  *ic = data;

    ngx_http_prism_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_prism_module);

    if (ic->err) {
        ngx_log_error(NGX_LOG_CRIT, r->connection->log, ic->err,
                      "prism: unlink() \"%s\" failed, the replay will "
                      "resolve it", ic->path);
    }

    ctx->intent_path = NULL;

    return NGX_OK;
}


/*
 * Pool cleanup of an upload that still holds its intent (torn down
 * before its answer): the intent is unlocked and left to the replay.
 */

static void
ngx_http_prism_intent_cleanup(void *data)
{
    ngx_http_prism_ctx_t  *ctx = data;

    if (ctx->intent_path == NULL) {
        return;
    }

    if (ngx_close_file(ctx->intent_fd) == NGX_FILE_ERROR) {
        ngx_log_error(NGX_LOG_ALERT, ctx->request->connection->log, ngx_errno,
                      "prism: " ngx_close_file_n " \"%s\" failed",
                      ctx->intent_path);
    }

    ctx->intent_path = NULL;
}


/*
 * Sets the ETag of an S3 intent's event (unknown when it was written) to
 * entry->etag, the object's: a new message in pool.  Returns NGX_OK, or
 * NGX_ERROR after logging when the message is not an event or memory
 * runs out.
 */

ngx_int_t
ngx_http_prism_intent_etag(ngx_pool_t *pool, ngx_http_prism_entry_t *entry)
{
    char       *text;
    ngx_int_t   rc;
    ngx_str_t   message;
    char        err[256];

    text = ing_event_with_etag(entry->params.message,
                               (char *) entry->etag.data, err, sizeof(err));
    if (text == NULL) {
        ngx_log_error(NGX_LOG_ERR, pool->log, 0, "prism: %s", err);
        return NGX_ERROR;
    }

    rc = ngx_http_prism_strdup(pool, &message, (u_char *) text,
                               ngx_strlen(text));

    free(text);

    if (rc == NGX_OK) {
        entry->params.message = (char *) message.data;
    }

    return rc;
}

#endif /* NGX_THREADS */
