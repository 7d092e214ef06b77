/*
 * message — recognise the message shapes prism-host accepts.
 * See message.h.
 */
#include "message.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "event.h"
#include "json_field.h"

/* Strings longer than this in the simple shape's imageId are poison. */
#define META_MAX ING_EVENT_STRING_MAX

/* Sets *out to a copy of S (NULL stays NULL).  Returns 0, or -1 when
 * memory runs out. */
static int dup_string(char **out, const char *s)
{
    if (s == NULL)
        return 0;
    *out = strdup(s);
    return *out != NULL ? 0 : -1;
}

/* Parses an S3 event notification (with Records) and the optional prism
 * object, the upload event's format (ingress/event.h), into EV.  Returns
 * the kind; reason is set for poison. */
static host_msg_kind_t parse_records(json_t *root, host_event_t *ev, char *reason, size_t reasonlen)
{
    ing_event_parsed_t p;
    const ing_event_t *e = &p.event;
    int rc;

    if (ing_event_parse_doc(root, &p, reason, reasonlen) != 0)
        return HOST_MSG_POISON;
    ev->shape = p.prism ? "prism-event" : "s3-event";
    ev->size = p.size_known ? (long long) e->size : -1;
    ev->width = (long) e->width;
    ev->height = (long) e->height;
    ev->storage_local = e->storage == ING_STORAGE_LOCAL;
    rc = dup_string(&ev->bucket, e->bucket) | dup_string(&ev->key, e->key)
         | dup_string(&ev->etag, e->etag) | dup_string(&ev->image_id, e->image_id)
         | dup_string(&ev->content_type, e->content_type) | dup_string(&ev->sha256, e->sha256)
         | dup_string(&ev->request_id, e->request_id) | dup_string(&ev->user_id, e->user_id);
    ing_event_parsed_free(&p);
    if (rc != 0) {
        snprintf(reason, reasonlen, "out of memory");
        return HOST_MSG_POISON;
    }
    return HOST_MSG_IMAGE;
}

/* Parses {"bucket", "s3Key", "imageId"}.  Returns the kind. */
static host_msg_kind_t parse_simple(json_t *root, host_event_t *ev, char *reason, size_t reasonlen)
{
    const char *bucket = NULL, *key = NULL, *image_id = NULL;

    ev->shape = "simple";
    if (ing_json_string(root, "bucket", "", 1, ING_EVENT_BUCKET_MAX, &bucket, reason, reasonlen)
        || ing_json_string(root, "s3Key", "", 1, HOST_KEY_MAX, &key, reason, reasonlen)
        || ing_json_string(root, "imageId", "", 0, META_MAX, &image_id, reason, reasonlen))
        return HOST_MSG_POISON;
    if (dup_string(&ev->bucket, bucket) | dup_string(&ev->key, key)
        | dup_string(&ev->image_id, image_id)) {
        snprintf(reason, reasonlen, "out of memory");
        return HOST_MSG_POISON;
    }
    return HOST_MSG_IMAGE;
}

/* Classifies a decoded body (after unwrapping SNS). */
static host_msg_kind_t parse_root(json_t *root, host_event_t *ev, char *reason, size_t reasonlen)
{
    const char *event;

    if (!json_is_object(root)) {
        snprintf(reason, reasonlen, "body is not a JSON object");
        return HOST_MSG_POISON;
    }
    event = json_string_value(json_object_get(root, "Event"));
    if (event != NULL && strcmp(event, "s3:TestEvent") == 0) {
        ev->shape = "s3-test-event";
        return HOST_MSG_TEST_EVENT;
    }
    if (json_object_get(root, "Records") != NULL)
        return parse_records(root, ev, reason, reasonlen);
    if (json_object_get(root, "s3Key") != NULL || json_object_get(root, "bucket") != NULL)
        return parse_simple(root, ev, reason, reasonlen);
    snprintf(reason, reasonlen, "unknown message shape (no Records, no s3Key)");
    return HOST_MSG_POISON;
}

/* Loads TEXT (LEN bytes) as JSON; returns NULL with reason set. */
static json_t *load_json(const char *text, size_t len, const char *what, char *reason,
                         size_t reasonlen)
{
    json_error_t jerr;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);

    if (root == NULL)
        snprintf(reason, reasonlen, "%s is not JSON: %s", what, jerr.text);
    return root;
}

host_msg_kind_t host_message_parse(const char *body, size_t len, host_event_t *ev, char *reason,
                                   size_t reasonlen)
{
    json_t *root, *inner;
    const char *type;

    memset(ev, 0, sizeof(*ev));
    ev->size = -1;
    ev->kind = HOST_MSG_POISON;
    reason[0] = '\0';
    if (len == 0) {
        snprintf(reason, reasonlen, "empty body");
        return ev->kind;
    }
    if (len > HOST_MESSAGE_MAX_BYTES) {
        snprintf(reason, reasonlen, "body of %zu bytes exceeds %d", len, HOST_MESSAGE_MAX_BYTES);
        return ev->kind;
    }
    root = load_json(body, len, "body", reason, reasonlen);
    if (root == NULL)
        return ev->kind;
    type = json_string_value(json_object_get(root, "Type"));
    if (type != NULL && strcmp(type, "Notification") == 0) {
        json_t *msg = json_object_get(root, "Message");
        if (!json_is_string(msg)) {
            snprintf(reason, reasonlen, "SNS envelope without a Message string");
            json_decref(root);
            return ev->kind;
        }
        inner = load_json(json_string_value(msg), json_string_length(msg), "SNS Message", reason,
                          reasonlen);
        json_decref(root);
        if (inner == NULL)
            return ev->kind;
        root = inner;
        ev->sns_envelope = 1;
    }
    ev->kind = parse_root(root, ev, reason, reasonlen);
    json_decref(root);
    return ev->kind;
}

void host_event_free(host_event_t *ev)
{
    free(ev->bucket);
    free(ev->key);
    free(ev->etag);
    free(ev->image_id);
    free(ev->content_type);
    free(ev->sha256);
    free(ev->request_id);
    free(ev->user_id);
    memset(ev, 0, sizeof(*ev));
}
