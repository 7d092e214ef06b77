/*
 * test_event — the SNS event body and attributes (ingress/event.c), the
 * client response bodies (ingress/response.c), image ids
 * (ingress/image_id.c), key templates (ingress/key_template.c) and the
 * UTF-8 helpers (ingress/utf8.c).
 *
 * JSON output is parsed back with jansson and checked field by field,
 * with types.
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
#include "image_id.h"
#include "key_template.h"
#include "response.h"
#include "utf8.h"

#define SHA "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

/* 2024-02-29T13:05:09.042Z */
#define T_SEC  ((time_t) 1709211909)
#define T_NSEC 42123456L

static ing_event_t sample_event(void)
{
    ing_event_t ev;

    memset(&ev, 0, sizeof(ev));
    ev.region = "us-east-1";
    ev.bucket = "prism-ingest";
    ev.key = "uploads/my photo+1=ü.jpg";
    ev.size = 5000000000ull; /* over 4 GiB: must stay exact */
    ev.etag = "\"d41d8cd98f00b204e9800998ecf8427e\"";
    ev.image_id = "0190a8c4-2f3e-7b1d-9c4e-5a6b7c8d9e0f";
    ev.content_type = "image/jpeg";
    ev.width = 4000;
    ev.height = 3000;
    ev.sha256 = SHA;
    ev.request_id = "a1b2c3d4e5f60718293a4b5c6d7e8f90";
    ev.source_ip = "192.0.2.7";
    ev.storage = ING_STORAGE_S3;
    ev.time.tv_sec = T_SEC;
    ev.time.tv_nsec = T_NSEC;
    return ev;
}

/* Parses text as a JSON object (failing the test otherwise). */
static json_t *parse_object(const char *text)
{
    json_error_t jerr;
    json_t *v;

    assert_non_null(text);
    v = json_loads(text, 0, &jerr);
    if (v == NULL) {
        fail_msg("not JSON (%s): %s", jerr.text, text);
    }
    assert_true(json_is_object(v));
    return v;
}

/* Returns the string at path (keys separated by '.'; "0" indexes an
 * array) of v, failing when absent or not a string. */
static const char *jstr(json_t *v, const char *path)
{
    char buf[256], *tok, *save = NULL;

    snprintf(buf, sizeof(buf), "%s", path);
    for (tok = strtok_r(buf, ".", &save); tok != NULL; tok = strtok_r(NULL, ".", &save)) {
        v = json_is_array(v) ? json_array_get(v, (size_t) atoi(tok)) : json_object_get(v, tok);
        if (v == NULL) {
            fail_msg("no %s", path);
        }
    }
    if (!json_is_string(v)) {
        fail_msg("%s is not a string", path);
    }
    return json_string_value(v);
}

/* Like jstr for an integer. */
static json_int_t jint(json_t *v, const char *path)
{
    char buf[256], *tok, *save = NULL;

    snprintf(buf, sizeof(buf), "%s", path);
    for (tok = strtok_r(buf, ".", &save); tok != NULL; tok = strtok_r(NULL, ".", &save)) {
        v = json_is_array(v) ? json_array_get(v, (size_t) atoi(tok)) : json_object_get(v, tok);
        if (v == NULL) {
            fail_msg("no %s", path);
        }
    }
    if (!json_is_integer(v)) {
        fail_msg("%s is not an integer", path);
    }
    return json_integer_value(v);
}

/* ---- event ------------------------------------------------------------------ */

