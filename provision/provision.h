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
 *   down  deletes only what carries this stack's tag (prism:stack=NAME,
 *         set by up on everything it creates), after printing its plan;
 *         tables and non-empty buckets only with force; resources the
 *         file references as existing are never touched;
 *   show  prints the resolved plan and what exists, changing nothing.
 *
 * Every queue that a topic feeds gets a Policy letting exactly those
 * topics send to it (unless the file gives the queue a Policy itself).
 * Nothing is printed from here: each finding goes to the caller's
 * prov_say_fn as one line.
 */
#ifndef AWS_PROVISION_H
#define AWS_PROVISION_H

#include <jansson.h>
#include <stddef.h>

#include "aws_attrs.h"
#include "aws_buf.h"
#include "aws_client.h"
#include "aws_error.h"

/* ---- the plan (provision_plan.c) ----------------------------------------- */

#define PROV_STACK_TAG     "prism:stack" /* the tag key up sets, down checks */
#define PROV_STACK_DEFAULT "prism"       /* the stack name when the file names none */

/* Whose a resource is, from its tags (provision_owner.c). */
typedef enum {
    PROV_OWNER_UNKNOWN = 0, /* not looked at, or the endpoint does not report tags */
    PROV_OWNER_NONE,        /* no stack tag, or referenced as existing */
    PROV_OWNER_OTHER,       /* another stack's tag */
    PROV_OWNER_STACK        /* this stack's tag */
} prov_owner_t;

typedef enum {
    PROV_ENC_UNMANAGED = 0, /* the service's default; provisioning does not touch it */
    PROV_ENC_SQS_MANAGED,   /* queues: SqsManagedSseEnabled */
    PROV_ENC_AES256,        /* buckets: SSE-S3 */
    PROV_ENC_KMS            /* KMS, with kms_key_id or the AWS managed key */
} prov_enc_kind_t;

typedef struct {
    prov_enc_kind_t kind;
    char *kms_key_id; /* KMS with a named key, else NULL */
} prov_enc_t;

typedef struct {
    char *name;
    aws_attrs_t attributes; /* as the file gives them, values as strings */
    prov_enc_t encryption;
    int existing;       /* made elsewhere: only referenced, never changed */
    char *arn;          /* after prov_plan_resolve */
    prov_owner_t owner; /* found by down */
} prov_topic_t;

typedef struct {
    char *name;
    aws_attrs_t attributes;
    prov_enc_t encryption;
    char *dead_letter; /* name of its dead-letter queue, or NULL */
    int max_receive_count;
    int existing;
    char *arn;
    char *url;          /* filled by a run */
    prov_owner_t owner; /* found by down */
} prov_queue_t;

typedef struct {
    char *topic;               /* topic name */
    char *queue;               /* queue name */
    int raw;                   /* RawMessageDelivery */
    char *filter_policy;       /* compact JSON, or NULL */
    char *filter_from_plugin;  /* a plugin whose accepted types make the filter
                                     policy (prov_plan_filter_types), or NULL */
    char *filter_policy_scope; /* "MessageAttributes" / "MessageBody", or NULL */
} prov_subscription_t;

/* What a bucket holds, which says whose policy reads or writes it. */
typedef enum {
    PROV_HOLDS_ANY = 0,    /* not said: both roles' access */
    PROV_HOLDS_ORIGINALS,  /* the module writes, prism-host reads */
    PROV_HOLDS_DERIVATIVES /* prism-host writes */
} prov_holds_t;

typedef struct {
    char *name;
    prov_enc_t encryption;
    prov_holds_t holds;
    int existing;
} prov_bucket_t;

typedef struct {
    char *name;
    char *hash_key;
    char hash_type[2];
    char *range_key; /* NULL: none */
    char range_type[2];
    char *billing_mode; /* "PAY_PER_REQUEST" or "PROVISIONED" */
    long read_capacity;
    long write_capacity;
    prov_enc_t encryption; /* UNMANAGED or KMS */
    int existing;
    char *arn;
} prov_table_t;

