/*
 * test_provision_plan — the provisioning plan (provision/provision_plan.c):
 * parsing and checking a resources description, binding it to an
 * account (ARNs, ${account} / ${region}), the attributes each resource
 * must have (RedrivePolicy, the topic -> queue Policy, encryption, FIFO),
 * how attribute values read back from AWS compare, the stack name and
 * its tag, resources referenced as existing, and down's decisions
 * (provision_owner.c): whose a resource is, what is deleted or kept and
 * why, and the exit status.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "provision.h"

/* A small description with every kind of resource. */
static const char sample[] =
    "{ \"_comment\": \"comments are keys starting with _\",\n"
    "  \"encryption\": { \"queues\": \"sqs-managed\", \"topics\": \"kms\" },\n"
    "  \"topics\": [ { \"name\": \"up\" }, { \"name\": \"done\", \"encryption\": "
    "\"kms:alias/prism\" } ],\n"
    "  \"queues\": [\n"
    "    { \"name\": \"work-dlq\", \"attributes\": { \"MessageRetentionPeriod\": 1209600 } },\n"
    "    { \"name\": \"work\", \"attributes\": { \"VisibilityTimeout\": 30, \"DelaySeconds\": "
    "\"0\" },\n"
    "      \"dead_letter\": { \"queue\": \"work-dlq\", \"max_receive_count\": 5 } },\n"
    "    { \"name\": \"kms-queue\", \"encryption\": \"kms\" } ],\n"
    "  \"subscriptions\": [\n"
    "    { \"topic\": \"up\", \"queue\": \"work\", \"raw_message_delivery\": true,\n"
    "      \"filter_policy\": { \"content_type\": [\"image/png\"] } },\n"
    "    { \"topic\": \"done\", \"queue\": \"work\" } ],\n"
    "  \"buckets\": [ { \"name\": \"media-${account}\" }, { \"name\": \"plain\", \"encryption\": "
    "\"AES256\" } ],\n"
    "  \"tables\": [ { \"name\": \"records\", \"hash_key\": { \"name\": \"id\", \"type\": \"S\" } "
    "} ] }";

/* Parses text into plan, failing the test with the message otherwise. */
static void parse_ok(const char *text, prov_plan_t *plan)
{
    char err[256];

    memset(plan, 0, sizeof(*plan));
    if (prov_plan_parse(text, strlen(text), plan, err, sizeof(err)) != 0) {
        fail_msg("prov_plan_parse: %s", err);
    }
}

/* Asserts that parsing text fails with a message containing what. */
static void parse_fails(const char *text, const char *what)
{
    prov_plan_t plan;
    char err[256] = "";

    memset(&plan, 0, sizeof(plan));
    assert_int_equal(prov_plan_parse(text, strlen(text), &plan, err, sizeof(err)), -1);
    if (strstr(err, what) == NULL) {
        fail_msg("error \"%s\" does not mention \"%s\"", err, what);
    }
    assert_int_equal(plan.nqueues, 0); /* freed */
}

static void test_parse_sample(void **state)
{
    prov_plan_t plan;
    const prov_queue_t *work;

    (void) state;
    parse_ok(sample, &plan);
    assert_int_equal(plan.ntopics, 2);
    assert_int_equal(plan.nqueues, 3);
    assert_int_equal(plan.nsubs, 2);
    assert_int_equal(plan.nbuckets, 2);
    assert_int_equal(plan.ntables, 1);
    work = prov_plan_queue(&plan, "work");
    assert_non_null(work);
    assert_string_equal(work->dead_letter, "work-dlq");
    assert_int_equal(work->max_receive_count, 5);
    assert_string_equal(aws_attrs_get(&work->attributes, "VisibilityTimeout"), "30");
    assert_int_equal(work->encryption.kind, PROV_ENC_SQS_MANAGED); /* the default */
    assert_int_equal(prov_plan_queue(&plan, "kms-queue")->encryption.kind, PROV_ENC_KMS);
    assert_int_equal(plan.topics[0].encryption.kind, PROV_ENC_KMS);
    assert_null(plan.topics[0].encryption.kms_key_id);
    assert_string_equal(plan.topics[1].encryption.kms_key_id, "alias/prism");
    assert_true(plan.subs[0].raw);
    assert_false(plan.subs[1].raw);
    assert_string_equal(plan.subs[0].filter_policy, "{\"content_type\":[\"image/png\"]}");
    assert_int_equal(plan.buckets[0].encryption.kind, PROV_ENC_UNMANAGED);
    assert_int_equal(plan.buckets[1].encryption.kind, PROV_ENC_AES256);
    assert_string_equal(plan.tables[0].billing_mode, "PAY_PER_REQUEST");
    assert_string_equal(plan.tables[0].hash_type, "S");
    assert_null(prov_plan_queue(&plan, "nope"));
    prov_plan_free(&plan);
    assert_null(plan.queues);
}

