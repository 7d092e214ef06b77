/*
 * libFuzzer target for the SQS JSON parsers (aws/sqs*.c): the bytes as a
 * ReceiveMessage, batch, SendMessage and GetQueueAttributes answer and
 * as an error answer.  Aborts when a result breaks its contract: parsed
 * messages have an id, a receipt handle and a body of the stated
 * length; a failure leaves the output empty and sets an error.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sqs.h"

/* Checks and frees one ReceiveMessage result. */
static void check_messages(int rc, aws_sqs_messages_t *out, const aws_error_t *err)
{
    size_t i;

    if (rc != 0) {
        if (out->n != 0 || out->msgs != NULL || err->kind == AWS_ERR_NONE) {
            abort();
        }
        return;
    }
    for (i = 0; i < out->n; i++) {
        const aws_sqs_message_t *m = &out->msgs[i];
        if (m->message_id == NULL || m->receipt_handle == NULL || m->body == NULL
            || strlen(m->body) != m->body_len) {
            abort();
        }
    }
    aws_sqs_messages_free(out);
}

/* Checks and frees one batch result. */
static void check_batch(int rc, aws_sqs_batch_result_t *out, const aws_error_t *err)
{
    size_t i;

    if (rc != 0) {
        if (out->nfailed != 0 || out->nsuccessful != 0 || err->kind == AWS_ERR_NONE) {
            abort();
        }
        return;
    }
    for (i = 0; i < out->nfailed; i++) {
        if (out->failed[i].id == NULL || out->failed[i].code == NULL) {
            abort();
        }
    }
    aws_sqs_batch_result_free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const long statuses[] = { 200, 400 };
    aws_sqs_messages_t msgs = AWS_SQS_MESSAGES_INIT;
    aws_sqs_batch_result_t batch = AWS_SQS_BATCH_RESULT_INIT;
    aws_sqs_queue_attrs_t attrs = AWS_SQS_QUEUE_ATTRS_INIT;
    aws_response_t resp;
    aws_error_t err;
    char id[64];
    size_t i;

    for (i = 0; i < 2; i++) {
        aws_response_init(&resp);
        resp.status = statuses[i];
        if (aws_buf_append(&resp.body, data, size) != 0) {
            return 0;
        }
        check_messages(aws_sqs_receive_parse(&resp, &msgs, &err), &msgs, &err);
        check_batch(aws_sqs_batch_parse(&resp, &batch, &err), &batch, &err);
        if (aws_sqs_send_parse(&resp, id, sizeof(id), &err) == 0 && id[0] == '\0') {
            abort();
        }
        if (aws_sqs_get_attributes_parse(&resp, &attrs, &err) == 0) {
            aws_sqs_queue_attrs_free(&attrs);
        } else if (attrs.n != 0) {
            abort();
        }
        if (aws_sqs_error_parse(&resp, &err) != -1 || err.kind != AWS_ERR_HTTP) {
            abort();
        }
        aws_response_free(&resp);
    }
    return 0;
}
