/*
 * sigv4-suite — checks aws/sigv4.c against AWS signing test-suite folders.
 *
 *   sigv4-suite DIR...
 *   sigv4-suite -h | --help
 *
 * Every DIR is searched recursively for cases in either layout:
 *
 *   aws-c-auth (v4):  a folder holding context.json + request.txt and the
 *                     expected header-*.txt / query-*.txt files; checked
 *                     for header signing and, when query-*.txt exist,
 *                     presigning;
 *   classic:          NAME.req next to NAME.creq, NAME.sts, NAME.authz
 *                     (NAME.sreq is not needed), signed with the suite's
 *                     fixed key AKIDEXAMPLE, us-east-1, "service",
 *                     20150830T123600Z.
 *
 * For each case and mode the canonical request, string to sign and
 * signature/Authorization are compared byte for byte; every mismatch
 * prints one line with where it differs.  The last line is exactly
 * "N passed, N failed"; the exit status is 1 when anything failed or no
 * case was found.
 */
#define _GNU_SOURCE /* strptime */

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include <jansson.h>

#include "aws_buf.h"
#include "aws_request.h"
#include "sigv4.h"

#define SUITE_MAX_DEPTH 32
#define SUITE_MAX_FILE  (16 * 1024 * 1024)
#define SUITE_SIG_PARAM "X-Amz-Signature="

/* The classic suite's fixed signing context (its README). */
#define CLASSIC_KEY     "AKIDEXAMPLE"
#define CLASSIC_SECRET  "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define CLASSIC_REGION  "us-east-1"
#define CLASSIC_SERVICE "service"
#define CLASSIC_TIME    1440938160 /* 2015-08-30T12:36:00Z */

/* One case's signing context. */
typedef struct {
    aws_credentials_t creds;
    char region[64];
    char service[64];
    time_t now;
    long expires;
    aws_sigv4_options_t opts;
} suite_ctx_t;

/* A parsed request file. */
typedef struct {
    char method[16];
    char *target;  /* path[?query] as written */
    char **names;  /* unique names, first-seen order */
    char **values; /* repeats joined with ',' */
    size_t nheaders;
    char *body;
    size_t body_len;
} suite_req_t;

static unsigned long suite_passed, suite_failed;

/* Reads PATH whole into a NUL-terminated malloc'ed buffer with every
 * '\r' removed (Windows line endings).  Returns it (length in *len), or
 * NULL when the file cannot be read. */
static char *suite_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    aws_buf_t b = AWS_BUF_INIT;
    char chunk[8192];
    size_t n, i, w;

    if (f == NULL) {
        return NULL;
    }
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        if (b.len + n > SUITE_MAX_FILE || aws_buf_append(&b, chunk, n) != 0) {
            fclose(f);
            aws_buf_free(&b);
            return NULL;
        }
    }
    if (ferror(f) || aws_buf_append(&b, "", 0) != 0) {
        fclose(f);
        aws_buf_free(&b);
        return NULL;
    }
    fclose(f);
    for (i = w = 0; i < b.len; i++) {
        if (b.data[i] != '\r') {
            b.data[w++] = b.data[i];
        }
    }
    b.data[w] = '\0';
    *len = w;
    return b.data;
}

/* Reads an expected-result file: as suite_read_file, trailing newlines
 * dropped.  Returns NULL when it does not exist. */
static char *suite_read_expected(const char *path)
{
    size_t len;
    char *s = suite_read_file(path, &len);

    while (s != NULL && len > 0 && s[len - 1] == '\n') {
        s[--len] = '\0';
    }
    return s;
}

/* Writes S (at most 60 bytes) with control and non-ASCII bytes escaped. */
static void suite_print_escaped(const char *s, size_t len)
{
    size_t i;

    for (i = 0; i < len && i < 60; i++) {
        unsigned char c = (unsigned char) s[i];
        if (c == '\n') {
            fputs("\\n", stdout);
        } else if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') {
            printf("\\x%02x", c);
        } else {
            putchar(c);
        }
    }
    if (len > 60) {
        fputs("...", stdout);
    }
}

/* Compares GOT with EXPECTED; on a mismatch prints one FAIL line naming
 * the case, mode and what differs, with the line and column of the first
 * difference and both texts from a little before it.  Returns 1 when
 * equal. */
