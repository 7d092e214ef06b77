/* Provisioning SNS topics and their SQS subscriptions. */
#include "provision.h"

#include <stdlib.h>
#include <string.h>

#include "provision_steps.h"
#include "sns_admin.h"

#define PROV_ARN_MAX 1024

/* Compares an existing topic's attributes with the plan and sets the
 * differing ones one by one (apply) or reports them. */
static int prov_topic_update(prov_run_t *r, prov_topic_t *t, const aws_attrs_t *have, int apply,
                             aws_error_t *err)
{
    aws_attrs_t want = AWS_ATTRS_INIT;
    const char *h;
    char what[320];
    size_t i;
    int rc = 0, changed = 0;

    snprintf(what, sizeof(what), "topic %s", t->name);
    if (prov_topic_attributes(t, &want) != 0) {
        aws_error_set(err, AWS_ERR_NOMEM, "out of memory planning topic %s", t->name);
        return -1;
    }
    for (i = 0; rc == 0 && i < want.n; i++) {
        h = aws_attrs_get(have, want.items[i].name);
        if (prov_attr_equal(want.items[i].value, h)) {
            continue;
        }
        if (prov_attr_create_only(want.items[i].name)) {
            aws_error_set(err, AWS_ERR_CONFIG, "topic %s: %s is fixed at creation", t->name,
                          want.items[i].name);
            rc = prov_say_error(r, what, err);
            break;
        }
        prov_say_attr(r, what, want.items[i].name, want.items[i].value, h, apply);
        changed++;
        if (apply
            && aws_sns_set_topic_attribute(r->client, t->arn, want.items[i].name,
                                           want.items[i].value, err)
                   != 0) {
            rc = prov_say_error(r, what, err);
        }
    }
    if (rc == 0 && changed == 0) {
        prov_say(r, "%s: in place (%s)", what, t->arn);
    }
    r->changes += changed;
    aws_attrs_free(&want);
    return rc;
}

/* Creates a missing topic (apply) or reports it; a created topic's ARN
 * replaces the planned one when the endpoint answers another. */
static int prov_topic_create(prov_run_t *r, prov_topic_t *t, int apply, aws_error_t *err)
{
    aws_attrs_t want = AWS_ATTRS_INIT, tags = AWS_ATTRS_INIT;
    char arn[PROV_ARN_MAX], what[320], *copy;
    int rc;

    snprintf(what, sizeof(what), "topic %s", t->name);
    r->changes++;
    if (!apply) {
        prov_say(r, "%s: missing, would be created (%s)", what, t->arn);
        return 0;
    }
    if (prov_topic_attributes(t, &want) != 0 || prov_plan_tags(r->plan, &tags) != 0) {
        aws_attrs_free(&want);
        aws_error_set(err, AWS_ERR_NOMEM, "out of memory planning topic %s", t->name);
        return -1;
    }
    rc = aws_sns_create_topic(r->client, t->name, &want, &tags, arn, sizeof(arn), err);
    aws_attrs_free(&want);
    aws_attrs_free(&tags);
    if (rc != 0) {
        return prov_say_error(r, what, err);
    }
    prov_say(r, "%s: created (%s)", what, arn);
    if (strcmp(arn, t->arn) != 0) {
        prov_say(r, "%s: warning: its ARN is %s, not %s as planned", what, arn, t->arn);
        r->warnings++;
        if ((copy = strdup(arn)) == NULL) {
            aws_error_set(err, AWS_ERR_NOMEM, "out of memory");
            return -1;
        }
        free(t->arn);
        t->arn = copy;
    }
    return 0;
}

