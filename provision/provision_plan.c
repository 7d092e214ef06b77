/* The provisioning plan: parsing and checking the resources file,
 * binding it to an account, and the attributes each resource must have.
 * Pure: no I/O except prov_plan_load reading the file. */
#include "provision.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#define PROV_MAX_FILE (1024 * 1024)

/* Formats a message into err and returns -1. */
static int prov_fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int prov_fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

/* Returns 1 when name ends with ".fifo". */
static int prov_is_fifo(const char *name)
{
    size_t n = strlen(name);

    return n > 5 && strcmp(name + n - 5, ".fifo") == 0;
}

/* Checks that every key of obj is in allowed (NULL-terminated) or
 * starts with '_' (a comment).  Returns 0 or -1 with err set. */
static int prov_check_keys(const json_t *obj, const char *const *allowed, const char *where,
                           char *err, size_t errlen)
{
    const char *key;
    json_t *v;
    size_t i;

    json_object_foreach((json_t *) obj, key, v)
    {
        (void) v;
        for (i = 0; allowed[i] != NULL && strcmp(allowed[i], key) != 0; i++) {
        }
        if (allowed[i] == NULL && key[0] != '_') {
            return prov_fail(err, errlen, "%s: unknown key \"%s\"", where, key);
        }
    }
    return 0;
}

/* Copies the string member KEY of obj into *out (NULL when absent and
 * optional).  Returns 0 or -1 with err set (absent and required, not a
 * non-empty string, no memory). */
static int prov_string(const json_t *obj, const char *key, int required, char **out,
                       const char *where, char *err, size_t errlen)
{
    json_t *v = json_object_get(obj, key);

    *out = NULL;
    if (v == NULL && !required) {
        return 0;
    }
    if (!json_is_string(v) || json_string_length(v) == 0) {
        return prov_fail(err, errlen, "%s: \"%s\" must be a non-empty string", where, key);
    }
    if ((*out = strdup(json_string_value(v))) == NULL) {
        return prov_fail(err, errlen, "out of memory");
    }
    return 0;
}

/* Reads the integer member KEY of obj in [lo, hi] into *out (def when
 * absent).  Returns 0 or -1 with err set. */
static int prov_long(const json_t *obj, const char *key, long lo, long hi, long def, long *out,
                     const char *where, char *err, size_t errlen)
{
    json_t *v = json_object_get(obj, key);

    *out = def;
    if (v == NULL) {
        return 0;
    }
    if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi) {
        return prov_fail(err, errlen, "%s: \"%s\" must be an integer in %ld..%ld", where, key, lo,
                         hi);
    }
    *out = (long) json_integer_value(v);
    return 0;
}

/* Returns a newly allocated AWS attribute string for a JSON value:
 * strings as they are, integers in decimal, booleans as "true"/"false",
 * objects and arrays as compact JSON (a Policy given inline); NULL for
 * null, reals and on ENOMEM. */
static char *prov_attr_string(const json_t *v)
{
    char num[32];

    switch (json_typeof(v)) {
    case JSON_STRING: return strdup(json_string_value(v));
    case JSON_INTEGER:
        snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        return strdup(num);
    case JSON_TRUE: return strdup("true");
    case JSON_FALSE: return strdup("false");
    case JSON_OBJECT:
    case JSON_ARRAY: return json_dumps(v, JSON_COMPACT);
    default: return NULL;
    }
}

/* Parses the optional "attributes" object of obj into attrs.  Returns
 * 0 or -1 with err set. */
static int prov_attrs(const json_t *obj, aws_attrs_t *attrs, const char *where, char *err,
                      size_t errlen)
{
    json_t *map = json_object_get(obj, "attributes"), *v;
    const char *key;
    char *s;
    int rc;

    if (map == NULL) {
        return 0;
    }
    if (!json_is_object(map)) {
        return prov_fail(err, errlen, "%s: \"attributes\" must be an object", where);
    }
    json_object_foreach(map, key, v)
    {
        if ((s = prov_attr_string(v)) == NULL) {
            return prov_fail(err, errlen,
                             "%s: attribute %s must be a string, integer, boolean "
                             "or JSON document",
                             where, key);
        }
        rc = aws_attrs_set(attrs, key, s);
        free(s);
        if (rc != 0) {
            return prov_fail(err, errlen, "out of memory");
        }
    }
    return 0;
}

/* Encryption settings each kind of resource accepts. */
#define PROV_ENC_ALLOW_SQS    (1 << PROV_ENC_SQS_MANAGED)
#define PROV_ENC_ALLOW_AES256 (1 << PROV_ENC_AES256)
#define PROV_ENC_ALLOW_KMS    (1 << PROV_ENC_KMS)

/* Parses an encryption string ("sqs-managed", "AES256", "kms",
 * "kms:KEY") into enc, if its kind is in allow.  Returns 0 or -1 with
 * err set. */
static int prov_enc_parse(const json_t *v, unsigned allow, prov_enc_t *enc, const char *where,
                          char *err, size_t errlen)
{
    const char *s = json_string_value(v);

    enc->kind = PROV_ENC_UNMANAGED;
    enc->kms_key_id = NULL;
    if (s == NULL) {
        return prov_fail(err, errlen, "%s: \"encryption\" must be a string", where);
    }
    if (strcmp(s, "sqs-managed") == 0) {
        enc->kind = PROV_ENC_SQS_MANAGED;
    } else if (strcmp(s, "AES256") == 0) {
        enc->kind = PROV_ENC_AES256;
    } else if (strcmp(s, "kms") == 0) {
        enc->kind = PROV_ENC_KMS;
    } else if (strncmp(s, "kms:", 4) == 0 && s[4] != '\0') {
        enc->kind = PROV_ENC_KMS;
        if ((enc->kms_key_id = strdup(s + 4)) == NULL) {
            return prov_fail(err, errlen, "out of memory");
        }
    }
    if (enc->kind == PROV_ENC_UNMANAGED || !(allow & (1u << enc->kind))) {
        free(enc->kms_key_id);
        enc->kms_key_id = NULL;
        enc->kind = PROV_ENC_UNMANAGED;
        return prov_fail(err, errlen, "%s: encryption \"%s\" is not one of %s%s%s", where, s,
                         allow & PROV_ENC_ALLOW_SQS ? "\"sqs-managed\", " : "",
                         allow & PROV_ENC_ALLOW_AES256 ? "\"AES256\", " : "",
                         "\"kms\", \"kms:KEY-ID\"");
    }
    return 0;
}