static int suite_check(const char *name, const char *mode, const char *what, const char *expected,
                       const char *got)
{
    size_t i = 0, line = 1, col = 1, ls = 0, from;

    if (strcmp(expected, got) == 0) {
        return 1;
    }
    for (; expected[i] && expected[i] == got[i]; i++) {
        col++;
        if (expected[i] == '\n') {
            line++;
            col = 1;
            ls = i + 1;
        }
    }
    from = i - ls > 20 ? i - 20 : ls;
    printf("FAIL %s [%s] %s differs at line %zu col %zu: expected \"%s", name, mode, what, line,
           col, from > ls ? "..." : "");
    suite_print_escaped(expected + from, strlen(expected + from));
    printf("\" got \"%s", from > ls ? "..." : "");
    suite_print_escaped(got + from, strlen(got + from));
    fputs("\"\n", stdout);
    return 0;
}

/* Prints a FAIL line for a case that could not be run and counts it. */
static void suite_fail(const char *name, const char *mode, const char *msg)
{
    printf("FAIL %s [%s] %s\n", name, mode, msg);
    suite_failed++;
}

static void suite_req_free(suite_req_t *r)
{
    size_t i;

    for (i = 0; i < r->nheaders; i++) {
        free(r->names[i]);
        free(r->values[i]);
    }
    free(r->names);
    free(r->values);
    free(r->target);
    free(r->body);
    memset(r, 0, sizeof(*r));
}

/* Returns a copy of S[0..len) without leading and trailing SP/HT. */
static char *suite_strip(const char *s, size_t len)
{
    while (len > 0 && (*s == ' ' || *s == '\t')) {
        s++;
        len--;
    }
    while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t')) {
        len--;
    }
    return strndup(s, len);
}

/* Adds header NAME: VALUE (both taken over), joining VALUE with ',' to an
 * earlier header of the same name (RFC 9110 5.3).  Returns the index of
 * that header, or -1 when memory runs out (NAME and VALUE then still
 * belong to the caller). */
static long suite_req_add(suite_req_t *r, char *name, char *value)
{
    size_t i;
    char **nn, **nv, *joined;

    for (i = 0; i < r->nheaders; i++) {
        if (strcasecmp(r->names[i], name) == 0) {
            joined = malloc(strlen(r->values[i]) + strlen(value) + 2);
            if (joined == NULL) {
                return -1;
            }
            sprintf(joined, "%s,%s", r->values[i], value);
            free(r->values[i]);
            free(value);
            free(name);
            r->values[i] = joined;
            return (long) i;
        }
    }
    nn = realloc(r->names, (r->nheaders + 1) * sizeof(*nn));
    if (nn == NULL) {
        return -1;
    }
    r->names = nn;
    nv = realloc(r->values, (r->nheaders + 1) * sizeof(*nv));
    if (nv == NULL) {
        return -1;
    }
    r->values = nv;
    r->names[r->nheaders] = name;
    r->values[r->nheaders] = value;
    return (long) r->nheaders++;
}

/* Parses TEXT (an HTTP/1.1 request, '\r' already removed) into R:
 * request line "METHOD TARGET HTTP/x.y" (TARGET may hold spaces), header
 * lines "Name:value" with folded continuation lines (leading SP/HT,
 * joined by one space), a blank line, and the body.  Returns 0, or -1
 * with a message in err. */
