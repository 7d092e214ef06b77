/*
 * test_image_record — the image record's one home (ingress/image_record.c):
 * written as prism-host writes it (the original's attributes, each if not
 * there yet, then one route's map per UpdateItem), applied to an item the
 * way DynamoDB applies those updates, and read back as the module's
 * lookup reads it: the owner, the plain record, every output with the
 * bucket it is in.
 *
 * Compatibility.  Hosts and modules of different versions share one
 * table: a record an older host wrote must read in a newer module and the
 * other way round.  GOLDEN_ORIGINAL and GOLDEN_ROUTE are the typed values
 * prism-host writes (a change that alters them changes what older
 * modules read: add attributes, never rename or retype one), and
 * OLDER_ITEM, a record as hosts before this file wrote it, must read.
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

#include "dynamodb.h"
#include "image_record.h"

#define ID "0194bd2c-5e6f-7a1b-8c2d-3e4f5a6b7c8d"

/* The typed values of sample_original() and sample_routes()[0]. */
#define GOLDEN_ORIGINAL                                                                            \
    "{\"routes\":{\"M\":{}},\"bucket\":{\"S\":\"prism-ingest\"},\"key\":{\"S\":"                   \
    "\"originals/2024/05/01/" ID ".jpg\"},\"contentType\":{\"S\":\"image/jpeg\"},\"width\":"       \
    "{\"N\":\"1024\"},\"height\":{\"N\":\"768\"},\"size\":{\"N\":\"183211\"},\"sha256\":"          \
    "{\"S\":\"abab\"},\"userId\":{\"S\":\"ann\"}}"
#define GOLDEN_ROUTE                                                                               \
    "{\"M\":{\"outputs\":{\"L\":[{\"M\":{\"key\":{\"S\":\"originals/2024/05/01/" ID                \
    "/thumbnail/256.jpg\"},\"size\":{\"N\":\"9021\"},\"width\":{\"N\":\"256\"},\"height\":"        \
    "{\"N\":\"192\"},\"contentType\":{\"S\":\"image/jpeg\"}}},{\"M\":{\"key\":{\"S\":"             \
    "\"originals/2024/05/01/" ID "/thumbnail/my 64+\xc3\xbc%.jpg\"},\"size\":{\"N\":\"1333\"},"    \
    "\"width\":{\"N\":\"64\"},\"height\":{\"N\":\"48\"},\"contentType\":{\"S\":\"image/jpeg\"}}}"  \
    "]},\"status\":{\"S\":\"ok\"},\"plugin\":{\"S\":\"thumbnail\"},\"pluginVersion\":{\"S\":"      \
    "\"1.2.0\"},\"at\":{\"S\":\"2024-05-01T12:00:02.345Z\"},\"processingMs\":{\"N\":\"42\"},"      \
    "\"bucket\":{\"S\":\"prism-derived\"}}}"

/* A record as hosts before image_record.c wrote it (GetItem's Item). */
#define OLDER_ITEM                                                                                 \
    "{\"imageId\":{\"S\":\"old-1\"},\"routes\":{\"M\":{\"webp\":{\"M\":{\"outputs\":{\"L\":"       \
    "[{\"M\":{\"key\":{\"S\":\"o/old-1/webp/image.webp\"},\"size\":{\"N\":\"40112\"},\"width\":"   \
    "{\"N\":\"1024\"},\"height\":{\"N\":\"768\"},\"contentType\":{\"S\":\"image/webp\"}}}]},"      \
    "\"status\":{\"S\":\"ok\"},\"plugin\":{\"S\":\"webp\"},\"pluginVersion\":{\"S\":\"1.0.1\"},"   \
    "\"at\":{\"S\":\"2025-01-02T03:04:06.000Z\"},\"processingMs\":{\"N\":\"12\"}}}}},"             \
    "\"bucket\":{\"S\":\"prism-ingest\"},\"key\":{\"S\":\"o/old-1.jpg\"},\"userId\":"              \
    "{\"S\":\"bob\"}}"

static const ing_record_output_t thumbnails[2] = {
    { "originals/2024/05/01/" ID "/thumbnail/256.jpg", 9021, 256, 192, "image/jpeg" },
    { "originals/2024/05/01/" ID "/thumbnail/my 64+\xc3\xbc%.jpg", 1333, 64, 48, "image/jpeg" },
};
static const ing_record_output_t webps[1] = {
    { "originals/2024/05/01/" ID "/webp/image.webp", 40112, 1024, 768, "image/webp" },
};

static ing_record_original_t sample_original(void)
{
    ing_record_original_t o = {
        .bucket = "prism-ingest",
        .key = "originals/2024/05/01/" ID ".jpg",
        .content_type = "image/jpeg",
        .width = 1024,
        .height = 768,
        .size = 183211,
        .sha256 = "abab",
        .user_id = "ann",
    };

    return o;
}

