/*
 * test_dynamodb — DynamoDB over AWS JSON 1.0 (aws/dynamodb*.c,
 * aws/aws_json_call.c): UpdateItem / GetItem / CreateTable request
 * bodies with typed values, parsing the AWS API reference's sample
 * answers, the error bodies, and typed-value conversion.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "aws_test_support.h"
#include "dynamodb_admin.h"

/* AWS API reference, UpdateItem, example response (ReturnValues ALL_NEW). */
static const char update_response[] =
    "{\n"
    "    \"Attributes\": {\n"
    "        \"LastPostedBy\": {\"S\": \"alice@example.com\"},\n"
    "        \"ForumName\": {\"S\": \"Amazon DynamoDB\"},\n"
    "        \"LastPostDateTime\": {\"S\": \"20201015T19:12:34Z\"},\n"
    "        \"Tags\": {\"SS\": [\"Update\",\"Multiple Items\",\"HelpMe\"]},\n"
    "        \"Subject\": {\"S\": \"Maximum number of items?\"},\n"
    "        \"Views\": {\"N\": \"5\"},\n"
    "        \"Message\": {\"S\": \"I want to put 10 million data items to an Amazon DynamoDB "
    "table.  Is there an upper limit?\"}\n"
    "    }\n"
    "}";

/* AWS API reference, GetItem, example response. */
static const char get_response[] =
    "{\n"
    "    \"ConsumedCapacity\": {\n"
    "        \"CapacityUnits\": 1,\n"
    "        \"TableName\": \"Thread\"\n"
    "    },\n"
    "    \"Item\": {\n"
    "        \"Tags\": {\"SS\": [\"Update\",\"Multiple Items\",\"HelpMe\"]},\n"
    "        \"LastPostDateTime\": {\"S\": \"201303190436\"},\n"
    "        \"Message\": {\"S\": \"I want to update multiple items in a single call. What's the "
    "best way to do that?\"}\n"
    "    }\n"
    "}";

/* AWS API reference, DescribeTable, example response (abridged: no
 * indexes), a provisioned table with a sort key. */
static const char describe_response[] =
    "{\"Table\": {\"AttributeDefinitions\": [\n"
    "  {\"AttributeName\": \"ForumName\", \"AttributeType\": \"S\"},\n"
    "  {\"AttributeName\": \"LastPostDateTime\", \"AttributeType\": \"S\"},\n"
    "  {\"AttributeName\": \"Subject\", \"AttributeType\": \"S\"}],\n"
    " \"CreationDateTime\": 1.363729002358E9, \"ItemCount\": 0,\n"
    " \"KeySchema\": [{\"AttributeName\": \"ForumName\", \"KeyType\": \"HASH\"},\n"
    "                {\"AttributeName\": \"Subject\", \"KeyType\": \"RANGE\"}],\n"
    " \"ProvisionedThroughput\": {\"NumberOfDecreasesToday\": 0, \"ReadCapacityUnits\": 5,\n"
    "                           \"WriteCapacityUnits\": 5},\n"
    " \"TableName\": \"Thread\", \"TableSizeBytes\": 0, \"TableStatus\": \"ACTIVE\"}}";

static const char not_found_error[] =
    "{\"__type\":\"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException\","
    "\"message\":\"Requested resource not found\"}";

static const char condition_error[] =
    "{\"__type\":\"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException\","
    "\"message\":\"The conditional request failed\"}";

/* Asserts the JSON 1.0 envelope of req for ACTION on HOST. */
static void assert_ddb_request(const aws_request_t *req, const char *action, const char *host)
{
    char target[64];

    snprintf(target, sizeof(target), "DynamoDB_20120810.%s", action);
    assert_string_equal(req->method, "POST");
    assert_string_equal(req->host, host);
    assert_string_equal(req->path, "/");
    assert_string_equal(aws_request_header(req, "X-Amz-Target"), target);
    assert_string_equal(aws_request_header(req, "Content-Type"), "application/x-amz-json-1.0");
    test_assert_signed(req, "dynamodb");
}