/* Sets enc from obj's own "encryption", else from the file's default
 * def.  Returns 0 or -1 with err set. */
static int prov_enc(const json_t *obj, const prov_enc_t *def, unsigned allow, prov_enc_t *enc,
                    const char *where, char *err, size_t errlen)
{
    json_t *v = json_object_get(obj, "encryption");

    if (v != NULL) {
        return prov_enc_parse(v, allow, enc, where, err, errlen);
    }
    enc->kind = def->kind;
    enc->kms_key_id = NULL;
    if (def->kms_key_id != NULL && (enc->kms_key_id = strdup(def->kms_key_id)) == NULL) {
        return prov_fail(err, errlen, "out of memory");
    }
    return 0;
}

/* The file's default encryption per kind of resource. */
typedef struct {
    prov_enc_t topics, queues, buckets, tables;
} prov_enc_defaults_t;

/* Parses the top-level "encryption" object.  Returns 0 or -1. */
static int prov_enc_defaults(const json_t *root, prov_enc_defaults_t *d, char *err, size_t errlen)
{
    static const char *const keys[] = { "topics", "queues", "buckets", "tables", NULL };
    json_t *e = json_object_get(root, "encryption"), *v;

    memset(d, 0, sizeof(*d));
    if (e == NULL) {
        return 0;
    }
    if (!json_is_object(e) || prov_check_keys(e, keys, "encryption", err, errlen) != 0) {
        return json_is_object(e) ? -1 : prov_fail(err, errlen, "\"encryption\" must be an object");
    }
    if (((v = json_object_get(e, "topics")) != NULL
         && prov_enc_parse(v, PROV_ENC_ALLOW_KMS, &d->topics, "encryption.topics", err, errlen)
                != 0)
        || ((v = json_object_get(e, "queues")) != NULL
            && prov_enc_parse(v, PROV_ENC_ALLOW_SQS | PROV_ENC_ALLOW_KMS, &d->queues,
                              "encryption.queues", err, errlen)
                   != 0)
        || ((v = json_object_get(e, "buckets")) != NULL
            && prov_enc_parse(v, PROV_ENC_ALLOW_AES256 | PROV_ENC_ALLOW_KMS, &d->buckets,
                              "encryption.buckets", err, errlen)
                   != 0)
        || ((v = json_object_get(e, "tables")) != NULL
            && prov_enc_parse(v, PROV_ENC_ALLOW_KMS, &d->tables, "encryption.tables", err, errlen)
                   != 0)) {
        return -1;
    }
    return 0;
}

/* Frees the defaults' key ids. */
static void prov_enc_defaults_free(prov_enc_defaults_t *d)
{
    free(d->topics.kms_key_id);
    free(d->queues.kms_key_id);
    free(d->buckets.kms_key_id);
    free(d->tables.kms_key_id);
}

/* Returns the array member KEY of root (NULL when absent) with its size
 * in *n, or sets err when it is not an array of objects. */
static int prov_list(const json_t *root, const char *key, json_t **list, size_t *n, char *err,
                     size_t errlen)
{
    json_t *v;
    size_t i;

    *list = json_object_get(root, key);
    *n = json_array_size(*list);
    if (*list == NULL) {
        return 0;
    }
    if (!json_is_array(*list)) {
        return prov_fail(err, errlen, "\"%s\" must be an array", key);
    }
    json_array_foreach(*list, i, v)
    {
        if (!json_is_object(v)) {
            return prov_fail(err, errlen, "%s[%zu] must be an object", key, i);
        }
    }
    return 0;
}

/* The keys an existing resource may give: it is only referenced. */
static const char *const prov_existing_keys[] = { "name", "existing", NULL };

/* Reads the optional boolean "existing" of obj into *existing; an
 * existing resource is only referenced, so it gives nothing but the
 * KEYS (its name, and what only describes it).  Returns 0 or -1 with err
 * set. */
static int prov_existing(const json_t *obj, const char *const *keys, int *existing,
                         const char *where, char *err, size_t errlen)
{
    json_t *v = json_object_get(obj, "existing");

    *existing = 0;
    if (v == NULL) {
        return 0;
    }
    if (!json_is_boolean(v)) {
        return prov_fail(err, errlen, "%s: \"existing\" must be true or false", where);
    }
    *existing = json_is_true(v);
    if (*existing && prov_check_keys(obj, keys, where, err, errlen) != 0) {
        return prov_fail(err, errlen,
                         "%s: an existing resource gives only its name (it is "
                         "referenced, never created or changed)",
                         where);
    }
    return 0;
}

/* Parses "topics". */
static int prov_parse_topics(const json_t *root, const prov_enc_defaults_t *d, prov_plan_t *p,
                             char *err, size_t errlen)
{
    static const char *const keys[] = { "name", "attributes", "encryption", "existing", NULL };
    json_t *list, *t;
    char where[64];
    size_t i, n;

    if (prov_list(root, "topics", &list, &n, err, errlen) != 0) {
        return -1;
    }
    if (n > 0 && (p->topics = calloc(n, sizeof(*p->topics))) == NULL) {
        return prov_fail(err, errlen, "out of memory");
    }
    json_array_foreach(list, i, t)
    {
        prov_topic_t *topic = &p->topics[p->ntopics++];
        snprintf(where, sizeof(where), "topics[%zu]", i);
        if (prov_check_keys(t, keys, where, err, errlen) != 0
            || prov_existing(t, prov_existing_keys, &topic->existing, where, err, errlen) != 0
            || prov_string(t, "name", 1, &topic->name, where, err, errlen) != 0
            || prov_attrs(t, &topic->attributes, where, err, errlen) != 0
            || prov_enc(t, &d->topics, PROV_ENC_ALLOW_KMS, &topic->encryption, where, err, errlen)
                   != 0) {
            return -1;
        }
    }
    return 0;
}