static void test_resolve_arns_and_placeholders(void **state)
{
    prov_plan_t plan;
    char err[256];

    (void) state;
    parse_ok(sample, &plan);
    assert_int_equal(prov_plan_resolve(&plan, NULL, "eu-west-1", "123456789012", err, sizeof(err)),
                     0);
    assert_string_equal(plan.partition, "aws");
    assert_string_equal(plan.topics[0].arn, "arn:aws:sns:eu-west-1:123456789012:up");
    assert_string_equal(prov_plan_queue(&plan, "work")->arn,
                        "arn:aws:sqs:eu-west-1:123456789012:work");
    assert_string_equal(plan.tables[0].arn,
                        "arn:aws:dynamodb:eu-west-1:123456789012:table/records");
    assert_string_equal(plan.buckets[0].name, "media-123456789012");
    prov_plan_free(&plan);

    parse_ok(sample, &plan);
    assert_int_equal(prov_plan_resolve(&plan, NULL, "cn-north-1", "123456789012", err, sizeof(err)),
                     0);
    assert_string_equal(plan.topics[0].arn, "arn:aws-cn:sns:cn-north-1:123456789012:up");
    prov_plan_free(&plan);

    /* unknown placeholders and invalid names fail at resolve time */
    parse_ok("{\"buckets\":[{\"name\":\"b-${stage}\"}]}", &plan);
    assert_int_equal(prov_plan_resolve(&plan, NULL, "us-east-1", "1", err, sizeof(err)), -1);
    assert_non_null(strstr(err, "${account}"));
    prov_plan_free(&plan);
    parse_ok("{\"buckets\":[{\"name\":\"Upper_Case\"}]}", &plan);
    assert_int_equal(prov_plan_resolve(&plan, NULL, "us-east-1", "1", err, sizeof(err)), -1);
    assert_non_null(strstr(err, "Upper_Case"));
    prov_plan_free(&plan);
    parse_ok("{\"queues\":[{\"name\":\"has space\"}]}", &plan);
    assert_int_equal(prov_plan_resolve(&plan, NULL, "us-east-1", "1", err, sizeof(err)), -1);
    prov_plan_free(&plan);
}

