
/*
 * The replay of the outbox (ngx_http_prism_outbox.c), in every worker.
 *
 * A timer looks at the spool directory in a thread of prism_thread_pool
 * (ngx_http_prism_outbox_scan), which claims up to 16 entries.  They are
 * published one after the other on the event loop, each like an upload's
 * event (ngx_http_prism_call: retries within 10 s).  An entry SNS
 * acknowledged is deleted, one SNS refuses for good (a topic that no
 * longer exists, say) is moved to failed/, both in a thread again, while
 * the next entry is published.  When SNS still fails (network, timeout,
 * 5xx, throttling, no credentials yet) the rest of the batch is released
 * and the next look waits for an exponential backoff with full jitter:
 * 1 s plus up to 1 s, 2 s, 4 s ... 60 s.  Otherwise the next look comes
 * after 5 s, or at once after a full batch.  Workers look independently;
 * their claims keep an entry from being published twice.
 *
 * An intent (ngx_http_prism_intent.c) of S3 is resolved first: a
 * HeadObject of its original, retried like a publish.  The object of its
 * upload (the prism-image-id metadata and the size match) has its event
 * published, with the object's ETag, and the intent deleted; a missing
 * object, or another upload's, has the intent forgotten (deleted).  A
 * refusal other than 404 (a 403 without s3:ListBucket, say) moves it to
 * failed/.  A local intent was resolved by the look already.
 *
 * A worker that is exiting (reload, shutdown) starts no new look or
 * publish; the timer is cancelable, a publish under way holds the worker
 * for at most its 10 s, as an upload does.
 */


#include "ngx_http_prism.h"

#if (NGX_THREADS)


#define NGX_HTTP_PRISM_REPLAY_BATCH    16
#define NGX_HTTP_PRISM_REPLAY_TIMEOUT  10000
#define NGX_HTTP_PRISM_REPLAY_IDLE     5000
#define NGX_HTTP_PRISM_REPLAY_FIRST    250
#define NGX_HTTP_PRISM_REPLAY_BASE     1000
#define NGX_HTTP_PRISM_REPLAY_CAP      60000


typedef struct {
    ngx_http_prism_main_conf_t    *pmcf;
    ngx_pool_t                    *pool;         /* the batch's, or NULL */
    ngx_http_prism_scan_t         *scan;
    ngx_http_prism_call_t         *call;
    ngx_uint_t                     next;         /* the entry published */
    ngx_uint_t                     finishing;    /* tasks under way */
    ngx_uint_t                     failures;     /* SNS failed in a row */
    unsigned                       stalled:1;    /* in this batch */
    aws_rng_t                      rng;
    ngx_event_t                    timer;
    ngx_connection_t               conn;
} ngx_http_prism_replay_t;


static void ngx_http_prism_replay_schedule(ngx_msec_t delay);
static void ngx_http_prism_replay_look(ngx_event_t *ev);
static void ngx_http_prism_replay_scanned(ngx_event_t *ev);
static void ngx_http_prism_replay_next(void);
static int ngx_http_prism_replay_head_build(ngx_http_prism_call_t *call,
    aws_error_t *err);
static int ngx_http_prism_replay_head_parse(ngx_http_prism_call_t *call,
    aws_error_t *err);
static void ngx_http_prism_replay_head_done(ngx_http_prism_call_t *call);
static void ngx_http_prism_replay_keep(ngx_http_prism_call_t *call,
    const char *what);
static void ngx_http_prism_replay_settle(ngx_http_prism_entry_t *entry,
    ngx_http_prism_entry_state_e state);
static int ngx_http_prism_replay_build(ngx_http_prism_call_t *call,
    aws_error_t *err);
static int ngx_http_prism_replay_parse(ngx_http_prism_call_t *call,
    aws_error_t *err);
static void ngx_http_prism_replay_done(ngx_http_prism_call_t *call);
static void ngx_http_prism_replay_finish(ngx_http_prism_entry_t *entry);
static void ngx_http_prism_replay_finished(ngx_event_t *ev);
static void ngx_http_prism_replay_end(void);


static ngx_http_prism_replay_t  ngx_http_prism_replay;

static aws_retry_policy_t  ngx_http_prism_replay_backoff = {
    0, NGX_HTTP_PRISM_REPLAY_BASE, NGX_HTTP_PRISM_REPLAY_CAP
};


