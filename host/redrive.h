/*
 * redrive — the check that the host, not SQS, ends a message's retries.
 *
 * A route's max_attempts must be below its queue's maxReceiveCount
 * (the redrive policy): otherwise SQS moves a message that keeps
 * failing to the DLQ itself, without the host's prism.reason and
 * without an image record.  The first worker of each configuration
 * generation reads every route's RedrivePolicy (GetQueueAttributes) and
 * logs one warning per route whose maxReceiveCount is <= max_attempts;
 * prism-host -T makes the same finding an error.
 */
#ifndef HOST_REDRIVE_H
#define HOST_REDRIVE_H

#include "aws_client.h"
#include "config.h"

/* Returns the maxReceiveCount of the RedrivePolicy JSON text POLICY
 * ({"deadLetterTargetArn": ..., "maxReceiveCount": 3}, the count a
 * number or a string), or -1 when it has none. */
long host_redrive_max_receive_count(const char *policy);

/* Reads the maxReceiveCount of route R's queue into *count (-1: no
 * redrive policy).  Returns 0, or -1 with err set when the call fails. */
int host_redrive_read(aws_client_t *aws, const host_route_conf_t *r, long *count, aws_error_t *err);

/* Whether COUNT (a maxReceiveCount, -1 for none) makes SQS dead-letter
 * route R's failing messages before the host does: then returns 1 with
 * the explanation in why (whylen bytes), else 0. */
int host_redrive_conflict(const host_route_conf_t *r, long count, char *why, size_t whylen);

/* Checks CONF's routes as described above, through AWS.  When a call
 * fails (access denied, unreachable) it says so in one log line and
 * checks no further.  Never fails otherwise. */
void host_redrive_check(const host_conf_t *conf, aws_client_t *aws);

#endif
