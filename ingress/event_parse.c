/*
 * event_parse — the upload event read back: what ingress/event.c builds,
 * and a plain S3 event notification.  See event.h.
 */
#include "event.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "json_field.h"
#include "key_template.h"

/* Reads an ISO 8601 UTC time ("2024-05-01T12:00:00.123Z": S3's and the
 * module's eventTime; up to nine fractional digits, or an offset
 * "+02:00" instead of "Z") into *t.  Returns 0, or -1 when s is not one. */
static int event_time_parse(const char *s, struct timespec *t)
{
    static const char shape[] = "0000-00-00T00:00:00";
    struct tm tm;
    long ns = 0, scale = 100000000;
    int i, offset = 0;

    for (i = 0; shape[i] != '\0'; i++) {
        if (shape[i] == '0' ? !isdigit((unsigned char) s[i]) : s[i] != shape[i]) {
            return -1;
        }
    }
    memset(&tm, 0, sizeof(tm));
    if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
               &tm.tm_min, &tm.tm_sec)
            != 6
        || tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23
        || tm.tm_min > 59 || tm.tm_sec > 60) {
        return -1;
    }
    s += sizeof(shape) - 1;
    if (*s == '.') {
        if (!isdigit((unsigned char) s[1])) {
            return -1;
        }
        for (s++; isdigit((unsigned char) *s); s++, scale /= 10) {
            if (scale == 0) {
                return -1;
            }
            ns += (*s - '0') * scale;
        }
    }
    if ((s[0] == '+' || s[0] == '-') && isdigit((unsigned char) s[1])
        && isdigit((unsigned char) s[2]) && s[3] == ':' && isdigit((unsigned char) s[4])
        && isdigit((unsigned char) s[5]) && s[6] == '\0') {
        offset =
            ((s[1] - '0') * 10 + (s[2] - '0')) * 3600 + ((s[4] - '0') * 10 + (s[5] - '0')) * 60;
        offset = s[0] == '+' ? offset : -offset;
    } else if (strcmp(s, "Z") != 0) {
        return -1;
    }
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    t->tv_sec = timegm(&tm) - offset;
    t->tv_nsec = ns;
    return 0;
}

