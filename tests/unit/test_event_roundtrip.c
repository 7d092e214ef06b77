/*
 * test_event_roundtrip — the upload event's one home (ingress/event.c
 * builds it, ingress/event_parse.c reads it back): events built, parsed
 * back and compared field by field, awkward keys through the key
 * encoding and back, malformed events refused with an error naming the
 * field, and the bytes on the wire pinned.
 *
 * Compatibility.  The module and prism-host are upgraded one at a time,
 * so an older host reads a newer module's events and a newer host an
 * older module's.  GOLDEN_S3 and GOLDEN_LOCAL below are the bytes the
 * module publishes: a change to the builder that alters them changes
 * what older hosts receive, and must stay readable by them (add fields;
 * never rename, retype or drop one).  Both must also parse here: that is
 * the newer host reading an older module.  (A host before this reader
 * refused the local store's empty eTag, so a local-store event never
 * reached its plugin there; this reader accepts it.)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "event.h"
#include "key_template.h"

#define SHA "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
#define ID  "0194bd2c-5e6f-7a1b-8c2d-3e4f5a6b7c8d"
#define RID "9f2c4e1a7b3d5f60718293a4b5c6d7e8"

/* The event of sample_event(), as the module publishes it. */
#define GOLDEN_S3                                                                                  \
    "{\"Records\":[{\"eventVersion\":\"2.1\",\"eventSource\":\"aws:s3\",\"awsRegion\":"            \
    "\"eu-west-1\",\"eventTime\":\"2024-05-01T12:00:00.123Z\",\"eventName\":"                      \
    "\"ObjectCreated:Put\",\"userIdentity\":{\"principalId\":\"prism\"},\"requestParameters\":"    \
    "{\"sourceIPAddress\":\"203.0.113.7\"},\"responseElements\":{\"x-amz-request-id\":\"" RID      \
    "\"},\"s3\":{\"s3SchemaVersion\":\"1.0\",\"configurationId\":\"prism\",\"bucket\":{\"name\":"  \
    "\"prism-ingest\",\"ownerIdentity\":{\"principalId\":\"prism\"},\"arn\":"                      \
    "\"arn:aws:s3:::prism-ingest\"},\"object\":{\"key\":"                                          \
    "\"originals/2024/05/01/my+photo%2B1%3D100%25.jpg\",\"size\":183211,\"eTag\":"                 \
    "\"c03ab8d3a17ab0825c738a60411a590f\",\"sequencer\":\"0017CB5B99FFBF4D15\"}}}],"               \
    "\"prism\":{\"imageId\":\"" ID "\",\"contentType\":\"image/jpeg\",\"width\":2560,"             \
    "\"height\":1600,\"animated\":false,\"sha256\":\"" SHA "\",\"requestId\":\"" RID "\","         \
    "\"bucket\":\"prism-ingest\",\"key\":\"originals/2024/05/01/my photo+1=100%.jpg\","            \
    "\"storage\":\"s3\",\"userId\":\"ann\"}}"

/* The same upload in the local store: no ETag, a local path, animated,
 * nobody named. */
#define GOLDEN_LOCAL                                                                               \
    "{\"Records\":[{\"eventVersion\":\"2.1\",\"eventSource\":\"aws:s3\",\"awsRegion\":"            \
    "\"eu-west-1\",\"eventTime\":\"2024-05-01T12:00:00.123Z\",\"eventName\":"                      \
    "\"ObjectCreated:Put\",\"userIdentity\":{\"principalId\":\"prism\"},\"requestParameters\":"    \
    "{\"sourceIPAddress\":\"203.0.113.7\"},\"responseElements\":{\"x-amz-request-id\":\"" RID      \
    "\"},\"s3\":{\"s3SchemaVersion\":\"1.0\",\"configurationId\":\"prism\",\"bucket\":{\"name\":"  \
    "\"prism-ingest\",\"ownerIdentity\":{\"principalId\":\"prism\"},\"arn\":"                      \
    "\"arn:aws:s3:::prism-ingest\"},\"object\":{\"key\":"                                          \
    "\"originals/2024/05/01/my+photo%2B1%3D100%25.jpg\",\"size\":183211,\"eTag\":\"\","            \
    "\"sequencer\":\"0017CB5B99FFBF4D15\"}}}],"                                                    \
    "\"prism\":{\"imageId\":\"" ID "\",\"contentType\":\"image/jpeg\",\"width\":2560,"             \
    "\"height\":1600,\"animated\":true,\"sha256\":\"" SHA "\",\"requestId\":\"" RID "\","          \
    "\"bucket\":\"prism-ingest\",\"key\":\"originals/2024/05/01/my photo+1=100%.jpg\","            \
    "\"storage\":\"local\",\"localPath\":\"/var/lib/prism/originals/2024/05/01/x.jpg\"}}"

