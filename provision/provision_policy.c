/*
 * provision_policy — the least-privilege IAM policy of each role, derived
 * from a resolved plan.  See provision.h.
 *
 * Who uses what follows from the file's structure: a queue with a dead
 * letter is a route's queue (prism-host consumes it), its dead-letter
 * queue receives what the host gives up on; a topic feeding a route's
 * queue is an upload topic (the module publishes to it), any other is a
 * completion topic (prism-host publishes to it); a bucket's "holds" says
 * whether the module writes it (originals) or the host does
 * (derivatives), both when it says nothing.  Customer managed KMS keys
 * ("kms:KEY") get a statement of their own; AWS managed keys are usable
 * through the service by any principal of the account and need none.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "provision.h"

/* KMS actions, as a bit set per key */
#define KMS_DECRYPT   1u
#define KMS_GENERATE  2u
#define KMS_USE       (KMS_DECRYPT | KMS_GENERATE)
#define KMS_PROVISION 4u

#define MAX_KEYS 64

typedef struct {
    const char *id; /* as the file gives it */
    unsigned actions;
} kms_need_t;

typedef struct {
    const prov_plan_t *plan;
    json_t *statements;
    kms_need_t keys[MAX_KEYS];
    size_t nkeys;
    int failed; /* out of memory, or too many keys */
} policy_t;

static const char *const module_objects[] = { "s3:PutObject", "s3:GetObject", "s3:DeleteObject",
                                              "s3:AbortMultipartUpload", NULL };
static const char *const list_bucket[] = { "s3:ListBucket", NULL };
static const char *const publish[] = { "sns:Publish", NULL };
static const char *const get_item[] = { "dynamodb:GetItem", NULL };
static const char *const host_queues[] = { "sqs:ReceiveMessage", "sqs:DeleteMessage",
                                           "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes",
                                           NULL };
static const char *const send_message[] = { "sqs:SendMessage", NULL };
static const char *const get_object[] = { "s3:GetObject", NULL };
static const char *const host_objects[] = { "s3:PutObject", "s3:AbortMultipartUpload", NULL };
static const char *const host_table[] = { "dynamodb:UpdateItem", "dynamodb:DescribeTable", NULL };
static const char *const host_topics[] = { "sns:Publish", "sns:GetTopicAttributes", NULL };
static const char *const prov_topics[] = { "sns:CreateTopic",
                                           "sns:GetTopicAttributes",
                                           "sns:SetTopicAttributes",
                                           "sns:DeleteTopic",
                                           "sns:Subscribe",
                                           "sns:Unsubscribe",
                                           "sns:ListSubscriptionsByTopic",
                                           "sns:GetSubscriptionAttributes",
                                           "sns:SetSubscriptionAttributes",
                                           "sns:TagResource",
                                           "sns:ListTagsForResource",
                                           NULL };
static const char *const prov_queues[] = { "sqs:CreateQueue",        "sqs:GetQueueUrl",
                                           "sqs:GetQueueAttributes", "sqs:SetQueueAttributes",
                                           "sqs:DeleteQueue",        "sqs:TagQueue",
                                           "sqs:ListQueueTags",      NULL };
static const char *const prov_buckets[] = { "s3:CreateBucket",
                                            "s3:ListBucket",
                                            "s3:GetEncryptionConfiguration",
                                            "s3:PutEncryptionConfiguration",
                                            "s3:DeleteBucket",
                                            "s3:PutBucketTagging",
                                            "s3:GetBucketTagging",
                                            NULL };
static const char *const delete_object[] = { "s3:DeleteObject", NULL };
static const char *const prov_tables[] = { "dynamodb:CreateTable",        "dynamodb:DescribeTable",
                                           "dynamodb:DeleteTable",        "dynamodb:TagResource",
                                           "dynamodb:ListTagsOfResource", NULL };

int prov_role_parse(const char *name, prov_role_t *role)
{
    if (strcmp(name, "module") == 0) {
        *role = PROV_ROLE_MODULE;
    } else if (strcmp(name, "host") == 0) {
        *role = PROV_ROLE_HOST;
    } else if (strcmp(name, "provision") == 0) {
        *role = PROV_ROLE_PROVISION;
    } else {
        return -1;
    }
    return 0;
}

/* Whether queue Q is some queue's dead-letter queue. */
static int is_dead_letter(const prov_plan_t *plan, const prov_queue_t *q)
{
    for (size_t i = 0; i < plan->nqueues; i++) {
        if (plan->queues[i].dead_letter != NULL
            && strcmp(plan->queues[i].dead_letter, q->name) == 0) {
            return 1;
        }
    }
    return 0;
}

/* Whether topic T feeds a route's queue (one with a dead letter). */
static int is_upload_topic(const prov_plan_t *plan, const prov_topic_t *t)
{
    for (size_t i = 0; i < plan->nsubs; i++) {
        const prov_queue_t *q;

        if (strcmp(plan->subs[i].topic, t->name) != 0) {
            continue;
        }
        q = prov_plan_queue(plan, plan->subs[i].queue);
        if (q != NULL && q->dead_letter != NULL) {
            return 1;
        }
    }
    return 0;
}

