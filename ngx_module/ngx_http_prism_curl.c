
/*
 * libcurl's multi-socket API driven by nginx's event loop.
 *
 * One curl multi handle per worker process.  curl tells which sockets it
 * wants to watch (CURLMOPT_SOCKETFUNCTION) and when it wants a timeout
 * (CURLMOPT_TIMERFUNCTION); each socket gets an nginx connection whose
 * read/write events are registered level-triggered (curl does not always
 * drain a socket in one call), and one nginx timer stands for curl's
 * timeout.  Either kind of event calls curl_multi_socket_action(), after
 * which finished transfers are collected with curl_multi_info_read() and
 * handed to their owner's handler.  Nothing here blocks.
 */


#include "ngx_http_prism.h"


typedef struct {
    ngx_queue_t                 queue;
    ngx_connection_t           *connection;
} ngx_http_prism_curl_sock_t;


static int ngx_http_prism_curl_socket(CURL *easy, curl_socket_t s, int what,
    void *userp, void *socketp);
static int ngx_http_prism_curl_timer(CURLM *multi, long timeout_ms,
    void *userp);
static ngx_http_prism_curl_sock_t *ngx_http_prism_curl_open(curl_socket_t s);
static void ngx_http_prism_curl_close(ngx_http_prism_curl_sock_t *sock);
static void ngx_http_prism_curl_read_handler(ngx_event_t *ev);
static void ngx_http_prism_curl_write_handler(ngx_event_t *ev);
static void ngx_http_prism_curl_timer_handler(ngx_event_t *ev);
static void ngx_http_prism_curl_action(curl_socket_t s, int flags);
static void ngx_http_prism_curl_collect(void);


static CURLM        *ngx_http_prism_multi;
static ngx_event_t   ngx_http_prism_curl_timer_event;
static ngx_connection_t  ngx_http_prism_curl_timer_conn;
static ngx_queue_t   ngx_http_prism_curl_socks;


/*
 * Creates the worker's multi handle (init_process).  Returns NGX_OK, or
 * NGX_ERROR after logging when libcurl cannot create it.
 */

ngx_int_t
ngx_http_prism_curl_init(ngx_cycle_t *cycle)
{
    ngx_http_prism_multi = curl_multi_init();
    if (ngx_http_prism_multi == NULL) {
        ngx_log_error(NGX_LOG_EMERG, cycle->log, 0,
                      "prism: curl_multi_init() failed");
        return NGX_ERROR;
    }

    ngx_queue_init(&ngx_http_prism_curl_socks);

    ngx_http_prism_curl_timer_event.handler = ngx_http_prism_curl_timer_handler;
    ngx_http_prism_curl_timer_event.log = cycle->log;
    /* timer events identify themselves by a connection's fd in debug logs */

    ngx_http_prism_curl_timer_conn.fd = (ngx_socket_t) -1;
    ngx_http_prism_curl_timer_event.data = &ngx_http_prism_curl_timer_conn;
    ngx_http_prism_curl_timer_event.cancelable = 1;

    curl_multi_setopt(ngx_http_prism_multi, CURLMOPT_SOCKETFUNCTION,
                      ngx_http_prism_curl_socket);
    curl_multi_setopt(ngx_http_prism_multi, CURLMOPT_TIMERFUNCTION,
                      ngx_http_prism_curl_timer);

    return NGX_OK;
}


/*
 * Releases the multi handle and the connections of its sockets
 * (exit_process).  Transfers still running are abandoned: their requests
 * are being torn down with the worker.
 */

void
ngx_http_prism_curl_done(ngx_cycle_t *cycle)
{
    ngx_queue_t                 *q;
    ngx_http_prism_curl_sock_t  *sock;

    if (ngx_http_prism_multi == NULL) {
        return;
    }

    if (ngx_http_prism_curl_timer_event.timer_set) {
        ngx_del_timer(&ngx_http_prism_curl_timer_event);
    }

    while (!ngx_queue_empty(&ngx_http_prism_curl_socks)) {
        q = ngx_queue_head(&ngx_http_prism_curl_socks);
        sock = ngx_queue_data(q, ngx_http_prism_curl_sock_t, queue);
        ngx_http_prism_curl_close(sock);
    }

    curl_multi_setopt(ngx_http_prism_multi, CURLMOPT_SOCKETFUNCTION, NULL);
    curl_multi_setopt(ngx_http_prism_multi, CURLMOPT_TIMERFUNCTION, NULL);
    curl_multi_cleanup(ngx_http_prism_multi);
    ngx_http_prism_multi = NULL;
}