typedef struct {
    char *stack; /* "stack", default PROV_STACK_DEFAULT */
    prov_topic_t *topics;
    size_t ntopics;
    prov_queue_t *queues;
    size_t nqueues;
    prov_subscription_t *subs;
    size_t nsubs;
    prov_bucket_t *buckets;
    size_t nbuckets;
    prov_table_t *tables;
    size_t ntables;
    char partition[16]; /* after prov_plan_resolve */
    char region[32];
    char account[32];
} prov_plan_t;

/* Parses a resources description (len bytes of JSON) into plan (zeroed
 * by the caller).  Checks the structure, value types and ranges, unknown
 * keys (keys starting with '_' are comments), duplicate names, that
 * every reference (dead_letter, a subscription's topic and queue) names
 * a resource of the file, dead-letter chains without cycles, and FIFO
 * consistency (.fifo names; a FIFO queue's DLQ and a FIFO topic's
 * queues are FIFO too), the stack name (1-64 of A-Z a-z 0-9 _ . -), and
 * that a resource marked "existing" gives only its name.  Returns 0, or -1 with a message naming the
 * offending entry in err (errlen bytes); plan is then freed. */
int prov_plan_parse(const char *text, size_t len, prov_plan_t *plan, char *err, size_t errlen);

/* Makes TYPES (NULL-terminated MIME types, at least one: a plugin's
 * accepted types) the filter policy of subscription S, on its
 * content_type message attribute: {"content_type":["image/jpeg",...]},
 * replacing any before.  Returns 0, or -1 with err set (no types, no
 * memory). */
int prov_plan_filter_types(prov_subscription_t *s, const char *const *types, char *err,
                           size_t errlen);

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

/* The tags up puts on what it creates: PROV_STACK_TAG = the stack name,
 * into out (must be empty).  Returns 0, or -1 when memory runs out. */
int prov_plan_tags(const prov_plan_t *plan, aws_attrs_t *out);

/* Returns 1 for attributes fixed at creation (FifoQueue, FifoTopic). */
int prov_attr_create_only(const char *name);

/* Returns 1 for the settable queue attributes that AWS's GetQueueAttributes
 * always reports (VisibilityTimeout, DelaySeconds, MessageRetentionPeriod,
 * MaximumMessageSize, ReceiveMessageWaitTimeSeconds, SqsManagedSseEnabled
 * and the FIFO settings): one missing from an answer was left out by the
 * endpoint, it is not unset.  0 for those reported only once set (Policy,
 * RedrivePolicy, KmsMasterKeyId ...). */
int prov_queue_attr_always_reported(const char *name);

/* Frees everything the plan owns and zeroes it. */
void prov_plan_free(prov_plan_t *plan);

/* ---- ownership and down's verdicts (provision_owner.c, pure) ------------- */

/* Returns whose a resource is from its tags (NULL: the endpoint does
 * not report them). */
prov_owner_t prov_owner(const aws_attrs_t *tags, const char *stack);

/* The owner of a subscription: this stack's when its topic or its queue
 * is, unknown when neither is and one is unknown, else none. */
prov_owner_t prov_owner_either(prov_owner_t topic, prov_owner_t queue);

/* Returns 1 when err says the endpoint does not implement a tag call
 * (InvalidAction, UnknownOperationException, NotImplemented,
 * UnsupportedOperation, or an answer of the wrong shape: AWS_ERR_PARSE). */
int prov_tags_unsupported(const aws_error_t *err);

typedef enum {
    PROV_DOWN_ABSENT = 0,
    PROV_DOWN_DELETE,          /* this stack's: deleted */
    PROV_DOWN_KEEP_EXISTING,   /* referenced as existing */
    PROV_DOWN_KEEP_FOREIGN,    /* untagged, or another stack's */
    PROV_DOWN_KEEP_UNVERIFIED, /* the endpoint does not report its tags */
    PROV_DOWN_KEEP_FORCE       /* this stack's, holds data: needs force */
} prov_verdict_t;

typedef struct {
    int exists;
    int existing; /* the file references it as existing */
    prov_owner_t owner;
    int holds_data; /* a table, a bucket with objects */
} prov_down_facts_t;

/* What down does with one resource. */
prov_verdict_t prov_down_verdict(const prov_down_facts_t *f, int force);