/* Parses "queues". */
static int prov_parse_queues(const json_t *root, const prov_enc_defaults_t *d, prov_plan_t *p,
                             char *err, size_t errlen)
{
    static const char *const keys[] = { "name",        "attributes", "encryption",
                                        "dead_letter", "existing",   NULL };
    static const char *const dl_keys[] = { "queue", "max_receive_count", NULL };
    json_t *list, *q, *dl;
    char where[64];
    size_t i, n;
    long count;

    if (prov_list(root, "queues", &list, &n, err, errlen) != 0) {
        return -1;
    }
    if (n > 0 && (p->queues = calloc(n, sizeof(*p->queues))) == NULL) {
        return prov_fail(err, errlen, "out of memory");
    }
    json_array_foreach(list, i, q)
    {
        prov_queue_t *queue = &p->queues[p->nqueues++];
        snprintf(where, sizeof(where), "queues[%zu]", i);
        if (prov_check_keys(q, keys, where, err, errlen) != 0
            || prov_existing(q, prov_existing_keys, &queue->existing, where, err, errlen) != 0
            || prov_string(q, "name", 1, &queue->name, where, err, errlen) != 0
            || prov_attrs(q, &queue->attributes, where, err, errlen) != 0
            || prov_enc(q, &d->queues, PROV_ENC_ALLOW_SQS | PROV_ENC_ALLOW_KMS, &queue->encryption,
                        where, err, errlen)
                   != 0) {
            return -1;
        }
        if ((dl = json_object_get(q, "dead_letter")) == NULL) {
            continue;
        }
        snprintf(where, sizeof(where), "queues[%zu].dead_letter", i);
        if (!json_is_object(dl)) {
            return prov_fail(err, errlen, "%s must be an object", where);
        }
        if (aws_attrs_get(&queue->attributes, "RedrivePolicy") != NULL) {
            return prov_fail(err, errlen,
                             "queues[%zu]: give dead_letter or the RedrivePolicy "
                             "attribute, not both",
                             i);
        }
        if (prov_check_keys(dl, dl_keys, where, err, errlen) != 0
            || prov_string(dl, "queue", 1, &queue->dead_letter, where, err, errlen) != 0
            || prov_long(dl, "max_receive_count", 1, 1000, 3, &count, where, err, errlen) != 0) {
            return -1;
        }
        queue->max_receive_count = (int) count;
    }
    return 0;
}

/* Parses "subscriptions". */
static int prov_parse_subscriptions(const json_t *root, prov_plan_t *p, char *err, size_t errlen)
{
    static const char *const keys[] = { "topic",
                                        "queue",
                                        "raw_message_delivery",
                                        "filter_policy",
                                        "filter_policy_scope",
                                        "filter_from_plugin",
                                        NULL };
    json_t *list, *s, *raw, *fp;
    char where[64];
    size_t i, n;

    if (prov_list(root, "subscriptions", &list, &n, err, errlen) != 0) {
        return -1;
    }
    if (n > 0 && (p->subs = calloc(n, sizeof(*p->subs))) == NULL) {
        return prov_fail(err, errlen, "out of memory");
    }
    json_array_foreach(list, i, s)
    {
        prov_subscription_t *sub = &p->subs[p->nsubs++];
        snprintf(where, sizeof(where), "subscriptions[%zu]", i);
        if (prov_check_keys(s, keys, where, err, errlen) != 0
            || prov_string(s, "topic", 1, &sub->topic, where, err, errlen) != 0
            || prov_string(s, "queue", 1, &sub->queue, where, err, errlen) != 0
            || prov_string(s, "filter_policy_scope", 0, &sub->filter_policy_scope, where, err,
                           errlen)
                   != 0
            || prov_string(s, "filter_from_plugin", 0, &sub->filter_from_plugin, where, err, errlen)
                   != 0) {
            return -1;
        }
        raw = json_object_get(s, "raw_message_delivery");
        if (raw != NULL && !json_is_boolean(raw)) {
            return prov_fail(err, errlen, "%s: \"raw_message_delivery\" must be true or false",
                             where);
        }
        sub->raw = json_is_true(raw);
        fp = json_object_get(s, "filter_policy");
        if (fp != NULL) {
            if (!json_is_object(fp) || json_object_size(fp) == 0) {
                return prov_fail(err, errlen, "%s: \"filter_policy\" must be a non-empty object",
                                 where);
            }
            if ((sub->filter_policy = json_dumps(fp, JSON_COMPACT)) == NULL) {
                return prov_fail(err, errlen, "out of memory");
            }
        }
        if (sub->filter_from_plugin != NULL && fp != NULL) {
            return prov_fail(err, errlen,
                             "%s: give \"filter_policy\" or \"filter_from_plugin\", "
                             "not both",
                             where);
        }
        if (sub->filter_from_plugin != NULL && sub->filter_policy_scope != NULL
            && strcmp(sub->filter_policy_scope, "MessageAttributes") != 0) {
            return prov_fail(err, errlen,
                             "%s: \"filter_from_plugin\" filters on the content_type "
                             "message attribute: \"filter_policy_scope\" must be "
                             "MessageAttributes",
                             where);
        }
        if (sub->filter_policy_scope != NULL
            && strcmp(sub->filter_policy_scope, "MessageAttributes") != 0
            && strcmp(sub->filter_policy_scope, "MessageBody") != 0) {
            return prov_fail(err, errlen,
                             "%s: \"filter_policy_scope\" must be MessageAttributes "
                             "or MessageBody",
                             where);
        }
    }
    return 0;
}

/* Reads the optional "holds" of bucket B ("originals" or "derivatives")
 * into *holds.  Returns 0 or -1 with err set. */
static int prov_bucket_holds(const json_t *b, prov_holds_t *holds, const char *where, char *err,
                             size_t errlen)
{
    const char *v = json_string_value(json_object_get(b, "holds"));

    *holds = PROV_HOLDS_ANY;
    if (json_object_get(b, "holds") == NULL) {
        return 0;
    }
    if (v != NULL && strcmp(v, "originals") == 0) {
        *holds = PROV_HOLDS_ORIGINALS;
    } else if (v != NULL && strcmp(v, "derivatives") == 0) {
        *holds = PROV_HOLDS_DERIVATIVES;
    } else {
        return prov_fail(err, errlen, "%s: \"holds\" must be \"originals\" or \"derivatives\"",
                         where);
    }
    return 0;
}

