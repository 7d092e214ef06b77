/*
 * poller — one thread consuming one route's queue.
 *
 * A worker runs `concurrency` pollers per route.  Each long-polls
 * (ReceiveMessage: WaitTimeSeconds, up to max_messages, the route's
 * visibility timeout, ApproximateReceiveCount and all message
 * attributes), registers what it received with the heartbeat, processes
 * the messages one by one (dispatch.c), then deletes the finished ones in
 * one DeleteMessageBatch, retrying Failed[] entries that were not the
 * sender's fault.  Empty and early long-poll replies are normal.  Failed
 * polls back off with full jitter (never a busy loop).  When the stop
 * flag rises the current poll is cancelled, the message in hand is
 * finished and deleted, and messages not yet started are released
 * (visibility 0) for other consumers.  On a FIFO queue (".fifo") a
 * message left for retry holds back the rest of its group in the batch:
 * they are released (visibility 0), not processed out of order (fifo.h).
 *
 * Dependencies (deps.h): while a breaker the route needs is open, the
 * poller does not receive (no receive count burns) and probes the
 * dependency instead.  A message whose dispatch asks to be held (a
 * dependency failed transiently, dispatch.h) is kept, not left: its
 * lease goes on being extended by the heartbeat while the poller waits
 * for the breaker to close, then it is dispatched again (only the record
 * and completion event when its outputs are stored, memo.h); while the
 * breaker stays closed (other calls still succeed) it is retried in
 * place after a full-jitter backoff, breaker.threshold times at most,
 * then left for redelivery.  The rest of the batch waits with it.  A
 * held message is let go when its lease reaches heartbeat_max_seconds
 * (SQS redelivers it), and released (visibility 0) when the worker
 * stops.
 */
#ifndef HOST_POLLER_H
#define HOST_POLLER_H

#include <pthread.h>
#include <signal.h>

#include "aws_buf.h"
#include "aws_client.h"
#include "aws_retry.h"
#include "budget.h"
#include "config.h"
#include "crash_ledger.h"
#include "deps.h"
#include "lease.h"
#include "memo.h"
#include "metrics.h"
#include "outputs.h"
#include "plugin_loader.h"

typedef struct {
    const host_route_conf_t *route;
    host_instance_t inst; /* this thread's plugin instance */
    char plugin_id[96];   /* "name version", for logs and the DLQ */
    aws_client_t *aws;
    host_metrics_t *metrics;
    int metric_route;
    int worker_slot;
    host_crash_ledger_t *crash;        /* the master's crash ledger, NULL: none */
    int crash_thread;                  /* this poller's mark in it */
    host_deps_t *deps;                 /* the worker's breakers */
    host_memo_t *memo;                 /* the worker's stored-outputs memo */
    const volatile sig_atomic_t *stop; /* raised by the worker on SIGTERM/SIGQUIT */
    host_lease_set_t leases;
    host_outputs_t outputs;
    aws_buf_t input;       /* the original's bytes, reused */
    host_budget_t *budget; /* the worker's decode budget, shared
                                                   by its pollers (set by the worker) */
    aws_rng_t rng;         /* this thread's backoff jitter */
    pthread_t thread;
    int running;
} host_poller_t;

/* Prepares P for route R with an instance already built (moved into P).
 * CRASH (may be NULL) is the crash ledger, where P marks the message it
 * runs the plugin on as poller CRASH_THREAD of WORKER_SLOT.  DEPS and
 * MEMO are the worker's breakers and stored-outputs memo.
 * Returns 0, or -1 when the lease mutex cannot be created. */
int host_poller_init(host_poller_t *p, const host_route_conf_t *r, host_instance_t *inst,
                     aws_client_t *aws, host_metrics_t *m, int metric_route, int worker_slot,
                     host_crash_ledger_t *crash, int crash_thread, host_deps_t *deps,
                     host_memo_t *memo, const volatile sig_atomic_t *stop);

/* Starts the thread.  Returns 0, or -1 with err set. */
int host_poller_start(host_poller_t *p, char *err, size_t errlen);

/* Frees what P holds (the thread must have ended): the instance is
 * destroyed. */
void host_poller_free(host_poller_t *p);

#endif
