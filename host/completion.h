/*
 * completion — the SNS event a route publishes when an image is done.
 *
 * After the outputs are stored (and the record written), a route with
 * completion_topic_arn publishes
 *   {"imageId", "originalKey", "bucket", "route",
 *    "outputs": [{"key", "size", "width", "height", "contentType"}],
 *    "processingMs", "requestId", "plugin", "pluginVersion",
 *    "status": "ok"}
 * (imageId and requestId are null when the upload event had none) with
 * the message attributes route, image_id (when known) and status, for
 * subscription filter policies.
 */
#ifndef HOST_COMPLETION_H
#define HOST_COMPLETION_H

#include <stddef.h>

#include "aws_client.h"
#include "message.h"
#include "record.h"

/* Returns the event's JSON text for EV and RES (malloc'ed), or NULL when
 * out of memory. */
char *host_completion_json(const host_event_t *ev, const host_route_result_t *res);

/* Publishes the event to TOPIC_ARN.  Returns 0, or -1 with err set and
 * *TRANSIENT (may be NULL) 1 when SNS was unavailable (network, timeout,
 * 5xx, throttling), else 0. */
int host_completion_publish(aws_client_t *aws, const char *topic_arn, const host_event_t *ev,
                            const host_route_result_t *res, int *transient, char *err,
                            size_t errlen);

#endif