/* Notes that the role needs ACTIONS on the customer managed key of ENC. */
static void need_key(policy_t *p, const prov_enc_t *enc, unsigned actions)
{
    if (enc->kind != PROV_ENC_KMS || enc->kms_key_id == NULL) {
        return;
    }
    for (size_t i = 0; i < p->nkeys; i++) {
        if (strcmp(p->keys[i].id, enc->kms_key_id) == 0) {
            p->keys[i].actions |= actions;
            return;
        }
    }
    if (p->nkeys == MAX_KEYS) {
        p->failed = 1;
        return;
    }
    p->keys[p->nkeys].id = enc->kms_key_id;
    p->keys[p->nkeys++].actions = actions;
}

/* Appends {"Effect": "Allow", "Action": ACTIONS, "Resource": RESOURCES
 * [, "Condition": CONDITION]}, taking the references; nothing when
 * RESOURCES is empty. */
static void allow(policy_t *p, const char *const *actions, json_t *resources, json_t *condition)
{
    json_t *st, *acts = json_array();

    for (size_t i = 0; acts != NULL && actions[i] != NULL; i++) {
        if (json_array_append_new(acts, json_string(actions[i])) != 0) {
            p->failed = 1;
        }
    }
    if (resources == NULL || acts == NULL) {
        p->failed = 1;
    } else if (json_array_size(resources) > 0) {
        st = json_pack("{s:s, s:O, s:O}", "Effect", "Allow", "Action", acts, "Resource", resources);
        if (st == NULL || (condition != NULL && json_object_set(st, "Condition", condition) != 0)
            || json_array_append_new(p->statements, st) != 0) {
            p->failed = 1;
        }
    }
    json_decref(acts);
    json_decref(resources);
    json_decref(condition);
}

/* Appends the string "arn:PARTITION:s3:::NAME" + SUFFIX to LIST. */
static void add_bucket_arn(policy_t *p, json_t *list, const char *name, const char *suffix)
{
    char arn[400];

    snprintf(arn, sizeof(arn), "arn:%s:s3:::%s%s", p->plan->partition, name, suffix);
    if (list == NULL || json_array_append_new(list, json_string(arn)) != 0) {
        p->failed = 1;
    }
}

/* The buckets holding HOLDS (or not saying), each as ARN + SUFFIX; also
 * notes KEY_ACTIONS on their keys (0: none). */
static json_t *buckets(policy_t *p, prov_holds_t holds, const char *suffix, unsigned key_actions)
{
    json_t *list = json_array();

    for (size_t i = 0; i < p->plan->nbuckets; i++) {
        const prov_bucket_t *b = &p->plan->buckets[i];

        if (holds == PROV_HOLDS_ANY || b->holds == PROV_HOLDS_ANY || b->holds == holds) {
            add_bucket_arn(p, list, b->name, suffix);
            need_key(p, &b->encryption, key_actions);
        }
    }
    return list;
}

/* Which queues: route queues, dead-letter queues, or all. */
typedef enum { QUEUES_ROUTES, QUEUES_DEAD_LETTER, QUEUES_ALL } queue_kind_t;

/* The ARNs of the queues of KIND; notes KEY_ACTIONS on their keys. */
static json_t *queues(policy_t *p, queue_kind_t kind, unsigned key_actions)
{
    json_t *list = json_array();

    for (size_t i = 0; i < p->plan->nqueues; i++) {
        const prov_queue_t *q = &p->plan->queues[i];

        if ((kind == QUEUES_ROUTES && q->dead_letter == NULL)
            || (kind == QUEUES_DEAD_LETTER && !is_dead_letter(p->plan, q))) {
            continue;
        }
        if (list == NULL || json_array_append_new(list, json_string(q->arn)) != 0) {
            p->failed = 1;
        }
        need_key(p, &q->encryption, key_actions);
    }
    return list;
}

/* Which topics: upload topics, completion topics, or all. */
typedef enum { TOPICS_UPLOADS, TOPICS_COMPLETIONS, TOPICS_ALL } topic_kind_t;

/* The ARNs of the topics of KIND; notes KEY_ACTIONS on their keys. */
static json_t *topics(policy_t *p, topic_kind_t kind, unsigned key_actions)
{
    json_t *list = json_array();

    for (size_t i = 0; i < p->plan->ntopics; i++) {
        const prov_topic_t *t = &p->plan->topics[i];

        if (kind != TOPICS_ALL && is_upload_topic(p->plan, t) != (kind == TOPICS_UPLOADS)) {
            continue;
        }
        if (list == NULL || json_array_append_new(list, json_string(t->arn)) != 0) {
            p->failed = 1;
        }
        need_key(p, &t->encryption, key_actions);
    }
    return list;
}

