/* Whose a resource is (its prism:stack tag) and what down does with it:
 * pure decisions, no I/O. */
#include "provision.h"

#include <stdio.h>
#include <string.h>

prov_owner_t prov_owner(const aws_attrs_t *tags, const char *stack)
{
    const char *v;

    if (tags == NULL) {
        return PROV_OWNER_UNKNOWN;
    }
    v = aws_attrs_get(tags, PROV_STACK_TAG);
    if (v == NULL) {
        return PROV_OWNER_NONE;
    }
    return strcmp(v, stack) == 0 ? PROV_OWNER_STACK : PROV_OWNER_OTHER;
}

prov_owner_t prov_owner_either(prov_owner_t topic, prov_owner_t queue)
{
    if (topic == PROV_OWNER_STACK || queue == PROV_OWNER_STACK) {
        return PROV_OWNER_STACK;
    }
    if (topic == PROV_OWNER_UNKNOWN || queue == PROV_OWNER_UNKNOWN) {
        return PROV_OWNER_UNKNOWN;
    }
    return PROV_OWNER_NONE;
}

int prov_tags_unsupported(const aws_error_t *err)
{
    return err->kind == AWS_ERR_PARSE || aws_error_is(err, "InvalidAction")
           || aws_error_is(err, "UnknownOperationException") || aws_error_is(err, "NotImplemented")
           || aws_error_is(err, "UnsupportedOperation");
}

prov_verdict_t prov_down_verdict(const prov_down_facts_t *f, int force)
{
    if (!f->exists) {
        return PROV_DOWN_ABSENT;
    }
    if (f->existing) {
        return PROV_DOWN_KEEP_EXISTING;
    }
    switch (f->owner) {
    case PROV_OWNER_STACK: return f->holds_data && !force ? PROV_DOWN_KEEP_FORCE : PROV_DOWN_DELETE;
    case PROV_OWNER_UNKNOWN: return PROV_DOWN_KEEP_UNVERIFIED;
    default: return PROV_DOWN_KEEP_FOREIGN;
    }
}

void prov_down_reason(const char *kind, prov_verdict_t v, prov_owner_t owner, const char *other,
                      const char *stack, char *out, size_t len)
{
    int sub = strcmp(kind, "subscription") == 0;

    switch (v) {
    case PROV_DOWN_KEEP_EXISTING:
        snprintf(out, len, "referenced as existing, not managed by this stack");
        break;
    case PROV_DOWN_KEEP_FOREIGN:
        if (owner == PROV_OWNER_OTHER) {
            snprintf(out, len, "tagged " PROV_STACK_TAG "=%s, another stack's",
                     other ? other : "?");
        } else {
            snprintf(out, len, "%s " PROV_STACK_TAG "=%s (this stack did not make it)",
                     sub ? "neither its topic nor its queue is tagged" : "not tagged", stack);
        }
        break;
    case PROV_DOWN_KEEP_UNVERIFIED:
        snprintf(out, len,
                 "the endpoint does not report %s tags, so it cannot be shown to be "
                 "this stack's",
                 sub ? "topic or queue" : kind);
        break;
    case PROV_DOWN_KEEP_FORCE:
        snprintf(out, len,
                 strcmp(kind, "table") == 0
                     ? "a table holds data: down --force deletes it"
                     : "not empty: down --force deletes its objects, then the %s",
                 kind);
        break;
    default:
        if (len > 0) {
            out[0] = '\0';
        }
    }
}

int prov_down_exit_status(int rc, int kept_unsure, int kept_force)
{
    if (rc != 0 || kept_unsure > 0) {
        return 1;
    }
    return kept_force > 0 ? PROV_EXIT_KEPT_FORCE : 0;
}
