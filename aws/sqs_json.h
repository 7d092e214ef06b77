/*
 * sqs_json — SQS's binding of the AWS JSON 1.0 layer (aws_json_call.h),
 * internal to aws/sqs*.c: the service's target prefix and its request
 * bodies' one required string field.  The wire format and the error
 * parsing (including the x-amzn-query-error header) are the generic
 * layer's.
 */
#ifndef AWS_SQS_JSON_H
#define AWS_SQS_JSON_H

#include "aws_json_call.h"
#include "sqs.h"

/* Signing name "sqs", X-Amz-Target prefix "AmazonSQS". */
extern const aws_json_api_t aws_sqs_api;

/* Returns a new body {KEY: value} (KEY "QueueUrl", "QueueName"), or
 * NULL with err set: AWS_ERR_CONFIG for a missing or empty value or one
 * that is not valid UTF-8, AWS_ERR_NOMEM. */
json_t *aws_sqs_json_body(const char *key, const char *value, aws_error_t *err);

#endif
