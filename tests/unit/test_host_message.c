/*
 * test_host_message — the message shapes prism-host accepts
 * (host/message.c): the prism event (built by ingress/event.c, as the
 * module publishes it) raw and in the SNS envelope, a real S3 event with
 * a URL-encoded key, the S3 test event, the simple shape, and poison of
 * every kind.  The event's own format, field by field and malformed, is
 * tests/unit/test_event_roundtrip.c's.
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
#include "message.h"

/* The upload of the prism event below, as the module describes it. */
static ing_event_t upload(void)
{
    ing_event_t ev;

    memset(&ev, 0, sizeof(ev));
    ev.region = "us-east-1";
    ev.bucket = "prism-ingest";
    ev.key = "uploads/my photo+1=\xc3\xbc.jpg";
    ev.size = 5000000000ULL;
    ev.etag = "\"d41d8cd98f00b204e9800998ecf8427e\"";
    ev.image_id = "img-42";
    ev.content_type = "image/jpeg";
    ev.width = 4000;
    ev.height = 3000;
    ev.sha256 = "9f86d0";
    ev.request_id = "req-1";
    ev.source_ip = "192.0.2.7";
    ev.storage = ING_STORAGE_S3;
    ev.time.tv_sec = 1714564800;
    ev.time.tv_nsec = 123000000;
    return ev;
}

/* A prism event as ingress publishes it: built by ingress/event.c, key
 * encoded (caller frees). */
static char *prism_event(const ing_event_t *ev)
{
    char err[256];
    char *text = ing_event_json(ev, err, sizeof(err));

    if (text == NULL)
        fail_msg("%s", err);
    return text;
}

/* Parses TEXT, expecting KIND; returns the event (caller frees). */
static host_event_t parse_expect(const char *text, size_t len, host_msg_kind_t kind, char *reason,
                                 size_t rlen)
{
    host_event_t ev;
    host_msg_kind_t got = host_message_parse(text, len, &ev, reason, rlen);

    if (got != kind)
        fail_msg("kind %d, expected %d (reason: %s) for: %.200s", got, kind, reason, text);
    assert_int_equal(ev.kind, kind);
    return ev;
}

/* Expects TEXT to be poison with a reason containing WHY. */
static void expect_poison(const char *text, const char *why)
{
    char reason[512];
    host_event_t ev = parse_expect(text, strlen(text), HOST_MSG_POISON, reason, sizeof(reason));

    if (strstr(reason, why) == NULL)
        fail_msg("reason \"%s\" lacks \"%s\" for: %.200s", reason, why, text);
    host_event_free(&ev);
}

/* Wraps BODY in an SNS notification envelope (caller frees). */
static char *sns_envelope(const char *body)
{
    json_t *env = json_pack("{s:s, s:s, s:s, s:s, s:s}", "Type", "Notification", "MessageId",
                            "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324", "TopicArn",
                            "arn:aws:sns:us-east-1:123456789012:prism-uploads", "Message", body,
                            "Timestamp", "2024-05-01T12:00:00.200Z");
    char *text = json_dumps(env, JSON_COMPACT);

    json_decref(env);
    assert_non_null(text);
    return text;
}

/* Checks the fields of PRISM_EVENT. */
static void check_prism_event(const host_event_t *ev)
{
    assert_string_equal(ev->shape, "prism-event");
    assert_string_equal(ev->bucket, "prism-ingest");
    assert_string_equal(ev->key, "uploads/my photo+1=\xc3\xbc.jpg");
    assert_int_equal(ev->size, 5000000000LL);
    assert_string_equal(ev->etag, "d41d8cd98f00b204e9800998ecf8427e");
    assert_string_equal(ev->image_id, "img-42");
    assert_string_equal(ev->content_type, "image/jpeg");
    assert_int_equal(ev->width, 4000);
    assert_int_equal(ev->height, 3000);
    assert_string_equal(ev->sha256, "9f86d0");
    assert_string_equal(ev->request_id, "req-1");
    assert_null(ev->user_id);
    assert_int_equal(ev->storage_local, 0);
}

