/*
 * aws_call — one blocking AWS call with retries.
 *
 * Each attempt builds and signs a fresh request (so a retry carries a
 * fresh date and, after a refresh, fresh credentials), performs it with
 * aws_http_perform(), and hands the response to the service's parser.
 * A retryable failure (aws_error_retryable) is retried with the
 * client's policy and full-jitter backoff, within the caller's time
 * budget and until the cancel flag is raised.
 *
 * The service modules (sns.c, sqs.c, s3.c) implement their blocking
 * calls with this; prism-host may use it for its own requests.
 */
#ifndef AWS_CALL_H
#define AWS_CALL_H

#include <signal.h>

#include "aws_client.h"
#include "aws_http.h"

/* Builds and signs the request of one attempt into req (initialised by
 * the callback; body memory, if any, belongs to ctx).  Returns 0, or -1
 * with err set; req then needs no aws_request_free. */
typedef int (*aws_call_build_fn)(aws_client_t *c, void *ctx, aws_request_t *req, aws_error_t *err);

/* Interprets a complete response (any status).  Returns 0 on success,
 * or -1 with err set (a service error, a parse error ...). */
typedef int (*aws_call_parse_fn)(void *ctx, const aws_response_t *resp, aws_error_t *err);

typedef struct {
    long timeout_ms;                     /* per attempt; 0: the client's timeout */
    long long budget_ms;                 /* all attempts and sleeps together; 0: none */
    const volatile sig_atomic_t *cancel; /* abort transfer and sleeps when != 0 */
} aws_call_opts_t;

/* Runs build → perform → parse up to the policy's max_attempts.  resp
 * is the caller's (initialised, with its max_body / sink settings); it
 * is reset before each attempt and holds the last attempt's response
 * on return.  opts may be NULL.  Returns 0 when parse succeeded, or -1
 * with the last attempt's error in err (AWS_ERR_CANCELLED when the
 * cancel flag stopped a transfer or a backoff sleep; when the budget
 * leaves no time for another attempt the last error is returned). */
int aws_call(aws_client_t *c, const char *service, aws_call_build_fn build, aws_call_parse_fn parse,
             void *ctx, aws_response_t *resp, const aws_call_opts_t *opts, aws_error_t *err);

#endif
