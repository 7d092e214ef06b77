/*
 * poller — receive, dispatch, delete in batches.  See poller.h.
 */
#include "poller.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "dispatch.h"
#include "fifo.h"
#include "log.h"
#include "sqs.h"

/* Rounds of DeleteMessageBatch for entries that failed transiently. */
#define DELETE_ROUNDS 4
/* Floor of the delay after a failed poll, so jitter never spins. */
#define POLL_BACKOFF_MIN_MS 200
/* Retry number at which the poll backoff stops growing. */
#define POLL_BACKOFF_MAX_RETRY 8

int host_poller_init(host_poller_t *p, const host_route_conf_t *r, host_instance_t *inst,
                     aws_client_t *aws, host_metrics_t *m, int metric_route, int worker_slot,
                     host_crash_ledger_t *crash, int crash_thread, host_deps_t *deps,
                     host_memo_t *memo, const volatile sig_atomic_t *stop)
{
    memset(p, 0, sizeof(*p));
    p->route = r;
    p->inst = *inst;
    memset(inst, 0, sizeof(*inst));
    snprintf(p->plugin_id, sizeof(p->plugin_id), "%s %s", p->inst.plugin->desc->name,
             p->inst.plugin->desc->version);
    p->aws = aws;
    p->metrics = m;
    p->metric_route = metric_route;
    p->worker_slot = worker_slot;
    p->crash = crash;
    p->crash_thread = crash_thread;
    p->deps = deps;
    p->memo = memo;
    p->stop = stop;
    host_outputs_init(&p->outputs);
    aws_rng_seed_random(&p->rng);
    return host_leases_init(&p->leases, r, m, metric_route);
}

/* Returns the full-jitter delay before retry number RETRY (0-based),
 * with the client's policy and this thread's random state. */
static unsigned backoff_ms(host_poller_t *p, int retry)
{
    return aws_retry_delay_ms(aws_client_retry_policy(p->aws), retry, &p->rng);
}

/* Deletes the messages of MSGS listed in IDX (n of them), in one batch,
 * retrying entries that failed without being the sender's fault.
 * Failures are logged: such messages are redelivered later, and their
 * outputs, stored under deterministic keys, are simply overwritten. */
static void delete_batch(host_poller_t *p, const aws_sqs_messages_t *msgs, const size_t *idx,
                         size_t n)
{
    aws_sqs_batch_entry_t entries[AWS_SQS_MAX_BATCH];
    char ids[AWS_SQS_MAX_BATCH][24];
    host_log_ctx_t ctx = { .route = p->route->name };
    char why[700];
    size_t todo = 0;

    for (size_t i = 0; i < n; i++) {
        snprintf(ids[i], sizeof(ids[i]), "d%zu", idx[i]);
        entries[todo].id = ids[i];
        entries[todo].receipt_handle = msgs->msgs[idx[i]].receipt_handle;
        entries[todo].visibility_timeout = 0;
        todo++;
    }
    for (int round = 0; todo > 0 && round < DELETE_ROUNDS; round++) {
        aws_sqs_batch_result_t res = AWS_SQS_BATCH_RESULT_INIT;
        aws_error_t aerr;
        size_t keep = 0;

        if (round > 0)
            host_sleep_ms(backoff_ms(p, round - 1), NULL);
        if (aws_sqs_delete_batch(p->aws, p->route->queue_url, entries, todo, &res, &aerr) != 0) {
            host_metrics_inc(p->metrics, p->metric_route, HOST_M_AWS_ERRORS);
            host_log(HOST_LOG_ERROR, &ctx, "DeleteMessageBatch of %zu message(s) failed: %s", todo,
                     aws_error_format(&aerr, why, sizeof(why)));
            if (!aws_error_retryable(&aerr))
                break;
            continue;
        }
        for (size_t f = 0; f < res.nfailed; f++) {
            const aws_sqs_batch_failure_t *fail = &res.failed[f];
            for (size_t e = 0; e < todo; e++) {
                if (strcmp(entries[e].id, fail->id) != 0)
                    continue;
                ctx.message_id = msgs->msgs[strtoul(fail->id + 1, NULL, 10)].message_id;
                host_log(fail->sender_fault ? HOST_LOG_ERROR : HOST_LOG_WARN, &ctx,
                         "delete failed: %s %s%s", fail->code, fail->message,
                         fail->sender_fault ? " (not retried)" : " (retrying)");
                ctx.message_id = NULL;
                if (!fail->sender_fault)
                    entries[keep++] = entries[e];
                else
                    host_metrics_inc(p->metrics, p->metric_route, HOST_M_AWS_ERRORS);
                break;
            }
        }
        aws_sqs_batch_result_free(&res);
        todo = keep;
    }
    if (todo > 0)
        host_log(HOST_LOG_ERROR, &ctx,
                 "%zu message(s) could not be deleted: SQS will "
                 "redeliver them (their outputs are overwritten idempotently)",
                 todo);
}

