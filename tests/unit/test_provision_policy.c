/*
 * test_provision_policy — the least-privilege IAM policies derived from a
 * resources description (provision/provision_policy.c): which actions each
 * role gets, on exactly which ARNs, and the statements of customer
 * managed KMS keys.  The documents are dumped and parsed back, as IAM
 * would read them.
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

#include "provision.h"

/* Uploads feed a route queue; "done" feeds a queue without a dead letter. */
static const char sample[] =
    "{ \"topics\": [ { \"name\": \"uploads\", \"encryption\": \"kms:alias/uploads\" },\n"
    "                { \"name\": \"done\" } ],\n"
    "  \"queues\": [ { \"name\": \"thumb-dlq\" },\n"
    "    { \"name\": \"thumb\", \"encryption\": \"kms:1234abcd-12ab-34cd-56ef-1234567890ab\",\n"
    "      \"dead_letter\": { \"queue\": \"thumb-dlq\", \"max_receive_count\": 3 } },\n"
    "    { \"name\": \"watch\" } ],\n"
    "  \"subscriptions\": [ { \"topic\": \"uploads\", \"queue\": \"thumb\" },\n"
    "                       { \"topic\": \"done\", \"queue\": \"watch\" } ],\n"
    "  \"buckets\": [ { \"name\": \"in-${account}\", \"holds\": \"originals\",\n"
    "                   \"encryption\": \"kms:arn:aws:kms:eu-west-1:123456789012:key/in-key\" },\n"
    "                 { \"name\": \"out\", \"holds\": \"derivatives\" },\n"
    "                 { \"name\": \"shared\", \"existing\": true, \"holds\": \"derivatives\" } ],\n"
    "  \"tables\": [ { \"name\": \"images\", \"hash_key\": { \"name\": \"id\", \"type\": \"S\" } } "
    "] }";

#define ARN_SQS    "arn:aws:sqs:eu-west-1:123456789012:"
#define ARN_SNS    "arn:aws:sns:eu-west-1:123456789012:"
#define ARN_TABLE  "arn:aws:dynamodb:eu-west-1:123456789012:table/images"
#define ARN_IN_KEY "arn:aws:kms:eu-west-1:123456789012:key/in-key"
#define ARN_Q_KEY  "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"

/* The policy of ROLE for the sample, dumped and parsed back. */
static json_t *policy_of(prov_role_t role)
{
    prov_plan_t plan;
    char err[256];
    json_t *doc, *back;
    char *text;

    memset(&plan, 0, sizeof(plan));
    if (prov_plan_parse(sample, strlen(sample), &plan, err, sizeof(err)) != 0
        || prov_plan_resolve(&plan, NULL, "eu-west-1", "123456789012", err, sizeof(err)) != 0) {
        fail_msg("plan: %s", err);
    }
    doc = prov_policy(&plan, role, err, sizeof(err));
    if (doc == NULL) {
        fail_msg("prov_policy: %s", err);
    }
    text = json_dumps(doc, JSON_INDENT(2));
    assert_non_null(text);
    back = json_loads(text, 0, NULL);
    assert_non_null(back);
    assert_string_equal(json_string_value(json_object_get(back, "Version")), "2012-10-17");
    free(text);
    json_decref(doc);
    prov_plan_free(&plan);
    return back;
}

/* The resources, joined by ' ', of the statement allowing ACTION (every
 * statement is an Allow); "" when none does, "*twice*" when two do. */
static const char *resources_of(const json_t *doc, const char *action)
{
    static char out[2048];
    const json_t *st, *a, *r;
    size_t i, j, k;
    int found = 0;

    out[0] = '\0';
    json_array_foreach(json_object_get(doc, "Statement"), i, st)
    {
        assert_string_equal(json_string_value(json_object_get(st, "Effect")), "Allow");
        json_array_foreach(json_object_get(st, "Action"), j, a)
        {
            if (strcmp(json_string_value(a), action) != 0) {
                continue;
            }
            if (found++) {
                return "*twice*";
            }
            json_array_foreach(json_object_get(st, "Resource"), k, r)
            {
                snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s%s", k ? " " : "",
                         json_string_value(r));
            }
        }
    }
    return out;
}

