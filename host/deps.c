/*
 * deps — the worker's breakers, their probes, logs and metrics.
 * See deps.h.
 */
#include "deps.h"

#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "dynamodb_admin.h"
#include "log.h"
#include "s3_admin.h"
#include "sns_admin.h"

/* Longest single sleep of a waiting poller, so it re-checks its breakers. */
#define WAIT_SLICE_MS 1000

int host_deps_init(host_deps_t *d, const host_breaker_conf_t *conf, aws_client_t *aws,
                   host_metrics_t *m, int slot)
{
    aws_rng_t seed;

    memset(d, 0, sizeof(*d));
    d->conf = *conf;
    d->aws = aws;
    d->metrics = m;
    d->slot = slot;
    aws_rng_seed_random(&seed);
    if (pthread_mutex_init(&d->mu, NULL) != 0)
        return -1;
    for (int i = 0; i < HOST_DEP_COUNT; i++) {
        if (host_breaker_init(&d->b[i], conf, aws_rng_next(&seed)) != 0) {
            while (--i >= 0)
                host_breaker_destroy(&d->b[i]);
            pthread_mutex_destroy(&d->mu);
            return -1;
        }
        host_metrics_breaker_state(m, slot, (host_dep_t) i, 0);
    }
    return 0;
}

void host_deps_destroy(host_deps_t *d)
{
    for (int i = 0; i < HOST_DEP_COUNT; i++)
        host_breaker_destroy(&d->b[i]);
    pthread_mutex_destroy(&d->mu);
}

/* Logs and counts breaker DEP's state change EV; HOW says what caused it. */
static void note(host_deps_t *d, host_dep_t dep, host_breaker_event_t ev, const char *how)
{
    const char *name = host_dep_name(dep);

    if (ev == HOST_BREAKER_OPENED) {
        host_metrics_breaker_inc(d->metrics, dep, HOST_BREAKER_M_TRIPS);
        host_metrics_breaker_state(d->metrics, d->slot, dep, 1);
        host_log(HOST_LOG_WARN, NULL,
                 "breaker %s open after %d transient failures in a row "
                 "(last: %s): routes needing %s stop receiving until it answers a probe",
                 name, d->conf.threshold, how, name);
    } else if (ev == HOST_BREAKER_CLOSED) {
        host_metrics_breaker_state(d->metrics, d->slot, dep, 0);
        host_log(HOST_LOG_INFO, NULL, "breaker %s closed: %s answers again (%s)", name, name, how);
    }
}

void host_deps_report(host_deps_t *d, host_dep_t dep, const char *target, int transient,
                      const char *why)
{
    if (transient && target != NULL) {
        pthread_mutex_lock(&d->mu);
        snprintf(d->target[dep], sizeof(d->target[dep]), "%s", target);
        pthread_mutex_unlock(&d->mu);
    }
    note(d, dep, host_breaker_report(&d->b[dep], transient, host_monotonic()),
         transient ? why : "a call succeeded");
}

int host_deps_route_needs(const host_route_conf_t *r, host_dep_t dep)
{
    switch (dep) {
    case HOST_DEP_S3: return r->bucket != NULL || r->input_directory == NULL;
    case HOST_DEP_DYNAMODB: return r->record_table != NULL;
    case HOST_DEP_SNS: return r->completion_topic_arn != NULL;
    case HOST_DEP_COUNT: break;
    }
    return 0;
}

int host_deps_blocked(host_deps_t *d, const host_route_conf_t *r)
{
    for (int i = 0; i < HOST_DEP_COUNT; i++)
        if (host_deps_route_needs(r, (host_dep_t) i) && host_breaker_is_open(&d->b[i]))
            return 1;
    return 0;
}

/* Makes the cheap call on DEP's TARGET.  Returns 1 when the service
 * answered (success or a permanent error), 0 on a transient failure,
 * with what happened in why. */
static int probe(host_deps_t *d, host_dep_t dep, const char *target, char *why, size_t whylen)
{
    aws_error_t aerr;
    int rc = -1;

    aws_error_clear(&aerr);
    switch (dep) {
    case HOST_DEP_S3:
        rc = aws_s3_head_bucket(d->aws, target, &aerr);
        snprintf(why, whylen, "HeadBucket %s", target);
        break;
    case HOST_DEP_DYNAMODB:
        rc = aws_ddb_describe_table(d->aws, target, NULL, &aerr);
        snprintf(why, whylen, "DescribeTable %s", target);
        break;
    case HOST_DEP_SNS: {
        aws_attrs_t attrs = AWS_ATTRS_INIT;
        rc = aws_sns_get_topic_attributes(d->aws, target, &attrs, &aerr);
        aws_attrs_free(&attrs);
        snprintf(why, whylen, "GetTopicAttributes %s", target);
        break;
    }
    case HOST_DEP_COUNT: break;
    }
    if (rc != 0) {
        size_t n = strlen(why);
        char err[700];
        snprintf(why + n, whylen - n, ": %s", aws_error_format(&aerr, err, sizeof(err)));
    }
    return rc == 0 || !aws_error_retryable(&aerr);
}

int host_deps_wait_step(host_deps_t *d, const host_route_conf_t *r,
                        const volatile sig_atomic_t *stop)
{
    unsigned sleep_ms = WAIT_SLICE_MS;
    int open = 0;

    for (int i = 0; i < HOST_DEP_COUNT; i++) {
        host_dep_t dep = (host_dep_t) i;
        unsigned wait;
        char target[HOST_DEP_TARGET_MAX], why[1200];
        int answered;

        if (!host_deps_route_needs(r, dep) || !host_breaker_is_open(&d->b[dep]))
            continue;
        if (!host_breaker_claim_probe(&d->b[dep], host_monotonic(), &wait)) {
            open = 1;
            if (wait > 0 && wait < sleep_ms)
                sleep_ms = wait;
            continue;
        }
        pthread_mutex_lock(&d->mu);
        snprintf(target, sizeof(target), "%s", d->target[dep]);
        pthread_mutex_unlock(&d->mu);
        answered = probe(d, dep, target, why, sizeof(why));
        host_metrics_breaker_inc(d->metrics, dep, HOST_BREAKER_M_PROBES);
        if (!answered)
            host_log(HOST_LOG_DEBUG, NULL, "breaker %s: probe failed: %s", host_dep_name(dep), why);
        note(d, dep, host_breaker_probed(&d->b[dep], answered, host_monotonic()), why);
        return host_deps_blocked(d, r);
    }
    if (open)
        host_sleep_ms(sleep_ms, stop);
    return open;
}
