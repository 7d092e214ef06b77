/*
 * message — what an SQS message body asks prism-host to do.
 *
 * Accepted shapes (docs/host-config.md, "Messages"):
 *   1. the prism event: an S3 Event Notification (Records[0] with
 *      eventSource "aws:s3", eventName "ObjectCreated:*", s3.bucket.name,
 *      s3.object.key, size, eTag) plus a top-level "prism" object
 *      {imageId, contentType, width, height, sha256, requestId, userId};
 *   2. the same inside an SNS envelope ({"Type": "Notification",
 *      "Message": "<that JSON as a string>", ...}) when the subscription
 *      does not use raw delivery;
 *   3. a real S3 event notification (no "prism" object), raw or in the
 *      SNS envelope; "s3:TestEvent" (sent when notifications are set
 *      up) is recognised so it can be deleted quietly;
 *   4. {"bucket": ..., "s3Key": ..., "imageId": ...}.
 * Shapes 1 and 3 are the upload event's format, read by its one home,
 * ingress/event.h (ing_event_parse: the fields, their types and bounds,
 * the key's URL decoding, '+' a space and %XX a byte); what is the
 * host's is here: the size limit, the SNS envelope, the test event and
 * shape 4, whose s3Key is literal.  Anything else is poison, with a
 * reason.
 */
#ifndef HOST_MESSAGE_H
#define HOST_MESSAGE_H

#include <stddef.h>

#include "key_template.h"

/* Bodies above this are poison without parsing (SQS caps bodies at 1 MiB). */
#define HOST_MESSAGE_MAX_BYTES (1024 * 1024)
/* Object keys longer than this are poison (S3's limit, 1024 bytes). */
#define HOST_KEY_MAX ING_KEY_MAX

typedef enum {
    HOST_MSG_IMAGE = 0,  /* an object to process: the fields below are set */
    HOST_MSG_TEST_EVENT, /* s3:TestEvent: nothing to do, delete it */
    HOST_MSG_POISON      /* not a message prism understands: dead-letter it */
} host_msg_kind_t;

typedef struct {
    host_msg_kind_t kind;
    const char *shape; /* "prism-event", "s3-event", "simple", "s3-test-event" */
    int sns_envelope;  /* 1 when it came wrapped in an SNS notification */
    char *bucket;
    char *key;          /* decoded object key */
    long long size;     /* from the event, -1 when unknown */
    char *etag;         /* may be NULL, or "" (a local original) */
    char *image_id;     /* may be NULL */
    char *content_type; /* may be NULL */
    long width, height; /* 0 when unknown */
    char *sha256;       /* may be NULL */
    char *request_id;   /* may be NULL */
    char *user_id;      /* prism.userId, the uploader; may be NULL */
    int storage_local;  /* prism.storage "local": the original is a file
                                     (under the route's input_directory), not in S3 */
} host_event_t;

/* Parses BODY (LEN bytes, need not be NUL-terminated) into *ev.  Returns
 * the kind (also in ev->kind).  For HOST_MSG_POISON, reason (reasonlen
 * bytes) says why, e.g. "not JSON: ..." or "Records[0].s3.object.key
 * missing".  Running out of memory also yields poison ("out of memory"):
 * the message then waits in the DLQ for a redrive instead of looping.
 * Always call host_event_free() afterwards. */
host_msg_kind_t host_message_parse(const char *body, size_t len, host_event_t *ev, char *reason,
                                   size_t reasonlen);

/* Frees what *ev owns and zeroes it. */
void host_event_free(host_event_t *ev);

#endif
