#include "sns.h"

#include <stdio.h>
#include <string.h>

#include "aws_query.h"
#include "aws_xml_response.h"

/* Writes the Publish form of p into body (emptied first).  Returns 0,
 * or -1 with AWS_ERR_NOMEM in err. */
static int aws_sns_publish_form(aws_buf_t *body, const aws_sns_publish_params_t *p,
                                aws_error_t *err)
{
    char name[64];
    size_t i;

    if (aws_query_form(body, "Publish", AWS_SNS_API_VERSION, err) != 0
        || aws_query_add(body, "TopicArn", p->topic_arn, err) != 0
        || aws_query_add(body, "Message", p->message, err) != 0
        || (p->subject && aws_query_add(body, "Subject", p->subject, err) != 0)
        || (p->message_group_id
            && aws_query_add(body, "MessageGroupId", p->message_group_id, err) != 0)
        || (p->deduplication_id
            && aws_query_add(body, "MessageDeduplicationId", p->deduplication_id, err) != 0)) {
        return -1;
    }
    for (i = 0; i < p->nattrs; i++) {
        snprintf(name, sizeof(name), "MessageAttributes.entry.%zu.Name", i + 1);
        if (aws_query_add(body, name, p->attrs[i].name, err) != 0) {
            return -1;
        }
        snprintf(name, sizeof(name), "MessageAttributes.entry.%zu.Value.DataType", i + 1);
        if (aws_query_add(body, name, p->attrs[i].type, err) != 0) {
            return -1;
        }
        snprintf(name, sizeof(name), "MessageAttributes.entry.%zu.Value.StringValue", i + 1);
        if (aws_query_add(body, name, p->attrs[i].value, err) != 0) {
            return -1;
        }
    }
    return 0;
}

int aws_sns_publish_request(aws_client_t *c, const aws_sns_publish_params_t *p, aws_request_t *req,
                            aws_buf_t *body, aws_error_t *err)
{
    if (p->topic_arn == NULL || p->topic_arn[0] == '\0') {
        aws_error_set(err, AWS_ERR_CONFIG, "SNS Publish needs a topic ARN");
        return -1;
    }
    if (p->message == NULL || p->message[0] == '\0') {
        aws_error_set(err, AWS_ERR_CONFIG, "SNS Publish needs a non-empty message");
        return -1;
    }
    if (aws_msg_attr_check(p->attrs, p->nattrs, err) != 0
        || aws_sns_publish_form(body, p, err) != 0) {
        return -1;
    }
    return aws_query_request(c, "sns", body, req, err);
}

int aws_sns_publish_parse(const aws_response_t *resp, char *message_id, size_t len,
                          aws_error_t *err)
{
    if (!aws_response_ok(resp)) {
        return aws_query_error_parse(resp, err);
    }
    if (aws_xml_result_field(resp->body.data, resp->body.len,
                             "PublishResponse/PublishResult/MessageId", message_id, len,
                             "SNS Publish", err)
        != 0) {
        err->http_status = resp->status;
        aws_error_set_request_id(err, resp->request_id);
        return -1;
    }
    return 0;
}

typedef struct {
    const aws_sns_publish_params_t *params;
    aws_buf_t body;
    char *message_id;
    size_t len;
} aws_sns_publish_call_t;

/* aws_call build callback for Publish. */
static int aws_sns_publish_build_cb(aws_client_t *c, void *ctx, aws_request_t *req,
                                    aws_error_t *err)
{
    aws_sns_publish_call_t *call = ctx;

    return aws_sns_publish_request(c, call->params, req, &call->body, err);
}

/* aws_call parse callback for Publish. */
static int aws_sns_publish_parse_cb(void *ctx, const aws_response_t *resp, aws_error_t *err)
{
    aws_sns_publish_call_t *call = ctx;

    return aws_sns_publish_parse(resp, call->message_id, call->len, err);
}

int aws_sns_publish(aws_client_t *c, const aws_sns_publish_params_t *p, char *message_id,
                    size_t len, aws_error_t *err)
{
    aws_sns_publish_call_t call = { p, AWS_BUF_INIT, message_id, len };
    aws_response_t resp;
    int rc;

    aws_response_init(&resp);
    rc = aws_call(c, "sns", aws_sns_publish_build_cb, aws_sns_publish_parse_cb, &call, &resp, NULL,
                  err);
    aws_response_free(&resp);
    aws_buf_free(&call.body);
    return rc;
}