/* Reads Records[0] (rec, its s3.bucket and s3.object) into p. */
static int event_record(json_t *rec, json_t *bucket, json_t *object, ing_event_parsed_t *p,
                        char *err, size_t errlen)
{
    ing_event_t *ev = &p->event;
    const char *raw = NULL, *when = NULL;
    long long size = -1;
    json_t *etag, *name = json_object_get(bucket, "name");

    /* empty only in the local store without prism_bucket (checked once
     * prism.storage is read) */
    if (json_is_string(name) && json_string_length(name) == 0) {
        ev->bucket = "";
    } else if (ing_json_string(bucket, "name", "Records[0].s3.bucket.", 1, ING_EVENT_BUCKET_MAX,
                               &ev->bucket, err, errlen)) {
        return -1;
    }
    if (ing_json_string(object, "key", "Records[0].s3.object.", 1, 3 * ING_KEY_MAX, &raw, err,
                        errlen)) {
        return -1;
    }
    p->key = malloc(ING_KEY_MAX + 1);
    if (p->key == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (ing_event_key_decode(raw, p->key, ING_KEY_MAX + 1) <= 0) {
        snprintf(err, errlen, "Records[0].s3.object.key does not decode to a key of 1..%d bytes",
                 ING_KEY_MAX);
        return -1;
    }
    ev->key = p->key;
    if (ing_json_count(object, "size", "Records[0].s3.object.", &size, err, errlen)) {
        return -1;
    }
    p->size_known = size >= 0;
    ev->size = p->size_known ? (uint64_t) size : 0;

    /* the module's local store has no ETag: "" */
    etag = json_object_get(object, "eTag");
    if (json_is_string(etag) && json_string_length(etag) == 0) {
        ev->etag = "";
    } else if (ing_json_string(object, "eTag", "Records[0].s3.object.", 0, ING_EVENT_STRING_MAX,
                               &ev->etag, err, errlen)) {
        return -1;
    }

    if (ing_json_string(rec, "awsRegion", "Records[0].", 0, ING_EVENT_STRING_MAX, &ev->region, err,
                        errlen)
        || ing_json_string(json_object_get(rec, "requestParameters"), "sourceIPAddress",
                           "Records[0].requestParameters.", 0, ING_EVENT_STRING_MAX, &ev->source_ip,
                           err, errlen)
        || ing_json_string(rec, "eventTime", "Records[0].", 0, ING_EVENT_STRING_MAX, &when, err,
                           errlen)) {
        return -1;
    }
    if (when != NULL && event_time_parse(when, &ev->time) != 0) {
        snprintf(err, errlen, "Records[0].eventTime is not an ISO 8601 UTC time");
        return -1;
    }
    return 0;
}

/* Reads the "prism" object into p. */
static int event_prism(json_t *prism, ing_event_parsed_t *p, char *err, size_t errlen)
{
    ing_event_t *ev = &p->event;
    long long w = 0, h = 0;
    const char *storage;
    json_t *animated, *st;

    if (!json_is_object(prism)) {
        snprintf(err, errlen, "prism is not an object");
        return -1;
    }
    if (ing_json_string(prism, "imageId", "prism.", 0, ING_EVENT_STRING_MAX, &ev->image_id, err,
                        errlen)
        || ing_json_string(prism, "contentType", "prism.", 0, ING_EVENT_STRING_MAX,
                           &ev->content_type, err, errlen)
        || ing_json_string(prism, "sha256", "prism.", 0, ING_EVENT_STRING_MAX, &ev->sha256, err,
                           errlen)
        || ing_json_string(prism, "requestId", "prism.", 0, ING_EVENT_STRING_MAX, &ev->request_id,
                           err, errlen)
        || ing_json_string(prism, "userId", "prism.", 0, ING_EVENT_STRING_MAX, &ev->user_id, err,
                           errlen)
        || ing_json_count(prism, "width", "prism.", &w, err, errlen)
        || ing_json_count(prism, "height", "prism.", &h, err, errlen)) {
        return -1;
    }
    if (w > 1000000000LL || h > 1000000000LL) {
        snprintf(err, errlen, "prism.width/height out of range");
        return -1;
    }
    ev->width = (uint32_t) w;
    ev->height = (uint32_t) h;

    animated = json_object_get(prism, "animated");
    if (animated != NULL && !json_is_null(animated) && !json_is_boolean(animated)) {
        snprintf(err, errlen, "prism.animated is not true or false");
        return -1;
    }
    ev->animated = json_is_true(animated);

    st = json_object_get(prism, "storage");
    storage = json_string_value(st);
    if (st != NULL && !json_is_null(st)
        && (storage == NULL || (strcmp(storage, "s3") != 0 && strcmp(storage, "local") != 0))) {
        snprintf(err, errlen, "prism.storage is neither \"s3\" nor \"local\"");
        return -1;
    }
    ev->storage =
        storage != NULL && strcmp(storage, "local") == 0 ? ING_STORAGE_LOCAL : ING_STORAGE_S3;
    return ing_json_string(prism, "localPath", "prism.", 0, ING_EVENT_PATH_MAX, &ev->local_path,
                           err, errlen);
}

int ing_event_parse_doc(json_t *root, ing_event_parsed_t *p, char *err, size_t errlen)
{
    json_t *records, *rec, *s3, *bucket, *object, *prism;
    const char *source, *name;

    memset(p, 0, sizeof(*p));
    if (!json_is_object(root)) {
        snprintf(err, errlen, "the event is not a JSON object");
        return -1;
    }
    records = json_object_get(root, "Records");
    if (!json_is_array(records) || json_array_size(records) != 1) {
        snprintf(err, errlen, "Records must be an array of exactly one record");
        return -1;
    }
    rec = json_array_get(records, 0);
    source = json_string_value(json_object_get(rec, "eventSource"));
    name = json_string_value(json_object_get(rec, "eventName"));
    if (source == NULL || strcmp(source, "aws:s3") != 0) {
        snprintf(err, errlen, "Records[0].eventSource is not \"aws:s3\"");
        return -1;
    }
    if (name == NULL || strncmp(name, "ObjectCreated:", 14) != 0) {
        snprintf(err, errlen, "Records[0].eventName is not ObjectCreated:*");
        return -1;
    }
    s3 = json_object_get(rec, "s3");
    bucket = json_object_get(s3, "bucket");
    object = json_object_get(s3, "object");
    if (!json_is_object(bucket) || !json_is_object(object)) {
        snprintf(err, errlen, "Records[0].s3.bucket or .object missing");
        return -1;
    }

    p->doc = json_incref(root);
    prism = json_object_get(root, "prism");
    p->prism = prism != NULL;
    if (event_record(rec, bucket, object, p, err, errlen) != 0
        || (prism != NULL && event_prism(prism, p, err, errlen) != 0)) {
        ing_event_parsed_free(p);
        return -1;
    }
    if (p->event.bucket[0] == '\0' && p->event.storage != ING_STORAGE_LOCAL) {
        snprintf(err, errlen,
                 "Records[0].s3.bucket.name is not a non-empty string of at most %d bytes",
                 ING_EVENT_BUCKET_MAX);
        ing_event_parsed_free(p);
        return -1;
    }
    return 0;
}

int ing_event_parse(const char *text, size_t len, ing_event_parsed_t *p, char *err, size_t errlen)
{
    json_error_t jerr;
    json_t *root;
    int rc;

    memset(p, 0, sizeof(*p));
    root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (root == NULL) {
        snprintf(err, errlen, "the event is not JSON: %s", jerr.text);
        return -1;
    }
    rc = ing_event_parse_doc(root, p, err, errlen);
    json_decref(root);
    return rc;
}

void ing_event_parsed_free(ing_event_parsed_t *p)
{
    json_decref(p->doc);
    free(p->key);
    memset(p, 0, sizeof(*p));
}
