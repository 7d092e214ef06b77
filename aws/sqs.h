/*
 * sqs — Amazon SQS in the AWS JSON 1.0 protocol.
 *
 * Wire format: POST / to the SQS endpoint (never to the QueueUrl's
 * host: the URL only travels in the body), with
 *   X-Amz-Target: AmazonSQS.<Action>
 *   Content-Type: application/x-amz-json-1.0
 * and a JSON object body carrying "QueueUrl" and the action's fields.
 * Errors are JSON {"__type": "com.amazonaws.sqs#QueueDoesNotExist",
 * "message": "..."}; the code is the part after '#'.  When the body has
 * no __type, the x-amzn-query-error header ("Code;Sender") supplies it.
 *
 * Every action has a pure builder (*_request: builds and signs, no I/O)
 * and a blocking call with retries.  Batch actions (DeleteMessageBatch,
 * ChangeMessageVisibilityBatch) succeed at the HTTP level even when some
 * entries failed: their result lists Successful and Failed entries, and
 * the caller must look at Failed.
 */
#ifndef AWS_SQS_H
#define AWS_SQS_H

#include <signal.h>
#include <stddef.h>

#include "aws_buf.h"
#include "aws_client.h"
#include "aws_error.h"
#include "aws_http.h"
#include "aws_msg_attr.h"
#include "aws_request.h"

#define AWS_SQS_MAX_WAIT_SECONDS 20
#define AWS_SQS_MAX_MESSAGES     10
#define AWS_SQS_MAX_BATCH        10
/* A long poll's HTTP timeout is WaitTimeSeconds plus this. */
#define AWS_SQS_POLL_MARGIN_MS 10000

/* ---- ReceiveMessage ---------------------------------------------------- */

typedef struct {
    const char *queue_url;               /* required */
    int wait_seconds;                    /* 0..20: long poll duration */
    int max_messages;                    /* 1..10; 0 means 1 */
    int visibility_timeout;              /* seconds; < 0: the queue's default */
    const volatile sig_atomic_t *cancel; /* blocking call: abort the poll when != 0 */
} aws_sqs_receive_params_t;

/* A received message attribute (strings owned by the message). */
typedef struct {
    char *name;
    char *type; /* "String", "Number", "Binary" (value then base64), ... */
    char *value;
} aws_sqs_attr_t;

typedef struct {
    char *message_id;
    char *receipt_handle;
    char *body; /* NUL-terminated; body_len excludes the NUL */
    size_t body_len;
    char *md5_of_body;
    long receive_count;                /* ApproximateReceiveCount; 0 when absent */
    long long sent_timestamp;          /* SentTimestamp, ms since the epoch; 0 when absent */
    long long first_receive_timestamp; /* ApproximateFirstReceiveTimestamp, ms; 0 when absent */
    char *message_group_id;            /* MessageGroupId (FIFO queues); NULL when absent */
    aws_sqs_attr_t *attrs;             /* message attributes */
    size_t nattrs;
} aws_sqs_message_t;

typedef struct {
    aws_sqs_message_t *msgs;
    size_t n;
    unsigned nonconforming; /* AWS_CONF_BIT()s of what the answer lacked
                                           (aws_conformance.h) */
} aws_sqs_messages_t;

#define AWS_SQS_MESSAGES_INIT                                                                      \
    {                                                                                              \
        NULL, 0, 0                                                                                 \
    }

/* Builds and signs ReceiveMessage: QueueUrl, MaxNumberOfMessages,
 * WaitTimeSeconds, [VisibilityTimeout], MessageSystemAttributeNames
 * ["ApproximateReceiveCount","SentTimestamp",
 * "ApproximateFirstReceiveTimestamp","MessageGroupId"], MessageAttributeNames ["All"].
 * The JSON body goes into *body (must outlive req).  Returns 0, or -1
 * with err set (AWS_ERR_CONFIG for values out of range). */
int aws_sqs_receive_request(aws_client_t *c, const aws_sqs_receive_params_t *p, aws_request_t *req,
                            aws_buf_t *body, aws_error_t *err);

/* Returns the HTTP timeout for a poll with these params: wait_seconds
 * plus AWS_SQS_POLL_MARGIN_MS. */
long aws_sqs_receive_timeout_ms(const aws_sqs_receive_params_t *p);