/* Makes the messages of MSGS listed in IDX (n of them) visible again at
 * once, and forgets their leases.  WHY names the occasion in the log
 * ("stopping", "FIFO order"). */
static void release(host_poller_t *p, const aws_sqs_messages_t *msgs, const size_t *idx, size_t n,
                    const int *lease, const char *why_tag)
{
    aws_sqs_batch_entry_t entries[AWS_SQS_MAX_BATCH];
    char ids[AWS_SQS_MAX_BATCH][24];
    aws_sqs_batch_result_t res = AWS_SQS_BATCH_RESULT_INIT;
    aws_error_t aerr;
    host_log_ctx_t ctx = { .route = p->route->name };
    char why[700];

    if (n == 0)
        return;
    for (size_t k = 0; k < n; k++) {
        snprintf(ids[k], sizeof(ids[k]), "r%zu", idx[k]);
        entries[k].id = ids[k];
        entries[k].receipt_handle = msgs->msgs[idx[k]].receipt_handle;
        entries[k].visibility_timeout = 0;
        host_leases_drop(&p->leases, lease[idx[k]]);
    }
    if (aws_sqs_change_visibility_batch(p->aws, p->route->queue_url, entries, n, &res, &aerr) != 0)
        host_log(HOST_LOG_WARN, &ctx,
                 "%s: releasing %zu unstarted message(s) failed: %s "
                 "(they return after the visibility timeout)",
                 why_tag, n, aws_error_format(&aerr, why, sizeof(why)));
    else
        host_log(HOST_LOG_INFO, &ctx, "%s: released %zu unstarted message(s) (%zu failed)", why_tag,
                 n - res.nfailed, res.nfailed);
    aws_sqs_batch_result_free(&res);
}

/* Dispatches M (lease slot LEASE); while it is to be held, keeps it and
 * tries again as described in poller.h.  Returns the final disposition:
 * HOST_DISPOSE_HOLD when the worker stops or the lease runs out while it
 * is still held. */
static host_disposition_t dispatch_holding(host_poller_t *p, const aws_sqs_message_t *m, int lease)
{
    host_disposition_t d;
    int retries = 0;

    while ((d = host_dispatch(p, m)) == HOST_DISPOSE_HOLD) {
        if (host_deps_blocked(p->deps, p->route)) {
            while (!*p->stop && host_leases_held(&p->leases, lease)
                   && host_deps_wait_step(p->deps, p->route, p->stop))
                ;
        } else if (retries >= p->deps->conf.threshold) {
            return HOST_DISPOSE_LEAVE;
        } else {
            host_sleep_ms(backoff_ms(p, retries++), p->stop);
        }
        if (*p->stop || !host_leases_held(&p->leases, lease))
            return d;
    }
    return d;
}

/* Processes one received batch: leases, dispatch (in FIFO order for a
 * FIFO queue, see fifo.h), deletes, releases. */
static void handle_batch(host_poller_t *p, const aws_sqs_messages_t *msgs)
{
    int lease[AWS_SQS_MAX_MESSAGES];
    size_t done[AWS_SQS_MAX_MESSAGES];
    size_t skipped[AWS_SQS_MAX_MESSAGES];
    size_t ndone = 0, nskipped = 0, i;
    double now = host_monotonic();
    host_fifo_batch_t fifo;
    const char *groups[AWS_SQS_MAX_MESSAGES];

    for (i = 0; i < msgs->n; i++)
        groups[i] = msgs->msgs[i].message_group_id;
    host_fifo_init(&fifo, groups, msgs->n);
    for (i = 0; i < msgs->n; i++) {
        lease[i] = host_leases_add(&p->leases, msgs->msgs[i].message_id,
                                   msgs->msgs[i].receipt_handle, now);
        host_metrics_inc(p->metrics, p->metric_route, HOST_M_RECEIVED);
    }
    for (i = 0; i < msgs->n; i++) {
        if (*p->stop) {
            for (size_t k = i; k < msgs->n; k++)
                skipped[nskipped++] = k;
            release(p, msgs, skipped, nskipped, lease, "stopping");
            nskipped = 0;
            break;
        }
        if (p->route->queue_fifo && !host_fifo_may_run(&fifo, i)) {
            skipped[nskipped++] = i;
            continue;
        }
        switch (dispatch_holding(p, &msgs->msgs[i], lease[i])) {
        case HOST_DISPOSE_DELETE: done[ndone++] = i; break;
        case HOST_DISPOSE_HOLD:
            if (*p->stop) {
                skipped[nskipped++] = i; /* released with the unstarted ones */
                break;
            }
            /* fall through - its lease ran out: SQS redelivers it */
        case HOST_DISPOSE_LEAVE:
            host_fifo_left(&fifo, i);
            host_leases_drop(&p->leases, lease[i]);
            break;
        }
    }
    if (ndone > 0)
        delete_batch(p, msgs, done, ndone);
    for (size_t k = 0; k < ndone; k++)
        host_leases_drop(&p->leases, lease[done[k]]);
    release(p, msgs, skipped, nskipped, lease, *p->stop ? "stopping" : "FIFO order");
}

