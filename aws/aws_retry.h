/*
 * aws_retry — when and how long to wait before retrying an AWS call.
 *
 * Exponential backoff with full jitter: before retry number r (r = 0 for
 * the first retry) the delay is uniform in [0, min(cap_ms, base_ms * 2^r)].
 * The random state is the caller's (aws_rng_t), so a test seeds it and
 * gets the same delays every run, and threads need not share one.
 */
#ifndef AWS_RETRY_H
#define AWS_RETRY_H

#include <stdint.h>

#include "aws_error.h"

typedef struct {
    int max_attempts; /* total attempts including the first; 1 = never retry */
    unsigned base_ms; /* ceiling of the first retry's delay */
    unsigned cap_ms;  /* largest ceiling */
} aws_retry_policy_t;

/* 4 attempts, delays up to 100 ms, 200 ms, 400 ms (capped at 10 s). */
#define AWS_RETRY_POLICY_DEFAULT                                                                   \
    {                                                                                              \
        4, 100, 10000                                                                              \
    }

/* A small PRNG state (xorshift64*); never share one between threads
 * without a lock. */
typedef struct {
    uint64_t s;
} aws_rng_t;

/* Seeds r deterministically from seed (any value, 0 included). */
void aws_rng_seed(aws_rng_t *r, uint64_t seed);

/* Seeds r from the OS random source, falling back to time and pid. */
void aws_rng_seed_random(aws_rng_t *r);

/* Returns the next 32 random bits. */
uint32_t aws_rng_next(aws_rng_t *r);

/* Returns a policy with zero fields replaced by the defaults'.  A
 * negative max_attempts counts as 1. */
aws_retry_policy_t aws_retry_policy_normalize(const aws_retry_policy_t *p);

/* Returns the ceiling of the delay before retry number `retry` (0-based):
 * min(cap_ms, base_ms * 2^retry), without overflow. */
unsigned aws_retry_ceiling_ms(const aws_retry_policy_t *p, int retry);

/* Returns the full-jitter delay before retry number `retry` (0-based):
 * uniform in [0, aws_retry_ceiling_ms(p, retry)]. */
unsigned aws_retry_delay_ms(const aws_retry_policy_t *p, int retry, aws_rng_t *rng);

/* Returns 1 when a call that failed with err after `attempts` attempts
 * (>= 1) should be tried again: err is retryable and attempts <
 * max_attempts.  Returns 0 otherwise. */
int aws_retry_should(const aws_retry_policy_t *p, int attempts, const aws_error_t *err);

/* Deadline-aware decision: like aws_retry_should, and also draws the
 * delay (retry number attempts - 1) into *delay_ms.  remaining_ms is the
 * time left in the caller's total budget (< 0: no budget).  Returns 1
 * when the call should be retried after *delay_ms; 0 when it should not,
 * including when sleeping the delay would leave no time for the attempt
 * (delay >= remaining_ms). */
int aws_retry_next(const aws_retry_policy_t *p, int attempts, const aws_error_t *err,
                   long long remaining_ms, aws_rng_t *rng, unsigned *delay_ms);

#endif