/*
 * Starts xfer->easy (configured by the caller) on the worker's multi
 * handle; xfer->handler runs once when it finishes, with xfer->result.
 * Returns NGX_OK, or NGX_ERROR after logging (the handler will not run).
 */

ngx_int_t
ngx_http_prism_curl_add(ngx_http_prism_xfer_t *xfer, ngx_log_t *log)
{
    CURLMcode  mc;

    aws_http_easy_set_user(xfer->easy, xfer);

    mc = curl_multi_add_handle(ngx_http_prism_multi, xfer->easy);
    if (mc != CURLM_OK) {
        ngx_log_error(NGX_LOG_ALERT, log, 0,
                      "prism: curl_multi_add_handle() failed: %s",
                      curl_multi_strerror(mc));
        return NGX_ERROR;
    }

    xfer->active = 1;

    return NGX_OK;
}


/*
 * Stops a running transfer without calling its handler (the owner is
 * going away).  The easy handle stays the caller's to free.
 */

void
ngx_http_prism_curl_remove(ngx_http_prism_xfer_t *xfer)
{
    if (!xfer->active) {
        return;
    }

    xfer->active = 0;

    if (ngx_http_prism_multi) {
        curl_multi_remove_handle(ngx_http_prism_multi, xfer->easy);
    }
}


/*
 * CURLMOPT_SOCKETFUNCTION: makes nginx watch socket s for what curl
 * wants (CURL_POLL_IN, _OUT, _INOUT) or stop watching it
 * (CURL_POLL_REMOVE).  Returns 0, or -1 (curl then fails the transfer)
 * when no nginx connection is free or the event cannot be registered.
 */

static int
ngx_http_prism_curl_socket(CURL *easy, curl_socket_t s, int what,
    void *userp, void *socketp)
{
    ngx_event_t                 *rev, *wev;
    ngx_connection_t            *c;
    ngx_http_prism_curl_sock_t  *sock;

    sock = socketp;

    if (what == CURL_POLL_REMOVE) {
        if (sock) {
            curl_multi_assign(ngx_http_prism_multi, s, NULL);
            ngx_http_prism_curl_close(sock);
        }

        return 0;
    }

    if (sock == NULL) {
        sock = ngx_http_prism_curl_open(s);
        if (sock == NULL) {
            return -1;
        }

        curl_multi_assign(ngx_http_prism_multi, s, sock);
    }

    c = sock->connection;
    rev = c->read;
    wev = c->write;

    if ((what & CURL_POLL_IN) && !rev->active) {
        if (ngx_add_event(rev, NGX_READ_EVENT, NGX_LEVEL_EVENT) != NGX_OK) {
            return -1;
        }

    } else if (!(what & CURL_POLL_IN) && rev->active) {
        if (ngx_del_event(rev, NGX_READ_EVENT, 0) != NGX_OK) {
            return -1;
        }
    }

    if ((what & CURL_POLL_OUT) && !wev->active) {
        if (ngx_add_event(wev, NGX_WRITE_EVENT, NGX_LEVEL_EVENT) != NGX_OK) {
            return -1;
        }

    } else if (!(what & CURL_POLL_OUT) && wev->active) {
        if (ngx_del_event(wev, NGX_WRITE_EVENT, 0) != NGX_OK) {
            return -1;
        }
    }

    return 0;
}


/*
 * CURLMOPT_TIMERFUNCTION: (re)arms the nginx timer that stands for
 * curl's timeout; -1 removes it.  Always returns 0.
 */

static int
ngx_http_prism_curl_timer(CURLM *multi, long timeout_ms, void *userp)
{
    ngx_event_t  *ev;

    ev = &ngx_http_prism_curl_timer_event;

    /* a shorter timeout must replace a pending one: no lazy re-arming */

    if (ev->timer_set) {
        ngx_del_timer(ev);
    }

    if (timeout_ms >= 0) {
        ngx_add_timer(ev, (ngx_msec_t) timeout_ms);
    }

    return 0;
}


/*
 * Wraps socket s, owned by curl, in an nginx connection.  Returns the
 * wrapper, or NULL after logging when worker_connections are exhausted
 * or memory runs out.
 */

