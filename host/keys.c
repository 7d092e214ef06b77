/*
 * keys — deterministic derivative keys and safe local paths.  See keys.h.
 */
#include "keys.h"

#include <stdio.h>
#include <string.h>

#define S3_KEY_MAX  1024
#define SEGMENT_MAX 255

int host_suffix_valid(const char *suffix)
{
    size_t n = strlen(suffix);

    if (n == 0 || n > HOST_SUFFIX_MAX || strcmp(suffix, ".") == 0 || strcmp(suffix, "..") == 0)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = suffix[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.'
              || c == '_' || c == '-'))
            return 0;
    }
    return 1;
}

size_t host_key_stem_length(const char *key)
{
    const char *slash = strrchr(key, '/');
    const char *seg = slash != NULL ? slash + 1 : key;
    const char *dot = strrchr(seg, '.');

    if (dot == NULL || dot == seg)
        return strlen(key);
    return (size_t) (dot - key);
}

long host_key_derive(const char *prefix, const char *key, const char *route, const char *suffix,
                     char *out, size_t outlen)
{
    size_t stem = host_key_stem_length(key);
    int n;

    if (stem > S3_KEY_MAX)
        return -1;
    n = snprintf(out, outlen, "%s%.*s/%s/%s", prefix, (int) stem, key, route, suffix);
    if (n < 0 || (size_t) n >= outlen || n > S3_KEY_MAX)
        return -1;
    return n;
}

int host_key_check_segments(const char *key, size_t segment_max, char *err, size_t errlen)
{
    const char *seg = key;

    if (*key == '/') {
        snprintf(err, errlen, "key starts with '/'");
        return -1;
    }
    for (;;) {
        const char *end = strchr(seg, '/');
        size_t len = end != NULL ? (size_t) (end - seg) : strlen(seg);

        if (len == 0 || (len == 1 && seg[0] == '.')
            || (len == 2 && seg[0] == '.' && seg[1] == '.')) {
            snprintf(err, errlen, "key has an empty, \".\" or \"..\" path segment");
            return -1;
        }
        if (segment_max > 0 && len > segment_max) {
            snprintf(err, errlen, "key has a path segment over %zu bytes", segment_max);
            return -1;
        }
        for (size_t i = 0; i < len; i++) {
            if ((unsigned char) seg[i] < 0x20 || seg[i] == 0x7f) {
                snprintf(err, errlen, "key has a control character");
                return -1;
            }
        }
        if (end == NULL)
            return 0;
        seg = end + 1;
    }
}

int host_key_local_path(const char *dir, const char *key, char *out, size_t outlen, char *err,
                        size_t errlen)
{
    int n;

    if (host_key_check_segments(key, SEGMENT_MAX, err, errlen) != 0)
        return -1;
    n = snprintf(out, outlen, "%s/%s", dir, key);
    if (n < 0 || (size_t) n >= outlen) {
        snprintf(err, errlen, "path too long");
        return -1;
    }
    return 0;
}
