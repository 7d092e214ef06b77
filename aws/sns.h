/*
 * sns — Amazon SNS Publish, in the Query protocol.
 *
 * Wire format (API version 2010-03-31):
 *   POST /  Content-Type: application/x-www-form-urlencoded; charset=utf-8
 *   Action=Publish&Version=2010-03-31&TopicArn=...&Message=...
 *   [&Subject=...][&MessageGroupId=...][&MessageDeduplicationId=...]
 *   &MessageAttributes.entry.N.Name=...
 *   &MessageAttributes.entry.N.Value.DataType=String|Number
 *   &MessageAttributes.entry.N.Value.StringValue=...
 * Success: PublishResponse/PublishResult/MessageId.
 * Errors:  ErrorResponse/Error/{Type,Code,Message} and
 *          ErrorResponse/RequestId.
 *
 * The builder and the parser do no I/O, so the nginx module drives them
 * with its own event-driven transport; aws_sns_publish() is the
 * blocking form with retries.
 */
#ifndef AWS_SNS_H
#define AWS_SNS_H

#include <stddef.h>

#include "aws_buf.h"
#include "aws_client.h"
#include "aws_error.h"
#include "aws_http.h"
#include "aws_msg_attr.h"
#include "aws_request.h"

#define AWS_SNS_API_VERSION "2010-03-31"

typedef struct {
    const char *topic_arn;        /* required */
    const char *message;          /* required, UTF-8, up to 256 KiB */
    const char *subject;          /* NULL: none */
    const char *message_group_id; /* FIFO topics only, else NULL */
    const char *deduplication_id; /* FIFO topics only, else NULL */
    const aws_msg_attr_t *attrs;  /* message attributes, up to 10 */
    size_t nattrs;
} aws_sns_publish_params_t;

/* Builds and signs a Publish request into req; the form body is written
 * into *body, which must outlive req (req points at it).  Returns 0, or
 * -1 with err set: AWS_ERR_CONFIG for a missing topic/message or bad
 * attributes, AWS_ERR_CREDENTIALS, AWS_ERR_NOMEM.  On failure req needs
 * no aws_request_free. */
int aws_sns_publish_request(aws_client_t *c, const aws_sns_publish_params_t *p, aws_request_t *req,
                            aws_buf_t *body, aws_error_t *err);

/* Interprets a complete Publish response.  On 2xx copies the MessageId
 * into message_id (len bytes) and returns 0.  Otherwise returns -1 with
 * err set: AWS_ERR_HTTP with Code/Message/RequestId from an ErrorResponse
 * body (or a generic status error when the body is not one),
 * AWS_ERR_PARSE when a 2xx body lacks the MessageId. */
int aws_sns_publish_parse(const aws_response_t *resp, char *message_id, size_t len,
                          aws_error_t *err);

/* Publishes, blocking, with the client's retry policy.  Returns 0 with
 * the MessageId in message_id, or -1 with err set as above. */
int aws_sns_publish(aws_client_t *c, const aws_sns_publish_params_t *p, char *message_id,
                    size_t len, aws_error_t *err);

#endif
