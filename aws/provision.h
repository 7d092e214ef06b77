/*
 * provision — every AWS resource the prism stack needs, from ONE
 * description file (conf/resources.json, format in docs/resources.md):
 * SNS topics, SQS queues with dead-letter queues and redrive policies,
 * SNS -> SQS subscriptions (raw delivery, filter policies), S3 buckets
 * and DynamoDB tables, with optional encryption.
 *
 * The plan (provision_plan.c, pure, no I/O) parses and checks the file,
 * then, once the account is known, substitutes ${account} / ${region}
 * in names and computes ARNs and the attributes each resource must
 * have.  The runs (provision_run.c and one file per kind of resource)
 * apply it through the AWS layer:
 *
 *   up    creates what is missing and converges the attributes the file
 *         names (attributes it does not name are left alone); a second
 *         run changes nothing and says so;
 *   down  deletes the resources (a bucket only when empty, unless force);
 *   show  prints the resolved plan and what exists, changing nothing.
 *
 * Every queue that a topic feeds gets a Policy letting exactly those
 * topics send to it (unless the file gives the queue a Policy itself).
 * Nothing is printed from here: each finding goes to the caller's
 * prov_say_fn as one line.
 */
#ifndef AWS_PROVISION_H
#define AWS_PROVISION_H

#include <stddef.h>

#include "aws_attrs.h"
#include "aws_client.h"
#include "aws_error.h"

/* ---- the plan (provision_plan.c) ----------------------------------------- */

typedef enum {
    PROV_ENC_UNMANAGED = 0,   /* the service's default; provisioning does not touch it */
    PROV_ENC_SQS_MANAGED,     /* queues: SqsManagedSseEnabled */
    PROV_ENC_AES256,          /* buckets: SSE-S3 */
    PROV_ENC_KMS              /* KMS, with kms_key_id or the AWS managed key */
} prov_enc_kind_t;

typedef struct {
    prov_enc_kind_t kind;
    char           *kms_key_id;   /* KMS with a named key, else NULL */
} prov_enc_t;

typedef struct {
    char        *name;
    aws_attrs_t  attributes;      /* as the file gives them, values as strings */
    prov_enc_t   encryption;
    char        *arn;             /* after prov_plan_resolve */
} prov_topic_t;

typedef struct {
    char        *name;
    aws_attrs_t  attributes;
    prov_enc_t   encryption;
    char        *dead_letter;     /* name of its dead-letter queue, or NULL */
    int          max_receive_count;
    char        *arn;
    char        *url;             /* filled by a run */
} prov_queue_t;

typedef struct {
    char *topic;                  /* topic name */
    char *queue;                  /* queue name */
    int   raw;                    /* RawMessageDelivery */
    char *filter_policy;          /* compact JSON, or NULL */
    char *filter_policy_scope;    /* "MessageAttributes" / "MessageBody", or NULL */
} prov_subscription_t;

typedef struct {
    char       *name;
    prov_enc_t  encryption;
} prov_bucket_t;

typedef struct {
    char       *name;
    char       *hash_key;
    char        hash_type[2];
    char       *range_key;        /* NULL: none */
    char        range_type[2];
    char       *billing_mode;     /* "PAY_PER_REQUEST" or "PROVISIONED" */
    long        read_capacity;
    long        write_capacity;
    prov_enc_t  encryption;       /* UNMANAGED or KMS */
    char       *arn;
} prov_table_t;

typedef struct {
    prov_topic_t        *topics;
    size_t               ntopics;
    prov_queue_t        *queues;
    size_t               nqueues;
    prov_subscription_t *subs;
    size_t               nsubs;
    prov_bucket_t       *buckets;
    size_t               nbuckets;
    prov_table_t        *tables;
    size_t               ntables;
    char                 partition[16];   /* after prov_plan_resolve */
    char                 region[32];
    char                 account[32];
} prov_plan_t;

