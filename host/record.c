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
static int add_if_missing(host_record_update_t *u, char *expr, const char *name, json_t *v)
{
    char hash[64], colon[64];
    size_t n = strlen(expr);

    if (v == NULL)
        return -1;
    snprintf(hash, sizeof(hash), "#%s", name);
    snprintf(colon, sizeof(colon), ":%s", name);
    if (json_object_set_new(u->values, colon, v) != 0
        || json_object_set_new(u->names, hash, json_string(name)) != 0)
        return -1;
    if (snprintf(expr + n, UPDATE_MAX - n, "%s%s = if_not_exists(%s, %s)", n == 0 ? "SET " : ", ",
                 hash, hash, colon)
        >= (int) (UPDATE_MAX - n))
        return -1;
    return 0;
}

/* Allocates U's names and values.  Returns 0, or -1. */
static int update_init(host_record_update_t *u)
{
    memset(u, 0, sizeof(*u));
    u->names = json_object();
    u->values = json_object();
    return u->names != NULL && u->values != NULL ? 0 : -1;
}

int host_record_originals_update(const host_event_t *ev, host_record_update_t *u, char *err,
                                 size_t errlen)
{
    ing_record_original_t o = {
        .bucket = ev->bucket,
        .key = ev->key,
        .content_type = ev->content_type,
        .width = ev->width,
        .height = ev->height,
        .size = ev->size,
        .sha256 = ev->sha256,
        .user_id = ev->user_id,
    };
    char expr[UPDATE_MAX] = "";
    json_t *attrs = NULL, *v;
    const char *name;
    int rc;

    rc = update_init(u);
    if (rc == 0 && (attrs = ing_record_original_attrs(&o)) == NULL)
        rc = -1;
    if (rc == 0) {
        json_object_foreach(attrs, name, v)
        {
            if (rc == 0)
                rc = add_if_missing(u, expr, name, json_incref(v));
        }
    }
    json_decref(attrs);
    if (rc == 0 && (u->update = strdup(expr)) == NULL)
        rc = -1;
    if (rc != 0) {
        snprintf(err, errlen,
                 "building the record's original attributes: out of memory or "
                 "invalid UTF-8");
        host_record_update_free(u);
    }
    return rc;
}

int host_record_route_update(const host_route_result_t *res, host_record_update_t *u, char *err,
                             size_t errlen)
{
    json_t *value = NULL;
    int rc = update_init(u);

    if (rc == 0 && (value = ing_record_route_value(res)) == NULL)
        rc = -1;
    if (rc == 0)
        rc = json_object_set_new(u->names, "#routes", json_string(ING_RECORD_ROUTES))
             | json_object_set_new(u->names, "#route", json_string(res->route))
             | json_object_set_new(u->values, ":route", value);
    if (rc == 0 && (u->update = strdup("SET #routes.#route = :route")) == NULL)
        rc = -1;
    if (rc != 0) {
        snprintf(err, errlen,
                 "building the record of route %s: out of memory or invalid "
                 "UTF-8",
                 res->route);
        host_record_update_free(u);
    }
    return rc;
}

void host_record_update_free(host_record_update_t *u)
{
    free(u->update);
    json_decref(u->names);
    json_decref(u->values);
    memset(u, 0, sizeof(*u));
}

/* Sends one UpdateItem of U on KEY in TABLE.  Returns 0, or -1 with err
 * and *transient set (see host_record_write). */
static int send_update(aws_client_t *aws, const char *table, const json_t *key,
                       const host_record_update_t *u, int *transient, char *err, size_t errlen)
{
    aws_ddb_update_params_t p = {
        .table = table,
        .key = key,
        .update = u->update,
        .names = u->names,
        .values = u->values,
    };
    aws_error_t aerr;
    char why[700];

    if (aws_ddb_update_item(aws, &p, NULL, &aerr) == 0)
        return 0;
    snprintf(err, errlen, "UpdateItem on %s: %s", table, aws_error_format(&aerr, why, sizeof(why)));
    *transient = aws_error_retryable(&aerr);
    return -1;
}

int host_record_write(aws_client_t *aws, const char *table, const host_event_t *ev,
                      const host_route_result_t *res, int *transient, char *err, size_t errlen)
{
    host_record_update_t u;
    json_t *key;
    int rc, ignored;

    if (transient == NULL)
        transient = &ignored;
    *transient = 0;
    key = ing_record_key(ev->image_id);
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

void host_output_ref_probe(host_output_ref_t *ref, const void *data, size_t len)
{
    ii_info_t info;
    char why[128];

    ref->width = ref->height = 0;
    if (ii_probe(data, len, &info, why, sizeof(why)) == II_OK) {
        ref->width = info.width;
        ref->height = info.height;
    }
}

void host_iso8601_now(char *out, size_t outlen)
{
    struct timespec ts;
    struct tm tm;
    char base[32];

    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out, outlen, "%s.%03ldZ", base, ts.tv_nsec / 1000000);
}