/* An upload to S3 at 2024-05-01T12:00:00.123456789Z. */
static ing_event_t sample_event(void)
{
    ing_event_t ev;

    memset(&ev, 0, sizeof(ev));
    ev.region = "eu-west-1";
    ev.bucket = "prism-ingest";
    ev.key = "originals/2024/05/01/my photo+1=100%.jpg";
    ev.size = 183211;
    ev.etag = "\"c03ab8d3a17ab0825c738a60411a590f\"";
    ev.image_id = ID;
    ev.content_type = "image/jpeg";
    ev.width = 2560;
    ev.height = 1600;
    ev.sha256 = SHA;
    ev.request_id = RID;
    ev.source_ip = "203.0.113.7";
    ev.storage = ING_STORAGE_S3;
    ev.user_id = "ann";
    ev.time.tv_sec = 1714564800;
    ev.time.tv_nsec = 123456789;
    return ev;
}

/* sample_event() in the local store. */
static ing_event_t sample_local(void)
{
    ing_event_t ev = sample_event();

    ev.storage = ING_STORAGE_LOCAL;
    ev.local_path = "/var/lib/prism/originals/2024/05/01/x.jpg";
    ev.etag = "";
    ev.user_id = NULL;
    ev.animated = 1;
    return ev;
}

/* Whether two optional strings say the same: NULL and "" both say nothing. */
static int same_opt(const char *a, const char *b)
{
    return strcmp(a != NULL ? a : "", b != NULL ? b : "") == 0;
}

/* Builds ev, parses it back into *p (the caller frees it) and checks
 * that every field came back: the time to the millisecond (what
 * eventTime carries), the ETag without S3's quotes. */
static void round_trip(const ing_event_t *ev, ing_event_parsed_t *p)
{
    const ing_event_t *got = &p->event;
    char err[256] = "", *text, etag[128];
    size_t len;

    text = ing_event_json(ev, err, sizeof(err));
    if (text == NULL) {
        fail_msg("build: %s", err);
    }
    if (ing_event_parse(text, strlen(text), p, err, sizeof(err)) != 0) {
        fail_msg("parse: %s (%s)", err, text);
    }
    free(text);

    len = strlen(ev->etag);
    if (len >= 2 && ev->etag[0] == '"' && ev->etag[len - 1] == '"') {
        snprintf(etag, sizeof(etag), "%.*s", (int) len - 2, ev->etag + 1);
    } else {
        snprintf(etag, sizeof(etag), "%s", ev->etag);
    }

    assert_int_equal(p->prism, 1);
    assert_int_equal(p->size_known, 1);
    assert_string_equal(got->region, ev->region);
    assert_string_equal(got->bucket, ev->bucket);
    assert_string_equal(got->key, ev->key);
    assert_true(got->size == ev->size);
    assert_string_equal(got->etag, etag);
    assert_string_equal(got->image_id, ev->image_id);
    assert_string_equal(got->content_type, ev->content_type);
    assert_int_equal(got->width, ev->width);
    assert_int_equal(got->height, ev->height);
    assert_int_equal(got->animated, ev->animated != 0);
    assert_string_equal(got->sha256, ev->sha256);
    assert_string_equal(got->request_id, ev->request_id);
    assert_string_equal(got->source_ip, ev->source_ip);
    assert_int_equal(got->storage, ev->storage);
    if (ev->storage == ING_STORAGE_LOCAL) {
        assert_string_equal(got->local_path, ev->local_path);
    } else {
        assert_null(got->local_path);
    }
    assert_true(same_opt(got->user_id, ev->user_id));
    assert_true(got->time.tv_sec == ev->time.tv_sec);
    assert_true(got->time.tv_nsec == ev->time.tv_nsec / 1000000 * 1000000);
}

