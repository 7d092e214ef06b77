/* Provisioning DynamoDB tables: create and wait until ACTIVE, check the
 * key schema, report billing and encryption drift, delete. */
#include "provision.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#include "dynamodb_admin.h"
#include "provision_steps.h"

#define PROV_TABLE_WAIT_MS 120000

/* Sleeps ms milliseconds (signals do not shorten it). */
static void prov_sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

/* Polls DescribeTable until the table is ACTIVE, at most r->table_wait_ms
 * (100 ms, doubling to 2 s between looks).  Returns 0, or -1 with err. */
static int prov_table_wait(prov_run_t *r, const prov_table_t *t, aws_ddb_table_info_t *info,
                           aws_error_t *err)
{
    long budget = r->table_wait_ms > 0 ? r->table_wait_ms : PROV_TABLE_WAIT_MS, waited = 0,
         delay = 100;

    while (strcmp(info->status, "ACTIVE") != 0) {
        if (waited >= budget) {
            aws_error_set(err, AWS_ERR_TIMEOUT, "table %s still %s after %ld ms", t->name,
                          info->status, waited);
            return -1;
        }
        prov_sleep_ms(delay);
        waited += delay;
        delay = delay * 2 > 2000 ? 2000 : delay * 2;
        if (aws_ddb_describe_table(r->client, t->name, info, err) != 0) {
            return -1;
        }
    }
    return 0;
}

/* Reports drift of an existing table: a different key schema is an
 * error (a table's keys never change); billing mode and encryption are
 * warnings (changing them is an UpdateTable decision left to the
 * operator). */
static int prov_table_check(prov_run_t *r, const prov_table_t *t, const aws_ddb_table_info_t *info,
                            aws_error_t *err)
{
    char what[300];

    snprintf(what, sizeof(what), "table %s", t->name);
    if (strcmp(info->hash_key, t->hash_key) != 0 || strcmp(info->hash_type, t->hash_type) != 0
        || strcmp(info->range_key, t->range_key ? t->range_key : "") != 0
        || (t->range_key != NULL && strcmp(info->range_type, t->range_type) != 0)) {
        aws_error_set(err, AWS_ERR_CONFIG,
                      "table %s has key %s (%s)%s%s, the plan says %s (%s)%s%s;"
                      " keys cannot change: migrate to a new table",
                      t->name, info->hash_key, info->hash_type, info->range_key[0] ? " + " : "",
                      info->range_key, t->hash_key, t->hash_type, t->range_key ? " + " : "",
                      t->range_key ? t->range_key : "");
        return prov_say_error(r, what, err);
    }
    if (strcmp(info->billing_mode, t->billing_mode) != 0) {
        prov_say(r, "%s: warning: billing mode is %s, the plan says %s (not changed)", what,
                 info->billing_mode, t->billing_mode);
        r->warnings++;
    }
    if (t->encryption.kind == PROV_ENC_KMS && strcmp(info->sse_type, "KMS") != 0) {
        prov_say(r, "%s: warning: not encrypted with KMS as the plan says (not changed)", what);
        r->warnings++;
    }
    prov_say(r, "%s: in place (%s, %s)", what, info->arn[0] ? info->arn : t->arn, info->status);
    return 0;
}

/* Reads back the tags of a table up just created (ARN): an endpoint
 * that ignored Tags on CreateTable gets them with TagResource, one that
 * does not keep tags at all is a warning (down will keep the table).
 * Returns 0, or -1 with err set. */
static int prov_table_tag(prov_run_t *r, const char *what, const char *arn, const aws_attrs_t *tags,
                          aws_error_t *err)
{
    aws_attrs_t have = AWS_ATTRS_INIT;
    int rc = 0;

    if (aws_ddb_list_tags(r->client, arn, &have, err) != 0) {
        if (!prov_tags_unsupported(err)) {
            return prov_say_error(r, what, err);
        }
        prov_say(r,
                 "%s: warning: the endpoint does not report table tags; down will keep this "
                 "table",
                 what);
        r->warnings++;
    } else if (prov_owner(&have, r->plan->stack) != PROV_OWNER_STACK) {
        if (aws_ddb_tag_resource(r->client, arn, tags, err) != 0) {
            rc = prov_say_error(r, what, err);
        } else {
            prov_say(r,
                     "%s: warning: the endpoint ignored Tags on CreateTable; tagged with "
                     "TagResource",
                     what);
            r->warnings++;
        }
    }
    aws_attrs_free(&have);
    return rc;
}

