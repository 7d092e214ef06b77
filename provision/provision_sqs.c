/* Provisioning SQS queues: create, converge attributes (RedrivePolicy,
 * Policy, encryption ...), delete; dead-letter queues before the queues
 * that use them. */
#include "provision.h"

#include <stdlib.h>
#include <string.h>

#include "provision_steps.h"
#include "sqs.h"
#include "sqs_admin.h"

#define PROV_URL_MAX 1024

/* Takes the queue's real ARN from its attributes: warns when it is not
 * the planned one (the endpoint's account or region differs) and uses
 * the real one from then on.  Returns 0 or -1 (ENOMEM). */
static int prov_queue_check_arn(prov_run_t *r, prov_queue_t *q, const aws_sqs_queue_attrs_t *have)
{
    const char *arn = aws_sqs_queue_attr(have, "QueueArn");
    char *copy;

    if (arn == NULL || strcmp(arn, q->arn) == 0) {
        return 0;
    }
    prov_say(r, "queue %s: warning: its ARN is %s, not %s as planned", q->name, arn, q->arn);
    r->warnings++;
    if ((copy = strdup(arn)) == NULL) {
        return -1;
    }
    free(q->arn);
    q->arn = copy;
    return 0;
}

/* Reads back the attributes just set (CHANGE) on the queue at URL and
 * warns, naming them, about those the endpoint does not report: up
 * cannot tell whether they are in place (those AWS always reports are
 * then not set again; the others, absent also when unset, are).
 * Returns 0 or -1 with err. */
static int prov_queue_read_back(prov_run_t *r, const char *what, const char *url,
                                const aws_attrs_t *change, aws_error_t *err)
{
    aws_sqs_queue_attrs_t back = AWS_SQS_QUEUE_ATTRS_INIT;
    aws_buf_t missing = AWS_BUF_INIT;
    const char *names[64];
    size_t i, n = 0;
    int rc = 0, nmissing;

    for (i = 0; i < change->n && n < sizeof(names) / sizeof(names[0]); i++) {
        names[n++] = change->items[i].name;
    }
    if (aws_sqs_get_attributes(r->client, url, names, n, &back, err) != 0) {
        return prov_say_error(r, what, err);
    }
    nmissing = aws_sqs_attrs_missing(&back, names, n, &missing);
    if (nmissing < 0) {
        aws_error_set(err, AWS_ERR_NOMEM, "out of memory");
        rc = -1;
    } else if (nmissing > 0) {
        prov_say(r,
                 "%s: warning: could not read back %s: the endpoint's GetQueueAttributes "
                 "does not report what up just set, so up cannot check it",
                 what, missing.data);
        r->warnings++;
    }
    aws_buf_free(&missing);
    aws_sqs_queue_attrs_free(&back);
    return rc;
}

/* Compares an existing queue's attributes with the plan and sets the
 * differing ones (apply, then reads them back) or reports them.
 * Returns 0 or -1 with err. */
static int prov_queue_update(prov_run_t *r, prov_queue_t *q, const char *url, int apply,
                             aws_error_t *err)
{
    aws_sqs_queue_attrs_t have = AWS_SQS_QUEUE_ATTRS_INIT;
    aws_attrs_t want = AWS_ATTRS_INIT, change = AWS_ATTRS_INIT;
    aws_buf_t unreported = AWS_BUF_INIT;
    const char *h;
    char what[128];
    size_t i;
    int rc = -1;

    snprintf(what, sizeof(what), "queue %s", q->name);
    if (aws_sqs_get_attributes(r->client, url, NULL, 0, &have, err) != 0) {
        return prov_say_error(r, what, err);
    }
    if (prov_queue_check_arn(r, q, &have) != 0 || prov_queue_attributes(r->plan, q, &want) != 0) {
        aws_error_set(err, AWS_ERR_NOMEM, "out of memory planning queue %s", q->name);
        goto done;
    }
    for (i = 0; i < want.n; i++) {
        h = aws_sqs_queue_attr(&have, want.items[i].name);
        if (prov_attr_equal(want.items[i].value, h)) {
            continue;
        }
        if (h == NULL && prov_queue_attr_always_reported(want.items[i].name)) {
            /* left out by the endpoint, not unset: setting it again cannot help */
            if (aws_buf_printf(&unreported, "%s%s", unreported.len ? ", " : "", want.items[i].name)
                != 0) {
                aws_error_set(err, AWS_ERR_NOMEM, "out of memory");
                goto done;
            }
            continue;
        }
        if (prov_attr_create_only(want.items[i].name)) {
            aws_error_set(err, AWS_ERR_CONFIG,
                          "queue %s: %s is fixed at creation (delete the "
                          "queue and run up again)",
                          q->name, want.items[i].name);
            prov_say_error(r, what, err);
            goto done;
        }
        prov_say_attr(r, what, want.items[i].name, want.items[i].value, h, apply);
        if (aws_attrs_set(&change, want.items[i].name, want.items[i].value) != 0) {
            aws_error_set(err, AWS_ERR_NOMEM, "out of memory");
            goto done;
        }
    }
    if (unreported.len > 0) {
        prov_say(r,
                 "%s: warning: could not read back %s: the endpoint's GetQueueAttributes "
                 "leaves out what AWS always reports, so up cannot check it and does not set "
                 "it again",
                 what, unreported.data);
        r->warnings++;
    }
    r->changes += (int) change.n;
    if (change.n == 0) {
        prov_say(r, "%s: in place (%s)", what, url);
    } else if (apply
               && (aws_sqs_set_queue_attributes(r->client, url, &change, err) != 0
                       ? prov_say_error(r, what, err)
                       : prov_queue_read_back(r, what, url, &change, err))
                      != 0) {
        goto done;
    }
    rc = 0;
done:
    aws_buf_free(&unreported);
    aws_sqs_queue_attrs_free(&have);
    aws_attrs_free(&want);
    aws_attrs_free(&change);
    return rc;
}

