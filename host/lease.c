/*
 * lease — held messages and their visibility heartbeat.  See lease.h.
 */
#include "lease.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "sqs.h"

int host_leases_init(host_lease_set_t *s, const host_route_conf_t *r, host_metrics_t *m,
                     int metric_route)
{
    memset(s, 0, sizeof(*s));
    s->route = r;
    s->metrics = m;
    s->metric_route = metric_route;
    return pthread_mutex_init(&s->mu, NULL) == 0 ? 0 : -1;
}

/* Frees lease L's strings and marks it unused.  Lock held. */
static void lease_clear(host_lease_t *l)
{
    free(l->message_id);
    free(l->receipt_handle);
    memset(l, 0, sizeof(*l));
}

void host_leases_destroy(host_lease_set_t *s)
{
    for (int i = 0; i < HOST_LEASES_MAX; i++)
        lease_clear(&s->leases[i]);
    pthread_mutex_destroy(&s->mu);
}

int host_leases_add(host_lease_set_t *s, const char *message_id, const char *receipt_handle,
                    double now)
{
    int slot = -1;

    pthread_mutex_lock(&s->mu);
    for (int i = 0; i < HOST_LEASES_MAX && slot < 0; i++)
        if (!s->leases[i].used)
            slot = i;
    if (slot >= 0) {
        host_lease_t *l = &s->leases[slot];
        l->message_id = strdup(message_id);
        l->receipt_handle = strdup(receipt_handle);
        if (l->message_id == NULL || l->receipt_handle == NULL) {
            lease_clear(l);
            slot = -1;
        } else {
            l->used = 1;
            l->gen = ++s->next_gen;
            l->received_at = now;
            l->deadline = now + s->route->visibility_timeout;
        }
    }
    pthread_mutex_unlock(&s->mu);
    return slot;
}

void host_leases_drop(host_lease_set_t *s, int i)
{
    if (i < 0 || i >= HOST_LEASES_MAX)
        return;
    pthread_mutex_lock(&s->mu);
    lease_clear(&s->leases[i]);
    pthread_mutex_unlock(&s->mu);
}

int host_leases_held(host_lease_set_t *s, int i)
{
    int held;

    if (i < 0 || i >= HOST_LEASES_MAX)
        return 0;
    pthread_mutex_lock(&s->mu);
    held = s->leases[i].used && !s->leases[i].given_up;
    pthread_mutex_unlock(&s->mu);
    return held;
}

/* One extension to request: a copy of what the lease held. */
typedef struct {
    int slot;
    unsigned gen;
    int timeout;
    char id[8];
    char *message_id;
    char *receipt_handle;
} extension_t;

/* Collects the leases due for extension at NOW into ext (copies; lock
 * taken here).  Leases past heartbeat_max_seconds are given up (logged).
 * Returns how many were collected. */
static size_t collect_due(host_lease_set_t *s, double now, extension_t *ext)
{
    const host_route_conf_t *r = s->route;
    size_t n = 0;

    pthread_mutex_lock(&s->mu);
    for (int i = 0; i < HOST_LEASES_MAX; i++) {
        host_lease_t *l = &s->leases[i];
        double left_cap;
        int timeout;

        if (!l->used || l->given_up || l->deadline - now > r->visibility_timeout / 2.0)
            continue;
        left_cap = l->received_at + r->heartbeat_max_seconds - now;
        timeout = left_cap < r->visibility_timeout ? (int) left_cap : r->visibility_timeout;
        if (timeout < 1) {
            host_log_ctx_t ctx = { .route = r->name, .message_id = l->message_id };
            host_log(HOST_LOG_WARN, &ctx,
                     "held for heartbeat_max_seconds (%d s): no longer "
                     "extending its visibility; SQS will redeliver it",
                     r->heartbeat_max_seconds);
            l->given_up = 1;
            continue;
        }
        ext[n].slot = i;
        ext[n].gen = l->gen;
        ext[n].timeout = timeout;
        snprintf(ext[n].id, sizeof(ext[n].id), "h%d", i);
        ext[n].message_id = strdup(l->message_id);
        ext[n].receipt_handle = strdup(l->receipt_handle);
        if (ext[n].message_id == NULL || ext[n].receipt_handle == NULL) {
            free(ext[n].message_id);
            free(ext[n].receipt_handle);
            continue;
        }
        n++;
    }
    pthread_mutex_unlock(&s->mu);
    return n;
}

/* Returns the failure of entry ID in RES, or NULL when it succeeded. */
static const aws_sqs_batch_failure_t *find_failure(const aws_sqs_batch_result_t *res,
                                                   const char *id)
{
    for (size_t i = 0; i < res->nfailed; i++)
        if (strcmp(res->failed[i].id, id) == 0)
            return &res->failed[i];
    return NULL;
}

void host_leases_heartbeat(host_lease_set_t *s, aws_client_t *aws, double now)
{
    extension_t ext[HOST_LEASES_MAX];
    aws_sqs_batch_entry_t entries[HOST_LEASES_MAX];
    aws_sqs_batch_result_t res = AWS_SQS_BATCH_RESULT_INIT;
    aws_error_t aerr;
    size_t n = collect_due(s, now, ext);
    int rc;

    if (n == 0)
        return;
    for (size_t i = 0; i < n; i++) {
        entries[i].id = ext[i].id;
        entries[i].receipt_handle = ext[i].receipt_handle;
        entries[i].visibility_timeout = ext[i].timeout;
    }
    rc = aws_sqs_change_visibility_batch(aws, s->route->queue_url, entries, n, &res, &aerr);
    if (rc != 0) {
        char why[700];
        host_log_ctx_t ctx = { .route = s->route->name };
        host_log(HOST_LOG_WARN, &ctx,
                 "heartbeat: ChangeMessageVisibilityBatch for %zu "
                 "message(s) failed: %s",
                 n, aws_error_format(&aerr, why, sizeof(why)));
        host_metrics_inc(s->metrics, s->metric_route, HOST_M_AWS_ERRORS);
    }

    pthread_mutex_lock(&s->mu);
    for (size_t i = 0; i < n; i++) {
        host_lease_t *l = &s->leases[ext[i].slot];
        const aws_sqs_batch_failure_t *f = rc == 0 ? find_failure(&res, ext[i].id) : NULL;
        host_log_ctx_t ctx = { .route = s->route->name, .message_id = ext[i].message_id };

        if (!l->used || l->gen != ext[i].gen)
            continue; /* finished while we were extending it */
        if (rc != 0)
            continue; /* try again on the next beat */
        if (f != NULL) {
            host_log(HOST_LOG_WARN, &ctx, "heartbeat: cannot extend visibility: %s %s", f->code,
                     f->message);
            l->given_up = f->sender_fault;
            continue;
        }
        l->deadline = now + ext[i].timeout;
        host_log(HOST_LOG_DEBUG, &ctx, "heartbeat: visibility extended by %d s", ext[i].timeout);
    }
    pthread_mutex_unlock(&s->mu);

    for (size_t i = 0; i < n; i++) {
        free(ext[i].message_id);
        free(ext[i].receipt_handle);
    }
    aws_sqs_batch_result_free(&res);
}