/* Converges one table. */
static int prov_table_converge(prov_run_t *r, const prov_table_t *t, int apply, aws_error_t *err)
{
    aws_attrs_t tags = AWS_ATTRS_INIT;
    aws_ddb_table_spec_t spec = {
        t->name,
        t->hash_key,
        t->hash_type,
        t->range_key,
        t->range_key ? t->range_type : NULL,
        t->billing_mode,
        t->read_capacity,
        t->write_capacity,
        t->encryption.kind == PROV_ENC_KMS,
        t->encryption.kms_key_id,
        &tags,
    };
    aws_ddb_table_info_t info;
    char what[300];
    int rc;

    snprintf(what, sizeof(what), "table %s", t->name);
    rc = aws_ddb_describe_table(r->client, t->name, &info, err);
    if (t->existing) {
        return prov_say_existing(r, what, rc, rc != 0 && aws_ddb_error_is_not_found(err), err);
    }
    if (rc == 0) {
        if (apply && prov_table_wait(r, t, &info, err) != 0) {
            return prov_say_error(r, what, err);
        }
        return prov_table_check(r, t, &info, err);
    }
    if (!aws_ddb_error_is_not_found(err)) {
        return prov_say_error(r, what, err);
    }
    r->changes++;
    if (!apply) {
        prov_say(r, "%s: missing, would be created (key %s %s, %s)", what, t->hash_key,
                 t->hash_type, t->billing_mode);
        return 0;
    }
    if (prov_plan_tags(r->plan, &tags) != 0) {
        aws_error_set(err, AWS_ERR_NOMEM, "out of memory planning %s", what);
        return -1;
    }
    if (aws_ddb_create_table(r->client, &spec, &info, err) != 0
        || prov_table_wait(r, t, &info, err) != 0) {
        aws_attrs_free(&tags);
        return prov_say_error(r, what, err);
    }
    prov_say(r, "%s: created (%s, key %s %s, %s), ACTIVE", what, info.arn[0] ? info.arn : t->arn,
             t->hash_key, t->hash_type, t->billing_mode);
    rc = prov_table_tag(r, what, info.arn[0] ? info.arn : t->arn, &tags, err);
    aws_attrs_free(&tags);
    return rc;
}

int prov_tables_converge(prov_run_t *r, int apply, aws_error_t *err)
{
    size_t i;

    for (i = 0; i < r->plan->ntables; i++) {
        if (prov_table_converge(r, &r->plan->tables[i], apply, err) != 0) {
            return -1;
        }
    }
    return 0;
}

/* prov_remove_fn: DeleteTable. */
static int prov_table_remove(prov_run_t *r, const prov_down_item_t *it, aws_error_t *err)
{
    return aws_ddb_delete_table(r->client, it->handle, NULL, err);
}

/* A table of this stack always holds data: it waits for force. */
int prov_table_survey(prov_run_t *r, size_t i, prov_down_list_t *l, aws_error_t *err)
{
    const prov_table_t *t = &r->plan->tables[i];
    aws_attrs_t tags = AWS_ATTRS_INIT;
    prov_down_facts_t f = { 1, t->existing, PROV_OWNER_NONE, 1 };
    aws_ddb_table_info_t info;
    const char *other = NULL;
    char what[300];
    int rc = 0;

    snprintf(what, sizeof(what), "table %s", t->name);
    if (aws_ddb_describe_table(r->client, t->name, &info, err) != 0) {
        if (!aws_ddb_error_is_not_found(err)) {
            return prov_say_error(r, what, err);
        }
        f.exists = 0;
    } else if (!t->existing) {
        rc = prov_owner_from_tags(
            r, what, aws_ddb_list_tags(r->client, info.arn[0] ? info.arn : t->arn, &tags, err),
            &tags, err, &f.owner, &other);
    }
    if (rc == 0) {
        rc = prov_down_add(r, l, "table", t->name, t->name, &f, other, prov_table_remove, err);
    }
    aws_attrs_free(&tags);
    return rc;
}
