
/*
 * AWS credentials, kept warm off the event loop.
 *
 * The client's credentials provider may block for seconds when it fetches
 * instance or container credentials (IMDSv2, ECS).  Signing in the event
 * loop must never do that, so each worker:
 *
 *   - fetches credentials once when it starts (init_process), before it
 *     accepts a request;
 *   - every minute asks the provider again in an nginx thread pool task,
 *     for a time two minutes ahead: credentials that expire are fetched
 *     anew seven minutes before their expiry, ahead of the five-minute
 *     window in which a signature in the event loop would fetch them;
 *   - refuses uploads with 503 while the last attempt failed, instead of
 *     letting a request fetch them in the loop.
 *
 * Static credentials (prism_credentials env, a profile) are only read
 * from the provider's cache by these refreshes.
 */


#include "ngx_http_prism.h"


#define NGX_HTTP_PRISM_CREDENTIALS_AHEAD      120
#define NGX_HTTP_PRISM_CREDENTIALS_PERIOD     60000
#define NGX_HTTP_PRISM_CREDENTIALS_RETRY      5000


typedef struct {
    aws_client_t       *client;
    time_t              now;
    int                 rc;
    aws_error_t         err;
} ngx_http_prism_refresh_t;


static int ngx_http_prism_credentials_fetch(aws_client_t *client, time_t now,
    aws_error_t *err);
static void ngx_http_prism_credentials_schedule(void);
static void ngx_http_prism_credentials_timer(ngx_event_t *ev);
static void ngx_http_prism_credentials_result(ngx_http_prism_refresh_t *rf);
#if (NGX_THREADS)
static void ngx_http_prism_credentials_thread(void *data, ngx_log_t *log);
static void ngx_http_prism_credentials_done(ngx_event_t *ev);
#endif


static ngx_uint_t                   ngx_http_prism_credentials_ok;
static ngx_event_t                  ngx_http_prism_credentials_event;
static ngx_connection_t             ngx_http_prism_credentials_conn;
static ngx_http_prism_refresh_t    *ngx_http_prism_refresh;
#if (NGX_THREADS)
static ngx_thread_pool_t           *ngx_http_prism_refresh_pool;
static ngx_thread_task_t           *ngx_http_prism_refresh_task;
static ngx_uint_t                   ngx_http_prism_refresh_busy;
#endif


/*
 * Fetches the worker's first credentials (blocking, at worker start) and
 * schedules the refreshes.  A failure is logged and retried by the
 * refresh timer; uploads are refused meanwhile.  Returns NGX_OK, or
 * NGX_ERROR when memory runs out.
 */

ngx_int_t
ngx_http_prism_credentials_init(ngx_cycle_t *cycle,
    ngx_http_prism_main_conf_t *pmcf)
{
#if (NGX_THREADS)
    ngx_http_prism_refresh_pool = ngx_thread_pool_get(cycle,
                                                      &pmcf->thread_pool_name);
    if (ngx_http_prism_refresh_pool == NULL) {
        ngx_log_error(NGX_LOG_EMERG, cycle->log, 0,
                      "prism: thread pool \"%V\" not found",
                      &pmcf->thread_pool_name);
        return NGX_ERROR;
    }

    ngx_http_prism_refresh_task = ngx_thread_task_alloc(cycle->pool,
                                            sizeof(ngx_http_prism_refresh_t));
    if (ngx_http_prism_refresh_task == NULL) {
        return NGX_ERROR;
    }

    ngx_http_prism_refresh = ngx_http_prism_refresh_task->ctx;

    ngx_http_prism_refresh_task->handler = ngx_http_prism_credentials_thread;
    ngx_http_prism_refresh_task->event.handler = ngx_http_prism_credentials_done;
    ngx_http_prism_refresh_task->event.data = ngx_http_prism_refresh;
    ngx_http_prism_refresh_task->event.log = cycle->log;
#else
    ngx_http_prism_refresh = ngx_pcalloc(cycle->pool,
                                         sizeof(ngx_http_prism_refresh_t));
    if (ngx_http_prism_refresh == NULL) {
        return NGX_ERROR;
    }
#endif

    ngx_http_prism_refresh->client = pmcf->client;

    /* timer events identify themselves by a connection's fd in debug logs */

    ngx_http_prism_credentials_conn.fd = (ngx_socket_t) -1;

    ngx_http_prism_credentials_event.handler = ngx_http_prism_credentials_timer;
    ngx_http_prism_credentials_event.data = &ngx_http_prism_credentials_conn;
    ngx_http_prism_credentials_event.log = cycle->log;
    ngx_http_prism_credentials_event.cancelable = 1;

    ngx_http_prism_refresh->now = time(NULL);
    ngx_http_prism_refresh->rc = ngx_http_prism_credentials_fetch(
                                     pmcf->client, ngx_http_prism_refresh->now,
                                     &ngx_http_prism_refresh->err);

    ngx_http_prism_credentials_ok = 1;

    ngx_http_prism_credentials_result(ngx_http_prism_refresh);

    return NGX_OK;
}


