/*
 * dynamodb — Amazon DynamoDB in the AWS JSON 1.0 protocol: items
 * (UpdateItem, GetItem).  Tables and their tags, control-plane calls,
 * are admin/dynamodb_admin.h's.
 *
 * Wire format: POST / to the dynamodb endpoint with
 *   X-Amz-Target: DynamoDB_20120810.<Action>
 *   Content-Type: application/x-amz-json-1.0
 * (aws_json_call.h).  Errors: {"__type":
 * "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException",
 * "message": ...}; err->code is the part after '#'.
 *
 * Attribute values travel in DynamoDB's typed JSON: {"S": "text"},
 * {"N": "42"} (numbers as strings), {"BOOL": true}, {"NULL": true},
 * {"M": {name: value, ...}}, {"L": [value, ...]}.  They are jansson
 * values; the constructors below build them (NULL for invalid UTF-8 or
 * no memory), aws_ddb_from_json / aws_ddb_to_json convert from and to
 * plain JSON, and the item accessors read one attribute.
 *
 * Every action has a pure builder (*_request: builds and signs, no I/O),
 * a parser where the answer matters, and a blocking call with retries.
 */
#ifndef AWS_DYNAMODB_H
#define AWS_DYNAMODB_H

#include <jansson.h>

#include "aws_buf.h"
#include "aws_attrs.h"
#include "aws_client.h"
#include "aws_error.h"
#include "aws_http.h"
#include "aws_request.h"

#define AWS_DDB_TARGET_PREFIX "DynamoDB_20120810"

/* ---- typed attribute values (dynamodb_value.c) --------------------------- */

typedef enum {
    AWS_DDB_INVALID = 0, /* not a one-member object with a known type */
    AWS_DDB_S,
    AWS_DDB_N,
    AWS_DDB_B,
    AWS_DDB_BOOL,
    AWS_DDB_NULL,
    AWS_DDB_M,
    AWS_DDB_L,
    AWS_DDB_SS,
    AWS_DDB_NS,
    AWS_DDB_BS
} aws_ddb_type_t;

/* Return a new typed value, or NULL (invalid UTF-8, a malformed number,
 * out of memory).  aws_ddb_m and aws_ddb_l take over their argument (an
 * object of typed values, an array of typed values; NULL gives NULL). */
json_t *aws_ddb_s(const char *s);
json_t *aws_ddb_n(const char *number); /* "-12.5E+3": checked as a decimal number */
json_t *aws_ddb_n_ll(long long n);
json_t *aws_ddb_bool(int b);
json_t *aws_ddb_null(void);
json_t *aws_ddb_m(json_t *map);
json_t *aws_ddb_l(json_t *list);

/* Returns the type of a typed value. */
aws_ddb_type_t aws_ddb_type(const json_t *v);

/* Converts plain JSON to a typed value: string -> S, integer and real ->
 * N, true/false -> BOOL, null -> NULL, object -> M, array -> L,
 * recursively.  Returns a new value, or NULL with err set
 * (AWS_ERR_CONFIG for a NULL plain, AWS_ERR_NOMEM). */
json_t *aws_ddb_from_json(const json_t *plain, aws_error_t *err);

/* Converts a typed value to plain JSON: S and B -> string (B stays
 * base64), N -> number (a string when it does not fit a JSON number),
 * BOOL, NULL, M -> object, L -> array, SS/NS/BS -> arrays.  An item (an
 * object of typed values) converts with aws_ddb_to_json(aws_ddb_m(...))
 * or member by member.  Returns a new value, or NULL with err set
 * (AWS_ERR_PARSE naming the malformed value, AWS_ERR_NOMEM). */
json_t *aws_ddb_to_json(const json_t *typed, aws_error_t *err);

/* Item accessors: ITEM is an object of typed values (GetItem's Item).
 * aws_ddb_item_s returns the string of an S attribute (NULL when absent
 * or of another type); aws_ddb_item_n stores an N attribute that is an
 * integer in range into *out and returns 0 (-1 otherwise);
 * aws_ddb_item_bool returns 0/1 for a BOOL attribute (-1 otherwise);
 * aws_ddb_item_m returns the inner object of an M attribute (borrowed;
 * NULL otherwise). */
