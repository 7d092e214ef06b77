/*
 * test_aws_admin — the pure parts of the admin layer used by
 * provisioning: aws_xml_each, SNS ListSubscriptionsByTopic and
 * Get*Attributes answers, STS GetCallerIdentity, S3
 * GetBucketEncryption, tags (SNS ListTagsForResource, S3
 * GetBucketTagging), Query errors, and the CLI endpoint options
 * (aws_cli_opts.c).  Samples are the AWS API references' examples.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "aws_cli_opts.h"
#include "aws_test_support.h"
#include "aws_xml_list.h"
#include "s3_admin.h"
#include "sns_admin.h"
#include "sts.h"

static const char list_subscriptions[] =
    "<ListSubscriptionsByTopicResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\">\n"
    "  <ListSubscriptionsByTopicResult>\n"
    "    <Subscriptions>\n"
    "      <member>\n"
    "        <TopicArn>arn:aws:sns:us-east-2:123456789012:My-Topic</TopicArn>\n"
    "        <Protocol>email</Protocol>\n"
    "        "
    "<SubscriptionArn>arn:aws:sns:us-east-2:123456789012:My-Topic:80289ba6-0fd4-4079-afb4-"
    "ce8c8260f0ca</SubscriptionArn>\n"
    "        <Owner>123456789012</Owner>\n"
    "        <Endpoint>example@amazon.com</Endpoint>\n"
    "      </member>\n"
    "      <member>\n"
    "        <TopicArn>arn:aws:sns:us-east-2:123456789012:My-Topic</TopicArn>\n"
    "        <Protocol>sqs</Protocol>\n"
    "        "
    "<SubscriptionArn>arn:aws:sns:us-east-2:123456789012:My-Topic:2f5d7d02-3a5e-4ac0-9f38-"
    "1a2b3c4d5e6f</SubscriptionArn>\n"
    "        <Owner>123456789012</Owner>\n"
    "        <Endpoint>arn:aws:sqs:us-east-2:123456789012:prism-webp</Endpoint>\n"
    "      </member>\n"
    "    </Subscriptions>\n"
    "    <NextToken>token-2</NextToken>\n"
    "  </ListSubscriptionsByTopicResult>\n"
    "  <ResponseMetadata>\n"
    "    <RequestId>b9275252-3774-11df-9540-99d0768312d3</RequestId>\n"
    "  </ResponseMetadata>\n"
    "</ListSubscriptionsByTopicResponse>";

static const char topic_attributes[] =
    "<GetTopicAttributesResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\">\n"
    "  <GetTopicAttributesResult>\n"
    "    <Attributes>\n"
    "      <entry>\n"
    "        <key>Owner</key>\n"
    "        <value>123456789012</value>\n"
    "      </entry>\n"
    "      <entry>\n"
    "        <key>Policy</key>\n"
    "        <value>{\n"
    "\"Version\":\"2008-10-17\",\"Id\":\"us-east-2/698519295917/My-Topic__default_policy_ID\","
    "\"Statement\" : [{\"Effect\":\"Allow\",\"Principal\" : {\"AWS\": \"*\"},"
    "\"Action\":[\"SNS:Publish\"],\"Resource\":\"arn:aws:sns:us-east-2:698519295917:My-Topic\"}]}</"
    "value>\n"
    "      </entry>\n"
    "      <entry>\n"
    "        <key>TopicArn</key>\n"
    "        <value>arn:aws:sns:us-east-2:123456789012:My-Topic</value>\n"
    "      </entry>\n"
    "    </Attributes>\n"
    "  </GetTopicAttributesResult>\n"
    "  <ResponseMetadata>\n"
    "    <RequestId>057f074c-33a7-11df-9540-99d0768312d3</RequestId>\n"
    "  </ResponseMetadata>\n"
    "</GetTopicAttributesResponse>";

static const char caller_identity[] =
    "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n"
    "  <GetCallerIdentityResult>\n"
    "   <Arn>arn:aws:iam::123456789012:user/Alice</Arn>\n"
    "    <UserId>AIDACKCEVSQ6C2EXAMPLE</UserId>\n"
    "    <Account>123456789012</Account>\n"
    "  </GetCallerIdentityResult>\n"
    "  <ResponseMetadata>\n"
    "    <RequestId>01234567-89ab-cdef-0123-456789abcdef</RequestId>\n"
    "  </ResponseMetadata>\n"
    "</GetCallerIdentityResponse>";

static const char bucket_encryption[] =
    "<ServerSideEncryptionConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\n"
    "  <Rule>\n"
    "    <ApplyServerSideEncryptionByDefault>\n"
    "      <SSEAlgorithm>aws:kms</SSEAlgorithm>\n"
    "      <KMSMasterKeyID>arn:aws:kms:us-east-1:1234/5678example</KMSMasterKeyID>\n"
    "    </ApplyServerSideEncryptionByDefault>\n"
    "  </Rule>\n"
    "</ServerSideEncryptionConfiguration>";

typedef struct {
    int n;
    char seen[4][64];
} collect_t;

/* aws_xml_each callback: records "a|b" per item. */
static int collect_cb(void *ud, const char *const *v, size_t n)
{
    collect_t *c = ud;

    assert_int_equal(n, 2);
    if (c->n == 4) {
        return -1;
    }
    snprintf(c->seen[c->n++], sizeof(c->seen[0]), "%s|%s", v[0], v[1]);
    return 0;
}

