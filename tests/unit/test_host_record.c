/*
 * test_host_record — the image record's UpdateItems (host/record.c), the
 * completion event (host/completion.c) and FIFO batch order
 * (host/fifo.c), all without I/O: the expressions, attribute names and
 * typed values built for a route, the event's JSON, and which messages
 * of a FIFO batch may run after one was left for a retry.
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

#include "completion.h"
#include "dynamodb.h"
#include "fifo.h"
#include "record.h"

/* An upload event as message.c would fill it (strings not owned). */
static host_event_t sample_event(void)
{
    host_event_t ev;

    memset(&ev, 0, sizeof(ev));
    ev.kind = HOST_MSG_IMAGE;
    ev.bucket = (char *) "prism-ingest";
    ev.key = (char *) "2026/01/02/abc.jpg";
    ev.size = 12345;
    ev.image_id = (char *) "abc";
    ev.content_type = (char *) "image/jpeg";
    ev.width = 640;
    ev.height = 480;
    ev.sha256 = (char *) "e3b0c442";
    ev.request_id = (char *) "req-1";
    return ev;
}

static const host_output_ref_t sample_outputs[2] = {
    { "2026/01/02/abc.thumbnail.128.jpg", 2048, 128, 96, "image/jpeg" },
    { "2026/01/02/abc.thumbnail.256.jpg", 6000, 256, 192, "image/jpeg" },
};

static host_route_result_t sample_result(int ok)
{
    host_route_result_t r = {
        .route = "thumbnail",
        .bucket = ok ? "photos-derived" : NULL,
        .ok = ok,
        .reason = ok ? NULL : "plugin thumbnail: corrupt JPEG",
        .plugin = "thumbnail",
        .plugin_version = "1.2.0",
        .at = "2026-01-02T03:04:05.678Z",
        .processing_ms = 42,
        .outputs = ok ? sample_outputs : NULL,
        .noutputs = ok ? 2 : 0,
    };
    return r;
}

/* Asserts that the typed value V is {"S": EXPECTED}. */
static void assert_s(const json_t *v, const char *expected)
{
    assert_int_equal(aws_ddb_type(v), AWS_DDB_S);
    assert_string_equal(json_string_value(json_object_get(v, "S")), expected);
}

/* Asserts that the typed value V is {"N": EXPECTED}. */
static void assert_n(const json_t *v, const char *expected)
{
    assert_int_equal(aws_ddb_type(v), AWS_DDB_N);
    assert_string_equal(json_string_value(json_object_get(v, "N")), expected);
}

/* Step 1: every original attribute if_not_exists, routes an empty map. */
static void test_originals_update(void **state)
{
    host_event_t ev = sample_event();
    host_record_update_t u;
    char err[256];
    static const char *const attrs[] = { "routes", "bucket", "key",  "contentType",
                                         "width",  "height", "size", "sha256" };
    char part[128];

    (void) state;
    assert_int_equal(host_record_originals_update(&ev, &u, err, sizeof(err)), 0);
    assert_int_equal(strncmp(u.update, "SET ", 4), 0);
    for (size_t i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++) {
        snprintf(part, sizeof(part), "#%s = if_not_exists(#%s, :%s)", attrs[i], attrs[i], attrs[i]);
        if (strstr(u.update, part) == NULL)
            fail_msg("\"%s\" not in \"%s\"", part, u.update);
        snprintf(part, sizeof(part), "#%s", attrs[i]);
        assert_string_equal(json_string_value(json_object_get(u.names, part)), attrs[i]);
    }
    assert_int_equal(json_object_size(u.names), 8);
    assert_int_equal(json_object_size(u.values), 8);
    assert_int_equal(aws_ddb_type(json_object_get(u.values, ":routes")), AWS_DDB_M);
    assert_int_equal(json_object_size(json_object_get(json_object_get(u.values, ":routes"), "M")),
                     0);
    assert_s(json_object_get(u.values, ":bucket"), "prism-ingest");
    assert_s(json_object_get(u.values, ":key"), "2026/01/02/abc.jpg");
    assert_s(json_object_get(u.values, ":contentType"), "image/jpeg");
    assert_n(json_object_get(u.values, ":width"), "640");
    assert_n(json_object_get(u.values, ":height"), "480");
    assert_n(json_object_get(u.values, ":size"), "12345");
    assert_s(json_object_get(u.values, ":sha256"), "e3b0c442");
    host_record_update_free(&u);

    /* The uploader, when the event names one, is the image's owner. */
    ev.user_id = (char *) "alice-42";
    assert_int_equal(host_record_originals_update(&ev, &u, err, sizeof(err)), 0);
    assert_non_null(strstr(u.update, "#userId = if_not_exists(#userId, :userId)"));
    assert_string_equal(json_string_value(json_object_get(u.names, "#userId")), "userId");
    assert_s(json_object_get(u.values, ":userId"), "alice-42");
    host_record_update_free(&u);
    ev.user_id = NULL;

    /* What the event does not know is left out. */
    ev.sha256 = NULL;
    ev.content_type = NULL;
    ev.width = ev.height = 0;
    ev.size = -1;
    assert_int_equal(host_record_originals_update(&ev, &u, err, sizeof(err)), 0);
    assert_string_equal(
        u.update, "SET #routes = if_not_exists(#routes, :routes), "
                  "#bucket = if_not_exists(#bucket, :bucket), #key = if_not_exists(#key, :key)");
    assert_int_equal(json_object_size(u.values), 3);
    assert_null(json_object_get(u.values, ":sha256"));
    host_record_update_free(&u);
}

