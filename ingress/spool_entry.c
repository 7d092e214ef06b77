/*
 * spool_entry — the outbox spool's files as JSON (see spool_entry.h).
 */
#include "spool_entry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

char *ing_spool_encode(const ing_spool_entry_t *e, char *err, size_t errlen)
{
    json_t *root, *attrs;
    char *text, *line;
    size_t i, len;

    if (e->nattrs > ING_SPOOL_ATTRS_MAX) {
        snprintf(err, errlen, "spool entry: more than %d attributes", ING_SPOOL_ATTRS_MAX);
        return NULL;
    }

    root = json_pack("{s:i, s:s, s:s, s:s*, s:s*, s:s, s:s, s:s, s:I, s:s, s:I, s:s, s:s*}",
                     "version", ING_SPOOL_VERSION, "topicArn", e->topic_arn, "message", e->message,
                     "messageGroupId", e->group_id, "deduplicationId", e->dedup_id, "imageId",
                     e->image_id, "key", e->key, "requestId", e->request_id, "journaledAt",
                     (json_int_t) e->journaled, "bucket", e->bucket ? e->bucket : "", "size",
                     (json_int_t) e->size, "sha256", e->sha256 ? e->sha256 : "", "localPath",
                     e->local_path);
    if (root == NULL) {
        snprintf(err, errlen, "spool entry: a field is missing or not UTF-8");
        return NULL;
    }

    attrs = json_array();
    if (json_object_set_new(root, "attributes", attrs) != 0
        || (e->resolve_after
            && json_object_set_new(root, "resolveAfter",
                                   json_integer((json_int_t) e->resolve_after))
                   != 0)) {
        goto nomem;
    }

    for (i = 0; i < e->nattrs; i++) {
        if (json_array_append_new(attrs,
                                  json_pack("{s:s, s:s, s:s}", "name", e->attrs[i].name, "type",
                                            e->attrs[i].type, "value", e->attrs[i].value))
            != 0) {
            goto nomem;
        }
    }

    text = json_dumps(root, JSON_COMPACT);
    json_decref(root);
    if (text == NULL) {
        snprintf(err, errlen, "spool entry: out of memory");
        return NULL;
    }

    len = strlen(text);
    line = realloc(text, len + 2);
    if (line == NULL) {
        free(text);
        snprintf(err, errlen, "spool entry: out of memory");
        return NULL;
    }
    line[len] = '\n';
    line[len + 1] = '\0';
    return line;

nomem:
    json_decref(root);
    snprintf(err, errlen, "spool entry: out of memory, or an attribute is incomplete");
    return NULL;
}

int ing_spool_decode(const char *buf, size_t len, ing_spool_entry_t *e, char *err, size_t errlen)
{
    json_t *root, *attrs;
    json_int_t version, journaled, size, resolve;
    json_error_t jerr;
    size_t i;

    memset(e, 0, sizeof(*e));

    root = json_loadb(buf, len, 0, &jerr);
    if (root == NULL) {
        snprintf(err, errlen, "is not JSON: %s", jerr.text);
        return -1;
    }

    e->image_id = "";
    e->bucket = "";
    e->sha256 = "";
    size = 0;
    resolve = 0;

    if (json_unpack_ex(root, &jerr, 0,
                       "{s:I, s:s, s:s, s?s, s?s, s:o, s:s, s:s, s:I,"
                       " s?s, s?s, s?I, s?s, s?s, s?I}",
                       "version", &version, "topicArn", &e->topic_arn, "message", &e->message,
                       "messageGroupId", &e->group_id, "deduplicationId", &e->dedup_id,
                       "attributes", &attrs, "key", &e->key, "requestId", &e->request_id,
                       "journaledAt", &journaled, "imageId", &e->image_id, "bucket", &e->bucket,
                       "size", &size, "sha256", &e->sha256, "localPath", &e->local_path,
                       "resolveAfter", &resolve)
        != 0) {
        snprintf(err, errlen, "is not an outbox entry: %s", jerr.text);
        goto failed;
    }

    if (version != ING_SPOOL_VERSION) {
        snprintf(err, errlen, "has an unknown version %lld", (long long) version);
        goto failed;
    }

    if (!json_is_array(attrs) || json_array_size(attrs) > ING_SPOOL_ATTRS_MAX) {
        snprintf(err, errlen, "has more than %d attributes, or no list of them",
                 ING_SPOOL_ATTRS_MAX);
        goto failed;
    }

    for (i = 0; i < json_array_size(attrs); i++) {
        if (json_unpack_ex(json_array_get(attrs, i), &jerr, 0, "{s:s, s:s, s:s}", "name",
                           &e->attrs[i].name, "type", &e->attrs[i].type, "value",
                           &e->attrs[i].value)
            != 0) {
            snprintf(err, errlen, "has a bad attribute: %s", jerr.text);
            goto failed;
        }
    }

    e->nattrs = json_array_size(attrs);
    e->journaled = (int64_t) journaled;
    e->size = (int64_t) size;
    e->resolve_after = (int64_t) resolve;
    e->doc = root;
    return 0;

failed:
    json_decref(root);
    memset(e, 0, sizeof(*e));
    return -1;
}

void ing_spool_entry_free(ing_spool_entry_t *e)
{
    json_decref(e->doc);
    e->doc = NULL;
}

int ing_spool_intent_check(const ing_spool_entry_t *e, char *err, size_t errlen)
{
    size_t i;

    if (e->resolve_after <= 0) {
        snprintf(err, errlen, "is an intent without resolveAfter");
        return -1;
    }
    if (e->image_id[0] == '\0' || e->size <= 0) {
        snprintf(err, errlen, "is an intent without its image id or size");
        return -1;
    }
    for (i = 0; e->sha256[i]; i++) {
        if (!((e->sha256[i] >= '0' && e->sha256[i] <= '9')
              || (e->sha256[i] >= 'a' && e->sha256[i] <= 'f'))) {
            break;
        }
    }
    if (i != 64 || e->sha256[i] != '\0') {
        snprintf(err, errlen, "is an intent without a SHA-256");
        return -1;
    }
    if (e->bucket[0] == '\0' && (e->local_path == NULL || e->local_path[0] == '\0')) {
        snprintf(err, errlen, "is an intent without a bucket or local path");
        return -1;
    }
    return 0;
}
