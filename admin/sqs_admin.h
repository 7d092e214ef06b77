/*
 * sqs_admin — managing SQS queues (AWS JSON 1.0, X-Amz-Target
 * AmazonSQS.<Action>): CreateQueue, GetQueueUrl, SetQueueAttributes,
 * DeleteQueue, ListQueueTags and the queue's ARN.  Reading attributes is
 * aws_sqs_get_attributes (sqs.h).
 *
 * Requests always go to the client's SQS endpoint; a queue URL travels
 * only in the body (a local emulator answers URLs on hosts such as
 * sqs.us-east-1.localhost that need not resolve).
 */
#ifndef AWS_SQS_ADMIN_H
#define AWS_SQS_ADMIN_H

#include <stddef.h>

#include "aws_attrs.h"
#include "aws_client.h"
#include "aws_error.h"

/* CreateQueue NAME with ATTRS and TAGS (either may be NULL; tags are
 * key -> value); the QueueUrl into url (len bytes).  SQS answers the existing queue's URL when the attributes
 * match, QueueNameExists when they differ, QueueDeletedRecently within
 * 60 s of a delete.  Returns 0, or -1 with err set. */
int aws_sqs_create_queue(aws_client_t *c, const char *name, const aws_attrs_t *attrs,
                         const aws_attrs_t *tags, char *url, size_t len, aws_error_t *err);

/* ListQueueTags of the queue at URL into out (must be empty; key ->
 * value).  Returns 0, or -1 with err set (AWS_ERR_PARSE when Tags is
 * not an object of strings). */
int aws_sqs_list_queue_tags(aws_client_t *c, const char *url, aws_attrs_t *out, aws_error_t *err);

/* GetQueueUrl NAME into url.  Returns 0, or -1 with err set
 * (aws_sqs_error_is_no_queue() tells a missing queue). */
int aws_sqs_get_queue_url(aws_client_t *c, const char *name, char *url, size_t len,
                          aws_error_t *err);

/* SetQueueAttributes of the queue at URL (ATTRS non-empty). */
int aws_sqs_set_queue_attributes(aws_client_t *c, const char *url, const aws_attrs_t *attrs,
                                 aws_error_t *err);

/* DeleteQueue URL. */
int aws_sqs_delete_queue(aws_client_t *c, const char *url, aws_error_t *err);

/* The QueueArn attribute of the queue at URL into arn.  Returns 0, or
 * -1 with err set (AWS_ERR_PARSE when the answer lacks it). */
int aws_sqs_queue_arn(aws_client_t *c, const char *url, char *arn, size_t len, aws_error_t *err);

/* Returns 1 when err says the queue does not exist (QueueDoesNotExist,
 * or the Query protocol's AWS.SimpleQueueService.NonExistentQueue). */
int aws_sqs_error_is_no_queue(const aws_error_t *err);

#endif