/*
 * Returns 1 when the last fetch succeeded, so that signing in the event
 * loop reads cached credentials.
 */

ngx_uint_t
ngx_http_prism_credentials_ready(void)
{
    return ngx_http_prism_credentials_ok;
}


/*
 * Asks the provider for credentials valid at NOW by signing a throw-away
 * request.  May block (network sources).  Returns 0, or -1 with err set.
 */

static int
ngx_http_prism_credentials_fetch(aws_client_t *client, time_t now,
    aws_error_t *err)
{
    int            rc;
    aws_request_t  req;

    if (aws_client_request_init(client, &req, "GET", "sns", NULL, "/", err)
        != 0)
    {
        return -1;
    }

    rc = aws_client_sign_at(client, &req, now, err);

    aws_request_free(&req);

    return rc;
}


/* Arms the refresh timer: sooner while credentials are missing. */

static void
ngx_http_prism_credentials_schedule(void)
{
    ngx_add_timer(&ngx_http_prism_credentials_event,
                  ngx_http_prism_credentials_ok
                  ? NGX_HTTP_PRISM_CREDENTIALS_PERIOD
                  : NGX_HTTP_PRISM_CREDENTIALS_RETRY);
}


/*
 * The refresh timer: asks for credentials valid a little ahead, in a
 * thread (without thread support, in the event loop).
 */

static void
ngx_http_prism_credentials_timer(ngx_event_t *ev)
{
    ngx_http_prism_refresh->now = time(NULL)
                                  + NGX_HTTP_PRISM_CREDENTIALS_AHEAD;

#if (NGX_THREADS)

    if (ngx_http_prism_refresh_busy) {
        return;
    }

    if (ngx_thread_task_post(ngx_http_prism_refresh_pool,
                             ngx_http_prism_refresh_task)
        != NGX_OK)
    {
        ngx_http_prism_credentials_schedule();
        return;
    }

    ngx_http_prism_refresh_busy = 1;

#else

    ngx_http_prism_refresh->rc = ngx_http_prism_credentials_fetch(
                                     ngx_http_prism_refresh->client,
                                     ngx_http_prism_refresh->now,
                                     &ngx_http_prism_refresh->err);

    ngx_http_prism_credentials_result(ngx_http_prism_refresh);

#endif
}


/*
 * Records the outcome of a fetch, logs when it changes, schedules the
 * next one.
 */

static void
ngx_http_prism_credentials_result(ngx_http_prism_refresh_t *rf)
{
    u_char  msg[NGX_MAX_ERROR_STR];

    if (rf->rc == 0) {
        if (!ngx_http_prism_credentials_ok) {
            ngx_log_error(NGX_LOG_NOTICE, ngx_cycle->log, 0,
                          "prism: AWS credentials available again");
        }

        ngx_http_prism_credentials_ok = 1;

    } else {
        if (ngx_http_prism_credentials_ok) {
            ngx_log_error(NGX_LOG_ERR, ngx_cycle->log, 0,
                          "prism: no AWS credentials: %s",
                          aws_error_format(&rf->err, (char *) msg,
                                           sizeof(msg)));
        }

        ngx_http_prism_credentials_ok = 0;
    }

    ngx_http_prism_credentials_schedule();
}


#if (NGX_THREADS)

/* In a pool thread: the fetch, which may block. */

static void
ngx_http_prism_credentials_thread(void *data, ngx_log_t *log)
{
    ngx_http_prism_refresh_t  *rf = data;

    rf->rc = ngx_http_prism_credentials_fetch(rf->client, rf->now, &rf->err);
}


/* Back in the event loop after the thread's fetch. */

static void
ngx_http_prism_credentials_done(ngx_event_t *ev)
{
    ngx_http_prism_refresh_busy = 0;

    ngx_http_prism_credentials_result(ev->data);
}

#endif
