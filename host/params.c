/*
 * params — plugin parameter validation and lookup.  See params.h.
 */
#define _GNU_SOURCE /* asprintf */
#include "params.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_check.h"

typedef struct {
    const prism_param_spec_t *spec;
    long i;     /* INT, BOOL (0/1) */
    double d;   /* DOUBLE */
    char *s;    /* STRING */
    long *list; /* INT_LIST */
    size_t nlist;
} param_value_t;

struct host_params_s {
    prism_params_t api; /* first: the plugin gets &api, host points back here */
    param_value_t *values;
    size_t n;
    char misuse[160]; /* the first undeclared name read, "" while none */
};

/* ---- ranges and descriptions ------------------------------------------- */

/* Returns 1 when S has a range (min and max not both 0). */
static int bounded(const prism_param_spec_t *s)
{
    return !(s->min == 0 && s->max == 0);
}

/* Returns 1 when V is within S's range (always, when unbounded). */
static int in_range(const prism_param_spec_t *s, double v)
{
    return !bounded(s) || (v >= s->min && v <= s->max);
}

/* Writes what SPEC expects ("integer 1..100", "one of \"a|b\"") into out. */
static void describe_spec(const prism_param_spec_t *s, char *out, size_t outlen)
{
    switch (s->type) {
    case PRISM_PARAM_INT:
        if (bounded(s))
            snprintf(out, outlen, "integer %.0f..%.0f", s->min, s->max);
        else
            snprintf(out, outlen, "integer");
        break;
    case PRISM_PARAM_DOUBLE:
        if (bounded(s))
            snprintf(out, outlen, "number %g..%g", s->min, s->max);
        else
            snprintf(out, outlen, "number");
        break;
    case PRISM_PARAM_BOOL: snprintf(out, outlen, "true or false"); break;
    case PRISM_PARAM_STRING:
        if (s->choices != NULL)
            snprintf(out, outlen, "one of \"%s\"", s->choices);
        else
            snprintf(out, outlen, "a string");
        break;
    case PRISM_PARAM_INT_LIST:
        if (bounded(s))
            snprintf(out, outlen, "integer or array of integers %.0f..%.0f", s->min, s->max);
        else
            snprintf(out, outlen, "integer or array of integers");
        break;
    }
}

/* Returns 1 when S is one of the '|'-separated CHOICES. */
static int in_choices(const char *choices, const char *s)
{
    size_t n = strlen(s);

    for (const char *p = choices;;) {
        const char *bar = strchr(p, '|');
        size_t len = bar ? (size_t) (bar - p) : strlen(p);
        if (len == n && strncmp(p, s, n) == 0)
            return 1;
        if (bar == NULL)
            return 0;
        p = bar + 1;
    }
}

/* ---- values from JSON ----------------------------------------------------- */

/* Reads one JSON integer for an INT or INT_LIST element.  Returns 0, or
 * -1 when V is not an integer within S's range (the caller reports). */
static int json_to_long(const prism_param_spec_t *s, const json_t *v, long *out)
{
    if (!json_is_integer(v) || !in_range(s, (double) json_integer_value(v)))
        return -1;
    *out = (long) json_integer_value(v);
    return 0;
}

/* Fills VAL->list from V (one integer or a non-empty array of them) for
 * an INT_LIST spec.  Returns 0, -1 with err set for an element or a
 * length problem, or -2 when V has the wrong shape (the caller reports). */
static int list_from_json(param_value_t *val, const json_t *v, const char *path, char *err,
                          size_t errlen)
{
    const prism_param_spec_t *s = val->spec;
    char epath[HOST_JPATH_MAX];
    char what[64];

    if (json_is_integer(v))
        val->nlist = 1;
    else if (json_is_array(v) && json_array_size(v) > 0
             && json_array_size(v) <= HOST_PARAM_LIST_MAX)
        val->nlist = json_array_size(v);
    else if (json_is_array(v) && json_array_size(v) > HOST_PARAM_LIST_MAX) {
        host_jerr(err, errlen, path, "at most %d values, got %zu", HOST_PARAM_LIST_MAX,
                  json_array_size(v));
        return -1;
    } else
        return -2;
    val->list = calloc(val->nlist, sizeof(long));
    if (val->list == NULL) {
        host_jerr(err, errlen, path, "out of memory");
        return -1;
    }
    if (json_is_integer(v))
        return json_to_long(s, v, &val->list[0]) == 0 ? 0 : -2;
    for (size_t i = 0; i < val->nlist; i++) {
        if (json_to_long(s, json_array_get(v, i), &val->list[i]) != 0) {
            if (bounded(s))
                snprintf(what, sizeof(what), "integer %.0f..%.0f", s->min, s->max);
            else
                snprintf(what, sizeof(what), "integer");
            host_jpath_index(epath, sizeof(epath), path, i);
            host_jerr_expected(err, errlen, epath, what, json_array_get(v, i));
            return -1;
        }
    }
    return 0;
}

/* Fills VAL from JSON value V for VAL's spec (PATH names V in messages).
 * Returns 0, or -1 with err set. */
