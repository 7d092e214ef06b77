/*
 * event — the S3-event-shaped SNS message and its attributes.
 * See event.h.
 */
#include "event.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "uri.h"
#include "utf8.h"

#define EVENT_PRINCIPAL "prism"

int ing_event_check(const ing_event_t *ev, char *err, size_t errlen)
{
    const struct {
        const char *name;
        const char *value;
    } fields[] = {
        { "region", ev->region },
        { "bucket", ev->bucket },
        { "key", ev->key },
        { "etag", ev->etag },
        { "image_id", ev->image_id },
        { "content_type", ev->content_type },
        { "sha256", ev->sha256 },
        { "request_id", ev->request_id },
        { "source_ip", ev->source_ip },
        { "local_path", ev->storage == ING_STORAGE_LOCAL ? ev->local_path : "" },
        { "user_id", ev->user_id != NULL ? ev->user_id : "" },
    };
    size_t i;

    for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        if (fields[i].value == NULL) {
            snprintf(err, errlen, "event: %s is missing", fields[i].name);
            return -1;
        }
        if (!ing_utf8_valid(fields[i].value, strlen(fields[i].value))) {
            snprintf(err, errlen, "event: %s is not valid UTF-8", fields[i].name);
            return -1;
        }
    }
    return 0;
}

int ing_event_time(const struct timespec *t, char out[25])
{
    struct tm tm;

    if (t->tv_nsec < 0 || t->tv_nsec >= 1000000000 || gmtime_r(&t->tv_sec, &tm) == NULL
        || tm.tm_year + 1900 > 9999 || tm.tm_year < -1900) {
        return -1;
    }
    strftime(out, 20, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + 19, 6, ".%03uZ", (unsigned) (t->tv_nsec / 1000000) % 1000u);
    return 0;
}