/* thumbnail into its own bucket, webp into the original's, watermark
 * rejected. */
static void sample_routes(ing_record_route_t r[3])
{
    const ing_record_route_t routes[3] = {
        { "thumbnail", "prism-derived", 1, NULL, "thumbnail", "1.2.0", "2024-05-01T12:00:02.345Z",
          42, thumbnails, 2 },
        { "webp", NULL, 1, NULL, "webp", "1.0.1", "2024-05-01T12:00:01.500Z", 120, webps, 1 },
        { "watermark", NULL, 0, "unsupported: CMYK", "watermark", "0.9.0",
          "2024-05-01T12:00:01.000Z", 7, NULL, 0 },
    };

    memcpy(r, routes, sizeof(routes));
}

/* Applies "SET #a = if_not_exists(#a, :a), ..." of ATTRS to ITEM, as
 * DynamoDB does: an attribute already there stays. */
static void apply_original(json_t *item, json_t *attrs)
{
    const char *name;
    json_t *v;

    json_object_foreach(attrs, name, v)
    {
        if (json_object_get(item, name) == NULL) {
            json_object_set(item, name, v);
        }
    }
}

/* Applies "SET #routes.#route = :route" to ITEM. */
static void apply_route(json_t *item, const char *route, json_t *value)
{
    json_t *routes = json_object_get(json_object_get(item, ING_RECORD_ROUTES), "M");

    assert_non_null(routes);
    assert_int_equal(json_object_set_new(routes, route, value), 0);
}

/* The item a host leaves after writing the sample's routes, in the
 * order given (each route's host writes the original's attributes
 * first). */
static json_t *written_item(const int order[3])
{
    ing_record_original_t o = sample_original();
    ing_record_route_t r[3];
    json_t *item = json_object(), *key, *attrs;
    int i;

    sample_routes(r);
    key = ing_record_key(ID);
    assert_non_null(key);
    json_object_update(item, key);
    json_decref(key);
    for (i = 0; i < 3; i++) {
        attrs = ing_record_original_attrs(&o);
        assert_non_null(attrs);
        apply_original(item, attrs);
        json_decref(attrs);
        apply_route(item, r[order[i]].route, ing_record_route_value(&r[order[i]]));
    }
    return item;
}

/* The plain record of a typed item, as the lookup answers it. */
static json_t *plain(json_t *item)
{
    aws_error_t err;
    json_t *typed = aws_ddb_m(json_incref(item)), *record;

    assert_non_null(typed);
    record = aws_ddb_to_json(typed, &err);
    json_decref(typed);
    if (record == NULL) {
        fail_msg("%s", err.message);
    }
    return record;
}

/* What ing_record_outputs() gave: "bucket key" per output, in order. */
typedef struct {
    char seen[8][1300];
    int n;
    int stop_after; /* 0: never */
} walk_t;

static int collect(json_t *output, const char *bucket, const char *key, void *data)
{
    walk_t *w = data;

    assert_true(w->n < 8);
    snprintf(w->seen[w->n++], sizeof(w->seen[0]), "%s %s", bucket != NULL ? bucket : "-", key);
    json_object_set_new(output, "url", json_string("u"));
    return w->stop_after != 0 && w->n >= w->stop_after ? -1 : 0;
}

static const char *jstr(const json_t *v, const char *name)
{
    return json_string_value(json_object_get(v, name));
}

static long long jint(const json_t *v, const char *name)
{
    json_t *n = json_object_get(v, name);

    assert_true(json_is_integer(n));
    return json_integer_value(n);
}

/* Checks that the plain route ROUTE of RECORD says what R says. */
static void assert_route(const json_t *record, const ing_record_route_t *r)
{
    json_t *m = json_object_get(json_object_get(record, ING_RECORD_ROUTES), r->route);
    json_t *outs = json_object_get(m, ING_RECORD_OUTPUTS), *o;
    size_t i;

    assert_non_null(m);
    assert_string_equal(jstr(m, ING_RECORD_STATUS),
                        r->ok ? ING_RECORD_STATUS_OK : ING_RECORD_STATUS_REJECTED);
    assert_string_equal(jstr(m, ING_RECORD_PLUGIN), r->plugin);
    assert_string_equal(jstr(m, ING_RECORD_PLUGIN_VERSION), r->plugin_version);
    assert_string_equal(jstr(m, ING_RECORD_AT), r->at);
    assert_int_equal(jint(m, ING_RECORD_PROCESSING_MS), r->processing_ms);
    if (r->bucket != NULL) {
        assert_string_equal(jstr(m, ING_RECORD_BUCKET), r->bucket);
    } else {
        assert_null(json_object_get(m, ING_RECORD_BUCKET));
    }
    if (r->ok) {
        assert_null(json_object_get(m, ING_RECORD_REASON));
    } else {
        assert_string_equal(jstr(m, ING_RECORD_REASON), r->reason);
    }
    assert_int_equal(json_array_size(outs), r->noutputs);
    for (i = 0; i < r->noutputs; i++) {
        o = json_array_get(outs, i);
        assert_string_equal(jstr(o, ING_RECORD_KEY), r->outputs[i].key);
        assert_int_equal(jint(o, ING_RECORD_SIZE), r->outputs[i].size);
        assert_int_equal(jint(o, ING_RECORD_WIDTH), r->outputs[i].width);
        assert_int_equal(jint(o, ING_RECORD_HEIGHT), r->outputs[i].height);
        assert_string_equal(jstr(o, ING_RECORD_CONTENT_TYPE), r->outputs[i].content_type);
    }
}