/* Parses a resources description (len bytes of JSON) into plan (zeroed
 * by the caller).  Checks the structure, value types and ranges, unknown
 * keys (keys starting with '_' are comments), duplicate names, that
 * every reference (dead_letter, a subscription's topic and queue) names
 * a resource of the file, dead-letter chains without cycles, and FIFO
 * consistency (.fifo names; a FIFO queue's DLQ and a FIFO topic's
 * queues are FIFO too).  Returns 0, or -1 with a message naming the
 * offending entry in err (errlen bytes); plan is then freed. */
int prov_plan_parse(const char *text, size_t len, prov_plan_t *plan, char *err, size_t errlen);

/* prov_plan_parse of the file at PATH (at most 1 MiB). */
int prov_plan_load(const char *path, prov_plan_t *plan, char *err, size_t errlen);

/* Binds the plan to an account: substitutes ${account} and ${region} in
 * every name, checks the names against each service's rules, and
 * computes the ARNs.  PARTITION NULL derives it from the region ("aws",
 * "aws-cn" for cn-*, "aws-us-gov" for us-gov-*).  Call once.  Returns
 * 0, or -1 with err set. */
int prov_plan_resolve(prov_plan_t *plan, const char *partition, const char *region,
                      const char *account, char *err, size_t errlen);

/* Returns the queue / topic of the plan named NAME, or NULL. */
prov_queue_t *prov_plan_queue(const prov_plan_t *plan, const char *name);
prov_topic_t *prov_plan_topic(const prov_plan_t *plan, const char *name);

/* The attributes a resolved resource must have, into out (must be
 * empty).  Queue: the file's attributes, FifoQueue for .fifo names,
 * encryption, RedrivePolicy {"deadLetterTargetArn", "maxReceiveCount"},
 * and a Policy allowing its subscribed topics to sqs:SendMessage.
 * Topic: the file's attributes, FifoTopic, KmsMasterKeyId.
 * Subscription: RawMessageDelivery, FilterPolicy, FilterPolicyScope.
 * Returns 0, or -1 when memory runs out. */
int prov_queue_attributes(const prov_plan_t *plan, const prov_queue_t *q, aws_attrs_t *out);
int prov_topic_attributes(const prov_topic_t *t, aws_attrs_t *out);
int prov_subscription_attributes(const prov_subscription_t *s, aws_attrs_t *out);

/* Returns 1 when an attribute value read from AWS (HAVE, NULL when
 * absent) already satisfies the wanted one: JSON documents compare as
 * documents (member order, spacing and numbers written as strings do
 * not matter), "true"/"false" without regard to case, everything else
 * as exact strings. */
int prov_attr_equal(const char *want, const char *have);

/* Returns 1 for attributes fixed at creation (FifoQueue, FifoTopic). */
int prov_attr_create_only(const char *name);

/* Frees everything the plan owns and zeroes it. */
void prov_plan_free(prov_plan_t *plan);

/* ---- runs (provision_run.c) ---------------------------------------------- */

/* Receives one line of report (no newline). */
typedef void (*prov_say_fn)(void *ud, const char *line);

typedef struct {
    aws_client_t *client;
    prov_plan_t  *plan;            /* parsed; resolved by prov_run_resolve */
    prov_say_fn   say;
    void         *ud;
    int           force;           /* down: delete the objects of non-empty buckets */
    long          table_wait_ms;   /* up: how long to wait for a table to be ACTIVE (0: 120 s) */
    int           changes;         /* out: what up / down changed */
    int           warnings;        /* out: drift found but not changed */
} prov_run_t;

/* Learns the account (and partition) with STS GetCallerIdentity and
 * resolves the plan for the client's region.  Returns 0 or -1 with err
 * set. */
int prov_run_resolve(prov_run_t *r, aws_error_t *err);

/* up: topics, queues (dead-letter queues first), subscriptions,
 * buckets, tables; stops at the first failure.  Returns 0 or -1 with
 * err set. */
int prov_up(prov_run_t *r, aws_error_t *err);

/* down: subscriptions, topics, queues, buckets, tables; goes on after a
 * failure and returns -1 with the first error in err. */
int prov_down(prov_run_t *r, aws_error_t *err);

/* show: one line per resource with its ARN / URL and whether it exists. */
int prov_show(prov_run_t *r, aws_error_t *err);

/* Formats a line and hands it to r->say. */
void prov_say(prov_run_t *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
