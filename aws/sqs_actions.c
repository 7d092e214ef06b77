/* SQS single-message and queue actions: ChangeMessageVisibility,
 * DeleteMessage, SendMessage, PurgeQueue, GetQueueAttributes. */
#include "sqs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sqs_json.h"

/* Returns {"QueueUrl", "ReceiptHandle"[, "VisibilityTimeout"]} or NULL
 * with err set.  visibility < 0 omits the timeout. */
static json_t *aws_sqs_receipt_json(const char *queue_url, const char *receipt_handle,
                                    int visibility, aws_error_t *err)
{
    json_t *obj;

    if (receipt_handle == NULL || receipt_handle[0] == '\0') {
        aws_error_set(err, AWS_ERR_CONFIG, "SQS call needs a receipt handle");
        return NULL;
    }
    if ((obj = aws_sqs_json_body("QueueUrl", queue_url, err)) == NULL) {
        return NULL;
    }
    if (aws_json_set(obj, "ReceiptHandle", json_string(receipt_handle), err) != 0
        || (visibility >= 0
            && aws_json_set(obj, "VisibilityTimeout", json_integer(visibility), err) != 0)) {
        json_decref(obj);
        return NULL;
    }
    return obj;
}

/* aws_call parse callback for actions whose result is empty. */
static int aws_sqs_empty_cb(void *ctx, const aws_response_t *resp, aws_error_t *err)
{
    (void) ctx;
    return aws_sqs_parse_empty(resp, err);
}

/* Returns visibility when it is a valid VisibilityTimeout, else -1
 * with err set. */
static int aws_sqs_check_visibility(int visibility, aws_error_t *err)
{
    if (visibility < 0 || visibility > 43200) {
        aws_error_set(err, AWS_ERR_CONFIG, "VisibilityTimeout %d is outside 0..43200", visibility);
        return -1;
    }
    return visibility;
}

int aws_sqs_change_visibility_request(aws_client_t *c, const char *queue_url,
                                      const char *receipt_handle, int visibility_timeout,
                                      aws_request_t *req, aws_buf_t *body, aws_error_t *err)
{
    if (aws_sqs_check_visibility(visibility_timeout, err) < 0) {
        return -1;
    }
    return aws_json_request(
        c, &aws_sqs_api, "ChangeMessageVisibility",
        aws_sqs_receipt_json(queue_url, receipt_handle, visibility_timeout, err), req, body, err);
}

int aws_sqs_change_visibility(aws_client_t *c, const char *queue_url, const char *receipt_handle,
                              int visibility_timeout, aws_error_t *err)
{
    if (aws_sqs_check_visibility(visibility_timeout, err) < 0) {
        return -1;
    }
    return aws_json_call_with(
        c, &aws_sqs_api, "ChangeMessageVisibility",
        aws_sqs_receipt_json(queue_url, receipt_handle, visibility_timeout, err), aws_sqs_empty_cb,
        NULL, NULL, err);
}

int aws_sqs_delete_request(aws_client_t *c, const char *queue_url, const char *receipt_handle,
                           aws_request_t *req, aws_buf_t *body, aws_error_t *err)
{
    return aws_json_request(c, &aws_sqs_api, "DeleteMessage",
                            aws_sqs_receipt_json(queue_url, receipt_handle, -1, err), req, body,
                            err);
}

int aws_sqs_delete(aws_client_t *c, const char *queue_url, const char *receipt_handle,
                   aws_error_t *err)
{
    return aws_json_call_with(c, &aws_sqs_api, "DeleteMessage",
                              aws_sqs_receipt_json(queue_url, receipt_handle, -1, err),
                              aws_sqs_empty_cb, NULL, NULL, err);
}

/* ---- SendMessage ------------------------------------------------------- */