/* Reports what a ReceiveMessage answer lacked (FINDINGS, AWS_CONF_BIT()s):
 * each kind is counted in prism_conformance_warnings_total and warned
 * about once per SQS endpoint and kind for the whole host. */
static void report_nonconforming(host_poller_t *p, const host_log_ctx_t *ctx, unsigned findings)
{
    static const char *const lacks[AWS_CONF_NKINDS] = {
        [AWS_CONF_RECEIVE_COUNT] = "without the ApproximateReceiveCount it was asked for: every "
                                   "delivery counts as the first, so max_attempts never "
                                   "dead-letters a message",
        [AWS_CONF_CONTENT_TYPE] = "with a Content-Type other than application/x-amz-json-1.0",
    };
    const char *endpoint = aws_client_endpoint(p->aws, "sqs");

    for (int k = 0; k < AWS_CONF_NKINDS; k++) {
        if ((findings & AWS_CONF_BIT(k))
            && host_metrics_conformance(p->metrics, (aws_conf_kind_t) k, endpoint)
            && lacks[k] != NULL)
            host_log(HOST_LOG_WARN, ctx,
                     "the SQS endpoint %s answered ReceiveMessage %s "
                     "(warned once; counted in prism_conformance_warnings_total{kind=\"%s\"})",
                     endpoint, lacks[k], aws_conf_kind_name((aws_conf_kind_t) k));
    }
}

/* The thread: poll until the stop flag rises. */
static void *poller_main(void *arg)
{
    host_poller_t *p = arg;
    const host_route_conf_t *r = p->route;
    host_log_ctx_t ctx = { .route = r->name };
    int failures = 0;
    char why[700];

    while (!*p->stop) {
        if (host_deps_blocked(p->deps, r)) {
            /* not receiving: every receive would count towards the DLQ */
            host_deps_wait_step(p->deps, r, p->stop);
            continue;
        }
        aws_sqs_receive_params_t params = {
            .queue_url = r->queue_url,
            .wait_seconds = r->wait_time_seconds,
            .max_messages = r->max_messages,
            .visibility_timeout = r->visibility_timeout,
            .cancel = p->stop,
        };
        aws_sqs_messages_t msgs = AWS_SQS_MESSAGES_INIT;
        aws_error_t aerr;

        if (aws_sqs_receive(p->aws, &params, &msgs, &aerr) != 0) {
            unsigned delay;

            if (aerr.kind == AWS_ERR_CANCELLED || *p->stop)
                break;
            host_metrics_inc(p->metrics, p->metric_route, HOST_M_AWS_ERRORS);
            delay = backoff_ms(p, failures < POLL_BACKOFF_MAX_RETRY ? failures
                                                                    : POLL_BACKOFF_MAX_RETRY);
            if (delay < POLL_BACKOFF_MIN_MS)
                delay = POLL_BACKOFF_MIN_MS;
            failures++;
            host_log(aws_error_retryable(&aerr) ? HOST_LOG_WARN : HOST_LOG_ERROR, &ctx,
                     "ReceiveMessage on %s failed (%d in a row): %s; next poll in %u ms",
                     r->queue_url, failures, aws_error_format(&aerr, why, sizeof(why)), delay);
            host_sleep_ms(delay, p->stop);
            continue;
        }
        if (failures > 0)
            host_log(HOST_LOG_INFO, &ctx, "ReceiveMessage works again");
        failures = 0;
        if (msgs.nonconforming)
            report_nonconforming(p, &ctx, msgs.nonconforming);
        handle_batch(p, &msgs);
        aws_sqs_messages_free(&msgs);
    }
    return NULL;
}

int host_poller_start(host_poller_t *p, char *err, size_t errlen)
{
    int rc = pthread_create(&p->thread, NULL, poller_main, p);

    if (rc != 0) {
        snprintf(err, errlen, "route %s: cannot start a poller thread: %s", p->route->name,
                 strerror(rc));
        return -1;
    }
    p->running = 1;
    return 0;
}

void host_poller_free(host_poller_t *p)
{
    host_instance_free(&p->inst);
    host_leases_destroy(&p->leases);
    host_outputs_free(&p->outputs);
    aws_buf_free(&p->input);
}