static void test_event_structure(void **state)
{
    ing_event_t ev = sample_event();
    char err[256] = "", *text;
    json_t *root, *records, *prism;

    (void) state;
    text = ing_event_json(&ev, err, sizeof(err));
    if (text == NULL) {
        fail_msg("%s", err);
    }
    root = parse_object(text);
    records = json_object_get(root, "Records");
    assert_true(json_is_array(records));
    assert_int_equal(json_array_size(records), 1);

    assert_string_equal(jstr(root, "Records.0.eventVersion"), "2.1");
    assert_string_equal(jstr(root, "Records.0.eventSource"), "aws:s3");
    assert_string_equal(jstr(root, "Records.0.awsRegion"), "us-east-1");
    assert_string_equal(jstr(root, "Records.0.eventTime"), "2024-02-29T13:05:09.042Z");
    assert_string_equal(jstr(root, "Records.0.eventName"), "ObjectCreated:Put");
    assert_string_equal(jstr(root, "Records.0.userIdentity.principalId"), "prism");
    assert_string_equal(jstr(root, "Records.0.requestParameters.sourceIPAddress"), "192.0.2.7");
    assert_string_equal(jstr(root, "Records.0.responseElements.x-amz-request-id"), ev.request_id);
    assert_string_equal(jstr(root, "Records.0.s3.s3SchemaVersion"), "1.0");
    assert_string_equal(jstr(root, "Records.0.s3.configurationId"), "prism");
    assert_string_equal(jstr(root, "Records.0.s3.bucket.name"), "prism-ingest");
    assert_string_equal(jstr(root, "Records.0.s3.bucket.ownerIdentity.principalId"), "prism");
    assert_string_equal(jstr(root, "Records.0.s3.bucket.arn"), "arn:aws:s3:::prism-ingest");
    assert_string_equal(jstr(root, "Records.0.s3.object.key"), "uploads/my+photo%2B1%3D%C3%BC.jpg");
    assert_int_equal(jint(root, "Records.0.s3.object.size"), 5000000000ll);
    assert_string_equal(jstr(root, "Records.0.s3.object.eTag"), "d41d8cd98f00b204e9800998ecf8427e");
    /* nanoseconds since the epoch, 18 upper-case hex digits */
    {
        char want[19];

        snprintf(want, sizeof(want), "%018llX",
                 (unsigned long long) T_SEC * 1000000000ull + (unsigned long long) T_NSEC);
        assert_string_equal(jstr(root, "Records.0.s3.object.sequencer"), want);
    }

    prism = json_object_get(root, "prism");
    assert_true(json_is_object(prism));
    assert_string_equal(jstr(prism, "imageId"), ev.image_id);
    assert_string_equal(jstr(prism, "contentType"), "image/jpeg");
    assert_int_equal(jint(prism, "width"), 4000);
    assert_int_equal(jint(prism, "height"), 3000);
    assert_true(json_is_false(json_object_get(prism, "animated")));
    assert_string_equal(jstr(prism, "sha256"), SHA);
    assert_string_equal(jstr(prism, "requestId"), ev.request_id);
    assert_string_equal(jstr(prism, "bucket"), "prism-ingest");
    assert_string_equal(jstr(prism, "key"), ev.key);
    assert_string_equal(jstr(prism, "storage"), "s3");
    assert_null(json_object_get(prism, "localPath"));

    json_decref(root);
    free(text);
}

static void test_event_local_storage(void **state)
{
    ing_event_t ev = sample_event();
    char err[256] = "", *text;
    json_t *root;

    (void) state;
    ev.storage = ING_STORAGE_LOCAL;
    ev.local_path = "/var/lib/prism/uploads/a.jpg";
    ev.etag = "0123456789abcdef0123456789abcdef"; /* unquoted stays as is */
    text = ing_event_json(&ev, err, sizeof(err));
    root = parse_object(text);
    assert_string_equal(jstr(root, "prism.storage"), "local");
    assert_string_equal(jstr(root, "prism.localPath"), ev.local_path);
    assert_string_equal(jstr(root, "Records.0.s3.object.eTag"), ev.etag);
    json_decref(root);
    free(text);

    ev.local_path = NULL;
    assert_null(ing_event_json(&ev, err, sizeof(err)));
    assert_string_equal(err, "event: local_path is missing");
}

static void test_event_errors(void **state)
{
    ing_event_t ev = sample_event();
    char err[256];

    (void) state;
    ev.bucket = NULL;
    assert_null(ing_event_json(&ev, err, sizeof(err)));
    assert_string_equal(err, "event: bucket is missing");

    ev = sample_event();
    ev.key = "bad\xff.jpg";
    assert_null(ing_event_json(&ev, err, sizeof(err)));
    assert_string_equal(err, "event: key is not valid UTF-8");

    ev = sample_event();
    ev.time.tv_nsec = 1000000000L;
    assert_null(ing_event_json(&ev, err, sizeof(err)));
    assert_non_null(strstr(err, "time"));
}

