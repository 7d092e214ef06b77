/* DynamoDB tables: CreateTable, DescribeTable, DeleteTable. */
#include "dynamodb_admin.h"

#include <stdio.h>
#include <string.h>

#include "aws_json_call.h"

static const aws_json_api_t aws_ddb_table_api = { "dynamodb", AWS_DDB_TARGET_PREFIX };

/* Returns 1 when t is a key attribute type: "S", "N" or "B". */
static int aws_ddb_key_type(const char *t)
{
    return t != NULL && (strcmp(t, "S") == 0 || strcmp(t, "N") == 0 || strcmp(t, "B") == 0);
}

/* Appends one key to the AttributeDefinitions and KeySchema arrays.
 * Returns 0 or -1 with err set. */
static int aws_ddb_add_key(json_t *defs, json_t *schema, const char *name, const char *type,
                           const char *key_type, aws_error_t *err)
{
    if (name == NULL || name[0] == '\0' || !aws_ddb_key_type(type)) {
        aws_error_set(err, AWS_ERR_CONFIG, "DynamoDB %s key needs a name and type S, N or B",
                      key_type);
        return -1;
    }
    if (json_array_append_new(defs,
                              json_pack("{s:s, s:s}", "AttributeName", name, "AttributeType", type))
            != 0
        || json_array_append_new(
               schema, json_pack("{s:s, s:s}", "AttributeName", name, "KeyType", key_type))
               != 0) {
        aws_error_set(err, AWS_ERR_CONFIG, "DynamoDB key name \"%s\" is not valid UTF-8", name);
        return -1;
    }
    return 0;
}

/* Returns the SSESpecification of a KMS-encrypted table: the AWS
 * managed key, or spec's customer key. */
static json_t *aws_ddb_sse_json(const aws_ddb_table_spec_t *s)
{
    if (s->kms_key_id != NULL) {
        return json_pack("{s:b, s:s, s:s}", "Enabled", 1, "SSEType", "KMS", "KMSMasterKeyId",
                         s->kms_key_id);
    }
    return json_pack("{s:b, s:s}", "Enabled", 1, "SSEType", "KMS");
}

/* Returns the CreateTable body for spec, or NULL with err set. */
static json_t *aws_ddb_create_table_json(const aws_ddb_table_spec_t *s, aws_error_t *err)
{
    const char *mode = s->billing_mode != NULL ? s->billing_mode : "PAY_PER_REQUEST";
    int provisioned = strcmp(mode, "PROVISIONED") == 0;
    json_t *obj, *defs, *schema;

    if (s->name == NULL || s->name[0] == '\0') {
        aws_error_set(err, AWS_ERR_CONFIG, "DynamoDB CreateTable needs a table name");
        return NULL;
    }
    if (!provisioned && strcmp(mode, "PAY_PER_REQUEST") != 0) {
        aws_error_set(err, AWS_ERR_CONFIG, "unknown billing mode \"%s\"", mode);
        return NULL;
    }
    if (provisioned && (s->read_capacity < 1 || s->write_capacity < 1)) {
        aws_error_set(err, AWS_ERR_CONFIG, "PROVISIONED tables need read and write capacity >= 1");
        return NULL;
    }
    obj = json_pack("{s:[], s:[]}", "AttributeDefinitions", "KeySchema");
    if (obj == NULL) {
        aws_error_set(err, AWS_ERR_NOMEM, "out of memory building DynamoDB CreateTable");
        return NULL;
    }
    defs = json_object_get(obj, "AttributeDefinitions");
    schema = json_object_get(obj, "KeySchema");
    if (aws_ddb_add_key(defs, schema, s->hash_key, s->hash_type, "HASH", err) != 0
        || (s->range_key != NULL
            && aws_ddb_add_key(defs, schema, s->range_key, s->range_type, "RANGE", err) != 0)
        || aws_json_set(obj, "TableName", json_string(s->name), err) != 0
        || aws_json_set(obj, "BillingMode", json_string(mode), err) != 0
        || (provisioned
            && aws_json_set(obj, "ProvisionedThroughput",
                            json_pack("{s:I, s:I}", "ReadCapacityUnits",
                                      (json_int_t) s->read_capacity, "WriteCapacityUnits",
                                      (json_int_t) s->write_capacity),
                            err)
                   != 0)
        || (s->sse_kms && aws_json_set(obj, "SSESpecification", aws_ddb_sse_json(s), err) != 0)
        || (s->tags != NULL && s->tags->n > 0
            && aws_json_set(obj, "Tags", aws_ddb_tags_json(s->tags, err), err) != 0)) {
        json_decref(obj);
        return NULL;
    }
    return obj;
}

/* Returns {"TableName": table}, or NULL with err set. */
static json_t *aws_ddb_table_name_json(const char *action, const char *table, aws_error_t *err)
{
    json_t *obj;

    if (table == NULL || table[0] == '\0') {
        aws_error_set(err, AWS_ERR_CONFIG, "DynamoDB %s needs a table name", action);
        return NULL;
    }
    obj = json_object();
    if (obj == NULL || aws_json_set(obj, "TableName", json_string(table), err) != 0) {
        json_decref(obj);
        if (obj == NULL) {
            aws_error_set(err, AWS_ERR_NOMEM, "out of memory building DynamoDB %s", action);
        }
        return NULL;
    }
    return obj;
}

/* Copies string member key of obj into out (len bytes), "" when absent
 * or not a string. */
static void aws_ddb_copy(const json_t *obj, const char *key, char *out, size_t len)
{
    const char *v = json_string_value(json_object_get(obj, key));

    snprintf(out, len, "%s", v != NULL ? v : "");
}