/* Parses a ReceiveMessage response into out (which must be empty; an
 * answer without "Messages" is an empty, successful poll).  What the
 * answer lacks goes into out->nonconforming: AWS_CONF_RECEIVE_COUNT when
 * a message has no ApproximateReceiveCount (always requested; its
 * receive_count is then 0), AWS_CONF_CONTENT_TYPE when the answer is not
 * application/x-amz-json-1.0.  Returns 0,
 * or -1 with err set (service error, AWS_ERR_PARSE for a malformed
 * body, a message without MessageId/ReceiptHandle/Body), leaving out
 * empty. */
int aws_sqs_receive_parse(const aws_response_t *resp, aws_sqs_messages_t *out, aws_error_t *err);

/* Long-polls, blocking, with retries; the HTTP timeout is
 * aws_sqs_receive_timeout_ms(p) and p->cancel aborts the poll.
 * Returns 0 with out filled (possibly n = 0), or -1 with err set. */
int aws_sqs_receive(aws_client_t *c, const aws_sqs_receive_params_t *p, aws_sqs_messages_t *out,
                    aws_error_t *err);

/* Returns the value of message attribute NAME, or NULL. */
const char *aws_sqs_message_attr(const aws_sqs_message_t *m, const char *name);

/* Frees the messages and empties out. */
void aws_sqs_messages_free(aws_sqs_messages_t *out);

/* ---- batches: DeleteMessageBatch, ChangeMessageVisibilityBatch ---------- */

typedef struct {
    const char *id; /* unique within the batch: [A-Za-z0-9_-]{1,80} */
    const char *receipt_handle;
    int visibility_timeout; /* ChangeMessageVisibilityBatch only */
} aws_sqs_batch_entry_t;

typedef struct {
    char *id;
    char *code;       /* "ReceiptHandleIsInvalid" ... */
    char *message;    /* may be "" */
    int sender_fault; /* 1: the request was wrong, retrying will not help */
} aws_sqs_batch_failure_t;

typedef struct {
    char **successful; /* ids */
    size_t nsuccessful;
    aws_sqs_batch_failure_t *failed;
    size_t nfailed;
} aws_sqs_batch_result_t;

#define AWS_SQS_BATCH_RESULT_INIT                                                                  \
    {                                                                                              \
        NULL, 0, NULL, 0                                                                           \
    }

/* Builds and signs DeleteMessageBatch (Entries: Id, ReceiptHandle) for
 * 1..10 entries.  Returns 0, or -1 with err set. */
int aws_sqs_delete_batch_request(aws_client_t *c, const char *queue_url,
                                 const aws_sqs_batch_entry_t *entries, size_t n, aws_request_t *req,
                                 aws_buf_t *body, aws_error_t *err);

/* Builds and signs ChangeMessageVisibilityBatch (Entries: Id,
 * ReceiptHandle, VisibilityTimeout) for 1..10 entries. */
int aws_sqs_change_visibility_batch_request(aws_client_t *c, const char *queue_url,
                                            const aws_sqs_batch_entry_t *entries, size_t n,
                                            aws_request_t *req, aws_buf_t *body, aws_error_t *err);

/* Parses a batch response (either action) into out (must be empty).
 * Returns 0 when the call as a whole succeeded — entries may still have
 * failed: see out->nfailed — or -1 with err set (service error for the
 * whole batch, AWS_ERR_PARSE). */
int aws_sqs_batch_parse(const aws_response_t *resp, aws_sqs_batch_result_t *out, aws_error_t *err);

/* Blocking forms with retries (of the whole batch on retryable errors;
 * failed entries are reported, not retried). */
int aws_sqs_delete_batch(aws_client_t *c, const char *queue_url,
                         const aws_sqs_batch_entry_t *entries, size_t n,
                         aws_sqs_batch_result_t *out, aws_error_t *err);
int aws_sqs_change_visibility_batch(aws_client_t *c, const char *queue_url,
                                    const aws_sqs_batch_entry_t *entries, size_t n,
                                    aws_sqs_batch_result_t *out, aws_error_t *err);

/* Frees the result and empties out. */
void aws_sqs_batch_result_free(aws_sqs_batch_result_t *out);

/* ---- single-message actions -------------------------------------------- */

/* Builds and signs ChangeMessageVisibility (QueueUrl, ReceiptHandle,
 * VisibilityTimeout 0..43200). */
int aws_sqs_change_visibility_request(aws_client_t *c, const char *queue_url,
                                      const char *receipt_handle, int visibility_timeout,
                                      aws_request_t *req, aws_buf_t *body, aws_error_t *err);
int aws_sqs_change_visibility(aws_client_t *c, const char *queue_url, const char *receipt_handle,
                              int visibility_timeout, aws_error_t *err);

