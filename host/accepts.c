/*
 * accepts — a plugin's declared input types.  See accepts.h.
 */
#include "accepts.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Whether c may appear in a media type's type or subtype (RFC 6838
 * restricted-name characters, lower case only). */
static int is_type_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || strchr("!#$&^_.+-", c) != NULL;
}

/* Whether S is "type/subtype": both parts 1..127 of is_type_char. */
static int is_media_type(const char *s)
{
    const char *slash = strchr(s, '/');
    size_t n = strlen(s);

    if (slash == NULL || slash == s || slash[1] == '\0' || n > 255 || (size_t) (slash - s) > 127
        || strlen(slash + 1) > 127)
        return 0;
    for (const char *p = s; *p != '\0'; p++) {
        if (p != slash && !is_type_char(*p))
            return 0;
    }
    return 1;
}

int host_accepts_check(const char *const *accepts, char *why, size_t whylen)
{
    size_t n;

    if (accepts == NULL || accepts[0] == NULL) {
        snprintf(why, whylen, "no accepted types (accepts must list at least one)");
        return -1;
    }
    for (n = 0; accepts[n] != NULL; n++) {
        if (n == HOST_ACCEPTS_MAX) {
            snprintf(why, whylen, "more than %d accepted types", HOST_ACCEPTS_MAX);
            return -1;
        }
        if (!is_media_type(accepts[n])) {
            snprintf(why, whylen, "accepted type %zu is not a lower-case \"type/subtype\"", n);
            return -1;
        }
        for (size_t k = 0; k < n; k++) {
            if (strcmp(accepts[k], accepts[n]) == 0) {
                snprintf(why, whylen, "accepted type %s is listed twice", accepts[n]);
                return -1;
            }
        }
    }
    return 0;
}

int host_accepts_has(const char *const *accepts, const char *type)
{
    size_t n;

    while (*type == ' ' || *type == '\t')
        type++;
    n = strcspn(type, ";");
    while (n > 0 && (type[n - 1] == ' ' || type[n - 1] == '\t'))
        n--;
    for (size_t i = 0; accepts[i] != NULL; i++) {
        if (strlen(accepts[i]) == n && strncasecmp(accepts[i], type, n) == 0)
            return 1;
    }
    return 0;
}

int host_accepts_refuse(const char *const *accepts, const char *name, const char *type, int sniffed,
                        char *buf, size_t len)
{
    char list[512];

    if (host_accepts_has(accepts, type))
        return 0;
    snprintf(buf, len, "%.200s%s is not a type plugin %s accepts (%s)", type,
             sniffed ? " (sniffed from the original)" : "", name,
             host_accepts_format(accepts, ", ", list, sizeof(list)));
    return 1;
}

char *host_accepts_format(const char *const *accepts, const char *sep, char *buf, size_t len)
{
    size_t at = 0;

    buf[0] = '\0';
    for (size_t i = 0; accepts[i] != NULL && at < len; i++) {
        int w = snprintf(buf + at, len - at, "%s%s", i ? sep : "", accepts[i]);

        if (w < 0)
            break;
        at += (size_t) w;
    }
    return buf;
}