static int suite_parse_request(const char *text, size_t len, suite_req_t *r, char *err,
                               size_t errlen)
{
    const char *p = text, *end = text + len, *eol, *sp1, *sp2, *colon;
    char *name, *value, *folded;
    long last = -1;

    memset(r, 0, sizeof(*r));
    eol = memchr(p, '\n', (size_t) (end - p));
    eol = eol ? eol : end;
    sp1 = memchr(p, ' ', (size_t) (eol - p));
    for (sp2 = eol; sp2 > p && sp2[-1] != ' '; sp2--) {
        /* find the last space of the request line */
    }
    if (sp1 == NULL || sp2 - 1 <= sp1 || (size_t) (sp1 - p) >= sizeof(r->method)
        || strncmp(sp2, "HTTP/", 5) != 0) {
        snprintf(err, errlen, "request line is not \"METHOD TARGET HTTP/x.y\"");
        return -1;
    }
    memcpy(r->method, p, (size_t) (sp1 - p));
    r->target = strndup(sp1 + 1, (size_t) (sp2 - 1 - (sp1 + 1)));
    if (r->target == NULL) {
        goto nomem;
    }

    for (p = eol < end ? eol + 1 : end; p < end; p = eol < end ? eol + 1 : end) {
        eol = memchr(p, '\n', (size_t) (end - p));
        eol = eol ? eol : end;
        if (eol == p) { /* blank line: body follows */
            p = eol + 1;
            r->body_len = (size_t) (end - p);
            r->body = malloc(r->body_len + 1);
            if (r->body == NULL) {
                goto nomem;
            }
            memcpy(r->body, p, r->body_len); /* may hold NUL bytes */
            r->body[r->body_len] = '\0';
            return 0;
        }
        if (*p == ' ' || *p == '\t') { /* obs-fold continuation */
            if (last < 0) {
                snprintf(err, errlen, "continuation line before any header");
                goto fail;
            }
            value = suite_strip(p, (size_t) (eol - p));
            folded = value ? malloc(strlen(r->values[last]) + strlen(value) + 2) : NULL;
            if (folded == NULL) {
                free(value);
                goto nomem;
            }
            sprintf(folded, "%s %s", r->values[last], value);
            free(value);
            free(r->values[last]);
            r->values[last] = folded;
            continue;
        }
        colon = memchr(p, ':', (size_t) (eol - p));
        if (colon == NULL || colon == p) {
            snprintf(err, errlen, "header line without a name and ':'");
            goto fail;
        }
        name = strndup(p, (size_t) (colon - p));
        value = suite_strip(colon + 1, (size_t) (eol - colon - 1));
        if (name == NULL || value == NULL) {
            free(name);
            free(value);
            goto nomem;
        }
        last = suite_req_add(r, name, value);
        if (last < 0) {
            free(name);
            free(value);
            goto nomem;
        }
    }
    r->body = strdup("");
    if (r->body != NULL) {
        return 0;
    }

nomem:
    snprintf(err, errlen, "out of memory");
fail:
    suite_req_free(r);
    return -1;
}