/* Builds and signs DeleteMessage (QueueUrl, ReceiptHandle). */
int aws_sqs_delete_request(aws_client_t *c, const char *queue_url, const char *receipt_handle,
                           aws_request_t *req, aws_buf_t *body, aws_error_t *err);
int aws_sqs_delete(aws_client_t *c, const char *queue_url, const char *receipt_handle,
                   aws_error_t *err);

typedef struct {
    const char *queue_url;       /* required */
    const char *body;            /* required, non-empty */
    const aws_msg_attr_t *attrs; /* up to 10 */
    size_t nattrs;
    int delay_seconds;            /* 0..900; < 0 or 0: omitted */
    const char *message_group_id; /* FIFO queues only */
    const char *deduplication_id; /* FIFO queues only */
} aws_sqs_send_params_t;

/* Builds and signs SendMessage (QueueUrl, MessageBody,
 * MessageAttributes {Name: {DataType, StringValue}}, [DelaySeconds],
 * [MessageGroupId], [MessageDeduplicationId]). */
int aws_sqs_send_request(aws_client_t *c, const aws_sqs_send_params_t *p, aws_request_t *req,
                         aws_buf_t *body, aws_error_t *err);

/* Interprets a SendMessage response: MessageId into message_id. */
int aws_sqs_send_parse(const aws_response_t *resp, char *message_id, size_t len, aws_error_t *err);
int aws_sqs_send(aws_client_t *c, const aws_sqs_send_params_t *p, char *message_id, size_t len,
                 aws_error_t *err);

/* Builds and signs PurgeQueue (QueueUrl); the blocking form.  SQS
 * allows one purge per queue per 60 s (PurgeQueueInProgress). */
int aws_sqs_purge_request(aws_client_t *c, const char *queue_url, aws_request_t *req,
                          aws_buf_t *body, aws_error_t *err);
int aws_sqs_purge(aws_client_t *c, const char *queue_url, aws_error_t *err);

/* ---- GetQueueAttributes ------------------------------------------------ */

typedef struct {
    char *name;
    char *value;
} aws_sqs_kv_t;

typedef struct {
    aws_sqs_kv_t *items;
    size_t n;
} aws_sqs_queue_attrs_t;

#define AWS_SQS_QUEUE_ATTRS_INIT                                                                   \
    {                                                                                              \
        NULL, 0                                                                                    \
    }

/* Builds and signs GetQueueAttributes for NAMES (n of them; n = 0
 * asks for ["All"]). */
int aws_sqs_get_attributes_request(aws_client_t *c, const char *queue_url, const char *const *names,
                                   size_t n, aws_request_t *req, aws_buf_t *body, aws_error_t *err);

/* Parses {"Attributes": {"Name": "Value", ...}} into out (must be empty). */
int aws_sqs_get_attributes_parse(const aws_response_t *resp, aws_sqs_queue_attrs_t *out,
                                 aws_error_t *err);
int aws_sqs_get_attributes(aws_client_t *c, const char *queue_url, const char *const *names,
                           size_t n, aws_sqs_queue_attrs_t *out, aws_error_t *err);

/* Returns the value of attribute NAME ("ApproximateNumberOfMessages"),
 * or NULL. */
const char *aws_sqs_queue_attr(const aws_sqs_queue_attrs_t *a, const char *name);

/* The attributes of NAMES (n of them, as requested from GetQueueAttributes)
 * that GOT lacks: appended to list as "A, B" (list left as it is when
 * none is missing).  Returns how many are missing (a conforming
 * endpoint answers every attribute it was asked for, the queue's
 * defaults included); -1 when memory runs out. */
int aws_sqs_attrs_missing(const aws_sqs_queue_attrs_t *got, const char *const *names, size_t n,
                          aws_buf_t *list);

void aws_sqs_queue_attrs_free(aws_sqs_queue_attrs_t *a);

/* ---- shared by every action ---------------------------------------------- */

/* Interprets a response whose success body is not needed (DeleteMessage,
 * ChangeMessageVisibility, PurgeQueue): returns 0 on 2xx, else -1 with
 * the service error in err. */
int aws_sqs_parse_empty(const aws_response_t *resp, aws_error_t *err);

/* Sets err from a non-2xx SQS response: code from the JSON "__type"
 * (after '#') or the x-amzn-query-error header, message from "message"
 * (or "Message"), request id from the header; a generic status error
 * when neither is there.  Always returns -1. */
int aws_sqs_error_parse(const aws_response_t *resp, aws_error_t *err);

#endif
