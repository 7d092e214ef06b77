/*
 * provision_steps — the per-kind steps of a provisioning run (internal
 * to provision/provision*.c).  Each "converge" step brings one kind of
 * resource in line with the plan when apply is 1 (prov_up), or only
 * reports what exists and what would change when apply is 0
 * (prov_show); each "survey" step looks up resource I of that kind for
 * prov_down: whether it exists and whose it is (its tags), adding it to
 * down's list with a verdict and the function that deletes it.
 * Steps report through prov_say and count r->changes / r->warnings.
 * They return 0, or -1 with err set.
 */
#ifndef AWS_PROVISION_STEPS_H
#define AWS_PROVISION_STEPS_H

#include "provision.h"

/* ---- down's list (provision_down.c) ---- */

typedef struct prov_down_item prov_down_item_t;

/* Deletes the resource of it (its verdict is DELETE) and reports it.
 * Returns 0, or -1 with err set. */
typedef int (*prov_remove_fn)(prov_run_t *r, const prov_down_item_t *it, aws_error_t *err);

struct prov_down_item {
    const char *kind; /* "subscription", "topic", "queue", "bucket", "table" */
    char *name;       /* as reported: "prism-webp", "prism-uploads -> prism-webp" */
    char *handle;     /* what remove needs: an ARN, a queue URL, a name */
    prov_verdict_t verdict;
    char reason[256]; /* why it is kept */
    prov_remove_fn remove;
};

typedef struct {
    prov_down_item_t *items;
    size_t n;
} prov_down_list_t;

/* Adds one looked-up resource to l with its verdict for facts and
 * r->force; OTHER is the stack named by its tag when it is another's.
 * Returns 0, or -1 with err set (no memory). */
int prov_down_add(prov_run_t *r, prov_down_list_t *l, const char *kind, const char *name,
                  const char *handle, const prov_down_facts_t *facts, const char *other,
                  prov_remove_fn remove, aws_error_t *err);

/* Turns the outcome of a tag listing into an owner: rc 0 -> from tags
 * (*other: the stack its tag names, or NULL; points into tags); an
 * endpoint without the call -> UNKNOWN.  Returns 0, or -1 for any
 * other failure (err kept, reported as WHAT). */
int prov_owner_from_tags(prov_run_t *r, const char *what, int rc, const aws_attrs_t *tags,
                         const aws_error_t *err, prov_owner_t *owner, const char **other);

int prov_topics_converge(prov_run_t *r, int apply, aws_error_t *err);
int prov_topic_survey(prov_run_t *r, size_t i, prov_down_list_t *l, aws_error_t *err);

int prov_queues_converge(prov_run_t *r, int apply, aws_error_t *err);
int prov_queue_survey(prov_run_t *r, size_t i, prov_down_list_t *l, aws_error_t *err);

/* after topics and queues: uses their owners */
int prov_subscriptions_converge(prov_run_t *r, int apply, aws_error_t *err);
int prov_subscription_survey(prov_run_t *r, size_t i, prov_down_list_t *l, aws_error_t *err);

int prov_buckets_converge(prov_run_t *r, int apply, aws_error_t *err);
int prov_bucket_survey(prov_run_t *r, size_t i, prov_down_list_t *l, aws_error_t *err);

int prov_tables_converge(prov_run_t *r, int apply, aws_error_t *err);
int prov_table_survey(prov_run_t *r, size_t i, prov_down_list_t *l, aws_error_t *err);

/* Reports the look-up of a resource the file references as existing:
 * rc 0 -> "WHAT: existing, not managed by this stack"; else the error in
 * err, replaced by "referenced as existing but does not exist" when
 * MISSING (up and show need it).  Returns 0 or -1. */
int prov_say_existing(prov_run_t *r, const char *what, int rc, int missing, aws_error_t *err);

/* Reports that attribute ATTR of resource WHAT ("queue prism-webp")
 * changes (apply) or would change from HAVE (NULL: unset) to WANT;
 * long values are not repeated. */
void prov_say_attr(prov_run_t *r, const char *what, const char *attr, const char *want,
                   const char *have, int apply);

/* Reports err as "WHAT: <error line>" and returns -1 (err kept). */
int prov_say_error(prov_run_t *r, const char *what, const aws_error_t *err);

#endif
