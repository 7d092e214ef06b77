/*
 * json_check — key paths and value descriptions for validation errors.
 * See json_check.h.
 */
#include "json_check.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DESCRIBE_MAX 40

void host_jpath_key(char *out, size_t outlen, const char *path, const char *key)
{
    if (path == NULL || *path == '\0')
        snprintf(out, outlen, "%s", key);
    else
        snprintf(out, outlen, "%s.%s", path, key);
}

void host_jpath_index(char *out, size_t outlen, const char *path, size_t i)
{
    snprintf(out, outlen, "%s[%zu]", path, i);
}

void host_json_describe(const json_t *v, char *out, size_t outlen)
{
    if (v == NULL) {
        snprintf(out, outlen, "nothing");
        return;
    }
    char *text = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
    if (text == NULL) {
        snprintf(out, outlen, "a %s", json_is_object(v) ? "object" : "value");
        return;
    }
    if (strlen(text) > DESCRIBE_MAX)
        snprintf(out, outlen, "%.*s...", DESCRIBE_MAX, text);
    else
        snprintf(out, outlen, "%s", text);
    free(text);
}

void host_jerr(char *err, size_t errlen, const char *path, const char *fmt, ...)
{
    va_list ap;
    int n;

    n = snprintf(err, errlen, "%s: ", path);
    if (n < 0 || (size_t) n >= errlen)
        return;
    va_start(ap, fmt);
    vsnprintf(err + n, errlen - (size_t) n, fmt, ap);
    va_end(ap);
}

void host_jerr_expected(char *err, size_t errlen, const char *path, const char *what,
                        const json_t *v)
{
    char got[DESCRIBE_MAX + 8];

    host_json_describe(v, got, sizeof(got));
    host_jerr(err, errlen, path, "expected %s, got %s", what, got);
}

int host_json_known_keys(const json_t *obj, const char *path, const char *const *allowed, char *err,
                         size_t errlen)
{
    const char *key;
    json_t *value;
    char kpath[HOST_JPATH_MAX];

    json_object_foreach((json_t *) obj, key, value)
    {
        size_t i;
        for (i = 0; allowed[i] != NULL; i++)
            if (strcmp(allowed[i], key) == 0)
                break;
        if (allowed[i] == NULL) {
            host_jpath_key(kpath, sizeof(kpath), path, key);
            host_jerr(err, errlen, kpath, "unknown key");
            return -1;
        }
    }
    return 0;
}