/*
 * Starts the worker's replay when the configuration has an outbox
 * (init_process): the first look comes within 250 ms.  Returns NGX_OK.
 */

ngx_int_t
ngx_http_prism_replay_init(ngx_cycle_t *cycle,
    ngx_http_prism_main_conf_t *pmcf)
{
    ngx_http_prism_replay_t  *rp;

    if (pmcf->outbox == NULL) {
        return NGX_OK;
    }

    rp = &ngx_http_prism_replay;

    ngx_memzero(rp, sizeof(ngx_http_prism_replay_t));

    rp->pmcf = pmcf;

    aws_rng_seed_random(&rp->rng);

    /* timer events identify themselves by a connection's fd in debug logs */

    rp->conn.fd = (ngx_socket_t) -1;
    rp->conn.log = cycle->log;

    rp->timer.handler = ngx_http_prism_replay_look;
    rp->timer.data = &rp->conn;
    rp->timer.log = cycle->log;
    rp->timer.cancelable = 1;

    ngx_http_prism_replay_schedule(1 + aws_rng_next(&rp->rng)
                                       % NGX_HTTP_PRISM_REPLAY_FIRST);

    return NGX_OK;
}


/* Arms the next look, unless the worker is exiting. */

static void
ngx_http_prism_replay_schedule(ngx_msec_t delay)
{
    if (ngx_exiting || ngx_quit || ngx_terminate) {
        return;
    }

    ngx_add_timer(&ngx_http_prism_replay.timer, delay);
}


/*
 * The timer: a look at the spool in a thread.  Without credentials yet
 * (their refresh runs apart) nothing could be signed: the look waits.
 */

static void
ngx_http_prism_replay_look(ngx_event_t *ev)
{
    ngx_pool_t               *pool;
    ngx_thread_task_t        *task;
    ngx_http_prism_scan_t    *scan;
    ngx_http_prism_replay_t  *rp;

    rp = &ngx_http_prism_replay;

    if (ngx_exiting || ngx_quit || ngx_terminate || rp->pool) {
        return;
    }

    if (!ngx_http_prism_credentials_ready()) {
        ngx_http_prism_replay_schedule(NGX_HTTP_PRISM_REPLAY_IDLE);
        return;
    }

    pool = ngx_create_pool(NGX_DEFAULT_POOL_SIZE, ev->log);
    if (pool == NULL) {
        ngx_http_prism_replay_schedule(NGX_HTTP_PRISM_REPLAY_IDLE);
        return;
    }

    task = ngx_thread_task_alloc(pool, sizeof(ngx_http_prism_scan_t));
    if (task == NULL) {
        goto failed;
    }

    scan = task->ctx;

    scan->outbox = rp->pmcf->outbox;
    scan->pool = pool;
    scan->now = ngx_time();
    scan->nentries = NGX_HTTP_PRISM_REPLAY_BATCH;
    scan->entries = ngx_pcalloc(pool, NGX_HTTP_PRISM_REPLAY_BATCH
                                      * sizeof(ngx_http_prism_entry_t));
    if (scan->entries == NULL) {
        goto failed;
    }

    task->handler = ngx_http_prism_outbox_scan;
    task->event.handler = ngx_http_prism_replay_scanned;
    task->event.data = scan;
    task->event.log = ev->log;

    if (ngx_thread_task_post(rp->pmcf->thread_pool, task) != NGX_OK) {
        goto failed;
    }

    rp->pool = pool;
    rp->scan = scan;
    rp->call = NULL;
    rp->next = 0;
    rp->finishing = 0;
    rp->stalled = 0;

    return;

failed:

    ngx_destroy_pool(pool);

    ngx_http_prism_replay_schedule(NGX_HTTP_PRISM_REPLAY_IDLE);
}


/* Back from the look: publish what was claimed. */

