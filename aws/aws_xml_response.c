#include "aws_xml_response.h"

#include <stdio.h>
#include <string.h>

#include "aws_xml.h"

int aws_xml_error_parse(const aws_response_t *resp, const char *error_path,
                        const char *request_id_path, aws_error_t *err)
{
    char code_path[96], message_path[96];
    char code[64], message[512], request_id[128], msg[128];
    aws_xml_field_t f[] = {
        { code_path, code, sizeof(code), 0, 0 },
        { message_path, message, sizeof(message), 0, 0 },
        { request_id_path, request_id, sizeof(request_id), 0, 0 },
    };

    snprintf(code_path, sizeof(code_path), "%s/Code", error_path);
    snprintf(message_path, sizeof(message_path), "%s/Message", error_path);
    if (resp->body.len == 0
        || aws_xml_extract(resp->body.data, resp->body.len, f, 3, msg, sizeof(msg)) != 0
        || !f[0].found) {
        aws_response_status_error(resp, err);
        return -1;
    }
    aws_error_set_service(err, resp->status, code, message, request_id);
    aws_error_set_request_id(err, resp->request_id);
    return -1;
}

int aws_xml_result_field(const char *doc, size_t len, const char *path, char *out, size_t outlen,
                         const char *what, aws_error_t *err)
{
    const char *leaf = strrchr(path, '/');
    aws_xml_field_t f = { path, out, outlen, 0, 0 };
    char msg[128];

    if (aws_xml_extract(doc != NULL ? doc : "", len, &f, 1, msg, sizeof(msg)) != 0) {
        aws_error_set(err, AWS_ERR_PARSE, "%s response: %s", what, msg);
        return -1;
    }
    if (!f.found || out[0] == '\0' || f.truncated) {
        aws_error_set(err, AWS_ERR_PARSE, "%s response has no usable %s", what,
                      leaf != NULL ? leaf + 1 : path);
        return -1;
    }
    aws_error_clear(err);
    return 0;
}