static void test_prism_event_raw(void **state)
{
    ing_event_t up = upload();
    char *text = prism_event(&up);
    char reason[256];
    host_event_t ev = parse_expect(text, strlen(text), HOST_MSG_IMAGE, reason, sizeof(reason));

    (void) state;
    check_prism_event(&ev);
    assert_int_equal(ev.sns_envelope, 0);
    host_event_free(&ev);
    free(text);
}

static void test_prism_event_sns(void **state)
{
    ing_event_t up = upload();
    char *event = prism_event(&up);
    char *text = sns_envelope(event);
    char reason[256];
    host_event_t ev = parse_expect(text, strlen(text), HOST_MSG_IMAGE, reason, sizeof(reason));

    (void) state;
    check_prism_event(&ev);
    assert_int_equal(ev.sns_envelope, 1);
    host_event_free(&ev);
    free(text);
    free(event);
}

/* The module's local store: its event has an empty eTag (no S3 ETag), a
 * local path and the uploader. */
static void test_prism_event_local(void **state)
{
    ing_event_t up = upload();
    char *text, reason[256];
    host_event_t ev;

    (void) state;
    up.storage = ING_STORAGE_LOCAL;
    up.local_path = "/var/lib/prism/uploads/my photo.jpg";
    up.etag = "";
    up.user_id = "ann";
    text = prism_event(&up);
    ev = parse_expect(text, strlen(text), HOST_MSG_IMAGE, reason, sizeof(reason));
    assert_string_equal(ev.shape, "prism-event");
    assert_int_equal(ev.storage_local, 1);
    assert_string_equal(ev.key, up.key);
    assert_string_equal(ev.etag, "");
    assert_string_equal(ev.user_id, "ann");
    host_event_free(&ev);
    free(text);
}

/* A real S3 notification: no prism object, key URL-encoded, ObjectCreated:Copy. */
static void test_real_s3_event(void **state)
{
    static const char text[] =
        "{\"Records\":[{\"eventVersion\":\"2.1\",\"eventSource\":\"aws:s3\",\"awsRegion\":\"eu-"
        "west-1\","
        "\"eventTime\":\"1970-01-01T00:00:00.000Z\",\"eventName\":\"ObjectCreated:"
        "CompleteMultipartUpload\","
        "\"s3\":{\"s3SchemaVersion\":\"1.0\",\"bucket\":{\"name\":\"photos\"},"
        "\"object\":{\"key\":\"2024/my+cat%C3%A9%20%2Bcopy.JPG\",\"size\":1024,"
        "\"eTag\":\"abc\",\"sequencer\":\"0A1B2C3D4E5F678901\"}}}]}";
    char reason[256];
    host_event_t ev = parse_expect(text, strlen(text), HOST_MSG_IMAGE, reason, sizeof(reason));
    char *wrapped;

    (void) state;
    assert_string_equal(ev.shape, "s3-event");
    assert_string_equal(ev.bucket, "photos");
    assert_string_equal(ev.key, "2024/my cat\xc3\xa9 +copy.JPG");
    assert_int_equal(ev.size, 1024);
    assert_null(ev.image_id);
    assert_null(ev.content_type);
    assert_null(ev.request_id);
    assert_int_equal(ev.width, 0);
    host_event_free(&ev);

    wrapped = sns_envelope(text);
    ev = parse_expect(wrapped, strlen(wrapped), HOST_MSG_IMAGE, reason, sizeof(reason));
    assert_string_equal(ev.key, "2024/my cat\xc3\xa9 +copy.JPG");
    assert_int_equal(ev.sns_envelope, 1);
    host_event_free(&ev);
    free(wrapped);
}