/* The image-record update: one route's result under a map path, only
 * when the record exists. */
static void test_update_request_wire_format(void **state)
{
    aws_client_t *c = test_client(NULL, AWS_S3_ADDRESSING_AUTO);
    json_t *key = json_pack("{s:o}", "imageId", aws_ddb_s("4f1c"));
    json_t *names = json_pack("{s:s, s:s}", "#r", "routes", "#n", "thumbnail");
    json_t *values =
        json_pack("{s:o}", ":v",
                  aws_ddb_m(json_pack("{s:o, s:o, s:o}", "status", aws_ddb_s("done"), "outputs",
                                      aws_ddb_n_ll(3), "final", aws_ddb_bool(1))));
    aws_ddb_update_params_t p = {
        "prism-images", key,    "SET #r.#n = :v", "attribute_exists(imageId)",
        names,          values, "UPDATED_NEW"
    };
    aws_buf_t body = AWS_BUF_INIT;
    aws_request_t req;
    aws_error_t err;
    json_t *doc, *v;

    (void) state;
    assert_int_equal(aws_ddb_update_request(c, &p, &req, &body, &err), 0);
    assert_ddb_request(&req, "UpdateItem", "dynamodb.us-east-1.amazonaws.com");
    doc = test_json_body(&req);
    assert_string_equal(json_string_value(json_object_get(doc, "TableName")), "prism-images");
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(json_object_get(doc, "Key"), "imageId"), "S")),
                        "4f1c");
    assert_string_equal(json_string_value(json_object_get(doc, "UpdateExpression")),
                        "SET #r.#n = :v");
    assert_string_equal(json_string_value(json_object_get(doc, "ConditionExpression")),
                        "attribute_exists(imageId)");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(doc, "ExpressionAttributeNames"), "#n")),
        "thumbnail");
    v = json_object_get(json_object_get(json_object_get(doc, "ExpressionAttributeValues"), ":v"),
                        "M");
    assert_string_equal(json_string_value(json_object_get(json_object_get(v, "outputs"), "N")),
                        "3");
    assert_true(json_is_true(json_object_get(json_object_get(v, "final"), "BOOL")));
    assert_string_equal(json_string_value(json_object_get(doc, "ReturnValues")), "UPDATED_NEW");
    json_decref(doc);
    aws_request_free(&req);

    /* optional parts left out are absent from the body */
    p.condition = NULL;
    p.return_values = NULL;
    p.names = NULL;
    p.update = "ADD #c :one";
    assert_int_equal(aws_ddb_update_request(c, &p, &req, &body, &err), 0);
    doc = test_json_body(&req);
    assert_null(json_object_get(doc, "ConditionExpression"));
    assert_null(json_object_get(doc, "ReturnValues"));
    assert_null(json_object_get(doc, "ExpressionAttributeNames"));
    json_decref(doc);
    aws_request_free(&req);

    aws_buf_free(&body);
    json_decref(key);
    json_decref(names);
    json_decref(values);
    aws_client_free(c);
}

