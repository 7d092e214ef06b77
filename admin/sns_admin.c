#include "sns_admin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws_query.h"
#include "aws_xml.h"
#include "aws_xml_response.h"
#include "aws_xml_list.h"
#include "sns.h"

/* Answers without a body of interest: sends form, returns 0 or -1. */
static int aws_sns_admin_call(aws_client_t *c, aws_buf_t *form, aws_buf_t *body, int form_ok,
                              aws_error_t *err)
{
    int rc = form_ok ? aws_query_call(c, "sns", form, body, err) : -1;

    aws_buf_free(form);
    return rc;
}

int aws_sns_create_topic(aws_client_t *c, const char *name, const aws_attrs_t *attrs,
                         const aws_attrs_t *tags, char *arn, size_t len, aws_error_t *err)
{
    aws_buf_t form = AWS_BUF_INIT, body = AWS_BUF_INIT;
    int rc;

    if (name == NULL || name[0] == '\0') {
        aws_error_set(err, AWS_ERR_CONFIG, "SNS CreateTopic needs a name");
        return -1;
    }
    rc = aws_sns_admin_call(c, &form, &body,
                            aws_query_form(&form, "CreateTopic", AWS_SNS_API_VERSION, err) == 0
                                && aws_query_add(&form, "Name", name, err) == 0
                                && aws_query_add_map(&form, "Attributes", attrs, err) == 0
                                && aws_query_add_tags(&form, "Tags", tags, err) == 0,
                            err);
    if (rc == 0) {
        rc = aws_xml_result_field(body.data, body.len,
                                  "CreateTopicResponse/CreateTopicResult/TopicArn", arn, len, "SNS",
                                  err);
    }
    aws_buf_free(&body);
    return rc;
}

/* Sends ACTION with one field NAME = VALUE (a required ARN). */
static int aws_sns_admin_arn_call(aws_client_t *c, const char *action, const char *name,
                                  const char *value, aws_buf_t *body, aws_error_t *err)
{
    aws_buf_t form = AWS_BUF_INIT;

    if (value == NULL || value[0] == '\0') {
        aws_error_set(err, AWS_ERR_CONFIG, "SNS %s needs a %s", action, name);
        return -1;
    }
    return aws_sns_admin_call(c, &form, body,
                              aws_query_form(&form, action, AWS_SNS_API_VERSION, err) == 0
                                  && aws_query_add(&form, name, value, err) == 0,
                              err);
}

int aws_sns_delete_topic(aws_client_t *c, const char *arn, aws_error_t *err)
{
    return aws_sns_admin_arn_call(c, "DeleteTopic", "TopicArn", arn, NULL, err);
}

int aws_sns_unsubscribe(aws_client_t *c, const char *sub_arn, aws_error_t *err)
{
    return aws_sns_admin_arn_call(c, "Unsubscribe", "SubscriptionArn", sub_arn, NULL, err);
}

/* Sends ACTION (Set{Topic,Subscription}Attributes) for ARN_NAME = arn
 * with AttributeName / AttributeValue. */
static int aws_sns_set_attribute(aws_client_t *c, const char *action, const char *arn_name,
                                 const char *arn, const char *name, const char *value,
                                 aws_error_t *err)
{
    aws_buf_t form = AWS_BUF_INIT;

    if (arn == NULL || arn[0] == '\0' || name == NULL || value == NULL) {
        aws_error_set(err, AWS_ERR_CONFIG, "SNS %s needs an ARN, a name and a value", action);
        return -1;
    }
    return aws_sns_admin_call(c, &form, NULL,
                              aws_query_form(&form, action, AWS_SNS_API_VERSION, err) == 0
                                  && aws_query_add(&form, arn_name, arn, err) == 0
                                  && aws_query_add(&form, "AttributeName", name, err) == 0
                                  && aws_query_add(&form, "AttributeValue", value, err) == 0,
                              err);
}

int aws_sns_set_topic_attribute(aws_client_t *c, const char *arn, const char *name,
                                const char *value, aws_error_t *err)
{
    return aws_sns_set_attribute(c, "SetTopicAttributes", "TopicArn", arn, name, value, err);
}

int aws_sns_set_subscription_attribute(aws_client_t *c, const char *sub_arn, const char *name,
                                       const char *value, aws_error_t *err)
{
    return aws_sns_set_attribute(c, "SetSubscriptionAttributes", "SubscriptionArn", sub_arn, name,
                                 value, err);
}