/* Parses "buckets". */
static int prov_parse_buckets(const json_t *root, const prov_enc_defaults_t *d, prov_plan_t *p,
                              char *err, size_t errlen)
{
    static const char *const keys[] = { "name", "encryption", "existing", "holds", NULL };
    static const char *const existing_keys[] = { "name", "existing", "holds", NULL };
    json_t *list, *b;
    char where[64];
    size_t i, n;

    if (prov_list(root, "buckets", &list, &n, err, errlen) != 0) {
        return -1;
    }
    if (n > 0 && (p->buckets = calloc(n, sizeof(*p->buckets))) == NULL) {
        return prov_fail(err, errlen, "out of memory");
    }
    json_array_foreach(list, i, b)
    {
        prov_bucket_t *bucket = &p->buckets[p->nbuckets++];
        snprintf(where, sizeof(where), "buckets[%zu]", i);
        if (prov_check_keys(b, keys, where, err, errlen) != 0
            || prov_existing(b, existing_keys, &bucket->existing, where, err, errlen) != 0
            || prov_string(b, "name", 1, &bucket->name, where, err, errlen) != 0
            || prov_bucket_holds(b, &bucket->holds, where, err, errlen) != 0
            || prov_enc(b, &d->buckets, PROV_ENC_ALLOW_AES256 | PROV_ENC_ALLOW_KMS,
                        &bucket->encryption, where, err, errlen)
                   != 0) {
            return -1;
        }
    }
    return 0;
}

/* Parses a table key {"name": N, "type": "S"|"N"|"B"} into *name/type. */
static int prov_table_key(const json_t *t, const char *key, int required, char **name, char type[2],
                          const char *where, char *err, size_t errlen)
{
    static const char *const keys[] = { "name", "type", NULL };
    json_t *k = json_object_get(t, key);
    const char *ty;
    char kwhere[96];

    *name = NULL;
    if (k == NULL && !required) {
        return 0;
    }
    snprintf(kwhere, sizeof(kwhere), "%s.%s", where, key);
    if (!json_is_object(k)) {
        return prov_fail(err, errlen, "%s must be an object {\"name\", \"type\"}", kwhere);
    }
    ty = json_string_value(json_object_get(k, "type"));
    if (prov_check_keys(k, keys, kwhere, err, errlen) != 0
        || prov_string(k, "name", 1, name, kwhere, err, errlen) != 0) {
        return -1;
    }
    if (ty == NULL || (strcmp(ty, "S") != 0 && strcmp(ty, "N") != 0 && strcmp(ty, "B") != 0)) {
        return prov_fail(err, errlen, "%s.type must be \"S\", \"N\" or \"B\"", kwhere);
    }
    type[0] = ty[0];
    type[1] = '\0';
    return 0;
}

/* Parses "tables". */
static int prov_parse_tables(const json_t *root, const prov_enc_defaults_t *d, prov_plan_t *p,
                             char *err, size_t errlen)
{
    static const char *const keys[] = { "name",         "hash_key",      "range_key",
                                        "billing_mode", "read_capacity", "write_capacity",
                                        "encryption",   "existing",      NULL };
    json_t *list, *t;
    char where[64];
    size_t i, n;
    int provisioned;

    if (prov_list(root, "tables", &list, &n, err, errlen) != 0) {
        return -1;
    }
    if (n > 0 && (p->tables = calloc(n, sizeof(*p->tables))) == NULL) {
        return prov_fail(err, errlen, "out of memory");
    }
    json_array_foreach(list, i, t)
    {
        prov_table_t *table = &p->tables[p->ntables++];
        snprintf(where, sizeof(where), "tables[%zu]", i);
        if (prov_check_keys(t, keys, where, err, errlen) != 0
            || prov_existing(t, prov_existing_keys, &table->existing, where, err, errlen) != 0
            || prov_string(t, "name", 1, &table->name, where, err, errlen) != 0) {
            return -1;
        }
        if (table->existing) {
            continue;
        }
        if (prov_table_key(t, "hash_key", 1, &table->hash_key, table->hash_type, where, err, errlen)
                != 0
            || prov_table_key(t, "range_key", 0, &table->range_key, table->range_type, where, err,
                              errlen)
                   != 0
            || prov_string(t, "billing_mode", 0, &table->billing_mode, where, err, errlen) != 0
            || prov_enc(t, &d->tables, PROV_ENC_ALLOW_KMS, &table->encryption, where, err, errlen)
                   != 0) {
            return -1;
        }
        if (table->billing_mode == NULL
            && (table->billing_mode = strdup("PAY_PER_REQUEST")) == NULL) {
            return prov_fail(err, errlen, "out of memory");
        }
        provisioned = strcmp(table->billing_mode, "PROVISIONED") == 0;
        if (!provisioned && strcmp(table->billing_mode, "PAY_PER_REQUEST") != 0) {
            return prov_fail(err, errlen, "%s: billing_mode must be PAY_PER_REQUEST or PROVISIONED",
                             where);
        }
        if (prov_long(t, "read_capacity", 1, 40000, provisioned ? 5 : 0, &table->read_capacity,
                      where, err, errlen)
                != 0
            || prov_long(t, "write_capacity", 1, 40000, provisioned ? 5 : 0, &table->write_capacity,
                         where, err, errlen)
                   != 0) {
            return -1;
        }
        if (!provisioned && (table->read_capacity || table->write_capacity)) {
            return prov_fail(err, errlen, "%s: capacities need billing_mode PROVISIONED", where);
        }
    }
    return 0;
}

prov_queue_t *prov_plan_queue(const prov_plan_t *plan, const char *name)
{
    size_t i;

    for (i = 0; i < plan->nqueues; i++) {
        if (strcmp(plan->queues[i].name, name) == 0) {
            return &plan->queues[i];
        }
    }
    return NULL;
}

prov_topic_t *prov_plan_topic(const prov_plan_t *plan, const char *name)
{
    size_t i;

    for (i = 0; i < plan->ntopics; i++) {
        if (strcmp(plan->topics[i].name, name) == 0) {
            return &plan->topics[i];
        }
    }
    return NULL;
}

