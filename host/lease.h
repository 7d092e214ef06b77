/*
 * lease — the messages a poller holds, and the heartbeat that keeps them
 * invisible to other consumers while they wait or are processed.
 *
 * A poller registers each message it receives with its visibility
 * deadline.  The worker's heartbeat thread calls host_leases_heartbeat()
 * a few times a second: every lease within half a visibility timeout of
 * its deadline is extended (ChangeMessageVisibilityBatch) by another
 * visibility timeout, until the message has been held for the route's
 * heartbeat_max_seconds — then it is let go and SQS redelivers it.
 */
#ifndef HOST_LEASE_H
#define HOST_LEASE_H

#include <pthread.h>

#include "aws_client.h"
#include "config.h"
#include "metrics.h"

#define HOST_LEASES_MAX 10

typedef struct {
    int used;
    int given_up; /* heartbeat_max reached or the extension failed */
    unsigned gen; /* distinguishes a reused slot */
    char *message_id;
    char *receipt_handle;
    double received_at; /* monotonic seconds */
    double deadline;    /* when SQS makes it visible again */
} host_lease_t;

typedef struct {
    pthread_mutex_t mu;
    const host_route_conf_t *route;
    host_lease_t leases[HOST_LEASES_MAX];
    unsigned next_gen;
    host_metrics_t *metrics;
    int metric_route;
} host_lease_set_t;

/* Prepares an empty set for route R.  Returns 0, or -1 when the mutex
 * cannot be created. */
int host_leases_init(host_lease_set_t *s, const host_route_conf_t *r, host_metrics_t *m,
                     int metric_route);

/* Frees the set and any leases left in it. */
void host_leases_destroy(host_lease_set_t *s);

/* Registers a message received at NOW (monotonic) with the route's
 * visibility timeout.  Returns its slot, or -1 when the set is full or
 * memory runs out (the message is then simply not extended). */
int host_leases_add(host_lease_set_t *s, const char *message_id, const char *receipt_handle,
                    double now);

/* Forgets slot I (a message deleted, released or left for retry).
 * I < 0 is ignored. */
void host_leases_drop(host_lease_set_t *s, int i);

/* Returns 1 while slot I is still extended by the heartbeat (registered,
 * not given up), 0 otherwise (I < 0 included). */
int host_leases_held(host_lease_set_t *s, int i);

/* Extends every lease of S that expires within half a visibility timeout
 * of NOW, as described above.  Blocks for the AWS call (made without the
 * lock held).  Failures are logged and counted, never fatal. */
void host_leases_heartbeat(host_lease_set_t *s, aws_client_t *aws, double now);

#endif
