/*
 * provision_steps — the per-kind steps of a provisioning run (internal
 * to aws/provision*.c).  Each "converge" step brings one kind of
 * resource in line with the plan when apply is 1 (prov_up), or only
 * reports what exists and what would change when apply is 0
 * (prov_show); each "remove" step deletes that kind (prov_down).
 * Steps report through prov_say and count r->changes / r->warnings.
 * They return 0, or -1 with err set.
 */
#ifndef AWS_PROVISION_STEPS_H
#define AWS_PROVISION_STEPS_H

#include "provision.h"

int prov_topics_converge(prov_run_t *r, int apply, aws_error_t *err);
int prov_topics_remove(prov_run_t *r, aws_error_t *err);

int prov_queues_converge(prov_run_t *r, int apply, aws_error_t *err);
int prov_queues_remove(prov_run_t *r, aws_error_t *err);

int prov_subscriptions_converge(prov_run_t *r, int apply, aws_error_t *err);
int prov_subscriptions_remove(prov_run_t *r, aws_error_t *err);

int prov_buckets_converge(prov_run_t *r, int apply, aws_error_t *err);
int prov_buckets_remove(prov_run_t *r, aws_error_t *err);

int prov_tables_converge(prov_run_t *r, int apply, aws_error_t *err);
int prov_tables_remove(prov_run_t *r, aws_error_t *err);

/* Reports that attribute ATTR of resource WHAT ("queue prism-webp")
 * changes (apply) or would change from HAVE (NULL: unset) to WANT;
 * long values are not repeated. */
void prov_say_attr(prov_run_t *r, const char *what, const char *attr, const char *want,
                   const char *have, int apply);

/* Reports err as "WHAT: <error line>" and returns -1 (err kept). */
int prov_say_error(prov_run_t *r, const char *what, const aws_error_t *err);

#endif
