/*
 * event — the notification published to SNS for one stored upload.
 *
 * The message body is an Amazon S3 Event Notification, version 2.1 (the
 * structure documented in the S3 user guide, "Event message structure"),
 * so consumers written for the real S3 -> SNS -> SQS pipeline read it
 * unchanged, plus a "prism" object with what prism learned:
 *
 *   {"Records":[{"eventVersion":"2.1","eventSource":"aws:s3",
 *     "awsRegion":R,"eventTime":"2024-05-01T12:00:00.123Z",
 *     "eventName":"ObjectCreated:Put",
 *     "userIdentity":{"principalId":"prism"},
 *     "requestParameters":{"sourceIPAddress":IP},
 *     "responseElements":{"x-amz-request-id":REQUEST_ID},
 *     "s3":{"s3SchemaVersion":"1.0","configurationId":"prism",
 *       "bucket":{"name":B,"ownerIdentity":{"principalId":"prism"},
 *                 "arn":"arn:aws:s3:::B"},
 *       "object":{"key":URL-ENCODED KEY,"size":N,"eTag":HEX,
 *                 "sequencer":"0017CE1A2B3C4D5E6F"}}}],
 *    "prism":{"imageId","contentType","width","height","animated","sha256",
 *             "requestId","bucket","key" (raw),"storage":"s3"|"local",
 *             "localPath" (local storage only),
 *             "userId" (only when the upload names its user)}}
 *
 * As in real S3 events the object key is form-encoded: a space becomes
 * '+', '/' and A-Z a-z 0-9 - _ . * stay, every other byte (UTF-8 byte by
 * byte) becomes %XX.  "x-amz-id-2" (an S3 host id) and "versionId" are
 * left out: prism has neither.  The sequencer is the event time in
 * nanoseconds since the epoch as 18 upper-case hex digits, so events of
 * one key order like S3's.
 *
 * The SNS message attributes (for subscription filter policies) are
 * content_type (String), width, height, size (Number), animated (String
 * "true" / "false"), request_id (String) and, when the upload names its
 * user, user_id (String).
 *
 * This is the event's one home: the module builds it (ing_event_json),
 * prism-host reads it back (ing_event_parse, event_parse.c), both with
 * the key encoding below.  The bytes on the wire are a contract between
 * module and host versions running side by side: an older host must read
 * a newer module's event and the other way round, so a field is added,
 * never renamed or retyped (tests/unit/test_event_roundtrip.c pins them).
 */
#ifndef ING_EVENT_H
#define ING_EVENT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* The user metadata (x-amz-meta-prism-image-id) the ingress writes on an
 * S3 original: its image id, which prism-host checks a message's
 * imageId against before recording it. */
#define ING_META_IMAGE_ID "prism-image-id"

typedef enum { ING_STORAGE_S3 = 0, ING_STORAGE_LOCAL } ing_storage_t;

/* One stored upload.  Strings are NUL-terminated UTF-8; all are required
 * except local_path (required for, and only used with, local storage). */
typedef struct {
    const char *region; /* "us-east-1" */
    const char *bucket;
    const char *key;  /* the object key, raw */
    uint64_t size;    /* bytes stored */
    const char *etag; /* hex MD5, or S3's ETag (quotes are removed) */
    const char *image_id;
    const char *content_type; /* sniffed type, "image/jpeg" */
    uint32_t width;
    uint32_t height;
    int animated;       /* more than one frame (imageinfo's animated) */
    const char *sha256; /* lower-case hex */
    const char *request_id;
    const char *source_ip;
    ing_storage_t storage;
    const char *local_path;
    const char *user_id;  /* who uploaded it; NULL or "": nobody named */
    struct timespec time; /* when the original was stored */
} ing_event_t;

#define ING_EVENT_ATTRS_MAX 7

/* The longest user id an event carries, in bytes. */
#define ING_USER_ID_MAX    128
#define ING_ATTR_VALUE_MAX 256

/* One SNS message attribute; name and type are static strings. */
typedef struct {
    const char *name;
    const char *type; /* "String" or "Number" */
    char value[ING_ATTR_VALUE_MAX];
} ing_event_attr_t;

/* Checks a user id (len bytes at id) for the event: 1..ING_USER_ID_MAX
 * bytes of valid UTF-8 without control characters (SNS message attribute
 * values allow no control characters).  Returns 0, or -1 with err set. */
int ing_user_id_check(const char *id, size_t len, char *err, size_t errlen);

/* Checks that ev's required fields are set and every string is valid
 * UTF-8.  Returns 0, or -1 with err naming the first bad field. */