static void test_xml_each(void **state)
{
    static const char *const names[] = { "a", "b" };
    static const char doc[] =
        "<r xmlns=\"urn:x\"><l><i><a>1</a><b>x<c>y</c></b></i><i><b>only b</b></i>"
        "<i><a>first</a><a>second</a></i></l><i><a>not in l</a></i></r>";
    static const char doctype[] = "<!DOCTYPE r [<!ENTITY e \"x\">]><r>&e;</r>";
    collect_t c = { 0 };
    char err[128];

    (void) state;
    assert_int_equal(
        aws_xml_each(doc, strlen(doc), "r/l/i", names, 2, collect_cb, &c, err, sizeof(err)), 3);
    assert_int_equal(c.n, 3);
    assert_string_equal(c.seen[0], "1|xy");
    assert_string_equal(c.seen[1], "|only b");
    assert_string_equal(c.seen[2], "first|");
    memset(&c, 0, sizeof(c));
    c.n = 4; /* the callback stops the walk */
    assert_int_equal(
        aws_xml_each(doc, strlen(doc), "r/l/i", names, 2, collect_cb, &c, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "stopped"));
    assert_int_equal(aws_xml_each("<r><i>", 6, "r/i", names, 2, collect_cb, &c, err, sizeof(err)),
                     -1);
    assert_non_null(strstr(err, "malformed"));
    assert_int_equal(
        aws_xml_each(doctype, strlen(doctype), "r", names, 2, collect_cb, &c, err, sizeof(err)),
        -1);
    assert_non_null(strstr(err, "DOCTYPE"));
}

static void test_sns_subscriptions_parse(void **state)
{
    aws_sns_subscriptions_t subs = AWS_SNS_SUBSCRIPTIONS_INIT;
    aws_response_t resp;
    aws_error_t err;
    char next[64];

    (void) state;
    test_response(&resp, 200, list_subscriptions);
    assert_int_equal(aws_sns_subscriptions_parse(&resp, &subs, next, sizeof(next), &err), 0);
    assert_int_equal(subs.n, 2);
    assert_string_equal(subs.items[1].protocol, "sqs");
    assert_string_equal(subs.items[1].endpoint, "arn:aws:sqs:us-east-2:123456789012:prism-webp");
    assert_string_equal(
        subs.items[0].arn,
        "arn:aws:sns:us-east-2:123456789012:My-Topic:80289ba6-0fd4-4079-afb4-ce8c8260f0ca");
    assert_string_equal(next, "token-2");
    aws_sns_subscriptions_free(&subs);
    assert_int_equal(subs.n, 0);
    aws_response_free(&resp);

    test_response(&resp, 404,
                  "<ErrorResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\">"
                  "<Error><Type>Sender</Type><Code>NotFound</Code>"
                  "<Message>Topic does not exist</Message></Error>"
                  "<RequestId>9dd01905-5012-5f99-8663-4b3ecd0dfaef</RequestId>"
                  "</ErrorResponse>");
    assert_int_equal(aws_sns_subscriptions_parse(&resp, &subs, next, sizeof(next), &err), -1);
    assert_true(aws_sns_error_is_not_found(&err));
    assert_string_equal(err.message, "Topic does not exist");
    assert_string_equal(err.request_id, "9dd01905-5012-5f99-8663-4b3ecd0dfaef");
    aws_response_free(&resp);
}

