/*
 * libFuzzer target for the S3 XML parsers (aws/s3*.c, aws/aws_xml.c):
 * the bytes as an error body, an InitiateMultipartUploadResult and a
 * CompleteMultipartUploadResult (with status 200 and 500).  Aborts when
 * a result breaks its contract: success means a non-empty upload id /
 * NUL-terminated ETag and no error; an error answer is always a service
 * error with a code.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "s3.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const long statuses[] = { 200, 500 };
    aws_response_t resp;
    aws_error_t err;
    char id[256], etag[128];
    size_t i;
    int rc;

    for (i = 0; i < 2; i++) {
        aws_response_init(&resp);
        resp.status = statuses[i];
        if (aws_buf_append(&resp.body, data, size) != 0) {
            return 0;
        }
        rc = aws_s3_create_multipart_parse(&resp, id, sizeof(id), &err);
        if ((rc == 0 && (id[0] == '\0' || resp.status != 200))
            || (rc != 0 && err.kind == AWS_ERR_NONE)) {
            abort();
        }
        memset(etag, 'x', sizeof(etag));
        rc = aws_s3_complete_multipart_parse(&resp, etag, sizeof(etag), &err);
        if ((rc == 0 && (memchr(etag, '\0', sizeof(etag)) == NULL || err.kind != AWS_ERR_NONE))
            || (rc != 0 && err.kind == AWS_ERR_NONE)) {
            abort();
        }
        if (resp.status != 200
            && (aws_s3_error_parse(&resp, &err) != -1 || err.kind != AWS_ERR_HTTP
                || err.code[0] == '\0')) {
            abort();
        }
        aws_response_free(&resp);
    }
    return 0;
}
