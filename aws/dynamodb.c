/* DynamoDB items: UpdateItem and GetItem. */
#include "dynamodb.h"

#include <string.h>

#include "aws_json_call.h"

static const aws_json_api_t aws_ddb_api = { "dynamodb", AWS_DDB_TARGET_PREFIX };

/* Returns a new body {"TableName": table, "Key": key} after checking
 * both, or NULL with err set. */
static json_t *aws_ddb_key_body(const char *action, const char *table, const json_t *key,
                                aws_error_t *err)
{
    json_t *obj;

    if (table == NULL || table[0] == '\0') {
        aws_error_set(err, AWS_ERR_CONFIG, "DynamoDB %s needs a table name", action);
        return NULL;
    }
    if (!json_is_object(key) || json_object_size(key) == 0) {
        aws_error_set(err, AWS_ERR_CONFIG, "DynamoDB %s needs a key object", action);
        return NULL;
    }
    if ((obj = json_object()) == NULL) {
        aws_error_set(err, AWS_ERR_NOMEM, "out of memory building DynamoDB %s", action);
        return NULL;
    }
    if (aws_json_set(obj, "TableName", json_string(table), err) != 0
        || aws_json_set(obj, "Key", json_deep_copy(key), err) != 0) {
        json_decref(obj);
        return NULL;
    }
    return obj;
}

/* Adds ExpressionAttributeNames after checking it maps "#x" names to
 * strings.  NULL names adds nothing.  Returns 0 or -1 with err set. */
static int aws_ddb_add_names(json_t *obj, const json_t *names, aws_error_t *err)
{
    const char *k;
    json_t *v;

    if (names == NULL) {
        return 0;
    }
    if (!json_is_object(names)) {
        aws_error_set(err, AWS_ERR_CONFIG, "ExpressionAttributeNames must be an object");
        return -1;
    }
    json_object_foreach((json_t *) names, k, v)
    {
        if (k[0] != '#' || !json_is_string(v)) {
            aws_error_set(err, AWS_ERR_CONFIG,
                          "ExpressionAttributeNames entry \"%s\" must be \"#name\": \"attribute\"",
                          k);
            return -1;
        }
    }
    return aws_json_set(obj, "ExpressionAttributeNames", json_deep_copy(names), err);
}

/* Returns 1 when rv is a valid ReturnValues of UpdateItem. */
static int aws_ddb_valid_return_values(const char *rv)
{
    static const char *const valid[] = { "NONE", "ALL_NEW", "UPDATED_NEW", "ALL_OLD",
                                         "UPDATED_OLD" };
    size_t i;

    for (i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
        if (strcmp(rv, valid[i]) == 0) {
            return 1;
        }
    }
    return 0;
}

/* Returns the UpdateItem body for p, or NULL with err set. */
static json_t *aws_ddb_update_json(const aws_ddb_update_params_t *p, aws_error_t *err)
{
    const char *k;
    json_t *obj, *v;

    if (p->update == NULL || p->update[0] == '\0') {
        aws_error_set(err, AWS_ERR_CONFIG, "DynamoDB UpdateItem needs an UpdateExpression");
        return NULL;
    }
    if (p->values != NULL && !json_is_object(p->values)) {
        aws_error_set(err, AWS_ERR_CONFIG, "ExpressionAttributeValues must be an object");
        return NULL;
    }
    json_object_foreach((json_t *) p->values, k, v)
    {
        if (k[0] != ':' || aws_ddb_type(v) == AWS_DDB_INVALID) {
            aws_error_set(err, AWS_ERR_CONFIG,
                          "ExpressionAttributeValues entry \"%s\" must be \":name\": typed value",
                          k);
            return NULL;
        }
    }
    if (p->return_values != NULL && !aws_ddb_valid_return_values(p->return_values)) {
        aws_error_set(err, AWS_ERR_CONFIG, "unknown ReturnValues \"%s\"", p->return_values);
        return NULL;
    }
    if ((obj = aws_ddb_key_body("UpdateItem", p->table, p->key, err)) == NULL) {
        return NULL;
    }
    if (aws_json_set(obj, "UpdateExpression", json_string(p->update), err) != 0
        || (p->condition != NULL
            && aws_json_set(obj, "ConditionExpression", json_string(p->condition), err) != 0)
        || aws_ddb_add_names(obj, p->names, err) != 0
        || (p->values != NULL && json_object_size(p->values) > 0
            && aws_json_set(obj, "ExpressionAttributeValues", json_deep_copy(p->values), err) != 0)
        || (p->return_values != NULL
            && aws_json_set(obj, "ReturnValues", json_string(p->return_values), err) != 0)) {
        json_decref(obj);
        return NULL;
    }
    return obj;
}

