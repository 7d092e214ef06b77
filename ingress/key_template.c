/*
 * key_template — expanding and checking object key templates.
 * See key_template.h.
 */
#include "key_template.h"

#include <stdio.h>
#include <string.h>

#include "utf8.h"

enum {
    KV_ID = 0,
    KV_EXT,
    KV_YYYY,
    KV_MM,
    KV_DD,
    KV_HH,
    KV_SHA256,
    KV_SHA256_8,
    KV_REQUEST_ID,
    KV_COUNT
};

static const char *const kt_names[KV_COUNT] = { "id", "ext",    "yyyy",     "mm",        "dd",
                                                "hh", "sha256", "sha256_8", "request_id" };

/* Returns the index of the variable named by the len bytes at name, or
 * -1 when there is none. */
static int kt_lookup(const char *name, size_t len)
{
    int i;

    for (i = 0; i < KV_COUNT; i++) {
        if (strlen(kt_names[i]) == len && memcmp(kt_names[i], name, len) == 0) {
            return i;
        }
    }
    return -1;
}

/* Returns non-zero when c may appear as literal template text. */
static int kt_literal_ok(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
           || (c != '\0' && strchr("/._-=!*'()", c) != NULL);
}

/* Returns non-zero when c may appear in a variable's value. */
static int kt_value_ok(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
           || (c != '\0' && strchr("/._-", c) != NULL);
}

/* Finds the value of variable var: *val and *vlen point at it (buf, of
 * buflen bytes, holds formatted dates).  Returns 0, or -1 with err set
 * when the value is missing, empty or holds a disallowed character. */
static int kt_value(int var, const ing_key_vars_t *v, char *buf, size_t buflen, const char **val,
                    size_t *vlen, char *err, size_t errlen)
{
    struct tm tm;
    const char *s = NULL;
    size_t i;

    switch (var) {
    case KV_ID: s = v->id; break;
    case KV_EXT: s = v->ext; break;
    case KV_SHA256: s = v->sha256; break;
    case KV_SHA256_8: s = v->sha256; break;
    case KV_REQUEST_ID: s = v->request_id; break;
    default:
        if (gmtime_r(&v->time, &tm) == NULL) {
            snprintf(err, errlen, "key template: time out of range");
            return -1;
        }
        snprintf(buf, buflen, "%0*d", var == KV_YYYY ? 4 : 2,
                 var == KV_YYYY ? tm.tm_year + 1900
                 : var == KV_MM ? tm.tm_mon + 1
                 : var == KV_DD ? tm.tm_mday
                                : tm.tm_hour);
        s = buf;
        break;
    }
    if (s == NULL) {
        snprintf(err, errlen, "key template: variable {%s} has no value", kt_names[var]);
        return -1;
    }
    *vlen = strlen(s);
    if (var == KV_SHA256_8) {
        if (*vlen < 8) {
            snprintf(err, errlen, "key template: {sha256_8} needs a SHA-256 of 8+ hex digits");
            return -1;
        }
        *vlen = 8;
    }
    if (*vlen == 0) {
        snprintf(err, errlen, "key template: variable {%s} is empty", kt_names[var]);
        return -1;
    }
    for (i = 0; i < *vlen; i++) {
        if (!kt_value_ok((unsigned char) s[i])) {
            snprintf(err, errlen,
                     "key template: variable {%s} holds a character not allowed "
                     "in keys (0x%02x)",
                     kt_names[var], (unsigned char) s[i]);
            return -1;
        }
    }
    *val = s;
    return 0;
}

/* Walks tpl checking its syntax; when vars is not NULL also expands it
 * into out (outlen bytes).  Returns 0, or -1 with err set. */
