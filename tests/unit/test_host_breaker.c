/*
 * test_host_breaker — the circuit breaker's state machine
 * (host/breaker.c): it opens after `threshold` transient failures in a
 * row, an answer ends the run, one caller at a time holds the probe, the
 * probe delays are full jitter under a growing, capped ceiling, and an
 * answer (probe or call) closes it.  Time is passed in: no sleeping.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "breaker.h"

static const host_breaker_conf_t conf = { 3, 1000, 8000 };

static void test_opens_after_threshold_in_a_row(void **state)
{
    host_breaker_t b;

    (void) state;
    assert_int_equal(host_breaker_init(&b, &conf, 1), 0);
    assert_int_equal(host_breaker_report(&b, 1, 0.0), HOST_BREAKER_SAME);
    assert_int_equal(host_breaker_report(&b, 1, 0.0), HOST_BREAKER_SAME);
    /* an answer (success or permanent error) ends the run */
    assert_int_equal(host_breaker_report(&b, 0, 0.0), HOST_BREAKER_SAME);
    assert_int_equal(host_breaker_report(&b, 1, 0.0), HOST_BREAKER_SAME);
    assert_int_equal(host_breaker_report(&b, 1, 0.0), HOST_BREAKER_SAME);
    assert_false(host_breaker_is_open(&b));
    assert_int_equal(host_breaker_report(&b, 1, 0.0), HOST_BREAKER_OPENED);
    assert_true(host_breaker_is_open(&b));
    /* further failures while open change nothing */
    assert_int_equal(host_breaker_report(&b, 1, 0.0), HOST_BREAKER_SAME);
    host_breaker_destroy(&b);
}

static void test_probe_is_held_by_one_caller(void **state)
{
    host_breaker_t b;
    unsigned wait;
    double now = 100.0;

    (void) state;
    assert_int_equal(host_breaker_init(&b, &conf, 2), 0);
    assert_false(host_breaker_claim_probe(&b, now, &wait)); /* closed: nothing to probe */
    assert_int_equal(wait, 0);
    for (int i = 0; i < conf.threshold; i++)
        host_breaker_report(&b, 1, now);
    /* the first probe is due within probe_base_ms */
    now += conf.probe_base_ms / 1000.0 + 0.001;
    assert_true(host_breaker_claim_probe(&b, now, &wait));
    assert_false(host_breaker_claim_probe(&b, now, &wait)); /* someone else probes */
    assert_int_equal(wait, 0);
    assert_int_equal(host_breaker_probed(&b, 0, now), HOST_BREAKER_SAME);
    assert_true(host_breaker_is_open(&b));
    host_breaker_destroy(&b);
}

static void test_probe_delays_are_capped_full_jitter(void **state)
{
    host_breaker_t b;
    unsigned wait;
    double now = 0.0;
    int below_half = 0;

    (void) state;
    assert_int_equal(host_breaker_init(&b, &conf, 3), 0);
    for (int i = 0; i < conf.threshold; i++)
        host_breaker_report(&b, 1, now);
    for (int n = 0; n < 200; n++) {
        unsigned ceiling = conf.probe_base_ms << (n < 3 ? n : 3);

        if (ceiling > conf.probe_max_ms)
            ceiling = conf.probe_max_ms;
        /* due at most `ceiling` after the previous probe (or the trip) */
        if (!host_breaker_claim_probe(&b, now, &wait)) {
            assert_in_range(wait, 1, ceiling + 1);
            below_half += wait < ceiling / 2;
            now += wait / 1000.0;
            assert_true(host_breaker_claim_probe(&b, now, &wait));
        }
        host_breaker_probed(&b, 0, now);
    }
    /* jitter: not always the ceiling */
    assert_true(below_half > 10);
    host_breaker_destroy(&b);
}

static void test_answer_closes(void **state)
{
    host_breaker_t b;
    unsigned wait;

    (void) state;
    assert_int_equal(host_breaker_init(&b, &conf, 4), 0);
    for (int i = 0; i < conf.threshold; i++)
        host_breaker_report(&b, 1, 0.0);
    assert_true(host_breaker_claim_probe(&b, 60.0, &wait));
    assert_int_equal(host_breaker_probed(&b, 1, 60.0), HOST_BREAKER_CLOSED);
    assert_false(host_breaker_is_open(&b));
    /* closed afresh: the run starts at zero */
    assert_int_equal(host_breaker_report(&b, 1, 61.0), HOST_BREAKER_SAME);
    assert_int_equal(host_breaker_report(&b, 1, 61.0), HOST_BREAKER_SAME);
    assert_int_equal(host_breaker_report(&b, 1, 61.0), HOST_BREAKER_OPENED);
    /* a call that gets an answer while open closes it too */
    assert_int_equal(host_breaker_report(&b, 0, 62.0), HOST_BREAKER_CLOSED);
    assert_int_equal(host_breaker_probed(&b, 1, 62.0), HOST_BREAKER_SAME);
    host_breaker_destroy(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_opens_after_threshold_in_a_row),
        cmocka_unit_test(test_probe_is_held_by_one_caller),
        cmocka_unit_test(test_probe_delays_are_capped_full_jitter),
        cmocka_unit_test(test_answer_closes),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
