/*
 * test_spool_entry — the outbox spool's files (ingress/spool_entry.c):
 * journal entries and intents encoded, decoded back field by field, the
 * entries of older versions, what is refused; and the ETag an intent's
 * event gets when it is resolved (ing_event_with_etag, ingress/event.c).
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
#include "spool_entry.h"

#define SHA "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
#define ID  "0190a8c4-2f3e-7b1d-9c4e-5a6b7c8d9e0f"

/* A journal entry of a FIFO topic's upload to S3. */
static ing_spool_entry_t sample_entry(void)
{
    ing_spool_entry_t e;

    memset(&e, 0, sizeof(e));
    e.topic_arn = "arn:aws:sns:us-east-1:123456789012:prism-uploads.fifo";
    e.message = "{\"Records\":[{\"s3\":{\"object\":{\"key\":\"k\",\"eTag\":\"\"}}}]}";
    e.group_id = "prism";
    e.dedup_id = SHA;
    e.attrs[0].name = "content_type";
    e.attrs[0].type = "String";
    e.attrs[0].value = "image/jpeg";
    e.attrs[1].name = "size";
    e.attrs[1].type = "Number";
    e.attrs[1].value = "5000000000";
    e.nattrs = 2;
    e.image_id = ID;
    e.key = "originals/2024/02/29/" ID ".jpg";
    e.request_id = "a1b2c3d4e5f60718293a4b5c6d7e8f90";
    e.bucket = "prism-ingest";
    e.sha256 = SHA;
    e.size = 5000000000ll;
    e.journaled = 1709211909;
    return e;
}

/* Encodes e, checks the line's shape, decodes it into out. */
static void round_trip(const ing_spool_entry_t *e, ing_spool_entry_t *out)
{
    char err[256];
    char *line;
    size_t len;

    line = ing_spool_encode(e, err, sizeof(err));
    if (line == NULL) {
        fail_msg("encode: %s", err);
    }
    len = strlen(line);
    assert_true(len > 2 && line[len - 1] == '\n');
    assert_null(memchr(line, '\n', len - 1));
    if (ing_spool_decode(line, len, out, err, sizeof(err)) != 0) {
        fail_msg("decode: %s (%s)", err, line);
    }
    free(line);
}

static void assert_same(const ing_spool_entry_t *a, const ing_spool_entry_t *b)
{
    size_t i;

    assert_string_equal(a->topic_arn, b->topic_arn);
    assert_string_equal(a->message, b->message);
    assert_string_equal(a->image_id, b->image_id);
    assert_string_equal(a->key, b->key);
    assert_string_equal(a->request_id, b->request_id);
    assert_string_equal(a->bucket, b->bucket);
    assert_string_equal(a->sha256, b->sha256);
    assert_true(a->size == b->size);
    assert_true(a->journaled == b->journaled);
    assert_true(a->resolve_after == b->resolve_after);
    assert_int_equal(a->nattrs, b->nattrs);
    for (i = 0; i < a->nattrs; i++) {
        assert_string_equal(a->attrs[i].name, b->attrs[i].name);
        assert_string_equal(a->attrs[i].type, b->attrs[i].type);
        assert_string_equal(a->attrs[i].value, b->attrs[i].value);
    }
}

static void test_journal_entry(void **state)
{
    ing_spool_entry_t e = sample_entry(), d;
    char err[256];
    char *line;

    (void) state;
    round_trip(&e, &d);
    assert_same(&e, &d);
    assert_string_equal(d.group_id, "prism");
    assert_string_equal(d.dedup_id, SHA);
    assert_null(d.local_path);
    assert_non_null(d.doc);
    ing_spool_entry_free(&d);
    assert_null(d.doc);

    /* no resolveAfter, no localPath, no FIFO ids for a standard topic */
    e.group_id = NULL;
    e.dedup_id = NULL;
    line = ing_spool_encode(&e, err, sizeof(err));
    assert_non_null(line);
    assert_null(strstr(line, "resolveAfter"));
    assert_null(strstr(line, "localPath"));
    assert_null(strstr(line, "messageGroupId"));
    assert_non_null(strstr(line, "\"version\":1"));
    assert_int_equal(ing_spool_decode(line, strlen(line), &d, err, sizeof(err)), 0);
    assert_null(d.group_id);
    assert_null(d.dedup_id);
    /* a journal entry is not an intent */
    assert_int_equal(ing_spool_intent_check(&d, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "resolveAfter"));
    ing_spool_entry_free(&d);
    free(line);
}