static void test_update_request_validation(void **state)
{
    aws_client_t *c = test_client(NULL, AWS_S3_ADDRESSING_AUTO);
    json_t *key = json_pack("{s:o}", "imageId", aws_ddb_s("a"));
    json_t *bad_names = json_pack("{s:s}", "r", "routes");
    json_t *untyped = json_pack("{s:s}", ":v", "plain string");
    aws_ddb_update_params_t p = { "prism-images", key, "SET a = :v", NULL, NULL, NULL, NULL };
    aws_buf_t body = AWS_BUF_INIT;
    aws_request_t req;
    aws_error_t err;

    (void) state;
    p.update = NULL;
    assert_int_equal(aws_ddb_update_request(c, &p, &req, &body, &err), -1);
    assert_int_equal(err.kind, AWS_ERR_CONFIG);
    p.update = "SET a = :v";
    p.table = "";
    assert_int_equal(aws_ddb_update_request(c, &p, &req, &body, &err), -1);
    p.table = "prism-images";
    p.names = bad_names;
    assert_int_equal(aws_ddb_update_request(c, &p, &req, &body, &err), -1);
    assert_non_null(strstr(err.message, "\"r\""));
    p.names = NULL;
    p.values = untyped;
    assert_int_equal(aws_ddb_update_request(c, &p, &req, &body, &err), -1);
    assert_non_null(strstr(err.message, ":v"));
    p.values = NULL;
    p.return_values = "EVERYTHING";
    assert_int_equal(aws_ddb_update_request(c, &p, &req, &body, &err), -1);
    p.return_values = NULL;
    p.key = NULL;
    assert_int_equal(aws_ddb_update_request(c, &p, &req, &body, &err), -1);
    assert_int_equal(err.kind, AWS_ERR_CONFIG);

    aws_buf_free(&body);
    json_decref(key);
    json_decref(bad_names);
    json_decref(untyped);
    aws_client_free(c);
}

static void test_update_parse(void **state)
{
    aws_response_t resp;
    aws_error_t err;
    json_t *attrs = NULL;
    long long views = 0;

    (void) state;
    test_response(&resp, 200, update_response);
    assert_int_equal(aws_ddb_update_parse(&resp, &attrs, &err), 0);
    assert_non_null(attrs);
    assert_string_equal(aws_ddb_item_s(attrs, "LastPostedBy"), "alice@example.com");
    assert_int_equal(aws_ddb_item_n(attrs, "Views", &views), 0);
    assert_int_equal(views, 5);
    assert_null(aws_ddb_item_s(attrs, "Views")); /* an N is not an S */
    assert_int_equal(aws_ddb_type(json_object_get(attrs, "Tags")), AWS_DDB_SS);
    json_decref(attrs);
    aws_response_free(&resp);

    /* ReturnValues NONE: an empty object, no attributes */
    test_response(&resp, 200, "{}");
    assert_int_equal(aws_ddb_update_parse(&resp, &attrs, &err), 0);
    assert_null(attrs);
    aws_response_free(&resp);

    test_response(&resp, 200, "{\"Attributes\": [1]}");
    assert_int_equal(aws_ddb_update_parse(&resp, &attrs, &err), -1);
    assert_int_equal(err.kind, AWS_ERR_PARSE);
    aws_response_free(&resp);
}

static void test_get_request_and_parse(void **state)
{
    aws_client_t *c = test_client("http://127.0.0.1:4567", AWS_S3_ADDRESSING_AUTO);
    json_t *key = json_pack("{s:o, s:o}", "ForumName", aws_ddb_s("Amazon DynamoDB"), "Subject",
                            aws_ddb_s("How do I update multiple items?"));
    json_t *names = json_pack("{s:s}", "#m", "Message");
    aws_ddb_get_params_t p = { "Thread", key, 1, "LastPostDateTime, #m, Tags", names };
    aws_buf_t body = AWS_BUF_INIT;
    aws_response_t resp;
    aws_request_t req;
    aws_error_t err;
    json_t *doc, *item = NULL, *plain;

    (void) state;
    assert_int_equal(aws_ddb_get_request(c, &p, &req, &body, &err), 0);
    assert_ddb_request(&req, "GetItem", "127.0.0.1:4567");
    doc = test_json_body(&req);
    assert_true(json_is_true(json_object_get(doc, "ConsistentRead")));
    assert_string_equal(json_string_value(json_object_get(doc, "ProjectionExpression")),
                        "LastPostDateTime, #m, Tags");
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(json_object_get(doc, "Key"), "Subject"), "S")),
                        "How do I update multiple items?");
    json_decref(doc);
    aws_request_free(&req);

    test_response(&resp, 200, get_response);
    assert_int_equal(aws_ddb_get_parse(&resp, &item, &err), 0);
    assert_string_equal(aws_ddb_item_s(item, "LastPostDateTime"), "201303190436");
    plain = aws_ddb_to_json(json_object_get(item, "Tags"), &err);
    assert_non_null(plain);
    assert_int_equal(json_array_size(plain), 3);
    assert_string_equal(json_string_value(json_array_get(plain, 1)), "Multiple Items");
    json_decref(plain);
    json_decref(item);
    aws_response_free(&resp);

    /* no such item: {} */
    test_response(&resp, 200, "{}");
    item = key; /* any earlier value: the parser must reset it */
    assert_int_equal(aws_ddb_get_parse(&resp, &item, &err), 0);
    assert_null(item);
    aws_response_free(&resp);

    aws_buf_free(&body);
    json_decref(key);
    json_decref(names);
    aws_client_free(c);
}

