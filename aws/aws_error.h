/*
 * aws_error — what went wrong in one AWS call, as data.
 *
 * Every function of the AWS layer reports failure through an aws_error_t
 * out-parameter; nothing is printed.  `kind` says which layer failed;
 * for service errors (kind AWS_ERR_HTTP) `code` carries the service's
 * error code ("NoSuchKey", "QueueDoesNotExist", "Throttling"), `message`
 * its text and `request_id` the id to quote to AWS support.
 *
 * Messages never contain credentials: callers only pass text that came
 * from a service response or describes the failure.
 */
#ifndef AWS_ERROR_H
#define AWS_ERROR_H

#include <stddef.h>

typedef enum {
    AWS_ERR_NONE = 0,
    AWS_ERR_NETWORK,     /* DNS, connect, TLS, connection reset */
    AWS_ERR_TIMEOUT,     /* connect or transfer timeout */
    AWS_ERR_HTTP,        /* the service answered with an error status */
    AWS_ERR_PARSE,       /* a response we could not understand */
    AWS_ERR_CONFIG,      /* bad configuration or bad call parameters */
    AWS_ERR_CREDENTIALS, /* no credentials, or fetching them failed */
    AWS_ERR_TOO_LARGE,   /* a body over the caller's limit */
    AWS_ERR_NOMEM,
    AWS_ERR_IO,        /* reading or writing a local file */
    AWS_ERR_CANCELLED, /* aborted by the caller's cancel flag */
    AWS_ERR_TLS        /* the endpoint's certificate was refused; not retried */
} aws_err_kind_t;

typedef struct {
    aws_err_kind_t kind;
    long http_status; /* 0 when no response was received */
    char code[64];    /* service error code, "" when none */
    char message[512];
    char request_id[128];
} aws_error_t;

/* Resets e to "no error" (kind AWS_ERR_NONE, all fields empty).
 * Accepts NULL. */
void aws_error_clear(aws_error_t *e);

/* Clears e, then sets kind and a printf-formatted message (truncated to
 * fit).  Accepts NULL (then does nothing). */
void aws_error_set(aws_error_t *e, aws_err_kind_t kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Clears e and records a service error: kind AWS_ERR_HTTP, the HTTP
 * status, and code / message / request id (each may be NULL or "",
 * each truncated to its field).  Accepts NULL e. */
void aws_error_set_service(aws_error_t *e, long http_status, const char *code, const char *message,
                           const char *request_id);

/* Copies request_id into e->request_id when e has none yet (so an id
 * from the error body wins over the header's when both are set in that
 * order).  NULL or "" is ignored. */
void aws_error_set_request_id(aws_error_t *e, const char *request_id);

/* Returns the lower-case name of a kind ("network", "http", ...). */
const char *aws_err_kind_name(aws_err_kind_t kind);

/* Returns 1 when retrying the same call may succeed: network errors,
 * timeouts, HTTP 5xx, HTTP 429, throttling codes (Throttling,
 * ThrottlingException, ThrottledException, RequestThrottled,
 * RequestThrottledException, SlowDown, TooManyRequestsException,
 * ProvisionedThroughputExceededException, RequestLimitExceeded,
 * BandwidthLimitExceeded, KMSThrottlingException,
 * TransactionInProgressException), transient service codes
 * (InternalError, InternalFailure, ServiceUnavailable, RequestTimeout,
 * RequestTimeoutException) and clock-skew codes (RequestTimeTooSkewed,
 * RequestExpired, RequestInTheFuture: the retry is signed again with a
 * fresh date).  Everything else — other 4xx, configuration, parse,
 * too-large, I/O, memory, credentials, cancellation — is permanent:
 * returns 0. */
int aws_error_retryable(const aws_error_t *e);

/* Returns 1 when e is a throttling error (the codes above, or HTTP 429). */
int aws_error_is_throttling(const aws_error_t *e);

/* Returns 1 when e is a service error whose code equals `code`. */
int aws_error_is(const aws_error_t *e, const char *code);

/* Formats e as one log line into out (outlen bytes, always
 * NUL-terminated when outlen > 0), e.g.
 *   "http 404 NoSuchKey: The specified key does not exist. (request id 4442587FB7D0A2F9)"
 *   "timeout: Operation timed out after 5001 milliseconds"
 * Control characters (newlines from service messages) become spaces.
 * Returns out. */
char *aws_error_format(const aws_error_t *e, char *out, size_t outlen);

#endif