static void test_event_special_characters(void **state)
{
    ing_event_t ev = sample_event();
    char err[256], *text;
    json_t *root;

    (void) state;
    /* JSON-special characters are escaped and come back unchanged */
    ev.key = "a\"b\\c\n\t\x01/\xe2\x82\xac";
    ev.request_id = "id \"quoted\"";
    text = ing_event_json(&ev, err, sizeof(err));
    root = parse_object(text);
    assert_string_equal(jstr(root, "prism.key"), ev.key);
    assert_string_equal(jstr(root, "Records.0.s3.object.key"), "a%22b%5Cc%0A%09%01/%E2%82%AC");
    assert_string_equal(jstr(root, "prism.requestId"), ev.request_id);
    json_decref(root);
    free(text);
}

static void test_key_encode(void **state)
{
    static const struct {
        const char *in, *out;
    } cases[] = {
        { "plain/key-1_2.3*x.jpg", "plain/key-1_2.3*x.jpg" },
        { "a b  c", "a+b++c" },
        { "ü/日本.png", "%C3%BC/%E6%97%A5%E6%9C%AC.png" },
        { "x+y=z&w?q#r%s~t:u@v,", "x%2By%3Dz%26w%3Fq%23r%25s%7Et%3Au%40v%2C" },
        { "", "" },
    };
    size_t i;
    char *enc;

    (void) state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        enc = ing_event_key_encode(cases[i].in);
        assert_non_null(enc);
        assert_string_equal(enc, cases[i].out);
        free(enc);
    }
}

static void test_event_time(void **state)
{
    struct timespec t = { 0, 999999999L };
    char out[25];

    (void) state;
    assert_int_equal(ing_event_time(&t, out), 0);
    assert_string_equal(out, "1970-01-01T00:00:00.999Z");
    t.tv_sec = 253402300799; /* 9999-12-31T23:59:59 */
    t.tv_nsec = 0;
    assert_int_equal(ing_event_time(&t, out), 0);
    assert_string_equal(out, "9999-12-31T23:59:59.000Z");
    t.tv_sec++;
    assert_int_equal(ing_event_time(&t, out), -1);
    t.tv_sec = 0;
    t.tv_nsec = -1;
    assert_int_equal(ing_event_time(&t, out), -1);
}

static void test_event_attrs(void **state)
{
    ing_event_t ev = sample_event();
    ing_event_attr_t a[ING_EVENT_ATTRS_MAX];
    char err[256], longtype[300];
    int n;

    (void) state;
    n = ing_event_attrs(&ev, a, err, sizeof(err));
    assert_int_equal(n, 6);
    assert_string_equal(a[0].name, "content_type");
    assert_string_equal(a[0].type, "String");
    assert_string_equal(a[0].value, "image/jpeg");
    assert_string_equal(a[1].name, "width");
    assert_string_equal(a[1].type, "Number");
    assert_string_equal(a[1].value, "4000");
    assert_string_equal(a[2].name, "height");
    assert_string_equal(a[2].type, "Number");
    assert_string_equal(a[2].value, "3000");
    assert_string_equal(a[3].name, "size");
    assert_string_equal(a[3].type, "Number");
    assert_string_equal(a[3].value, "5000000000");
    assert_string_equal(a[4].name, "animated");
    assert_string_equal(a[4].type, "String");
    assert_string_equal(a[4].value, "false");
    assert_string_equal(a[5].name, "request_id");
    assert_string_equal(a[5].type, "String");
    assert_string_equal(a[5].value, ev.request_id);
    ev.animated = 1;
    n = ing_event_attrs(&ev, a, err, sizeof(err));
    assert_string_equal(a[4].value, "true");
    ev.animated = 0;

    /* empty strings are left out: SNS refuses empty attribute values */
    ev.request_id = "";
    ev.content_type = "";
    n = ing_event_attrs(&ev, a, err, sizeof(err));
    assert_int_equal(n, 4);
    assert_string_equal(a[0].name, "width");
    assert_string_equal(a[2].name, "size");

    memset(longtype, 'x', sizeof(longtype) - 1);
    longtype[sizeof(longtype) - 1] = '\0';
    ev.content_type = longtype;
    assert_int_equal(ing_event_attrs(&ev, a, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "content_type"));
}

/* ---- responses ------------------------------------------------------------- */

