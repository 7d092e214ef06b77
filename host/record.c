/*
 * record — build and send the image record's UpdateItems.  See record.h.
 */
#include "record.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dynamodb.h"
#include "imageinfo.h"

/* Longest UpdateExpression built here. */
#define UPDATE_MAX 1024

/* Adds "#NAME = if_not_exists(#NAME, :NAME)" for the attribute NAME with
 * the typed value V (taken over; NULL is an error) to U, the expression
 * growing in EXPR (UPDATE_MAX bytes).  Returns 0, or -1. */
static int
add_if_missing(host_record_update_t *u, char *expr, const char *name, json_t *v)
{
    char   hash[64], colon[64];
    size_t n = strlen(expr);

    if (v == NULL)
        return -1;
    snprintf(hash, sizeof(hash), "#%s", name);
    snprintf(colon, sizeof(colon), ":%s", name);
    if (json_object_set_new(u->values, colon, v) != 0
        || json_object_set_new(u->names, hash, json_string(name)) != 0)
        return -1;
    if (snprintf(expr + n, UPDATE_MAX - n, "%s%s = if_not_exists(%s, %s)", n == 0 ? "SET " : ", ",
                 hash, hash, colon) >= (int) (UPDATE_MAX - n))
        return -1;
    return 0;
}

/* Allocates U's names and values.  Returns 0, or -1. */
static int
update_init(host_record_update_t *u)
{
    memset(u, 0, sizeof(*u));
    u->names = json_object();
    u->values = json_object();
    return u->names != NULL && u->values != NULL ? 0 : -1;
}

int
host_record_originals_update(const host_event_t *ev, host_record_update_t *u, char *err,
                             size_t errlen)
{
    char expr[UPDATE_MAX] = "";
    int  rc;

    rc = update_init(u);
    if (rc == 0)
        rc = add_if_missing(u, expr, "routes", aws_ddb_m(json_object()));
    if (rc == 0 && ev->bucket != NULL)
        rc = add_if_missing(u, expr, "bucket", aws_ddb_s(ev->bucket));
    if (rc == 0 && ev->key != NULL)
        rc = add_if_missing(u, expr, "key", aws_ddb_s(ev->key));
    if (rc == 0 && ev->content_type != NULL)
        rc = add_if_missing(u, expr, "contentType", aws_ddb_s(ev->content_type));
    if (rc == 0 && ev->width > 0)
        rc = add_if_missing(u, expr, "width", aws_ddb_n_ll(ev->width));
    if (rc == 0 && ev->height > 0)
        rc = add_if_missing(u, expr, "height", aws_ddb_n_ll(ev->height));
    if (rc == 0 && ev->size >= 0)
        rc = add_if_missing(u, expr, "size", aws_ddb_n_ll(ev->size));
    if (rc == 0 && ev->sha256 != NULL)
        rc = add_if_missing(u, expr, "sha256", aws_ddb_s(ev->sha256));
    if (rc == 0 && ev->user_id != NULL)
        rc = add_if_missing(u, expr, "userId", aws_ddb_s(ev->user_id));
    if (rc == 0 && (u->update = strdup(expr)) == NULL)
        rc = -1;
    if (rc != 0) {
        snprintf(err, errlen, "building the record's original attributes: out of memory or "
                 "invalid UTF-8");
        host_record_update_free(u);
    }
    return rc;
}

/* Sets member NAME of the map M to the typed value V (taken over).
 * Returns 0, or -1 (V NULL, out of memory). */
static int
put(json_t *m, const char *name, json_t *v)
{
    return v != NULL && json_object_set_new(m, name, v) == 0 ? 0 : -1;
}

/* Returns the typed M value of one output reference, or NULL. */
static json_t *
output_value(const host_output_ref_t *o)
{
    json_t *m = json_object();

    if (m == NULL
        || put(m, "key", aws_ddb_s(o->key)) != 0
        || put(m, "size", aws_ddb_n_ll((long long) o->size)) != 0
        || put(m, "width", aws_ddb_n_ll(o->width)) != 0
        || put(m, "height", aws_ddb_n_ll(o->height)) != 0
        || put(m, "contentType", aws_ddb_s(o->content_type)) != 0) {
        json_decref(m);
        return NULL;
    }
    return aws_ddb_m(m);
}