static void test_round_trip(void **state)
{
    ing_event_t ev = sample_event();
    ing_event_parsed_t p;

    (void) state;
    round_trip(&ev, &p);
    assert_non_null(p.doc);
    ing_event_parsed_free(&p);
    assert_null(p.doc);
    assert_null(p.key);
    assert_null(p.event.key);

    /* nobody named, no size, an unquoted ETag, sizes over 4 GiB */
    ev.user_id = "";
    ev.etag = "d41d8cd98f00b204e9800998ecf8427e";
    ev.size = 5000000000ull;
    ev.width = ev.height = 0;
    round_trip(&ev, &p);
    assert_null(p.event.user_id);
    ing_event_parsed_free(&p);

    /* the local store */
    ev = sample_local();
    round_trip(&ev, &p);
    assert_string_equal(p.event.etag, "");
    ing_event_parsed_free(&p);

    /* the local store without prism_bucket: the module publishes an empty
     * bucket name, which only a local-store event may have */
    ev = sample_local();
    ev.bucket = "";
    round_trip(&ev, &p);
    assert_string_equal(p.event.bucket, "");
    ing_event_parsed_free(&p);

    /* the epoch, and the last time four digits hold */
    ev = sample_event();
    ev.time.tv_sec = 0;
    ev.time.tv_nsec = 0;
    round_trip(&ev, &p);
    ing_event_parsed_free(&p);
    ev.time.tv_sec = 253402300799;
    ev.time.tv_nsec = 999999999;
    round_trip(&ev, &p);
    ing_event_parsed_free(&p);
}

/* Keys that S3's form encoding must carry through unchanged. */
static void test_awkward_keys(void **state)
{
    static const struct {
        const char *key;
        const char *encoded; /* Records[0].s3.object.key */
    } keys[] = {
        { "a b", "a+b" },
        { " lead and trail ", "+lead+and+trail+" },
        { "x+y", "x%2By" },
        { "a+b c", "a%2Bb+c" },
        { "100%", "100%25" },
        { "100%25", "100%2525" },
        { "%2B%20%", "%252B%2520%25" },
        { "%zz", "%25zz" },
        { "\xc3\xbc/\xe6\x97\xa5\xe6\x9c\xac.png", "%C3%BC/%E6%97%A5%E6%9C%AC.png" },
        { "emoji \xf0\x9f\x98\x80.jpg", "emoji+%F0%9F%98%80.jpg" },
        { "q?a=1&b=2#frag", "q%3Fa%3D1%26b%3D2%23frag" },
        { "tab\there\nnew", "tab%09here%0Anew" },
        { "quote\"back\\slash", "quote%22back%5Cslash" },
        { "~!*'();:@$,[]", "%7E%21*%27%28%29%3B%3A%40%24%2C%5B%5D" },
        { "dir/.hidden/-_.*", "dir/.hidden/-_.*" },
    };
    ing_event_t ev = sample_event();
    ing_event_parsed_t p;
    char err[256], *text;
    json_t *doc;
    size_t i;

    (void) state;
    for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        ev.key = keys[i].key;
        text = ing_event_json(&ev, err, sizeof(err));
        assert_non_null(text);
        doc = json_loads(text, 0, NULL);
        assert_non_null(doc);
        assert_string_equal(
            json_string_value(json_object_get(
                json_object_get(
                    json_object_get(json_array_get(json_object_get(doc, "Records"), 0), "s3"),
                    "object"),
                "key")),
            keys[i].encoded);
        json_decref(doc);
        free(text);

        round_trip(&ev, &p);
        ing_event_parsed_free(&p);
    }
}

/* Encoding then decoding any byte string without a NUL is the identity. */
static void test_key_encode_decode(void **state)
{
    char key[256], one[2], *enc, out[3 * 256 + 1];
    int c;
    size_t i;

    (void) state;
    for (c = 1; c < 256; c++) {
        one[0] = (char) c;
        one[1] = '\0';
        enc = ing_event_key_encode(one);
        assert_non_null(enc);
        assert_int_equal(ing_event_key_decode(enc, out, sizeof(out)), 1);
        assert_int_equal((unsigned char) out[0], c);
        free(enc);
    }
    for (i = 0; i < 255; i++) {
        key[i] = (char) (255 - i);
    }
    key[255] = '\0';
    enc = ing_event_key_encode(key);
    assert_non_null(enc);
    assert_int_equal(ing_event_key_decode(enc, out, sizeof(out)), 255);
    assert_memory_equal(out, key, 256);
    free(enc);
}

