/*
 * libFuzzer target for the SNS Publish parser (aws/sns.c, aws/aws_xml.c):
 * the bytes as a 200 answer and as an error answer.  Checks the
 * contract callers rely on (abort() on a breach): success means a
 * non-empty, NUL-terminated MessageId and no error; failure means an
 * error kind and a NUL-terminated message.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sns.h"

/* Parses data as a response with status; aborts on a contract breach. */
static void parse_as(long status, const uint8_t *data, size_t size)
{
    aws_response_t resp;
    aws_error_t err;
    char id[128];
    int rc;

    aws_response_init(&resp);
    resp.status = status;
    if (aws_buf_append(&resp.body, data, size) != 0) {
        return;
    }
    memset(id, 'x', sizeof(id));
    rc = aws_sns_publish_parse(&resp, id, sizeof(id), &err);
    if (rc == 0
        && (err.kind != AWS_ERR_NONE || memchr(id, '\0', sizeof(id)) == NULL || id[0] == '\0'
            || status >= 300)) {
        abort();
    }
    if (rc != 0
        && (err.kind == AWS_ERR_NONE || memchr(err.message, '\0', sizeof(err.message)) == NULL
            || (status >= 300 && err.kind != AWS_ERR_HTTP))) {
        abort();
    }
    aws_response_free(&resp);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    parse_as(200, data, size);
    parse_as(400, data, size);
    return 0;
}