char *ing_event_key_encode(const char *key)
{
    static const char hex[] = "0123456789ABCDEF";
    const unsigned char *s;
    char *out, *o;
    size_t len = strlen(key);

    if (len > ((size_t) -1 - 1) / 3) {
        return NULL;
    }
    out = malloc(3 * len + 1);
    if (out == NULL) {
        return NULL;
    }
    for (s = (const unsigned char *) key, o = out; *s != '\0'; s++) {
        if ((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9')
            || strchr("-_.*/", *s) != NULL) {
            *o++ = (char) *s;
        } else if (*s == ' ') {
            *o++ = '+';
        } else {
            *o++ = '%';
            *o++ = hex[*s >> 4];
            *o++ = hex[*s & 0x0f];
        }
    }
    *o = '\0';
    return out;
}

long ing_event_key_decode(const char *in, char *out, size_t outlen)
{
    aws_buf_t buf = AWS_BUF_INIT;
    char *spaced, *p;
    size_t len = strlen(in);
    long n = -1;

    /* a '+' is a space: a '+' of the key itself came as %2B */
    spaced = strdup(in);
    if (spaced == NULL) {
        return -1;
    }
    for (p = spaced; *p != '\0'; p++) {
        if (*p == '+') {
            *p = ' ';
        }
    }
    if (aws_uri_decode(&buf, spaced, len) == 0 && buf.len < outlen
        && (buf.len == 0 || memchr(buf.data, '\0', buf.len) == NULL)) {
        if (buf.len > 0) {
            memcpy(out, buf.data, buf.len);
        }
        out[buf.len] = '\0';
        n = (long) buf.len;
    }
    free(spaced);
    aws_buf_free(&buf);
    return n;
}

/* S3's ETag without its quotes: returns where it starts, its length in *len. */
static const char *event_etag_unquote(const char *etag, size_t *len)
{
    *len = strlen(etag);
    if (*len >= 2 && etag[0] == '"' && etag[*len - 1] == '"') {
        *len -= 2;
        return etag + 1;
    }
    return etag;
}

char *ing_event_json(const ing_event_t *ev, char *err, size_t errlen)
{
    json_t *root;
    json_error_t jerr;
    char when[25], seq[19], *key, *text;
    const char *etag;
    size_t etag_len;
    uint64_t ns;

    if (ing_event_check(ev, err, errlen) != 0) {
        return NULL;
    }
    if (ing_event_time(&ev->time, when) != 0 || ev->time.tv_sec < 0) {
        snprintf(err, errlen, "event: time out of range");
        return NULL;
    }
    ns = (uint64_t) ev->time.tv_sec * 1000000000u + (uint64_t) ev->time.tv_nsec;
    snprintf(seq, sizeof(seq), "%018" PRIX64, ns);

    etag = event_etag_unquote(ev->etag, &etag_len);

    key = ing_event_key_encode(ev->key);
    if (key == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }

    root = json_pack_ex(
        &jerr, 0,
        "{s:[{s:s, s:s, s:s, s:s, s:s, s:{s:s}, s:{s:s}, s:{s:s},"
        "     s:{s:s, s:s, s:{s:s, s:{s:s}, s:s+}, s:{s:s, s:I, s:s#, s:s}}}],"
        " s:{s:s, s:s, s:I, s:I, s:b, s:s, s:s, s:s, s:s, s:s, s:s*, s:s*}}",
        "Records", "eventVersion", "2.1", "eventSource", "aws:s3", "awsRegion", ev->region,
        "eventTime", when, "eventName", "ObjectCreated:Put", "userIdentity", "principalId",
        EVENT_PRINCIPAL, "requestParameters", "sourceIPAddress", ev->source_ip, "responseElements",
        "x-amz-request-id", ev->request_id, "s3", "s3SchemaVersion", "1.0", "configurationId",
        EVENT_PRINCIPAL, "bucket", "name", ev->bucket, "ownerIdentity", "principalId",
        EVENT_PRINCIPAL, "arn", "arn:aws:s3:::", ev->bucket, "object", "key", key, "size",
        (json_int_t) ev->size, "eTag", etag, (int) etag_len, "sequencer", seq, "prism", "imageId",
        ev->image_id, "contentType", ev->content_type, "width", (json_int_t) ev->width, "height",
        (json_int_t) ev->height, "animated", ev->animated != 0, "sha256", ev->sha256, "requestId",
        ev->request_id, "bucket", ev->bucket, "key", ev->key, "storage",
        ev->storage == ING_STORAGE_LOCAL ? "local" : "s3", "localPath",
        ev->storage == ING_STORAGE_LOCAL ? ev->local_path : NULL, "userId",
        ev->user_id != NULL && ev->user_id[0] != '\0' ? ev->user_id : NULL);
    free(key);
    if (root == NULL) {
        snprintf(err, errlen, "event: cannot build JSON: %s", jerr.text);
        return NULL;
    }
    text = json_dumps(root, JSON_COMPACT);
    json_decref(root);
    if (text == NULL) {
        snprintf(err, errlen, "out of memory");
    }
    return text;
}

/* Writes one attribute into *a.  Returns 0, or -1 with err set when the
 * value does not fit. */
static int event_attr(ing_event_attr_t *a, const char *name, const char *type, const char *value,
                      char *err, size_t errlen)
{
    size_t len = strlen(value);

    if (len >= sizeof(a->value)) {
        snprintf(err, errlen, "message attribute %s longer than %d bytes", name,
                 ING_ATTR_VALUE_MAX - 1);
        return -1;
    }
    a->name = name;
    a->type = type;
    memcpy(a->value, value, len + 1);
    return 0;
}

int ing_user_id_check(const char *id, size_t len, char *err, size_t errlen)
{
    size_t i;

    if (len == 0 || len > ING_USER_ID_MAX) {
        snprintf(err, errlen, "the user id is empty or longer than %d bytes", ING_USER_ID_MAX);
        return -1;
    }
    if (!ing_utf8_valid(id, len)) {
        snprintf(err, errlen, "the user id is not valid UTF-8");
        return -1;
    }
    for (i = 0; i < len; i++) {
        if ((unsigned char) id[i] < 0x20 || id[i] == 0x7f) {
            snprintf(err, errlen, "the user id holds a control character (0x%02x)",
                     (unsigned char) id[i]);
            return -1;
        }
    }
    return 0;
}

int ing_event_attrs(const ing_event_t *ev, ing_event_attr_t out[ING_EVENT_ATTRS_MAX], char *err,
                    size_t errlen)
{
    char width[16], height[16], size[24];
    int n = 0;

    snprintf(width, sizeof(width), "%" PRIu32, ev->width);
    snprintf(height, sizeof(height), "%" PRIu32, ev->height);
    snprintf(size, sizeof(size), "%" PRIu64, ev->size);

    if (ev->content_type != NULL && ev->content_type[0] != '\0') {
        if (event_attr(&out[n++], "content_type", "String", ev->content_type, err, errlen) != 0) {
            return -1;
        }
    }
    if (event_attr(&out[n++], "width", "Number", width, err, errlen) != 0
        || event_attr(&out[n++], "height", "Number", height, err, errlen) != 0
        || event_attr(&out[n++], "size", "Number", size, err, errlen) != 0
        || event_attr(&out[n++], "animated", "String", ev->animated ? "true" : "false", err, errlen)
               != 0) {
        return -1;
    }
    if (ev->request_id != NULL && ev->request_id[0] != '\0') {
        if (event_attr(&out[n++], "request_id", "String", ev->request_id, err, errlen) != 0) {
            return -1;
        }
    }
    if (ev->user_id != NULL && ev->user_id[0] != '\0') {
        if (event_attr(&out[n++], "user_id", "String", ev->user_id, err, errlen) != 0) {
            return -1;
        }
    }
    return n;
}

char *ing_event_with_etag(const char *message, const char *etag, char *err, size_t errlen)
{
    json_t *root, *object;
    json_error_t jerr;
    const char *bare;
    size_t len;
    char *text;

    root = json_loads(message, 0, &jerr);
    if (root == NULL) {
        snprintf(err, errlen, "event: not JSON: %s", jerr.text);
        return NULL;
    }

    /* Records[0].s3.object */
    object = json_array_get(json_object_get(root, "Records"), 0);
    object = json_object_get(json_object_get(object, "s3"), "object");
    if (!json_is_object(object)) {
        json_decref(root);
        snprintf(err, errlen, "event: no Records[0].s3.object");
        return NULL;
    }

    bare = event_etag_unquote(etag, &len);
    text = NULL;
    if (json_object_set_new(object, "eTag", json_stringn(bare, len)) == 0) {
        text = json_dumps(root, JSON_COMPACT);
    }
    json_decref(root);
    if (text == NULL) {
        snprintf(err, errlen, "event: the ETag is not UTF-8, or out of memory");
    }
    return text;
}
