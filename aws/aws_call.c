#include "aws_call.h"

#include <errno.h>
#include <time.h>

/* Longest single sleep between two looks at the cancel flag. */
#define AWS_CALL_SLEEP_SLICE_MS 50

/* Returns a monotonic clock reading in milliseconds. */
static long long aws_call_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Returns 1 when the caller's cancel flag is raised. */
static int aws_call_cancelled(const volatile sig_atomic_t *cancel)
{
    return cancel != NULL && *cancel != 0;
}

/* Sleeps ms milliseconds in slices, returning early (1) when the cancel
 * flag is raised; 0 after the full sleep. */
static int aws_call_sleep(unsigned ms, const volatile sig_atomic_t *cancel)
{
    struct timespec ts;
    unsigned slice;

    while (ms > 0) {
        if (aws_call_cancelled(cancel)) {
            return 1;
        }
        slice = ms < AWS_CALL_SLEEP_SLICE_MS ? ms : AWS_CALL_SLEEP_SLICE_MS;
        ts.tv_sec = 0;
        ts.tv_nsec = (long) slice * 1000000L;
        while (nanosleep(&ts, &ts) != 0 && errno == EINTR && !aws_call_cancelled(cancel)) {
        }
        ms -= slice;
    }
    return aws_call_cancelled(cancel);
}

int aws_call(aws_client_t *c, const char *service, aws_call_build_fn build, aws_call_parse_fn parse,
             void *ctx, aws_response_t *resp, const aws_call_opts_t *opts, aws_error_t *err)
{
    const volatile sig_atomic_t *cancel = opts != NULL ? opts->cancel : NULL;
    long long budget = opts != NULL ? opts->budget_ms : 0;
    long long start = aws_call_now_ms(), remaining = -1;
    aws_http_opts_t hopts;
    aws_request_t req;
    unsigned delay;
    int attempt, rc;

    aws_client_http_opts(c, service, &hopts);
    if (opts != NULL && opts->timeout_ms > 0) {
        hopts.timeout_ms = opts->timeout_ms;
    }
    hopts.cancel = cancel;

    for (attempt = 1;; attempt++) {
        aws_response_reset(resp);
        if (aws_call_cancelled(cancel)) {
            aws_error_set(err, AWS_ERR_CANCELLED, "request cancelled");
            return -1;
        }
        if (build(c, ctx, &req, err) != 0) {
            return -1;
        }
        if (budget > 0) {
            remaining = budget - (aws_call_now_ms() - start);
            if (hopts.timeout_ms == 0 || hopts.timeout_ms > remaining) {
                hopts.timeout_ms = remaining > 1 ? (long) remaining : 1;
            }
        }
        rc = aws_http_perform(&req, resp, &hopts, err);
        if (rc == 0) {
            rc = parse(ctx, resp, err);
        }
        aws_request_free(&req);
        if (rc == 0) {
            return 0;
        }
        if (budget > 0) {
            remaining = budget - (aws_call_now_ms() - start);
            if (remaining <= 0) {
                return -1;
            }
        }
        if (!aws_client_retry_next(c, attempt, err, remaining, &delay)) {
            return -1;
        }
        if (aws_call_sleep(delay, cancel)) {
            aws_error_set(err, AWS_ERR_CANCELLED, "request cancelled while waiting to retry");
            return -1;
        }
    }
}