/* How S3's own keys decode (a '%' without two hex digits stays), and
 * the bounds. */
static void test_key_decode(void **state)
{
    char out[16];

    (void) state;
    assert_int_equal(ing_event_key_decode("a+b", out, sizeof(out)), 3);
    assert_string_equal(out, "a b");
    assert_int_equal(ing_event_key_decode("%41%2b%2F", out, sizeof(out)), 3);
    assert_string_equal(out, "A+/");
    assert_int_equal(ing_event_key_decode("100%", out, sizeof(out)), 4);
    assert_string_equal(out, "100%");
    assert_int_equal(ing_event_key_decode("%zz%4", out, sizeof(out)), 5);
    assert_string_equal(out, "%zz%4");
    assert_int_equal(ing_event_key_decode("%00", out, sizeof(out)), -1);
    assert_int_equal(ing_event_key_decode("0123456789abcdef", out, sizeof(out)), -1);
    assert_int_equal(ing_event_key_decode("0123456789abcde", out, sizeof(out)), 15);
    assert_int_equal(ing_event_key_decode("", out, sizeof(out)), 0);
    assert_int_equal(ing_event_key_decode("", out, 0), -1);
}

/* The wire bytes are pinned (see the top of the file), and read back. */
static void test_golden(void **state)
{
    ing_event_t ev = sample_event();
    ing_event_parsed_t p;
    char err[256], *text;

    (void) state;
    text = ing_event_json(&ev, err, sizeof(err));
    assert_non_null(text);
    assert_string_equal(text, GOLDEN_S3);
    free(text);
    ev = sample_local();
    text = ing_event_json(&ev, err, sizeof(err));
    assert_non_null(text);
    assert_string_equal(text, GOLDEN_LOCAL);
    free(text);

    assert_int_equal(ing_event_parse(GOLDEN_S3, strlen(GOLDEN_S3), &p, err, sizeof(err)), 0);
    assert_string_equal(p.event.key, "originals/2024/05/01/my photo+1=100%.jpg");
    assert_string_equal(p.event.user_id, "ann");
    ing_event_parsed_free(&p);
    assert_int_equal(ing_event_parse(GOLDEN_LOCAL, strlen(GOLDEN_LOCAL), &p, err, sizeof(err)), 0);
    assert_int_equal(p.event.storage, ING_STORAGE_LOCAL);
    ing_event_parsed_free(&p);
}

/* A newer module's event with fields this reader does not know, and an
 * older one's without those it added since (animated, userId, localPath,
 * the record's optional parts), both read. */
static void test_other_versions(void **state)
{
    static const char older[] =
        "{\"Records\":[{\"eventVersion\":\"2.1\",\"eventSource\":\"aws:s3\","
        "\"eventName\":\"ObjectCreated:Put\",\"s3\":{\"bucket\":{\"name\":\"b\"},"
        "\"object\":{\"key\":\"a+b.jpg\",\"size\":3,\"eTag\":\"e\"}}}],"
        "\"prism\":{\"imageId\":\"i\",\"contentType\":\"image/jpeg\",\"width\":4,\"height\":3,"
        "\"sha256\":\"ab\",\"requestId\":\"r\",\"bucket\":\"b\",\"key\":\"a b.jpg\"}}";
    ing_event_t ev = sample_event();
    ing_event_parsed_t p;
    char err[256], *text;
    json_t *doc;

    (void) state;
    text = ing_event_json(&ev, err, sizeof(err));
    doc = json_loads(text, 0, NULL);
    free(text);
    assert_non_null(doc);
    json_object_set_new(json_object_get(doc, "prism"), "orientation", json_integer(6));
    json_object_set_new(json_object_get(doc, "prism"), "exif", json_pack("{s:s}", "make", "X"));
    json_object_set_new(json_array_get(json_object_get(doc, "Records"), 0), "glacierEventData",
                        json_object());
    text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    assert_int_equal(ing_event_parse(text, strlen(text), &p, err, sizeof(err)), 0);
    assert_string_equal(p.event.key, ev.key);
    ing_event_parsed_free(&p);
    free(text);

    assert_int_equal(ing_event_parse(older, strlen(older), &p, err, sizeof(err)), 0);
    assert_string_equal(p.event.key, "a b.jpg");
    assert_null(p.event.region);
    assert_null(p.event.source_ip);
    assert_null(p.event.user_id);
    assert_null(p.event.local_path);
    assert_int_equal(p.event.animated, 0);
    assert_int_equal(p.event.storage, ING_STORAGE_S3);
    assert_true(p.event.time.tv_sec == 0);
    ing_event_parsed_free(&p);
}