/* Written, then read: every attribute, every route, every output. */
static void test_round_trip(void **state)
{
    static const int orders[3][3] = { { 0, 1, 2 }, { 2, 1, 0 }, { 1, 0, 2 } };
    ing_record_original_t o = sample_original();
    ing_record_route_t r[3];
    json_t *item, *record;
    walk_t w;
    const char *owner;
    size_t len, i, k;

    (void) state;
    sample_routes(r);
    for (k = 0; k < 3; k++) {
        item = written_item(orders[k]);

        owner = ing_record_owner(item, &len);
        assert_non_null(owner);
        assert_int_equal(len, 3);
        assert_memory_equal(owner, "ann", 3);

        record = plain(item);
        assert_string_equal(jstr(record, ING_RECORD_IMAGE_ID), ID);
        assert_string_equal(jstr(record, ING_RECORD_BUCKET), o.bucket);
        assert_string_equal(jstr(record, ING_RECORD_KEY), o.key);
        assert_string_equal(jstr(record, ING_RECORD_CONTENT_TYPE), o.content_type);
        assert_int_equal(jint(record, ING_RECORD_WIDTH), o.width);
        assert_int_equal(jint(record, ING_RECORD_HEIGHT), o.height);
        assert_int_equal(jint(record, ING_RECORD_SIZE), o.size);
        assert_string_equal(jstr(record, ING_RECORD_SHA256), o.sha256);
        assert_string_equal(jstr(record, ING_RECORD_USER_ID), o.user_id);
        assert_int_equal(json_object_size(json_object_get(record, ING_RECORD_ROUTES)), 3);
        for (i = 0; i < 3; i++) {
            assert_route(record, &r[i]);
        }

        /* each output in its bucket: the route's, else the original's */
        memset(&w, 0, sizeof(w));
        assert_int_equal(ing_record_outputs(record, collect, &w), 0);
        assert_int_equal(w.n, 3);
        for (i = 0; i < 3; i++) {
            const char *want[3] = {
                "prism-derived originals/2024/05/01/" ID "/thumbnail/256.jpg",
                "prism-derived originals/2024/05/01/" ID "/thumbnail/my 64+\xc3\xbc%.jpg",
                "prism-ingest originals/2024/05/01/" ID "/webp/image.webp",
            };
            int found = 0;

            for (int j = 0; j < w.n; j++) {
                found |= strcmp(w.seen[j], want[i]) == 0;
            }
            if (!found) {
                fail_msg("order %zu: no \"%s\"", k, want[i]);
            }
        }
        /* the handler may change the output (the lookup adds its url) */
        assert_string_equal(
            jstr(json_array_get(
                     json_object_get(
                         json_object_get(json_object_get(record, ING_RECORD_ROUTES), "webp"),
                         ING_RECORD_OUTPUTS),
                     0),
                 "url"),
            "u");
        json_decref(record);
        json_decref(item);
    }
}

/* What the event does not know is left out of the record. */
static void test_original_unknowns(void **state)
{
    ing_record_original_t o = { .size = -1 };
    json_t *attrs;

    (void) state;
    attrs = ing_record_original_attrs(&o);
    assert_non_null(attrs);
    assert_int_equal(json_object_size(attrs), 1);
    assert_non_null(json_object_get(attrs, ING_RECORD_ROUTES));
    json_decref(attrs);

    o.size = 0;
    o.key = "k";
    attrs = ing_record_original_attrs(&o);
    assert_int_equal(json_object_size(attrs), 3);
    assert_string_equal(json_string_value(json_object_get(json_object_get(attrs, "size"), "N")),
                        "0");
    json_decref(attrs);
}