int ing_event_check(const ing_event_t *ev, char *err, size_t errlen);

/* Builds the SNS message body for ev: compact JSON, malloc()ed (free()
 * it).  Returns NULL with err set when a required field is missing, a
 * string is not valid UTF-8, or memory runs out. */
char *ing_event_json(const ing_event_t *ev, char *err, size_t errlen);

/* Returns the event message (as ing_event_json() made it) with its
 * Records[0].s3.object.eTag set to etag (without S3's quotes), compact
 * JSON, malloc()ed; or NULL with err set when message is not such an
 * event, etag is not UTF-8, or memory runs out.  The other fields keep
 * their order. */
char *ing_event_with_etag(const char *message, const char *etag, char *err, size_t errlen);

/* Fills out with ev's SNS message attributes, skipping string ones that
 * are empty (SNS refuses empty values).  Returns how many were written,
 * or -1 with err set when a value does not fit ING_ATTR_VALUE_MAX. */
int ing_event_attrs(const ing_event_t *ev, ing_event_attr_t out[ING_EVENT_ATTRS_MAX], char *err,
                    size_t errlen);

/* Returns the object key form-encoded as S3 events carry it ("a b/ü.jpg"
 * -> "a+b/%C3%BC.jpg"), malloc()ed, or NULL when memory runs out. */
char *ing_event_key_encode(const char *key);

/* Decodes a key as S3 events carry it: '+' becomes a space and %XX the
 * byte XX (a '%' without two hex digits is kept, as S3's own keys may
 * hold one).  Writes at most outlen - 1 bytes and a NUL into out.
 * Returns the decoded length, or -1 when it does not fit or decodes to a
 * NUL byte.  ing_event_key_decode(ing_event_key_encode(k)) is k. */
long ing_event_key_decode(const char *in, char *out, size_t outlen);

/* Writes t as ISO 8601 UTC with milliseconds ("2024-05-01T12:00:00.123Z")
 * into out, which must hold 25 bytes.  Returns 0, or -1 when t's year
 * does not fit four digits or tv_nsec is outside 0..999999999. */
int ing_event_time(const struct timespec *t, char out[25]);

/* ---- reading an event back (prism-host) ------------------------------------ */

struct json_t;

/* The longest bucket name, and the longest of the other strings, an
 * event read back may carry (image id, content type, ETag, ...); the
 * decoded key is 1..ING_KEY_MAX bytes (key_template.h), the local path
 * at most ING_EVENT_PATH_MAX. */
#define ING_EVENT_BUCKET_MAX 255
#define ING_EVENT_STRING_MAX 256
#define ING_EVENT_PATH_MAX   4096

/* An event read back.  event holds what it carries, strings valid until
 * ing_event_parsed_free(): NULL for a string it leaves out, 0 for a
 * number.  From Records[0]: region, bucket (s3.bucket.name), key
 * (s3.object.key, decoded), size, etag (may be "": the module's local
 * store has none), source_ip, time (eventTime, to the precision it has:
 * milliseconds in the module's events); from the "prism" object, when
 * there is one: image_id, content_type, width, height, animated, sha256,
 * request_id, storage, local_path, user_id.  prism.bucket and prism.key
 * repeat Records[0]'s and are not read. */
typedef struct {
    ing_event_t event;
    int prism;      /* 1: a prism event; 0: a plain S3 event notification */
    int size_known; /* Records[0].s3.object.size was there */
    void *doc;      /* the JSON the strings point into */
    char *key;      /* event.key, decoded */
} ing_event_parsed_t;

/* Reads an upload event: an S3 Event Notification with exactly one
 * record, eventSource "aws:s3", eventName "ObjectCreated:*", a bucket
 * name and a key, and, for a prism event, the "prism" object.  Fields
 * the reader does not know are ignored; a field it reads that is of the
 * wrong type or too long makes the event malformed.  ing_event_parse
 * takes len bytes of JSON text (need not be NUL-terminated),
 * ing_event_parse_doc an already decoded document (it keeps a reference).
 * Returns 0, or -1 with err naming the field ("Records[0].s3.object.key
 * missing", "prism.width is not a non-negative integer"); p then holds
 * nothing to free. */
int ing_event_parse(const char *text, size_t len, ing_event_parsed_t *p, char *err, size_t errlen);
int ing_event_parse_doc(struct json_t *root, ing_event_parsed_t *p, char *err, size_t errlen);

/* Releases what ing_event_parse() gave p and zeroes it. */
void ing_event_parsed_free(ing_event_parsed_t *p);

#endif
