/*
 * deps — a worker's circuit breakers (breaker.h), one per dependency:
 * S3 (originals and S3 outputs), DynamoDB (record.table), SNS (the
 * completion events), shared by every poller of the worker process.
 *
 * Dispatch reports the outcome of each call on a dependency.  After
 * breaker.threshold transient failures in a row the breaker opens
 * (logged, prism_breaker_trips_total, prism_breaker_open): every route
 * whose work needs that dependency stops receiving, and a waiting poller
 * probes it with a cheap call — HeadBucket, DescribeTable or
 * GetTopicAttributes on the bucket, table or topic whose call failed —
 * with capped full-jitter backoff (prism_breaker_probes_total), until it
 * answers (any answer, even an access error: the service is there);
 * then the breaker closes (logged).
 */
#ifndef HOST_DEPS_H
#define HOST_DEPS_H

#include <signal.h>

#include "aws_client.h"
#include "breaker.h"
#include "config.h"
#include "metrics.h"

#define HOST_DEP_TARGET_MAX 300

typedef struct {
    pthread_mutex_t mu; /* guards target */
    host_breaker_conf_t conf;
    host_breaker_t b[HOST_DEP_COUNT];
    char target[HOST_DEP_COUNT][HOST_DEP_TARGET_MAX]; /* what to probe */
    aws_client_t *aws;
    host_metrics_t *metrics;
    int slot; /* the worker's metrics slot */
} host_deps_t;

/* Prepares closed breakers with CONF, probing through AWS, reporting to
 * worker slot SLOT of M.  Returns 0, or -1 when a mutex cannot be made. */
int host_deps_init(host_deps_t *d, const host_breaker_conf_t *conf, aws_client_t *aws,
                   host_metrics_t *m, int slot);

/* Frees the mutexes. */
void host_deps_destroy(host_deps_t *d);

/* Reports a call on DEP about TARGET (bucket, table or topic ARN):
 * TRANSIENT 1 when it failed transiently (WHY says how, for the log),
 * 0 when the service answered (success or a permanent error). */
void host_deps_report(host_deps_t *d, host_dep_t dep, const char *target, int transient,
                      const char *why);

/* Returns 1 when route R's work needs DEP: S3 unless it reads local
 * originals and writes to a directory, DynamoDB with record.table, SNS
 * with completion_topic_arn. */
int host_deps_route_needs(const host_route_conf_t *r, host_dep_t dep);

/* Returns 1 when a breaker route R needs is open. */
int host_deps_blocked(host_deps_t *d, const host_route_conf_t *r);

/* One step of waiting for R's open breakers: probes one whose probe is
 * due (blocking for the call), or else sleeps until the next probe is
 * due (at most 1 s, cut short by STOP).  Returns 1 while a breaker R
 * needs is still open, 0 when none is. */
int host_deps_wait_step(host_deps_t *d, const host_route_conf_t *r,
                        const volatile sig_atomic_t *stop);

#endif
