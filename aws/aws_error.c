#include "aws_error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Service error codes that mean "slow down and try again". */
static const char *const aws_error_throttling_codes[] = { "Throttling",
                                                          "ThrottlingException",
                                                          "ThrottledException",
                                                          "RequestThrottled",
                                                          "RequestThrottledException",
                                                          "SlowDown",
                                                          "TooManyRequestsException",
                                                          "ProvisionedThroughputExceededException",
                                                          "RequestLimitExceeded",
                                                          "BandwidthLimitExceeded",
                                                          "KMSThrottlingException",
                                                          "TransactionInProgressException",
                                                          NULL };

/* Service error codes for transient server-side failures and for a
 * request that went stale (clock skew): a re-signed retry may succeed. */
static const char *const aws_error_transient_codes[] = {
    "InternalError",
    "InternalFailure",
    "ServiceUnavailable",
    "RequestTimeout",
    "RequestTimeoutException",
    "RequestTimeTooSkewed",
    "RequestExpired",
    "RequestInTheFuture",
    "ConditionalRequestConflict", /* S3: a concurrent conditional write */
    NULL
};

/* Copies src into dst (size n), truncating; "" for NULL. */
static void aws_error_copy(char *dst, size_t n, const char *src)
{
    snprintf(dst, n, "%s", src ? src : "");
}

/* Returns 1 when code is one of the NULL-terminated list. */
static int aws_error_code_in(const char *code, const char *const *list)
{
    for (; *list != NULL; list++) {
        if (strcmp(code, *list) == 0) {
            return 1;
        }
    }
    return 0;
}

void aws_error_clear(aws_error_t *e)
{
    if (e != NULL) {
        memset(e, 0, sizeof(*e));
    }
}

void aws_error_set(aws_error_t *e, aws_err_kind_t kind, const char *fmt, ...)
{
    va_list ap;

    if (e == NULL) {
        return;
    }
    aws_error_clear(e);
    e->kind = kind;
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof(e->message), fmt, ap);
    va_end(ap);
}

void aws_error_set_service(aws_error_t *e, long http_status, const char *code, const char *message,
                           const char *request_id)
{
    if (e == NULL) {
        return;
    }
    aws_error_clear(e);
    e->kind = AWS_ERR_HTTP;
    e->http_status = http_status;
    aws_error_copy(e->code, sizeof(e->code), code);
    aws_error_copy(e->message, sizeof(e->message), message);
    aws_error_copy(e->request_id, sizeof(e->request_id), request_id);
}

void aws_error_set_request_id(aws_error_t *e, const char *request_id)
{
    if (e != NULL && e->request_id[0] == '\0' && request_id != NULL) {
        aws_error_copy(e->request_id, sizeof(e->request_id), request_id);
    }
}

const char *aws_err_kind_name(aws_err_kind_t kind)
{
    switch (kind) {
    case AWS_ERR_NONE: return "none";
    case AWS_ERR_NETWORK: return "network";
    case AWS_ERR_TIMEOUT: return "timeout";
    case AWS_ERR_HTTP: return "http";
    case AWS_ERR_PARSE: return "parse";
    case AWS_ERR_CONFIG: return "config";
    case AWS_ERR_CREDENTIALS: return "credentials";
    case AWS_ERR_TOO_LARGE: return "too-large";
    case AWS_ERR_NOMEM: return "out-of-memory";
    case AWS_ERR_IO: return "io";
    case AWS_ERR_CANCELLED: return "cancelled";
    case AWS_ERR_TLS: return "tls";
    }
    return "unknown";
}

int aws_error_is_throttling(const aws_error_t *e)
{
    return e != NULL && e->kind == AWS_ERR_HTTP
           && (e->http_status == 429 || aws_error_code_in(e->code, aws_error_throttling_codes));
}

int aws_error_is(const aws_error_t *e, const char *code)
{
    return e != NULL && e->kind == AWS_ERR_HTTP && strcmp(e->code, code) == 0;
}

int aws_error_retryable(const aws_error_t *e)
{
    if (e == NULL) {
        return 0;
    }
    switch (e->kind) {
    case AWS_ERR_NETWORK:
    case AWS_ERR_TIMEOUT: return 1;
    case AWS_ERR_HTTP:
        return e->http_status >= 500 || aws_error_is_throttling(e)
               || aws_error_code_in(e->code, aws_error_transient_codes);
    default: return 0;
    }
}

char *aws_error_format(const aws_error_t *e, char *out, size_t outlen)
{
    const char *sep;
    char *p;
    int n;

    if (outlen == 0) {
        return out;
    }
    if (e == NULL || e->kind == AWS_ERR_NONE) {
        snprintf(out, outlen, "no error");
        return out;
    }
    sep = e->message[0] ? ": " : "";
    if (e->kind == AWS_ERR_HTTP) {
        n = snprintf(out, outlen, "http %ld %s%s%s", e->http_status,
                     e->code[0] ? e->code : "(no code)", sep, e->message);
    } else if (e->http_status) {
        n = snprintf(out, outlen, "%s (http %ld)%s%s", aws_err_kind_name(e->kind), e->http_status,
                     sep, e->message);
    } else {
        n = snprintf(out, outlen, "%s%s%s", aws_err_kind_name(e->kind), sep, e->message);
    }
    if (e->request_id[0] && n >= 0 && (size_t) n < outlen) {
        snprintf(out + n, outlen - (size_t) n, " (request id %s)", e->request_id);
    }
    for (p = out; *p; p++) {
        if ((unsigned char) *p < 0x20 || *p == 0x7f) {
            *p = ' ';
        }
    }
    return out;
}
