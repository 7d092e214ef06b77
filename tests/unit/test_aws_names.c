/*
 * test_aws_names — region and ARN shapes (aws/aws_names.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "aws_names.h"

#define REGION_OK(s) aws_region_valid((s), strlen(s))

static void test_regions(void **state)
{
    (void) state;
    assert_true(REGION_OK("us-east-1"));
    assert_true(REGION_OK("eu-west-3"));
    assert_true(REGION_OK("us-gov-west-1"));
    assert_true(REGION_OK("ap-southeast-12"));
    assert_false(REGION_OK(""));
    assert_false(REGION_OK("us-east1"));
    assert_false(REGION_OK("useast-1"));
    assert_false(REGION_OK("US_EAST"));
    assert_false(REGION_OK("us-east-"));
    assert_false(REGION_OK("us--east-1"));
    assert_false(REGION_OK("us-east-1a"));
    assert_false(REGION_OK("-us-east-1"));
    assert_false(aws_region_valid("us-east-1", 8)); /* "us-east-" */
}

static void test_arn_service(void **state)
{
    char service[8];

    (void) state;
    assert_int_equal(
        aws_arn_service("arn:aws:sns:us-east-1:123456789012:t", service, sizeof(service)), 0);
    assert_string_equal(service, "sns");
    assert_int_equal(
        aws_arn_service("arn:aws-cn:sqs:cn-north-1:123456789012:q", service, sizeof(service)), 0);
    assert_string_equal(service, "sqs");
    assert_int_equal(
        aws_arn_service("https://sqs.us-east-1.amazonaws.com/1/q", service, sizeof(service)), -1);
    assert_int_equal(aws_arn_service("arn:aws", service, sizeof(service)), -1);
    assert_int_equal(aws_arn_service("arn:aws::x", service, sizeof(service)), -1);
    assert_int_equal(aws_arn_service("arn:aws:dynamodb:us-east-1:1:table/t", service, 4), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_regions),
        cmocka_unit_test(test_arn_service),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
