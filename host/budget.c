/*
 * budget — estimate and reserve decode memory per worker.  See budget.h.
 */
#include "budget.h"

#include <errno.h>
#include <stdio.h>
#include <time.h>

#include "imageinfo.h"

#define MIB (1024.0 * 1024.0)

int host_budget_init(host_budget_t *b, uint64_t capacity, double wait)
{
    pthread_condattr_t ca;

    b->capacity = capacity;
    b->used = 0;
    b->wait = wait;
    if (pthread_mutex_init(&b->mu, NULL) != 0)
        return -1;
    if (pthread_condattr_init(&ca) != 0 || pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) != 0
        || pthread_cond_init(&b->freed, &ca) != 0) {
        pthread_mutex_destroy(&b->mu);
        return -1;
    }
    pthread_condattr_destroy(&ca);
    return 0;
}

void host_budget_destroy(host_budget_t *b)
{
    pthread_cond_destroy(&b->freed);
    pthread_mutex_destroy(&b->mu);
}

/* A * B, or UINT64_MAX when it overflows. */
static uint64_t mul_sat(uint64_t a, uint64_t b)
{
    return b != 0 && a > UINT64_MAX / b ? UINT64_MAX : a * b;
}

uint64_t host_decode_cost(const void *data, size_t len, unsigned *width, unsigned *height)
{
    ii_info_t info;
    uint64_t channels, sample;

    *width = *height = 0;
    if (ii_probe(data, len, &info, NULL, 0) != II_OK)
        return 0;
    *width = info.width;
    *height = info.height;
    channels = info.type == II_TYPE_JPEG ? (uint64_t) info.components : 4;
    sample = info.bit_depth > 8 ? 2 : 1;
    return mul_sat(mul_sat(mul_sat((uint64_t) info.width, info.height), channels * sample), 2);
}

host_budget_status_t host_budget_reserve(host_budget_t *b, uint64_t cost, double wait)
{
    struct timespec deadline;
    int rc = 0;

    if (cost > b->capacity)
        return HOST_BUDGET_TOO_LARGE;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += (time_t) wait;
    deadline.tv_nsec += (long) ((wait - (double) (time_t) wait) * 1e9);
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&b->mu);
    while (b->capacity - b->used < cost && rc != ETIMEDOUT)
        rc = pthread_cond_timedwait(&b->freed, &b->mu, &deadline);
    if (b->capacity - b->used < cost) {
        pthread_mutex_unlock(&b->mu);
        return HOST_BUDGET_BUSY;
    }
    b->used += cost;
    pthread_mutex_unlock(&b->mu);
    return HOST_BUDGET_OK;
}

void host_budget_release(host_budget_t *b, uint64_t cost)
{
    pthread_mutex_lock(&b->mu);
    b->used -= cost;
    pthread_cond_broadcast(&b->freed);
    pthread_mutex_unlock(&b->mu);
}

host_budget_status_t host_budget_admit(host_budget_t *b, const void *data, size_t len,
                                       uint64_t *cost, char *reason, size_t reasonlen)
{
    unsigned w, h;
    host_budget_status_t st;

    *cost = host_decode_cost(data, len, &w, &h);
    st = host_budget_reserve(b, *cost, b->wait);
    if (st == HOST_BUDGET_TOO_LARGE)
        snprintf(reason, reasonlen,
                 "image of %ux%u needs ~%.0f MiB to decode, over the "
                 "worker's decode budget of %.0f MiB",
                 w, h, (double) *cost / MIB, (double) b->capacity / MIB);
    else if (st == HOST_BUDGET_BUSY)
        snprintf(reason, reasonlen,
                 "image of %ux%u needs ~%.0f MiB to decode: the worker's "
                 "decode budget of %.0f MiB stayed in use by other images for %.0f s",
                 w, h, (double) *cost / MIB, (double) b->capacity / MIB, b->wait);
    return st;
}
