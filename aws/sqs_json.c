#include "sqs_json.h"

const aws_json_api_t aws_sqs_api = { "sqs", "AmazonSQS" };

json_t *aws_sqs_json_body(const char *key, const char *value, aws_error_t *err)
{
    json_t *obj;

    if (value == NULL || value[0] == '\0') {
        aws_error_set(err, AWS_ERR_CONFIG, "SQS call needs a %s", key);
        return NULL;
    }
    if ((obj = json_object()) == NULL) {
        aws_error_set(err, AWS_ERR_NOMEM, "out of memory building an SQS request");
        return NULL;
    }
    if (aws_json_set(obj, key, json_string(value), err) != 0) {
        json_decref(obj);
        return NULL;
    }
    return obj;
}

int aws_sqs_error_parse(const aws_response_t *resp, aws_error_t *err)
{
    return aws_json_error_parse(resp, err);
}

int aws_sqs_parse_empty(const aws_response_t *resp, aws_error_t *err)
{
    if (!aws_response_ok(resp)) {
        return aws_json_error_parse(resp, err);
    }
    aws_error_clear(err);
    return 0;
}