static void test_response_success(void **state)
{
    ing_event_t ev = sample_event();
    char err[256] = "", *text;
    json_t *root;

    (void) state;
    text = ing_response_json(&ev, "b1946ac9-2f0e-5b1d-9c4e-5a6b7c8d9e0f", 0, err, sizeof(err));
    root = parse_object(text);
    assert_string_equal(jstr(root, "bucket"), "prism-ingest");
    assert_string_equal(jstr(root, "key"), ev.key);
    assert_string_equal(jstr(root, "imageId"), ev.image_id);
    assert_int_equal(jint(root, "size"), 5000000000ll);
    assert_string_equal(jstr(root, "contentType"), "image/jpeg");
    assert_int_equal(jint(root, "width"), 4000);
    assert_int_equal(jint(root, "height"), 3000);
    assert_string_equal(jstr(root, "sha256"), SHA);
    assert_string_equal(jstr(root, "messageId"), "b1946ac9-2f0e-5b1d-9c4e-5a6b7c8d9e0f");
    assert_null(json_object_get(root, "notification"));
    assert_null(json_object_get(root, "duplicate"));
    json_decref(root);
    free(text);

    text = ing_response_json(&ev, NULL, 0, err, sizeof(err));
    root = parse_object(text);
    assert_string_equal(jstr(root, "notification"), "queued");
    assert_null(json_object_get(root, "messageId"));
    json_decref(root);
    free(text);

    /* a duplicate announced nothing: no image id, message id or notification */
    text = ing_response_json(&ev, "m", 1, err, sizeof(err));
    root = parse_object(text);
    assert_string_equal(jstr(root, "key"), ev.key);
    assert_string_equal(jstr(root, "sha256"), SHA);
    assert_true(json_is_true(json_object_get(root, "duplicate")));
    assert_null(json_object_get(root, "imageId"));
    assert_null(json_object_get(root, "messageId"));
    assert_null(json_object_get(root, "notification"));
    json_decref(root);
    free(text);

    ev.sha256 = NULL;
    assert_null(ing_response_json(&ev, "m", 0, err, sizeof(err)));
    assert_string_equal(err, "event: sha256 is missing");
}

static void test_error_body(void **state)
{
    char *text;
    json_t *root;

    (void) state;
    text = ing_error_json("bad_request", "field \"x\\y\"\n\ttoo <large> \x01");
    root = parse_object(text);
    assert_string_equal(jstr(root, "error"), "bad_request");
    assert_string_equal(jstr(root, "message"), "field \"x\\y\"\n\ttoo <large> \x01");
    assert_int_equal(json_object_size(root), 2);
    json_decref(root);
    free(text);

    /* invalid UTF-8 becomes U+FFFD instead of failing */
    text = ing_error_json("bad\xc3", "caf\xc3\xa9 \xff\xfe end");
    root = parse_object(text);
    assert_string_equal(jstr(root, "error"), "bad\xef\xbf\xbd");
    assert_string_equal(jstr(root, "message"), "caf\xc3\xa9 \xef\xbf\xbd\xef\xbf\xbd end");
    json_decref(root);
    free(text);
}

/* ---- UTF-8 ------------------------------------------------------------------ */

static void test_utf8(void **state)
{
    static const char *valid[] = {
        "",
        "ascii",
        "\xc3\xbc",
        "\xe2\x82\xac",
        "\xf0\x9f\x98\x80",
        "\xf4\x8f\xbf\xbf",
        "\xed\x9f\xbf",
    };
    static const char *invalid[] = {
        "\xc0\xaf",         /* overlong '/' */
        "\xe0\x80\xaf",     /* overlong */
        "\xed\xa0\x80",     /* surrogate */
        "\xf4\x90\x80\x80", /* above U+10FFFF */
        "\xc3",             /* truncated */
        "a\x80",            /* lone continuation */
        "\xf8\x88\x80\x80\x80",
    };
    size_t i;
    char *r;

    (void) state;
    for (i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
        assert_int_equal(ing_utf8_valid(valid[i], strlen(valid[i])), 1);
        r = ing_utf8_repair(valid[i]);
        assert_string_equal(r, valid[i]);
        free(r);
    }
    for (i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
        assert_int_equal(ing_utf8_valid(invalid[i], strlen(invalid[i])), 0);
        r = ing_utf8_repair(invalid[i]);
        assert_int_equal(ing_utf8_valid(r, strlen(r)), 1);
        assert_non_null(strstr(r, "\xef\xbf\xbd"));
        free(r);
    }
    /* the length is honoured: a valid prefix of an invalid string */
    assert_int_equal(ing_utf8_valid("ab\xff", 2), 1);
}