/* Takes member KEY of result (must be an object when present) into
 * *out (new reference, NULL when absent), decrefs result.  Returns 0,
 * or -1 with AWS_ERR_PARSE. */
static int aws_ddb_take_object(json_t *result, const char *action, const char *key, json_t **out,
                               aws_error_t *err)
{
    json_t *v = json_object_get(result, key);

    if (v != NULL && !json_is_object(v)) {
        aws_error_set(err, AWS_ERR_PARSE, "DynamoDB %s: \"%s\" is not an object", action, key);
        json_decref(result);
        return -1;
    }
    if (out != NULL) {
        *out = json_incref(v);
    }
    json_decref(result);
    return 0;
}

int aws_ddb_update_request(aws_client_t *c, const aws_ddb_update_params_t *p, aws_request_t *req,
                           aws_buf_t *body, aws_error_t *err)
{
    return aws_json_request(c, &aws_ddb_api, "UpdateItem", aws_ddb_update_json(p, err), req, body,
                            err);
}

int aws_ddb_update_parse(const aws_response_t *resp, json_t **attributes, aws_error_t *err)
{
    json_t *doc = aws_json_result(resp, "UpdateItem", err);

    if (doc == NULL) {
        return -1;
    }
    return aws_ddb_take_object(doc, "UpdateItem", "Attributes", attributes, err);
}

int aws_ddb_update_item(aws_client_t *c, const aws_ddb_update_params_t *p, json_t **attributes,
                        aws_error_t *err)
{
    json_t *doc = aws_json_call(c, &aws_ddb_api, "UpdateItem", aws_ddb_update_json(p, err), err);

    return doc != NULL ? aws_ddb_take_object(doc, "UpdateItem", "Attributes", attributes, err) : -1;
}

/* Returns the GetItem body for p, or NULL with err set. */
static json_t *aws_ddb_get_json(const aws_ddb_get_params_t *p, aws_error_t *err)
{
    json_t *obj = aws_ddb_key_body("GetItem", p->table, p->key, err);

    if (obj == NULL) {
        return NULL;
    }
    if ((p->consistent_read && aws_json_set(obj, "ConsistentRead", json_true(), err) != 0)
        || (p->projection != NULL
            && aws_json_set(obj, "ProjectionExpression", json_string(p->projection), err) != 0)
        || aws_ddb_add_names(obj, p->names, err) != 0) {
        json_decref(obj);
        return NULL;
    }
    return obj;
}

int aws_ddb_get_request(aws_client_t *c, const aws_ddb_get_params_t *p, aws_request_t *req,
                        aws_buf_t *body, aws_error_t *err)
{
    return aws_json_request(c, &aws_ddb_api, "GetItem", aws_ddb_get_json(p, err), req, body, err);
}

int aws_ddb_get_parse(const aws_response_t *resp, json_t **item, aws_error_t *err)
{
    json_t *doc = aws_json_result(resp, "GetItem", err);

    *item = NULL;
    if (doc == NULL) {
        return -1;
    }
    return aws_ddb_take_object(doc, "GetItem", "Item", item, err);
}

int aws_ddb_get_item(aws_client_t *c, const aws_ddb_get_params_t *p, json_t **item,
                     aws_error_t *err)
{
    json_t *doc;

    *item = NULL;
    doc = aws_json_call(c, &aws_ddb_api, "GetItem", aws_ddb_get_json(p, err), err);
    return doc != NULL ? aws_ddb_take_object(doc, "GetItem", "Item", item, err) : -1;
}

int aws_ddb_error_is_condition_failed(const aws_error_t *err)
{
    return aws_error_is(err, "ConditionalCheckFailedException");
}

int aws_ddb_error_is_not_found(const aws_error_t *err)
{
    return aws_error_is(err, "ResourceNotFoundException");
}
