/*
 * aws_json_call — the AWS JSON protocol (1.0) for any service.
 *
 * Wire format: POST / to the service's endpoint with
 *   X-Amz-Target: <target prefix>.<Action>   ("DynamoDB_20120810.UpdateItem")
 *   Content-Type: application/x-amz-json-1.0
 * and a JSON object body.  A 2xx answer is a JSON object (an empty body
 * counts as {}).  Errors are JSON {"__type": "<namespace>#<Code>",
 * "message": "..."} (some services write "Message"); the code is the
 * part after the last '#', cut at ':'.  When the body has no __type the
 * x-amzn-query-error header ("Code;Sender", sent by SQS) supplies it.
 *
 * DynamoDB and SQS (sqs_json.h binds it to SQS) use this layer.  Every
 * function taking a request body consumes it; a NULL body means that
 * building it failed and err is already set, so callers can pass the
 * builder's result straight through.
 */
#ifndef AWS_JSON_CALL_H
#define AWS_JSON_CALL_H

#include <jansson.h>

#include "aws_call.h"

typedef struct {
    const char *service;       /* signing name and endpoint key: "dynamodb" */
    const char *target_prefix; /* "DynamoDB_20120810", "AmazonSQS" */
} aws_json_api_t;

/* Returns 0 after json_object_set_new(obj, key, value), or -1 with err
 * set when value is NULL (a failed json_string: invalid UTF-8, or no
 * memory: AWS_ERR_CONFIG naming key) or the set fails (AWS_ERR_NOMEM).
 * value is consumed either way. */
int aws_json_set(json_t *obj, const char *key, json_t *value, aws_error_t *err);

/* Returns a strdup() of the string member key of obj, "" when absent
 * and not required; NULL when required and absent, not a string, or
 * out of memory. */
char *aws_json_strdup(const json_t *obj, const char *key, int required);

/* Serialises body (consumed) into *buf (must outlive req) and builds
 * and signs "POST /" for api's endpoint with the target header for
 * ACTION.  Returns 0, or -1 with err set; req then needs no
 * aws_request_free. */
int aws_json_request(aws_client_t *c, const aws_json_api_t *api, const char *action, json_t *body,
                     aws_request_t *req, aws_buf_t *buf, aws_error_t *err);

/* Sets err from a non-2xx JSON-protocol response (see above), or a
 * generic status error when it carries no code.  Always returns -1. */
int aws_json_error_parse(const aws_response_t *resp, aws_error_t *err);

/* For a 2xx response returns its body parsed as a JSON object (new
 * reference); otherwise, or when the body is not a JSON object, returns
 * NULL with err set (the service error, or AWS_ERR_PARSE naming what:
 * the action, "SQS SendMessage" ...). */
json_t *aws_json_result(const aws_response_t *resp, const char *what, aws_error_t *err);

/* Blocking call of ACTION with body (consumed; serialised once, signed
 * afresh for every attempt), retried with the client's policy; parse
 * interprets each response with ctx.  opts may be NULL.  Returns 0, or
 * -1 with the last attempt's error in err, as aws_call. */
int aws_json_call_with(aws_client_t *c, const aws_json_api_t *api, const char *action, json_t *body,
                       aws_call_parse_fn parse, void *ctx, const aws_call_opts_t *opts,
                       aws_error_t *err);

/* aws_json_call_with interpreting the answer with aws_json_result.
 * Returns the result object (new reference), or NULL with err set. */
json_t *aws_json_call(aws_client_t *c, const aws_json_api_t *api, const char *action, json_t *body,
                      aws_error_t *err);

/* aws_json_call with the result object discarded.  Returns 0 or -1
 * with err set. */
int aws_json_call_consume(aws_client_t *c, const aws_json_api_t *api, const char *action,
                          json_t *body, aws_error_t *err);

#endif
