/*
 * breaker — the state machine of one dependency's circuit breaker.
 * See breaker.h.
 */
#include "breaker.h"

#include <string.h>

int host_breaker_init(host_breaker_t *b, const host_breaker_conf_t *conf, uint64_t seed)
{
    memset(b, 0, sizeof(*b));
    b->conf = *conf;
    if (b->conf.threshold < 1)
        b->conf.threshold = 1;
    aws_rng_seed(&b->rng, seed);
    return pthread_mutex_init(&b->mu, NULL) == 0 ? 0 : -1;
}

void host_breaker_destroy(host_breaker_t *b)
{
    pthread_mutex_destroy(&b->mu);
}

/* Schedules the next probe after NOW (lock held). */
static void schedule_probe(host_breaker_t *b, double now)
{
    aws_retry_policy_t p = { 0, b->conf.probe_base_ms, b->conf.probe_max_ms };

    p = aws_retry_policy_normalize(&p);
    b->next_probe = now + aws_retry_delay_ms(&p, b->probes, &b->rng) / 1000.0;
}

/* Closes the breaker (lock held).  Returns the state change. */
static host_breaker_event_t close_locked(host_breaker_t *b)
{
    int was_open = b->open;

    b->open = 0;
    b->failures = 0;
    b->probes = 0;
    return was_open ? HOST_BREAKER_CLOSED : HOST_BREAKER_SAME;
}

host_breaker_event_t host_breaker_report(host_breaker_t *b, int transient, double now)
{
    host_breaker_event_t ev = HOST_BREAKER_SAME;

    pthread_mutex_lock(&b->mu);
    if (!transient) {
        ev = close_locked(b);
    } else if (!b->open && ++b->failures >= b->conf.threshold) {
        b->open = 1;
        b->probes = 0;
        schedule_probe(b, now);
        ev = HOST_BREAKER_OPENED;
    }
    pthread_mutex_unlock(&b->mu);
    return ev;
}

int host_breaker_is_open(host_breaker_t *b)
{
    int open;

    pthread_mutex_lock(&b->mu);
    open = b->open;
    pthread_mutex_unlock(&b->mu);
    return open;
}

int host_breaker_claim_probe(host_breaker_t *b, double now, unsigned *wait_ms)
{
    int claim = 0;

    if (wait_ms != NULL)
        *wait_ms = 0;
    pthread_mutex_lock(&b->mu);
    if (b->open && !b->probing) {
        if (now >= b->next_probe)
            claim = b->probing = 1;
        else if (wait_ms != NULL)
            *wait_ms = (unsigned) ((b->next_probe - now) * 1000.0) + 1;
    }
    pthread_mutex_unlock(&b->mu);
    return claim;
}

host_breaker_event_t host_breaker_probed(host_breaker_t *b, int answered, double now)
{
    host_breaker_event_t ev = HOST_BREAKER_SAME;

    pthread_mutex_lock(&b->mu);
    b->probing = 0;
    if (answered) {
        ev = close_locked(b);
    } else if (b->open) {
        b->probes++;
        schedule_probe(b, now);
    }
    pthread_mutex_unlock(&b->mu);
    return ev;
}