static void test_queue_attributes(void **state)
{
    prov_plan_t plan;
    aws_attrs_t a = AWS_ATTRS_INIT;
    json_t *redrive, *policy, *stmts;
    char err[256];

    (void) state;
    parse_ok(sample, &plan);
    assert_int_equal(prov_plan_resolve(&plan, NULL, "us-east-1", "123456789012", err, sizeof(err)),
                     0);
    assert_int_equal(prov_queue_attributes(&plan, prov_plan_queue(&plan, "work"), &a), 0);
    assert_string_equal(aws_attrs_get(&a, "VisibilityTimeout"), "30");
    assert_string_equal(aws_attrs_get(&a, "SqsManagedSseEnabled"), "true");
    redrive = json_loads(aws_attrs_get(&a, "RedrivePolicy"), 0, NULL);
    assert_string_equal(json_string_value(json_object_get(redrive, "deadLetterTargetArn")),
                        "arn:aws:sqs:us-east-1:123456789012:work-dlq");
    assert_int_equal(json_integer_value(json_object_get(redrive, "maxReceiveCount")), 5);
    json_decref(redrive);

    /* both topics feeding "work" may send to it, nobody else */
    policy = json_loads(aws_attrs_get(&a, "Policy"), 0, NULL);
    stmts = json_object_get(policy, "Statement");
    assert_int_equal(json_array_size(stmts), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(stmts, 0), "Action")),
                        "sqs:SendMessage");
    assert_string_equal(json_string_value(json_object_get(json_array_get(stmts, 1), "Resource")),
                        "arn:aws:sqs:us-east-1:123456789012:work");
    assert_string_equal(
        json_string_value(json_object_get(
            json_object_get(json_object_get(json_array_get(stmts, 1), "Condition"), "ArnEquals"),
            "aws:SourceArn")),
        "arn:aws:sns:us-east-1:123456789012:done");
    json_decref(policy);
    aws_attrs_free(&a);

    /* a DLQ: no redrive, no policy; a KMS queue gets the AWS managed key */
    assert_int_equal(prov_queue_attributes(&plan, prov_plan_queue(&plan, "work-dlq"), &a), 0);
    assert_null(aws_attrs_get(&a, "RedrivePolicy"));
    assert_null(aws_attrs_get(&a, "Policy"));
    aws_attrs_free(&a);
    assert_int_equal(prov_queue_attributes(&plan, prov_plan_queue(&plan, "kms-queue"), &a), 0);
    assert_string_equal(aws_attrs_get(&a, "KmsMasterKeyId"), "alias/aws/sqs");
    assert_null(aws_attrs_get(&a, "SqsManagedSseEnabled"));
    aws_attrs_free(&a);

    assert_int_equal(prov_topic_attributes(&plan.topics[1], &a), 0);
    assert_string_equal(aws_attrs_get(&a, "KmsMasterKeyId"), "alias/prism");
    assert_null(aws_attrs_get(&a, "FifoTopic"));
    aws_attrs_free(&a);
    assert_int_equal(prov_subscription_attributes(&plan.subs[0], &a), 0);
    assert_string_equal(aws_attrs_get(&a, "RawMessageDelivery"), "true");
    assert_string_equal(aws_attrs_get(&a, "FilterPolicy"), "{\"content_type\":[\"image/png\"]}");
    aws_attrs_free(&a);
    assert_int_equal(prov_subscription_attributes(&plan.subs[1], &a), 0);
    assert_string_equal(aws_attrs_get(&a, "RawMessageDelivery"), "false");
    assert_null(aws_attrs_get(&a, "FilterPolicy"));
    aws_attrs_free(&a);
    prov_plan_free(&plan);
}