/* Fills info from a TableDescription object.  Returns 0, or -1 with
 * AWS_ERR_PARSE when it has no TableName. */
static int aws_ddb_table_from_json(const json_t *t, aws_ddb_table_info_t *info, aws_error_t *err)
{
    json_t *schema = json_object_get(t, "KeySchema"),
           *defs = json_object_get(t, "AttributeDefinitions");
    json_t *k, *d, *bm = json_object_get(t, "BillingModeSummary"),
                   *sse = json_object_get(t, "SSEDescription");
    const char *name, *kt;
    size_t i, j;

    memset(info, 0, sizeof(*info));
    if (!json_is_object(t) || !json_is_string(json_object_get(t, "TableName"))) {
        aws_error_set(err, AWS_ERR_PARSE, "DynamoDB answer has no table description");
        return -1;
    }
    aws_ddb_copy(t, "TableName", info->name, sizeof(info->name));
    aws_ddb_copy(t, "TableArn", info->arn, sizeof(info->arn));
    aws_ddb_copy(t, "TableStatus", info->status, sizeof(info->status));
    aws_ddb_copy(bm, "BillingMode", info->billing_mode, sizeof(info->billing_mode));
    if (info->billing_mode[0] == '\0') {
        /* tables that never changed mode carry no summary: provisioned */
        snprintf(info->billing_mode, sizeof(info->billing_mode), "PROVISIONED");
    }
    if (json_is_string(json_object_get(sse, "SSEType"))) {
        aws_ddb_copy(sse, "SSEType", info->sse_type, sizeof(info->sse_type));
        aws_ddb_copy(sse, "KMSMasterKeyArn", info->kms_key_arn, sizeof(info->kms_key_arn));
    }
    json_array_foreach(schema, i, k)
    {
        name = json_string_value(json_object_get(k, "AttributeName"));
        kt = json_string_value(json_object_get(k, "KeyType"));
        if (name == NULL || kt == NULL) {
            continue;
        }
        json_array_foreach(defs, j, d)
        {
            const char *dn = json_string_value(json_object_get(d, "AttributeName"));
            if (dn == NULL || strcmp(dn, name) != 0) {
                continue;
            }
            if (strcmp(kt, "HASH") == 0) {
                snprintf(info->hash_key, sizeof(info->hash_key), "%s", name);
                aws_ddb_copy(d, "AttributeType", info->hash_type, sizeof(info->hash_type));
            } else if (strcmp(kt, "RANGE") == 0) {
                snprintf(info->range_key, sizeof(info->range_key), "%s", name);
                aws_ddb_copy(d, "AttributeType", info->range_type, sizeof(info->range_type));
            }
        }
    }
    return 0;
}

/* Parses a table result object (consumed) into info (may be NULL). */
static int aws_ddb_table_result(json_t *doc, aws_ddb_table_info_t *info, aws_error_t *err)
{
    aws_ddb_table_info_t scratch;
    json_t *t;
    int rc;

    if (doc == NULL) {
        return -1;
    }
    t = json_object_get(doc, "Table");
    if (t == NULL) {
        t = json_object_get(doc, "TableDescription");
    }
    rc = aws_ddb_table_from_json(t, info != NULL ? info : &scratch, err);
    json_decref(doc);
    return rc;
}

int aws_ddb_table_parse(const aws_response_t *resp, aws_ddb_table_info_t *info, aws_error_t *err)
{
    return aws_ddb_table_result(aws_json_result(resp, "DynamoDB table action", err), info, err);
}

/* Blocking ACTION with obj (consumed; NULL: err already set), its table
 * description into info. */
static int aws_ddb_table_call(aws_client_t *c, const char *action, json_t *obj,
                              aws_ddb_table_info_t *info, aws_error_t *err)
{
    return aws_ddb_table_result(aws_json_call(c, &aws_ddb_table_api, action, obj, err), info, err);
}

int aws_ddb_create_table_request(aws_client_t *c, const aws_ddb_table_spec_t *spec,
                                 aws_request_t *req, aws_buf_t *body, aws_error_t *err)
{
    return aws_json_request(c, &aws_ddb_table_api, "CreateTable",
                            aws_ddb_create_table_json(spec, err), req, body, err);
}

int aws_ddb_describe_table_request(aws_client_t *c, const char *table, aws_request_t *req,
                                   aws_buf_t *body, aws_error_t *err)
{
    return aws_json_request(c, &aws_ddb_table_api, "DescribeTable",
                            aws_ddb_table_name_json("DescribeTable", table, err), req, body, err);
}

int aws_ddb_delete_table_request(aws_client_t *c, const char *table, aws_request_t *req,
                                 aws_buf_t *body, aws_error_t *err)
{
    return aws_json_request(c, &aws_ddb_table_api, "DeleteTable",
                            aws_ddb_table_name_json("DeleteTable", table, err), req, body, err);
}

int aws_ddb_create_table(aws_client_t *c, const aws_ddb_table_spec_t *spec,
                         aws_ddb_table_info_t *info, aws_error_t *err)
{
    return aws_ddb_table_call(c, "CreateTable", aws_ddb_create_table_json(spec, err), info, err);
}

int aws_ddb_describe_table(aws_client_t *c, const char *table, aws_ddb_table_info_t *info,
                           aws_error_t *err)
{
    return aws_ddb_table_call(c, "DescribeTable",
                              aws_ddb_table_name_json("DescribeTable", table, err), info, err);
}

int aws_ddb_delete_table(aws_client_t *c, const char *table, aws_ddb_table_info_t *info,
                         aws_error_t *err)
{
    return aws_ddb_table_call(c, "DeleteTable", aws_ddb_table_name_json("DeleteTable", table, err),
                              info, err);
}
