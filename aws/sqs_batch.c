/* SQS DeleteMessageBatch and ChangeMessageVisibilityBatch. */
#include "sqs.h"

#include <stdlib.h>
#include <string.h>

#include "sqs_json.h"

/* Returns the body of a batch action over entries (with
 * VisibilityTimeout when with_visibility), or NULL with err set. */
static json_t *aws_sqs_batch_json(const char *queue_url, const aws_sqs_batch_entry_t *entries,
                                  size_t n, int with_visibility, aws_error_t *err)
{
    json_t *obj, *list, *e;
    size_t i;

    if (n < 1 || n > AWS_SQS_MAX_BATCH) {
        aws_error_set(err, AWS_ERR_CONFIG, "an SQS batch holds 1..%d entries, not %zu",
                      AWS_SQS_MAX_BATCH, n);
        return NULL;
    }
    for (i = 0; i < n; i++) {
        size_t idlen = entries[i].id ? strlen(entries[i].id) : 0;
        if (idlen < 1 || idlen > 80
            || strspn(entries[i].id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                     "0123456789_-")
                   != idlen
            || entries[i].receipt_handle == NULL || entries[i].receipt_handle[0] == '\0') {
            aws_error_set(
                err, AWS_ERR_CONFIG,
                "SQS batch entry %zu needs an Id of 1-80 [A-Za-z0-9_-] and a receipt handle",
                i + 1);
            return NULL;
        }
    }
    if ((obj = aws_sqs_json_body("QueueUrl", queue_url, err)) == NULL) {
        return NULL;
    }
    list = json_array();
    if (aws_json_set(obj, "Entries", list, err) != 0) {
        json_decref(obj);
        return NULL;
    }
    for (i = 0; i < n; i++) {
        e = with_visibility ? json_pack("{s:s, s:s, s:i}", "Id", entries[i].id, "ReceiptHandle",
                                        entries[i].receipt_handle, "VisibilityTimeout",
                                        entries[i].visibility_timeout)
                            : json_pack("{s:s, s:s}", "Id", entries[i].id, "ReceiptHandle",
                                        entries[i].receipt_handle);
        if (e == NULL || json_array_append_new(list, e) != 0) {
            aws_error_set(err, AWS_ERR_CONFIG,
                          "SQS batch entry %zu is not valid UTF-8 (or out of memory)", i + 1);
            json_decref(obj);
            return NULL;
        }
    }
    return obj;
}

/* Builds and signs batch action over entries. */
static int aws_sqs_batch_request(aws_client_t *c, const char *action, int with_visibility,
                                 const char *queue_url, const aws_sqs_batch_entry_t *entries,
                                 size_t n, aws_request_t *req, aws_buf_t *body, aws_error_t *err)
{
    return aws_json_request(c, &aws_sqs_api, action,
                            aws_sqs_batch_json(queue_url, entries, n, with_visibility, err), req,
                            body, err);
}

int aws_sqs_delete_batch_request(aws_client_t *c, const char *queue_url,
                                 const aws_sqs_batch_entry_t *entries, size_t n, aws_request_t *req,
                                 aws_buf_t *body, aws_error_t *err)
{
    return aws_sqs_batch_request(c, "DeleteMessageBatch", 0, queue_url, entries, n, req, body, err);
}

int aws_sqs_change_visibility_batch_request(aws_client_t *c, const char *queue_url,
                                            const aws_sqs_batch_entry_t *entries, size_t n,
                                            aws_request_t *req, aws_buf_t *body, aws_error_t *err)
{
    return aws_sqs_batch_request(c, "ChangeMessageVisibilityBatch", 1, queue_url, entries, n, req,
                                 body, err);
}

void aws_sqs_batch_result_free(aws_sqs_batch_result_t *out)
{
    size_t i;

    for (i = 0; i < out->nsuccessful; i++) {
        free(out->successful[i]);
    }
    for (i = 0; i < out->nfailed; i++) {
        free(out->failed[i].id);
        free(out->failed[i].code);
        free(out->failed[i].message);
    }
    free(out->successful);
    free(out->failed);
    memset(out, 0, sizeof(*out));
}