/* Returns the typed M value of a route's result, or NULL. */
static json_t *
route_value(const host_route_result_t *res)
{
    json_t *m = json_object(), *list = json_array();
    int     rc = m != NULL && list != NULL ? 0 : -1;

    for (size_t i = 0; rc == 0 && i < res->noutputs; i++) {
        json_t *o = output_value(&res->outputs[i]);
        rc = o != NULL && json_array_append_new(list, o) == 0 ? 0 : -1;
    }
    if (rc == 0) {
        rc = put(m, "outputs", aws_ddb_l(list));
        list = NULL;
    }
    if (rc == 0)
        rc = put(m, "status", aws_ddb_s(res->ok ? "ok" : "rejected"))
             | put(m, "plugin", aws_ddb_s(res->plugin))
             | put(m, "pluginVersion", aws_ddb_s(res->plugin_version))
             | put(m, "at", aws_ddb_s(res->at))
             | put(m, "processingMs", aws_ddb_n_ll(res->processing_ms));
    if (rc == 0 && res->bucket != NULL)
        rc = put(m, "bucket", aws_ddb_s(res->bucket));
    if (rc == 0 && !res->ok)
        rc = put(m, "reason", aws_ddb_s(res->reason != NULL ? res->reason : ""));
    json_decref(list);
    if (rc != 0) {
        json_decref(m);
        return NULL;
    }
    return aws_ddb_m(m);
}

int
host_record_route_update(const host_route_result_t *res, host_record_update_t *u, char *err,
                         size_t errlen)
{
    int rc = update_init(u);

    if (rc == 0)
        rc = json_object_set_new(u->names, "#routes", json_string("routes"))
             | json_object_set_new(u->names, "#route", json_string(res->route))
             | put(u->values, ":route", route_value(res));
    if (rc == 0 && (u->update = strdup("SET #routes.#route = :route")) == NULL)
        rc = -1;
    if (rc != 0) {
        snprintf(err, errlen, "building the record of route %s: out of memory or invalid "
                 "UTF-8", res->route);
        host_record_update_free(u);
    }
    return rc;
}

void
host_record_update_free(host_record_update_t *u)
{
    free(u->update);
    json_decref(u->names);
    json_decref(u->values);
    memset(u, 0, sizeof(*u));
}

/* Sends one UpdateItem of U on KEY in TABLE.  Returns 0, or -1 with err
 * and *transient set (see host_record_write). */
static int
send_update(aws_client_t *aws, const char *table, const json_t *key,
            const host_record_update_t *u, int *transient, char *err, size_t errlen)
{
    aws_ddb_update_params_t p = {
        .table = table, .key = key, .update = u->update, .names = u->names, .values = u->values,
    };
    aws_error_t aerr;
    char        why[700];

    if (aws_ddb_update_item(aws, &p, NULL, &aerr) == 0)
        return 0;
    snprintf(err, errlen, "UpdateItem on %s: %s", table,
             aws_error_format(&aerr, why, sizeof(why)));
    *transient = aws_error_retryable(&aerr);
    return -1;
}

int
host_record_write(aws_client_t *aws, const char *table, const host_event_t *ev,
                  const host_route_result_t *res, int *transient, char *err, size_t errlen)
{
    host_record_update_t u;
    json_t              *key;
    int                  rc, ignored;

    if (transient == NULL)
        transient = &ignored;
    *transient = 0;
    key = json_pack("{s:o}", "imageId", aws_ddb_s(ev->image_id));
    if (key == NULL) {
        snprintf(err, errlen, "record key: out of memory or invalid imageId");
        return -1;
    }
    rc = host_record_originals_update(ev, &u, err, errlen);
    if (rc == 0) {
        rc = send_update(aws, table, key, &u, transient, err, errlen);
        host_record_update_free(&u);
    }
    if (rc == 0)
        rc = host_record_route_update(res, &u, err, errlen);
    if (rc == 0) {
        rc = send_update(aws, table, key, &u, transient, err, errlen);
        host_record_update_free(&u);
    }
    json_decref(key);
    return rc;
}

void
host_output_ref_probe(host_output_ref_t *ref, const void *data, size_t len)
{
    ii_info_t info;
    char      why[128];

    ref->width = ref->height = 0;
    if (ii_probe(data, len, &info, why, sizeof(why)) == II_OK) {
        ref->width = info.width;
        ref->height = info.height;
    }
}

void
host_iso8601_now(char *out, size_t outlen)
{
    struct timespec ts;
    struct tm       tm;
    char            base[32];

    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out, outlen, "%s.%03ldZ", base, ts.tv_nsec / 1000000);
}
