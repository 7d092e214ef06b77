/*
 * test_provision_env — what "prism-provision up --write-env FILE" writes
 * (provision/provision_env.c): the account, the region, every topic's ARN and
 * every queue's URL and ARN as sh assignments, named after the resources,
 * values quoted so that a shell (or a test) reads them back unchanged.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "provision.h"

static const char sample[] =
    "{ \"topics\": [ { \"name\": \"prism-uploads\" }, { \"name\": \"done.fifo\" } ],\n"
    "  \"queues\": [ { \"name\": \"prism-thumbnail-dlq\" },\n"
    "    { \"name\": \"prism-thumbnail\", \"dead_letter\": { \"queue\": \"prism-thumbnail-dlq\" } "
    "},\n"
    "    { \"name\": \"not-yet\" } ] }";

/* A plan of sample resolved for account 123456789012 in eu-west-1,
 * with the URLs a run found for all queues but "not-yet". */
static void resolved(prov_plan_t *plan)
{
    char err[256];
    size_t i;

    memset(plan, 0, sizeof(*plan));
    assert_int_equal(prov_plan_parse(sample, strlen(sample), plan, err, sizeof(err)), 0);
    assert_int_equal(prov_plan_resolve(plan, NULL, "eu-west-1", "123456789012", err, sizeof(err)),
                     0);
    for (i = 0; i < plan->nqueues; i++) {
        if (strcmp(plan->queues[i].name, "not-yet") != 0) {
            char url[256];

            snprintf(url, sizeof(url), "https://sqs.eu-west-1.amazonaws.com/123456789012/%s",
                     plan->queues[i].name);
            plan->queues[i].url = strdup(url);
        }
    }
}

/* Asserts that text holds line (a whole line). */
static void has_line(const char *text, const char *line)
{
    const char *p = text;
    size_t n = strlen(line);

    while ((p = strstr(p, line)) != NULL) {
        if ((p == text || p[-1] == '\n') && p[n] == '\n') {
            return;
        }
        p++;
    }
    fail_msg("no line \"%s\" in:\n%s", line, text);
}

static void test_env_names_and_values(void **state)
{
    aws_buf_t out = AWS_BUF_INIT;
    prov_plan_t plan;

    (void) state;
    resolved(&plan);
    assert_int_equal(prov_env_format(&plan, &out), 0);
    has_line(out.data, "PRISM_ACCOUNT_ID='123456789012'");
    has_line(out.data, "PRISM_REGION='eu-west-1'");
    has_line(out.data,
             "PRISM_TOPIC_ARN_PRISM_UPLOADS='arn:aws:sns:eu-west-1:123456789012:prism-uploads'");
    has_line(out.data, "PRISM_TOPIC_ARN_DONE_FIFO='arn:aws:sns:eu-west-1:123456789012:done.fifo'");
    has_line(out.data, "PRISM_QUEUE_URL_PRISM_THUMBNAIL="
                       "'https://sqs.eu-west-1.amazonaws.com/123456789012/prism-thumbnail'");
    has_line(out.data, "PRISM_QUEUE_ARN_PRISM_THUMBNAIL_DLQ="
                       "'arn:aws:sqs:eu-west-1:123456789012:prism-thumbnail-dlq'");
    has_line(out.data, "PRISM_QUEUE_ARN_NOT_YET='arn:aws:sqs:eu-west-1:123456789012:not-yet'");
    assert_null(strstr(out.data, "PRISM_QUEUE_URL_NOT_YET"));
    aws_buf_free(&out);
    prov_plan_free(&plan);
}

static void test_env_quotes_a_quote(void **state)
{
    aws_buf_t out = AWS_BUF_INIT;
    prov_plan_t plan;

    (void) state;
    resolved(&plan);
    free(plan.queues[0].url);
    plan.queues[0].url = strdup("http://h/1/it's");
    assert_int_equal(prov_env_format(&plan, &out), 0);
    has_line(out.data, "PRISM_QUEUE_URL_PRISM_THUMBNAIL_DLQ='http://h/1/it'\\''s'");
    aws_buf_free(&out);
    prov_plan_free(&plan);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_env_names_and_values),
        cmocka_unit_test(test_env_quotes_a_quote),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