/* Copies the "Successful" and "Failed" arrays of doc into out.
 * Returns 0, or -1 with err set. */
static int aws_sqs_batch_fill(const json_t *doc, aws_sqs_batch_result_t *out, aws_error_t *err)
{
    const json_t *ok = json_object_get(doc, "Successful");
    const json_t *failed = json_object_get(doc, "Failed");
    size_t i, nok = json_array_size(ok), nfailed = json_array_size(failed);

    if ((ok != NULL && !json_is_array(ok)) || (failed != NULL && !json_is_array(failed))) {
        aws_error_set(err, AWS_ERR_PARSE, "SQS batch response: Successful/Failed are not arrays");
        return -1;
    }
    if ((nok && (out->successful = calloc(nok, sizeof(*out->successful))) == NULL)
        || (nfailed && (out->failed = calloc(nfailed, sizeof(*out->failed))) == NULL)) {
        aws_error_set(err, AWS_ERR_NOMEM, "out of memory parsing an SQS batch response");
        return -1;
    }
    for (i = 0; i < nok; i++) {
        out->successful[out->nsuccessful] = aws_json_strdup(json_array_get(ok, i), "Id", 1);
        if (out->successful[out->nsuccessful] == NULL) {
            aws_error_set(err, AWS_ERR_PARSE, "SQS batch response: a Successful entry lacks Id");
            return -1;
        }
        out->nsuccessful++;
    }
    for (i = 0; i < nfailed; i++) {
        const json_t *f = json_array_get(failed, i);
        aws_sqs_batch_failure_t *e = &out->failed[out->nfailed++];

        e->id = aws_json_strdup(f, "Id", 1);
        e->code = aws_json_strdup(f, "Code", 1);
        e->message = aws_json_strdup(f, "Message", 0);
        e->sender_fault = json_is_true(json_object_get(f, "SenderFault"));
        if (e->id == NULL || e->code == NULL || e->message == NULL) {
            aws_error_set(err, AWS_ERR_PARSE,
                          "SQS batch response: a Failed entry lacks Id or Code");
            return -1;
        }
    }
    return 0;
}

int aws_sqs_batch_parse(const aws_response_t *resp, aws_sqs_batch_result_t *out, aws_error_t *err)
{
    json_t *doc = aws_json_result(resp, "SQS batch", err);
    int rc;

    if (doc == NULL) {
        return -1;
    }
    rc = aws_sqs_batch_fill(doc, out, err);
    json_decref(doc);
    if (rc != 0) {
        err->http_status = resp->status;
        aws_error_set_request_id(err, resp->request_id);
        aws_sqs_batch_result_free(out);
        return -1;
    }
    aws_error_clear(err);
    return 0;
}

/* aws_call parse callback for both batch actions. */
static int aws_sqs_batch_parse_cb(void *ctx, const aws_response_t *resp, aws_error_t *err)
{
    return aws_sqs_batch_parse(resp, ctx, err);
}

/* Blocking batch action with retries. */
static int aws_sqs_batch_call(aws_client_t *c, const char *action, int with_visibility,
                              const char *queue_url, const aws_sqs_batch_entry_t *entries, size_t n,
                              aws_sqs_batch_result_t *out, aws_error_t *err)
{
    return aws_json_call_with(c, &aws_sqs_api, action,
                              aws_sqs_batch_json(queue_url, entries, n, with_visibility, err),
                              aws_sqs_batch_parse_cb, out, NULL, err);
}

int aws_sqs_delete_batch(aws_client_t *c, const char *queue_url,
                         const aws_sqs_batch_entry_t *entries, size_t n,
                         aws_sqs_batch_result_t *out, aws_error_t *err)
{
    return aws_sqs_batch_call(c, "DeleteMessageBatch", 0, queue_url, entries, n, out, err);
}

int aws_sqs_change_visibility_batch(aws_client_t *c, const char *queue_url,
                                    const aws_sqs_batch_entry_t *entries, size_t n,
                                    aws_sqs_batch_result_t *out, aws_error_t *err)
{
    return aws_sqs_batch_call(c, "ChangeMessageVisibilityBatch", 1, queue_url, entries, n, out,
                              err);
}