static void test_error_bodies(void **state)
{
    aws_response_t resp;
    aws_error_t err;
    json_t *item = NULL;

    (void) state;
    test_response(&resp, 400, not_found_error);
    snprintf(resp.request_id, sizeof(resp.request_id), "%s",
             "HDS3J7KB7FEQB7NUGHJ3TD2PCJVV4KQNSO5AEMVJF66Q9ASUAAJG");
    assert_int_equal(aws_ddb_get_parse(&resp, &item, &err), -1);
    assert_int_equal(err.kind, AWS_ERR_HTTP);
    assert_int_equal(err.http_status, 400);
    assert_string_equal(err.code, "ResourceNotFoundException");
    assert_string_equal(err.message, "Requested resource not found");
    assert_string_equal(err.request_id, "HDS3J7KB7FEQB7NUGHJ3TD2PCJVV4KQNSO5AEMVJF66Q9ASUAAJG");
    assert_true(aws_ddb_error_is_not_found(&err));
    assert_false(aws_ddb_error_is_condition_failed(&err));
    assert_false(aws_error_retryable(&err));
    aws_response_free(&resp);

    test_response(&resp, 400, condition_error);
    assert_int_equal(aws_ddb_update_parse(&resp, NULL, &err), -1);
    assert_true(aws_ddb_error_is_condition_failed(&err));
    assert_false(aws_error_retryable(&err));
    aws_response_free(&resp);

    /* validation errors come from another namespace */
    test_response(&resp, 400,
                  "{\"__type\":\"com.amazon.coral.validate#ValidationException\","
                  "\"message\":\"The document path provided in the update expression "
                  "is invalid for update\"}");
    assert_int_equal(aws_ddb_update_parse(&resp, NULL, &err), -1);
    assert_string_equal(err.code, "ValidationException");
    aws_response_free(&resp);

    /* throttling is retried by aws_call */
    test_response(&resp, 400,
                  "{\"__type\":\"com.amazonaws.dynamodb.v20120810#"
                  "ProvisionedThroughputExceededException\",\"message\":\"slow down\"}");
    assert_int_equal(aws_ddb_update_parse(&resp, NULL, &err), -1);
    assert_true(aws_error_retryable(&err));
    aws_response_free(&resp);

    /* a 5xx without a JSON body still becomes an error */
    test_response(&resp, 503, "");
    assert_int_equal(aws_ddb_get_parse(&resp, &item, &err), -1);
    assert_int_equal(err.http_status, 503);
    assert_true(aws_error_retryable(&err));
    aws_response_free(&resp);
}