/* The bytes pinned (see the top of the file). */
static void test_golden(void **state)
{
    ing_record_original_t o = sample_original();
    ing_record_route_t r[3];
    json_t *v;
    char *text;

    (void) state;
    sample_routes(r);
    v = ing_record_original_attrs(&o);
    text = json_dumps(v, JSON_COMPACT);
    assert_string_equal(text, GOLDEN_ORIGINAL);
    free(text);
    json_decref(v);
    v = ing_record_route_value(&r[0]);
    text = json_dumps(v, JSON_COMPACT);
    assert_string_equal(text, GOLDEN_ROUTE);
    free(text);
    json_decref(v);
    v = ing_record_key(ID);
    text = json_dumps(v, JSON_COMPACT);
    assert_string_equal(text, "{\"imageId\":{\"S\":\"" ID "\"}}");
    free(text);
    json_decref(v);
}

/* A record an older host wrote reads. */
static void test_older_item(void **state)
{
    json_t *item = json_loads(OLDER_ITEM, 0, NULL), *record;
    const char *owner;
    size_t len;
    walk_t w;

    (void) state;
    assert_non_null(item);
    owner = ing_record_owner(item, &len);
    assert_non_null(owner);
    assert_int_equal(len, 3);
    record = plain(item);
    memset(&w, 0, sizeof(w));
    assert_int_equal(ing_record_outputs(record, collect, &w), 0);
    assert_int_equal(w.n, 1);
    assert_string_equal(w.seen[0], "prism-ingest o/old-1/webp/image.webp");
    json_decref(record);
    json_decref(item);
}

/* Parts missing or of other shapes are passed over; an output's own
 * bucket wins; a handler can stop the walk. */
static void test_reader_shapes(void **state)
{
    json_t *record = json_loads(
        "{\"routes\":{\"broken\":\"not a map\",\"noouts\":{\"status\":\"ok\",\"outputs\":\"none\"},"
        "\"nobucket\":{\"status\":\"ok\",\"outputs\":[{\"size\":1},{\"key\":\"k/x.jpg\"},7,"
        "{\"key\":5},{\"key\":\"k/y.jpg\",\"bucket\":\"own\"}]}}}",
        0, NULL);
    walk_t w;

    (void) state;
    assert_non_null(record);
    memset(&w, 0, sizeof(w));
    assert_int_equal(ing_record_outputs(record, collect, &w), 0);
    assert_int_equal(w.n, 2);
    assert_string_equal(w.seen[0], "- k/x.jpg");
    assert_string_equal(w.seen[1], "own k/y.jpg");

    memset(&w, 0, sizeof(w));
    w.stop_after = 1;
    assert_int_equal(ing_record_outputs(record, collect, &w), -1);
    assert_int_equal(w.n, 1);
    json_decref(record);

    /* no routes, or routes of another shape: nothing to walk */
    record = json_pack("{s:s}", "routes", "x");
    memset(&w, 0, sizeof(w));
    assert_int_equal(ing_record_outputs(record, collect, &w), 0);
    assert_int_equal(w.n, 0);
    json_decref(record);
    record = json_object();
    assert_int_equal(ing_record_outputs(record, collect, &w), 0);
    json_decref(record);
}

/* The owner: only an S attribute; its length counts (a NUL inside). */
static void test_owner(void **state)
{
    json_t *item = json_loads("{\"userId\":{\"N\":\"5\"}}", 0, NULL);
    size_t len = 99;

    (void) state;
    assert_null(ing_record_owner(item, &len));
    json_decref(item);
    item = json_object();
    assert_null(ing_record_owner(item, &len));
    json_object_set_new(item, ING_RECORD_USER_ID, json_pack("{s:s#}", "S", "a\0b", 3));
    assert_non_null(ing_record_owner(item, &len));
    assert_int_equal(len, 3);
    json_decref(item);
}

/* A value DynamoDB cannot hold (not UTF-8) is refused, nothing leaked. */
static void test_writer_errors(void **state)
{
    ing_record_original_t o = sample_original();
    ing_record_route_t r[3];

    (void) state;
    sample_routes(r);
    assert_null(ing_record_key("bad \xff"));
    o.sha256 = "bad \xff";
    assert_null(ing_record_original_attrs(&o));
    r[2].reason = "bad \xff";
    assert_null(ing_record_route_value(&r[2]));
    r[1].plugin = NULL;
    assert_null(ing_record_route_value(&r[1]));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),    cmocka_unit_test(test_original_unknowns),
        cmocka_unit_test(test_golden),        cmocka_unit_test(test_older_item),
        cmocka_unit_test(test_reader_shapes), cmocka_unit_test(test_owner),
        cmocka_unit_test(test_writer_errors),
    };

    return cmocka_run_group_tests_name("image_record", tests, NULL, NULL);
}