/* Creates a missing queue with all its attributes (apply) or reports it. */
static int prov_queue_create(prov_run_t *r, prov_queue_t *q, char *url, int apply, aws_error_t *err)
{
    aws_attrs_t want = AWS_ATTRS_INIT, tags = AWS_ATTRS_INIT;
    char what[128];
    int rc;

    snprintf(what, sizeof(what), "queue %s", q->name);
    r->changes++;
    if (!apply) {
        prov_say(r, "%s: missing, would be created (%s)%s%s", what, q->arn,
                 q->dead_letter ? " with dead-letter queue " : "",
                 q->dead_letter ? q->dead_letter : "");
        return 0;
    }
    if (prov_queue_attributes(r->plan, q, &want) != 0 || prov_plan_tags(r->plan, &tags) != 0) {
        aws_attrs_free(&want);
        aws_error_set(err, AWS_ERR_NOMEM, "out of memory planning queue %s", q->name);
        return -1;
    }
    rc = aws_sqs_create_queue(r->client, q->name, &want, &tags, url, PROV_URL_MAX, err);
    aws_attrs_free(&want);
    aws_attrs_free(&tags);
    if (rc != 0) {
        if (aws_error_is(err, "QueueDeletedRecently")
            || aws_error_is(err, "AWS.SimpleQueueService.QueueDeletedRecently")) {
            prov_say(r, "%s: deleted less than 60 s ago; SQS refuses the name until then", what);
        }
        return prov_say_error(r, what, err);
    }
    prov_say(r, "%s: created (%s)", what, url);
    return 0;
}

/* Converges one queue and remembers its URL in q->url. */
static int prov_queue_converge(prov_run_t *r, prov_queue_t *q, int apply, aws_error_t *err)
{
    char url[PROV_URL_MAX], what[128];
    int rc;

    snprintf(what, sizeof(what), "queue %s", q->name);
    rc = aws_sqs_get_queue_url(r->client, q->name, url, sizeof(url), err);
    if (q->existing) {
        return prov_say_existing(r, what, rc, rc != 0 && aws_sqs_error_is_no_queue(err), err);
    }
    if (rc == 0) {
        if ((q->url == NULL || strcmp(q->url, url) != 0)) {
            free(q->url);
            if ((q->url = strdup(url)) == NULL) {
                aws_error_set(err, AWS_ERR_NOMEM, "out of memory");
                return -1;
            }
        }
        return prov_queue_update(r, q, url, apply, err);
    }
    if (!aws_sqs_error_is_no_queue(err)) {
        return prov_say_error(r, what, err);
    }
    if (prov_queue_create(r, q, url, apply, err) != 0) {
        return -1;
    }
    if (apply && (q->url = strdup(url)) == NULL) {
        aws_error_set(err, AWS_ERR_NOMEM, "out of memory");
        return -1;
    }
    return 0;
}

int prov_queues_converge(prov_run_t *r, int apply, aws_error_t *err)
{
    prov_plan_t *p = r->plan;
    unsigned char *done = calloc(p->nqueues ? p->nqueues : 1, 1);
    const prov_queue_t *dl;
    size_t i, pass, left = p->nqueues;
    int rc = 0;

    if (done == NULL) {
        aws_error_set(err, AWS_ERR_NOMEM, "out of memory");
        return -1;
    }
    /* a queue after its dead-letter queue: at most nqueues passes (no cycles: checked) */
    for (pass = 0; rc == 0 && left > 0 && pass < p->nqueues; pass++) {
        for (i = 0; rc == 0 && i < p->nqueues; i++) {
            dl = p->queues[i].dead_letter ? prov_plan_queue(p, p->queues[i].dead_letter) : NULL;
            if (done[i] || (dl != NULL && !done[dl - p->queues])) {
                continue;
            }
            rc = prov_queue_converge(r, &p->queues[i], apply, err);
            done[i] = 1;
            left--;
        }
    }
    free(done);
    return rc;
}

/* prov_remove_fn: DeleteQueue. */
static int prov_queue_remove(prov_run_t *r, const prov_down_item_t *it, aws_error_t *err)
{
    return aws_sqs_delete_queue(r->client, it->handle, err);
}

int prov_queue_survey(prov_run_t *r, size_t i, prov_down_list_t *l, aws_error_t *err)
{
    prov_queue_t *q = &r->plan->queues[i];
    aws_attrs_t tags = AWS_ATTRS_INIT;
    prov_down_facts_t f = { 1, q->existing, PROV_OWNER_NONE, 0 };
    const char *other = NULL;
    char url[PROV_URL_MAX] = "", what[128];
    int rc = 0;

    snprintf(what, sizeof(what), "queue %s", q->name);
    if (aws_sqs_get_queue_url(r->client, q->name, url, sizeof(url), err) != 0) {
        if (!aws_sqs_error_is_no_queue(err)) {
            return prov_say_error(r, what, err);
        }
        f.exists = 0;
    } else if (!q->existing) {
        rc = prov_owner_from_tags(r, what, aws_sqs_list_queue_tags(r->client, url, &tags, err),
                                  &tags, err, &f.owner, &other);
    }
    q->owner = f.existing ? PROV_OWNER_NONE : f.owner;
    if (rc == 0) {
        rc = prov_down_add(r, l, "queue", q->name, url, &f, other, prov_queue_remove, err);
    }
    aws_attrs_free(&tags);
    return rc;
}