static void test_s3_test_event(void **state)
{
    static const char text[] = "{\"Service\":\"Amazon S3\",\"Event\":\"s3:TestEvent\","
                               "\"Time\":\"2024-05-01T12:00:00.000Z\",\"Bucket\":\"photos\","
                               "\"RequestId\":\"5582815E1AEA5ADF\",\"HostId\":\"8cLeGAmw\"}";
    char reason[256];
    host_event_t ev = parse_expect(text, strlen(text), HOST_MSG_TEST_EVENT, reason, sizeof(reason));
    char *wrapped;

    (void) state;
    assert_string_equal(ev.shape, "s3-test-event");
    host_event_free(&ev);
    wrapped = sns_envelope(text);
    ev = parse_expect(wrapped, strlen(wrapped), HOST_MSG_TEST_EVENT, reason, sizeof(reason));
    host_event_free(&ev);
    free(wrapped);
}

/* The simple shape: the key is literal (no URL decoding). */
static void test_simple_shape(void **state)
{
    static const char text[] = "{\"bucket\":\"b\",\"s3Key\":\"a+b%20c.png\",\"imageId\":\"i-1\"}";
    static const char no_id[] = "{\"bucket\":\"b\",\"s3Key\":\"k.jpg\"}";
    char reason[256];
    host_event_t ev = parse_expect(text, strlen(text), HOST_MSG_IMAGE, reason, sizeof(reason));

    (void) state;
    assert_string_equal(ev.shape, "simple");
    assert_string_equal(ev.bucket, "b");
    assert_string_equal(ev.key, "a+b%20c.png");
    assert_string_equal(ev.image_id, "i-1");
    assert_int_equal(ev.size, -1);
    host_event_free(&ev);
    ev = parse_expect(no_id, strlen(no_id), HOST_MSG_IMAGE, reason, sizeof(reason));
    assert_null(ev.image_id);
    host_event_free(&ev);
}

/* A body need not be NUL-terminated: only LEN bytes count. */
static void test_length_bounded(void **state)
{
    static const char text[] = "{\"bucket\":\"b\",\"s3Key\":\"k\"}GARBAGE";
    char reason[256];
    host_event_t ev = parse_expect(text, strlen(text) - 7, HOST_MSG_IMAGE, reason, sizeof(reason));

    (void) state;
    assert_string_equal(ev.key, "k");
    host_event_free(&ev);
    expect_poison(text, "not JSON");
}

static void test_local_storage(void **state)
{
    static const char text[] =
        "{\"Records\":[{\"eventSource\":\"aws:s3\",\"eventName\":\"ObjectCreated:Put\","
        "\"s3\":{\"bucket\":{\"name\":\"local\"},\"object\":{\"key\":\"2024/a.jpg\",\"size\":3}}}],"
        "\"prism\":{\"imageId\":\"i\",\"storage\":\"local\",\"localPath\":\"/etc/passwd\"}}";
    char reason[256];
    host_event_t ev = parse_expect(text, strlen(text), HOST_MSG_IMAGE, reason, sizeof(reason));

    (void) state;
    assert_int_equal(ev.storage_local, 1);
    assert_string_equal(ev.key, "2024/a.jpg"); /* localPath is never used */
    host_event_free(&ev);
}

/* prism.userId (prism_user): the uploader, recorded as the owner. */
static void test_user_id(void **state)
{
    static const char text[] =
        "{\"Records\":[{\"eventSource\":\"aws:s3\",\"eventName\":\"ObjectCreated:Put\","
        "\"s3\":{\"bucket\":{\"name\":\"b\"},\"object\":{\"key\":\"u/a.jpg\",\"size\":3}}}],"
        "\"prism\":{\"imageId\":\"i\",\"userId\":\"Ann <ann@example.com>\"}}";
    char reason[256];
    host_event_t ev = parse_expect(text, strlen(text), HOST_MSG_IMAGE, reason, sizeof(reason));

    (void) state;
    assert_string_equal(ev.user_id, "Ann <ann@example.com>");
    host_event_free(&ev);
    expect_poison("{\"Records\":[{\"eventSource\":\"aws:s3\",\"eventName\":\"ObjectCreated:Put\","
                  "\"s3\":{\"bucket\":{\"name\":\"b\"},\"object\":{\"key\":\"k\"}}}],"
                  "\"prism\":{\"userId\":7}}",
                  "prism.userId is not");
}