static int kt_walk(const char *tpl, const ing_key_vars_t *vars, char *out, size_t outlen, char *err,
                   size_t errlen)
{
    const char *s = tpl, *close, *val;
    char buf[16];
    size_t olen = 0, vlen;
    int var;

    if (*tpl == '\0') {
        snprintf(err, errlen, "key template is empty");
        return -1;
    }
    if (*tpl == '/') {
        snprintf(err, errlen, "key template starts with '/'");
        return -1;
    }
    if (strstr(tpl, "..") != NULL) {
        snprintf(err, errlen, "key template contains \"..\"");
        return -1;
    }
    while (*s != '\0') {
        if (*s == '{') {
            close = strchr(s, '}');
            if (close == NULL) {
                snprintf(err, errlen, "key template: '{' without '}'");
                return -1;
            }
            var = kt_lookup(s + 1, (size_t) (close - s - 1));
            if (var < 0) {
                snprintf(err, errlen, "key template: unknown variable {%.*s}",
                         (int) (close - s - 1 > 64 ? 64 : close - s - 1), s + 1);
                return -1;
            }
            s = close + 1;
            if (vars == NULL) {
                continue;
            }
            if (kt_value(var, vars, buf, sizeof(buf), &val, &vlen, err, errlen) != 0) {
                return -1;
            }
        } else if (*s == '}') {
            snprintf(err, errlen, "key template: '}' without '{'");
            return -1;
        } else if (!kt_literal_ok((unsigned char) *s)) {
            snprintf(err, errlen, "key template: character 0x%02x not allowed", (unsigned char) *s);
            return -1;
        } else {
            val = s++;
            vlen = 1;
            if (vars == NULL) {
                continue;
            }
        }
        if (vlen >= outlen - olen || olen + vlen > ING_KEY_MAX) {
            snprintf(err, errlen, "key template: expanded key too long");
            return -1;
        }
        memcpy(out + olen, val, vlen);
        olen += vlen;
    }
    if (vars != NULL) {
        out[olen] = '\0';
    }
    return 0;
}

int ing_key_template_check(const char *tpl, char *err, size_t errlen)
{
    return kt_walk(tpl, NULL, NULL, 0, err, errlen);
}

int ing_key_expand(const char *tpl, const ing_key_vars_t *vars, char *out, size_t outlen, char *err,
                   size_t errlen)
{
    if (outlen == 0) {
        snprintf(err, errlen, "key template: no room for the key");
        return -1;
    }
    if (kt_walk(tpl, vars, out, outlen, err, errlen) != 0) {
        return -1;
    }
    return ing_key_check(out, err, errlen);
}

int ing_key_value_check(const char *name, const char *val, size_t len, char *err, size_t errlen)
{
    size_t i;

    for (i = 0; i < len; i++) {
        if (val[i] == '/' || !kt_literal_ok((unsigned char) val[i])) {
            snprintf(err, errlen,
                     "the value of $%s holds a character not allowed in a key "
                     "segment (0x%02x)",
                     name, (unsigned char) val[i]);
            return -1;
        }
    }
    return 0;
}

int ing_key_check(const char *key, char *err, size_t errlen)
{
    size_t len = strlen(key), i;
    const char *why = NULL;

    if (len == 0) {
        why = "is empty";
    } else if (len > ING_KEY_MAX) {
        why = "is longer than 1024 bytes";
    } else if (!ing_utf8_valid(key, len)) {
        why = "is not valid UTF-8";
    } else if (key[0] == '/') {
        why = "starts with '/'";
    } else if (key[len - 1] == '/') {
        why = "ends with '/'";
    } else if (strstr(key, "//") != NULL) {
        why = "has an empty path segment";
    } else if (strstr(key, "..") != NULL) {
        why = "contains \"..\"";
    } else if (strcmp(key, ".") == 0 || strncmp(key, "./", 2) == 0 || strstr(key, "/./") != NULL
               || (len >= 2 && strcmp(key + len - 2, "/.") == 0)) {
        why = "has a \".\" path segment";
    } else {
        for (i = 0; i < len; i++) {
            if ((unsigned char) key[i] < 0x20 || key[i] == 0x7f) {
                why = "contains a control character";
                break;
            }
            if (key[i] == '\\') {
                why = "contains a backslash";
                break;
            }
        }
    }
    if (why != NULL) {
        snprintf(err, errlen, "object key %s", why);
        return -1;
    }
    return 0;
}
