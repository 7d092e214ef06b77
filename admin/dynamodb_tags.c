/* DynamoDB resource tags: ListTagsOfResource, TagResource and the Tags
 * list of CreateTable. */
#include "dynamodb_admin.h"

#include "aws_json_call.h"

static const aws_json_api_t aws_ddb_tags_api = { "dynamodb", AWS_DDB_TARGET_PREFIX };

json_t *aws_ddb_tags_json(const aws_attrs_t *tags, aws_error_t *err)
{
    json_t *list = json_array();
    size_t i;

    for (i = 0; list != NULL && i < tags->n; i++) {
        if (json_array_append_new(list, json_pack("{s:s, s:s}", "Key", tags->items[i].name, "Value",
                                                  tags->items[i].value))
            != 0) {
            json_decref(list);
            aws_error_set(err, AWS_ERR_CONFIG, "DynamoDB tag %s is not valid UTF-8",
                          tags->items[i].name);
            return NULL;
        }
    }
    if (list == NULL) {
        aws_error_set(err, AWS_ERR_NOMEM, "out of memory building DynamoDB tags");
    }
    return list;
}

/* Returns {"ResourceArn": arn}, or NULL with err set. */
static json_t *aws_ddb_arn_json(const char *action, const char *arn, aws_error_t *err)
{
    json_t *obj;

    if (arn == NULL || arn[0] == '\0') {
        aws_error_set(err, AWS_ERR_CONFIG, "DynamoDB %s needs a resource ARN", action);
        return NULL;
    }
    obj = json_object();
    if (obj == NULL || aws_json_set(obj, "ResourceArn", json_string(arn), err) != 0) {
        json_decref(obj);
        if (obj == NULL) {
            aws_error_set(err, AWS_ERR_NOMEM, "out of memory building DynamoDB %s", action);
        }
        return NULL;
    }
    return obj;
}

/* Appends the Tags of one ListTagsOfResource answer to out.  Returns 0,
 * or -1 with err set. */
static int aws_ddb_tags_page(const json_t *doc, aws_attrs_t *out, aws_error_t *err)
{
    json_t *tags = json_object_get(doc, "Tags"), *t;
    const char *k, *v;
    size_t i;

    if (tags != NULL && !json_is_array(tags)) {
        aws_error_set(err, AWS_ERR_PARSE, "DynamoDB ListTagsOfResource answer: Tags is not a list");
        return -1;
    }
    json_array_foreach(tags, i, t)
    {
        k = json_string_value(json_object_get(t, "Key"));
        v = json_string_value(json_object_get(t, "Value"));
        if (k == NULL || v == NULL) {
            aws_error_set(err, AWS_ERR_PARSE,
                          "DynamoDB ListTagsOfResource answer: a tag lacks "
                          "Key or Value");
            return -1;
        }
        if (aws_attrs_set(out, k, v) != 0) {
            aws_error_set(err, AWS_ERR_NOMEM, "out of memory reading DynamoDB tags");
            return -1;
        }
    }
    return 0;
}

int aws_ddb_list_tags(aws_client_t *c, const char *arn, aws_attrs_t *out, aws_error_t *err)
{
    json_t *obj, *doc = NULL;
    const char *next = NULL;
    int pages, rc = -1;

    /* bounded: 100 pages (DynamoDB allows 50 tags per resource) */
    for (pages = 0; pages < 100; pages++) {
        obj = aws_ddb_arn_json("ListTagsOfResource", arn, err);
        if (obj != NULL && next != NULL
            && aws_json_set(obj, "NextToken", json_string(next), err) != 0) {
            json_decref(obj);
            obj = NULL;
        }
        json_decref(doc);
        doc = obj != NULL ? aws_json_call(c, &aws_ddb_tags_api, "ListTagsOfResource", obj, err)
                          : NULL;
        if (doc == NULL || aws_ddb_tags_page(doc, out, err) != 0) {
            break;
        }
        next = json_string_value(json_object_get(doc, "NextToken"));
        if (next == NULL || next[0] == '\0') {
            rc = 0;
            break;
        }
    }
    json_decref(doc);
    if (pages == 100) {
        aws_error_set(err, AWS_ERR_PARSE, "DynamoDB ListTagsOfResource: more than 100 pages");
    }
    if (rc != 0) {
        aws_attrs_free(out);
    }
    return rc;
}

/* aws_call parse callback for TagResource: any 2xx is success, whatever
 * its body (AWS sends none; dynalite sends the JSON string ""). */
static int aws_ddb_tag_parse(void *ctx, const aws_response_t *resp, aws_error_t *err)
{
    (void) ctx;
    if (!aws_response_ok(resp)) {
        return aws_json_error_parse(resp, err);
    }
    aws_error_clear(err);
    return 0;
}

int aws_ddb_tag_resource(aws_client_t *c, const char *arn, const aws_attrs_t *tags,
                         aws_error_t *err)
{
    json_t *obj = aws_ddb_arn_json("TagResource", arn, err);

    if (obj != NULL && (tags == NULL || tags->n == 0)) {
        aws_error_set(err, AWS_ERR_CONFIG, "DynamoDB TagResource needs tags");
        json_decref(obj);
        return -1;
    }
    if (obj != NULL && aws_json_set(obj, "Tags", aws_ddb_tags_json(tags, err), err) != 0) {
        json_decref(obj);
        obj = NULL;
    }
    return aws_json_call_with(c, &aws_ddb_tags_api, "TagResource", obj, aws_ddb_tag_parse, NULL,
                              NULL, err);
}