/* Step 2 for an ok route: one path, the route's map with its outputs. */
static void test_route_update_ok(void **state)
{
    host_route_result_t res = sample_result(1);
    host_record_update_t u;
    char err[256];
    const json_t *m, *outs, *o;

    (void) state;
    assert_int_equal(host_record_route_update(&res, &u, err, sizeof(err)), 0);
    assert_string_equal(u.update, "SET #routes.#route = :route");
    assert_int_equal(json_object_size(u.names), 2);
    assert_string_equal(json_string_value(json_object_get(u.names, "#routes")), "routes");
    assert_string_equal(json_string_value(json_object_get(u.names, "#route")), "thumbnail");
    assert_int_equal(json_object_size(u.values), 1);
    m = json_object_get(json_object_get(u.values, ":route"), "M");
    assert_non_null(m);
    assert_s(json_object_get(m, "status"), "ok");
    assert_s(json_object_get(m, "plugin"), "thumbnail");
    assert_s(json_object_get(m, "pluginVersion"), "1.2.0");
    assert_s(json_object_get(m, "at"), "2026-01-02T03:04:05.678Z");
    assert_n(json_object_get(m, "processingMs"), "42");
    assert_s(json_object_get(m, "bucket"), "photos-derived");
    assert_null(json_object_get(m, "reason"));
    outs = json_object_get(json_object_get(m, "outputs"), "L");
    assert_int_equal(json_array_size(outs), 2);
    o = json_object_get(json_array_get(outs, 1), "M");
    assert_s(json_object_get(o, "key"), "2026/01/02/abc.thumbnail.256.jpg");
    assert_n(json_object_get(o, "size"), "6000");
    assert_n(json_object_get(o, "width"), "256");
    assert_n(json_object_get(o, "height"), "192");
    assert_s(json_object_get(o, "contentType"), "image/jpeg");
    host_record_update_free(&u);
}

/* Step 2 for a rejected route: status, reason, no outputs. */
static void test_route_update_rejected(void **state)
{
    host_route_result_t res = sample_result(0);
    host_record_update_t u;
    char err[256];
    const json_t *m;

    (void) state;
    assert_int_equal(host_record_route_update(&res, &u, err, sizeof(err)), 0);
    m = json_object_get(json_object_get(u.values, ":route"), "M");
    assert_s(json_object_get(m, "status"), "rejected");
    assert_s(json_object_get(m, "reason"), "plugin thumbnail: corrupt JPEG");
    assert_int_equal(json_array_size(json_object_get(json_object_get(m, "outputs"), "L")), 0);
    host_record_update_free(&u);

    /* Invalid UTF-8 cannot become an S value: an error, nothing leaked. */
    res.route = "thumbnail";
    res.reason = "bad \xff byte";
    assert_int_equal(host_record_route_update(&res, &u, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "thumbnail"));
    assert_null(u.update);
}