static void
ngx_http_prism_replay_scanned(ngx_event_t *ev)
{
    ngx_http_prism_scan_t    *scan = ev->data;
    ngx_http_prism_replay_t  *rp;

    rp = &ngx_http_prism_replay;

    ngx_http_prism_count_outbox_depth(rp->pmcf, scan->depth);
    ngx_http_prism_count_outbox(rp->pmcf, 0, 0, scan->rejected);
    ngx_http_prism_count_intents(rp->pmcf, 0, 0, scan->forgotten);

    ngx_log_debug3(NGX_LOG_DEBUG_HTTP, ev->log, 0,
                   "prism outbox: %ui entries, %ui claimed, %ui rejected",
                   scan->depth, scan->nentries, scan->rejected);

    if (scan->nentries) {
        rp->call = ngx_http_prism_call_create(rp->pool, &rp->conn,
                                              rp->pmcf->client);
        if (rp->call == NULL) {
            rp->stalled = 1;
        }
    }

    ngx_http_prism_replay_next();
}


/*
 * Publishes the next claimed entry (an S3 intent is looked up first);
 * once none is left to publish (or AWS failed, or the worker is exiting:
 * the rest is released), the batch ends when its finishing tasks are
 * back.
 */

static void
ngx_http_prism_replay_next(void)
{
    ngx_http_prism_call_t    *call;
    ngx_http_prism_scan_t    *scan;
    ngx_http_prism_entry_t   *entry;
    ngx_http_prism_replay_t  *rp;

    rp = &ngx_http_prism_replay;
    scan = rp->scan;
    call = rp->call;

    while (rp->next < scan->nentries) {

        entry = &scan->entries[rp->next];

        if (rp->stalled || ngx_exiting || ngx_quit || ngx_terminate) {
            entry->state = ngx_http_prism_entry_kept;
            ngx_http_prism_outbox_release(entry);
            rp->next++;
            continue;
        }

        call->data = entry;

        if (entry->intent && !entry->verified) {
            call->service = "s3";
            call->build = ngx_http_prism_replay_head_build;
            call->parse = ngx_http_prism_replay_head_parse;
            call->done = ngx_http_prism_replay_head_done;

        } else {
            call->service = "sns";
            call->build = ngx_http_prism_replay_build;
            call->parse = ngx_http_prism_replay_parse;
            call->done = ngx_http_prism_replay_done;
        }

        if (ngx_http_prism_call_start(call, ngx_current_msec
                                            + NGX_HTTP_PRISM_REPLAY_TIMEOUT)
            == NGX_OK)
        {
            return;
        }

        rp->stalled = 1;
    }

    if (rp->finishing == 0) {
        ngx_http_prism_replay_end();
    }
}


/* HeadObject of an S3 intent's original. */

static int
ngx_http_prism_replay_head_build(ngx_http_prism_call_t *call,
    aws_error_t *err)
{
    ngx_http_prism_entry_t  *entry = call->data;

    return aws_s3_head_request(call->client, (char *) entry->bucket.data,
                               (char *) entry->key.data, &call->req, err);
}


/*
 * HeadObject's answer: the object is the intent's upload's when its
 * prism-image-id and size are the intent's; then the entry is verified
 * and keeps the object's ETag.
 */

static int
ngx_http_prism_replay_head_parse(ngx_http_prism_call_t *call,
    aws_error_t *err)
{
    ngx_http_prism_entry_t  *entry = call->data;

    int                    rc;
    const char            *id;
    aws_s3_object_info_t   info;

    if (aws_s3_parse(&call->resp, err) != 0) {
        return -1;
    }

    aws_s3_object_info_from_response(&call->resp, &info);

    id = aws_s3_object_meta(&info, "prism-image-id");
    rc = 0;

    if (id && ngx_strcmp(id, entry->image_id.data) == 0
        && info.size == (long long) entry->size)
    {
        rc = ngx_http_prism_call_keep(ngx_http_prism_replay.pool,
                                      &entry->etag, info.etag, err);
        entry->verified = (rc == 0);
    }

    aws_s3_object_info_free(&info);

    return rc;
}


/*
 * An S3 intent's HeadObject ended: its own object is published next,
 * with its ETag; a missing one or another upload's forgets it; a failure
 * that may pass stalls the batch; any other refusal, or a message that
 * is not an event, moves it to failed/.
 */