static void test_fifo(void **state)
{
    prov_plan_t plan;
    aws_attrs_t a = AWS_ATTRS_INIT;
    char err[256];

    (void) state;
    parse_ok(
        "{\"topics\":[{\"name\":\"t.fifo\",\"attributes\":{\"ContentBasedDeduplication\":true}}],"
        "\"queues\":[{\"name\":\"d.fifo\"},{\"name\":\"q.fifo\",\"dead_letter\":{\"queue\":\"d."
        "fifo\"}}],"
        "\"subscriptions\":[{\"topic\":\"t.fifo\",\"queue\":\"q.fifo\"}]}",
        &plan);
    assert_int_equal(prov_plan_resolve(&plan, NULL, "us-east-1", "1", err, sizeof(err)), 0);
    assert_int_equal(prov_queue_attributes(&plan, prov_plan_queue(&plan, "q.fifo"), &a), 0);
    assert_string_equal(aws_attrs_get(&a, "FifoQueue"), "true");
    assert_non_null(strstr(aws_attrs_get(&a, "RedrivePolicy"), "\"maxReceiveCount\":3"));
    aws_attrs_free(&a);
    assert_int_equal(prov_topic_attributes(&plan.topics[0], &a), 0);
    assert_string_equal(aws_attrs_get(&a, "FifoTopic"), "true");
    assert_string_equal(aws_attrs_get(&a, "ContentBasedDeduplication"), "true");
    aws_attrs_free(&a);
    assert_true(prov_attr_create_only("FifoQueue"));
    assert_false(prov_attr_create_only("VisibilityTimeout"));
    /* what GetQueueAttributes always reports on AWS (absent: the endpoint
     * leaves it out), and what it reports only once set */
    assert_true(prov_queue_attr_always_reported("VisibilityTimeout"));
    assert_true(prov_queue_attr_always_reported("MessageRetentionPeriod"));
    assert_true(prov_queue_attr_always_reported("DelaySeconds"));
    assert_true(prov_queue_attr_always_reported("SqsManagedSseEnabled"));
    assert_false(prov_queue_attr_always_reported("RedrivePolicy"));
    assert_false(prov_queue_attr_always_reported("Policy"));
    assert_false(prov_queue_attr_always_reported("KmsMasterKeyId"));
    prov_plan_free(&plan);

    parse_fails(
        "{\"queues\":[{\"name\":\"d\"},{\"name\":\"q.fifo\",\"dead_letter\":{\"queue\":\"d\"}}]}",
        "must be FIFO");
    parse_fails("{\"topics\":[{\"name\":\"t.fifo\"}],\"queues\":[{\"name\":\"q\"}],"
                "\"subscriptions\":[{\"topic\":\"t.fifo\",\"queue\":\"q\"}]}",
                "FIFO topic");
}

static void test_parse_errors(void **state)
{
    (void) state;
    parse_fails("{\"topics\": [", "line 1");
    parse_fails("[]", "JSON object");
    parse_fails("{\"topic\": []}", "unknown key \"topic\"");
    parse_fails("{\"queues\":[{\"name\":\"q\",\"visibility\":3}]}", "queues[0]: unknown key");
    parse_fails("{\"queues\":[{\"name\":\"\"}]}", "non-empty string");
    parse_fails("{\"queues\":[{\"name\":\"q\"},{\"name\":\"q\"}]}", "listed twice");
    parse_fails("{\"queues\":[{\"name\":\"q\",\"dead_letter\":{\"queue\":\"gone\"}}]}",
                "gone is not in the file");
    parse_fails("{\"queues\":[{\"name\":\"a\",\"dead_letter\":{\"queue\":\"b\"}},"
                "{\"name\":\"b\",\"dead_letter\":{\"queue\":\"a\"}}]}",
                "cycle");
    parse_fails("{\"queues\":[{\"name\":\"q\",\"dead_letter\":{\"queue\":\"q\"}}]}", "cycle");
    parse_fails("{\"queues\":[{\"name\":\"d\"},{\"name\":\"q\",\"dead_letter\":{\"queue\":\"d\","
                "\"max_receive_count\":0}}]}",
                "max_receive_count");
    parse_fails(
        "{\"queues\":[{\"name\":\"d\"},{\"name\":\"q\",\"attributes\":{\"RedrivePolicy\":\"{}\"},"
        "\"dead_letter\":{\"queue\":\"d\"}}]}",
        "not both");
    parse_fails("{\"queues\":[{\"name\":\"q\",\"attributes\":{\"VisibilityTimeout\":1.5}}]}",
                "attribute VisibilityTimeout");
    parse_fails(
        "{\"queues\":[{\"name\":\"q\"}],\"subscriptions\":[{\"topic\":\"t\",\"queue\":\"q\"}]}",
        "topic t is not in the file");
    parse_fails("{\"topics\":[{\"name\":\"t\"}],\"queues\":[{\"name\":\"q\"}],\"subscriptions\":"
                "[{\"topic\":\"t\",\"queue\":\"q\",\"raw_message_delivery\":\"yes\"}]}",
                "true or false");
    parse_fails("{\"topics\":[{\"name\":\"t\",\"encryption\":\"sqs-managed\"}]}", "not one of");
    parse_fails("{\"buckets\":[{\"name\":\"b\",\"encryption\":\"kms:\"}]}", "not one of");
    parse_fails("{\"encryption\":{\"disks\":\"kms\"}}", "unknown key \"disks\"");
    parse_fails("{\"tables\":[{\"name\":\"tab\",\"hash_key\":{\"name\":\"id\",\"type\":\"X\"}}]}",
                "\"S\", \"N\" or \"B\"");
    parse_fails("{\"tables\":[{\"name\":\"tab\"}]}", "hash_key");
    parse_fails("{\"tables\":[{\"name\":\"tab\",\"hash_key\":{\"name\":\"id\",\"type\":\"S\"},"
                "\"read_capacity\":5}]}",
                "PROVISIONED");
}