int prov_topics_converge(prov_run_t *r, int apply, aws_error_t *err)
{
    aws_attrs_t have = AWS_ATTRS_INIT;
    char what[320];
    size_t i;
    int rc = 0;

    for (i = 0; rc == 0 && i < r->plan->ntopics; i++) {
        prov_topic_t *t = &r->plan->topics[i];
        snprintf(what, sizeof(what), "topic %s", t->name);
        if (aws_sns_get_topic_attributes(r->client, t->arn, &have, err) == 0) {
            rc = t->existing ? prov_say_existing(r, what, 0, 0, err)
                             : prov_topic_update(r, t, &have, apply, err);
        } else if (t->existing) {
            rc = prov_say_existing(r, what, -1, aws_sns_error_is_not_found(err), err);
        } else if (aws_sns_error_is_not_found(err)) {
            rc = prov_topic_create(r, t, apply, err);
        } else {
            rc = prov_say_error(r, what, err);
        }
        aws_attrs_free(&have);
    }
    return rc;
}

/* prov_remove_fn: DeleteTopic. */
static int prov_topic_remove(prov_run_t *r, const prov_down_item_t *it, aws_error_t *err)
{
    return aws_sns_delete_topic(r->client, it->handle, err);
}

int prov_topic_survey(prov_run_t *r, size_t i, prov_down_list_t *l, aws_error_t *err)
{
    prov_topic_t *t = &r->plan->topics[i];
    aws_attrs_t have = AWS_ATTRS_INIT, tags = AWS_ATTRS_INIT;
    prov_down_facts_t f = { 1, t->existing, PROV_OWNER_NONE, 0 };
    const char *other = NULL;
    char what[320];
    int rc = 0;

    snprintf(what, sizeof(what), "topic %s", t->name);
    if (aws_sns_get_topic_attributes(r->client, t->arn, &have, err) != 0) {
        if (!aws_sns_error_is_not_found(err)) {
            return prov_say_error(r, what, err);
        }
        f.exists = 0;
    } else if (!t->existing) {
        rc = prov_owner_from_tags(r, what, aws_sns_list_tags(r->client, t->arn, &tags, err), &tags,
                                  err, &f.owner, &other);
    }
    t->owner = f.existing ? PROV_OWNER_NONE : f.owner;
    if (rc == 0) {
        rc = prov_down_add(r, l, "topic", t->name, t->arn, &f, other, prov_topic_remove, err);
    }
    aws_attrs_free(&have);
    aws_attrs_free(&tags);
    return rc;
}

/* Finds the sqs subscription of QUEUE_ARN among subs, or NULL. */
static const aws_sns_subscription_t *prov_find_subscription(const aws_sns_subscriptions_t *subs,
                                                            const char *queue_arn)
{
    size_t i;

    for (i = 0; i < subs->n; i++) {
        if (strcmp(subs->items[i].protocol, "sqs") == 0
            && strcmp(subs->items[i].endpoint, queue_arn) == 0) {
            return &subs->items[i];
        }
    }
    return NULL;
}

/* Compares an existing subscription's attributes with the plan and
 * sets the differing ones (apply) or reports them. */
static int prov_subscription_update(prov_run_t *r, const char *what, const char *sub_arn,
                                    const aws_attrs_t *want, int apply, aws_error_t *err)
{
    aws_attrs_t have = AWS_ATTRS_INIT;
    const char *h;
    size_t i;
    int rc = 0, changed = 0;

    if (aws_sns_get_subscription_attributes(r->client, sub_arn, &have, err) != 0) {
        return prov_say_error(r, what, err);
    }
    for (i = 0; rc == 0 && i < want->n; i++) {
        h = aws_attrs_get(&have, want->items[i].name);
        if (prov_attr_equal(want->items[i].value, h)) {
            continue;
        }
        prov_say_attr(r, what, want->items[i].name, want->items[i].value, h, apply);
        changed++;
        if (apply
            && aws_sns_set_subscription_attribute(r->client, sub_arn, want->items[i].name,
                                                  want->items[i].value, err)
                   != 0) {
            rc = prov_say_error(r, what, err);
        }
    }
    if (rc == 0 && changed == 0) {
        prov_say(r, "%s: in place", what);
    }
    r->changes += changed;
    aws_attrs_free(&have);
    return rc;
}

