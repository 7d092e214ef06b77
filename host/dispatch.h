/*
 * dispatch — the fate of one received message.
 *
 *   body not understood ........ poison: DLQ (reason), delete
 *   s3:TestEvent ............... delete
 *   original not admitted to
 *   the route (input.h: bucket,
 *   prefix, dot segments) ...... reject: DLQ (reason), delete, nothing
 *                                fetched and no record written
 *   received > max_attempts .... DLQ ("max_attempts"), delete
 *   imageId not the original's
 *   (identity.h) ............... reject: DLQ (reason), delete, no record
 *   original over the limit .... reject: DLQ, delete
 *   original missing (404, or
 *   403 AccessDenied) .......... reject: DLQ, delete
 *   original fetch fails ....... retry: leave it; hold it when S3 is
 *                                unavailable (below)
 *   decode (from the header)
 *   over the worker's whole
 *   budget (budget.h) .......... reject: DLQ, delete
 *   no room in the budget
 *   within the wait ............ retry: leave it
 *   plugin OK .................. store every output, delete
 *                                (a failed store is a retry, a hold
 *                                when S3 is unavailable)
 *   plugin RETRY ............... leave it (SQS redelivers it after the
 *                                visibility timeout; the queue's redrive
 *                                policy ends the loop)
 *   plugin REJECT .............. DLQ with the plugin's reason, delete
 *   plugin crashed the worker
 *   on it (crash_ledger.h) ..... reject: DLQ ("plugin crashed"), delete,
 *                                without running the plugin again; a
 *                                mere suspect runs the plugin alone in
 *                                its worker
 * Originals with prism.storage "local" are read from the route's
 * input_directory instead of S3, with the same outcomes.
 * With record.table configured, an image's ok or reject outcome is first
 * written to its image record (record.h), when the original confirmed
 * the message's imageId (identity.h); with the route's
 * completion_topic_arn, an ok outcome then publishes the completion
 * event (completion.h).  Either failing turns the outcome into a retry
 * (a hold when DynamoDB or SNS is unavailable), and the stored outputs
 * are remembered (memo.h): the next attempt on the message in this
 * worker writes only the record and the event.  Every call on S3,
 * DynamoDB and SNS reports to the worker's breakers (deps.h); a
 * transient failure (network, timeout, 5xx, throttling) makes the
 * outcome a hold: the poller keeps the message (poller.h) and tries it
 * again when the dependency answers.
 * A DLQ send that fails turns the outcome into a retry: the message is
 * never deleted before it is safe somewhere.
 */
#ifndef HOST_DISPATCH_H
#define HOST_DISPATCH_H

#include "poller.h"
#include "sqs.h"

typedef enum {
    HOST_DISPOSE_DELETE = 0, /* done with it: delete from the queue */
    HOST_DISPOSE_LEAVE,      /* leave it: SQS redelivers it */
    HOST_DISPOSE_HOLD        /* a dependency is unavailable: keep it, try it again */
} host_disposition_t;

/* Decides and carries out M's fate (above) with P's plugin instance,
 * updating metrics and logging the outcome.  Never fails: every problem
 * maps to one of the dispositions. */
host_disposition_t host_dispatch(host_poller_t *p, const aws_sqs_message_t *m);

#endif