/* "filter_from_plugin" names a plugin, whose accepted types become the
 * subscription's filter policy on content_type. */
static void test_filter_from_plugin(void **state)
{
    static const char *const types[] = { "image/jpeg", "image/png", NULL };
    static const char *const none[] = { NULL };
    prov_plan_t plan = { 0 };
    char err[256];

    (void) state;
    parse_ok("{\"topics\":[{\"name\":\"t\"}],\"queues\":[{\"name\":\"q\"}],\"subscriptions\":"
             "[{\"topic\":\"t\",\"queue\":\"q\",\"filter_from_plugin\":\"plugins/a.so\"}]}",
             &plan);
    assert_string_equal(plan.subs[0].filter_from_plugin, "plugins/a.so");
    assert_null(plan.subs[0].filter_policy);
    assert_int_equal(prov_plan_filter_types(&plan.subs[0], types, err, sizeof(err)), 0);
    assert_string_equal(plan.subs[0].filter_policy,
                        "{\"content_type\":[\"image/jpeg\",\"image/png\"]}");
    assert_int_equal(prov_plan_filter_types(&plan.subs[0], none, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "no types"));
    prov_plan_free(&plan);

    parse_fails("{\"topics\":[{\"name\":\"t\"}],\"queues\":[{\"name\":\"q\"}],\"subscriptions\":"
                "[{\"topic\":\"t\",\"queue\":\"q\",\"filter_from_plugin\":\"a.so\","
                "\"filter_policy\":{\"size\":[1]}}]}",
                "not both");
    parse_fails("{\"topics\":[{\"name\":\"t\"}],\"queues\":[{\"name\":\"q\"}],\"subscriptions\":"
                "[{\"topic\":\"t\",\"queue\":\"q\",\"filter_from_plugin\":\"a.so\","
                "\"filter_policy_scope\":\"MessageBody\"}]}",
                "must be MessageAttributes");
    parse_fails("{\"topics\":[{\"name\":\"t\"}],\"queues\":[{\"name\":\"q\"}],\"subscriptions\":"
                "[{\"topic\":\"t\",\"queue\":\"q\",\"filter_from_plugin\":\"\"}]}",
                "non-empty string");
}

