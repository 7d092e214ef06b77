/*
 * image_record — the image record's names and values.  See image_record.h.
 */
#include "image_record.h"

#include <string.h>

#include "dynamodb.h"

json_t *ing_record_key(const char *image_id)
{
    return json_pack("{s:o}", ING_RECORD_IMAGE_ID, aws_ddb_s(image_id));
}

/* Sets member NAME of the object M to the typed value V (taken over).
 * Returns 0, or -1 (V NULL, out of memory). */
static int put(json_t *m, const char *name, json_t *v)
{
    if (v == NULL) {
        return -1;
    }
    return json_object_set_new(m, name, v) == 0 ? 0 : -1;
}

json_t *ing_record_original_attrs(const ing_record_original_t *o)
{
    json_t *m = json_object();
    int rc = m != NULL ? 0 : -1;

    if (rc == 0) {
        rc = put(m, ING_RECORD_ROUTES, aws_ddb_m(json_object()));
    }
    if (rc == 0 && o->bucket != NULL) {
        rc = put(m, ING_RECORD_BUCKET, aws_ddb_s(o->bucket));
    }
    if (rc == 0 && o->key != NULL) {
        rc = put(m, ING_RECORD_KEY, aws_ddb_s(o->key));
    }
    if (rc == 0 && o->content_type != NULL) {
        rc = put(m, ING_RECORD_CONTENT_TYPE, aws_ddb_s(o->content_type));
    }
    if (rc == 0 && o->width > 0) {
        rc = put(m, ING_RECORD_WIDTH, aws_ddb_n_ll(o->width));
    }
    if (rc == 0 && o->height > 0) {
        rc = put(m, ING_RECORD_HEIGHT, aws_ddb_n_ll(o->height));
    }
    if (rc == 0 && o->size >= 0) {
        rc = put(m, ING_RECORD_SIZE, aws_ddb_n_ll(o->size));
    }
    if (rc == 0 && o->sha256 != NULL) {
        rc = put(m, ING_RECORD_SHA256, aws_ddb_s(o->sha256));
    }
    if (rc == 0 && o->user_id != NULL) {
        rc = put(m, ING_RECORD_USER_ID, aws_ddb_s(o->user_id));
    }
    if (rc != 0) {
        json_decref(m);
        return NULL;
    }
    return m;
}

/* Returns the typed M value of one output, or NULL. */
static json_t *output_value(const ing_record_output_t *o)
{
    json_t *m = json_object();

    if (m == NULL || put(m, ING_RECORD_KEY, aws_ddb_s(o->key)) != 0
        || put(m, ING_RECORD_SIZE, aws_ddb_n_ll((long long) o->size)) != 0
        || put(m, ING_RECORD_WIDTH, aws_ddb_n_ll(o->width)) != 0
        || put(m, ING_RECORD_HEIGHT, aws_ddb_n_ll(o->height)) != 0
        || put(m, ING_RECORD_CONTENT_TYPE, aws_ddb_s(o->content_type)) != 0) {
        json_decref(m);
        return NULL;
    }
    return aws_ddb_m(m);
}

json_t *ing_record_route_value(const ing_record_route_t *r)
{
    json_t *m = json_object(), *list = json_array();
    int rc = m != NULL && list != NULL ? 0 : -1;
    size_t i;

    for (i = 0; rc == 0 && i < r->noutputs; i++) {
        json_t *o = output_value(&r->outputs[i]);

        rc = o != NULL && json_array_append_new(list, o) == 0 ? 0 : -1;
    }
    if (rc == 0) {
        rc = put(m, ING_RECORD_OUTPUTS, aws_ddb_l(list));
        list = NULL;
    }
    if (rc == 0) {
        rc = put(m, ING_RECORD_STATUS,
                 aws_ddb_s(r->ok ? ING_RECORD_STATUS_OK : ING_RECORD_STATUS_REJECTED))
             | put(m, ING_RECORD_PLUGIN, aws_ddb_s(r->plugin))
             | put(m, ING_RECORD_PLUGIN_VERSION, aws_ddb_s(r->plugin_version))
             | put(m, ING_RECORD_AT, aws_ddb_s(r->at))
             | put(m, ING_RECORD_PROCESSING_MS, aws_ddb_n_ll(r->processing_ms));
    }
    if (rc == 0 && r->bucket != NULL) {
        rc = put(m, ING_RECORD_BUCKET, aws_ddb_s(r->bucket));
    }
    if (rc == 0 && !r->ok) {
        rc = put(m, ING_RECORD_REASON, aws_ddb_s(r->reason != NULL ? r->reason : ""));
    }
    json_decref(list);
    if (rc != 0) {
        json_decref(m);
        return NULL;
    }
    return aws_ddb_m(m);
}

const char *ing_record_owner(const json_t *item, size_t *len)
{
    json_t *owner = json_object_get(json_object_get(item, ING_RECORD_USER_ID), "S");

    if (!json_is_string(owner)) {
        return NULL;
    }
    *len = json_string_length(owner);
    return json_string_value(owner);
}

int ing_record_outputs(json_t *record, ing_record_output_pt handler, void *data)
{
    json_t *routes, *route, *outputs, *output;
    const char *name, *key, *bucket, *route_bucket, *record_bucket;
    size_t i;

    routes = json_object_get(record, ING_RECORD_ROUTES);
    if (!json_is_object(routes)) {
        return 0;
    }
    record_bucket = json_string_value(json_object_get(record, ING_RECORD_BUCKET));

    json_object_foreach(routes, name, route)
    {
        outputs = json_object_get(route, ING_RECORD_OUTPUTS);
        if (!json_is_array(outputs)) {
            continue;
        }
        route_bucket = json_string_value(json_object_get(route, ING_RECORD_BUCKET));
        if (route_bucket == NULL) {
            route_bucket = record_bucket;
        }
        json_array_foreach(outputs, i, output)
        {
            key = json_string_value(json_object_get(output, ING_RECORD_KEY));
            if (key == NULL) {
                continue;
            }
            bucket = json_string_value(json_object_get(output, ING_RECORD_BUCKET));
            if (handler(output, bucket != NULL ? bucket : route_bucket, key, data) != 0) {
                return -1;
            }
        }
    }
    return 0;
}