static void test_intent(void **state)
{
    ing_spool_entry_t e = sample_entry(), d;
    char err[256];

    (void) state;
    e.resolve_after = 1709212039;
    round_trip(&e, &d);
    assert_same(&e, &d);
    assert_int_equal(ing_spool_intent_check(&d, err, sizeof(err)), 0);
    ing_spool_entry_free(&d);

    /* the local store: a path, no bucket */
    e.bucket = "";
    e.local_path = "/var/lib/prism/originals/2024/02/29/" ID ".jpg";
    round_trip(&e, &d);
    assert_same(&e, &d);
    assert_string_equal(d.local_path, e.local_path);
    assert_int_equal(ing_spool_intent_check(&d, err, sizeof(err)), 0);
    ing_spool_entry_free(&d);
}

static void test_intent_incomplete(void **state)
{
    static const struct {
        const char *field;
        const char *why;
    } cases[] = {
        { "sha256-short", "SHA-256" }, { "sha256-upper", "SHA-256" },       { "size", "size" },
        { "image_id", "image id" },    { "where", "bucket or local path" },
    };
    ing_spool_entry_t e, d;
    char err[256];
    size_t i;

    (void) state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        e = sample_entry();
        e.resolve_after = 1709212039;
        if (strcmp(cases[i].field, "sha256-short") == 0) {
            e.sha256 = "9f86d081";
        } else if (strcmp(cases[i].field, "sha256-upper") == 0) {
            e.sha256 = "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08";
        } else if (strcmp(cases[i].field, "size") == 0) {
            e.size = 0;
        } else if (strcmp(cases[i].field, "image_id") == 0) {
            e.image_id = "";
        } else {
            e.bucket = "";
        }
        round_trip(&e, &d);
        assert_int_equal(ing_spool_intent_check(&d, err, sizeof(err)), -1);
        if (strstr(err, cases[i].why) == NULL) {
            fail_msg("%s: error [%s] lacks [%s]", cases[i].field, err, cases[i].why);
        }
        ing_spool_entry_free(&d);
    }
}

/* An entry journaled before intents existed still decodes. */
static void test_older_entry(void **state)
{
    static const char old[] =
        "{\"version\":1,\"topicArn\":\"arn:aws:sns:us-east-1:123456789012:t\","
        "\"message\":\"{}\",\"imageId\":\"" ID "\",\"key\":\"k.jpg\","
        "\"requestId\":\"r\",\"journaledAt\":1709211909,\"attributes\":"
        "[{\"name\":\"width\",\"type\":\"Number\",\"value\":\"4\"}]}\n";
    ing_spool_entry_t d;
    char err[256];

    (void) state;
    assert_int_equal(ing_spool_decode(old, sizeof(old) - 1, &d, err, sizeof(err)), 0);
    assert_string_equal(d.key, "k.jpg");
    assert_string_equal(d.bucket, "");
    assert_string_equal(d.sha256, "");
    assert_null(d.local_path);
    assert_true(d.size == 0 && d.resolve_after == 0);
    assert_int_equal(d.nattrs, 1);
    assert_string_equal(d.attrs[0].value, "4");
    ing_spool_entry_free(&d);
}

static void test_decode_errors(void **state)
{
    static const struct {
        const char *text;
        const char *why;
    } bad[] = {
        { "{\"version\":1", "is not JSON" },
        { "[]", "is not an outbox entry" },
        { "{\"version\":1,\"message\":\"m\",\"key\":\"k\",\"requestId\":\"r\","
          "\"journaledAt\":1,\"attributes\":[]}",
          "is not an outbox entry" },
        { "{\"version\":2,\"topicArn\":\"t\",\"message\":\"m\",\"key\":\"k\","
          "\"requestId\":\"r\",\"journaledAt\":1,\"attributes\":[]}",
          "unknown version 2" },
        /* a time written as a real number */
        { "{\"version\":1,\"topicArn\":\"t\",\"message\":\"m\",\"key\":\"k\","
          "\"requestId\":\"r\",\"journaledAt\":1.5,\"attributes\":[]}",
          "is not an outbox entry" },
        { "{\"version\":1,\"topicArn\":\"t\",\"message\":\"m\",\"key\":\"k\","
          "\"requestId\":\"r\",\"journaledAt\":1,\"attributes\":{}}",
          "no list" },
        { "{\"version\":1,\"topicArn\":\"t\",\"message\":\"m\",\"key\":\"k\","
          "\"requestId\":\"r\",\"journaledAt\":1,\"attributes\":[{\"name\":\"a\"}]}",
          "bad attribute" },
        { "{\"version\":1,\"topicArn\":\"t\",\"message\":\"m\",\"key\":\"k\","
          "\"requestId\":\"r\",\"journaledAt\":1,\"resolveAfter\":\"soon\","
          "\"attributes\":[]}",
          "is not an outbox entry" },
    };
    ing_spool_entry_t d;
    char err[256];
    size_t i;

    (void) state;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(ing_spool_decode(bad[i].text, strlen(bad[i].text), &d, err, sizeof(err)),
                         -1);
        assert_null(d.doc);
        if (strstr(err, bad[i].why) == NULL) {
            fail_msg("[%s]: error [%s] lacks [%s]", bad[i].text, err, bad[i].why);
        }
    }
}