static int value_from_json(param_value_t *val, const json_t *v, const char *path, char *err,
                           size_t errlen)
{
    const prism_param_spec_t *s = val->spec;
    char what[160];
    int rc;

    switch (s->type) {
    case PRISM_PARAM_INT:
        if (json_to_long(s, v, &val->i) == 0)
            return 0;
        break;
    case PRISM_PARAM_DOUBLE:
        if (json_is_number(v) && in_range(s, json_number_value(v))) {
            val->d = json_number_value(v);
            return 0;
        }
        break;
    case PRISM_PARAM_BOOL:
        if (json_is_boolean(v)) {
            val->i = json_is_true(v);
            return 0;
        }
        break;
    case PRISM_PARAM_STRING:
        if (json_is_string(v) && strlen(json_string_value(v)) == json_string_length(v)
            && (s->choices == NULL || in_choices(s->choices, json_string_value(v)))) {
            val->s = strdup(json_string_value(v));
            if (val->s != NULL)
                return 0;
            host_jerr(err, errlen, path, "out of memory");
            return -1;
        }
        break;
    case PRISM_PARAM_INT_LIST:
        rc = list_from_json(val, v, path, err, errlen);
        if (rc != -2)
            return rc;
        break;
    }
    describe_spec(s, what, sizeof(what));
    host_jerr_expected(err, errlen, path, what, v);
    return -1;
}

/* Fills VAL from its spec's default text ("85", "true", "0.5", "a",
 * "128,256").  Returns 0, or -1 with err set (PATH names the param). */
static int value_from_default(param_value_t *val, const char *path, char *err, size_t errlen)
{
    const prism_param_spec_t *s = val->spec;
    json_t *v;
    char *text = NULL;
    int rc;

    if (s->type == PRISM_PARAM_STRING) {
        v = json_string(s->default_value);
    } else {
        if (s->type == PRISM_PARAM_INT_LIST) {
            if (asprintf(&text, "[%s]", s->default_value) < 0)
                text = NULL;
        } else {
            text = strdup(s->default_value);
        }
        if (text == NULL) {
            host_jerr(err, errlen, path, "out of memory");
            return -1;
        }
        v = json_loads(text, JSON_DECODE_ANY, NULL);
        free(text);
    }
    if (v == NULL) {
        host_jerr(err, errlen, path, "the plugin's default \"%s\" is not a %s value",
                  s->default_value, s->type == PRISM_PARAM_STRING ? "string" : "valid");
        return -1;
    }
    rc = value_from_json(val, v, path, err, errlen);
    json_decref(v);
    return rc;
}

/* ---- the table itself ------------------------------------------------------ */

/* Returns 1 when NAME matches [a-z0-9_]+ (JSON-key friendly, no dots:
 * dots would make key paths ambiguous). */