/* The ARNs of the tables; notes KEY_ACTIONS on their keys. */
static json_t *tables(policy_t *p, unsigned key_actions)
{
    json_t *list = json_array();

    for (size_t i = 0; i < p->plan->ntables; i++) {
        if (list == NULL || json_array_append_new(list, json_string(p->plan->tables[i].arn)) != 0) {
            p->failed = 1;
        }
        need_key(p, &p->plan->tables[i].encryption, key_actions);
    }
    return list;
}

/* One statement per noted key.  A key ARN or id names the key; an alias
 * cannot be a policy's resource, so the statement names the account's
 * keys on condition that they carry the alias. */
static void allow_keys(policy_t *p)
{
    static const char *const use[] = { "kms:Decrypt", "kms:GenerateDataKey", NULL };
    static const char *const decrypt[] = { "kms:Decrypt", NULL };
    static const char *const generate[] = { "kms:GenerateDataKey", NULL };
    static const char *const grant[] = { "kms:DescribeKey", "kms:CreateGrant", NULL };
    const prov_plan_t *plan = p->plan;
    char arn[512];

    for (size_t i = 0; i < p->nkeys; i++) {
        const kms_need_t *k = &p->keys[i];
        const char *const *actions = k->actions == KMS_PROVISION         ? grant
                                     : (k->actions & KMS_USE) == KMS_USE ? use
                                     : k->actions & KMS_DECRYPT          ? decrypt
                                                                         : generate;
        json_t *condition = NULL;

        if (strncmp(k->id, "arn:", 4) == 0) {
            snprintf(arn, sizeof(arn), "%s", k->id);
        } else if (strncmp(k->id, "alias/", 6) == 0) {
            snprintf(arn, sizeof(arn), "arn:%s:kms:%s:%s:key/*", plan->partition, plan->region,
                     plan->account);
            condition =
                json_pack("{s:{s:s}}", "ForAnyValue:StringEquals", "kms:ResourceAliases", k->id);
            if (condition == NULL) {
                p->failed = 1;
            }
        } else {
            snprintf(arn, sizeof(arn), "arn:%s:kms:%s:%s:key/%s", plan->partition, plan->region,
                     plan->account, k->id);
        }
        allow(p, actions, json_pack("[s]", arn), condition);
    }
}

/* The statements of the nginx module's role. */
static void module_policy(policy_t *p)
{
    allow(p, module_objects, buckets(p, PROV_HOLDS_ORIGINALS, "/*", KMS_USE), NULL);
    allow(p, list_bucket, buckets(p, PROV_HOLDS_ORIGINALS, "", 0), NULL);
    allow(p, publish, topics(p, TOPICS_UPLOADS, KMS_USE), NULL);
    allow(p, get_item, tables(p, KMS_DECRYPT), NULL);
}

/* The statements of prism-host's role. */
static void host_policy(policy_t *p)
{
    allow(p, host_queues, queues(p, QUEUES_ROUTES, KMS_DECRYPT), NULL);
    allow(p, send_message, queues(p, QUEUES_DEAD_LETTER, KMS_USE), NULL);
    allow(p, get_object, buckets(p, PROV_HOLDS_ORIGINALS, "/*", KMS_DECRYPT), NULL);
    allow(p, host_objects, buckets(p, PROV_HOLDS_DERIVATIVES, "/*", KMS_USE), NULL);
    allow(p, list_bucket, buckets(p, PROV_HOLDS_ANY, "", 0), NULL);
    allow(p, host_table, tables(p, KMS_USE), NULL);
    allow(p, host_topics, topics(p, TOPICS_COMPLETIONS, KMS_USE), NULL);
}

/* The statements of prism-provision's identity. */
static void provision_policy(policy_t *p)
{
    allow(p, prov_topics, topics(p, TOPICS_ALL, 0), NULL);
    allow(p, prov_queues, queues(p, QUEUES_ALL, 0), NULL);
    allow(p, prov_buckets, buckets(p, PROV_HOLDS_ANY, "", 0), NULL);
    allow(p, delete_object, buckets(p, PROV_HOLDS_ANY, "/*", 0), NULL);
    allow(p, prov_tables, tables(p, KMS_PROVISION), NULL);
}

json_t *prov_policy(const prov_plan_t *plan, prov_role_t role, char *err, size_t errlen)
{
    policy_t p = { .plan = plan, .statements = json_array() };
    json_t *doc;

    if (p.statements == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    if (role == PROV_ROLE_MODULE) {
        module_policy(&p);
    } else if (role == PROV_ROLE_HOST) {
        host_policy(&p);
    } else {
        provision_policy(&p);
    }
    allow_keys(&p);
    doc = json_pack("{s:s, s:o}", "Version", "2012-10-17", "Statement", p.statements);
    if (doc == NULL || p.failed) {
        json_decref(doc);
        snprintf(err, errlen, p.nkeys == MAX_KEYS ? "more than 64 KMS keys" : "out of memory");
        return NULL;
    }
    return doc;
}
