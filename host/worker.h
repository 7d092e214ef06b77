/*
 * worker — one worker process: every route's pollers, a heartbeat.
 *
 * Forked by the master.  It applies rlimits and drops privileges, builds
 * the AWS client, loads each route's plugin once and makes one instance
 * per poller thread (`concurrency` per route), then waits for a signal:
 * SIGTERM, SIGQUIT or SIGINT stops polling (in-flight long polls are
 * cancelled), lets each poller finish the message in hand within
 * shutdown_grace_seconds, and exits.  SIGHUP is the master's business and
 * ignored here.  A worker whose master dies stops the same way.
 */
#ifndef HOST_WORKER_H
#define HOST_WORKER_H

#include <sys/types.h>

#include "config.h"
#include "crash_ledger.h"
#include "metrics.h"

/* Exit statuses of a worker. */
#define HOST_WORKER_EXIT_OK      0 /* stopped cleanly */
#define HOST_WORKER_EXIT_GRACE   1 /* grace period ran out with work in flight */
#define HOST_WORKER_EXIT_STARTUP 2 /* could not start (plugin, AWS, privileges) */

typedef struct {
    const host_conf_t *conf;
    host_metrics_t *metrics;
    const int *metric_routes;   /* metrics slot of each route */
    int slot;                   /* this worker's metrics slot */
    host_crash_ledger_t *crash; /* shared with the master (crash_ledger.h) */
    pid_t master;               /* the parent's pid */
    int check_queues;           /* first of its generation: check the
                                          queues' redrive policies (redrive.h) */
} host_worker_args_t;

/* Runs a worker until it is told to stop.  Returns its exit status; when
 * the grace period runs out with pollers still busy it _exit()s with
 * HOST_WORKER_EXIT_GRACE instead (running threads forbid a normal exit). */
int host_worker_run(const host_worker_args_t *a);

#endif