int aws_sns_subscribe(aws_client_t *c, const char *topic_arn, const char *protocol,
                      const char *endpoint, const aws_attrs_t *attrs, char *sub_arn, size_t len,
                      aws_error_t *err)
{
    aws_buf_t form = AWS_BUF_INIT, body = AWS_BUF_INIT;
    int rc;

    if (topic_arn == NULL || protocol == NULL || endpoint == NULL || topic_arn[0] == '\0'
        || endpoint[0] == '\0') {
        aws_error_set(err, AWS_ERR_CONFIG, "SNS Subscribe needs a topic, protocol and endpoint");
        return -1;
    }
    rc = aws_sns_admin_call(c, &form, &body,
                            aws_query_form(&form, "Subscribe", AWS_SNS_API_VERSION, err) == 0
                                && aws_query_add(&form, "TopicArn", topic_arn, err) == 0
                                && aws_query_add(&form, "Protocol", protocol, err) == 0
                                && aws_query_add(&form, "Endpoint", endpoint, err) == 0
                                && aws_query_add(&form, "ReturnSubscriptionArn", "true", err) == 0
                                && aws_query_add_map(&form, "Attributes", attrs, err) == 0,
                            err);
    if (rc == 0) {
        rc = aws_xml_result_field(body.data, body.len,
                                  "SubscribeResponse/SubscribeResult/SubscriptionArn", sub_arn, len,
                                  "SNS", err);
    }
    aws_buf_free(&body);
    return rc;
}

/* aws_xml_each callback: appends one subscription member. */
static int aws_sns_subscription_cb(void *ud, const char *const *v, size_t n)
{
    aws_sns_subscriptions_t *out = ud;
    aws_sns_subscription_t *items, *s;

    (void) n;
    items = realloc(out->items, (out->n + 1) * sizeof(*items));
    if (items == NULL) {
        return -1;
    }
    out->items = items;
    s = &items[out->n];
    s->arn = strdup(v[0]);
    s->topic_arn = strdup(v[1]);
    s->protocol = strdup(v[2]);
    s->endpoint = strdup(v[3]);
    out->n++;
    return s->arn && s->topic_arn && s->protocol && s->endpoint ? 0 : -1;
}

int aws_sns_subscriptions_parse(const aws_response_t *resp, aws_sns_subscriptions_t *out,
                                char *next, size_t len, aws_error_t *err)
{
    static const char *const names[] = { "SubscriptionArn", "TopicArn", "Protocol", "Endpoint" };
    const char *doc = resp->body.data ? resp->body.data : "";
    char msg[128];
    aws_xml_field_t f = {
        "ListSubscriptionsByTopicResponse/ListSubscriptionsByTopicResult/NextToken", next, len, 0, 0
    };

    if (!aws_response_ok(resp)) {
        return aws_query_error_parse(resp, err);
    }
    if (aws_xml_each(
            doc, resp->body.len,
            "ListSubscriptionsByTopicResponse/ListSubscriptionsByTopicResult/Subscriptions/member",
            names, 4, aws_sns_subscription_cb, out, msg, sizeof(msg))
            < 0
        || aws_xml_extract(doc, resp->body.len, &f, 1, msg, sizeof(msg)) != 0) {
        aws_error_set(err, AWS_ERR_PARSE, "SNS ListSubscriptionsByTopic response: %s", msg);
        return -1;
    }
    if (f.truncated) {
        aws_error_set(err, AWS_ERR_PARSE, "SNS ListSubscriptionsByTopic NextToken too long");
        return -1;
    }
    aws_error_clear(err);
    return 0;
}

int aws_sns_list_subscriptions(aws_client_t *c, const char *topic_arn, aws_sns_subscriptions_t *out,
                               aws_error_t *err)
{
    aws_buf_t form = AWS_BUF_INIT;
    aws_response_t page;
    char next[1024] = "";
    int rc = 0, pages;

    aws_response_init(&page);
    /* bounded: 100 pages of 100 subscriptions */
    for (pages = 0; rc == 0 && pages < 100; pages++) {
        if (aws_query_form(&form, "ListSubscriptionsByTopic", AWS_SNS_API_VERSION, err) != 0
            || aws_query_add(&form, "TopicArn", topic_arn, err) != 0
            || (next[0] && aws_query_add(&form, "NextToken", next, err) != 0)
            || aws_query_call(c, "sns", &form, &page.body, err) != 0) {
            rc = -1;
            break;
        }
        page.status = 200;
        rc = aws_sns_subscriptions_parse(&page, out, next, sizeof(next), err);
        if (rc == 0 && next[0] == '\0') {
            break;
        }
    }
    aws_buf_free(&form);
    aws_response_free(&page);
    if (rc != 0) {
        aws_sns_subscriptions_free(out);
    }
    return rc;
}

