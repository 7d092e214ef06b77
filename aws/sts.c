#include "sts.h"

#include "aws_query.h"
#include "aws_xml.h"

/* Extracts the identity from a 2xx GetCallerIdentity body. */
static int aws_sts_identity_from_xml(const char *doc, size_t len, aws_sts_identity_t *id,
                                     aws_error_t *err)
{
    char msg[128];
    aws_xml_field_t f[] = {
        { "GetCallerIdentityResponse/GetCallerIdentityResult/Account", id->account,
          sizeof(id->account), 0, 0 },
        { "GetCallerIdentityResponse/GetCallerIdentityResult/Arn", id->arn, sizeof(id->arn), 0, 0 },
        { "GetCallerIdentityResponse/GetCallerIdentityResult/UserId", id->user_id,
          sizeof(id->user_id), 0, 0 },
    };

    if (aws_xml_extract(doc, len, f, 3, msg, sizeof(msg)) != 0) {
        aws_error_set(err, AWS_ERR_PARSE, "STS GetCallerIdentity response: %s", msg);
        return -1;
    }
    if (!f[0].found || id->account[0] == '\0' || f[0].truncated) {
        aws_error_set(err, AWS_ERR_PARSE, "STS GetCallerIdentity response has no Account");
        return -1;
    }
    aws_error_clear(err);
    return 0;
}

int aws_sts_identity_parse(const aws_response_t *resp, aws_sts_identity_t *id, aws_error_t *err)
{
    if (!aws_response_ok(resp)) {
        return aws_query_error_parse(resp, err);
    }
    return aws_sts_identity_from_xml(resp->body.data ? resp->body.data : "", resp->body.len, id,
                                     err);
}

int aws_sts_get_caller_identity(aws_client_t *c, aws_sts_identity_t *id, aws_error_t *err)
{
    aws_buf_t form = AWS_BUF_INIT, body = AWS_BUF_INIT;
    int rc = -1;

    if (aws_query_form(&form, "GetCallerIdentity", AWS_STS_API_VERSION, err) == 0
        && aws_query_call(c, "sts", &form, &body, err) == 0) {
        rc = aws_sts_identity_from_xml(body.data, body.len, id, err);
    }
    aws_buf_free(&form);
    aws_buf_free(&body);
    return rc;
}
