/*
 * test_host_outputs — what a plugin may emit (host/outputs.c): suffix and
 * content-type rules, duplicates, the per-message limits, reasons, and
 * buffer reuse between messages; and the Prometheus text of the shared
 * counters (host/metrics.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "metrics.h"
#include "outputs.h"

static void test_emit_rules(void **state)
{
    host_outputs_t o;
    prism_output_t *api = &o.api;

    (void) state;
    host_outputs_init(&o);
    host_log_open(NULL, HOST_LOG_ERROR, NULL, 0); /* refusals are logged as warnings */
    host_outputs_reset(&o, NULL);
    assert_int_equal(api->emit(api, "256.jpg", "image/jpeg", "abc", 3), 0);
    assert_int_equal(api->emit(api, "meta.json", NULL, "{}", 2), 0);
    assert_int_equal(api->emit(api, "empty.bin", "application/octet-stream", NULL, 0), 0);
    assert_int_equal(o.n, 3);
    assert_string_equal(o.items[0].suffix, "256.jpg");
    assert_string_equal(o.items[0].content_type, "image/jpeg");
    assert_memory_equal(o.items[0].data, "abc", 3);
    assert_string_equal(o.items[1].content_type, "application/octet-stream");
    assert_int_equal(o.items[2].len, 0);
    assert_int_equal(o.total, 5);

    assert_int_equal(api->emit(api, "256.jpg", "image/jpeg", "x", 1), -1);
    assert_non_null(strstr(o.refused, "emitted twice"));
    assert_int_equal(api->emit(api, "../x", "image/jpeg", "x", 1), -1);
    assert_non_null(strstr(o.refused, "suffix"));
    assert_int_equal(api->emit(api, NULL, "image/jpeg", "x", 1), -1);
    assert_int_equal(api->emit(api, "ok.bin", "not a type", "x", 1), -1);
    assert_non_null(strstr(o.refused, "content type"));
    assert_int_equal(api->emit(api, "ok.bin", "image/jpeg\r\nX-Evil: 1", "x", 1), -1);
    assert_int_equal(api->emit(api, "ok.bin", "image/jpeg", NULL, 4), -1);
    assert_int_equal(api->emit(api, "ok.bin", "text/plain; charset=utf-8", "x", 1), 0);
    assert_int_equal(o.n, 4);
    host_outputs_free(&o);
}

static void test_output_count_limit(void **state)
{
    host_outputs_t o;
    char suffix[16];

    (void) state;
    host_outputs_init(&o);
    host_outputs_reset(&o, NULL);
    for (int i = 0; i < HOST_OUTPUTS_MAX; i++) {
        snprintf(suffix, sizeof(suffix), "o%d", i);
        assert_int_equal(o.api.emit(&o.api, suffix, NULL, "x", 1), 0);
    }
    assert_int_equal(o.api.emit(&o.api, "one-more", NULL, "x", 1), -1);
    assert_non_null(strstr(o.refused, "more than"));
    host_outputs_free(&o);
}

/* Reasons are kept, control characters flattened; reset clears them and
 * the outputs but keeps the buffers. */
static void test_reason_and_reset(void **state)
{
    host_outputs_t o;
    unsigned char *first;

    (void) state;
    host_outputs_init(&o);
    host_outputs_reset(&o, NULL);
    o.api.set_reason(&o.api, "bad %s\nline %d", "header", 2);
    assert_string_equal(o.reason, "bad header line 2");
    assert_int_equal(o.api.emit(&o.api, "a", NULL, "abcdef", 6), 0);
    first = o.items[0].data;
    host_outputs_reset(&o, NULL);
    assert_int_equal(o.n, 0);
    assert_string_equal(o.reason, "");
    assert_int_equal(o.api.emit(&o.api, "b", NULL, "xyz", 3), 0);
    assert_ptr_equal(o.items[0].data, first); /* reused, smaller fits */
    assert_string_equal(o.items[0].suffix, "b");
    host_outputs_free(&o);
}

/* The metrics text: counters per route, cumulative buckets, in-flight
 * summed over worker slots, restarts. */
