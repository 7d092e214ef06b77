
/*
 * One AWS call with retries, on nginx's event loop.
 *
 * The asynchronous counterpart of aws/aws_call.c: every attempt builds
 * and signs a fresh request (fresh date, current credentials) through the
 * owner's build callback, runs it on the worker's curl multi handle, and
 * hands a complete response to the parse callback.  A retryable failure
 * is retried after a full-jitter backoff drawn by the client, on an nginx
 * timer, as long as the attempt still fits before the deadline.  The
 * same timer guards the deadline while a transfer runs; it is not
 * cancelable, so a gracefully exiting worker finishes the call first.
 */


#include "ngx_http_prism.h"


static void ngx_http_prism_call_cancel(ngx_http_prism_call_t *call);
static void ngx_http_prism_call_attempt(ngx_http_prism_call_t *call);
static void ngx_http_prism_call_finished(ngx_http_prism_xfer_t *xfer);
static void ngx_http_prism_call_timer(ngx_event_t *ev);
static void ngx_http_prism_call_end(ngx_http_prism_call_t *call,
    ngx_int_t rc);
static void ngx_http_prism_call_release(ngx_http_prism_call_t *call);
static void ngx_http_prism_call_cleanup(void *data);


/*
 * Allocates a call from pool for a request on connection c (whose log
 * it uses), to be started (and restarted for later
 * calls) with ngx_http_prism_call_start.  Whatever it holds is released,
 * and a running transfer stopped, when the pool is destroyed.  Returns
 * the call, or NULL when memory runs out.
 */

ngx_http_prism_call_t *
ngx_http_prism_call_create(ngx_pool_t *pool, ngx_connection_t *c,
    aws_client_t *client)
{
    ngx_pool_cleanup_t     *cln;
    ngx_http_prism_call_t  *call;

    call = ngx_pcalloc(pool, sizeof(ngx_http_prism_call_t));
    if (call == NULL) {
        return NULL;
    }

    cln = ngx_pool_cleanup_add(pool, 0);
    if (cln == NULL) {
        return NULL;
    }

    call->client = client;
    call->log = c->log;

    aws_response_init(&call->resp);

    call->xfer.handler = ngx_http_prism_call_finished;
    call->xfer.data = call;

    call->timer.handler = ngx_http_prism_call_timer;
    call->timer.data = c;
    call->timer.log = c->log;

    cln->handler = ngx_http_prism_call_cleanup;
    cln->data = call;

    return call;
}


/*
 * Starts the call described by call->service, build, parse, done and
 * data, to end before DEADLINE (an ngx_current_msec value).  call->done
 * runs exactly once, later, with call->rc NGX_OK or NGX_ERROR and the
 * last error in call->err.  Returns NGX_OK, or NGX_ERROR when the call
 * could not begin (call->done will not run; call->err says why).
 */

ngx_int_t
ngx_http_prism_call_start(ngx_http_prism_call_t *call, ngx_msec_t deadline)
{
    if (call->running) {
        aws_error_set(&call->err, AWS_ERR_CONFIG, "a call is already running");
        return NGX_ERROR;
    }

    call->attempts = 0;
    call->deadline = deadline;
    call->rc = NGX_ERROR;
    call->running = 1;

    aws_error_clear(&call->err);

    ngx_http_prism_call_attempt(call);

    return NGX_OK;
}


/*
 * Stops a running call without calling call->done.
 */

static void
ngx_http_prism_call_cancel(ngx_http_prism_call_t *call)
{
    call->running = 0;

    if (call->timer.timer_set) {
        ngx_del_timer(&call->timer);
    }

    ngx_http_prism_call_release(call);
}


/*
 * Runs one attempt: build and sign, create the transfer, start it.  A
 * failure to do so ends the call (or retries it, when the build error is
 * retryable).
 */

static void
ngx_http_prism_call_attempt(ngx_http_prism_call_t *call)
{
    ngx_msec_int_t   remaining;
    aws_http_opts_t  opts;

    ngx_http_prism_call_release(call);

    remaining = (ngx_msec_int_t) (call->deadline - ngx_current_msec);
    if (remaining <= 0) {
        aws_error_set(&call->err, AWS_ERR_TIMEOUT,
                      "no time left for the %s request", call->service);
        ngx_http_prism_call_end(call, NGX_ERROR);
        return;
    }

    call->attempts++;

    aws_response_reset(&call->resp);

    if (call->build(call, &call->err) != 0) {
        ngx_http_prism_call_end(call, NGX_ERROR);
        return;
    }

    call->has_req = 1;

    aws_client_http_opts(call->client, call->service, &opts);

    if (opts.timeout_ms == 0 || opts.timeout_ms > remaining) {
        opts.timeout_ms = remaining;
    }

    if (opts.connect_timeout_ms == 0 || opts.connect_timeout_ms > remaining) {
        opts.connect_timeout_ms = remaining;
    }

    call->xfer.easy = aws_http_easy_new(&call->req, &call->resp, &opts,
                                        &call->err);
    if (call->xfer.easy == NULL) {
        ngx_http_prism_call_end(call, NGX_ERROR);
        return;
    }

    ngx_log_debug3(NGX_LOG_DEBUG_HTTP, call->log, 0,
                   "prism %s %s attempt %ui",
                   call->service, call->req.method, call->attempts);

    if (ngx_http_prism_curl_add(&call->xfer, call->log) != NGX_OK) {
        aws_error_set(&call->err, AWS_ERR_NOMEM, "cannot start a transfer");
        ngx_http_prism_call_end(call, NGX_ERROR);
        return;
    }

    /* the deadline guard */

    ngx_add_timer(&call->timer, (ngx_msec_t) remaining);
}


