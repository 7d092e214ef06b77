/*
 * test_host_redrive — reading maxReceiveCount out of a queue's
 * RedrivePolicy (host/redrive.c): a number or a numeric string; -1 when
 * the policy has none or is not JSON.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "redrive.h"

static void
test_max_receive_count(void **state)
{
    (void) state;
    assert_int_equal(host_redrive_max_receive_count(
        "{\"deadLetterTargetArn\":\"arn:aws:sqs:us-east-1:0:q-dlq\",\"maxReceiveCount\":3}"), 3);
    assert_int_equal(host_redrive_max_receive_count(
        "{\"deadLetterTargetArn\":\"arn:aws:sqs:us-east-1:0:q-dlq\",\"maxReceiveCount\":\"5\"}"), 5);
    assert_int_equal(host_redrive_max_receive_count("{\"maxReceiveCount\":\"5x\"}"), -1);
    assert_int_equal(host_redrive_max_receive_count("{\"deadLetterTargetArn\":\"a\"}"), -1);
    assert_int_equal(host_redrive_max_receive_count("not json"), -1);
    assert_int_equal(host_redrive_max_receive_count(""), -1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_max_receive_count),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