static void test_sns_attributes_parse(void **state)
{
    aws_attrs_t attrs = AWS_ATTRS_INIT;
    aws_response_t resp;
    aws_error_t err;

    (void) state;
    test_response(&resp, 200, topic_attributes);
    assert_int_equal(aws_sns_attributes_parse(&resp, "GetTopicAttributes", &attrs, &err), 0);
    assert_int_equal(attrs.n, 3);
    assert_string_equal(aws_attrs_get(&attrs, "Owner"), "123456789012");
    assert_non_null(strstr(aws_attrs_get(&attrs, "Policy"), "\"Statement\""));
    assert_null(aws_attrs_get(&attrs, "KmsMasterKeyId"));
    aws_attrs_free(&attrs);
    /* the action names the path: another action's answer yields nothing */
    assert_int_equal(aws_sns_attributes_parse(&resp, "GetSubscriptionAttributes", &attrs, &err), 0);
    assert_int_equal(attrs.n, 0);
    aws_response_free(&resp);
}

static void test_sts_identity_parse(void **state)
{
    aws_sts_identity_t id;
    aws_response_t resp;
    aws_error_t err;

    (void) state;
    test_response(&resp, 200, caller_identity);
    assert_int_equal(aws_sts_identity_parse(&resp, &id, &err), 0);
    assert_string_equal(id.account, "123456789012");
    assert_string_equal(id.arn, "arn:aws:iam::123456789012:user/Alice");
    aws_response_free(&resp);

    test_response(&resp, 200, "<GetCallerIdentityResponse/>");
    assert_int_equal(aws_sts_identity_parse(&resp, &id, &err), -1);
    assert_int_equal(err.kind, AWS_ERR_PARSE);
    aws_response_free(&resp);

    test_response(&resp, 403,
                  "<ErrorResponse><Error><Type>Sender</Type>"
                  "<Code>InvalidClientTokenId</Code><Message>The security token "
                  "included in the request is invalid.</Message></Error>"
                  "<RequestId>r1</RequestId></ErrorResponse>");
    assert_int_equal(aws_sts_identity_parse(&resp, &id, &err), -1);
    assert_string_equal(err.code, "InvalidClientTokenId");
    assert_int_equal(err.http_status, 403);
    aws_response_free(&resp);
}

static void test_bucket_encryption_parse(void **state)
{
    aws_s3_bucket_encryption_t enc;
    aws_response_t resp;
    aws_error_t err;

    (void) state;
    test_response(&resp, 200, bucket_encryption);
    assert_int_equal(aws_s3_bucket_encryption_parse(&resp, &enc, &err), 0);
    assert_int_equal(enc.sse, AWS_S3_SSE_KMS);
    assert_string_equal(enc.kms_key_id, "arn:aws:kms:us-east-1:1234/5678example");
    aws_response_free(&resp);

    test_response(&resp, 404,
                  "<Error><Code>ServerSideEncryptionConfigurationNotFoundError</Code>"
                  "<Message>The server side encryption configuration was not found"
                  "</Message><BucketName>b</BucketName><RequestId>R</RequestId></Error>");
    assert_int_equal(aws_s3_bucket_encryption_parse(&resp, &enc, &err), 0);
    assert_int_equal(enc.sse, AWS_S3_SSE_NONE);
    aws_response_free(&resp);

    test_response(&resp, 404, "<Error><Code>NoSuchBucket</Code><Message>no</Message></Error>");
    assert_int_equal(aws_s3_bucket_encryption_parse(&resp, &enc, &err), -1);
    assert_string_equal(err.code, "NoSuchBucket");
    aws_response_free(&resp);

    /* an endpoint answering a bucket listing instead */
    test_response(&resp, 200, "<ListBucketResult><Name>b</Name></ListBucketResult>");
    assert_int_equal(aws_s3_bucket_encryption_parse(&resp, &enc, &err), -1);
    assert_int_equal(err.kind, AWS_ERR_PARSE);
    aws_response_free(&resp);
}

/* SNS ListTagsForResource and S3 GetBucketTagging answers, and what
 * an endpoint without bucket tagging answers instead. */