/* "stack" names the tag up sets; "existing" resources are references. */
static void test_stack_and_existing(void **state)
{
    prov_plan_t plan;
    aws_attrs_t tags = AWS_ATTRS_INIT;

    (void) state;
    parse_ok(sample, &plan);
    assert_string_equal(plan.stack, PROV_STACK_DEFAULT);
    assert_int_equal(prov_plan_tags(&plan, &tags), 0);
    assert_int_equal(tags.n, 1);
    assert_string_equal(aws_attrs_get(&tags, "prism:stack"), "prism");
    aws_attrs_free(&tags);
    assert_false(plan.topics[0].existing);
    prov_plan_free(&plan);

    parse_ok(
        "{\"stack\": \"media-2.eu\",\n"
        " \"topics\": [ { \"name\": \"shared\", \"existing\": true }, { \"name\": \"own\" } ],\n"
        " \"queues\": [ { \"name\": \"inbox\", \"existing\": true }, { \"name\": \"work\" } ],\n"
        " \"subscriptions\": [ { \"topic\": \"shared\", \"queue\": \"work\" } ],\n"
        " \"buckets\": [ { \"name\": \"media\", \"existing\": true } ],\n"
        " \"tables\": [ { \"name\": \"records\", \"existing\": true },\n"
        "             { \"name\": \"mine\", \"existing\": false,\n"
        "               \"hash_key\": { \"name\": \"id\", \"type\": \"S\" } } ] }",
        &plan);
    assert_string_equal(plan.stack, "media-2.eu");
    assert_true(prov_plan_topic(&plan, "shared")->existing);
    assert_false(prov_plan_topic(&plan, "own")->existing);
    assert_true(prov_plan_queue(&plan, "inbox")->existing);
    assert_true(plan.buckets[0].existing);
    assert_true(plan.tables[0].existing);
    assert_null(plan.tables[0].hash_key);
    assert_false(plan.tables[1].existing);
    assert_int_equal(prov_plan_tags(&plan, &tags), 0);
    assert_string_equal(aws_attrs_get(&tags, PROV_STACK_TAG), "media-2.eu");
    aws_attrs_free(&tags);
    prov_plan_free(&plan);

    parse_fails("{\"stack\": \"\"}", "non-empty string");
    parse_fails("{\"stack\": \"two words\"}", "is not 1-64");
    parse_fails("{\"stack\": 3}", "non-empty string");
    parse_fails("{\"topics\": [ { \"name\": \"t\", \"existing\": \"yes\" } ]}", "true or false");
    parse_fails("{\"queues\": [ { \"name\": \"q\", \"existing\": true, "
                "\"attributes\": { \"VisibilityTimeout\": 3 } } ]}",
                "gives only its name");
    parse_fails("{\"tables\": [ { \"name\": \"tab\", \"existing\": true, "
                "\"hash_key\": { \"name\": \"id\", \"type\": \"S\" } } ]}",
                "gives only its name");
}

/* Whose a resource is, from its tags. */
static void test_owner(void **state)
{
    aws_attrs_t tags = AWS_ATTRS_INIT;
    aws_error_t e;

    (void) state;
    assert_int_equal(prov_owner(NULL, "prism"), PROV_OWNER_UNKNOWN);
    assert_int_equal(prov_owner(&tags, "prism"), PROV_OWNER_NONE);
    assert_int_equal(aws_attrs_set(&tags, "team", "media"), 0);
    assert_int_equal(prov_owner(&tags, "prism"), PROV_OWNER_NONE);
    assert_int_equal(aws_attrs_set(&tags, "prism:stack", "staging"), 0);
    assert_int_equal(prov_owner(&tags, "prism"), PROV_OWNER_OTHER);
    assert_int_equal(prov_owner(&tags, "staging"), PROV_OWNER_STACK);
    assert_int_equal(prov_owner(&tags, "Staging"), PROV_OWNER_OTHER);
    aws_attrs_free(&tags);

    /* a subscription is this stack's when its topic or its queue is */
    assert_int_equal(prov_owner_either(PROV_OWNER_STACK, PROV_OWNER_NONE), PROV_OWNER_STACK);
    assert_int_equal(prov_owner_either(PROV_OWNER_OTHER, PROV_OWNER_STACK), PROV_OWNER_STACK);
    assert_int_equal(prov_owner_either(PROV_OWNER_NONE, PROV_OWNER_UNKNOWN), PROV_OWNER_UNKNOWN);
    assert_int_equal(prov_owner_either(PROV_OWNER_NONE, PROV_OWNER_OTHER), PROV_OWNER_NONE);

    aws_error_set(&e, AWS_ERR_PARSE, "GetBucketTagging answer is not a Tagging document");
    assert_true(prov_tags_unsupported(&e));
    aws_error_set(&e, AWS_ERR_HTTP, "x");
    assert_false(prov_tags_unsupported(&e));
}