/* Checks names for duplicates within each kind. */
static int prov_check_duplicates(const prov_plan_t *p, char *err, size_t errlen)
{
    size_t i, j;

#define PROV_DUPS(arr, n, what)                                                                    \
    for (i = 0; i < (n); i++) {                                                                    \
        for (j = i + 1; j < (n); j++) {                                                            \
            if (strcmp((arr)[i].name, (arr)[j].name) == 0) {                                       \
                return prov_fail(err, errlen, "%s \"%s\" is listed twice", what, (arr)[i].name);   \
            }                                                                                      \
        }                                                                                          \
    }
    PROV_DUPS(p->topics, p->ntopics, "topic")
    PROV_DUPS(p->queues, p->nqueues, "queue")
    PROV_DUPS(p->buckets, p->nbuckets, "bucket")
    PROV_DUPS(p->tables, p->ntables, "table")
#undef PROV_DUPS
    for (i = 0; i < p->nsubs; i++) {
        for (j = i + 1; j < p->nsubs; j++) {
            if (strcmp(p->subs[i].topic, p->subs[j].topic) == 0
                && strcmp(p->subs[i].queue, p->subs[j].queue) == 0) {
                return prov_fail(err, errlen, "subscription %s -> %s is listed twice",
                                 p->subs[i].topic, p->subs[i].queue);
            }
        }
    }
    return 0;
}

/* Checks references, dead-letter cycles and FIFO consistency. */
static int prov_check_references(const prov_plan_t *p, char *err, size_t errlen)
{
    const prov_queue_t *q, *dl;
    const prov_topic_t *t;
    size_t i, steps;

    for (i = 0; i < p->nqueues; i++) {
        q = &p->queues[i];
        if (q->dead_letter == NULL) {
            continue;
        }
        if ((dl = prov_plan_queue(p, q->dead_letter)) == NULL) {
            return prov_fail(err, errlen, "queue %s: dead-letter queue %s is not in the file",
                             q->name, q->dead_letter);
        }
        if (prov_is_fifo(q->name) != prov_is_fifo(dl->name)) {
            return prov_fail(err, errlen, "queue %s: its dead-letter queue %s must be %s too",
                             q->name, dl->name, prov_is_fifo(q->name) ? "FIFO" : "standard");
        }
        for (steps = 0; dl != NULL && steps <= p->nqueues; steps++) {
            if (dl == q) {
                return prov_fail(err, errlen, "queue %s: dead-letter queues form a cycle", q->name);
            }
            dl = dl->dead_letter != NULL ? prov_plan_queue(p, dl->dead_letter) : NULL;
        }
    }
    for (i = 0; i < p->nsubs; i++) {
        t = prov_plan_topic(p, p->subs[i].topic);
        q = prov_plan_queue(p, p->subs[i].queue);
        if (t == NULL || q == NULL) {
            return prov_fail(err, errlen, "subscription %s -> %s: %s %s is not in the file",
                             p->subs[i].topic, p->subs[i].queue, t == NULL ? "topic" : "queue",
                             t == NULL ? p->subs[i].topic : p->subs[i].queue);
        }
        if (prov_is_fifo(t->name) != prov_is_fifo(q->name)) {
            return prov_fail(err, errlen, "subscription %s -> %s: a %s topic needs a %s queue",
                             t->name, q->name, prov_is_fifo(t->name) ? "FIFO" : "standard",
                             prov_is_fifo(t->name) ? "FIFO" : "standard");
        }
    }
    return 0;
}

/* Parses "stack" (default PROV_STACK_DEFAULT): 1-64 of A-Z a-z 0-9 _ . -,
 * valid as a tag value on every service.  Returns 0 or -1 with err set. */
static int prov_parse_stack(const json_t *root, prov_plan_t *p, char *err, size_t errlen)
{
    size_t n;

    if (prov_string(root, "stack", 0, &p->stack, "resources", err, errlen) != 0) {
        return -1;
    }
    if (p->stack == NULL && (p->stack = strdup(PROV_STACK_DEFAULT)) == NULL) {
        return prov_fail(err, errlen, "out of memory");
    }
    n = strlen(p->stack);
    if (n > 64
        || strspn(p->stack, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                            "0123456789_.-")
               != n) {
        return prov_fail(err, errlen, "stack \"%s\" is not 1-64 of A-Z a-z 0-9 _ . -", p->stack);
    }
    return 0;
}

int prov_plan_parse(const char *text, size_t len, prov_plan_t *plan, char *err, size_t errlen)
{
    static const char *const keys[] = { "stack",   "topics", "queues",     "subscriptions",
                                        "buckets", "tables", "encryption", NULL };
    prov_enc_defaults_t defaults;
    json_error_t jerr;
    json_t *root;
    int rc = -1;

    memset(&defaults, 0, sizeof(defaults));
    root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (root == NULL) {
        return prov_fail(err, errlen, "line %d: %s", jerr.line, jerr.text);
    }
    if (!json_is_object(root)) {
        prov_fail(err, errlen, "the resources description must be a JSON object");
    } else if (prov_check_keys(root, keys, "resources", err, errlen) == 0
               && prov_parse_stack(root, plan, err, errlen) == 0
               && prov_enc_defaults(root, &defaults, err, errlen) == 0
               && prov_parse_topics(root, &defaults, plan, err, errlen) == 0
               && prov_parse_queues(root, &defaults, plan, err, errlen) == 0
               && prov_parse_subscriptions(root, plan, err, errlen) == 0
               && prov_parse_buckets(root, &defaults, plan, err, errlen) == 0
               && prov_parse_tables(root, &defaults, plan, err, errlen) == 0
               && prov_check_duplicates(plan, err, errlen) == 0
               && prov_check_references(plan, err, errlen) == 0) {
        rc = 0;
    }
    prov_enc_defaults_free(&defaults);
    json_decref(root);
    if (rc != 0) {
        prov_plan_free(plan);
    }
    return rc;
}

