/*
 * memo — messages whose outputs are stored but whose image record or
 * completion event could not be written yet, remembered per worker
 * process, keyed by SQS message id (the same on every delivery).
 *
 * When a record or completion write fails after the outputs are stored,
 * dispatch remembers the outcome and the output references here; the
 * next attempt on the same message in this worker (held and retried in
 * place, or redelivered by SQS) takes them back and only writes the
 * record and the completion event, without fetching the original or
 * running the plugin again.  A redelivery to another worker process has
 * no memo and runs the plugin again (its outputs are overwritten under
 * the same keys).  The memo holds at most HOST_MEMO_MAX messages; when
 * full, the oldest is forgotten (its redelivery runs the plugin again).
 * Thread-safe.
 */
#ifndef HOST_MEMO_H
#define HOST_MEMO_H

#include <pthread.h>
#include <stddef.h>

#include "record.h"

#define HOST_MEMO_MAX 256

/* What an entry says of the earlier attempt. */
#define HOST_MEMO_OK           0x1u /* the outcome was ok (else rejected) */
#define HOST_MEMO_ID_CONFIRMED 0x2u /* the original confirmed the imageId (identity.h) */

typedef struct {
    char *message_id; /* NULL: free */
    unsigned flags;   /* HOST_MEMO_OK, HOST_MEMO_ID_CONFIRMED */
    char *reason;
    host_output_ref_t *refs;
    size_t nrefs;
    unsigned long seq; /* age, for forgetting the oldest */
} host_memo_entry_t;

typedef struct {
    pthread_mutex_t mu;
    host_memo_entry_t e[HOST_MEMO_MAX];
    unsigned long seq;
} host_memo_t;

/* Prepares an empty memo.  Returns 0, or -1 when the mutex cannot be
 * created. */
int host_memo_init(host_memo_t *m);

/* Frees every entry and the mutex. */
void host_memo_destroy(host_memo_t *m);

/* Remembers MESSAGE_ID's outcome FLAGS (HOST_MEMO_*) with REASON and its NREFS output
 * references REFS (copied), replacing an entry for the same id or else
 * the oldest when full.  Returns 0, or -1 when memory runs out (nothing
 * remembered). */
int host_memo_put(host_memo_t *m, const char *message_id, unsigned flags, const char *reason,
                  const host_output_ref_t *refs, size_t nrefs);

/* Takes MESSAGE_ID's entry out of the memo: *FLAGS, REASON (reasonlen
 * bytes), REFS (room for maxrefs) and *NREFS.  Returns 1 when it was
 * there (and is now forgotten), 0 when not. */
int host_memo_take(host_memo_t *m, const char *message_id, unsigned *flags, char *reason,
                   size_t reasonlen, host_output_ref_t *refs, size_t maxrefs, size_t *nrefs);

#endif