static void test_poison(void **state)
{
    char reason[256];
    host_event_t ev;

    (void) state;
    ev = parse_expect("", 0, HOST_MSG_POISON, reason, sizeof(reason));
    assert_string_equal(reason, "empty body");
    host_event_free(&ev);
    expect_poison("hello", "body is not JSON");
    expect_poison("{\"bucket\":", "body is not JSON");
    expect_poison("[1,2]", "body is not a JSON object");
    expect_poison("\"text\"", "body is not JSON"); /* no JSON_DECODE_ANY */
    expect_poison("{\"foo\":1}", "unknown message shape");
    expect_poison("{\"bucket\":\"b\"}", "s3Key missing");
    expect_poison("{\"s3Key\":\"k\"}", "bucket missing");
    expect_poison("{\"bucket\":\"b\",\"s3Key\":\"\"}", "s3Key is not a non-empty string");
    expect_poison("{\"bucket\":\"b\",\"s3Key\":42}", "s3Key is not a non-empty string");
    expect_poison("{\"bucket\":\"b\",\"s3Key\":\"k\",\"imageId\":7}", "imageId is not");
    expect_poison("{\"Records\":[]}", "exactly one record");
    expect_poison("{\"Records\":{}}", "exactly one record");
    expect_poison("{\"Records\":[{\"eventSource\":\"aws:s3\",\"eventName\":\"ObjectCreated:Put\"},"
                  "{\"eventSource\":\"aws:s3\"}]}",
                  "exactly one record");
    expect_poison(
        "{\"Records\":[{\"eventSource\":\"aws:sqs\",\"eventName\":\"ObjectCreated:Put\"}]}",
        "eventSource is not \"aws:s3\"");
    expect_poison(
        "{\"Records\":[{\"eventSource\":\"aws:s3\",\"eventName\":\"ObjectRemoved:Delete\","
        "\"s3\":{\"bucket\":{\"name\":\"b\"},\"object\":{\"key\":\"k\"}}}]}",
        "eventName is not ObjectCreated");
    expect_poison("{\"Records\":[{\"eventSource\":\"aws:s3\",\"eventName\":\"ObjectCreated:Put\","
                  "\"s3\":{\"bucket\":{\"name\":\"b\"}}}]}",
                  "s3.bucket or .object missing");
    expect_poison("{\"Records\":[{\"eventSource\":\"aws:s3\",\"eventName\":\"ObjectCreated:Put\","
                  "\"s3\":{\"bucket\":{\"name\":\"b\"},\"object\":{\"size\":1}}}]}",
                  "Records[0].s3.object.key missing");
    expect_poison("{\"Records\":[{\"eventSource\":\"aws:s3\",\"eventName\":\"ObjectCreated:Put\","
                  "\"s3\":{\"bucket\":{},\"object\":{\"key\":\"k\"}}}]}",
                  "Records[0].s3.bucket.name missing");
    expect_poison("{\"Records\":[{\"eventSource\":\"aws:s3\",\"eventName\":\"ObjectCreated:Put\","
                  "\"s3\":{\"bucket\":{\"name\":\"b\"},\"object\":{\"key\":\"a%00b\"}}}]}",
                  "does not decode to a key");
    expect_poison("{\"Records\":[{\"eventSource\":\"aws:s3\",\"eventName\":\"ObjectCreated:Put\","
                  "\"s3\":{\"bucket\":{\"name\":\"b\"},\"object\":{\"key\":\"k\",\"size\":-1}}}]}",
                  "size is not a non-negative integer");
    expect_poison("{\"Records\":[{\"eventSource\":\"aws:s3\",\"eventName\":\"ObjectCreated:Put\","
                  "\"s3\":{\"bucket\":{\"name\":\"b\"},\"object\":{\"key\":\"k\"}}}],"
                  "\"prism\":{\"width\":-5}}",
                  "prism.width is not a non-negative integer");
    expect_poison("{\"Records\":[{\"eventSource\":\"aws:s3\",\"eventName\":\"ObjectCreated:Put\","
                  "\"s3\":{\"bucket\":{\"name\":\"b\"},\"object\":{\"key\":\"k\"}}}],"
                  "\"prism\":\"x\"}",
                  "prism is not an object");
    expect_poison("{\"Records\":[{\"eventSource\":\"aws:s3\",\"eventName\":\"ObjectCreated:Put\","
                  "\"s3\":{\"bucket\":{\"name\":\"b\"},\"object\":{\"key\":\"k\"}}}],"
                  "\"prism\":{\"storage\":\"ftp\"}}",
                  "prism.storage is neither");
    expect_poison("{\"Type\":\"Notification\",\"Message\":\"not json\"}",
                  "SNS Message is not JSON");
    expect_poison("{\"Type\":\"Notification\",\"Subject\":\"x\"}",
                  "SNS envelope without a Message");
    expect_poison("{\"Type\":\"Notification\",\"Message\":\"[1]\"}", "body is not a JSON object");
    expect_poison("{\"bucket\":\"b\",\"s3Key\":\"k\",\"bucket\":\"c\"}", "not JSON");
}