void aws_sns_subscriptions_free(aws_sns_subscriptions_t *s)
{
    size_t i;

    for (i = 0; i < s->n; i++) {
        free(s->items[i].arn);
        free(s->items[i].topic_arn);
        free(s->items[i].protocol);
        free(s->items[i].endpoint);
    }
    free(s->items);
    s->items = NULL;
    s->n = 0;
}

/* aws_xml_each callback: one name/value pair (an attribute entry, a tag). */
static int aws_sns_pair_cb(void *ud, const char *const *v, size_t n)
{
    (void) n;
    return aws_attrs_set(ud, v[0], v[1]);
}

/* Parses the pairs at ACTIONResponse/ACTIONResult/ITEMS of a Query
 * answer into out, with child names NAMES[0] (name) and NAMES[1]
 * (value).  Returns 0, or -1 with err set (out freed). */
static int aws_sns_pairs_parse(const aws_response_t *resp, const char *action, const char *items,
                               const char *const names[2], aws_attrs_t *out, aws_error_t *err)
{
    char path[160], msg[128];

    if (!aws_response_ok(resp)) {
        return aws_query_error_parse(resp, err);
    }
    snprintf(path, sizeof(path), "%sResponse/%sResult/%s", action, action, items);
    if (aws_xml_each(resp->body.data ? resp->body.data : "", resp->body.len, path, names, 2,
                     aws_sns_pair_cb, out, msg, sizeof(msg))
        < 0) {
        aws_error_set(err, AWS_ERR_PARSE, "SNS %s response: %s", action, msg);
        aws_attrs_free(out);
        return -1;
    }
    aws_error_clear(err);
    return 0;
}

int aws_sns_attributes_parse(const aws_response_t *resp, const char *action, aws_attrs_t *out,
                             aws_error_t *err)
{
    static const char *const names[] = { "key", "value" };

    return aws_sns_pairs_parse(resp, action, "Attributes/entry", names, out, err);
}

int aws_sns_tags_parse(const aws_response_t *resp, aws_attrs_t *out, aws_error_t *err)
{
    static const char *const names[] = { "Key", "Value" };

    return aws_sns_pairs_parse(resp, "ListTagsForResource", "Tags/member", names, out, err);
}

/* Runs Get{Topic,Subscription}Attributes and parses the answer. */
static int aws_sns_get_attributes(aws_client_t *c, const char *action, const char *arn_name,
                                  const char *arn, aws_attrs_t *out, aws_error_t *err)
{
    aws_response_t resp;
    int rc;

    aws_response_init(&resp);
    rc = aws_sns_admin_arn_call(c, action, arn_name, arn, &resp.body, err);
    if (rc == 0) {
        resp.status = 200;
        rc = aws_sns_attributes_parse(&resp, action, out, err);
    }
    aws_response_free(&resp);
    return rc;
}

int aws_sns_get_topic_attributes(aws_client_t *c, const char *arn, aws_attrs_t *out,
                                 aws_error_t *err)
{
    return aws_sns_get_attributes(c, "GetTopicAttributes", "TopicArn", arn, out, err);
}

int aws_sns_get_subscription_attributes(aws_client_t *c, const char *sub_arn, aws_attrs_t *out,
                                        aws_error_t *err)
{
    return aws_sns_get_attributes(c, "GetSubscriptionAttributes", "SubscriptionArn", sub_arn, out,
                                  err);
}

int aws_sns_list_tags(aws_client_t *c, const char *arn, aws_attrs_t *out, aws_error_t *err)
{
    aws_response_t resp;
    int rc;

    aws_response_init(&resp);
    rc = aws_sns_admin_arn_call(c, "ListTagsForResource", "ResourceArn", arn, &resp.body, err);
    if (rc == 0) {
        resp.status = 200;
        rc = aws_sns_tags_parse(&resp, out, err);
    }
    aws_response_free(&resp);
    return rc;
}

int aws_sns_error_is_not_found(const aws_error_t *err)
{
    return aws_error_is(err, "NotFound");
}