static void test_tags_parse(void **state)
{
    aws_attrs_t tags = AWS_ATTRS_INIT;
    aws_response_t resp;
    aws_error_t err;

    (void) state;
    test_response(&resp, 200,
                  "<ListTagsForResourceResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\">"
                  "<ListTagsForResourceResult><Tags>"
                  "<member><Key>prism:stack</Key><Value>prism</Value></member>"
                  "<member><Key>team</Key><Value>media</Value></member>"
                  "</Tags></ListTagsForResourceResult>"
                  "<ResponseMetadata><RequestId>r</RequestId></ResponseMetadata>"
                  "</ListTagsForResourceResponse>");
    assert_int_equal(aws_sns_tags_parse(&resp, &tags, &err), 0);
    assert_int_equal(tags.n, 2);
    assert_string_equal(aws_attrs_get(&tags, "prism:stack"), "prism");
    assert_string_equal(aws_attrs_get(&tags, "team"), "media");
    aws_attrs_free(&tags);
    aws_response_free(&resp);

    test_response(&resp, 200,
                  "<Tagging xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><TagSet>"
                  "<Tag><Key>prism:stack</Key><Value>staging</Value></Tag></TagSet></Tagging>");
    assert_int_equal(aws_s3_bucket_tagging_parse(&resp, &tags, &err), 0);
    assert_int_equal(tags.n, 1);
    assert_string_equal(aws_attrs_get(&tags, "prism:stack"), "staging");
    aws_attrs_free(&tags);
    aws_response_free(&resp);

    /* no tags at all: 404 NoSuchTagSet, an empty set */
    test_response(&resp, 404,
                  "<Error><Code>NoSuchTagSet</Code><Message>The TagSet does not "
                  "exist</Message></Error>");
    assert_int_equal(aws_s3_bucket_tagging_parse(&resp, &tags, &err), 0);
    assert_int_equal(tags.n, 0);
    aws_response_free(&resp);

    /* fauxqs answers GET ?tagging as a listing: not a Tagging document */
    test_response(&resp, 200, "<ListBucketResult><Name>b</Name></ListBucketResult>");
    assert_int_equal(aws_s3_bucket_tagging_parse(&resp, &tags, &err), -1);
    assert_int_equal(err.kind, AWS_ERR_PARSE);
    aws_response_free(&resp);
}

static void test_cli_opts(void **state)
{
    char *argv[] = { "--region",
                     "eu-west-1",
                     "--dynamodb-endpoint-url",
                     "http://127.0.0.1:4567",
                     "--no-verify-ssl",
                     "up",
                     "-f",
                     "x.json" };
    char *bad[] = { "--region" }, *unknown[] = { "--bogus", "up" };
    aws_cli_opts_t o = { 0 };
    char err[128];

    (void) state;
    assert_int_equal(aws_cli_opts_parse(&o, 8, argv, err, sizeof(err)), 5);
    assert_string_equal(o.region, "eu-west-1");
    assert_string_equal(o.dynamodb_endpoint, "http://127.0.0.1:4567");
    assert_int_equal(o.insecure, 1);
    assert_null(o.endpoint);
    assert_int_equal(aws_cli_opts_parse(&(aws_cli_opts_t){ 0 }, 1, bad, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "needs a value"));
    assert_int_equal(aws_cli_opts_parse(&(aws_cli_opts_t){ 0 }, 2, unknown, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "--bogus"));

    /* env: PRISM_DYNAMODB_ENDPOINT only without an explicit --endpoint-url */
    setenv("PRISM_AWS_ENDPOINT", "http://127.0.0.1:4566", 1);
    setenv("PRISM_DYNAMODB_ENDPOINT", "http://127.0.0.1:4567", 1);
    memset(&o, 0, sizeof(o));
    aws_cli_opts_env(&o);
    assert_string_equal(o.endpoint, "http://127.0.0.1:4566");
    assert_string_equal(o.dynamodb_endpoint, "http://127.0.0.1:4567");
    memset(&o, 0, sizeof(o));
    o.endpoint = "https://localstack:4566";
    aws_cli_opts_env(&o);
    assert_string_equal(o.endpoint, "https://localstack:4566");
    assert_null(o.dynamodb_endpoint);
    setenv("PRISM_DYNAMODB_ENDPOINT", "", 1);
    memset(&o, 0, sizeof(o));
    aws_cli_opts_env(&o);
    assert_null(o.dynamodb_endpoint);
    unsetenv("PRISM_AWS_ENDPOINT");
    unsetenv("PRISM_DYNAMODB_ENDPOINT");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_xml_each),
        cmocka_unit_test(test_sns_subscriptions_parse),
        cmocka_unit_test(test_sns_attributes_parse),
        cmocka_unit_test(test_sts_identity_parse),
        cmocka_unit_test(test_bucket_encryption_parse),
        cmocka_unit_test(test_tags_parse),
        cmocka_unit_test(test_cli_opts),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