static void test_attribute_limit(void **state)
{
    ing_spool_entry_t e = sample_entry(), d;
    char err[256], text[4096];
    char *p;
    size_t i;

    (void) state;
    e.nattrs = ING_SPOOL_ATTRS_MAX + 1;
    assert_null(ing_spool_encode(&e, err, sizeof(err)));
    assert_non_null(strstr(err, "attributes"));

    /* eleven attributes in a file are refused */
    p = text
        + sprintf(text, "{\"version\":1,\"topicArn\":\"t\",\"message\":\"m\",\"key\":\"k\","
                        "\"requestId\":\"r\",\"journaledAt\":1,\"attributes\":[");
    for (i = 0; i <= ING_SPOOL_ATTRS_MAX; i++) {
        p += sprintf(p, "%s{\"name\":\"a%zu\",\"type\":\"String\",\"value\":\"v\"}", i ? "," : "",
                     i);
    }
    strcpy(p, "]}");
    assert_int_equal(ing_spool_decode(text, strlen(text), &d, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "more than 10 attributes"));

    /* a missing required string cannot be encoded */
    e = sample_entry();
    e.key = NULL;
    assert_null(ing_spool_encode(&e, err, sizeof(err)));
}

static ing_event_t sample_event(const char *etag)
{
    ing_event_t ev;

    memset(&ev, 0, sizeof(ev));
    ev.region = "us-east-1";
    ev.bucket = "prism-ingest";
    ev.key = "uploads/my photo+1=\xc3\xbc.jpg";
    ev.size = 5000000000ull;
    ev.etag = etag;
    ev.image_id = ID;
    ev.content_type = "image/jpeg";
    ev.width = 4000;
    ev.height = 3000;
    ev.sha256 = SHA;
    ev.request_id = "a1b2c3d4e5f60718293a4b5c6d7e8f90";
    ev.source_ip = "192.0.2.7";
    ev.storage = ING_STORAGE_S3;
    ev.time.tv_sec = 1709211909;
    ev.time.tv_nsec = 42123456L;
    return ev;
}

/* The intent's event (no ETag yet) with the object's ETag is the event
 * the upload would have published itself, byte for byte. */
static void test_event_with_etag(void **state)
{
    ing_event_t before = sample_event("");
    ing_event_t after = sample_event("\"d41d8cd98f00b204e9800998ecf8427e\"");
    char err[256];
    char *intent, *want, *got;

    (void) state;
    intent = ing_event_json(&before, err, sizeof(err));
    want = ing_event_json(&after, err, sizeof(err));
    assert_non_null(intent);
    assert_non_null(want);

    got = ing_event_with_etag(intent, "\"d41d8cd98f00b204e9800998ecf8427e\"", err, sizeof(err));
    assert_non_null(got);
    assert_string_equal(got, want);
    free(got);

    /* an ETag without quotes (a multipart one) is taken as it is */
    got = ing_event_with_etag(intent, "0f1e2d3c4b5a69788796a5b4c3d2e1f0-3", err, sizeof(err));
    assert_non_null(got);
    assert_non_null(strstr(got, "\"eTag\":\"0f1e2d3c4b5a69788796a5b4c3d2e1f0-3\""));
    free(got);

    assert_null(ing_event_with_etag("{\"Records\":", "e", err, sizeof(err)));
    assert_non_null(strstr(err, "not JSON"));
    assert_null(ing_event_with_etag("{\"Records\":[]}", "e", err, sizeof(err)));
    assert_non_null(strstr(err, "Records[0].s3.object"));
    assert_null(ing_event_with_etag(intent, "\xff", err, sizeof(err)));

    free(intent);
    free(want);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_journal_entry),     cmocka_unit_test(test_intent),
        cmocka_unit_test(test_intent_incomplete), cmocka_unit_test(test_older_entry),
        cmocka_unit_test(test_decode_errors),     cmocka_unit_test(test_attribute_limit),
        cmocka_unit_test(test_event_with_etag),
    };

    return cmocka_run_group_tests_name("spool_entry", tests, NULL, NULL);
}