/* See provision.h. */
int prov_plan_filter_types(prov_subscription_t *s, const char *const *types, char *err,
                           size_t errlen)
{
    json_t *list = json_array(), *policy = json_object();
    char *text = NULL;

    if (types == NULL || types[0] == NULL) {
        json_decref(list);
        json_decref(policy);
        return prov_fail(err, errlen, "no types to filter on");
    }
    for (size_t i = 0; list != NULL && types[i] != NULL; i++) {
        if (json_array_append_new(list, json_string(types[i])) != 0) {
            json_decref(list);
            list = NULL;
        }
    }
    if (list != NULL && policy != NULL && json_object_set_new(policy, "content_type", list) == 0) {
        text = json_dumps(policy, JSON_COMPACT);
    } else {
        json_decref(list);
    }
    json_decref(policy);
    if (text == NULL) {
        return prov_fail(err, errlen, "out of memory");
    }
    free(s->filter_policy);
    s->filter_policy = text;
    return 0;
}

int prov_plan_load(const char *path, prov_plan_t *plan, char *err, size_t errlen)
{
    char *text, msg[256];
    FILE *f = fopen(path, "rb");
    size_t n;
    int rc;

    if (f == NULL) {
        return prov_fail(err, errlen, "%s: %s", path, strerror(errno));
    }
    text = malloc(PROV_MAX_FILE + 1);
    if (text == NULL) {
        fclose(f);
        return prov_fail(err, errlen, "out of memory");
    }
    n = fread(text, 1, PROV_MAX_FILE + 1, f);
    if (ferror(f) || n > PROV_MAX_FILE) {
        rc = prov_fail(err, errlen, "%s: %s", path,
                       ferror(f) ? strerror(errno) : "larger than 1 MiB");
    } else {
        rc = prov_plan_parse(text, n, plan, msg, sizeof(msg));
        if (rc != 0) {
            prov_fail(err, errlen, "%s: %s", path, msg);
        }
    }
    free(text);
    fclose(f);
    return rc;
}

/* ---- resolving ------------------------------------------------------------ */

/* Replaces *name by a copy with ${account} and ${region} substituted.
 * Returns 0 or -1 with err set (another ${...}, no memory). */
static int prov_substitute(char **name, const char *account, const char *region, char *err,
                           size_t errlen)
{
    aws_buf_t out = AWS_BUF_INIT;
    const char *s = *name, *open;

    if (strstr(s, "${") == NULL) {
        return 0;
    }
    while ((open = strstr(s, "${")) != NULL) {
        if (aws_buf_append(&out, s, (size_t) (open - s)) != 0) {
            goto nomem;
        }
        if (strncmp(open, "${account}", 10) == 0) {
            s = open + 10;
            if (aws_buf_puts(&out, account) != 0) {
                goto nomem;
            }
        } else if (strncmp(open, "${region}", 9) == 0) {
            s = open + 9;
            if (aws_buf_puts(&out, region) != 0) {
                goto nomem;
            }
        } else {
            aws_buf_free(&out);
            return prov_fail(err, errlen, "\"%s\": only ${account} and ${region} are substituted",
                             *name);
        }
    }
    if (aws_buf_puts(&out, s) != 0) {
        goto nomem;
    }
    free(*name);
    *name = out.data;
    return 0;
nomem:
    aws_buf_free(&out);
    return prov_fail(err, errlen, "out of memory");
}

/* Returns 1 when name is 1..max of [A-Za-z0-9_-], optionally ending in
 * ".fifo" (counted in max): SNS topic and SQS queue names. */
static int prov_valid_sns_sqs_name(const char *name, size_t max)
{
    size_t n = strlen(name), core = prov_is_fifo(name) ? n - 5 : n, i;

    if (n == 0 || n > max || core == 0) {
        return 0;
    }
    for (i = 0; i < core; i++) {
        if (!isalnum((unsigned char) name[i]) && name[i] != '_' && name[i] != '-') {
            return 0;
        }
    }
    return 1;
}

/* Returns 1 for a valid general-purpose S3 bucket name: 3..63 of
 * [a-z0-9.-], starting and ending with a letter or digit, no "..". */
static int prov_valid_bucket(const char *name)
{
    size_t n = strlen(name), i;

    if (n < 3 || n > 63 || !isalnum((unsigned char) name[0])
        || !isalnum((unsigned char) name[n - 1]) || strstr(name, "..") != NULL) {
        return 0;
    }
    for (i = 0; i < n; i++) {
        if (!(islower((unsigned char) name[i]) || isdigit((unsigned char) name[i]) || name[i] == '.'
              || name[i] == '-')) {
            return 0;
        }
    }
    return 1;
}

/* Returns 1 for a valid DynamoDB table name: 3..255 of [A-Za-z0-9_.-]. */
static int prov_valid_table(const char *name)
{
    size_t n = strlen(name), i;

    if (n < 3 || n > 255) {
        return 0;
    }
    for (i = 0; i < n; i++) {
        if (!isalnum((unsigned char) name[i]) && name[i] != '_' && name[i] != '.'
            && name[i] != '-') {
            return 0;
        }
    }
    return 1;
}

/* Sets *arn to a new "arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE". */
static int prov_arn(char **arn, const prov_plan_t *p, const char *service, const char *resource,
                    char *err, size_t errlen)
{
    aws_buf_t b = AWS_BUF_INIT;

    if (aws_buf_printf(&b, "arn:%s:%s:%s:%s:%s", p->partition, service, p->region, p->account,
                       resource)
        != 0) {
        aws_buf_free(&b);
        return prov_fail(err, errlen, "out of memory");
    }
    free(*arn);
    *arn = b.data;
    return 0;
}

