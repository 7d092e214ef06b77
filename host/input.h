/*
 * input — which originals a route may read.
 *
 * The bucket and key of an original come from the message, which anyone
 * able to send to the queue writes.  Before anything is fetched, a route
 * admits only
 *   - keys that name exactly one object: no leading '/', no "", "." or
 *     ".." segment, no control character (keys.h): an HTTP client or
 *     server that squashes dot segments would otherwise read from, and
 *     write derivatives into, another bucket than the one named;
 *   - S3 originals in one of its input.buckets;
 *   - keys starting with its input.prefix.
 * Locally stored originals (prism.storage "local") are read from the
 * route's input_directory whatever bucket the event names, so only their
 * key is checked.  A refused message is rejected (DLQ with the reason).
 */
#ifndef HOST_INPUT_H
#define HOST_INPUT_H

#include <stddef.h>

#include "config.h"
#include "message.h"

/* Returns 0 when route R may read EV's original; -1 with the reason in
 * reason (reasonlen bytes), e.g. "bucket \"x\" is not an input of route
 * thumbnail (input.buckets)". */
int host_input_admit(const host_route_conf_t *r, const host_event_t *ev, char *reason,
                     size_t reasonlen);

#endif