/* Returns the SendMessage body for p, or NULL with err set. */
static json_t *aws_sqs_send_json(const aws_sqs_send_params_t *p, aws_error_t *err)
{
    json_t *obj, *attrs;
    size_t i;

    if (p->body == NULL || p->body[0] == '\0') {
        aws_error_set(err, AWS_ERR_CONFIG, "SQS SendMessage needs a non-empty body");
        return NULL;
    }
    if (p->delay_seconds > 900) {
        aws_error_set(err, AWS_ERR_CONFIG, "DelaySeconds %d is over 900", p->delay_seconds);
        return NULL;
    }
    if (aws_msg_attr_check(p->attrs, p->nattrs, err) != 0
        || (obj = aws_sqs_json_body("QueueUrl", p->queue_url, err)) == NULL) {
        return NULL;
    }
    if (aws_json_set(obj, "MessageBody", json_string(p->body), err) != 0
        || (p->delay_seconds > 0
            && aws_json_set(obj, "DelaySeconds", json_integer(p->delay_seconds), err) != 0)
        || (p->message_group_id != NULL
            && aws_json_set(obj, "MessageGroupId", json_string(p->message_group_id), err) != 0)
        || (p->deduplication_id != NULL
            && aws_json_set(obj, "MessageDeduplicationId", json_string(p->deduplication_id), err)
                   != 0)) {
        aws_error_set(err, AWS_ERR_CONFIG, "SQS SendMessage: a field is not valid UTF-8");
        json_decref(obj);
        return NULL;
    }
    if (p->nattrs > 0) {
        attrs = json_object();
        if (aws_json_set(obj, "MessageAttributes", attrs, err) != 0) {
            json_decref(obj);
            return NULL;
        }
        for (i = 0; i < p->nattrs; i++) {
            if (aws_json_set(attrs, p->attrs[i].name,
                             json_pack("{s:s, s:s}", "DataType", p->attrs[i].type, "StringValue",
                                       p->attrs[i].value),
                             err)
                != 0) {
                aws_error_set(err, AWS_ERR_CONFIG, "message attribute \"%s\" is not valid UTF-8",
                              p->attrs[i].name);
                json_decref(obj);
                return NULL;
            }
        }
    }
    return obj;
}

int aws_sqs_send_request(aws_client_t *c, const aws_sqs_send_params_t *p, aws_request_t *req,
                         aws_buf_t *body, aws_error_t *err)
{
    return aws_json_request(c, &aws_sqs_api, "SendMessage", aws_sqs_send_json(p, err), req, body,
                            err);
}

int aws_sqs_send_parse(const aws_response_t *resp, char *message_id, size_t len, aws_error_t *err)
{
    json_t *doc = aws_json_result(resp, "SQS SendMessage", err);
    const char *id;

    if (doc == NULL) {
        return -1;
    }
    id = json_string_value(json_object_get(doc, "MessageId"));
    if (id == NULL || id[0] == '\0' || strlen(id) >= len) {
        aws_error_set(err, AWS_ERR_PARSE, "SQS SendMessage response has no usable MessageId");
        err->http_status = resp->status;
        aws_error_set_request_id(err, resp->request_id);
        json_decref(doc);
        return -1;
    }
    memcpy(message_id, id, strlen(id) + 1);
    json_decref(doc);
    aws_error_clear(err);
    return 0;
}

typedef struct {
    char *message_id;
    size_t len;
} aws_sqs_send_ctx_t;

/* aws_call parse callback for SendMessage. */
static int aws_sqs_send_cb(void *ctx, const aws_response_t *resp, aws_error_t *err)
{
    aws_sqs_send_ctx_t *s = ctx;

    return aws_sqs_send_parse(resp, s->message_id, s->len, err);
}

int aws_sqs_send(aws_client_t *c, const aws_sqs_send_params_t *p, char *message_id, size_t len,
                 aws_error_t *err)
{
    aws_sqs_send_ctx_t ctx = { message_id, len };

    return aws_json_call_with(c, &aws_sqs_api, "SendMessage", aws_sqs_send_json(p, err),
                              aws_sqs_send_cb, &ctx, NULL, err);
}

/* ---- PurgeQueue -------------------------------------------------------- */

int aws_sqs_purge_request(aws_client_t *c, const char *queue_url, aws_request_t *req,
                          aws_buf_t *body, aws_error_t *err)
{
    return aws_json_request(c, &aws_sqs_api, "PurgeQueue",
                            aws_sqs_json_body("QueueUrl", queue_url, err), req, body, err);
}

int aws_sqs_purge(aws_client_t *c, const char *queue_url, aws_error_t *err)
{
    return aws_json_call_with(c, &aws_sqs_api, "PurgeQueue",
                              aws_sqs_json_body("QueueUrl", queue_url, err), aws_sqs_empty_cb, NULL,
                              NULL, err);
}

/* ---- GetQueueAttributes ------------------------------------------------ */