int prov_plan_resolve(prov_plan_t *plan, const char *partition, const char *region,
                      const char *account, char *err, size_t errlen)
{
    char table_res[300];
    size_t i;

    if (region == NULL || region[0] == '\0' || account == NULL || account[0] == '\0'
        || strlen(region) >= sizeof(plan->region) || strlen(account) >= sizeof(plan->account)) {
        return prov_fail(err, errlen, "resolving the plan needs a region and an account id");
    }
    if (partition == NULL || partition[0] == '\0') {
        partition = strncmp(region, "cn-", 3) == 0       ? "aws-cn"
                    : strncmp(region, "us-gov-", 7) == 0 ? "aws-us-gov"
                                                         : "aws";
    }
    snprintf(plan->partition, sizeof(plan->partition), "%s", partition);
    snprintf(plan->region, sizeof(plan->region), "%s", region);
    snprintf(plan->account, sizeof(plan->account), "%s", account);

    for (i = 0; i < plan->ntopics; i++) {
        prov_topic_t *t = &plan->topics[i];
        if (prov_substitute(&t->name, account, region, err, errlen) != 0) {
            return -1;
        }
        if (!prov_valid_sns_sqs_name(t->name, 256)) {
            return prov_fail(err, errlen,
                             "topic name \"%s\" is not 1-256 of A-Z a-z 0-9 _ - "
                             "(plus .fifo)",
                             t->name);
        }
        if (prov_arn(&t->arn, plan, "sns", t->name, err, errlen) != 0) {
            return -1;
        }
    }
    for (i = 0; i < plan->nqueues; i++) {
        prov_queue_t *q = &plan->queues[i];
        if (prov_substitute(&q->name, account, region, err, errlen) != 0
            || (q->dead_letter
                && prov_substitute(&q->dead_letter, account, region, err, errlen) != 0)) {
            return -1;
        }
        if (!prov_valid_sns_sqs_name(q->name, 80)) {
            return prov_fail(err, errlen,
                             "queue name \"%s\" is not 1-80 of A-Z a-z 0-9 _ - "
                             "(plus .fifo)",
                             q->name);
        }
        if (prov_arn(&q->arn, plan, "sqs", q->name, err, errlen) != 0) {
            return -1;
        }
    }
    for (i = 0; i < plan->nsubs; i++) {
        if (prov_substitute(&plan->subs[i].topic, account, region, err, errlen) != 0
            || prov_substitute(&plan->subs[i].queue, account, region, err, errlen) != 0) {
            return -1;
        }
    }
    for (i = 0; i < plan->nbuckets; i++) {
        if (prov_substitute(&plan->buckets[i].name, account, region, err, errlen) != 0) {
            return -1;
        }
        if (!prov_valid_bucket(plan->buckets[i].name)) {
            return prov_fail(err, errlen,
                             "bucket name \"%s\" is not 3-63 of a-z 0-9 . - starting "
                             "and ending with a letter or digit",
                             plan->buckets[i].name);
        }
    }
    for (i = 0; i < plan->ntables; i++) {
        prov_table_t *t = &plan->tables[i];
        if (prov_substitute(&t->name, account, region, err, errlen) != 0) {
            return -1;
        }
        if (!prov_valid_table(t->name)) {
            return prov_fail(err, errlen, "table name \"%s\" is not 3-255 of A-Z a-z 0-9 _ . -",
                             t->name);
        }
        snprintf(table_res, sizeof(table_res), "table/%s", t->name);
        if (prov_arn(&t->arn, plan, "dynamodb", table_res, err, errlen) != 0) {
            return -1;
        }
    }
    return prov_check_duplicates(plan, err, errlen);
}

/* ---- desired attributes ------------------------------------------------------ */

/* Copies src into out. */
static int prov_copy_attrs(const aws_attrs_t *src, aws_attrs_t *out)
{
    size_t i;

    for (i = 0; i < src->n; i++) {
        if (aws_attrs_set(out, src->items[i].name, src->items[i].value) != 0) {
            return -1;
        }
    }
    return 0;
}

/* Sets NAME = value unless the file set NAME itself. */
static int prov_default_attr(aws_attrs_t *out, const char *name, const char *value)
{
    return aws_attrs_get(out, name) != NULL ? 0 : aws_attrs_set(out, name, value);
}

/* Sets the attribute NAME to the compact JSON of doc (consumed). */
static int prov_json_attr(aws_attrs_t *out, const char *name, json_t *doc)
{
    char *s = doc != NULL ? json_dumps(doc, JSON_COMPACT) : NULL;
    int rc = s != NULL ? aws_attrs_set(out, name, s) : -1;

    free(s);
    json_decref(doc);
    return rc;
}

/* Returns the queue Policy allowing each topic subscribed to q to send
 * to it, or NULL when none is (or no memory: *nomem = 1). */
static json_t *prov_queue_policy(const prov_plan_t *plan, const prov_queue_t *q, int *nomem)
{
    json_t *policy = NULL, *stmts = NULL, *stmt;
    const prov_topic_t *t;
    char sid[32];
    size_t i;
    int n = 0;

    *nomem = 0;
    for (i = 0; i < plan->nsubs; i++) {
        if (strcmp(plan->subs[i].queue, q->name) != 0
            || (t = prov_plan_topic(plan, plan->subs[i].topic)) == NULL) {
            continue;
        }
        if (policy == NULL) {
            policy = json_pack("{s:s, s:[]}", "Version", "2012-10-17", "Statement");
            stmts = json_object_get(policy, "Statement");
        }
        snprintf(sid, sizeof(sid), "PrismTopic%d", ++n);
        stmt =
            json_pack("{s:s, s:s, s:{s:s}, s:s, s:s, s:{s:{s:s}}}", "Sid", sid, "Effect", "Allow",
                      "Principal", "Service", "sns.amazonaws.com", "Action", "sqs:SendMessage",
                      "Resource", q->arn, "Condition", "ArnEquals", "aws:SourceArn", t->arn);
        if (policy == NULL || json_array_append_new(stmts, stmt) != 0) {
            json_decref(policy);
            *nomem = 1;
            return NULL;
        }
    }
    return policy;
}

int prov_queue_attributes(const prov_plan_t *plan, const prov_queue_t *q, aws_attrs_t *out)
{
    const prov_queue_t *dl = q->dead_letter ? prov_plan_queue(plan, q->dead_letter) : NULL;
    json_t *policy;
    int nomem;

    if (prov_copy_attrs(&q->attributes, out) != 0
        || (prov_is_fifo(q->name) && prov_default_attr(out, "FifoQueue", "true") != 0)
        || (q->encryption.kind == PROV_ENC_SQS_MANAGED
            && prov_default_attr(out, "SqsManagedSseEnabled", "true") != 0)
        || (q->encryption.kind == PROV_ENC_KMS
            && prov_default_attr(out, "KmsMasterKeyId",
                                 q->encryption.kms_key_id ? q->encryption.kms_key_id
                                                          : "alias/aws/sqs")
                   != 0)
        || (dl != NULL
            && prov_json_attr(out, "RedrivePolicy",
                              json_pack("{s:s, s:i}", "deadLetterTargetArn", dl->arn,
                                        "maxReceiveCount", q->max_receive_count))
                   != 0)) {
        return -1;
    }
    if (aws_attrs_get(out, "Policy") == NULL) {
        policy = prov_queue_policy(plan, q, &nomem);
        if (nomem || (policy != NULL && prov_json_attr(out, "Policy", policy) != 0)) {
            return -1;
        }
    }
    return 0;
}