/* Builds the aws_request_t for R under CTX.  Returns 0, or -1 with err. */
static int suite_build(const suite_req_t *r, const suite_ctx_t *ctx, aws_request_t *req, char *err,
                       size_t errlen)
{
    const char *host = NULL, *q;
    aws_buf_t endpoint = AWS_BUF_INIT;
    char *path;
    size_t i;
    int rc;

    for (i = 0; i < r->nheaders; i++) {
        if (strcasecmp(r->names[i], "host") == 0) {
            host = r->values[i];
        }
    }
    if (host == NULL) {
        snprintf(err, errlen, "request has no Host header");
        return -1;
    }
    q = strchr(r->target, '?');
    path = strndup(r->target, q ? (size_t) (q - r->target) : strlen(r->target));
    if (path == NULL || aws_buf_printf(&endpoint, "https://%s", host) != 0) {
        free(path);
        aws_buf_free(&endpoint);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    rc = aws_request_init(req, r->method, endpoint.data, path, ctx->service, ctx->region, err,
                          errlen);
    free(path);
    aws_buf_free(&endpoint);
    if (rc != 0) {
        return -1;
    }
    for (i = 0; i < r->nheaders; i++) {
        if (aws_request_set_header(req, r->names[i], r->values[i]) != 0) {
            goto nomem;
        }
    }
    if ((q && aws_request_set_query(req, q + 1) != 0)
        || aws_request_set_body(req, r->body, r->body_len) != 0) {
        goto nomem;
    }
    return 0;

nomem:
    aws_request_free(req);
    snprintf(err, errlen, "out of memory");
    return -1;
}

/* Returns the value of the first line of TEXT that starts with PREFIX
 * (case-insensitive), up to the end of that line, as a malloc'ed copy,
 * or NULL. */
static char *suite_find_line(const char *text, const char *prefix)
{
    const char *p = text;
    size_t plen = strlen(prefix);

    for (; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
        if (strncasecmp(p, prefix, plen) == 0) {
            return strndup(p + plen, strcspn(p + plen, "\n"));
        }
    }
    return NULL;
}

/* Runs one case in one mode ("header" or "query") and counts the result.
 * FILES holds the expected canonical request, string to sign, signature
 * and signed request (any may be NULL: not checked; the canonical
 * request is required). */
static void suite_run(const char *name, const char *mode, const suite_req_t *r,
                      const suite_ctx_t *ctx, const char *creq, const char *sts, const char *sig,
                      const char *signed_text, const char *authz)
{
    aws_sigv4_trace_t trace = AWS_SIGV4_TRACE_INIT;
    aws_request_t req;
    char err[256], *want = NULL;
    const char *mark, *got_sig;
    int ok = 1, query = strcmp(mode, "query") == 0, rc;

    if (suite_build(r, ctx, &req, err, sizeof(err)) != 0) {
        suite_fail(name, mode, err);
        return;
    }
    rc = query
             ? aws_sigv4_presign_ex(&req, &ctx->creds, ctx->now, ctx->expires, &ctx->opts, &trace,
                                    err, sizeof(err))
             : aws_sigv4_sign_ex(&req, &ctx->creds, ctx->now, &ctx->opts, &trace, err, sizeof(err));
    if (rc != 0) {
        suite_fail(name, mode, err);
        goto done;
    }
    ok &= suite_check(name, mode, "canonical request", creq, trace.canonical_request.data);
    if (sts) {
        ok &= suite_check(name, mode, "string to sign", sts, trace.string_to_sign.data);
    }
    if (sig) {
        ok &= suite_check(name, mode, "signature", sig, trace.signature);
    }
    if (!query && authz == NULL && signed_text != NULL) {
        want = suite_find_line(signed_text, "Authorization:");
        authz = want;
    }
    if (!query && authz) {
        const char *got = aws_request_header(&req, "Authorization");
        ok &= suite_check(name, mode, "Authorization", authz, got ? got : "");
    }
    if (query && signed_text && (mark = strstr(signed_text, SUITE_SIG_PARAM)) != NULL) {
        mark += strlen(SUITE_SIG_PARAM);
        want = strndup(mark, strcspn(mark, "& \n"));
        got_sig = strstr(req.query, SUITE_SIG_PARAM);
        ok &= want != NULL
              && suite_check(name, mode, "URL X-Amz-Signature", want,
                             got_sig ? got_sig + strlen(SUITE_SIG_PARAM) : "");
    }
    if (ok) {
        suite_passed++;
    } else {
        suite_failed++;
    }

done:
    free(want);
    aws_sigv4_trace_free(&trace);
    aws_request_free(&req);
}

/* Parses an ISO-8601 UTC time "YYYY-MM-DDTHH:MM:SSZ".  Returns 0 or -1. */
static int suite_parse_time(const char *s, time_t *out)
{
    struct tm tm;
    char *end;

    memset(&tm, 0, sizeof(tm));
    end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm);
    if (end == NULL || *end != '\0') {
        return -1;
    }
    *out = timegm(&tm);
    return 0;
}

/* Copies the string member KEY of OBJ into dst (dstlen bytes).  Returns
 * 0, 1 when it is absent and OPTIONAL, or -1 (missing or too long). */
static int suite_json_str(json_t *obj, const char *key, char *dst, size_t dstlen, int optional)
{
    const char *s = json_string_value(json_object_get(obj, key));

    if (s == NULL) {
        return optional ? 1 : -1;
    }
    if (strlen(s) >= dstlen) {
        return -1;
    }
    memcpy(dst, s, strlen(s) + 1);
    return 0;
}

