/* DynamoDB typed attribute values: constructors, conversion from and to
 * plain JSON, item accessors. */
#include "dynamodb.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Returns 1 when s is a decimal number as DynamoDB writes them:
 * [-]digits[.digits][(e|E)[+-]digits], with at least one digit before
 * the exponent ("5", "-0.25", "1E+10", ".5"). */
static int aws_ddb_number_text(const char *s)
{
    int digits = 0;

    if (*s == '-' || *s == '+') {
        s++;
    }
    for (; isdigit((unsigned char) *s); s++) {
        digits++;
    }
    if (*s == '.') {
        for (s++; isdigit((unsigned char) *s); s++) {
            digits++;
        }
    }
    if (digits == 0) {
        return 0;
    }
    if (*s == 'e' || *s == 'E') {
        s++;
        if (*s == '-' || *s == '+') {
            s++;
        }
        if (!isdigit((unsigned char) *s)) {
            return 0;
        }
        while (isdigit((unsigned char) *s)) {
            s++;
        }
    }
    return *s == '\0';
}

json_t *aws_ddb_s(const char *s)
{
    return s != NULL ? json_pack("{s:s}", "S", s) : NULL;
}

json_t *aws_ddb_n(const char *number)
{
    return number != NULL && aws_ddb_number_text(number) ? json_pack("{s:s}", "N", number) : NULL;
}

json_t *aws_ddb_n_ll(long long n)
{
    char text[32];

    snprintf(text, sizeof(text), "%lld", n);
    return json_pack("{s:s}", "N", text);
}

json_t *aws_ddb_bool(int b)
{
    return json_pack("{s:b}", "BOOL", b != 0);
}

json_t *aws_ddb_null(void)
{
    return json_pack("{s:b}", "NULL", 1);
}

json_t *aws_ddb_m(json_t *map)
{
    return json_is_object(map) ? json_pack("{s:o}", "M", map) : (json_decref(map), NULL);
}

json_t *aws_ddb_l(json_t *list)
{
    return json_is_array(list) ? json_pack("{s:o}", "L", list) : (json_decref(list), NULL);
}

static const struct {
    const char *tag;
    aws_ddb_type_t type;
} aws_ddb_tags[] = {
    { "S", AWS_DDB_S },       { "N", AWS_DDB_N },   { "B", AWS_DDB_B }, { "BOOL", AWS_DDB_BOOL },
    { "NULL", AWS_DDB_NULL }, { "M", AWS_DDB_M },   { "L", AWS_DDB_L }, { "SS", AWS_DDB_SS },
    { "NS", AWS_DDB_NS },     { "BS", AWS_DDB_BS },
};

/* Returns the single member of a typed value and its tag in *tag, or
 * NULL when v is not a one-member object. */
static json_t *aws_ddb_member(const json_t *v, const char **tag)
{
    void *it;

    if (!json_is_object(v) || json_object_size(v) != 1) {
        return NULL;
    }
    it = json_object_iter((json_t *) v);
    *tag = json_object_iter_key(it);
    return json_object_iter_value(it);
}

aws_ddb_type_t aws_ddb_type(const json_t *v)
{
    const char *tag;
    json_t *m = aws_ddb_member(v, &tag);
    size_t i;

    if (m == NULL) {
        return AWS_DDB_INVALID;
    }
    for (i = 0; i < sizeof(aws_ddb_tags) / sizeof(aws_ddb_tags[0]); i++) {
        if (strcmp(tag, aws_ddb_tags[i].tag) == 0) {
            return aws_ddb_tags[i].type;
        }
    }
    return AWS_DDB_INVALID;
}

json_t *aws_ddb_from_json(const json_t *plain, aws_error_t *err)
{
    const char *key;
    json_t *out, *v, *item;
    char num[64];
    size_t i;

    if (plain == NULL) {
        aws_error_set(err, AWS_ERR_CONFIG, "no value to convert to DynamoDB JSON");
        return NULL;
    }
    switch (json_typeof(plain)) {
    case JSON_STRING:
        out = json_pack("{s:s%}", "S", json_string_value(plain), json_string_length(plain));
        break;
    case JSON_INTEGER: out = aws_ddb_n_ll((long long) json_integer_value(plain)); break;
    case JSON_REAL:
        snprintf(num, sizeof(num), "%.17g", json_real_value(plain));
        out = aws_ddb_n(num);
        break;
    case JSON_TRUE:
    case JSON_FALSE: out = aws_ddb_bool(json_is_true(plain)); break;
    case JSON_NULL: out = aws_ddb_null(); break;
    case JSON_OBJECT:
        out = aws_ddb_m(json_object());
        json_object_foreach((json_t *) plain, key, v)
        {
            if (out == NULL || (item = aws_ddb_from_json(v, err)) == NULL
                || json_object_set_new(json_object_get(out, "M"), key, item) != 0) {
                json_decref(out);
                return NULL;
            }
        }
        break;
    default: /* JSON_ARRAY */
        out = aws_ddb_l(json_array());
        json_array_foreach(plain, i, v)
        {
            if (out == NULL || (item = aws_ddb_from_json(v, err)) == NULL
                || json_array_append_new(json_object_get(out, "L"), item) != 0) {
                json_decref(out);
                return NULL;
            }
        }
        break;
    }
    if (out == NULL) {
        aws_error_set(err, AWS_ERR_NOMEM, "out of memory converting a value to DynamoDB JSON");
    }
    return out;
}

