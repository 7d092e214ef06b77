/*
 * image_record — the image record: one DynamoDB item per image, which
 * prism-host writes as its routes finish (host/record.c) and the
 * module's prism_lookup answers (ngx_http_prism_lookup.c).  This is the
 * record's one home: its attribute names and how each value is encoded
 * and read.
 *
 *   imageId S (the key), bucket S, key S, contentType S, width N,
 *   height N, size N, sha256 S (the original's, each when the upload
 *   event has it), userId S (the uploader, when the event names one),
 *   routes M { "<route>": M { status S "ok" | "rejected",
 *                             outputs L [ M { key S, size N, width N,
 *                                            height N, contentType S } ],
 *                             bucket S (where the outputs are; absent:
 *                               a directory, or the original's bucket),
 *                             plugin S, pluginVersion S,
 *                             at S (ISO 8601 UTC), reason S (rejected
 *                             only), processingMs N } }
 *
 * The writer gives the typed values (DynamoDB JSON, aws/dynamodb.h);
 * how they reach the item (two UpdateItems, neither a read-modify-write)
 * is host/record.c's.  The reader walks the record as plain JSON
 * (aws_ddb_to_json of the item): an output's bucket is its own "bucket"
 * (none is written today, one is honoured), else its route's, else the
 * record's; parts missing or of another shape are passed over, so an
 * item written by an older or newer host reads.  Records written by
 * hosts of other versions stay readable: attributes are added, never
 * renamed or retyped (tests/unit/test_image_record.c pins them).
 */
#ifndef ING_IMAGE_RECORD_H
#define ING_IMAGE_RECORD_H

#include <stddef.h>

#include <jansson.h>

/* The attribute names: the item's, a route's, an output's. */
#define ING_RECORD_IMAGE_ID       "imageId"
#define ING_RECORD_BUCKET         "bucket"
#define ING_RECORD_KEY            "key"
#define ING_RECORD_CONTENT_TYPE   "contentType"
#define ING_RECORD_WIDTH          "width"
#define ING_RECORD_HEIGHT         "height"
#define ING_RECORD_SIZE           "size"
#define ING_RECORD_SHA256         "sha256"
#define ING_RECORD_USER_ID        "userId"
#define ING_RECORD_ROUTES         "routes"
#define ING_RECORD_STATUS         "status"
#define ING_RECORD_OUTPUTS        "outputs"
#define ING_RECORD_PLUGIN         "plugin"
#define ING_RECORD_PLUGIN_VERSION "pluginVersion"
#define ING_RECORD_AT             "at"
#define ING_RECORD_REASON         "reason"
#define ING_RECORD_PROCESSING_MS  "processingMs"

#define ING_RECORD_STATUS_OK       "ok"
#define ING_RECORD_STATUS_REJECTED "rejected"

/* The original's attributes; a NULL string, a width or height of 0 and
 * a size of -1 are unknown and left out. */
typedef struct {
    const char *bucket;
    const char *key;
    const char *content_type;
    long width, height;
    long long size;
    const char *sha256;
    const char *user_id;
} ing_record_original_t;

/* One stored derivative, as the record (and prism-host's completion
 * event) tell it. */
typedef struct {
    char key[1100];
    size_t size;
    unsigned width, height; /* 0 when the bytes are not a known image */
    char content_type[128];
} ing_record_output_t;

/* What a route did with one image. */
typedef struct {
    const char *route;
    const char *bucket; /* where the outputs are, NULL for a directory */
    int ok;             /* 1: "ok", 0: "rejected" */
    const char *reason; /* rejected only */
    const char *plugin; /* plugin name */
    const char *plugin_version;
    const char *at; /* ISO 8601 UTC, "2026-01-02T03:04:05.678Z" */
    long long processing_ms;
    const ing_record_output_t *outputs;
    size_t noutputs;
} ing_record_route_t;

/* ---- writing ------------------------------------------------------------ */

/* Returns the item's key, {"imageId": {"S": IMAGE_ID}}, or NULL (out of
 * memory, not UTF-8). */
json_t *ing_record_key(const char *image_id);

/* Returns the original's attributes with their typed values, in the
 * record's order, "routes" first as an empty map: a new object, or NULL
 * (out of memory, a string not UTF-8). */
json_t *ing_record_original_attrs(const ing_record_original_t *o);

/* Returns the typed value (an M) of routes.<r->route>, or NULL (out of
 * memory, a string not UTF-8 or missing). */
json_t *ing_record_route_value(const ing_record_route_t *r);

/* ---- reading ------------------------------------------------------------ */

/* Returns the owner (userId) of the typed ITEM (GetItem's Item), its
 * length in *len, or NULL when it has none. */
const char *ing_record_owner(const json_t *item, size_t *len);

/* Called for each output of the plain RECORD: OUTPUT (the output's
 * object, which the callback may change), its KEY, and the BUCKET it is
 * in (NULL when the record names none).  Returns 0 to go on, -1 to
 * stop. */
typedef int (*ing_record_output_pt)(json_t *output, const char *bucket, const char *key,
                                    void *data);

/* Calls HANDLER for every output with a key of every route of the plain
 * RECORD.  Returns 0, or -1 when HANDLER stopped the walk. */
int ing_record_outputs(json_t *record, ing_record_output_pt handler, void *data);

#endif