static ngx_http_prism_curl_sock_t *
ngx_http_prism_curl_open(curl_socket_t s)
{
    ngx_log_t                   *log;
    ngx_connection_t            *c;
    ngx_http_prism_curl_sock_t  *sock;

    log = ngx_cycle->log;

    sock = ngx_alloc(sizeof(ngx_http_prism_curl_sock_t), log);
    if (sock == NULL) {
        return NULL;
    }

    c = ngx_get_connection(s, log);
    if (c == NULL) {
        ngx_free(sock);
        return NULL;
    }

    c->data = sock;
    c->read->handler = ngx_http_prism_curl_read_handler;
    c->write->handler = ngx_http_prism_curl_write_handler;
    c->read->log = log;
    c->write->log = log;

    sock->connection = c;
    ngx_queue_insert_tail(&ngx_http_prism_curl_socks, &sock->queue);

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, log, 0, "prism curl socket %d", s);

    return sock;
}


/*
 * Stops watching a socket and releases its nginx connection.  The
 * descriptor itself is curl's: it is not closed here.
 */

static void
ngx_http_prism_curl_close(ngx_http_prism_curl_sock_t *sock)
{
    ngx_connection_t  *c;

    c = sock->connection;

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, c->log, 0,
                   "prism curl socket %d released", c->fd);

    if (c->read->active) {
        ngx_del_event(c->read, NGX_READ_EVENT, 0);
    }

    if (c->write->active) {
        ngx_del_event(c->write, NGX_WRITE_EVENT, 0);
    }

    if (c->read->posted) {
        ngx_delete_posted_event(c->read);
    }

    if (c->write->posted) {
        ngx_delete_posted_event(c->write);
    }

    c->read->closed = 1;
    c->write->closed = 1;

    ngx_free_connection(c);

    /* stale events of this connection are recognised by fd == -1 */
    c->fd = (ngx_socket_t) -1;

    ngx_queue_remove(&sock->queue);
    ngx_free(sock);
}


/* A curl socket is readable. */

static void
ngx_http_prism_curl_read_handler(ngx_event_t *ev)
{
    ngx_connection_t  *c;

    c = ev->data;

    ngx_http_prism_curl_action(c->fd, CURL_CSELECT_IN);
}


/* A curl socket is writable. */

static void
ngx_http_prism_curl_write_handler(ngx_event_t *ev)
{
    ngx_connection_t  *c;

    c = ev->data;

    ngx_http_prism_curl_action(c->fd, CURL_CSELECT_OUT);
}


/* curl's timeout expired. */

static void
ngx_http_prism_curl_timer_handler(ngx_event_t *ev)
{
    ngx_http_prism_curl_action(CURL_SOCKET_TIMEOUT, 0);
}


/*
 * Lets curl act on socket s (or on its timeouts), then completes the
 * transfers that finished.  The connection of s may be released inside.
 */

static void
ngx_http_prism_curl_action(curl_socket_t s, int flags)
{
    int        running;
    CURLMcode  mc;

    mc = curl_multi_socket_action(ngx_http_prism_multi, s, flags, &running);
    if (mc != CURLM_OK) {
        ngx_log_error(NGX_LOG_ALERT, ngx_cycle->log, 0,
                      "prism: curl_multi_socket_action() failed: %s",
                      curl_multi_strerror(mc));
    }

    ngx_http_prism_curl_collect();
}


/*
 * Hands every finished transfer to its handler.  A handler may start new
 * transfers or finalize its request; the message is copied first because
 * removing the handle invalidates it.
 */

static void
ngx_http_prism_curl_collect(void)
{
    int                     left;
    CURL                   *easy;
    CURLMsg                *msg;
    CURLcode                result;
    ngx_http_prism_xfer_t  *xfer;

    while ((msg = curl_multi_info_read(ngx_http_prism_multi, &left))) {

        if (msg->msg != CURLMSG_DONE) {
            continue;
        }

        easy = msg->easy_handle;
        result = msg->data.result;

        curl_multi_remove_handle(ngx_http_prism_multi, easy);

        xfer = aws_http_easy_user(easy);
        if (xfer == NULL) {
            continue;
        }

        xfer->active = 0;
        xfer->result = result;
        xfer->handler(xfer);
    }
}