/* Converges one subscription.  A topic that does not exist yet (show)
 * has no subscriptions. */
static int prov_subscription_converge(prov_run_t *r, const prov_subscription_t *s, int apply,
                                      aws_error_t *err)
{
    const prov_topic_t *t = prov_plan_topic(r->plan, s->topic);
    const prov_queue_t *q = prov_plan_queue(r->plan, s->queue);
    aws_sns_subscriptions_t subs = AWS_SNS_SUBSCRIPTIONS_INIT;
    const aws_sns_subscription_t *found = NULL;
    aws_attrs_t want = AWS_ATTRS_INIT;
    char what[512], arn[PROV_ARN_MAX];
    int rc = 0;

    snprintf(what, sizeof(what), "subscription %s -> %s", s->topic, s->queue);
    if (prov_subscription_attributes(s, &want) != 0) {
        aws_error_set(err, AWS_ERR_NOMEM, "out of memory planning %s", what);
        return -1;
    }
    if (aws_sns_list_subscriptions(r->client, t->arn, &subs, err) != 0
        && !(!apply && aws_sns_error_is_not_found(err))) {
        rc = prov_say_error(r, what, err);
    } else if ((found = prov_find_subscription(&subs, q->arn)) != NULL) {
        rc = prov_subscription_update(r, what, found->arn, &want, apply, err);
    } else if (!apply) {
        prov_say(r, "%s: missing, would be created%s", what, s->raw ? " (raw delivery)" : "");
        r->changes++;
    } else if (aws_sns_subscribe(r->client, t->arn, "sqs", q->arn, &want, arn, sizeof(arn), err)
               != 0) {
        rc = prov_say_error(r, what, err);
    } else {
        prov_say(r, "%s: created (%s)%s%s", what, arn, s->raw ? ", raw delivery" : "",
                 s->filter_policy ? ", filter policy" : "");
        r->changes++;
    }
    aws_sns_subscriptions_free(&subs);
    aws_attrs_free(&want);
    return rc;
}

int prov_subscriptions_converge(prov_run_t *r, int apply, aws_error_t *err)
{
    size_t i;

    for (i = 0; i < r->plan->nsubs; i++) {
        if (prov_subscription_converge(r, &r->plan->subs[i], apply, err) != 0) {
            return -1;
        }
    }
    return 0;
}

/* prov_remove_fn: Unsubscribe. */
static int prov_subscription_remove(prov_run_t *r, const prov_down_item_t *it, aws_error_t *err)
{
    return aws_sns_unsubscribe(r->client, it->handle, err);
}

/* A subscription is this stack's when its topic or its queue is. */
int prov_subscription_survey(prov_run_t *r, size_t i, prov_down_list_t *l, aws_error_t *err)
{
    const prov_subscription_t *s = &r->plan->subs[i];
    const prov_topic_t *t = prov_plan_topic(r->plan, s->topic);
    const prov_queue_t *q = prov_plan_queue(r->plan, s->queue);
    aws_sns_subscriptions_t subs = AWS_SNS_SUBSCRIPTIONS_INIT;
    const aws_sns_subscription_t *found = NULL;
    prov_down_facts_t f = { 0, 0, prov_owner_either(t->owner, q->owner), 0 };
    char name[512], what[600];
    int rc;

    snprintf(name, sizeof(name), "%s -> %s", s->topic, s->queue);
    snprintf(what, sizeof(what), "subscription %s", name);
    if (aws_sns_list_subscriptions(r->client, t->arn, &subs, err) != 0
        && !aws_sns_error_is_not_found(err)) {
        return prov_say_error(r, what, err);
    }
    found = prov_find_subscription(&subs, q->arn);
    f.exists = found != NULL;
    rc = prov_down_add(r, l, "subscription", name, found ? found->arn : NULL, &f, NULL,
                       prov_subscription_remove, err);
    aws_sns_subscriptions_free(&subs);
    return rc;
}
