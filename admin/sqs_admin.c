#include "sqs_admin.h"

#include <stdio.h>
#include <string.h>

#include "sqs_json.h"

/* Adds attrs as the map KEY ("Attributes", "tags") of obj (nothing
 * when empty).  Returns 0 or -1 with err set. */
static int aws_sqs_admin_map(json_t *obj, const char *key, const aws_attrs_t *attrs,
                             aws_error_t *err)
{
    json_t *map;
    size_t i;

    if (attrs == NULL || attrs->n == 0) {
        return 0;
    }
    map = json_object();
    if (aws_json_set(obj, key, map, err) != 0) {
        return -1;
    }
    for (i = 0; i < attrs->n; i++) {
        if (aws_json_set(map, attrs->items[i].name, json_string(attrs->items[i].value), err) != 0) {
            return -1;
        }
    }
    return 0;
}

/* Runs ACTION with obj (consumed; NULL: err set) and copies the string
 * QueueUrl of the answer into url. */
static int aws_sqs_admin_url_call(aws_client_t *c, const char *action, json_t *obj, char *url,
                                  size_t len, aws_error_t *err)
{
    json_t *doc = aws_json_call(c, &aws_sqs_api, action, obj, err);
    const char *u;

    if (doc == NULL) {
        return -1;
    }
    u = json_string_value(json_object_get(doc, "QueueUrl"));
    if (u == NULL || u[0] == '\0' || strlen(u) >= len) {
        aws_error_set(err, AWS_ERR_PARSE, "SQS %s answer has no usable QueueUrl", action);
        json_decref(doc);
        return -1;
    }
    memcpy(url, u, strlen(u) + 1);
    json_decref(doc);
    return 0;
}

int aws_sqs_create_queue(aws_client_t *c, const char *name, const aws_attrs_t *attrs,
                         const aws_attrs_t *tags, char *url, size_t len, aws_error_t *err)
{
    json_t *obj = aws_sqs_json_body("QueueName", name, err);

    if (obj != NULL
        && (aws_sqs_admin_map(obj, "Attributes", attrs, err) != 0
            || aws_sqs_admin_map(obj, "tags", tags, err) != 0)) {
        json_decref(obj);
        return -1;
    }
    return aws_sqs_admin_url_call(c, "CreateQueue", obj, url, len, err);
}

int aws_sqs_get_queue_url(aws_client_t *c, const char *name, char *url, size_t len,
                          aws_error_t *err)
{
    return aws_sqs_admin_url_call(c, "GetQueueUrl", aws_sqs_json_body("QueueName", name, err), url,
                                  len, err);
}

int aws_sqs_set_queue_attributes(aws_client_t *c, const char *url, const aws_attrs_t *attrs,
                                 aws_error_t *err)
{
    json_t *obj;

    if (attrs == NULL || attrs->n == 0) {
        aws_error_set(err, AWS_ERR_CONFIG, "SQS SetQueueAttributes needs attributes");
        return -1;
    }
    obj = aws_sqs_json_body("QueueUrl", url, err);
    if (obj != NULL && aws_sqs_admin_map(obj, "Attributes", attrs, err) != 0) {
        json_decref(obj);
        return -1;
    }
    return aws_json_call_consume(c, &aws_sqs_api, "SetQueueAttributes", obj, err);
}

int aws_sqs_delete_queue(aws_client_t *c, const char *url, aws_error_t *err)
{
    return aws_json_call_consume(c, &aws_sqs_api, "DeleteQueue",
                                 aws_sqs_json_body("QueueUrl", url, err), err);
}

int aws_sqs_list_queue_tags(aws_client_t *c, const char *url, aws_attrs_t *out, aws_error_t *err)
{
    json_t *doc = aws_json_call(c, &aws_sqs_api, "ListQueueTags",
                                aws_sqs_json_body("QueueUrl", url, err), err);
    json_t *tags, *v;
    const char *key;
    int rc = 0;

    if (doc == NULL) {
        return -1;
    }
    tags = json_object_get(doc, "Tags");
    if (tags != NULL && !json_is_object(tags)) {
        aws_error_set(err, AWS_ERR_PARSE, "SQS ListQueueTags answer: Tags is not an object");
        rc = -1;
    }
    json_object_foreach(tags, key, v)
    {
        if (rc == 0 && !json_is_string(v)) {
            aws_error_set(err, AWS_ERR_PARSE, "SQS ListQueueTags answer: tag %s is not a string",
                          key);
            rc = -1;
        } else if (rc == 0 && aws_attrs_set(out, key, json_string_value(v)) != 0) {
            aws_error_set(err, AWS_ERR_NOMEM, "out of memory reading SQS queue tags");
            rc = -1;
        }
    }
    if (rc != 0) {
        aws_attrs_free(out);
    }
    json_decref(doc);
    return rc;
}

int aws_sqs_queue_arn(aws_client_t *c, const char *url, char *arn, size_t len, aws_error_t *err)
{
    static const char *const names[] = { "QueueArn" };
    aws_sqs_queue_attrs_t attrs = AWS_SQS_QUEUE_ATTRS_INIT;
    const char *v;
    int rc = -1;

    if (aws_sqs_get_attributes(c, url, names, 1, &attrs, err) != 0) {
        return -1;
    }
    v = aws_sqs_queue_attr(&attrs, "QueueArn");
    if (v == NULL || v[0] == '\0' || strlen(v) >= len) {
        aws_error_set(err, AWS_ERR_PARSE, "SQS GetQueueAttributes answer has no usable QueueArn");
    } else {
        memcpy(arn, v, strlen(v) + 1);
        rc = 0;
    }
    aws_sqs_queue_attrs_free(&attrs);
    return rc;
}

int aws_sqs_error_is_no_queue(const aws_error_t *err)
{
    return aws_error_is(err, "QueueDoesNotExist")
           || aws_error_is(err, "AWS.SimpleQueueService.NonExistentQueue");
}
