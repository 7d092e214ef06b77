/*
 * provision_env — what a provisioned stack's users need to reach it,
 * as sh assignments ("prism-provision up --write-env FILE"): the
 * account and region, every topic's ARN and every queue's URL and ARN,
 * so that configurations, scripts and tests take them from the run
 * instead of writing an account id down.
 */
#include <string.h>

#include "provision.h"

/* Appends NAME=VALUE to out as one sh line: PREFIX followed by SUFFIX
 * upper-cased with every character other than A-Z 0-9 as '_', VALUE in
 * single quotes (a quote in it as '\'').  Returns 0 or -1 (out of
 * memory). */
static int prov_env_line(aws_buf_t *out, const char *prefix, const char *suffix, const char *value)
{
    const char *p;
    char c;

    if (aws_buf_puts(out, prefix) != 0) {
        return -1;
    }
    for (p = suffix; *p != '\0'; p++) {
        c = *p >= 'a' && *p <= 'z' ? (char) (*p - 'a' + 'A') : *p;
        if (!(c >= 'A' && c <= 'Z') && !(c >= '0' && c <= '9')) {
            c = '_';
        }
        if (aws_buf_append(out, &c, 1) != 0) {
            return -1;
        }
    }
    if (aws_buf_puts(out, "='") != 0) {
        return -1;
    }
    for (p = value; *p != '\0'; p++) {
        if (*p == '\'' ? aws_buf_puts(out, "'\\''") != 0 : aws_buf_append(out, p, 1) != 0) {
            return -1;
        }
    }
    return aws_buf_puts(out, "'\n");
}

int prov_env_format(const prov_plan_t *plan, aws_buf_t *out)
{
    size_t i;

    if (prov_env_line(out, "PRISM_ACCOUNT_ID", "", plan->account) != 0
        || prov_env_line(out, "PRISM_REGION", "", plan->region) != 0) {
        return -1;
    }
    for (i = 0; i < plan->ntopics; i++) {
        if (prov_env_line(out, "PRISM_TOPIC_ARN_", plan->topics[i].name, plan->topics[i].arn)
            != 0) {
            return -1;
        }
    }
    for (i = 0; i < plan->nqueues; i++) {
        const prov_queue_t *q = &plan->queues[i];

        if ((q->url != NULL && prov_env_line(out, "PRISM_QUEUE_URL_", q->name, q->url) != 0)
            || prov_env_line(out, "PRISM_QUEUE_ARN_", q->name, q->arn) != 0) {
            return -1;
        }
    }
    return 0;
}
