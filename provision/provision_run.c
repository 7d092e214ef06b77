/* Provisioning runs: resolving the account, and up / down / show in
 * dependency order. */
#include "provision.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "provision_steps.h"
#include "sts.h"

/* Values longer than this are reported by name only (policies). */
#define PROV_SAY_MAX_VALUE 48

void prov_say(prov_run_t *r, const char *fmt, ...)
{
    char line[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    if (r->say != NULL) {
        r->say(r->ud, line);
    }
}

void prov_say_attr(prov_run_t *r, const char *what, const char *attr, const char *want,
                   const char *have, int apply)
{
    const char *verb = apply ? "set" : "would be set";

    if (strlen(want) > PROV_SAY_MAX_VALUE || (have != NULL && strlen(have) > PROV_SAY_MAX_VALUE)) {
        prov_say(r, "%s: %s %s", what, attr, apply ? "updated" : "would be updated");
    } else {
        prov_say(r, "%s: %s %s to %s (was %s)", what, attr, verb, want, have ? have : "unset");
    }
}

int prov_say_error(prov_run_t *r, const char *what, const aws_error_t *err)
{
    char line[768];

    prov_say(r, "%s: %s", what, aws_error_format(err, line, sizeof(line)));
    return -1;
}

int prov_say_existing(prov_run_t *r, const char *what, int rc, int missing, aws_error_t *err)
{
    if (rc == 0) {
        prov_say(r, "%s: existing, not managed by this stack", what);
        return 0;
    }
    if (missing) {
        aws_error_set(err, AWS_ERR_CONFIG, "%s is referenced as existing but does not exist", what);
    }
    return prov_say_error(r, what, err);
}

int prov_run_resolve(prov_run_t *r, aws_error_t *err)
{
    aws_sts_identity_t id;
    char partition[16] = "", msg[256];

    if (aws_sts_get_caller_identity(r->client, &id, err) != 0) {
        return prov_say_error(r, "account (STS GetCallerIdentity)", err);
    }
    if (strncmp(id.arn, "arn:", 4) == 0) {
        snprintf(partition, sizeof(partition), "%.*s", (int) strcspn(id.arn + 4, ":"), id.arn + 4);
    }
    if (prov_plan_resolve(r->plan, partition, aws_client_region(r->client), id.account, msg,
                          sizeof(msg))
        != 0) {
        aws_error_set(err, AWS_ERR_CONFIG, "%s", msg);
        return -1;
    }
    prov_say(r, "account %s, region %s, partition %s", r->plan->account, r->plan->region,
             r->plan->partition);
    return 0;
}

int prov_up(prov_run_t *r, aws_error_t *err)
{
    r->changes = r->warnings = 0;
    if (prov_topics_converge(r, 1, err) != 0 || prov_queues_converge(r, 1, err) != 0
        || prov_subscriptions_converge(r, 1, err) != 0 || prov_buckets_converge(r, 1, err) != 0
        || prov_tables_converge(r, 1, err) != 0) {
        prov_say(r, "up: failed after %d change%s", r->changes, r->changes == 1 ? "" : "s");
        return -1;
    }
    if (r->changes == 0) {
        prov_say(r, "up: no changes, every resource is in place%s",
                 r->warnings ? " (see the warnings above)" : "");
    } else {
        prov_say(r, "up: %d change%s", r->changes, r->changes == 1 ? "" : "s");
    }
    return 0;
}

int prov_show(prov_run_t *r, aws_error_t *err)
{
    r->changes = r->warnings = 0;
    if (prov_topics_converge(r, 0, err) != 0 || prov_queues_converge(r, 0, err) != 0
        || prov_subscriptions_converge(r, 0, err) != 0 || prov_buckets_converge(r, 0, err) != 0
        || prov_tables_converge(r, 0, err) != 0) {
        return -1;
    }
    prov_say(r, "show: %d pending change%s", r->changes, r->changes == 1 ? "" : "s");
    return 0;
}
