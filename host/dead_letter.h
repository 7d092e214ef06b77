/*
 * dead_letter — send a message the host gives up on to the route's DLQ.
 *
 * The DLQ message carries the original body unchanged plus attributes:
 *   prism.reason               why (plugin reason, poison reason, ...), as
 *                              valid UTF-8 without control characters
 *   prism.route                the route's name
 *   prism.plugin               "name version" of the route's plugin
 *   prism.attempts             ApproximateReceiveCount (Number)
 *   prism.original_message_id  the message id on the route's queue
 * A FIFO DLQ (".fifo") gets MessageGroupId = the route's name and
 * MessageDeduplicationId = the original message id.
 * The caller deletes the original only after this succeeded.
 */
#ifndef HOST_DEAD_LETTER_H
#define HOST_DEAD_LETTER_H

#include <stddef.h>

#include "aws_client.h"
#include "config.h"
#include "sqs.h"

/* Longest reason sent (longer ones are cut). */
#define HOST_DLQ_REASON_MAX 1000

/* Sends M's body to R's DLQ with the attributes above.  PLUGIN names the
 * plugin ("thumbnail 1.2.0").  Returns 0, or -1 with err set. */
int host_dead_letter(aws_client_t *aws, const host_route_conf_t *r, const char *plugin,
                     const aws_sqs_message_t *m, const char *reason, char *err, size_t errlen);

#endif