/* Bodies over HOST_MESSAGE_MAX_BYTES are refused unparsed, even valid ones. */
static void test_huge_body(void **state)
{
    size_t len = HOST_MESSAGE_MAX_BYTES + 1;
    char *text = malloc(len + 1);
    char reason[256];
    host_event_t ev;
    int n;

    (void) state;
    assert_non_null(text);
    n = snprintf(text, len + 1, "{\"bucket\":\"b\",\"s3Key\":\"k\",\"pad\":\"");
    memset(text + n, 'x', len - (size_t) n - 2);
    memcpy(text + len - 2, "\"}", 3);
    ev = parse_expect(text, len, HOST_MSG_POISON, reason, sizeof(reason));
    assert_non_null(strstr(reason, "exceeds"));
    host_event_free(&ev);
    /* One byte less parses. */
    memmove(text + n, text + n + 1, len - (size_t) n);
    ev = parse_expect(text, len - 1, HOST_MSG_IMAGE, reason, sizeof(reason));
    host_event_free(&ev);
    free(text);
}

/* A key longer than S3 allows, once decoded. */
static void test_long_key(void **state)
{
    char *text = malloc(4000);
    int n;

    (void) state;
    assert_non_null(text);
    n = snprintf(
        text, 4000,
        "{\"Records\":[{\"eventSource\":\"aws:s3\",\"eventName\":"
        "\"ObjectCreated:Put\",\"s3\":{\"bucket\":{\"name\":\"b\"},\"object\":{\"key\":\"");
    memset(text + n, 'k', HOST_KEY_MAX + 1);
    strcpy(text + n + HOST_KEY_MAX + 1, "\"}}}]}");
    expect_poison(text, "does not decode to a key");
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_prism_event_raw),   cmocka_unit_test(test_prism_event_sns),
        cmocka_unit_test(test_prism_event_local), cmocka_unit_test(test_real_s3_event),
        cmocka_unit_test(test_s3_test_event),     cmocka_unit_test(test_simple_shape),
        cmocka_unit_test(test_length_bounded),    cmocka_unit_test(test_local_storage),
        cmocka_unit_test(test_user_id),           cmocka_unit_test(test_poison),
        cmocka_unit_test(test_huge_body),         cmocka_unit_test(test_long_key),
    };

    return cmocka_run_group_tests_name("host_message", tests, NULL, NULL);
}
