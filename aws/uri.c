#include "uri.h"

#include <stdlib.h>
#include <string.h>

/* Returns 1 when C is an RFC 3986 unreserved character. */
static int aws_uri_unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'
           || c == '.' || c == '_' || c == '~';
}

/* Returns the value of hex digit C, or -1 when C is not one. */
static int aws_uri_hexval(unsigned char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

int aws_uri_encode(aws_buf_t *out, const char *s, size_t len, int keep_slash)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t i, run;
    char esc[3];

    /* allocate even for empty input, so out->data is always a C string */
    if (aws_buf_append(out, "", 0) != 0) {
        return -1;
    }
    for (i = 0; i < len; i += run) {
        /* copy the longest run of bytes that need no escaping at once */
        for (run = 0; i + run < len; run++) {
            unsigned char c = (unsigned char) s[i + run];
            if (!aws_uri_unreserved(c) && !(keep_slash && c == '/')) {
                break;
            }
        }
        if (run > 0) {
            if (aws_buf_append(out, s + i, run) != 0) {
                return -1;
            }
            continue;
        }
        esc[0] = '%';
        esc[1] = hex[(unsigned char) s[i] >> 4];
        esc[2] = hex[(unsigned char) s[i] & 0x0f];
        if (aws_buf_append(out, esc, 3) != 0) {
            return -1;
        }
        run = 1;
    }
    return 0;
}

int aws_uri_encode_param(aws_buf_t *out, const char *s)
{
    return aws_uri_encode(out, s, strlen(s), 0);
}

int aws_uri_encode_path(aws_buf_t *out, const char *s)
{
    return aws_uri_encode(out, s, strlen(s), 1);
}

int aws_uri_form_add(aws_buf_t *out, const char *name, const char *value)
{
    if ((out->len > 0 && aws_buf_append(out, "&", 1) != 0) || aws_uri_encode_param(out, name) != 0
        || aws_buf_append(out, "=", 1) != 0 || aws_uri_encode_param(out, value) != 0) {
        return -1;
    }
    return 0;
}

int aws_uri_decode(aws_buf_t *out, const char *s, size_t len)
{
    size_t i = 0, start = 0;
    int hi, lo;
    char byte;

    while (i < len) {
        if (s[i] == '%' && i + 2 < len && (hi = aws_uri_hexval((unsigned char) s[i + 1])) >= 0
            && (lo = aws_uri_hexval((unsigned char) s[i + 2])) >= 0) {
            byte = (char) (hi << 4 | lo);
            if (aws_buf_append(out, s + start, i - start) != 0
                || aws_buf_append(out, &byte, 1) != 0) {
                return -1;
            }
            i += 3;
            start = i;
        } else {
            i++;
        }
    }
    return aws_buf_append(out, s + start, len - start);
}

/* One query parameter, canonical (decoded then encoded) name and value. */
typedef struct {
    char *name;
    char *value;
} aws_uri_param_t;

/* qsort comparator: by name, then by value, byte order. */
static int aws_uri_param_cmp(const void *a, const void *b)
{
    const aws_uri_param_t *pa = a, *pb = b;
    int c = strcmp(pa->name, pb->name);

    return c != 0 ? c : strcmp(pa->value, pb->value);
}

/* Decodes s[0..len) and re-encodes it as a param into a new malloc'ed
 * string.  Returns it, or NULL when memory runs out. */
static char *aws_uri_recode(const char *s, size_t len)
{
    aws_buf_t raw = AWS_BUF_INIT, enc = AWS_BUF_INIT;

    if (aws_uri_decode(&raw, s, len) != 0 || aws_uri_encode(&enc, raw.data, raw.len, 0) != 0) {
        aws_buf_free(&raw);
        aws_buf_free(&enc);
        return NULL;
    }
    aws_buf_free(&raw);
    return enc.data;
}

int aws_uri_canonical_query(aws_buf_t *out, const char *query)
{
    aws_uri_param_t *params = NULL;
    size_t n = 0, cap = 0, i, len;
    const char *p, *end, *eq;
    int rc = -1;

    for (p = query ? query : ""; *p; p = *end ? end + 1 : end) {
        end = p + strcspn(p, "&");
        if (end == p) {
            continue;
        }
        if (n == cap) {
            aws_uri_param_t *np;
            cap = cap ? cap * 2 : 8;
            np = realloc(params, cap * sizeof(*params));
            if (np == NULL) {
                goto done;
            }
            params = np;
        }
        eq = memchr(p, '=', (size_t) (end - p));
        len = (size_t) ((eq ? eq : end) - p);
        params[n].name = aws_uri_recode(p, len);
        params[n].value =
            eq ? aws_uri_recode(eq + 1, (size_t) (end - eq - 1)) : aws_uri_recode("", 0);
        n++;
        if (params[n - 1].name == NULL || params[n - 1].value == NULL) {
            goto done;
        }
    }

    if (n > 1) {
        qsort(params, n, sizeof(*params), aws_uri_param_cmp);
    }
    if (aws_buf_append(out, "", 0) != 0) {
        goto done;
    }
    for (i = 0; i < n; i++) {
        if (aws_buf_printf(out, "%s%s=%s", i ? "&" : "", params[i].name, params[i].value) != 0) {
            goto done;
        }
    }
    rc = 0;

done:
    for (i = 0; i < n; i++) {
        free(params[i].name);
        free(params[i].value);
    }
    free(params);
    return rc;
}

int aws_uri_normalize_path(aws_buf_t *out, const char *path)
{
    /* segment start offsets into `out`, so ".." can drop the last one */
    size_t *starts = NULL, nseg = 0, cap = 0, base = out->len, seglen;
    const char *p = path, *end;
    int trailing;

    trailing = *path != '\0' && path[strlen(path) - 1] == '/';

    for (; *p; p = end) {
        while (*p == '/') {
            p++;
        }
        end = p + strcspn(p, "/");
        seglen = (size_t) (end - p);
        if (seglen == 0 || (seglen == 1 && p[0] == '.')) {
            continue;
        }
        if (seglen == 2 && p[0] == '.' && p[1] == '.') {
            if (nseg > 0) {
                out->len = starts[--nseg];
                out->data[out->len] = '\0';
            }
            continue;
        }
        if (nseg == cap) {
            size_t *ns;
            cap = cap ? cap * 2 : 8;
            ns = realloc(starts, cap * sizeof(*ns));
            if (ns == NULL) {
                free(starts);
                return -1;
            }
            starts = ns;
        }
        starts[nseg++] = out->len;
        if (aws_buf_append(out, "/", 1) != 0 || aws_buf_append(out, p, seglen) != 0) {
            free(starts);
            return -1;
        }
    }
    free(starts);

    if (out->len == base || trailing) {
        return aws_buf_append(out, "/", 1);
    }
    return 0;
}
