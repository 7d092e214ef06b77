/*
 * aws_http — libcurl glue shared by both transports.
 *
 * aws_http_easy_new() turns a signed aws_request_t into a configured
 * libcurl easy handle that fills an aws_response_t.  The nginx module
 * adds such handles to its own curl multi driven by nginx events and
 * calls aws_http_easy_finish() when curl reports the transfer done;
 * prism-host and prism-aws use the blocking aws_http_perform() (one
 * attempt; aws_call.h adds retries).
 *
 * A "complete" transfer is one that received a whole HTTP response,
 * whatever its status: deciding whether a 4xx/5xx body is an AWS error
 * belongs to the service parsers (sns.c, sqs.c, s3.c), which read
 * resp->status, resp->body and the captured headers.  The transport
 * reports only what it knows: network failures, timeouts, bodies over
 * the limit, local I/O errors and cancellation.
 */
#ifndef AWS_HTTP_H
#define AWS_HTTP_H

#include <signal.h>
#include <stddef.h>
#include <sys/types.h>

#include <curl/curl.h>

#include "aws_buf.h"
#include "aws_error.h"
#include "aws_request.h"

/* Default limit of a body kept in memory. */
#define AWS_HTTP_DEFAULT_MAX_BODY (16 * 1024 * 1024)
/* Error bodies (status >= 300) are kept up to this size, the rest dropped. */
#define AWS_HTTP_MAX_ERROR_BODY (64 * 1024)

typedef struct {
    /* In: how the body is received.  Set by aws_response_init(); change
     * before the transfer starts. */
    size_t max_body; /* limit for a 2xx body, memory or sink; 0 = none */
    int sink_fd;     /* -1: 2xx body into `body`; else written
                                    with pwrite() at sink_offset onwards */
    off_t sink_offset;

    /* Out: what arrived. */
    long status;              /* HTTP status, 0 when none arrived */
    aws_buf_t body;           /* 2xx body when sink_fd < 0; error bodies always */
    off_t sink_written;       /* bytes written to sink_fd */
    long long content_length; /* Content-Length header, -1 when absent */
    char request_id[128];     /* x-amzn-RequestId / x-amz-request-id */
    char etag[128];           /* ETag, quotes kept as sent */
    char content_type[128];
    char last_modified[64];
    char amz_id2[256];     /* x-amz-id-2 (S3 extended request id) */
    char query_error[128]; /* x-amzn-query-error ("Code;Sender") */
    aws_header_t *meta;    /* x-amz-meta-*: names lower-cased, prefix removed */
    size_t nmeta;

    /* Private to aws_http.c: abort reasons seen by callbacks. */
    int too_large;
    int sink_errno;
    size_t cap_meta;
} aws_response_t;

/* Per-transfer options (the client fills them: aws_client_http_opts()). */
typedef struct {
    long connect_timeout_ms;             /* 0: libcurl's default */
    long timeout_ms;                     /* whole transfer, 0: none */
    int verify_tls;                      /* 1: verify the peer certificate and host name */
    const char *ca_file;                 /* PEM bundle, NULL: the system's */
    const volatile sig_atomic_t *cancel; /* when *cancel != 0 the transfer aborts
                                             (checked at least once a second); may be NULL */
} aws_http_opts_t;

/* Initialises r: memory body, limit AWS_HTTP_DEFAULT_MAX_BODY, no sink. */
void aws_response_init(aws_response_t *r);

/* Clears what a previous attempt received (status, body, headers,
 * sink_written) and keeps the "in" settings, so a retry starts afresh;
 * a sink is rewritten from sink_offset. */
void aws_response_reset(aws_response_t *r);

/* Frees what r owns; r may be initialised again afterwards. */
void aws_response_free(aws_response_t *r);

/* Returns the value of metadata NAME (without "x-amz-meta-",
 * case-insensitive), or NULL. */
const char *aws_response_meta(const aws_response_t *r, const char *name);