/* A real S3 event notification (the S3 user guide's example): no prism
 * object, so only the record's fields. */
static void test_s3_event(void **state)
{
    static const char text[] =
        "{\"Records\":[{\"eventVersion\":\"2.1\",\"eventSource\":\"aws:s3\",\"awsRegion\":"
        "\"us-west-2\",\"eventTime\":\"1970-01-01T00:00:00.000Z\",\"eventName\":"
        "\"ObjectCreated:Put\",\"userIdentity\":{\"principalId\":\"AIDAJDPLRKLG7UEXAMPLE\"},"
        "\"requestParameters\":{\"sourceIPAddress\":\"172.16.0.1\"},\"responseElements\":"
        "{\"x-amz-request-id\":\"C3D13FE58DE4C810\",\"x-amz-id-2\":"
        "\"FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5JgHvANOjpD\"},\"s3\":"
        "{\"s3SchemaVersion\":\"1.0\",\"configurationId\":\"testConfigRule\",\"bucket\":"
        "{\"name\":\"amzn-s3-demo-bucket\",\"ownerIdentity\":{\"principalId\":"
        "\"A3NL1KOZZKExample\"},"
        "\"arn\":\"arn:aws:s3:::amzn-s3-demo-bucket\"},\"object\":{\"key\":\"HappyFace.jpg\","
        "\"size\":1024,\"eTag\":\"d41d8cd98f00b204e9800998ecf8427e\",\"versionId\":"
        "\"096fKKXTRTtl3on89fVO.nfljtsv6qko\",\"sequencer\":\"0055AED6DCD90281E5\"}}}]}";
    ing_event_parsed_t p;
    char err[256];

    (void) state;
    assert_int_equal(ing_event_parse(text, strlen(text), &p, err, sizeof(err)), 0);
    assert_int_equal(p.prism, 0);
    assert_string_equal(p.event.region, "us-west-2");
    assert_string_equal(p.event.bucket, "amzn-s3-demo-bucket");
    assert_string_equal(p.event.key, "HappyFace.jpg");
    assert_true(p.event.size == 1024);
    assert_string_equal(p.event.etag, "d41d8cd98f00b204e9800998ecf8427e");
    assert_string_equal(p.event.source_ip, "172.16.0.1");
    assert_null(p.event.image_id);
    assert_null(p.event.request_id);
    ing_event_parsed_free(&p);
}

