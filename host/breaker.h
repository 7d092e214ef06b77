/*
 * breaker — a circuit breaker for one dependency (S3, DynamoDB, SNS) of
 * one worker process, shared by its pollers.
 *
 *   closed --(threshold transient failures in a row)--> open
 *   open   --(a probe, or any call, gets an answer)---> closed
 *
 * While it is closed every call reports its outcome: a transient failure
 * (network, timeout, 5xx, throttling: aws_error_retryable) adds one to
 * the run of failures, an answer (success, or a permanent error: the
 * service is there) ends the run.  While it is open the routes that need
 * the dependency stop receiving, and one caller at a time probes it with
 * a cheap call; the delay before probe number n (0-based) is full
 * jitter, uniform in [0, min(probe_max_ms, probe_base_ms * 2^n)].
 * Time is passed in (monotonic seconds), so tests drive it without
 * sleeping.  Thread-safe.
 */
#ifndef HOST_BREAKER_H
#define HOST_BREAKER_H

#include <pthread.h>
#include <stdint.h>

#include "aws_retry.h"

typedef struct {
    int threshold;          /* transient failures in a row that open it, >= 1 */
    unsigned probe_base_ms; /* ceiling of the first probe's delay */
    unsigned probe_max_ms;  /* largest ceiling */
} host_breaker_conf_t;

typedef enum {
    HOST_BREAKER_SAME = 0, /* the state did not change */
    HOST_BREAKER_OPENED,   /* this report opened it */
    HOST_BREAKER_CLOSED    /* this report closed it */
} host_breaker_event_t;

typedef struct {
    pthread_mutex_t mu;
    host_breaker_conf_t conf;
    aws_rng_t rng;
    int open;
    int failures;      /* transient failures in a row */
    int probes;        /* failed probes since it opened */
    int probing;       /* a caller holds the probe */
    double next_probe; /* monotonic seconds */
} host_breaker_t;

/* Prepares a closed breaker with CONF; SEED seeds the probe jitter.
 * Returns 0, or -1 when the mutex cannot be created. */
int host_breaker_init(host_breaker_t *b, const host_breaker_conf_t *conf, uint64_t seed);

/* Frees the mutex. */
void host_breaker_destroy(host_breaker_t *b);

/* Reports one call's outcome at NOW: TRANSIENT 1 for a transient
 * failure, 0 for an answer.  Returns the state change it caused. */
host_breaker_event_t host_breaker_report(host_breaker_t *b, int transient, double now);

/* Returns 1 when the breaker is open. */
int host_breaker_is_open(host_breaker_t *b);

/* Returns 1 when the caller should probe now (the breaker is open, the
 * probe is due and nobody else holds it): the caller then holds the
 * probe and must hand it back with host_breaker_probed().  Returns 0
 * otherwise, with *WAIT_MS (may be NULL) the time until the probe is due
 * (0 when closed or when another caller is probing). */
int host_breaker_claim_probe(host_breaker_t *b, double now, unsigned *wait_ms);

/* Hands back the probe with its outcome at NOW: ANSWERED 1 closes the
 * breaker, 0 schedules the next probe.  Returns the state change. */
host_breaker_event_t host_breaker_probed(host_breaker_t *b, int answered, double now);

#endif