static void test_typed_values(void **state)
{
    aws_error_t err;
    json_t *plain, *typed, *back, *v;

    (void) state;
    assert_null(aws_ddb_n("12abc"));
    assert_null(aws_ddb_n(""));
    assert_null(aws_ddb_n("1e"));
    v = aws_ddb_n("-12.5E+3");
    assert_string_equal(json_string_value(json_object_get(v, "N")), "-12.5E+3");
    json_decref(v);
    assert_null(aws_ddb_s("\xff\xfe")); /* not UTF-8 */
    assert_null(aws_ddb_m(json_array()));
    assert_int_equal(aws_ddb_type(NULL), AWS_DDB_INVALID);

    plain = json_loads("{\"id\":\"a\",\"w\":640,\"r\":0.5,\"ok\":true,\"none\":null,"
                       "\"routes\":{\"webp\":{\"bytes\":1234}},\"sizes\":[128,\"x\"]}",
                       0, NULL);
    typed = aws_ddb_from_json(plain, &err);
    assert_non_null(typed);
    v = json_object_get(typed, "M");
    assert_string_equal(json_string_value(json_object_get(json_object_get(v, "w"), "N")), "640");
    assert_true(json_is_true(json_object_get(json_object_get(v, "none"), "NULL")));
    assert_int_equal(aws_ddb_type(json_object_get(v, "sizes")), AWS_DDB_L);
    assert_int_equal(
        aws_ddb_type(json_object_get(json_object_get(json_object_get(v, "routes"), "M"), "webp")),
        AWS_DDB_M);
    back = aws_ddb_to_json(typed, &err);
    assert_non_null(back);
    assert_true(json_equal(back, plain));
    json_decref(back);
    json_decref(typed);
    json_decref(plain);

    /* a malformed typed value is a parse error naming its type */
    typed = json_loads("{\"M\":{\"a\":{\"N\":7}}}", 0, NULL);
    assert_null(aws_ddb_to_json(typed, &err));
    assert_int_equal(err.kind, AWS_ERR_PARSE);
    assert_non_null(strstr(err.message, "type N"));
    json_decref(typed);
    typed = json_loads("{\"S\":\"a\",\"N\":\"1\"}", 0, NULL);
    assert_int_equal(aws_ddb_type(typed), AWS_DDB_INVALID);
    assert_null(aws_ddb_to_json(typed, &err));
    json_decref(typed);

    /* a number no JSON integer holds keeps its exact text */
    typed = aws_ddb_n("123456789012345678901234567890");
    back = aws_ddb_to_json(typed, &err);
    assert_true(json_is_string(back));
    assert_string_equal(json_string_value(back), "123456789012345678901234567890");
    json_decref(back);
    json_decref(typed);
}