static void test_metrics_render(void **state)
{
    char err[128];
    host_metrics_t *m = host_metrics_create(err, sizeof(err));
    aws_buf_t out = AWS_BUF_INIT;
    const char *keep[] = { "thumb", "webp" };
    int a, b;

    (void) state;
    assert_non_null(m);
    a = host_metrics_route_slot(m, "thumb", keep, 2);
    b = host_metrics_route_slot(m, "webp", keep, 2);
    assert_true(a >= 0 && b >= 0 && a != b);
    assert_int_equal(host_metrics_route_slot(m, "thumb", keep, 2), a);
    host_metrics_inc(m, a, HOST_M_RECEIVED);
    host_metrics_inc(m, a, HOST_M_RECEIVED);
    host_metrics_inc(m, a, HOST_M_OK);
    host_metrics_inc(m, b, HOST_M_DEAD_LETTERED);
    host_metrics_observe(m, a, 0.003);
    host_metrics_observe(m, a, 0.7);
    host_metrics_observe(m, a, 100);
    host_metrics_in_flight(m, 0, a, 1);
    host_metrics_in_flight(m, 7, a, 2);
    host_metrics_in_flight(m, 7, b, 1);
    host_metrics_slot_reset(m, 7);
    host_metrics_worker_restart(m);
    assert_int_equal(host_metrics_render(m, 3, &out), 0);
    assert_non_null(strstr(out.data, "prism_messages_received_total{route=\"thumb\"} 2\n"));
    assert_non_null(strstr(out.data, "prism_messages_ok_total{route=\"thumb\"} 1\n"));
    assert_non_null(strstr(out.data, "prism_messages_dead_lettered_total{route=\"webp\"} 1\n"));
    assert_non_null(strstr(out.data, "prism_messages_ok_total{route=\"webp\"} 0\n"));
    assert_non_null(strstr(out.data, "prism_in_flight{route=\"thumb\"} 1\n"));
    assert_non_null(strstr(out.data, "prism_in_flight{route=\"webp\"} 0\n"));
    assert_non_null(
        strstr(out.data, "prism_processing_seconds_bucket{route=\"thumb\",le=\"0.005\"} 1\n"));
    assert_non_null(
        strstr(out.data, "prism_processing_seconds_bucket{route=\"thumb\",le=\"0.5\"} 1\n"));
    assert_non_null(
        strstr(out.data, "prism_processing_seconds_bucket{route=\"thumb\",le=\"1\"} 2\n"));
    assert_non_null(
        strstr(out.data, "prism_processing_seconds_bucket{route=\"thumb\",le=\"60\"} 2\n"));
    assert_non_null(
        strstr(out.data, "prism_processing_seconds_bucket{route=\"thumb\",le=\"+Inf\"} 3\n"));
    assert_non_null(strstr(out.data, "prism_processing_seconds_count{route=\"thumb\"} 3\n"));
    assert_non_null(strstr(out.data, "prism_processing_seconds_sum{route=\"thumb\"} 100.703000\n"));
    assert_non_null(strstr(out.data, "# TYPE prism_processing_seconds histogram\n"));
    assert_non_null(strstr(out.data, "prism_worker_restarts_total 1\n"));
    assert_non_null(strstr(out.data, "prism_workers 3\n"));
    aws_buf_free(&out);
    host_metrics_destroy(m);
}

/* When all route slots are taken, a name the current config does not
 * use is recycled, its counters reset. */
static void test_metrics_slot_recycling(void **state)
{
    char err[128], name[16];
    host_metrics_t *m = host_metrics_create(err, sizeof(err));
    const char *keep[] = { "r0", "new" };
    aws_buf_t out = AWS_BUF_INIT;

    (void) state;
    assert_non_null(m);
    for (int i = 0; i < HOST_METRICS_ROUTES; i++) {
        snprintf(name, sizeof(name), "r%d", i);
        assert_int_equal(host_metrics_route_slot(m, name, NULL, 0), i);
    }
    host_metrics_inc(m, 1, HOST_M_OK);
    assert_int_equal(host_metrics_route_slot(m, "new", keep, 2), 1); /* r0 is kept */
    assert_int_equal(host_metrics_render(m, 0, &out), 0);
    assert_non_null(strstr(out.data, "prism_messages_ok_total{route=\"new\"} 0\n"));
    assert_null(strstr(out.data, "{route=\"r1\"}"));
    assert_non_null(strstr(out.data, "{route=\"r0\"}"));
    aws_buf_free(&out);
    host_metrics_destroy(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_emit_rules),
        cmocka_unit_test(test_output_count_limit),
        cmocka_unit_test(test_reason_and_reset),
        cmocka_unit_test(test_metrics_render),
        cmocka_unit_test(test_metrics_slot_recycling),
    };

    return cmocka_run_group_tests_name("host_outputs", tests, NULL, NULL);
}