/* down's verdict for every combination that matters, and its reasons. */
static void test_down_verdicts(void **state)
{
    static const struct {
        prov_down_facts_t facts;
        int force;
        prov_verdict_t want;
    } cases[] = {
        { { 0, 0, PROV_OWNER_STACK, 0 }, 0, PROV_DOWN_ABSENT },
        { { 1, 0, PROV_OWNER_STACK, 0 }, 0, PROV_DOWN_DELETE },
        { { 1, 1, PROV_OWNER_STACK, 0 },
          1,
          PROV_DOWN_KEEP_EXISTING }, /* existing wins, even tagged */
        { { 1, 0, PROV_OWNER_NONE, 0 }, 1, PROV_DOWN_KEEP_FOREIGN },
        { { 1, 0, PROV_OWNER_OTHER, 0 }, 1, PROV_DOWN_KEEP_FOREIGN },
        { { 1, 0, PROV_OWNER_UNKNOWN, 0 }, 1, PROV_DOWN_KEEP_UNVERIFIED },
        { { 1, 0, PROV_OWNER_STACK, 1 }, 0, PROV_DOWN_KEEP_FORCE },
        { { 1, 0, PROV_OWNER_STACK, 1 }, 1, PROV_DOWN_DELETE },
        { { 1, 0, PROV_OWNER_NONE, 1 },
          1,
          PROV_DOWN_KEEP_FOREIGN }, /* force never deletes others' */
    };
    char why[256];
    size_t i;

    (void) state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        if (prov_down_verdict(&cases[i].facts, cases[i].force) != cases[i].want) {
            fail_msg("case %zu: verdict %d, want %d", i,
                     prov_down_verdict(&cases[i].facts, cases[i].force), cases[i].want);
        }
    }
    prov_down_reason("topic", PROV_DOWN_KEEP_EXISTING, PROV_OWNER_NONE, NULL, "prism", why,
                     sizeof(why));
    assert_string_equal(why, "referenced as existing, not managed by this stack");
    prov_down_reason("queue", PROV_DOWN_KEEP_FOREIGN, PROV_OWNER_NONE, NULL, "prism", why,
                     sizeof(why));
    assert_string_equal(why, "not tagged prism:stack=prism (this stack did not make it)");
    prov_down_reason("queue", PROV_DOWN_KEEP_FOREIGN, PROV_OWNER_OTHER, "staging", "prism", why,
                     sizeof(why));
    assert_string_equal(why, "tagged prism:stack=staging, another stack's");
    prov_down_reason("bucket", PROV_DOWN_KEEP_UNVERIFIED, PROV_OWNER_UNKNOWN, NULL, "prism", why,
                     sizeof(why));
    assert_non_null(strstr(why, "does not report bucket tags"));
    prov_down_reason("table", PROV_DOWN_KEEP_FORCE, PROV_OWNER_STACK, NULL, "prism", why,
                     sizeof(why));
    assert_string_equal(why, "a table holds data: down --force deletes it");
    prov_down_reason("bucket", PROV_DOWN_KEEP_FORCE, PROV_OWNER_STACK, NULL, "prism", why,
                     sizeof(why));
    assert_string_equal(why, "not empty: down --force deletes its objects, then the bucket");
    prov_down_reason("topic", PROV_DOWN_DELETE, PROV_OWNER_STACK, NULL, "prism", why, sizeof(why));
    assert_string_equal(why, "");

    /* exit status: failures and unproven ownership 1, waiting for --force 3 */
    assert_int_equal(prov_down_exit_status(0, 0, 0), 0);
    assert_int_equal(prov_down_exit_status(0, 0, 2), PROV_EXIT_KEPT_FORCE);
    assert_int_equal(prov_down_exit_status(0, 1, 2), 1);
    assert_int_equal(prov_down_exit_status(-1, 0, 0), 1);
}

