/*
 * sns_admin — managing SNS topics and subscriptions in the Query
 * protocol (API version 2010-03-31): CreateTopic, DeleteTopic,
 * Get/SetTopicAttributes, Subscribe, Unsubscribe,
 * ListSubscriptionsByTopic, Get/SetSubscriptionAttributes,
 * ListTagsForResource.
 *
 * Maps travel as Attributes.entry.N.key / .value; answers are XML
 * (<Action>Response/<Action>Result/...), errors ErrorResponse/Error/Code
 * ("NotFound" for a missing topic or subscription).  CreateTopic is
 * idempotent by name (the existing topic's ARN is returned; a
 * different attribute value is InvalidParameter), as is Subscribe for
 * the same topic, protocol and endpoint.
 */
#ifndef AWS_SNS_ADMIN_H
#define AWS_SNS_ADMIN_H

#include <stddef.h>

#include "aws_attrs.h"
#include "aws_client.h"
#include "aws_error.h"
#include "aws_http.h"

typedef struct {
    char *arn; /* "PendingConfirmation" for unconfirmed ones */
    char *topic_arn;
    char *protocol; /* "sqs" */
    char *endpoint; /* the queue ARN for sqs */
} aws_sns_subscription_t;

typedef struct {
    aws_sns_subscription_t *items;
    size_t n;
} aws_sns_subscriptions_t;

#define AWS_SNS_SUBSCRIPTIONS_INIT                                                                 \
    {                                                                                              \
        NULL, 0                                                                                    \
    }

/* CreateTopic NAME with ATTRS (may be NULL: FifoTopic, KmsMasterKeyId,
 * ContentBasedDeduplication, DisplayName, Policy ...) and TAGS (may be
 * NULL; key -> value); the TopicArn into arn (len bytes).  Returns 0, or
 * -1 with err set. */
int aws_sns_create_topic(aws_client_t *c, const char *name, const aws_attrs_t *attrs,
                         const aws_attrs_t *tags, char *arn, size_t len, aws_error_t *err);

/* DeleteTopic ARN (its subscriptions go with it).  Deleting a missing
 * topic succeeds on AWS. */
int aws_sns_delete_topic(aws_client_t *c, const char *arn, aws_error_t *err);

/* GetTopicAttributes ARN into out (must be empty). */
int aws_sns_get_topic_attributes(aws_client_t *c, const char *arn, aws_attrs_t *out,
                                 aws_error_t *err);

/* SetTopicAttributes: one attribute NAME = VALUE. */
int aws_sns_set_topic_attribute(aws_client_t *c, const char *arn, const char *name,
                                const char *value, aws_error_t *err);

/* Subscribe ENDPOINT (a queue ARN for PROTOCOL "sqs") to TOPIC_ARN with
 * ATTRS (RawMessageDelivery, FilterPolicy, FilterPolicyScope ...; may be
 * NULL) and ReturnSubscriptionArn; the SubscriptionArn into sub_arn. */
int aws_sns_subscribe(aws_client_t *c, const char *topic_arn, const char *protocol,
                      const char *endpoint, const aws_attrs_t *attrs, char *sub_arn, size_t len,
                      aws_error_t *err);

/* Unsubscribe SUB_ARN. */
int aws_sns_unsubscribe(aws_client_t *c, const char *sub_arn, aws_error_t *err);

/* Parses one ListSubscriptionsByTopic page (2xx or not) and appends its
 * members to out; the NextToken into next (len bytes; "" on the last
 * page).  Returns 0, or -1 with err set (service error, AWS_ERR_PARSE). */
int aws_sns_subscriptions_parse(const aws_response_t *resp, aws_sns_subscriptions_t *out,
                                char *next, size_t len, aws_error_t *err);

/* Every subscription of TOPIC_ARN (all pages) into out (must be empty). */
int aws_sns_list_subscriptions(aws_client_t *c, const char *topic_arn, aws_sns_subscriptions_t *out,
                               aws_error_t *err);

void aws_sns_subscriptions_free(aws_sns_subscriptions_t *s);

/* Parses a Get{Topic,Subscription}Attributes answer (ACTION names it)
 * into out (must be empty).  Returns 0, or -1 with err set. */
int aws_sns_attributes_parse(const aws_response_t *resp, const char *action, aws_attrs_t *out,
                             aws_error_t *err);

/* GetSubscriptionAttributes SUB_ARN into out (must be empty). */
int aws_sns_get_subscription_attributes(aws_client_t *c, const char *sub_arn, aws_attrs_t *out,
                                        aws_error_t *err);

/* Parses a ListTagsForResource answer (2xx or not) into out (must be
 * empty; key -> value).  Returns 0, or -1 with err set (service error,
 * AWS_ERR_PARSE). */
int aws_sns_tags_parse(const aws_response_t *resp, aws_attrs_t *out, aws_error_t *err);

/* ListTagsForResource ARN (a topic) into out (must be empty).  Returns
 * 0, or -1 with err set (NotFound for a missing topic; an endpoint
 * without the action answers InvalidAction). */
int aws_sns_list_tags(aws_client_t *c, const char *arn, aws_attrs_t *out, aws_error_t *err);

/* SetSubscriptionAttributes: one attribute NAME = VALUE. */
int aws_sns_set_subscription_attribute(aws_client_t *c, const char *sub_arn, const char *name,
                                       const char *value, aws_error_t *err);

/* Returns 1 when err is SNS's NotFound (no such topic or subscription). */
int aws_sns_error_is_not_found(const aws_error_t *err);

#endif
