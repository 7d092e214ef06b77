/*
 * test_host_redrive — reading maxReceiveCount out of a queue's
 * RedrivePolicy (host/redrive.c): a number or a numeric string; -1 when
 * the policy has none or is not JSON; and when it dead-letters before
 * the host does.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "redrive.h"

static void test_max_receive_count(void **state)
{
    (void) state;
    assert_int_equal(
        host_redrive_max_receive_count(
            "{\"deadLetterTargetArn\":\"arn:aws:sqs:us-east-1:0:q-dlq\",\"maxReceiveCount\":3}"),
        3);
    assert_int_equal(host_redrive_max_receive_count("{\"deadLetterTargetArn\":\"arn:aws:sqs:us-"
                                                    "east-1:0:q-dlq\",\"maxReceiveCount\":\"5\"}"),
                     5);
    assert_int_equal(host_redrive_max_receive_count("{\"maxReceiveCount\":\"5x\"}"), -1);
    assert_int_equal(host_redrive_max_receive_count("{\"deadLetterTargetArn\":\"a\"}"), -1);
    assert_int_equal(host_redrive_max_receive_count("not json"), -1);
    assert_int_equal(host_redrive_max_receive_count(""), -1);
}

static void test_conflict(void **state)
{
    host_route_conf_t r;
    char why[700] = "";

    (void) state;
    memset(&r, 0, sizeof(r));
    r.queue_url = "https://sqs.us-east-1.amazonaws.com/1/q";
    r.max_attempts = 3;
    assert_int_equal(host_redrive_conflict(&r, -1, why, sizeof(why)), 0); /* no policy */
    assert_int_equal(host_redrive_conflict(&r, 4, why, sizeof(why)), 0);
    assert_string_equal(why, "");
    assert_int_equal(host_redrive_conflict(&r, 3, why, sizeof(why)), 1);
    assert_non_null(strstr(why,
                           "queue https://sqs.us-east-1.amazonaws.com/1/q moves a message "
                           "to its DLQ after 3 receives (maxReceiveCount), max_attempts is 3"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_max_receive_count),
        cmocka_unit_test(test_conflict),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