/* ---- image ids ------------------------------------------------------------------ */

static void assert_uuid7(const char *id, uint64_t ms)
{
    char hex[13];
    size_t i;

    assert_int_equal(strlen(id), ING_IMAGE_ID_LEN);
    for (i = 0; i < ING_IMAGE_ID_LEN; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            assert_int_equal(id[i], '-');
        } else if (!((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'f'))) {
            fail_msg("%s: not lower-case hex at %zu", id, i);
        }
    }
    assert_int_equal(id[14], '7');           /* version */
    assert_non_null(strchr("89ab", id[19])); /* variant 10 */
    memcpy(hex, id, 8);
    memcpy(hex + 8, id + 9, 4);
    hex[12] = '\0';
    assert_int_equal(strtoull(hex, NULL, 16), ms & 0xffffffffffffull);
}

static void test_image_id(void **state)
{
    char ids[200][ING_IMAGE_ID_LEN + 1], err[256];
    uint64_t ms = 1709211909042ull;
    size_t i, j;

    (void) state;
    for (i = 0; i < 200; i++) {
        assert_int_equal(ing_image_id(ids[i], ms + i / 2, err, sizeof(err)), 0);
        assert_uuid7(ids[i], ms + i / 2);
    }
    for (i = 0; i < 200; i++) {
        for (j = i + 1; j < 200; j++) {
            assert_string_not_equal(ids[i], ids[j]);
            /* later milliseconds sort later */
            if (j / 2 > i / 2) {
                assert_true(strcmp(ids[i], ids[j]) < 0);
            }
        }
    }
}

/* ---- key templates --------------------------------------------------------------- */

static ing_key_vars_t sample_vars(void)
{
    ing_key_vars_t v;

    v.id = "0190a8c4-2f3e-7b1d-9c4e-5a6b7c8d9e0f";
    v.ext = "jpg";
    v.sha256 = SHA;
    v.request_id = "a1b2c3d4";
    v.time = T_SEC; /* 2024-02-29T13:05:09Z */
    return v;
}

static void expect_key(const char *tpl, const ing_key_vars_t *v, const char *want)
{
    char out[ING_KEY_MAX + 1], err[256] = "";

    assert_int_equal(ing_key_template_check(tpl, err, sizeof(err)), 0);
    if (ing_key_expand(tpl, v, out, sizeof(out), err, sizeof(err)) != 0) {
        fail_msg("%s: %s", tpl, err);
    }
    assert_string_equal(out, want);
}

static void test_key_expand(void **state)
{
    ing_key_vars_t v = sample_vars();

    (void) state;
    expect_key("uploads/{yyyy}/{mm}/{dd}/{id}.{ext}", &v,
               "uploads/2024/02/29/0190a8c4-2f3e-7b1d-9c4e-5a6b7c8d9e0f.jpg");
    expect_key("{hh}/{sha256_8}/{sha256}-{request_id}", &v, "13/9f86d081/" SHA "-a1b2c3d4");
    expect_key("year={yyyy}/(orig)_{id}!*'.{ext}", &v,
               "year=2024/(orig)_0190a8c4-2f3e-7b1d-9c4e-5a6b7c8d9e0f!*'.jpg");
    v.time = 0;
    expect_key("{yyyy}{mm}{dd}{hh}", &v, "1970010100");
}

static void expect_template_error(const char *tpl, const char *want)
{
    char err[256] = "", out[64];
    ing_key_vars_t v = sample_vars();

    assert_int_equal(ing_key_template_check(tpl, err, sizeof(err)), -1);
    if (strstr(err, want) == NULL) {
        fail_msg("%s: error [%s] lacks [%s]", tpl, err, want);
    }
    /* expansion refuses the same template */
    assert_int_equal(ing_key_expand(tpl, &v, out, sizeof(out), err, sizeof(err)), -1);
}

static void test_key_template_errors(void **state)
{
    (void) state;
    expect_template_error("", "empty");
    expect_template_error("{id", "'{' without '}'");
    expect_template_error("id}", "'}' without '{'");
    expect_template_error("{nope}.jpg", "unknown variable {nope}");
    expect_template_error("{ID}", "unknown variable {ID}");
    expect_template_error("{}", "unknown variable {}");
    expect_template_error("/abs/{id}", "starts with '/'");
    expect_template_error("a/../{id}", "\"..\"");
    expect_template_error("a/{id}..{ext}", "\"..\"");
    expect_template_error("a b/{id}", "character 0x20");
    expect_template_error("a\\{id}", "character 0x5c");
    expect_template_error("a\n{id}", "character 0x0a");
    expect_template_error("a%2e/{id}", "character 0x25");
    expect_template_error("caf\xc3\xa9/{id}", "character 0xc3");
}

