/*
 * fifo — keep a FIFO queue's order within one received batch.
 *
 * A batch from a FIFO queue is processed in order.  Once a message is
 * left for redelivery (a retry), later messages of the same message
 * group must not run before it: they are skipped, and the poller makes
 * them visible again at once (ChangeMessageVisibility 0) without
 * deleting them, so SQS hands the group back in order.  Messages of
 * other groups go on.  A message without a known group id belongs to
 * one shared group (the strict, safe reading).
 */
#ifndef HOST_FIFO_H
#define HOST_FIFO_H

#include <stddef.h>

#include "sqs.h"

#define HOST_FIFO_MAX AWS_SQS_MAX_MESSAGES

typedef struct {
    const char *group[HOST_FIFO_MAX];  /* borrowed; NULL: the shared group */
    unsigned char left[HOST_FIFO_MAX]; /* 1: message i was left or skipped */
    size_t n;
} host_fifo_batch_t;

/* Prepares B for N (<= HOST_FIFO_MAX; more are cut) messages whose
 * group ids are GROUPS[i] (GROUPS may be NULL: all in the shared group). */
void host_fifo_init(host_fifo_batch_t *b, const char *const *groups, size_t n);

/* Returns 1 when message I may run now: no earlier message of its group
 * was left or skipped.  Returns 0 otherwise, and marks I as skipped. */
int host_fifo_may_run(host_fifo_batch_t *b, size_t i);

/* Records that message I was left for redelivery: the rest of its group
 * in this batch is skipped. */
void host_fifo_left(host_fifo_batch_t *b, size_t i);

#endif
