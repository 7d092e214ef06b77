/*
 * sqs_json — the AWS JSON 1.0 plumbing shared by the SQS actions
 * (internal to aws/sqs*.c).
 */
#ifndef AWS_SQS_JSON_H
#define AWS_SQS_JSON_H

#include <jansson.h>

#include "aws_call.h"
#include "sqs.h"

/* Returns a new JSON object {"QueueUrl": queue_url}, or NULL with err
 * set (AWS_ERR_CONFIG for a missing URL, AWS_ERR_NOMEM). */
json_t *aws_sqs_json_new(const char *queue_url, aws_error_t *err);

/* Returns 0 after json_object_set_new(obj, key, value), or -1 with
 * AWS_ERR_NOMEM in err when value is NULL or the set fails. */
int aws_sqs_json_set(json_t *obj, const char *key, json_t *value, aws_error_t *err);

/* Serialises body into *buf (must outlive req) and builds and signs
 * "POST /" to the SQS endpoint with X-Amz-Target: AmazonSQS.<action>
 * and Content-Type: application/x-amz-json-1.0.  body is not consumed.
 * Returns 0, or -1 with err set; req then needs no aws_request_free. */
int aws_sqs_json_request(aws_client_t *c, const char *action, const json_t *body,
                         aws_request_t *req, aws_buf_t *buf, aws_error_t *err);

/* For a 2xx response returns its body parsed as a JSON object (new
 * reference; an empty body counts as {}); otherwise, or when the body
 * is not a JSON object, returns NULL with err set (the service error,
 * or AWS_ERR_PARSE naming action). */
json_t *aws_sqs_json_result(const aws_response_t *resp, const char *action, aws_error_t *err);

/* Returns a strdup() of the string member key of obj, "" when absent
 * and not required; NULL when required and absent, not a string, or
 * out of memory. */
char *aws_sqs_json_strdup(const json_t *obj, const char *key, int required);

/* Blocking call of action with body (reused by every attempt), retried
 * with the client's policy; parse interprets each response with ctx.
 * opts may be NULL.  Returns 0 or -1 with err set, as aws_call. */
int aws_sqs_json_call(aws_client_t *c, const char *action, const json_t *body,
                      aws_call_parse_fn parse, void *ctx, const aws_call_opts_t *opts,
                      aws_error_t *err);

#endif