static void expect_expand_error(const char *tpl, const ing_key_vars_t *v, const char *want)
{
    char out[ING_KEY_MAX + 1], err[256] = "";

    assert_int_equal(ing_key_template_check(tpl, err, sizeof(err)), 0);
    assert_int_equal(ing_key_expand(tpl, v, out, sizeof(out), err, sizeof(err)), -1);
    if (strstr(err, want) == NULL) {
        fail_msg("%s: error [%s] lacks [%s]", tpl, err, want);
    }
}

/* Hostile variable values cannot escape the template's shape. */
static void test_key_traversal(void **state)
{
    ing_key_vars_t v;
    char out[ING_KEY_MAX + 1], err[256], big[1100];

    (void) state;
    v = sample_vars();
    v.ext = "../../etc/passwd";
    expect_expand_error("uploads/{id}.{ext}", &v, "\"..\"");
    v = sample_vars();
    v.id = "../x";
    expect_expand_error("uploads/{id}", &v, "\"..\"");
    v = sample_vars();
    v.id = "/etc/passwd";
    expect_expand_error("{id}", &v, "starts with '/'");
    v = sample_vars();
    v.id = "a//b";
    expect_expand_error("{id}", &v, "empty path segment");
    v = sample_vars();
    v.id = "x/.";
    expect_expand_error("u/{id}/y", &v, "\".\" path segment");
    v = sample_vars();
    v.request_id = "r\n1";
    expect_expand_error("{request_id}/{id}", &v, "{request_id} holds a character");
    v = sample_vars();
    v.request_id = "%2e%2e";
    expect_expand_error("{request_id}/{id}", &v, "{request_id} holds a character");
    v = sample_vars();
    v.id = "a\\..\\b";
    expect_expand_error("{id}", &v, "{id} holds a character");
    v = sample_vars();
    v.ext = "";
    expect_expand_error("{id}.{ext}", &v, "{ext} is empty");
    v = sample_vars();
    v.request_id = NULL;
    expect_expand_error("{request_id}", &v, "{request_id} has no value");
    v = sample_vars();
    v.sha256 = "abc";
    expect_expand_error("{sha256_8}", &v, "8+ hex digits");
    v = sample_vars();
    v.ext = "jpg/";
    expect_expand_error("{id}.{ext}", &v, "ends with '/'");

    /* too long for the output buffer, or for S3 */
    v = sample_vars();
    assert_int_equal(ing_key_expand("{sha256}", &v, out, 64, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "too long"));
    assert_int_equal(ing_key_expand("{sha256}", &v, out, 65, err, sizeof(err)), 0);
    memset(big, 'a', 1000);
    big[1000] = '\0';
    v.id = big;
    assert_int_equal(ing_key_expand("{id}/{sha256}", &v, out, sizeof(out), err, sizeof(err)), -1);
    assert_non_null(strstr(err, "too long"));
}

static void test_key_check(void **state)
{
    static const struct {
        const char *key, *why;
    } bad[] = {
        { "", "is empty" },
        { "/a", "starts with '/'" },
        { "a/", "ends with '/'" },
        { "a//b", "empty path segment" },
        { "a/../b", "\"..\"" },
        { "..", "\"..\"" },
        { "a..b", "\"..\"" },
        { ".", "\".\" path segment" },
        { "./a", "\".\" path segment" },
        { "a/./b", "\".\" path segment" },
        { "a/.", "\".\" path segment" },
        { "a\\b", "backslash" },
        { "a\x7f", "control character" },
        { "a\tb", "control character" },
        { "a\xff", "not valid UTF-8" },
    };
    char err[256], big[ING_KEY_MAX + 2];
    size_t i;

    (void) state;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(ing_key_check(bad[i].key, err, sizeof(err)), -1);
        if (strstr(err, bad[i].why) == NULL) {
            fail_msg("[%s]: error [%s] lacks [%s]", bad[i].key, err, bad[i].why);
        }
    }
    assert_int_equal(ing_key_check("fotos/caf\xc3\xa9 1.jpg", err, sizeof(err)), 0);
    assert_int_equal(ing_key_check("a/.hidden/b.", err, sizeof(err)), 0);
    memset(big, 'k', ING_KEY_MAX);
    big[ING_KEY_MAX] = '\0';
    assert_int_equal(ing_key_check(big, err, sizeof(err)), 0);
    big[ING_KEY_MAX] = 'k';
    big[ING_KEY_MAX + 1] = '\0';
    assert_int_equal(ing_key_check(big, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "longer than 1024"));
}