static void test_create_and_describe_table(void **state)
{
    aws_client_t *c = test_client(NULL, AWS_S3_ADDRESSING_AUTO);
    aws_ddb_table_spec_t spec = { "prism-images", "imageId", "S", NULL, NULL, NULL, 0, 0, 0,
                                  NULL,           NULL };
    aws_attrs_t tags = AWS_ATTRS_INIT;
    aws_ddb_table_info_t info;
    aws_buf_t body = AWS_BUF_INIT;
    aws_response_t resp;
    aws_request_t req;
    aws_error_t err;
    json_t *doc;

    (void) state;
    assert_int_equal(aws_ddb_create_table_request(c, &spec, &req, &body, &err), 0);
    assert_ddb_request(&req, "CreateTable", "dynamodb.us-east-1.amazonaws.com");
    doc = test_json_body(&req);
    assert_string_equal(json_string_value(json_object_get(doc, "BillingMode")), "PAY_PER_REQUEST");
    assert_int_equal(json_array_size(json_object_get(doc, "KeySchema")), 1);
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(doc, "KeySchema"), 0), "KeyType")),
                        "HASH");
    assert_string_equal(
        json_string_value(json_object_get(
            json_array_get(json_object_get(doc, "AttributeDefinitions"), 0), "AttributeType")),
        "S");
    assert_null(json_object_get(doc, "ProvisionedThroughput"));
    assert_null(json_object_get(doc, "SSESpecification"));
    assert_null(json_object_get(doc, "Tags"));
    json_decref(doc);
    aws_request_free(&req);

    /* Tags as [{"Key", "Value"}] (prism-provision's stack tag) */
    assert_int_equal(aws_attrs_set(&tags, "prism:stack", "prism"), 0);
    spec.tags = &tags;
    assert_int_equal(aws_ddb_create_table_request(c, &spec, &req, &body, &err), 0);
    doc = test_json_body(&req);
    assert_int_equal(json_array_size(json_object_get(doc, "Tags")), 1);
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(json_object_get(doc, "Tags"), 0), "Key")),
        "prism:stack");
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(doc, "Tags"), 0), "Value")),
                        "prism");
    json_decref(doc);
    aws_request_free(&req);
    spec.tags = NULL;
    aws_attrs_free(&tags);

    spec.billing_mode = "PROVISIONED";
    spec.read_capacity = 5;
    spec.write_capacity = 2;
    spec.range_key = "version";
    spec.range_type = "N";
    spec.sse_kms = 1;
    spec.kms_key_id = "alias/prism";
    assert_int_equal(aws_ddb_create_table_request(c, &spec, &req, &body, &err), 0);
    doc = test_json_body(&req);
    assert_int_equal(json_integer_value(json_object_get(
                         json_object_get(doc, "ProvisionedThroughput"), "WriteCapacityUnits")),
                     2);
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(doc, "KeySchema"), 1), "KeyType")),
                        "RANGE");
    assert_string_equal(json_string_value(json_object_get(json_object_get(doc, "SSESpecification"),
                                                          "KMSMasterKeyId")),
                        "alias/prism");
    json_decref(doc);
    aws_request_free(&req);

    spec.write_capacity = 0;
    assert_int_equal(aws_ddb_create_table_request(c, &spec, &req, &body, &err), -1);
    spec.write_capacity = 1;
    spec.range_type = "X";
    assert_int_equal(aws_ddb_create_table_request(c, &spec, &req, &body, &err), -1);
    assert_int_equal(err.kind, AWS_ERR_CONFIG);

    test_response(&resp, 200, describe_response);
    assert_int_equal(aws_ddb_table_parse(&resp, &info, &err), 0);
    assert_string_equal(info.name, "Thread");
    assert_string_equal(info.status, "ACTIVE");
    assert_string_equal(info.hash_key, "ForumName");
    assert_string_equal(info.range_key, "Subject");
    assert_string_equal(info.range_type, "S");
    assert_string_equal(info.billing_mode, "PROVISIONED"); /* no BillingModeSummary */
    aws_response_free(&resp);

    test_response(&resp, 400, not_found_error);
    assert_int_equal(aws_ddb_table_parse(&resp, &info, &err), -1);
    assert_true(aws_ddb_error_is_not_found(&err));
    aws_response_free(&resp);

    aws_buf_free(&body);
    aws_client_free(c);
}

/* A DynamoDB endpoint of its own (dynalite beside fauxqs). */
static void test_dynamodb_endpoint_override(void **state)
{
    aws_cred_config_t creds = { TEST_KEY, TEST_SECRET, NULL, NULL, NULL, 1 };
    aws_endpoint_t ddb = { "dynamodb", "http://127.0.0.1:4567" };
    aws_client_config_t cfg = { 0 };
    aws_buf_t body = AWS_BUF_INIT;
    aws_request_t req;
    aws_error_t err;
    aws_client_t *c;

    (void) state;
    cfg.region = "us-east-1";
    cfg.endpoint = "http://127.0.0.1:4566";
    cfg.endpoints = &ddb;
    cfg.nendpoints = 1;
    cfg.credentials = &creds;
    c = aws_client_new(&cfg, &err);
    assert_non_null(c);
    assert_int_equal(aws_ddb_describe_table_request(c, "prism-images", &req, &body, &err), 0);
    assert_string_equal(req.host, "127.0.0.1:4567");
    aws_request_free(&req);
    assert_string_equal(aws_client_endpoint(c, "sqs"), "http://127.0.0.1:4566");
    aws_buf_free(&body);
    aws_client_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_update_request_wire_format),
        cmocka_unit_test(test_update_request_validation),
        cmocka_unit_test(test_update_parse),
        cmocka_unit_test(test_get_request_and_parse),
        cmocka_unit_test(test_error_bodies),
        cmocka_unit_test(test_typed_values),
        cmocka_unit_test(test_create_and_describe_table),
        cmocka_unit_test(test_dynamodb_endpoint_override),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