static int is_param_name(const char *name)
{
    if (*name == '\0' || strlen(name) > 64)
        return 0;
    for (const char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
            return 0;
    return 1;
}

static void values_free(param_value_t *values, size_t n);

int host_params_check_specs(const prism_param_spec_t *specs, char *err, size_t errlen)
{
    char path[HOST_JPATH_MAX];

    if (specs == NULL)
        return 0;
    for (size_t i = 0; specs[i].name != NULL; i++) {
        const prism_param_spec_t *s = &specs[i];

        snprintf(path, sizeof(path), "param \"%.64s\"", s->name);
        if (!is_param_name(s->name)) {
            host_jerr(err, errlen, path, "name must match [a-z0-9_]{1,64}");
            return -1;
        }
        for (size_t j = 0; j < i; j++) {
            if (strcmp(specs[j].name, s->name) == 0) {
                host_jerr(err, errlen, path, "declared twice");
                return -1;
            }
        }
        if ((unsigned) s->type > PRISM_PARAM_INT_LIST) {
            host_jerr(err, errlen, path, "unknown type %d", (int) s->type);
            return -1;
        }
        if (isnan(s->min) || isnan(s->max) || s->min > s->max) {
            host_jerr(err, errlen, path, "min %g is above max %g", s->min, s->max);
            return -1;
        }
        if (s->choices != NULL && s->type != PRISM_PARAM_STRING) {
            host_jerr(err, errlen, path, "choices are only allowed on string parameters");
            return -1;
        }
        if (s->default_value != NULL) {
            param_value_t v = { .spec = s };
            int rc = value_from_default(&v, path, err, errlen);
            values_free(&v, 1);
            if (rc != 0)
                return -1;
        }
    }
    return 0;
}

/* ---- readers handed to the plugin ----------------------------------------- */

/* Returns the value of NAME in the params behind API, or NULL; the
 * first NAME the plugin's table does not declare is remembered
 * (host_params_misuse): a misspelt name must not quietly read as 0.  An
 * instance's params are read by one thread at a time (plugin.h). */
static const param_value_t *lookup(const prism_params_t *api, const char *name)
{
    host_params_t *p = api->host;

    if (name == NULL)
        return NULL;
    for (size_t i = 0; i < p->n; i++)
        if (strcmp(p->values[i].spec->name, name) == 0)
            return &p->values[i];
    if (p->misuse[0] == '\0')
        snprintf(p->misuse, sizeof(p->misuse), "parameter \"%.100s\" is not in the plugin's table",
                 name);
    return NULL;
}

/* Integer value of NAME: INT and BOOL as stored, DOUBLE truncated, the
 * first element of an INT_LIST; 0 for unknown names and strings. */
static long get_int(const prism_params_t *api, const char *name)
{
    const param_value_t *v = lookup(api, name);

    if (v == NULL)
        return 0;
    switch (v->spec->type) {
    case PRISM_PARAM_INT:
    case PRISM_PARAM_BOOL: return v->i;
    case PRISM_PARAM_DOUBLE: return (long) v->d;
    case PRISM_PARAM_INT_LIST: return v->nlist > 0 ? v->list[0] : 0;
    case PRISM_PARAM_STRING: break;
    }
    return 0;
}

/* Number value of NAME: DOUBLE as stored, integers converted; 0 else. */
static double get_double(const prism_params_t *api, const char *name)
{
    const param_value_t *v = lookup(api, name);

    if (v != NULL && v->spec->type == PRISM_PARAM_DOUBLE)
        return v->d;
    return (double) get_int(api, name);
}

/* Boolean value of NAME (0/1): BOOL as stored, numbers != 0; 0 else. */
static int get_bool(const prism_params_t *api, const char *name)
{
    const param_value_t *v = lookup(api, name);

    if (v != NULL && v->spec->type == PRISM_PARAM_DOUBLE)
        return v->d != 0;
    return get_int(api, name) != 0;
}

/* String value of NAME, or NULL for unknown names and other types. */
static const char *get_string(const prism_params_t *api, const char *name)
{
    const param_value_t *v = lookup(api, name);

    return v != NULL && v->spec->type == PRISM_PARAM_STRING ? v->s : NULL;
}

/* Copies up to MAX integers of NAME into OUT; returns how many there
 * are (an INT counts as a list of one, other types as none). */
static size_t get_int_list(const prism_params_t *api, const char *name, long *out, size_t max)
{
    const param_value_t *v = lookup(api, name);

    if (v == NULL)
        return 0;
    if (v->spec->type == PRISM_PARAM_INT) {
        if (max > 0)
            out[0] = v->i;
        return 1;
    }
    if (v->spec->type != PRISM_PARAM_INT_LIST)
        return 0;
    for (size_t i = 0; i < v->nlist && i < max; i++)
        out[i] = v->list[i];
    return v->nlist;
}

/* ---- building ---------------------------------------------------------------- */

/* Frees the strings and lists of N values (not the array). */
static void values_free(param_value_t *values, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(values[i].s);
        free(values[i].list);
    }
}

host_params_t *host_params_build(const prism_param_spec_t *specs, const json_t *params,
                                 const char *path, char *err, size_t errlen)
{
    host_params_t *p;
    size_t n = 0;
    char kpath[HOST_JPATH_MAX];
    const char *key;
    json_t *value;

    if (params != NULL && !json_is_object(params)) {
        host_jerr_expected(err, errlen, path, "an object", params);
        return NULL;
    }
    while (specs != NULL && specs[n].name != NULL)
        n++;
    if (params != NULL) {
        json_object_foreach((json_t *) params, key, value)
        {
            size_t i;
            for (i = 0; i < n && strcmp(specs[i].name, key) != 0; i++)
                ;
            if (i == n) {
                host_jpath_key(kpath, sizeof(kpath), path, key);
                host_jerr(err, errlen, kpath, "unknown parameter");
                return NULL;
            }
        }
    }
    p = calloc(1, sizeof(*p));
    if (p == NULL || (n > 0 && (p->values = calloc(n, sizeof(*p->values))) == NULL)) {
        free(p);
        snprintf(err, errlen, "%s: out of memory", path);
        return NULL;
    }
    p->n = n;
    for (size_t i = 0; i < n; i++) {
        const json_t *v = params != NULL ? json_object_get(params, specs[i].name) : NULL;

        p->values[i].spec = &specs[i];
        host_jpath_key(kpath, sizeof(kpath), path, specs[i].name);
        if (v == NULL && specs[i].default_value == NULL) {
            host_jerr(err, errlen, kpath, "required");
            goto fail;
        }
        if ((v != NULL ? value_from_json(&p->values[i], v, kpath, err, errlen)
                       : value_from_default(&p->values[i], kpath, err, errlen))
            != 0)
            goto fail;
    }
    p->api.host = p;
    p->api.get_int = get_int;
    p->api.get_double = get_double;
    p->api.get_bool = get_bool;
    p->api.get_string = get_string;
    p->api.get_int_list = get_int_list;
    return p;

fail:
    host_params_free(p);
    return NULL;
}

const prism_params_t *host_params_api(host_params_t *p)
{
    return &p->api;
}

const char *host_params_misuse(const host_params_t *p)
{
    return p->misuse[0] != '\0' ? p->misuse : NULL;
}

void host_params_free(host_params_t *p)
{
    if (p == NULL)
        return;
    values_free(p->values, p->n);
    free(p->values);
    free(p);
}