/* The upload's user: prism.userId and the user_id attribute, only when
 * there is one; ing_user_id_check refuses what an event cannot carry. */
static void test_event_user(void **state)
{
    ing_event_t ev = sample_event();
    ing_event_attr_t a[ING_EVENT_ATTRS_MAX];
    char err[256], *text, big[ING_USER_ID_MAX + 2];
    json_t *root;

    (void) state;
    text = ing_event_json(&ev, err, sizeof(err));
    root = parse_object(text);
    assert_null(json_object_get(json_object_get(root, "prism"), "userId"));
    json_decref(root);
    free(text);

    ev.user_id = "Ann <ann@example.com>";
    text = ing_event_json(&ev, err, sizeof(err));
    root = parse_object(text);
    assert_string_equal(jstr(root, "prism.userId"), "Ann <ann@example.com>");
    json_decref(root);
    free(text);
    assert_int_equal(ing_event_attrs(&ev, a, err, sizeof(err)), 7);
    assert_string_equal(a[6].name, "user_id");
    assert_string_equal(a[6].type, "String");
    assert_string_equal(a[6].value, "Ann <ann@example.com>");

    ev.user_id = "a\xff";
    assert_null(ing_event_json(&ev, err, sizeof(err)));
    assert_non_null(strstr(err, "user_id"));

    assert_int_equal(ing_user_id_check("alice/x y", 9, err, sizeof(err)), 0);
    assert_int_equal(ing_user_id_check("", 0, err, sizeof(err)), -1);
    assert_int_equal(ing_user_id_check("a\x01", 2, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "control character"));
    assert_int_equal(ing_user_id_check("a\xff", 2, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "UTF-8"));
    memset(big, 'u', sizeof(big));
    assert_int_equal(ing_user_id_check(big, ING_USER_ID_MAX, err, sizeof(err)), 0);
    assert_int_equal(ing_user_id_check(big, ING_USER_ID_MAX + 1, err, sizeof(err)), -1);
}

static void test_key_value_check(void **state)
{
    static const char *const bad[] = {
        "alice/x", "x{sha256}", "a b", "a\tb", "a%2Fb", "a\\b", "a\x01", "caf\xc3\xa9", "$x",
    };
    char err[256];
    size_t i;

    (void) state;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(ing_key_value_check("user", bad[i], strlen(bad[i]), err, sizeof(err)), -1);
        assert_non_null(strstr(err, "the value of $user holds a character not allowed"));
    }
    assert_int_equal(ing_key_value_check("user", "alice-42_A.b=c!*'()", 19, err, sizeof(err)), 0);
    assert_int_equal(ing_key_value_check("user", "", 0, err, sizeof(err)), 0);
    /* ".." passes here: the full key's check refuses it */
    assert_int_equal(ing_key_value_check("user", "..", 2, err, sizeof(err)), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_event_structure),
        cmocka_unit_test(test_event_local_storage),
        cmocka_unit_test(test_event_errors),
        cmocka_unit_test(test_event_special_characters),
        cmocka_unit_test(test_key_encode),
        cmocka_unit_test(test_event_time),
        cmocka_unit_test(test_event_attrs),
        cmocka_unit_test(test_response_success),
        cmocka_unit_test(test_error_body),
        cmocka_unit_test(test_utf8),
        cmocka_unit_test(test_image_id),
        cmocka_unit_test(test_key_expand),
        cmocka_unit_test(test_key_template_errors),
        cmocka_unit_test(test_key_traversal),
        cmocka_unit_test(test_key_check),
        cmocka_unit_test(test_key_value_check),
        cmocka_unit_test(test_event_user),
    };

    return cmocka_run_group_tests_name("event", tests, NULL, NULL);
}
