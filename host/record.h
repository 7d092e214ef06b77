/*
 * record — the image record in DynamoDB, written after a route is done.
 *
 * One item per image, keyed on imageId (string), in the table named by
 * the config's record.table:
 *   imageId S, bucket S, key S, contentType S, width N, height N,
 *   size N, sha256 S (each from the upload event, when it has it),
 *   routes M { "<route>": M { status S "ok" | "rejected",
 *                             outputs L [ M { key S, size N, width N,
 *                                            height N, contentType S } ],
 *                             plugin S, pluginVersion S, at S (ISO 8601,
 *                             UTC), reason S (rejected only),
 *                             processingMs N } }
 * DynamoDB cannot SET routes.<route> while "routes" does not exist, and
 * one UpdateExpression cannot name both routes and routes.<route>, so a
 * route's result takes two UpdateItems, neither a read-modify-write:
 *   1. SET #routes = if_not_exists(#routes, :empty),
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
#include "message.h"

/* One stored derivative, as the record and the completion event tell it. */
typedef struct {
    char          key[1100];
    size_t        size;
    unsigned      width, height;   /* 0 when the bytes are not a known image */
    char          content_type[128];
} host_output_ref_t;

/* What a route did with one image. */
typedef struct {
    const char              *route;
    const char              *bucket;          /* where the outputs are, NULL for a directory */
    int                      ok;              /* 1: "ok", 0: "rejected" */
    const char              *reason;          /* rejected only */
    const char              *plugin;          /* plugin name */
    const char              *plugin_version;
    const char              *at;              /* ISO 8601 UTC, "2026-01-02T03:04:05.678Z" */
    long long                processing_ms;
    const host_output_ref_t *outputs;
    size_t                   noutputs;
} host_route_result_t;

/* One UpdateItem's expression, names and typed values (owned). */
typedef struct {
    char   *update;
    json_t *names;
    json_t *values;
} host_record_update_t;

/* Builds step 1 (above) for the event EV: the empty routes map and the
 * original's attributes EV has, each if_not_exists.  Returns 0, or -1
 * with err set (out of memory, invalid UTF-8); free with
 * host_record_update_free(). */
int host_record_originals_update(const host_event_t *ev, host_record_update_t *u,
                                 char *err, size_t errlen);

/* Builds step 2 (above) for RES.  Returns 0, or -1 with err set. */
int host_record_route_update(const host_route_result_t *res, host_record_update_t *u,
                             char *err, size_t errlen);

/* Frees what U holds and zeroes it. */
void host_record_update_free(host_record_update_t *u);

/* Writes RES into TABLE's item for EV's imageId (steps 1 and 2).
 * Returns 0, or -1 with err set when an UpdateItem failed (after the
 * client's retries), with *TRANSIENT (may be NULL) 1 when DynamoDB was
 * unavailable (network, timeout, 5xx, throttling), else 0: the caller
 * retries it. */
int host_record_write(aws_client_t *aws, const char *table, const host_event_t *ev,
                      const host_route_result_t *res, int *transient, char *err,
                      size_t errlen);

/* Probes DATA (LEN bytes) with imageinfo and fills REF's width and
 * height (0 and 0 when it is not an image imageinfo knows). */
void host_output_ref_probe(host_output_ref_t *ref, const void *data, size_t len);

/* Writes the current UTC time as ISO 8601 with milliseconds into out. */
void host_iso8601_now(char *out, size_t outlen);

#endif