/* Formats why down keeps a resource of KIND ("topic", "queue",
 * "subscription", "bucket", "table") into out (len bytes); "" for
 * ABSENT and DELETE.  OTHER is the other stack's name (OWNER_OTHER). */
void prov_down_reason(const char *kind, prov_verdict_t v, prov_owner_t owner, const char *other,
                      const char *stack, char *out, size_t len);

/* Exit status of prism-provision down: 1 when a call failed (rc != 0)
 * or a resource was kept that could not be shown to be this stack's
 * (kept_unsure), else 3 when resources wait for --force (kept_force),
 * else 0. */
int prov_down_exit_status(int rc, int kept_unsure, int kept_force);

#define PROV_EXIT_KEPT_FORCE 3

/* ---- what a run found, for its users (provision_env.c, pure) ------------- */

/* Appends the resolved plan as sh assignments, one per line, to out:
 *   PRISM_ACCOUNT_ID, PRISM_REGION,
 *   PRISM_TOPIC_ARN_<NAME> per topic,
 *   PRISM_QUEUE_URL_<NAME> (when a run found it) and PRISM_QUEUE_ARN_<NAME>
 *   per queue,
 * NAME being the resource's name upper-cased with every character other
 * than A-Z 0-9 as '_'; values in single quotes.  Returns 0, or -1 when
 * memory runs out. */
int prov_env_format(const prov_plan_t *plan, aws_buf_t *out);

/* ---- least-privilege IAM policies (provision_policy.c, pure) ------------- */

typedef enum {
    PROV_ROLE_MODULE,   /* nginx with the module: store originals, publish uploads */
    PROV_ROLE_HOST,     /* prism-host: consume route queues, write derivatives */
    PROV_ROLE_PROVISION /* prism-provision up / show / down */
} prov_role_t;

/* Parses "module", "host" or "provision" into *role.  Returns 0, or -1. */
int prov_role_parse(const char *name, prov_role_t *role);

/* The IAM policy document ROLE needs on the resources of the resolved
 * PLAN (json_decref() it): one statement per set of actions
 * with the ARNs they apply to, and one per customer managed KMS key.  A
 * queue with a dead letter is a route's queue, a topic feeding one an
 * upload topic, any other topic a completion topic; a bucket's "holds"
 * says which role writes it.  Returns NULL with err set when memory runs
 * out. */
json_t *prov_policy(const prov_plan_t *plan, prov_role_t role, char *err, size_t errlen);

/* ---- runs (provision_run.c) ---------------------------------------------- */

/* Receives one line of report (no newline). */
typedef void (*prov_say_fn)(void *ud, const char *line);

typedef struct {
    aws_client_t *client;
    prov_plan_t *plan; /* parsed; resolved by prov_run_resolve */
    prov_say_fn say;
    void *ud;
    int force;          /* down: delete tables, and non-empty buckets with their objects */
    long table_wait_ms; /* up: how long to wait for a table to be ACTIVE (0: 120 s) */
    int changes;        /* out: what up / down changed */
    int warnings;       /* out: drift found but not changed */
    int kept_unsure;    /* out (down): kept, not shown to be this stack's */
    int kept_force;     /* out (down): kept, waiting for force */
} prov_run_t;

/* Learns the account (and partition) with STS GetCallerIdentity and
 * resolves the plan for the client's region.  Returns 0 or -1 with err
 * set. */
int prov_run_resolve(prov_run_t *r, aws_error_t *err);

/* up: topics, queues (dead-letter queues first), subscriptions,
 * buckets, tables; stops at the first failure.  Returns 0 or -1 with
 * err set. */
int prov_up(prov_run_t *r, aws_error_t *err);

/* down: looks up every resource of the plan and its tags, prints the
 * plan (what is deleted, what is kept and why), then deletes this
 * stack's subscriptions, topics, queues, buckets, tables (the last two
 * only with force when they hold data); goes on after a failure and
 * returns -1 with the first error in err.  Counts r->kept_unsure and
 * r->kept_force. */
int prov_down(prov_run_t *r, aws_error_t *err);

/* show: one line per resource with its ARN / URL and whether it exists. */
int prov_show(prov_run_t *r, aws_error_t *err);

/* Formats a line and hands it to r->say. */
void prov_say(prov_run_t *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