/* Returns the GetQueueAttributes body, or NULL with err set. */
static json_t *aws_sqs_attributes_json(const char *queue_url, const char *const *names, size_t n,
                                       aws_error_t *err)
{
    json_t *obj = aws_sqs_json_body("QueueUrl", queue_url, err), *list;
    size_t i;

    if (obj == NULL) {
        return NULL;
    }
    list = json_array();
    if (aws_json_set(obj, "AttributeNames", list, err) != 0) {
        json_decref(obj);
        return NULL;
    }
    for (i = 0; i < (n ? n : 1); i++) {
        if (json_array_append_new(list, json_string(n ? names[i] : "All")) != 0) {
            aws_error_set(err, AWS_ERR_CONFIG, "queue attribute name %zu is not valid UTF-8",
                          i + 1);
            json_decref(obj);
            return NULL;
        }
    }
    return obj;
}

int aws_sqs_get_attributes_request(aws_client_t *c, const char *queue_url, const char *const *names,
                                   size_t n, aws_request_t *req, aws_buf_t *body, aws_error_t *err)
{
    return aws_json_request(c, &aws_sqs_api, "GetQueueAttributes",
                            aws_sqs_attributes_json(queue_url, names, n, err), req, body, err);
}

void aws_sqs_queue_attrs_free(aws_sqs_queue_attrs_t *a)
{
    size_t i;

    for (i = 0; i < a->n; i++) {
        free(a->items[i].name);
        free(a->items[i].value);
    }
    free(a->items);
    a->items = NULL;
    a->n = 0;
}

const char *aws_sqs_queue_attr(const aws_sqs_queue_attrs_t *a, const char *name)
{
    size_t i;

    for (i = 0; i < a->n; i++) {
        if (strcmp(a->items[i].name, name) == 0) {
            return a->items[i].value;
        }
    }
    return NULL;
}

int aws_sqs_attrs_missing(const aws_sqs_queue_attrs_t *got, const char *const *names, size_t n,
                          aws_buf_t *list)
{
    int missing = 0;
    size_t i;

    for (i = 0; i < n; i++) {
        if (aws_sqs_queue_attr(got, names[i]) != NULL) {
            continue;
        }
        if (aws_buf_printf(list, "%s%s", missing ? ", " : "", names[i]) != 0) {
            return -1;
        }
        missing++;
    }
    return missing;
}

int aws_sqs_get_attributes_parse(const aws_response_t *resp, aws_sqs_queue_attrs_t *out,
                                 aws_error_t *err)
{
    json_t *doc = aws_json_result(resp, "SQS GetQueueAttributes", err), *attrs, *v;
    const char *name;
    size_t n;

    if (doc == NULL) {
        return -1;
    }
    attrs = json_object_get(doc, "Attributes");
    n = json_object_size(attrs);
    if ((attrs != NULL && !json_is_object(attrs))
        || (n > 0 && (out->items = calloc(n, sizeof(*out->items))) == NULL)) {
        aws_error_set(err, attrs != NULL && !json_is_object(attrs) ? AWS_ERR_PARSE : AWS_ERR_NOMEM,
                      "SQS GetQueueAttributes: cannot read \"Attributes\"");
        json_decref(doc);
        return -1;
    }
    json_object_foreach(attrs, name, v)
    {
        aws_sqs_kv_t *kv = &out->items[out->n++];
        kv->name = strdup(name);
        kv->value =
            json_is_string(v) ? strdup(json_string_value(v)) : json_dumps(v, JSON_ENCODE_ANY);
        if (kv->name == NULL || kv->value == NULL) {
            aws_error_set(err, AWS_ERR_NOMEM, "out of memory parsing queue attributes");
            aws_sqs_queue_attrs_free(out);
            json_decref(doc);
            return -1;
        }
    }
    json_decref(doc);
    aws_error_clear(err);
    return 0;
}

/* aws_call parse callback for GetQueueAttributes. */
static int aws_sqs_attributes_cb(void *ctx, const aws_response_t *resp, aws_error_t *err)
{
    return aws_sqs_get_attributes_parse(resp, ctx, err);
}

int aws_sqs_get_attributes(aws_client_t *c, const char *queue_url, const char *const *names,
                           size_t n, aws_sqs_queue_attrs_t *out, aws_error_t *err)
{
    return aws_json_call_with(c, &aws_sqs_api, "GetQueueAttributes",
                              aws_sqs_attributes_json(queue_url, names, n, err),
                              aws_sqs_attributes_cb, out, NULL, err);
}