/* eventTime as S3 and S3-compatible services write it. */
static void test_event_times(void **state)
{
    static const struct {
        const char *when;
        long long sec;
        long nsec;
    } ok[] = {
        { "2024-05-01T12:00:00.123Z", 1714564800, 123000000 },
        { "2024-05-01T12:00:00Z", 1714564800, 0 },
        { "2024-05-01T12:00:00.123456789Z", 1714564800, 123456789 },
        { "2024-05-01T12:00:00.5Z", 1714564800, 500000000 },
        { "2024-05-01T14:30:00.000+02:30", 1714564800, 0 },
        { "2024-05-01T09:00:00-03:00", 1714564800, 0 },
    };
    static const char *const bad[] = {
        "yesterday",
        "2024-05-01",
        "2024-05-01 12:00:00Z",
        "2024-05-01T12:00:00",
        "2024-13-01T12:00:00Z",
        "2024-05-01T24:00:00Z",
        "2024-05-01T12:00:00.Z",
        "2024-05-01T12:00:00.1234567890Z",
        "2024-05-01T12:00:00+2:00",
        "2024-05-01T12:00:00ZZ",
        "+2024-05-01T12:00:00Z",
    };
    ing_event_parsed_t p;
    char text[512], err[256];
    size_t i;

    (void) state;
    for (i = 0; i < sizeof(ok) / sizeof(ok[0]) + sizeof(bad) / sizeof(bad[0]); i++) {
        const char *when =
            i < sizeof(ok) / sizeof(ok[0]) ? ok[i].when : bad[i - sizeof(ok) / sizeof(ok[0])];

        snprintf(text, sizeof(text),
                 "{\"Records\":[{\"eventSource\":\"aws:s3\",\"eventName\":\"ObjectCreated:Put\","
                 "\"eventTime\":\"%s\",\"s3\":{\"bucket\":{\"name\":\"b\"},\"object\":{\"key\":"
                 "\"k\"}}}]}",
                 when);
        if (i < sizeof(ok) / sizeof(ok[0])) {
            if (ing_event_parse(text, strlen(text), &p, err, sizeof(err)) != 0) {
                fail_msg("%s: %s", when, err);
            }
            assert_true(p.event.time.tv_sec == ok[i].sec);
            assert_true(p.event.time.tv_nsec == ok[i].nsec);
            ing_event_parsed_free(&p);
        } else {
            if (ing_event_parse(text, strlen(text), &p, err, sizeof(err)) == 0) {
                fail_msg("%s: parsed", when);
            }
            assert_string_equal(err, "Records[0].eventTime is not an ISO 8601 UTC time");
        }
    }
}

/* Sets the member at PATH (keys separated by '/', "0" the first of an
 * array) of doc to v (taken over), or removes it when v is NULL. */
static void set_path(json_t *doc, const char *path, json_t *v)
{
    char buf[128], *slash, *name = buf;
    json_t *at = doc;

    snprintf(buf, sizeof(buf), "%s", path);
    while ((slash = strchr(name, '/')) != NULL) {
        *slash = '\0';
        at = json_is_array(at) ? json_array_get(at, 0) : json_object_get(at, name);
        assert_non_null(at);
        name = slash + 1;
    }
    if (v == NULL) {
        json_object_del(at, name);
    } else {
        json_object_set_new(at, name, v);
    }
}

/* Refuses each malformed variant of sample_event() with an error that
 * names what is wrong (longkey: a key one byte longer than S3 allows).
 * The variants are documents: a string with a NUL cannot come from text,
 * which jansson refuses to decode then. */