const char *aws_ddb_item_s(const json_t *item, const char *name);
int aws_ddb_item_n(const json_t *item, const char *name, long long *out);
int aws_ddb_item_bool(const json_t *item, const char *name);
json_t *aws_ddb_item_m(const json_t *item, const char *name);

/* ---- UpdateItem / GetItem (dynamodb.c) ----------------------------------- */

typedef struct {
    const char *table;         /* required */
    const json_t *key;         /* required: {"imageId": {"S": "..."}} */
    const char *update;        /* UpdateExpression, required: "SET #r.#n = :v" */
    const char *condition;     /* ConditionExpression or NULL */
    const json_t *names;       /* ExpressionAttributeNames {"#r": "routes"} or NULL */
    const json_t *values;      /* ExpressionAttributeValues {":v": typed} or NULL */
    const char *return_values; /* NULL (NONE), "ALL_NEW", "UPDATED_NEW", "ALL_OLD", "UPDATED_OLD" */
} aws_ddb_update_params_t;

/* Builds and signs UpdateItem: TableName, Key, UpdateExpression,
 * [ConditionExpression], [ExpressionAttributeNames],
 * [ExpressionAttributeValues], [ReturnValues].  The body goes into
 * *body (must outlive req).  Returns 0, or -1 with err set
 * (AWS_ERR_CONFIG for a missing table, key or expression, a key or
 * values that are not objects, names that are not an object of
 * strings, an unknown ReturnValues). */
int aws_ddb_update_request(aws_client_t *c, const aws_ddb_update_params_t *p, aws_request_t *req,
                           aws_buf_t *body, aws_error_t *err);

/* Interprets an UpdateItem response.  When attributes is not NULL it
 * receives the returned "Attributes" object (new reference), or NULL
 * when the answer has none (ReturnValues NONE).  Returns 0, or -1 with
 * err set (the service error, e.g. ConditionalCheckFailedException;
 * AWS_ERR_PARSE). */
int aws_ddb_update_parse(const aws_response_t *resp, json_t **attributes, aws_error_t *err);

/* Blocking UpdateItem with retries; attributes as aws_ddb_update_parse
 * (may be NULL). */
int aws_ddb_update_item(aws_client_t *c, const aws_ddb_update_params_t *p, json_t **attributes,
                        aws_error_t *err);

typedef struct {
    const char *table;      /* required */
    const json_t *key;      /* required */
    int consistent_read;    /* 1: ConsistentRead true */
    const char *projection; /* ProjectionExpression or NULL */
    const json_t *names;    /* ExpressionAttributeNames or NULL */
} aws_ddb_get_params_t;

/* Builds and signs GetItem: TableName, Key, [ConsistentRead],
 * [ProjectionExpression], [ExpressionAttributeNames]. */
int aws_ddb_get_request(aws_client_t *c, const aws_ddb_get_params_t *p, aws_request_t *req,
                        aws_buf_t *body, aws_error_t *err);

/* Interprets a GetItem response: *item receives the "Item" object (new
 * reference), or NULL when there is no such item ({}).  Returns 0, or
 * -1 with err set (service error; AWS_ERR_PARSE when Item is not an
 * object). */
int aws_ddb_get_parse(const aws_response_t *resp, json_t **item, aws_error_t *err);

/* Blocking GetItem with retries. */
int aws_ddb_get_item(aws_client_t *c, const aws_ddb_get_params_t *p, json_t **item,
                     aws_error_t *err);

/* Returns 1 when err is ConditionalCheckFailedException (the
 * ConditionExpression was false: nothing was written). */
int aws_ddb_error_is_condition_failed(const aws_error_t *err);

/* Returns 1 when err is ResourceNotFoundException (no such table). */
int aws_ddb_error_is_not_found(const aws_error_t *err);

#endif
