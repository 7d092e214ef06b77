/*
 * json_field — one member of a JSON object, checked.  See json_field.h.
 */
#include "json_field.h"

#include <stdio.h>
#include <string.h>

int ing_json_string(const json_t *obj, const char *key, const char *where, int required, size_t max,
                    const char **out, char *err, size_t errlen)
{
    json_t *v = json_object_get(obj, key);

    if (v == NULL || json_is_null(v)) {
        if (required) {
            snprintf(err, errlen, "%s%s missing", where, key);
            return -1;
        }
        return 0;
    }
    if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) > max
        || strlen(json_string_value(v)) != json_string_length(v)) {
        snprintf(err, errlen, "%s%s is not a non-empty string of at most %zu bytes", where, key,
                 max);
        return -1;
    }
    *out = json_string_value(v);
    return 0;
}

int ing_json_count(const json_t *obj, const char *key, const char *where, long long *out, char *err,
                   size_t errlen)
{
    json_t *v = json_object_get(obj, key);

    if (v == NULL || json_is_null(v)) {
        return 0;
    }
    if (!json_is_integer(v) || json_integer_value(v) < 0) {
        snprintf(err, errlen, "%s%s is not a non-negative integer", where, key);
        return -1;
    }
    *out = json_integer_value(v);
    return 0;
}
