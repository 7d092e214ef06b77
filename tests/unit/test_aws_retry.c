/*
 * test_aws_retry — backoff ceilings, full-jitter bounds and spread, the
 * retry decision and its deadline-aware form (aws/aws_retry.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "aws_retry.h"

#define DRAWS 4000

static void test_ceiling_doubles_then_caps(void **state)
{
    aws_retry_policy_t p = { 5, 100, 1000 };

    (void) state;
    assert_int_equal(aws_retry_ceiling_ms(&p, 0), 100);
    assert_int_equal(aws_retry_ceiling_ms(&p, 1), 200);
    assert_int_equal(aws_retry_ceiling_ms(&p, 2), 400);
    assert_int_equal(aws_retry_ceiling_ms(&p, 3), 800);
    assert_int_equal(aws_retry_ceiling_ms(&p, 4), 1000);
    assert_int_equal(aws_retry_ceiling_ms(&p, 62), 1000);
    assert_int_equal(aws_retry_ceiling_ms(&p, 1000000), 1000);
}

static void test_ceiling_never_overflows(void **state)
{
    aws_retry_policy_t p = { 5, 4000000000u, 4294967295u };

    (void) state;
    assert_int_equal(aws_retry_ceiling_ms(&p, 0), 4000000000u);
    assert_int_equal(aws_retry_ceiling_ms(&p, 40), 4294967295u);
}

static void test_full_jitter_stays_within_bounds_and_spreads(void **state)
{
    aws_retry_policy_t p = { 6, 100, 1500 };
    aws_rng_t rng;
    int retry, i;

    (void) state;
    aws_rng_seed(&rng, 42);
    for (retry = 0; retry < 6; retry++) {
        unsigned ceiling = aws_retry_ceiling_ms(&p, retry), lo = ceiling, hi = 0, d;
        unsigned long long sum = 0;

        for (i = 0; i < DRAWS; i++) {
            d = aws_retry_delay_ms(&p, retry, &rng);
            assert_true(d <= ceiling);
            lo = d < lo ? d : lo;
            hi = d > hi ? d : hi;
            sum += d;
        }
        /* full jitter: uniform over [0, ceiling], not a fixed or "equal" jitter */
        assert_true(lo <= ceiling / 20);
        assert_true(hi >= ceiling - ceiling / 20);
        assert_true(sum / DRAWS > ceiling * 2 / 5 && sum / DRAWS < ceiling * 3 / 5);
    }
}

static void test_same_seed_same_delays(void **state)
{
    aws_retry_policy_t p = { 4, 100, 10000 };
    aws_rng_t a, b, c;
    int i, differs = 0;

    (void) state;
    aws_rng_seed(&a, 7);
    aws_rng_seed(&b, 7);
    aws_rng_seed(&c, 8);
    for (i = 0; i < 100; i++) {
        unsigned x = aws_retry_delay_ms(&p, i % 8, &a);
        assert_int_equal(x, aws_retry_delay_ms(&p, i % 8, &b));
        differs |= x != aws_retry_delay_ms(&p, i % 8, &c);
    }
    assert_true(differs);
}

static void test_seed_zero_is_usable(void **state)
{
    aws_rng_t r;
    uint32_t first;
    int i, varied = 0;

    (void) state;
    aws_rng_seed(&r, 0);
    first = aws_rng_next(&r);
    for (i = 0; i < 10; i++) {
        varied |= aws_rng_next(&r) != first;
    }
    assert_true(varied);
}

static void test_should_retry_respects_attempts_and_kind(void **state)
{
    aws_retry_policy_t p = { 3, 100, 1000 };
    aws_error_t net, perm;

    (void) state;
    aws_error_set(&net, AWS_ERR_NETWORK, "reset");
    aws_error_set_service(&perm, 404, "NoSuchKey", "", "");
    assert_true(aws_retry_should(&p, 1, &net));
    assert_true(aws_retry_should(&p, 2, &net));
    assert_false(aws_retry_should(&p, 3, &net));
    assert_false(aws_retry_should(&p, 1, &perm));
    p.max_attempts = 1;
    assert_false(aws_retry_should(&p, 1, &net));
}

static void test_next_respects_the_budget(void **state)
{
    aws_retry_policy_t p = { 10, 1000, 1000 };
    aws_error_t net;
    aws_rng_t rng;
    unsigned delay = 12345;
    int i, retried = 0, refused = 0;

    (void) state;
    aws_error_set(&net, AWS_ERR_TIMEOUT, "slow");
    aws_rng_seed(&rng, 3);
    /* no budget: always retried, delay within the ceiling */
    for (i = 0; i < 50; i++) {
        assert_int_equal(aws_retry_next(&p, 1, &net, -1, &rng, &delay), 1);
        assert_true(delay <= 1000);
    }
    /* 500 ms left of a 0..1000 ms delay: retried only when it fits */
    for (i = 0; i < 400; i++) {
        delay = 12345;
        if (aws_retry_next(&p, 1, &net, 500, &rng, &delay)) {
            assert_true(delay < 500);
            retried++;
        } else {
            assert_int_equal(delay, 12345);
            refused++;
        }
    }
    assert_true(retried > 100 && refused > 100);
    /* no time left: never */
    assert_int_equal(aws_retry_next(&p, 1, &net, 0, &rng, &delay), 0);
    /* out of attempts: never */
    assert_int_equal(aws_retry_next(&p, 10, &net, -1, &rng, &delay), 0);
}

static void test_normalize_fills_defaults(void **state)
{
    aws_retry_policy_t zero = { 0, 0, 0 }, custom = { 7, 50, 0 }, negative = { -3, 0, 0 };
    aws_retry_policy_t def = AWS_RETRY_POLICY_DEFAULT, n;

    (void) state;
    n = aws_retry_policy_normalize(&zero);
    assert_int_equal(n.max_attempts, def.max_attempts);
    assert_int_equal(n.base_ms, def.base_ms);
    assert_int_equal(n.cap_ms, def.cap_ms);
    n = aws_retry_policy_normalize(&custom);
    assert_int_equal(n.max_attempts, 7);
    assert_int_equal(n.base_ms, 50);
    assert_int_equal(n.cap_ms, def.cap_ms);
    n = aws_retry_policy_normalize(&negative);
    assert_int_equal(n.max_attempts, 1);
    n = aws_retry_policy_normalize(NULL);
    assert_int_equal(n.max_attempts, def.max_attempts);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ceiling_doubles_then_caps),
        cmocka_unit_test(test_ceiling_never_overflows),
        cmocka_unit_test(test_full_jitter_stays_within_bounds_and_spreads),
        cmocka_unit_test(test_same_seed_same_delays),
        cmocka_unit_test(test_seed_zero_is_usable),
        cmocka_unit_test(test_should_retry_respects_attempts_and_kind),
        cmocka_unit_test(test_next_respects_the_budget),
        cmocka_unit_test(test_normalize_fills_defaults),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