static void test_attr_equal(void **state)
{
    (void) state;
    assert_true(prov_attr_equal("30", "30"));
    assert_false(prov_attr_equal("30", "60"));
    assert_false(prov_attr_equal("30", NULL));
    assert_true(prov_attr_equal("", NULL));
    assert_true(prov_attr_equal("true", "True"));
    assert_false(prov_attr_equal("true", "false"));
    /* AWS writes maxReceiveCount as a number or a string, members in any order */
    assert_true(prov_attr_equal("{\"deadLetterTargetArn\":\"arn:x\",\"maxReceiveCount\":3}",
                                "{\"maxReceiveCount\":\"3\", \"deadLetterTargetArn\":\"arn:x\"}"));
    assert_false(prov_attr_equal("{\"deadLetterTargetArn\":\"arn:x\",\"maxReceiveCount\":3}",
                                 "{\"deadLetterTargetArn\":\"arn:x\",\"maxReceiveCount\":5}"));
    assert_false(prov_attr_equal("{\"a\":[1,2]}", "{\"a\":[2,1]}"));
    assert_false(prov_attr_equal("{\"a\":1}", "not json"));
}

/* The shipped description parses and names what the stack and others'
 * tests rely on. */
static void test_shipped_resources(void **state)
{
    prov_plan_t plan = { 0 };
    aws_attrs_t a = AWS_ATTRS_INIT;
    static const char *const roles[] = { "thumbnail", "webp", "watermark", "avif" };
    char err[512], name[64];
    const prov_queue_t *q;
    size_t i, raw = 0;

    (void) state;
    if (prov_plan_load("conf/resources.json", &plan, err, sizeof(err)) != 0) {
        fail_msg("%s", err);
    }
    assert_non_null(prov_plan_topic(&plan, "prism-uploads"));
    assert_int_equal(
        prov_plan_load("conf/no-such-file.json", &(prov_plan_t){ 0 }, err, sizeof(err)), -1);
    assert_int_equal(prov_plan_resolve(&plan, NULL, "us-east-1", "123456789012", err, sizeof(err)),
                     0);
    for (i = 0; i < sizeof(roles) / sizeof(roles[0]); i++) {
        snprintf(name, sizeof(name), "prism-%s", roles[i]);
        q = prov_plan_queue(&plan, name);
        assert_non_null(q);
        snprintf(name, sizeof(name), "prism-%s-dlq", roles[i]);
        assert_string_equal(q->dead_letter, name);
        assert_int_equal(q->max_receive_count, 5); /* above the routes' max_attempts 4 */
        assert_int_equal(prov_queue_attributes(&plan, q, &a), 0);
        assert_non_null(aws_attrs_get(&a, "VisibilityTimeout"));
        assert_non_null(strstr(aws_attrs_get(&a, "Policy"), plan.topics[0].arn));
        aws_attrs_free(&a);
    }
    for (i = 0; i < plan.nsubs; i++) {
        raw += (size_t) plan.subs[i].raw;
    }
    assert_int_equal(raw, plan.nsubs);
    assert_non_null(prov_plan_queue(&plan, "prism-completions-test"));
    assert_int_equal(plan.nbuckets, 2);
    assert_string_equal(plan.buckets[0].name, "prism-ingest");
    assert_string_equal(plan.buckets[1].name, "prism-derived");
    assert_string_equal(plan.tables[0].name, "prism-images");
    assert_string_equal(plan.tables[0].hash_key, "imageId");
    prov_plan_free(&plan);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_sample),
        cmocka_unit_test(test_resolve_arns_and_placeholders),
        cmocka_unit_test(test_queue_attributes),
        cmocka_unit_test(test_fifo),
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_filter_from_plugin),
        cmocka_unit_test(test_attr_equal),
        cmocka_unit_test(test_stack_and_existing),
        cmocka_unit_test(test_owner),
        cmocka_unit_test(test_down_verdicts),
        cmocka_unit_test(test_shipped_resources),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
