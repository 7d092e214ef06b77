/*
 * message — recognise the message shapes prism-host accepts.
 * See message.h.
 */
#include "message.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

/* Strings longer than this in optional metadata fields are poison. */
#define META_MAX 256

/* Returns the value of hex digit C, or -1. */
static int
hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

long
host_s3_key_decode(const char *in, char *out, size_t outlen)
{
    size_t n = 0;

    for (const char *p = in; *p; p++) {
        char c = *p;
        if (c == '+') {
            c = ' ';
        } else if (c == '%' && hexval(p[1]) >= 0 && hexval(p[2]) >= 0) {
            c = (char) (hexval(p[1]) * 16 + hexval(p[2]));
            if (c == '\0')
                return -1;
            p += 2;
        }
        if (n + 1 >= outlen)
            return -1;
        out[n++] = c;
    }
    if (outlen == 0)
        return -1;
    out[n] = '\0';
    return (long) n;
}

/* Reads the string at OBJ.KEY into *out (a copy).  Returns 0 when it is
 * absent (and not required) or copied; -1 with reason set when it is
 * required and missing, not a string, empty, holds a NUL, or is longer
 * than MAX bytes.  WHERE names OBJ in the reason. */
static int
take_string(json_t *obj, const char *key, const char *where, int required, size_t max,
            char **out, char *reason, size_t reasonlen)
{
    json_t *v = json_object_get(obj, key);

    if (v == NULL || json_is_null(v)) {
        if (required) {
            snprintf(reason, reasonlen, "%s%s missing", where, key);
            return -1;
        }
        return 0;
    }
    if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) > max
        || strlen(json_string_value(v)) != json_string_length(v)) {
        snprintf(reason, reasonlen, "%s%s is not a non-empty string of at most %zu bytes",
                 where, key, max);
        return -1;
    }
    *out = strdup(json_string_value(v));
    if (*out == NULL) {
        snprintf(reason, reasonlen, "out of memory");
        return -1;
    }
    return 0;
}

/* Reads a non-negative integer at OBJ.KEY into *out, leaving it when
 * absent.  Returns 0, or -1 with reason set when it is not one. */
static int
take_count(json_t *obj, const char *key, const char *where, long long *out, char *reason,
           size_t reasonlen)
{
    json_t *v = json_object_get(obj, key);

    if (v == NULL || json_is_null(v))
        return 0;
    if (!json_is_integer(v) || json_integer_value(v) < 0) {
        snprintf(reason, reasonlen, "%s%s is not a non-negative integer", where, key);
        return -1;
    }
    *out = json_integer_value(v);
    return 0;
}

/* Reads the optional "prism" object of a prism event. */
static int
parse_prism_object(json_t *prism, host_event_t *ev, char *reason, size_t reasonlen)
{
    long long   w = 0, h = 0;
    json_t     *storage;

    if (!json_is_object(prism)) {
        snprintf(reason, reasonlen, "prism is not an object");
        return -1;
    }
    if (take_string(prism, "imageId", "prism.", 0, META_MAX, &ev->image_id, reason, reasonlen)
        || take_string(prism, "contentType", "prism.", 0, META_MAX, &ev->content_type, reason,
                       reasonlen)
        || take_string(prism, "sha256", "prism.", 0, META_MAX, &ev->sha256, reason, reasonlen)
        || take_string(prism, "requestId", "prism.", 0, META_MAX, &ev->request_id, reason,
                       reasonlen)
        || take_string(prism, "userId", "prism.", 0, META_MAX, &ev->user_id, reason,
                       reasonlen)
        || take_count(prism, "width", "prism.", &w, reason, reasonlen)
        || take_count(prism, "height", "prism.", &h, reason, reasonlen))
        return -1;
    if (w > 1000000000LL || h > 1000000000LL) {
        snprintf(reason, reasonlen, "prism.width/height out of range");
        return -1;
    }
    ev->width = (long) w;
    ev->height = (long) h;
    storage = json_object_get(prism, "storage");
    if (storage != NULL && !json_is_null(storage)) {
        const char *st = json_string_value(storage);
        if (st == NULL || (strcmp(st, "s3") != 0 && strcmp(st, "local") != 0)) {
            snprintf(reason, reasonlen, "prism.storage is neither \"s3\" nor \"local\"");
            return -1;
        }
        ev->storage_local = strcmp(st, "local") == 0;
    }
    return 0;
}

/* Decodes the S3-event key RAW into ev->key.  0, or -1 with reason and
 * ev->key NULL. */