static void
ngx_http_prism_replay_head_done(ngx_http_prism_call_t *call)
{
    ngx_http_prism_entry_t   *entry = call->data;
    u_char                    msg[NGX_MAX_ERROR_STR];

    if (call->rc == NGX_OK && entry->verified) {

        if (ngx_http_prism_intent_etag(ngx_http_prism_replay.pool, entry)
            == NGX_OK)
        {
            ngx_http_prism_replay_next();
            return;
        }

        ngx_log_error(NGX_LOG_ERR, call->log, 0,
                      "prism: the intent of \"%V\" (request %V) holds no "
                      "upload event, moving it to failed/",
                      &entry->key, &entry->request_id);

        ngx_http_prism_replay_settle(entry, ngx_http_prism_entry_rejected);
        return;
    }

    if (call->rc == NGX_OK || aws_s3_error_is_not_found(&call->err)) {
        ngx_log_error(NGX_LOG_NOTICE, call->log, 0,
                      "prism: forgot the intent of \"%V\" (request %V): "
                      "%s", &entry->key, &entry->request_id,
                      call->rc == NGX_OK ? "the object is another upload's"
                                         : "nothing was stored");

        ngx_http_prism_count_intents(ngx_http_prism_replay.pmcf, 0, 0, 1);
        ngx_http_prism_replay_settle(entry, ngx_http_prism_entry_forgotten);
        return;
    }

    if (aws_error_retryable(&call->err)
        || call->err.kind == AWS_ERR_CREDENTIALS
        || call->err.kind == AWS_ERR_NOMEM)
    {
        ngx_http_prism_replay_keep(call, "looking up the original of");
        return;
    }

    ngx_log_error(NGX_LOG_ERR, call->log, 0,
                  "prism: S3 refused to look up the original of the intent "
                  "of \"%V\" (request %V), moving it to failed/: %s",
                  &entry->key, &entry->request_id,
                  aws_error_format(&call->err, (char *) msg, sizeof(msg)));

    ngx_http_prism_replay_settle(entry, ngx_http_prism_entry_rejected);
}


/* Publish request of an entry. */

static int
ngx_http_prism_replay_build(ngx_http_prism_call_t *call, aws_error_t *err)
{
    ngx_http_prism_entry_t  *entry = call->data;

    return aws_sns_publish_request(call->client, &entry->params, &call->req,
                                   &call->body, err);
}


/* Publish's answer: the message id. */

static int
ngx_http_prism_replay_parse(ngx_http_prism_call_t *call, aws_error_t *err)
{
    ngx_http_prism_entry_t  *entry = call->data;
    char                     id[256];

    if (aws_sns_publish_parse(&call->resp, id, sizeof(id), err) != 0) {
        return -1;
    }

    return ngx_http_prism_call_keep(ngx_http_prism_replay.pool,
                                    &entry->message_id, id, err);
}


/*
 * An entry's publish ended: acknowledged entries are deleted, refused
 * ones moved to failed/; a failure that may pass stalls the batch.
 */

static void
ngx_http_prism_replay_done(ngx_http_prism_call_t *call)
{
    ngx_http_prism_entry_t   *entry = call->data;
    ngx_http_prism_replay_t  *rp;
    u_char                    msg[NGX_MAX_ERROR_STR];

    rp = &ngx_http_prism_replay;

    if (call->rc == NGX_OK) {
        ngx_log_error(NGX_LOG_NOTICE, call->log, 0,
                      "prism: replayed the event of \"%V\" (request %V) "
                      "from the outbox%s, message id %V",
                      &entry->key, &entry->request_id,
                      entry->intent ? ", resolving its intent" : "",
                      &entry->message_id);

        rp->failures = 0;

        if (entry->intent) {
            ngx_http_prism_count_intents(rp->pmcf, 0, 1, 0);

        } else {
            ngx_http_prism_count_outbox(rp->pmcf, 0, 1, 0);
        }

        ngx_http_prism_replay_settle(entry, ngx_http_prism_entry_published);
        return;
    }

    if (aws_error_retryable(&call->err)
        || call->err.kind == AWS_ERR_CREDENTIALS
        || call->err.kind == AWS_ERR_NOMEM)
    {
        ngx_http_prism_replay_keep(call, "replaying the event of");
        return;
    }

    ngx_log_error(NGX_LOG_ERR, call->log, 0,
                  "prism: SNS refused the event of \"%V\" (request %V) from "
                  "the outbox, moving it to failed/: %s",
                  &entry->key, &entry->request_id,
                  aws_error_format(&call->err, (char *) msg, sizeof(msg)));

    ngx_http_prism_count_outbox(rp->pmcf, 0, 0, 1);
    ngx_http_prism_replay_settle(entry, ngx_http_prism_entry_rejected);
}


