/*
 * metrics — counters shared by the master and its workers.
 *
 * One anonymous MAP_SHARED mapping, created by the master before it
 * forks, holds every counter; workers add to it with atomic operations
 * and the master renders it as Prometheus text (metrics_http.c serves
 * it).  Counters survive a worker's crash and a reload.  Route slots are
 * assigned by name by the master (before forking the workers that use
 * them); the in-flight gauge is kept per worker slot so the master can
 * zero a dead worker's share.
 *
 * Exported (route label on all but the last):
 *   prism_messages_received_total, _ok_total, _retried_total,
 *   _rejected_total, _dead_lettered_total, _poison_total,
 *   prism_aws_errors_total, prism_in_flight,
 *   prism_processing_seconds (histogram), prism_worker_restarts_total,
 *   prism_conformance_warnings_total{kind} (answers that lacked what AWS
 *   documents, aws_conformance.h);
 * and per dependency (label dependency="s3" | "dynamodb" | "sns"):
 *   prism_breaker_open (worker processes whose breaker is open),
 *   prism_breaker_trips_total, prism_breaker_probes_total (breaker.h).
 */
#ifndef HOST_METRICS_H
#define HOST_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "aws_buf.h"
#include "aws_conformance.h"

#define HOST_METRICS_ROUTES  64
#define HOST_METRICS_SLOTS   512 /* worker slots: two generations of 256 */
#define HOST_METRICS_BUCKETS 13
#define HOST_METRICS_WARNED  64 /* (endpoint, kind) pairs warned about */

typedef enum {
    HOST_M_RECEIVED = 0,
    HOST_M_OK,
    HOST_M_RETRIED,
    HOST_M_REJECTED,
    HOST_M_DEAD_LETTERED,
    HOST_M_POISON,
    HOST_M_AWS_ERRORS,
    HOST_M_NCOUNTERS
} host_counter_t;

/* The dependencies a route's work may need (one circuit breaker each). */
typedef enum { HOST_DEP_S3 = 0, HOST_DEP_DYNAMODB, HOST_DEP_SNS, HOST_DEP_COUNT } host_dep_t;

typedef enum {
    HOST_BREAKER_M_TRIPS = 0,
    HOST_BREAKER_M_PROBES,
    HOST_BREAKER_M_NCOUNTERS
} host_breaker_counter_t;

typedef struct host_metrics_s host_metrics_t;

/* Returns the dependency's name as the metrics and logs spell it ("s3"). */
const char *host_dep_name(host_dep_t dep);

/* Maps the shared counters (zeroed).  Returns NULL with err set when
 * mmap fails.  Call before forking. */
host_metrics_t *host_metrics_create(char *err, size_t errlen);

/* Unmaps them (in the process that is done with them). */
void host_metrics_destroy(host_metrics_t *m);

/* Returns the slot of route NAME, taking a free one (or one whose name
 * is not in KEEP, NKEEP names, reset first) when NAME has none.  Master
 * only.  Returns -1 when no slot can be had. */
int host_metrics_route_slot(host_metrics_t *m, const char *name, const char *const *keep,
                            size_t nkeep);

/* Adds 1 to counter C of route slot ROUTE (ignored when ROUTE < 0). */
void host_metrics_inc(host_metrics_t *m, int route, host_counter_t c);

/* Records one processing time in the route's histogram. */
void host_metrics_observe(host_metrics_t *m, int route, double seconds);

/* Adds DELTA to the in-flight gauge of ROUTE for worker slot SLOT. */
void host_metrics_in_flight(host_metrics_t *m, int slot, int route, int delta);

/* Sets whether worker slot SLOT's breaker of DEP is open (1) or not. */
void host_metrics_breaker_state(host_metrics_t *m, int slot, host_dep_t dep, int open);

/* Adds 1 to breaker counter C of DEP. */
void host_metrics_breaker_inc(host_metrics_t *m, host_dep_t dep, host_breaker_counter_t c);

/* Zeroes worker slot SLOT's in-flight share and breaker states (its
 * process is gone). */
void host_metrics_slot_reset(host_metrics_t *m, int slot);

/* Adds 1 to prism_conformance_warnings_total{kind=KIND} for an answer
 * of ENDPOINT that lacked what AWS documents.  Returns 1 the first time
 * (ENDPOINT, KIND) is seen by any process sharing M (the caller then
 * logs the one warning), else 0; once HOST_METRICS_WARNED pairs are
 * known (or on a hash collision) it returns 0 and only counts. */
int host_metrics_conformance(host_metrics_t *m, aws_conf_kind_t kind, const char *endpoint);

/* Adds 1 to prism_worker_restarts_total. */
void host_metrics_worker_restart(host_metrics_t *m);

/* Appends the Prometheus text exposition (format 0.0.4) to out, with
 * prism_workers set to WORKERS.  Returns 0, or -1 when memory runs out. */
int host_metrics_render(host_metrics_t *m, int workers, aws_buf_t *out);

#endif