/* Loads DIR/context.json into CTX.  Returns 0, or -1 with err. */
static int suite_load_context(const char *dir, suite_ctx_t *ctx, char *err, size_t errlen)
{
    char path[4096], ts[64];
    json_error_t jerr;
    json_t *root, *creds, *v;
    int rc = -1;

    snprintf(path, sizeof(path), "%s/context.json", dir);
    root = json_load_file(path, 0, &jerr);
    if (root == NULL) {
        snprintf(err, errlen, "context.json line %d: %s", jerr.line, jerr.text);
        return -1;
    }
    memset(ctx, 0, sizeof(*ctx));
    creds = json_object_get(root, "credentials");
    if (suite_json_str(creds, "access_key_id", ctx->creds.access_key_id,
                       sizeof(ctx->creds.access_key_id), 0)
            < 0
        || suite_json_str(creds, "secret_access_key", ctx->creds.secret_access_key,
                          sizeof(ctx->creds.secret_access_key), 0)
               < 0
        || suite_json_str(creds, "token", ctx->creds.session_token,
                          sizeof(ctx->creds.session_token), 1)
               < 0
        || suite_json_str(root, "region", ctx->region, sizeof(ctx->region), 0) < 0
        || suite_json_str(root, "service", ctx->service, sizeof(ctx->service), 0) < 0
        || suite_json_str(root, "timestamp", ts, sizeof(ts), 0) < 0
        || suite_parse_time(ts, &ctx->now) != 0) {
        snprintf(err, errlen, "context.json lacks credentials, region, service or timestamp");
        goto done;
    }
    ctx->opts.normalize_path = json_is_true(json_object_get(root, "normalize"));
    ctx->opts.sign_payload = json_is_true(json_object_get(root, "sign_body"));
    v = json_object_get(root, "double_uri_encode");
    ctx->opts.double_encode = v == NULL || json_is_true(v);
    v = json_object_get(root, "expiration_in_seconds");
    ctx->expires = json_is_integer(v) ? (long) json_integer_value(v) : 3600;
    if (json_is_true(json_object_get(root, "omit_session_token"))) {
        ctx->creds.session_token[0] = '\0';
    }
    rc = 0;

done:
    json_decref(root);
    return rc;
}

/* Runs the aws-c-auth style case in DIR (named NAME in output). */
static void suite_v4_case(const char *dir, const char *name)
{
    static const char *modes[] = { "header", "query" };
    char path[4096], err[256], *text, *f[4];
    suite_ctx_t ctx;
    suite_req_t r;
    size_t len, m, i;
    static const char *files[] = { "canonical-request", "string-to-sign", "signature",
                                   "signed-request" };

    snprintf(path, sizeof(path), "%s/request.txt", dir);
    text = suite_read_file(path, &len);
    if (text == NULL) {
        suite_fail(name, "load", "cannot read request.txt");
        return;
    }
    if (suite_load_context(dir, &ctx, err, sizeof(err)) != 0
        || suite_parse_request(text, len, &r, err, sizeof(err)) != 0) {
        free(text);
        suite_fail(name, "load", err);
        return;
    }
    free(text);

    for (m = 0; m < 2; m++) {
        for (i = 0; i < 4; i++) {
            snprintf(path, sizeof(path), "%s/%s-%s.txt", dir, modes[m], files[i]);
            f[i] = suite_read_expected(path);
        }
        if (f[0] != NULL) {
            suite_run(name, modes[m], &r, &ctx, f[0], f[1], f[2], f[3], NULL);
        } else if (m == 0) {
            suite_fail(name, "header", "no header-canonical-request.txt");
        }
        for (i = 0; i < 4; i++) {
            free(f[i]);
        }
    }
    suite_req_free(&r);
}