static void test_module(void **state)
{
    json_t *doc = policy_of(PROV_ROLE_MODULE);
    char *text = json_dumps(doc, 0);

    (void) state;
    assert_string_equal(resources_of(doc, "s3:PutObject"), "arn:aws:s3:::in-123456789012/*");
    assert_string_equal(resources_of(doc, "s3:GetObject"), "arn:aws:s3:::in-123456789012/*");
    assert_string_equal(resources_of(doc, "s3:DeleteObject"), "arn:aws:s3:::in-123456789012/*");
    assert_string_equal(resources_of(doc, "s3:ListBucket"), "arn:aws:s3:::in-123456789012");
    assert_string_equal(resources_of(doc, "sns:Publish"), ARN_SNS "uploads");
    assert_string_equal(resources_of(doc, "dynamodb:GetItem"), ARN_TABLE);
    /* the bucket's key by its ARN; the topic's alias by condition */
    assert_string_equal(resources_of(doc, "kms:GenerateDataKey"), "*twice*");
    assert_non_null(strstr(text, "\"kms:ResourceAliases\": \"alias/uploads\""));
    free(text);
    assert_string_equal(resources_of(doc, "sqs:ReceiveMessage"), "");
    assert_string_equal(resources_of(doc, "sqs:DeleteMessageBatch"), "");
    json_decref(doc);
}

static void test_host(void **state)
{
    json_t *doc = policy_of(PROV_ROLE_HOST);

    (void) state;
    assert_string_equal(resources_of(doc, "sqs:ReceiveMessage"), ARN_SQS "thumb");
    assert_string_equal(resources_of(doc, "sqs:DeleteMessage"), ARN_SQS "thumb");
    assert_string_equal(resources_of(doc, "sqs:ChangeMessageVisibility"), ARN_SQS "thumb");
    assert_string_equal(resources_of(doc, "sqs:SendMessage"), ARN_SQS "thumb-dlq");
    /* batch calls are authorized by the single ones: not actions of their own */
    assert_string_equal(resources_of(doc, "sqs:DeleteMessageBatch"), "");
    assert_string_equal(resources_of(doc, "sqs:ChangeMessageVisibilityBatch"), "");
    assert_string_equal(resources_of(doc, "s3:GetObject"), "arn:aws:s3:::in-123456789012/*");
    assert_string_equal(resources_of(doc, "s3:PutObject"),
                        "arn:aws:s3:::out/* arn:aws:s3:::shared/*");
    assert_string_equal(resources_of(doc, "dynamodb:UpdateItem"), ARN_TABLE);
    assert_string_equal(resources_of(doc, "sns:Publish"), ARN_SNS "done");
    /* reading SSE-KMS originals and a KMS queue's messages */
    assert_string_equal(resources_of(doc, "kms:Decrypt"), "*twice*");
    assert_string_equal(resources_of(doc, "kms:GenerateDataKey"), "");
    json_decref(doc);
}

static void test_provision(void **state)
{
    json_t *doc = policy_of(PROV_ROLE_PROVISION);

    (void) state;
    assert_string_equal(resources_of(doc, "sns:CreateTopic"), ARN_SNS "uploads " ARN_SNS "done");
    assert_string_equal(resources_of(doc, "sqs:TagQueue"),
                        ARN_SQS "thumb-dlq " ARN_SQS "thumb " ARN_SQS "watch");
    assert_string_equal(resources_of(doc, "s3:PutBucketTagging"),
                        "arn:aws:s3:::in-123456789012 arn:aws:s3:::out arn:aws:s3:::shared");
    assert_string_equal(resources_of(doc, "dynamodb:TagResource"), ARN_TABLE);
    assert_string_equal(resources_of(doc, "kms:Decrypt"), "");
    json_decref(doc);
}

/* Role names, and what a bucket may hold. */
static void test_roles(void **state)
{
    static const char bad[] = "{ \"buckets\": [ { \"name\": \"b1\", \"holds\": \"both\" } ] }";
    prov_plan_t plan;
    prov_role_t role;
    char err[256];

    (void) state;
    memset(&plan, 0, sizeof(plan));
    assert_int_equal(prov_plan_parse(bad, strlen(bad), &plan, err, sizeof(err)), -1);
    assert_string_equal(err, "buckets[0]: \"holds\" must be \"originals\" or \"derivatives\"");
    assert_int_equal(prov_role_parse("host", &role), 0);
    assert_int_equal(role, PROV_ROLE_HOST);
    assert_int_equal(prov_role_parse("nginx", &role), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_module),
        cmocka_unit_test(test_host),
        cmocka_unit_test(test_provision),
        cmocka_unit_test(test_roles),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