/*
 * A transfer finished: interpret it, then end the call or schedule the
 * next attempt.
 */

static void
ngx_http_prism_call_finished(ngx_http_prism_xfer_t *xfer)
{
    unsigned                delay;
    ngx_msec_int_t          remaining;
    ngx_http_prism_call_t  *call;
    u_char                  msg[NGX_MAX_ERROR_STR];

    call = xfer->data;

    if (call->timer.timer_set) {
        ngx_del_timer(&call->timer);
    }

    if (aws_http_easy_finish(xfer->easy, xfer->result, &call->resp,
                             &call->err) == 0
        && call->parse(call, &call->err) == 0)
    {
        ngx_http_prism_call_end(call, NGX_OK);
        return;
    }

    remaining = (ngx_msec_int_t) (call->deadline - ngx_current_msec);

    if (!aws_client_retry_next(call->client, (int) call->attempts, &call->err,
                               remaining, &delay))
    {
        ngx_http_prism_call_end(call, NGX_ERROR);
        return;
    }

    ngx_log_error(NGX_LOG_WARN, call->log, 0,
                  "prism: %s %s attempt %ui failed, retrying in %uDms: %s",
                  call->service, call->req.method, call->attempts, delay,
                  aws_error_format(&call->err, (char *) msg, sizeof(msg)));

    ngx_http_prism_call_release(call);

    ngx_add_timer(&call->timer, delay ? delay : 1);
}


/*
 * The call's timer: the deadline while a transfer runs, else the end of
 * a backoff.
 */

static void
ngx_http_prism_call_timer(ngx_event_t *ev)
{
    ngx_http_prism_call_t  *call;

    call = (ngx_http_prism_call_t *)
               ((u_char *) ev - offsetof(ngx_http_prism_call_t, timer));

    if (call->xfer.active) {
        ngx_http_prism_curl_remove(&call->xfer);
        aws_error_set(&call->err, AWS_ERR_TIMEOUT,
                      "%s request timed out", call->service);
        ngx_http_prism_call_end(call, NGX_ERROR);
        return;
    }

    ngx_http_prism_call_attempt(call);
}


/* Ends the call with rc and tells its owner. */

static void
ngx_http_prism_call_end(ngx_http_prism_call_t *call, ngx_int_t rc)
{
    call->rc = rc;
    call->running = 0;

    if (call->timer.timer_set) {
        ngx_del_timer(&call->timer);
    }

    call->done(call);
}


/*
 * Frees the request, its body and the transfer of the last attempt (the
 * response stays: the owner reads it in done).
 */

static void
ngx_http_prism_call_release(ngx_http_prism_call_t *call)
{
    if (call->xfer.easy) {
        ngx_http_prism_curl_remove(&call->xfer);
        aws_http_easy_free(call->xfer.easy);
        call->xfer.easy = NULL;
    }

    if (call->has_req) {
        aws_request_free(&call->req);
        call->has_req = 0;
    }

    aws_buf_free(&call->body);
}


/* Pool cleanup: stops a running call and frees everything it holds. */

static void
ngx_http_prism_call_cleanup(void *data)
{
    ngx_http_prism_call_t  *call = data;

    ngx_http_prism_call_cancel(call);
    aws_response_free(&call->resp);
}


/*
 * Keeps src, a string of a call's answer (an ETag, an id), as dst in
 * pool.  Returns 0, or -1 with AWS_ERR_NOMEM in err (a parse callback's
 * failure).
 */

int
ngx_http_prism_call_keep(ngx_pool_t *pool, ngx_str_t *dst, const char *src,
    aws_error_t *err)
{
    if (ngx_http_prism_strdup(pool, dst, (u_char *) src, ngx_strlen(src))
        != NGX_OK)
    {
        aws_error_set(err, AWS_ERR_NOMEM, "out of memory");
        return -1;
    }

    return 0;
}
