/*
 * record — the image record in DynamoDB, written after a route is done.
 *
 * One item per image, keyed on imageId (string), in the table named by
 * the config's record.table.  Its attributes, names and values are the
 * record's one home, ingress/image_record.h, which the module's lookup
 * reads with; what is here is how prism-host writes it.
 * DynamoDB cannot SET routes.<route> while "routes" does not exist, and
 * one UpdateExpression cannot name both routes and routes.<route>, so a
 * route's result takes two UpdateItems, neither a read-modify-write:
 *   1. SET #routes = if_not_exists(#routes, :routes),
 *          #bucket = if_not_exists(#bucket, :bucket), ...  (idempotent)
 *   2. SET #routes.#route = :route
 * Hosts running different routes of the same image in parallel each
 * write only their own route's path, so no attribute is ever lost.
 */
#ifndef HOST_RECORD_H
#define HOST_RECORD_H

#include <stddef.h>

#include <jansson.h>

#include "aws_client.h"
#include "image_record.h"
#include "message.h"

/* One stored derivative, as the record and the completion event tell it. */
typedef ing_record_output_t host_output_ref_t;

/* What a route did with one image. */
typedef ing_record_route_t host_route_result_t;

/* One UpdateItem's expression, names and typed values (owned). */
typedef struct {
    char *update;
    json_t *names;
    json_t *values;
} host_record_update_t;

/* Builds step 1 (above) for the event EV: the empty routes map and the
 * original's attributes EV has, each if_not_exists.  Returns 0, or -1
 * with err set (out of memory, invalid UTF-8); free with
 * host_record_update_free(). */
int host_record_originals_update(const host_event_t *ev, host_record_update_t *u, char *err,
                                 size_t errlen);

/* Builds step 2 (above) for RES.  Returns 0, or -1 with err set. */
int host_record_route_update(const host_route_result_t *res, host_record_update_t *u, char *err,
                             size_t errlen);

/* Frees what U holds and zeroes it. */
void host_record_update_free(host_record_update_t *u);

/* Writes RES into TABLE's item for EV's imageId (steps 1 and 2).
 * Returns 0, or -1 with err set when an UpdateItem failed (after the
 * client's retries), with *TRANSIENT (may be NULL) 1 when DynamoDB was
 * unavailable (network, timeout, 5xx, throttling), else 0: the caller
 * retries it. */
int host_record_write(aws_client_t *aws, const char *table, const host_event_t *ev,
                      const host_route_result_t *res, int *transient, char *err, size_t errlen);

/* Probes DATA (LEN bytes) with imageinfo and fills REF's width and
 * height (0 and 0 when it is not an image imageinfo knows). */
void host_output_ref_probe(host_output_ref_t *ref, const void *data, size_t len);

/* Writes the current UTC time as ISO 8601 with milliseconds into out. */
void host_iso8601_now(char *out, size_t outlen);

#endif