/* Returns 1 when r->status is 2xx. */
int aws_response_ok(const aws_response_t *r);

/* Sets err to a generic service error for a non-2xx response that has
 * no parsable error body: kind AWS_ERR_HTTP, the status, a code derived
 * from it (400 BadRequest, 403 Forbidden, 404 NotFound, 405
 * MethodNotAllowed, 409 Conflict, 412 PreconditionFailed, 429
 * TooManyRequests, 500 InternalError, 503 ServiceUnavailable, others
 * "Http<status>"), and the response's request id. */
void aws_response_status_error(const aws_response_t *r, aws_error_t *err);

/* Creates an easy handle sending req and receiving into resp, with
 * opts.  Sets URL, method (HEAD without a body), every request header
 * plus "Expect:" (disabled) and an explicit Content-Length for bodies,
 * the body from memory or streamed with pread() from req->body_fd
 * (body_offset .. +body_len), timeouts, TLS verification, NOSIGNAL, and
 * a progress callback for opts->cancel.  req, resp and *opts->cancel
 * must outlive the handle; opts itself is copied.  The handle's
 * CURLOPT_PRIVATE is used internally: use aws_http_easy_set_user().
 * Returns the handle, or NULL with err set (AWS_ERR_NOMEM or
 * AWS_ERR_CONFIG when a header cannot be built). */
CURL *aws_http_easy_new(const aws_request_t *req, aws_response_t *resp, const aws_http_opts_t *opts,
                        aws_error_t *err);

/* Attaches / returns a caller pointer to the handle (the nginx module's
 * per-transfer context). */
void aws_http_easy_set_user(CURL *easy, void *user);
void *aws_http_easy_user(CURL *easy);

/* Interprets the end of a transfer: rc is the CURLcode libcurl reported
 * (CURLMSG_DONE's result, or curl_easy_perform's).  Fills resp->status.
 * Returns 0 when a complete HTTP response arrived (any status: call the
 * service parser next), or -1 with err set: AWS_ERR_TIMEOUT,
 * AWS_ERR_NETWORK (DNS, connect, TLS, reset: message from libcurl),
 * AWS_ERR_TOO_LARGE (body over resp->max_body, by Content-Length or
 * while streaming), AWS_ERR_IO (writing the sink or reading the request
 * body file failed), AWS_ERR_CANCELLED. */
int aws_http_easy_finish(CURL *easy, CURLcode rc, aws_response_t *resp, aws_error_t *err);

/* Frees the handle and what aws_http_easy_new() attached to it.  The
 * caller removes it from any multi handle first.  NULL is allowed. */
void aws_http_easy_free(CURL *easy);

/* Blocking single attempt: configures, performs and interprets one
 * transfer as aws_http_easy_new + a private curl multi +
 * aws_http_easy_finish.  It reuses one easy and one multi handle per
 * thread (reset between calls), so keep-alive connections, DNS and TLS
 * sessions carry over to the next call on the same thread (this also
 * means one thread runs one aws_http_perform at a time: do not call it
 * from a curl callback).  With opts->cancel set, the flag is looked at
 * every 50 ms even while the transfer only waits (a long poll), so a
 * raised flag ends it within that time.  Returns 0 when a complete
 * response arrived (any status), -1 with err set as
 * aws_http_easy_finish / aws_http_easy_new.  Call curl_global_init()
 * before the first use (aws_client_new() does). */
int aws_http_perform(const aws_request_t *req, aws_response_t *resp, const aws_http_opts_t *opts,
                     aws_error_t *err);

/* Closes the calling thread's cached connections and frees its handle.
 * Threads that exit are cleaned up automatically; the main thread calls
 * this before exit (aws_client_free() does).  A forked child never
 * reuses its parent's handle: aws_http_perform() notices the new pid
 * and starts a fresh one without touching the parent's connections. */
void aws_http_thread_cleanup(void);

#endif