/* Runs the classic case DIR/BASE.req (named NAME in output). */
static void suite_classic_case(const char *dir, const char *base, const char *name)
{
    static const char *exts[] = { "creq", "sts", "authz" };
    char path[4096], err[256], *text, *f[3];
    suite_ctx_t ctx;
    suite_req_t r;
    size_t len, i;

    memset(&ctx, 0, sizeof(ctx));
    snprintf(ctx.creds.access_key_id, sizeof(ctx.creds.access_key_id), "%s", CLASSIC_KEY);
    snprintf(ctx.creds.secret_access_key, sizeof(ctx.creds.secret_access_key), "%s",
             CLASSIC_SECRET);
    snprintf(ctx.region, sizeof(ctx.region), "%s", CLASSIC_REGION);
    snprintf(ctx.service, sizeof(ctx.service), "%s", CLASSIC_SERVICE);
    ctx.now = CLASSIC_TIME;
    ctx.opts.normalize_path = 1;
    ctx.opts.double_encode = 1;

    snprintf(path, sizeof(path), "%s/%s.req", dir, base);
    text = suite_read_file(path, &len);
    if (text == NULL) {
        suite_fail(name, "load", "cannot read the .req file");
        return;
    }
    if (suite_parse_request(text, len, &r, err, sizeof(err)) != 0) {
        free(text);
        suite_fail(name, "load", err);
        return;
    }
    free(text);
    for (i = 0; i < 3; i++) {
        snprintf(path, sizeof(path), "%s/%s.%s", dir, base, exts[i]);
        f[i] = suite_read_expected(path);
    }
    if (f[0] == NULL) {
        suite_fail(name, "header", "no .creq file");
    } else {
        suite_run(name, "header", &r, &ctx, f[0], f[1], NULL, NULL, f[2]);
    }
    for (i = 0; i < 3; i++) {
        free(f[i]);
    }
    suite_req_free(&r);
}

/* qsort comparator for directory entry names. */
static int suite_name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *) a, *(char *const *) b);
}

/* Runs every case in DIR and below (at most SUITE_MAX_DEPTH levels, in
 * name order).  NAME is DIR relative to the argument, for output.
 * Returns the number of cases found. */
static unsigned long suite_walk(const char *dir, const char *name, int depth)
{
    char **names = NULL, **nn, path[4096], sub[4096];
    size_t n = 0, i, len;
    unsigned long found = 0;
    struct dirent *de;
    struct stat st;
    DIR *d;

    d = opendir(dir);
    if (d == NULL) {
        printf("FAIL %s: cannot open directory: %s\n", dir, strerror(errno));
        suite_failed++;
        return 0;
    }
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.') {
            continue;
        }
        nn = realloc(names, (n + 1) * sizeof(*names));
        if (nn == NULL || (nn[n] = strdup(de->d_name)) == NULL) {
            names = nn ? nn : names;
            printf("FAIL %s: out of memory\n", dir);
            suite_failed++;
            break;
        }
        names = nn;
        n++;
    }
    closedir(d);
    if (n > 1) {
        qsort(names, n, sizeof(*names), suite_name_cmp);
    }

    snprintf(path, sizeof(path), "%s/request.txt", dir);
    if (stat(path, &st) == 0) {
        suite_v4_case(dir, name);
        found++;
    }
    for (i = 0; i < n; i++) {
        len = strlen(names[i]);
        if (len > 4 && strcmp(names[i] + len - 4, ".req") == 0) {
            names[i][len - 4] = '\0';
            snprintf(sub, sizeof(sub), "%s/%s", name, names[i]);
            suite_classic_case(dir, names[i], sub);
            found++;
            continue;
        }
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        if (depth < SUITE_MAX_DEPTH && stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
            snprintf(sub, sizeof(sub), "%s/%s", name, names[i]);
            found += suite_walk(path, sub, depth + 1);
        }
    }
    for (i = 0; i < n; i++) {
        free(names[i]);
    }
    free(names);
    return found;
}

/* Prints the usage line to OUT. */
static void suite_usage(FILE *out, const char *argv0)
{
    fprintf(out,
            "usage: %s SUITE_DIR...\n"
            "  checks aws/sigv4.c against AWS SigV4 test-suite folders;\n"
            "  the last line is \"N passed, N failed\"\n",
            argv0);
}

int main(int argc, char **argv)
{
    struct stat st;
    int i;

    if (argc >= 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
        suite_usage(stdout, argv[0]);
        return 0;
    }
    if (argc < 2 || argv[1][0] == '-') {
        suite_usage(stderr, argv[0]);
        return 2;
    }
    for (i = 1; i < argc; i++) {
        if (stat(argv[i], &st) != 0 || !S_ISDIR(st.st_mode)) {
            printf("FAIL %s: not a directory\n", argv[i]);
            suite_failed++;
        } else if (suite_walk(argv[i], argv[i], 0) == 0) {
            printf("FAIL %s: no test cases found\n", argv[i]);
            suite_failed++;
        }
    }
    printf("%lu passed, %lu failed\n", suite_passed, suite_failed);
    return suite_failed ? 1 : 0;
}