/* Converts the text of an N value to a JSON number, or NULL when it is
 * not a number or does not fit one (callers keep the text then). */
static json_t *aws_ddb_number_json(const char *text)
{
    json_t *num;

    if (!aws_ddb_number_text(text) || text[0] == '+' || text[0] == '.'
        || (text[0] == '-' && text[1] == '.')) {
        return NULL;
    }
    num = json_loads(text, JSON_DECODE_ANY, NULL);
    if (num != NULL && !json_is_number(num)) {
        json_decref(num);
        num = NULL;
    }
    return num;
}

/* Converts the elements of LIST (an L, SS, NS or BS value's array) to a
 * new plain array: L elements recursively, NS elements to numbers, SS
 * and BS elements kept as strings.  Returns NULL with err set. */
static json_t *aws_ddb_array_to_json(const json_t *list, aws_ddb_type_t type, aws_error_t *err)
{
    json_t *out = json_array(), *v, *item;
    size_t i;

    if (out == NULL) {
        aws_error_set(err, AWS_ERR_NOMEM, "out of memory converting DynamoDB JSON");
        return NULL;
    }
    json_array_foreach(list, i, v)
    {
        if (type == AWS_DDB_L) {
            item = aws_ddb_to_json(v, err);
        } else if (!json_is_string(v)) {
            aws_error_set(err, AWS_ERR_PARSE, "DynamoDB set element is not a string");
            item = NULL;
        } else if (type != AWS_DDB_NS
                   || (item = aws_ddb_number_json(json_string_value(v))) == NULL) {
            item = json_copy(v);
        }
        if (item == NULL || json_array_append_new(out, item) != 0) {
            if (err->kind == AWS_ERR_NONE) {
                aws_error_set(err, AWS_ERR_NOMEM, "out of memory converting DynamoDB JSON");
            }
            json_decref(out);
            return NULL;
        }
    }
    return out;
}

json_t *aws_ddb_to_json(const json_t *typed, aws_error_t *err)
{
    const char *tag = "", *key;
    json_t *m = aws_ddb_member(typed, &tag), *out = NULL, *v, *item;
    aws_ddb_type_t type = aws_ddb_type(typed);

    aws_error_clear(err);
    switch (type) {
    case AWS_DDB_S:
    case AWS_DDB_B: out = json_is_string(m) ? json_copy(m) : NULL; break;
    case AWS_DDB_N:
        if (json_is_string(m) && (out = aws_ddb_number_json(json_string_value(m))) == NULL) {
            out = json_copy(m);
        }
        break;
    case AWS_DDB_BOOL: out = json_is_boolean(m) ? json_boolean(json_is_true(m)) : NULL; break;
    case AWS_DDB_NULL: out = json_is_true(m) ? json_null() : NULL; break;
    case AWS_DDB_M:
        if (json_is_object(m) && (out = json_object()) != NULL) {
            json_object_foreach(m, key, v)
            {
                if ((item = aws_ddb_to_json(v, err)) == NULL
                    || json_object_set_new(out, key, item) != 0) {
                    json_decref(out);
                    return NULL;
                }
            }
        }
        break;
    case AWS_DDB_L:
    case AWS_DDB_SS:
    case AWS_DDB_NS:
    case AWS_DDB_BS:
        if (json_is_array(m)) {
            return aws_ddb_array_to_json(m, type, err);
        }
        break;
    default: break;
    }
    if (out == NULL && err->kind == AWS_ERR_NONE) {
        aws_error_set(err, AWS_ERR_PARSE, "malformed DynamoDB attribute value%s%s",
                      tag[0] ? " of type " : "", tag);
    }
    return out;
}

const char *aws_ddb_item_s(const json_t *item, const char *name)
{
    json_t *v = json_object_get(item, name);

    return aws_ddb_type(v) == AWS_DDB_S ? json_string_value(json_object_get(v, "S")) : NULL;
}

int aws_ddb_item_n(const json_t *item, const char *name, long long *out)
{
    json_t *v = json_object_get(item, name);
    const char *text;
    char *end;
    long long n;

    if (aws_ddb_type(v) != AWS_DDB_N
        || (text = json_string_value(json_object_get(v, "N"))) == NULL) {
        return -1;
    }
    errno = 0;
    n = strtoll(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0') {
        return -1;
    }
    *out = n;
    return 0;
}

int aws_ddb_item_bool(const json_t *item, const char *name)
{
    json_t *v = json_object_get(item, name);

    if (aws_ddb_type(v) != AWS_DDB_BOOL || !json_is_boolean(json_object_get(v, "BOOL"))) {
        return -1;
    }
    return json_is_true(json_object_get(v, "BOOL"));
}

json_t *aws_ddb_item_m(const json_t *item, const char *name)
{
    json_t *v = json_object_get(item, name);

    return aws_ddb_type(v) == AWS_DDB_M && json_is_object(json_object_get(v, "M"))
               ? json_object_get(v, "M")
               : NULL;
}
