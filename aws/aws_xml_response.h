/*
 * aws_xml_response — reading the XML answers of the AWS Query protocol
 * (SNS, STS) and of S3: their error documents (Query:
 * ErrorResponse/Error/{Code,Message} and ErrorResponse/RequestId; S3:
 * Error/{Code,Message,RequestId}) and the one value a result is wanted
 * for (a MessageId, a TopicArn, an UploadId).
 */
#ifndef AWS_XML_RESPONSE_H
#define AWS_XML_RESPONSE_H

#include <stddef.h>

#include "aws_error.h"
#include "aws_http.h"

/* Sets err from a non-2xx response whose body is an XML error document:
 * the Code and Message children of ERROR_PATH ("ErrorResponse/Error",
 * "Error") and the request id at REQUEST_ID_PATH, else the response's
 * request id header; a generic status error when the body is empty,
 * not XML or has no Code.  Always returns -1. */
int aws_xml_error_parse(const aws_response_t *resp, const char *error_path,
                        const char *request_id_path, aws_error_t *err);

/* Copies the text of the element at PATH of a 2xx XML body (doc, len
 * bytes; doc may be NULL when len is 0) into out (outlen bytes).
 * Returns 0 with err cleared, or -1 with AWS_ERR_PARSE in err: "WHAT
 * response: <why>" for a body that is not acceptable XML, "WHAT
 * response has no usable <last path element>" when the element is
 * missing, empty or longer than outlen - 1 bytes. */
int aws_xml_result_field(const char *doc, size_t len, const char *path, char *out, size_t outlen,
                         const char *what, aws_error_t *err);

#endif