static int
set_event_key(const char *raw, host_event_t *ev, char *reason, size_t reasonlen)
{
    ev->key = malloc(HOST_KEY_MAX + 1);
    if (ev->key == NULL) {
        snprintf(reason, reasonlen, "out of memory");
        return -1;
    }
    if (host_s3_key_decode(raw, ev->key, HOST_KEY_MAX + 1) <= 0) {
        free(ev->key);   /* partly written and unterminated: leave no key */
        ev->key = NULL;
        snprintf(reason, reasonlen, "Records[0].s3.object.key does not decode to a key of "
                 "1..%d bytes", HOST_KEY_MAX);
        return -1;
    }
    return 0;
}

/* Parses an S3 event notification (with Records) and the optional prism
 * object.  Returns the kind; reason is set for poison. */
static host_msg_kind_t
parse_records(json_t *root, host_event_t *ev, char *reason, size_t reasonlen)
{
    json_t     *records = json_object_get(root, "Records");
    json_t     *rec, *s3, *bucket, *object, *prism;
    const char *source, *name;
    char       *raw_key = NULL;
    int         rc;

    if (!json_is_array(records) || json_array_size(records) != 1) {
        snprintf(reason, reasonlen, "Records must be an array of exactly one record");
        return HOST_MSG_POISON;
    }
    rec = json_array_get(records, 0);
    source = json_string_value(json_object_get(rec, "eventSource"));
    name = json_string_value(json_object_get(rec, "eventName"));
    if (source == NULL || strcmp(source, "aws:s3") != 0) {
        snprintf(reason, reasonlen, "Records[0].eventSource is not \"aws:s3\"");
        return HOST_MSG_POISON;
    }
    if (name == NULL || strncmp(name, "ObjectCreated:", 14) != 0) {
        snprintf(reason, reasonlen, "Records[0].eventName is not ObjectCreated:*");
        return HOST_MSG_POISON;
    }
    s3 = json_object_get(rec, "s3");
    bucket = json_object_get(s3, "bucket");
    object = json_object_get(s3, "object");
    if (!json_is_object(bucket) || !json_is_object(object)) {
        snprintf(reason, reasonlen, "Records[0].s3.bucket or .object missing");
        return HOST_MSG_POISON;
    }
    if (take_string(bucket, "name", "Records[0].s3.bucket.", 1, 255, &ev->bucket, reason,
                    reasonlen)
        || take_string(object, "key", "Records[0].s3.object.", 1, 3 * HOST_KEY_MAX, &raw_key,
                       reason, reasonlen))
        return HOST_MSG_POISON;
    rc = set_event_key(raw_key, ev, reason, reasonlen);
    free(raw_key);
    if (rc != 0
        || take_count(object, "size", "Records[0].s3.object.", &ev->size, reason, reasonlen)
        || take_string(object, "eTag", "Records[0].s3.object.", 0, META_MAX, &ev->etag, reason,
                       reasonlen))
        return HOST_MSG_POISON;
    prism = json_object_get(root, "prism");
    ev->shape = prism != NULL ? "prism-event" : "s3-event";
    if (prism != NULL && parse_prism_object(prism, ev, reason, reasonlen) != 0)
        return HOST_MSG_POISON;
    return HOST_MSG_IMAGE;
}

/* Parses {"bucket", "s3Key", "imageId"}.  Returns the kind. */
static host_msg_kind_t
parse_simple(json_t *root, host_event_t *ev, char *reason, size_t reasonlen)
{
    ev->shape = "simple";
    if (take_string(root, "bucket", "", 1, 255, &ev->bucket, reason, reasonlen)
        || take_string(root, "s3Key", "", 1, HOST_KEY_MAX, &ev->key, reason, reasonlen)
        || take_string(root, "imageId", "", 0, META_MAX, &ev->image_id, reason, reasonlen))
        return HOST_MSG_POISON;
    return HOST_MSG_IMAGE;
}

/* Classifies a decoded body (after unwrapping SNS). */
static host_msg_kind_t
parse_root(json_t *root, host_event_t *ev, char *reason, size_t reasonlen)
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
static json_t *
load_json(const char *text, size_t len, const char *what, char *reason, size_t reasonlen)
{
    json_error_t jerr;
    json_t      *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);

    if (root == NULL)
        snprintf(reason, reasonlen, "%s is not JSON: %s", what, jerr.text);
    return root;
}

host_msg_kind_t
host_message_parse(const char *body, size_t len, host_event_t *ev, char *reason,
                   size_t reasonlen)
{
    json_t     *root, *inner;
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
        inner = load_json(json_string_value(msg), json_string_length(msg), "SNS Message",
                          reason, reasonlen);
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

void
host_event_free(host_event_t *ev)
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