int prov_topic_attributes(const prov_topic_t *t, aws_attrs_t *out)
{
    if (prov_copy_attrs(&t->attributes, out) != 0
        || (prov_is_fifo(t->name) && prov_default_attr(out, "FifoTopic", "true") != 0)
        || (t->encryption.kind == PROV_ENC_KMS
            && prov_default_attr(out, "KmsMasterKeyId",
                                 t->encryption.kms_key_id ? t->encryption.kms_key_id
                                                          : "alias/aws/sns")
                   != 0)) {
        return -1;
    }
    return 0;
}

int prov_subscription_attributes(const prov_subscription_t *s, aws_attrs_t *out)
{
    if (aws_attrs_set(out, "RawMessageDelivery", s->raw ? "true" : "false") != 0
        || (s->filter_policy != NULL && aws_attrs_set(out, "FilterPolicy", s->filter_policy) != 0)
        || (s->filter_policy_scope != NULL
            && aws_attrs_set(out, "FilterPolicyScope", s->filter_policy_scope) != 0)) {
        return -1;
    }
    return 0;
}

int prov_plan_tags(const prov_plan_t *plan, aws_attrs_t *out)
{
    return aws_attrs_set(out, PROV_STACK_TAG, plan->stack);
}

int prov_attr_create_only(const char *name)
{
    return strcmp(name, "FifoQueue") == 0 || strcmp(name, "FifoTopic") == 0;
}

int prov_queue_attr_always_reported(const char *name)
{
    static const char *const always[] = {
        "VisibilityTimeout",
        "DelaySeconds",
        "MessageRetentionPeriod",
        "MaximumMessageSize",
        "ReceiveMessageWaitTimeSeconds",
        "SqsManagedSseEnabled",
        "FifoQueue",
        "ContentBasedDeduplication",
        "DeduplicationScope",
        "FifoThroughputLimit",
    };
    size_t i;

    for (i = 0; i < sizeof(always) / sizeof(always[0]); i++) {
        if (strcmp(name, always[i]) == 0) {
            return 1;
        }
    }
    return 0;
}

/* Returns a copy of doc with every number and boolean turned into its
 * text, so {"n": 3} and {"n": "3"} compare equal; NULL on ENOMEM. */
static json_t *prov_json_normalize(const json_t *doc)
{
    const char *key;
    json_t *out, *v;
    char num[64];
    size_t i;

    switch (json_typeof(doc)) {
    case JSON_OBJECT:
        out = json_object();
        json_object_foreach((json_t *) doc, key, v)
        {
            if (out == NULL || json_object_set_new(out, key, prov_json_normalize(v)) != 0) {
                json_decref(out);
                return NULL;
            }
        }
        return out;
    case JSON_ARRAY:
        out = json_array();
        json_array_foreach(doc, i, v)
        {
            if (out == NULL || json_array_append_new(out, prov_json_normalize(v)) != 0) {
                json_decref(out);
                return NULL;
            }
        }
        return out;
    case JSON_INTEGER:
        snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(doc));
        return json_string(num);
    case JSON_REAL:
        snprintf(num, sizeof(num), "%.17g", json_real_value(doc));
        return json_string(num);
    case JSON_TRUE: return json_string("true");
    case JSON_FALSE: return json_string("false");
    default: return json_copy((json_t *) doc);
    }
}

int prov_attr_equal(const char *want, const char *have)
{
    json_t *a, *b, *na = NULL, *nb = NULL;
    int equal;

    if (have == NULL) {
        return want == NULL || want[0] == '\0';
    }
    if (strcmp(want, have) == 0) {
        return 1;
    }
    if ((strcasecmp(want, "true") == 0 || strcasecmp(want, "false") == 0)
        && strcasecmp(want, have) == 0) {
        return 1;
    }
    a = json_loads(want, 0, NULL);
    b = json_loads(have, 0, NULL);
    equal = a != NULL && b != NULL && (na = prov_json_normalize(a)) != NULL
            && (nb = prov_json_normalize(b)) != NULL && json_equal(na, nb);
    json_decref(a);
    json_decref(b);
    json_decref(na);
    json_decref(nb);
    return equal;
}

void prov_plan_free(prov_plan_t *plan)
{
    size_t i;

    for (i = 0; i < plan->ntopics; i++) {
        free(plan->topics[i].name);
        aws_attrs_free(&plan->topics[i].attributes);
        free(plan->topics[i].encryption.kms_key_id);
        free(plan->topics[i].arn);
    }
    for (i = 0; i < plan->nqueues; i++) {
        free(plan->queues[i].name);
        aws_attrs_free(&plan->queues[i].attributes);
        free(plan->queues[i].encryption.kms_key_id);
        free(plan->queues[i].dead_letter);
        free(plan->queues[i].arn);
        free(plan->queues[i].url);
    }
    for (i = 0; i < plan->nsubs; i++) {
        free(plan->subs[i].topic);
        free(plan->subs[i].queue);
        free(plan->subs[i].filter_policy);
        free(plan->subs[i].filter_from_plugin);
        free(plan->subs[i].filter_policy_scope);
    }
    for (i = 0; i < plan->nbuckets; i++) {
        free(plan->buckets[i].name);
        free(plan->buckets[i].encryption.kms_key_id);
    }
    for (i = 0; i < plan->ntables; i++) {
        free(plan->tables[i].name);
        free(plan->tables[i].hash_key);
        free(plan->tables[i].range_key);
        free(plan->tables[i].billing_mode);
        free(plan->tables[i].encryption.kms_key_id);
        free(plan->tables[i].arn);
    }
    free(plan->stack);
    free(plan->topics);
    free(plan->queues);
    free(plan->subs);
    free(plan->buckets);
    free(plan->tables);
    memset(plan, 0, sizeof(*plan));
}