static void malformed(const char *longkey)
{
    const struct {
        const char *path;
        json_t *value; /* NULL: removed */
        const char *why;
    } cases[] = {
        { "Records", NULL, "Records must be an array of exactly one record" },
        { "Records", json_array(), "Records must be an array of exactly one record" },
        { "Records", json_pack("[{},{}]"), "Records must be an array of exactly one record" },
        { "Records/0/eventSource", json_string("aws:sqs"),
          "Records[0].eventSource is not \"aws:s3\"" },
        { "Records/0/eventName", json_string("ObjectRemoved:Delete"),
          "Records[0].eventName is not ObjectCreated:*" },
        { "Records/0/s3/object", NULL, "Records[0].s3.bucket or .object missing" },
        { "Records/0/s3/bucket", json_string("b"), "Records[0].s3.bucket or .object missing" },
        { "Records/0/s3/bucket/name", NULL, "Records[0].s3.bucket.name missing" },
        { "Records/0/s3/bucket/name", json_string(""),
          "Records[0].s3.bucket.name is not a non-empty string of at most 255 bytes" },
        { "Records/0/s3/object/key", NULL, "Records[0].s3.object.key missing" },
        { "Records/0/s3/object/key", json_integer(42),
          "Records[0].s3.object.key is not a non-empty string of at most 3072 bytes" },
        { "Records/0/s3/object/key", json_string("a%00b"),
          "Records[0].s3.object.key does not decode to a key of 1..1024 bytes" },
        { "Records/0/s3/object/key", json_string(longkey),
          "Records[0].s3.object.key does not decode to a key of 1..1024 bytes" },
        { "Records/0/s3/object/key", json_stringn("a\0b", 3),
          "Records[0].s3.object.key is not a non-empty string" },
        { "Records/0/s3/object/size", json_integer(-1),
          "Records[0].s3.object.size is not a non-negative integer" },
        { "Records/0/s3/object/size", json_string("12"),
          "Records[0].s3.object.size is not a non-negative integer" },
        { "Records/0/s3/object/eTag", json_integer(5),
          "Records[0].s3.object.eTag is not a non-empty string" },
        { "Records/0/awsRegion", json_true(), "Records[0].awsRegion is not a non-empty string" },
        { "Records/0/requestParameters/sourceIPAddress", json_array(),
          "Records[0].requestParameters.sourceIPAddress is not a non-empty string" },
        { "Records/0/eventTime", json_string("yesterday"),
          "Records[0].eventTime is not an ISO 8601 UTC time" },
        { "Records/0/eventTime", json_integer(0),
          "Records[0].eventTime is not a non-empty string" },
        { "prism", json_string("x"), "prism is not an object" },
        { "prism", json_null(), "prism is not an object" },
        { "prism/imageId", json_string(""),
          "prism.imageId is not a non-empty string of at most 256 bytes" },
        { "prism/contentType", json_integer(1), "prism.contentType is not a non-empty string" },
        { "prism/sha256", json_stringn("ab\0cd", 5), "prism.sha256 is not a non-empty string" },
        { "prism/requestId", json_object(), "prism.requestId is not a non-empty string" },
        { "prism/userId", json_integer(7), "prism.userId is not a non-empty string" },
        { "prism/width", json_integer(-5), "prism.width is not a non-negative integer" },
        { "prism/height", json_real(1.5), "prism.height is not a non-negative integer" },
        { "prism/height", json_integer(2000000000), "prism.width/height out of range" },
        { "prism/animated", json_string("yes"), "prism.animated is not true or false" },
        { "prism/storage", json_string("ftp"), "prism.storage is neither \"s3\" nor \"local\"" },
        { "prism/storage", json_integer(1), "prism.storage is neither \"s3\" nor \"local\"" },
        { "prism/localPath", json_false(), "prism.localPath is not a non-empty string" },
    };
    ing_event_t ev = sample_event();
    ing_event_parsed_t p;
    char err[256], *base;
    json_t *doc;
    size_t i;

    base = ing_event_json(&ev, err, sizeof(err));
    assert_non_null(base);
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        doc = json_loads(base, 0, NULL);
        assert_non_null(doc);
        set_path(doc, cases[i].path, cases[i].value);
        err[0] = '\0';
        if (ing_event_parse_doc(doc, &p, err, sizeof(err)) == 0) {
            fail_msg("%s: parsed", cases[i].path);
        }
        if (strstr(err, cases[i].why) != err) {
            fail_msg("%s: error [%s], not [%s]", cases[i].path, err, cases[i].why);
        }
        assert_null(p.doc);
        assert_null(p.key);
        json_decref(doc);
    }
    free(base);

    assert_int_equal(ing_event_parse("{\"Records\":", 11, &p, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "the event is not JSON"));
    assert_int_equal(ing_event_parse("[1]", 3, &p, err, sizeof(err)), -1);
    assert_string_equal(err, "the event is not a JSON object");
    assert_int_equal(ing_event_parse("{\"a\":1,\"a\":2}", 13, &p, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "the event is not JSON"));
    /* only len bytes count */
    assert_int_equal(ing_event_parse(GOLDEN_S3 "}", strlen(GOLDEN_S3), &p, err, sizeof(err)), 0);
    ing_event_parsed_free(&p);
}

/* Malformed events. */
static void test_malformed(void **state)
{
    char longkey[ING_KEY_MAX + 2];

    (void) state;
    memset(longkey, 'k', ING_KEY_MAX + 1);
    longkey[ING_KEY_MAX + 1] = '\0';
    malformed(longkey);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_awkward_keys),
        cmocka_unit_test(test_key_encode_decode),
        cmocka_unit_test(test_key_decode),
        cmocka_unit_test(test_golden),
        cmocka_unit_test(test_other_versions),
        cmocka_unit_test(test_s3_event),
        cmocka_unit_test(test_event_times),
        cmocka_unit_test(test_malformed),
    };

    return cmocka_run_group_tests_name("event_roundtrip", tests, NULL, NULL);
}