/*
 * A call of an entry failed for a reason that may pass: the entry stays
 * in the spool, the batch stalls (its rest is released), the next look
 * backs off.  what is the step, for the log.
 */

static void
ngx_http_prism_replay_keep(ngx_http_prism_call_t *call, const char *what)
{
    ngx_http_prism_entry_t   *entry = call->data;
    ngx_http_prism_replay_t  *rp;
    u_char                    msg[NGX_MAX_ERROR_STR];

    rp = &ngx_http_prism_replay;

    ngx_log_error(NGX_LOG_WARN, call->log, 0,
                  "prism: %s \"%V\" from the outbox failed, it stays "
                  "queued: %s", what, &entry->key,
                  aws_error_format(&call->err, (char *) msg, sizeof(msg)));

    rp->next++;
    rp->failures++;
    rp->stalled = 1;
    entry->state = ngx_http_prism_entry_kept;

    ngx_http_prism_outbox_release(entry);

    ngx_http_prism_replay_next();
}


/*
 * The entry is done with (published, forgotten or rejected): it is
 * deleted or moved, and the next one published.
 */

static void
ngx_http_prism_replay_settle(ngx_http_prism_entry_t *entry,
    ngx_http_prism_entry_state_e state)
{
    ngx_http_prism_replay.next++;

    entry->state = state;

    ngx_http_prism_replay_finish(entry);

    ngx_http_prism_replay_next();
}


/*
 * Deletes or moves a published or refused entry in a thread; when no
 * task can be posted, in the event loop rather than publishing it again.
 */

static void
ngx_http_prism_replay_finish(ngx_http_prism_entry_t *entry)
{
    ngx_http_prism_replay_t  *rp;

    rp = &ngx_http_prism_replay;

    entry->task = ngx_thread_task_alloc(rp->pool, 0);

    if (entry->task) {
        entry->task->ctx = entry;
        entry->task->handler = ngx_http_prism_outbox_finish;
        entry->task->event.handler = ngx_http_prism_replay_finished;
        entry->task->event.data = entry;
        entry->task->event.log = rp->conn.log;

        if (ngx_thread_task_post(rp->pmcf->thread_pool, entry->task)
            == NGX_OK)
        {
            rp->finishing++;
            return;
        }
    }

    ngx_http_prism_outbox_finish(entry, rp->conn.log);
}


/* A finishing task is back; the last one ends a batch done publishing. */

static void
ngx_http_prism_replay_finished(ngx_event_t *ev)
{
    ngx_http_prism_replay_t  *rp;

    rp = &ngx_http_prism_replay;

    rp->finishing--;

    if (rp->finishing == 0 && rp->next >= rp->scan->nentries
        && !rp->call->running)
    {
        ngx_http_prism_replay_end();
    }
}


/*
 * Ends the batch (every claim was finished or released by now: the pool
 * holds no open file) and arms the next
 * look: a backoff after an SNS failure, at once after a full batch, else
 * after a pause.
 */

static void
ngx_http_prism_replay_end(void)
{
    ngx_msec_t                delay;
    ngx_uint_t                full;
    ngx_http_prism_replay_t  *rp;

    rp = &ngx_http_prism_replay;

    full = rp->scan->nentries == NGX_HTTP_PRISM_REPLAY_BATCH;

    ngx_destroy_pool(rp->pool);

    rp->pool = NULL;
    rp->scan = NULL;
    rp->call = NULL;

    if (rp->stalled) {
        delay = NGX_HTTP_PRISM_REPLAY_BASE
                + aws_retry_delay_ms(&ngx_http_prism_replay_backoff,
                                     rp->failures ? (int) rp->failures - 1
                                                  : 0,
                                     &rp->rng);

        ngx_log_debug2(NGX_LOG_DEBUG_HTTP, rp->conn.log, 0,
                       "prism outbox: %ui failures, next look in %Mms",
                       rp->failures, delay);

    } else if (full) {
        delay = 1;

    } else {
        delay = NGX_HTTP_PRISM_REPLAY_IDLE;
    }

    ngx_http_prism_replay_schedule(delay);
}


#endif /* NGX_THREADS */