/* The completion event's JSON. */
static void test_completion_json(void **state)
{
    host_event_t ev = sample_event();
    host_route_result_t res = sample_result(1);
    char *text;
    json_t *doc, *o;

    (void) state;
    text = host_completion_json(&ev, &res);
    assert_non_null(text);
    doc = json_loads(text, 0, NULL);
    assert_non_null(doc);
    assert_string_equal(json_string_value(json_object_get(doc, "imageId")), "abc");
    assert_string_equal(json_string_value(json_object_get(doc, "originalKey")),
                        "2026/01/02/abc.jpg");
    assert_string_equal(json_string_value(json_object_get(doc, "bucket")), "prism-ingest");
    assert_string_equal(json_string_value(json_object_get(doc, "route")), "thumbnail");
    assert_string_equal(json_string_value(json_object_get(doc, "requestId")), "req-1");
    assert_string_equal(json_string_value(json_object_get(doc, "plugin")), "thumbnail");
    assert_string_equal(json_string_value(json_object_get(doc, "pluginVersion")), "1.2.0");
    assert_string_equal(json_string_value(json_object_get(doc, "status")), "ok");
    assert_int_equal(json_integer_value(json_object_get(doc, "processingMs")), 42);
    assert_int_equal(json_array_size(json_object_get(doc, "outputs")), 2);
    o = json_array_get(json_object_get(doc, "outputs"), 0);
    assert_string_equal(json_string_value(json_object_get(o, "key")),
                        "2026/01/02/abc.thumbnail.128.jpg");
    assert_int_equal(json_integer_value(json_object_get(o, "size")), 2048);
    assert_int_equal(json_integer_value(json_object_get(o, "width")), 128);
    assert_int_equal(json_integer_value(json_object_get(o, "height")), 96);
    assert_string_equal(json_string_value(json_object_get(o, "contentType")), "image/jpeg");
    json_decref(doc);
    free(text);

    ev.request_id = NULL;
    ev.image_id = NULL;
    text = host_completion_json(&ev, &res);
    doc = json_loads(text, 0, NULL);
    assert_true(json_is_null(json_object_get(doc, "requestId")));
    assert_true(json_is_null(json_object_get(doc, "imageId")));
    json_decref(doc);
    free(text);
}

/* Output dimensions come from the bytes; unknown bytes give 0 x 0. */
static void test_output_probe(void **state)
{
    host_output_ref_t ref;
    char at[40];
    unsigned char png[8192];
    size_t n;
    FILE *f = fopen("tests/data/images/png-rgb.png", "rb");

    (void) state;
    assert_non_null(f);
    n = fread(png, 1, sizeof(png), f);
    fclose(f);
    memset(&ref, 0, sizeof(ref));
    host_output_ref_probe(&ref, png, n);
    assert_int_equal(ref.width, 150);
    assert_int_equal(ref.height, 91);
    host_output_ref_probe(&ref, "not an image", 12);
    assert_int_equal(ref.width, 0);
    assert_int_equal(ref.height, 0);

    host_iso8601_now(at, sizeof(at));
    assert_int_equal(strlen(at), 24);
    assert_true(at[4] == '-' && at[10] == 'T' && at[19] == '.' && at[23] == 'Z');
}

/* FIFO: a left message holds back later ones of its group only. */
static void test_fifo_groups(void **state)
{
    const char *const groups[] = { "a", "b", "a", "c", "b", "a" };
    host_fifo_batch_t b;

    (void) state;
    host_fifo_init(&b, groups, 6);
    assert_int_equal(host_fifo_may_run(&b, 0), 1);
    host_fifo_left(&b, 0);                         /* a fails: retry */
    assert_int_equal(host_fifo_may_run(&b, 1), 1); /* b goes on */
    assert_int_equal(host_fifo_may_run(&b, 2), 0); /* a held back */
    assert_int_equal(host_fifo_may_run(&b, 3), 1); /* c goes on */
    assert_int_equal(host_fifo_may_run(&b, 4), 1); /* b goes on */
    assert_int_equal(host_fifo_may_run(&b, 5), 0); /* a still held back */
    assert_int_equal(host_fifo_may_run(&b, 6), 0); /* out of range */

    /* Without a failure, everything runs in order. */
    host_fifo_init(&b, groups, 6);
    for (size_t i = 0; i < 6; i++)
        assert_int_equal(host_fifo_may_run(&b, i), 1);

    /* A later failure holds back only what comes after it. */
    host_fifo_init(&b, groups, 6);
    assert_int_equal(host_fifo_may_run(&b, 0), 1);
    assert_int_equal(host_fifo_may_run(&b, 1), 1);
    host_fifo_left(&b, 1);
    assert_int_equal(host_fifo_may_run(&b, 2), 1);
    assert_int_equal(host_fifo_may_run(&b, 4), 0);
}

/* Unknown groups (NULL) are one shared group. */
static void test_fifo_shared_group(void **state)
{
    host_fifo_batch_t b;

    (void) state;
    host_fifo_init(&b, NULL, 4);
    assert_int_equal(host_fifo_may_run(&b, 0), 1);
    assert_int_equal(host_fifo_may_run(&b, 1), 1);
    host_fifo_left(&b, 1);
    assert_int_equal(host_fifo_may_run(&b, 2), 0);
    assert_int_equal(host_fifo_may_run(&b, 3), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_originals_update),      cmocka_unit_test(test_route_update_ok),
        cmocka_unit_test(test_route_update_rejected), cmocka_unit_test(test_completion_json),
        cmocka_unit_test(test_output_probe),          cmocka_unit_test(test_fifo_groups),
        cmocka_unit_test(test_fifo_shared_group),
    };

    return cmocka_run_group_tests_name("host_record", tests, NULL, NULL);
}
