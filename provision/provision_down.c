/* prism-provision down: look up every resource of the plan and whose it
 * is, print the plan (what is deleted, what is kept and why), then
 * delete this stack's resources in dependency order. */
#include "provision.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "provision_steps.h"

/* Kinds in deletion order: subscriptions before their topics and
 * queues, data (buckets, tables) last. */
static const char *const prov_down_order[] = { "subscription", "topic", "queue", "bucket",
                                               "table" };

#define PROV_NKINDS (sizeof(prov_down_order) / sizeof(prov_down_order[0]))

int prov_down_add(prov_run_t *r, prov_down_list_t *l, const char *kind, const char *name,
                  const char *handle, const prov_down_facts_t *facts, const char *other,
                  prov_remove_fn remove, aws_error_t *err)
{
    prov_down_item_t *items = realloc(l->items, (l->n + 1) * sizeof(*items)), *it;
    char *name_copy = strdup(name), *handle_copy = strdup(handle != NULL ? handle : "");

    if (items != NULL) {
        l->items = items;
    }
    if (items == NULL || name_copy == NULL || handle_copy == NULL) {
        free(name_copy);
        free(handle_copy);
        aws_error_set(err, AWS_ERR_NOMEM, "out of memory planning down");
        return -1;
    }
    it = &items[l->n++];
    memset(it, 0, sizeof(*it));
    it->kind = kind;
    it->name = name_copy;
    it->handle = handle_copy;
    it->remove = remove;
    it->verdict = prov_down_verdict(facts, r->force);
    prov_down_reason(kind, it->verdict, facts->owner, other, r->plan->stack, it->reason,
                     sizeof(it->reason));
    return 0;
}

int prov_owner_from_tags(prov_run_t *r, const char *what, int rc, const aws_attrs_t *tags,
                         const aws_error_t *err, prov_owner_t *owner, const char **other)
{
    *other = NULL;
    if (rc == 0) {
        *owner = prov_owner(tags, r->plan->stack);
        *other = aws_attrs_get(tags, PROV_STACK_TAG);
        return 0;
    }
    if (prov_tags_unsupported(err)) {
        *owner = PROV_OWNER_UNKNOWN;
        return 0;
    }
    return prov_say_error(r, what, err);
}

/* Frees the list. */
static void prov_down_list_free(prov_down_list_t *l)
{
    size_t i;

    for (i = 0; i < l->n; i++) {
        free(l->items[i].name);
        free(l->items[i].handle);
    }
    free(l->items);
    l->items = NULL;
    l->n = 0;
}

/* Prints the plan, kind by kind in deletion order, and counts what is
 * kept into r->kept_unsure / r->kept_force. */
static void prov_down_print(prov_run_t *r, const prov_down_list_t *l)
{
    const prov_down_item_t *it;
    size_t k, i;

    prov_say(r, "down plan for stack %s (resources tagged " PROV_STACK_TAG "=%s):", r->plan->stack,
             r->plan->stack);
    for (k = 0; k < PROV_NKINDS; k++) {
        for (i = 0; i < l->n; i++) {
            it = &l->items[i];
            if (strcmp(it->kind, prov_down_order[k]) != 0) {
                continue;
            }
            switch (it->verdict) {
            case PROV_DOWN_ABSENT: prov_say(r, "  absent %s %s", it->kind, it->name); break;
            case PROV_DOWN_DELETE: prov_say(r, "  delete %s %s", it->kind, it->name); break;
            default:
                prov_say(r, "  keep %s %s: %s", it->kind, it->name, it->reason);
                r->kept_force += it->verdict == PROV_DOWN_KEEP_FORCE;
                r->kept_unsure += it->verdict == PROV_DOWN_KEEP_FOREIGN
                                  || it->verdict == PROV_DOWN_KEEP_UNVERIFIED;
            }
        }
    }
}

int prov_down(prov_run_t *r, aws_error_t *err)
{
    /* topics and queues before the subscriptions that use their owners */
    const struct {
        int (*survey)(prov_run_t *, size_t, prov_down_list_t *, aws_error_t *);
        size_t n;
    } kinds[] = {
        { prov_topic_survey, r->plan->ntopics },      { prov_queue_survey, r->plan->nqueues },
        { prov_subscription_survey, r->plan->nsubs }, { prov_bucket_survey, r->plan->nbuckets },
        { prov_table_survey, r->plan->ntables },
    };
    prov_down_list_t list = { NULL, 0 };
    aws_error_t step;
    char what[512];
    size_t i, k;
    int rc = 0, kept;

    r->changes = r->warnings = r->kept_unsure = r->kept_force = 0;
    aws_error_clear(err);
    for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
        for (i = 0; i < kinds[k].n; i++) {
            if (kinds[k].survey(r, i, &list, &step) != 0 && rc == 0) {
                *err = step;
                rc = -1;
            }
        }
    }
    prov_down_print(r, &list);
    for (k = 0; k < PROV_NKINDS; k++) {
        for (i = 0; i < list.n; i++) {
            if (list.items[i].verdict != PROV_DOWN_DELETE
                || strcmp(list.items[i].kind, prov_down_order[k]) != 0) {
                continue;
            }
            snprintf(what, sizeof(what), "%s %s", list.items[i].kind, list.items[i].name);
            if (list.items[i].remove(r, &list.items[i], &step) != 0) {
                prov_say_error(r, what, &step);
                if (rc == 0) {
                    *err = step;
                    rc = -1;
                }
                continue;
            }
            prov_say(r, "%s: deleted", what);
            r->changes++;
        }
    }
    kept = r->kept_unsure + r->kept_force;
    prov_say(r,
             "down: %d deletion%s, %d kept (%d waiting for --force, %d not shown to be this "
             "stack's)%s",
             r->changes, r->changes == 1 ? "" : "s", kept, r->kept_force, r->kept_unsure,
             rc != 0 ? ", some calls failed" : "");
    prov_down_list_free(&list);
    return rc;
}
