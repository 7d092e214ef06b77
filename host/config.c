/*
 * config — parse and validate prism-host's JSON configuration.
 * See config.h and docs/host-config.md.
 */
#define _GNU_SOURCE /* asprintf */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aws_names.h"
#include "json_check.h"

#define DEFAULT_VISIBILITY_TIMEOUT 30
#define DEFAULT_HEARTBEAT_MAX      900
#define DEFAULT_MAX_ATTEMPTS       5
#define DEFAULT_MAX_INPUT_BYTES    (50LL * 1024 * 1024)
#define MAX_INPUT_BYTES_LIMIT      (1024LL * 1024 * 1024)
#define DEFAULT_SHUTDOWN_GRACE     30
#define DEFAULT_BREAKER_THRESHOLD  5
#define DEFAULT_BREAKER_PROBE_BASE 1000
#define DEFAULT_BREAKER_PROBE_MAX  10000
#define DEFAULT_DECODE_BUDGET_MB   1024
#define DEFAULT_DECODE_WAIT        30
#define SQS_MAX_VISIBILITY         43200

/* ---- typed getters: each reads KEY of OBJ (at PATH) ------------------- */

/* Sets *out to a copy of the string at KEY, or NULL when it is absent and
 * not required.  Returns 0, or -1 with err set (not a string, empty,
 * missing when required, no memory). */
static int get_string(const json_t *obj, const char *path, const char *key, int required,
                      char **out, char *err, size_t errlen)
{
    char kpath[HOST_JPATH_MAX];
    json_t *v = json_object_get(obj, key);

    host_jpath_key(kpath, sizeof(kpath), path, key);
    *out = NULL;
    if (v == NULL) {
        if (required) {
            host_jerr(err, errlen, kpath, "required");
            return -1;
        }
        return 0;
    }
    if (!json_is_string(v) || json_string_length(v) == 0) {
        host_jerr_expected(err, errlen, kpath, "a non-empty string", v);
        return -1;
    }
    if (strlen(json_string_value(v)) != json_string_length(v)) {
        host_jerr(err, errlen, kpath, "contains a NUL character");
        return -1;
    }
    *out = strdup(json_string_value(v));
    if (*out == NULL) {
        host_jerr(err, errlen, kpath, "out of memory");
        return -1;
    }
    return 0;
}

/* Sets *out to the integer at KEY, within [min, max], or DEF when
 * absent.  Returns 0, or -1 with err set. */
static int get_int(const json_t *obj, const char *path, const char *key, long long min,
                   long long max, long long def, long long *out, char *err, size_t errlen)
{
    char kpath[HOST_JPATH_MAX];
    char what[96];
    json_t *v = json_object_get(obj, key);

    if (v == NULL) {
        *out = def;
        return 0;
    }
    if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max) {
        host_jpath_key(kpath, sizeof(kpath), path, key);
        snprintf(what, sizeof(what), "integer %lld..%lld", min, max);
        host_jerr_expected(err, errlen, kpath, what, v);
        return -1;
    }
    *out = json_integer_value(v);
    return 0;
}

/* get_int into an int. */
static int get_int32(const json_t *obj, const char *path, const char *key, int min, int max,
                     int def, int *out, char *err, size_t errlen)
{
    long long v;

    if (get_int(obj, path, key, min, max, def, &v, err, errlen) != 0)
        return -1;
    *out = (int) v;
    return 0;
}

/* Sets *out to the boolean at KEY, or DEF when absent.  0 or -1. */
static int get_bool(const json_t *obj, const char *path, const char *key, int def, int *out,
                    char *err, size_t errlen)
{
    char kpath[HOST_JPATH_MAX];
    json_t *v = json_object_get(obj, key);

    if (v == NULL) {
        *out = def;
        return 0;
    }
    if (!json_is_boolean(v)) {
        host_jpath_key(kpath, sizeof(kpath), path, key);
        host_jerr_expected(err, errlen, kpath, "true or false", v);
        return -1;
    }
    *out = json_is_true(v);
    return 0;
}

/* Sets *out to the object at KEY (borrowed), or NULL when absent.
 * Checks its keys against ALLOWED when given.  0 or -1. */
static int get_object(const json_t *obj, const char *path, const char *key,
                      const char *const *allowed, json_t **out, char *err, size_t errlen)
{
    char kpath[HOST_JPATH_MAX];
    json_t *v = json_object_get(obj, key);

    *out = NULL;
    if (v == NULL)
        return 0;
    host_jpath_key(kpath, sizeof(kpath), path, key);
    if (!json_is_object(v)) {
        host_jerr_expected(err, errlen, kpath, "an object", v);
        return -1;
    }
    if (allowed != NULL && host_json_known_keys(v, kpath, allowed, err, errlen) != 0)
        return -1;
    *out = v;
    return 0;
}

/* ---- value checks ------------------------------------------------------ */

/* Returns 1 when URL is "http://" or "https://" followed by a host. */
static int is_http_url(const char *url)
{
    const char *rest;

    if (strncmp(url, "https://", 8) == 0)
        rest = url + 8;
    else if (strncmp(url, "http://", 7) == 0)
        rest = url + 7;
    else
        return 0;
    if (*rest == '\0' || *rest == '/' || *rest == ':')
        return 0;
    for (const char *p = url; *p; p++)
        if ((unsigned char) *p <= 0x20 || *p == 0x7f)
            return 0;
    return 1;
}

/* get_string + is_http_url. */
static int get_url(const json_t *obj, const char *path, const char *key, int required, char **out,
                   char *err, size_t errlen)
{
    char kpath[HOST_JPATH_MAX];

    if (get_string(obj, path, key, required, out, err, errlen) != 0)
        return -1;
    if (*out != NULL && !is_http_url(*out)) {
        host_jpath_key(kpath, sizeof(kpath), path, key);
        host_jerr_expected(err, errlen, kpath, "an http:// or https:// URL",
                           json_object_get(obj, key));
        free(*out);
        *out = NULL;
        return -1;
    }
    return 0;
}

/* What the ARN S is, for an error message ("an SQS queue ARN"), or NULL
 * when S is no ARN of SNS or SQS. */
static const char *arn_kind(const char *s)
{
    char service[8];

    if (aws_arn_service(s, service, sizeof(service)) != 0)
        return NULL;
    if (strcmp(service, "sns") == 0)
        return "an SNS topic ARN";
    if (strcmp(service, "sqs") == 0)
        return "an SQS queue ARN";
    return NULL;
}

/* get_url for a queue's URL, saying so when an ARN was given instead. */
static int get_queue_url(const json_t *obj, const char *path, const char *key, char **out,
                         char *err, size_t errlen)
{
    char kpath[HOST_JPATH_MAX];
    const char *kind = NULL;
    const char *v = json_string_value(json_object_get(obj, key));

    if (v != NULL)
        kind = arn_kind(v);
    if (kind != NULL) {
        host_jpath_key(kpath, sizeof(kpath), path, key);
        host_jerr(err, errlen, kpath,
                  "expected the queue's URL "
                  "(https://sqs.REGION.amazonaws.com/ACCOUNT/NAME), got %s",
                  kind);
        return -1;
    }
    return get_url(obj, path, key, 1, out, err, errlen);
}

/* Replaces *path (malloc'd) by an absolute version, against the current
 * directory.  Returns 0, or -1 with err set (at KPATH). */
static int make_absolute(char **path, const char *kpath, char *err, size_t errlen)
{
    char cwd[PATH_MAX];
    char *abs;

    if ((*path)[0] == '/')
        return 0;
    if (getcwd(cwd, sizeof(cwd)) == NULL) {
        host_jerr(err, errlen, kpath, "cannot resolve relative path: %s", strerror(errno));
        return -1;
    }
    if (asprintf(&abs, "%s/%s", cwd, *path) < 0) {
        host_jerr(err, errlen, kpath, "out of memory");
        return -1;
    }
    free(*path);
    *path = abs;
    return 0;
}

/* get_string for a path that must name an existing file (dir = 0) or
 * directory (dir = 1); the result is absolute. */
static int get_existing_path(const json_t *obj, const char *path, const char *key, int required,
                             int dir, char **out, char *err, size_t errlen)
{
    char kpath[HOST_JPATH_MAX];
    struct stat st;

    if (get_string(obj, path, key, required, out, err, errlen) != 0)
        return -1;
    if (*out == NULL)
        return 0;
    host_jpath_key(kpath, sizeof(kpath), path, key);
    if (make_absolute(out, kpath, err, errlen) != 0)
        return -1;
    if (stat(*out, &st) != 0) {
        host_jerr(err, errlen, kpath, "%s: %s", *out, strerror(errno));
        return -1;
    }
    if (dir && !S_ISDIR(st.st_mode)) {
        host_jerr(err, errlen, kpath, "%s: not a directory", *out);
        return -1;
    }
    if (!dir && !S_ISREG(st.st_mode)) {
        host_jerr(err, errlen, kpath, "%s: not a regular file", *out);
        return -1;
    }
    return 0;
}

/* Returns 1 when S holds a control character (below 0x20, or 0x7f). */
static int has_control(const char *s)
{
    for (; *s; s++)
        if ((unsigned char) *s < 0x20 || *s == 0x7f)
            return 1;
    return 0;
}

/* Returns 1 when NAME matches [a-z0-9_-]{1,HOST_ROUTE_NAME_MAX}. */
static int is_route_name(const char *name)
{
    size_t n = strlen(name);

    if (n == 0 || n > HOST_ROUTE_NAME_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
            return 0;
    }
    return 1;
}

/* Parses "ADDRESS:PORT" (IPv4, or [IPv6]) into host (malloc'd) and port.
 * Returns 0, or -1 when the text has another form. */
static int parse_listen(const char *text, char **host, int *port)
{
    const char *colon = strrchr(text, ':');
    char addr[INET6_ADDRSTRLEN + 2];
    unsigned char buf[sizeof(struct in6_addr)];
    size_t alen;
    char *end;
    long p;

    if (colon == NULL || colon == text)
        return -1;
    alen = (size_t) (colon - text);
    if (alen >= sizeof(addr))
        return -1;
    memcpy(addr, text, alen);
    addr[alen] = '\0';
    errno = 0;
    p = strtol(colon + 1, &end, 10);
    if (errno != 0 || end == colon + 1 || *end != '\0' || p < 1 || p > 65535)
        return -1;
    if (addr[0] == '[') {
        if (alen < 3 || addr[alen - 1] != ']')
            return -1;
        addr[alen - 1] = '\0';
        if (inet_pton(AF_INET6, addr + 1, buf) != 1)
            return -1;
        *host = strdup(addr + 1);
    } else {
        if (inet_pton(AF_INET, addr, buf) != 1)
            return -1;
        *host = strdup(addr);
    }
    if (*host == NULL)
        return -1;
    *port = (int) p;
    return 0;
}

/* ---- sections ------------------------------------------------------------ */

/* Reads the "aws" section into AWS.  Returns 0, or -1 with err set. */
static int parse_aws(const json_t *root, host_aws_conf_t *aws, char *err, size_t errlen)
{
    static const char *const keys[] = {
        "region",  "endpoint",      "endpoints",          "credentials", "verify_tls",
        "ca_file", "s3_addressing", "connect_timeout_ms", "timeout_ms",  NULL
    };
    static const char *const endpoint_keys[] = { "sqs", "s3", "sns", "dynamodb", NULL };
    static const char *const cred_keys[] = { "profile",           "file",          "access_key_id",
                                             "secret_access_key", "session_token", NULL };
    json_t *obj, *endpoints, *cred;
    long long v;

    aws->verify_tls = 1;
    if (get_object(root, "", "aws", keys, &obj, err, errlen) != 0)
        return -1;
    if (obj == NULL) {
        host_jerr(err, errlen, "aws", "required (at least aws.region)");
        return -1;
    }
    if (get_string(obj, "aws", "region", 1, &aws->region, err, errlen) != 0)
        return -1;
    if (!aws_region_valid(aws->region, strlen(aws->region))) {
        host_jerr_expected(err, errlen, "aws.region", "an AWS region such as us-east-1",
                           json_object_get(obj, "region"));
        return -1;
    }
    if (get_url(obj, "aws", "endpoint", 0, &aws->endpoint, err, errlen) != 0
        || get_object(obj, "aws", "endpoints", endpoint_keys, &endpoints, err, errlen) != 0
        || get_object(obj, "aws", "credentials", cred_keys, &cred, err, errlen) != 0
        || get_bool(obj, "aws", "verify_tls", 1, &aws->verify_tls, err, errlen) != 0
        || get_existing_path(obj, "aws", "ca_file", 0, 0, &aws->ca_file, err, errlen) != 0
        || get_string(obj, "aws", "s3_addressing", 0, &aws->s3_addressing, err, errlen) != 0)
        return -1;
    if (aws->s3_addressing != NULL && strcmp(aws->s3_addressing, "auto") != 0
        && strcmp(aws->s3_addressing, "path") != 0 && strcmp(aws->s3_addressing, "virtual") != 0) {
        host_jerr_expected(err, errlen, "aws.s3_addressing", "\"auto\", \"path\" or \"virtual\"",
                           json_object_get(obj, "s3_addressing"));
        return -1;
    }
    if (get_int(obj, "aws", "connect_timeout_ms", 100, 600000, 0, &v, err, errlen) != 0)
        return -1;
    aws->connect_timeout_ms = (long) v;
    if (get_int(obj, "aws", "timeout_ms", 100, 3600000, 0, &v, err, errlen) != 0)
        return -1;
    aws->timeout_ms = (long) v;
    if (endpoints != NULL
        && (get_url(endpoints, "aws.endpoints", "sqs", 0, &aws->endpoint_sqs, err, errlen) != 0
            || get_url(endpoints, "aws.endpoints", "s3", 0, &aws->endpoint_s3, err, errlen) != 0
            || get_url(endpoints, "aws.endpoints", "sns", 0, &aws->endpoint_sns, err, errlen) != 0
            || get_url(endpoints, "aws.endpoints", "dynamodb", 0, &aws->endpoint_dynamodb, err,
                       errlen)
                   != 0))
        return -1;
    if (cred == NULL)
        return 0;
    if (get_string(cred, "aws.credentials", "profile", 0, &aws->profile, err, errlen) != 0
        || get_existing_path(cred, "aws.credentials", "file", 0, 0, &aws->credentials_file, err,
                             errlen)
               != 0
        || get_string(cred, "aws.credentials", "access_key_id", 0, &aws->access_key_id, err, errlen)
               != 0
        || get_string(cred, "aws.credentials", "secret_access_key", 0, &aws->secret_access_key, err,
                      errlen)
               != 0
        || get_string(cred, "aws.credentials", "session_token", 0, &aws->session_token, err, errlen)
               != 0)
        return -1;
    if ((aws->access_key_id == NULL) != (aws->secret_access_key == NULL)) {
        host_jerr(err, errlen,
                  aws->access_key_id ? "aws.credentials.secret_access_key"
                                     : "aws.credentials.access_key_id",
                  "required with the other explicit key");
        return -1;
    }
    if (aws->session_token != NULL && aws->access_key_id == NULL) {
        host_jerr(err, errlen, "aws.credentials.session_token",
                  "only allowed with access_key_id and secret_access_key");
        return -1;
    }
    if (aws->access_key_id != NULL && (aws->profile != NULL || aws->credentials_file != NULL)) {
        host_jerr(err, errlen, "aws.credentials",
                  "use either explicit keys or profile/file, not both");
        return -1;
    }
    return 0;
}

/* Reads the optional "memory" section (decode_budget_mb,
 * decode_wait_seconds) into CONF.  Returns 0, or -1 with err set. */
static int parse_memory(const json_t *root, host_conf_t *conf, char *err, size_t errlen)
{
    static const char *const keys[] = { "decode_budget_mb", "decode_wait_seconds", NULL };
    json_t *mem;

    conf->decode_budget_mb = DEFAULT_DECODE_BUDGET_MB;
    conf->decode_wait_seconds = DEFAULT_DECODE_WAIT;
    if (get_object(root, "", "memory", keys, &mem, err, errlen) != 0)
        return -1;
    if (mem == NULL)
        return 0;
    if (get_int(mem, "memory", "decode_budget_mb", 1, 1LL << 30, DEFAULT_DECODE_BUDGET_MB,
                &conf->decode_budget_mb, err, errlen)
            != 0
        || get_int32(mem, "memory", "decode_wait_seconds", 0, 3600, DEFAULT_DECODE_WAIT,
                     &conf->decode_wait_seconds, err, errlen)
               != 0)
        return -1;
    if (conf->rlimit_as_mb > 0 && conf->decode_budget_mb >= conf->rlimit_as_mb) {
        host_jerr(err, errlen, "memory.decode_budget_mb",
                  "must be below "
                  "rlimits.address_space_mb (%lld), got %lld",
                  conf->rlimit_as_mb, conf->decode_budget_mb);
        return -1;
    }
    return 0;
}

/* Reads workers, user, pid_file, rlimits, log, metrics and
 * shutdown_grace_seconds into CONF.  Returns 0, or -1 with err set. */
static int parse_globals(const json_t *root, host_conf_t *conf, char *err, size_t errlen)
{
    static const char *const rlimit_keys[] = { "address_space_mb", "cpu_seconds", NULL };
    static const char *const log_keys[] = { "level", "format", "file", NULL };
    static const char *const metrics_keys[] = { "listen", NULL };
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    json_t *rl, *lg, *mt;
    char *level = NULL, *format = NULL, *listen = NULL;

    if (ncpu < 1)
        ncpu = 1;
    if (ncpu > HOST_MAX_WORKERS)
        ncpu = HOST_MAX_WORKERS;
    if (get_int32(root, "", "workers", 1, HOST_MAX_WORKERS, (int) ncpu, &conf->workers, err, errlen)
            != 0
        || get_string(root, "", "user", 0, &conf->user, err, errlen) != 0
        || get_bool(root, "", "allow_root", 0, &conf->allow_root, err, errlen) != 0
        || get_string(root, "", "pid_file", 0, &conf->pid_file, err, errlen) != 0
        || get_int32(root, "", "shutdown_grace_seconds", 0, 3600, DEFAULT_SHUTDOWN_GRACE,
                     &conf->shutdown_grace_seconds, err, errlen)
               != 0
        || get_object(root, "", "rlimits", rlimit_keys, &rl, err, errlen) != 0
        || get_object(root, "", "log", log_keys, &lg, err, errlen) != 0
        || get_object(root, "", "metrics", metrics_keys, &mt, err, errlen) != 0)
        return -1;
    if (conf->user != NULL && getpwnam(conf->user) == NULL) {
        host_jerr(err, errlen, "user", "no such user \"%s\"", conf->user);
        return -1;
    }
    if (conf->pid_file != NULL && make_absolute(&conf->pid_file, "pid_file", err, errlen) != 0)
        return -1;
    if (rl != NULL
        && (get_int(rl, "rlimits", "address_space_mb", 16, 1LL << 30, 0, &conf->rlimit_as_mb, err,
                    errlen)
                != 0
            || get_int(rl, "rlimits", "cpu_seconds", 1, 1LL << 40, 0, &conf->rlimit_cpu_seconds,
                       err, errlen)
                   != 0))
        return -1;
    conf->log_level = HOST_LOG_INFO;
    if (lg != NULL) {
        if (get_string(lg, "log", "level", 0, &level, err, errlen) != 0)
            return -1;
        if (level != NULL && host_log_level_parse(level, &conf->log_level) != 0) {
            host_jerr_expected(err, errlen, "log.level",
                               "\"error\", \"warn\", \"info\" or \"debug\"",
                               json_object_get(lg, "level"));
            free(level);
            return -1;
        }
        free(level);
        if (get_string(lg, "log", "format", 0, &format, err, errlen) != 0)
            return -1;
        if (format != NULL && host_log_format_parse(format, &conf->log_format) != 0) {
            host_jerr_expected(err, errlen, "log.format", "\"text\" or \"json\"",
                               json_object_get(lg, "format"));
            free(format);
            return -1;
        }
        free(format);
        if (get_string(lg, "log", "file", 0, &conf->log_file, err, errlen) != 0
            || (conf->log_file != NULL
                && make_absolute(&conf->log_file, "log.file", err, errlen) != 0))
            return -1;
    }
    if (mt != NULL) {
        if (get_string(mt, "metrics", "listen", 1, &listen, err, errlen) != 0)
            return -1;
        if (parse_listen(listen, &conf->metrics_host, &conf->metrics_port) != 0) {
            host_jerr_expected(err, errlen, "metrics.listen",
                               "\"ADDRESS:PORT\" with a numeric address",
                               json_object_get(mt, "listen"));
            free(listen);
            return -1;
        }
        free(listen);
    }
    return 0;
}

/* Reads output.sse and output.kms_key_id (OUT, at PATH) into R: "sse"
 * is "AES256" or "aws:kms"; kms_key_id only with "aws:kms"; neither
 * with a local directory.  Returns 0, or -1 with err set. */
static int parse_sse(const json_t *out, const char *path, host_route_conf_t *r, char *err,
                     size_t errlen)
{
    char kpath[HOST_JPATH_MAX];
    char *sse = NULL;

    if (get_string(out, path, "sse", 0, &sse, err, errlen) != 0
        || get_string(out, path, "kms_key_id", 0, &r->kms_key_id, err, errlen) != 0) {
        free(sse);
        return -1;
    }
    host_jpath_key(kpath, sizeof(kpath), path, "sse");
    if (sse != NULL && strcmp(sse, "AES256") == 0)
        r->sse = HOST_SSE_AES256;
    else if (sse != NULL && strcmp(sse, "aws:kms") == 0)
        r->sse = HOST_SSE_KMS;
    else if (sse != NULL) {
        host_jerr_expected(err, errlen, kpath, "\"AES256\" or \"aws:kms\"",
                           json_object_get(out, "sse"));
        free(sse);
        return -1;
    }
    free(sse);
    if (r->sse != HOST_SSE_NONE && r->directory != NULL) {
        host_jerr(err, errlen, kpath, "applies to a bucket output only");
        return -1;
    }
    if (r->kms_key_id != NULL && r->sse != HOST_SSE_KMS) {
        host_jpath_key(kpath, sizeof(kpath), path, "kms_key_id");
        host_jerr(err, errlen, kpath, "needs \"sse\": \"aws:kms\"");
        return -1;
    }
    return 0;
}

/* Returns 1 when URL names a FIFO queue (its path ends in ".fifo"). */
static int is_fifo_url(const char *url)
{
    size_t n = strlen(url);

    return n > 5 && strcmp(url + n - 5, ".fifo") == 0;
}

/* Reads routes[i].output (at PATH) into R: exactly one of bucket and
 * directory, and the prefix.  Returns 0, or -1 with err set. */
static int parse_output(const json_t *obj, const char *path, host_route_conf_t *r, char *err,
                        size_t errlen)
{
    static const char *const keys[] = {
        "bucket", "prefix", "directory", "sse", "kms_key_id", NULL
    };
    char kpath[HOST_JPATH_MAX];
    char ppath[HOST_JPATH_MAX];
    json_t *out, *prefix;

    if (get_object(obj, path, "output", keys, &out, err, errlen) != 0)
        return -1;
    host_jpath_key(kpath, sizeof(kpath), path, "output");
    if (out == NULL) {
        host_jerr(err, errlen, kpath, "required ({\"bucket\": ...} or {\"directory\": ...})");
        return -1;
    }
    if (get_string(out, kpath, "bucket", 0, &r->bucket, err, errlen) != 0
        || get_existing_path(out, kpath, "directory", 0, 1, &r->directory, err, errlen) != 0)
        return -1;
    if ((r->bucket == NULL) == (r->directory == NULL)) {
        host_jerr(err, errlen, kpath, "needs exactly one of \"bucket\" and \"directory\"");
        return -1;
    }
    prefix = json_object_get(out, "prefix");
    host_jpath_key(ppath, sizeof(ppath), kpath, "prefix");
    if (prefix != NULL && !json_is_string(prefix)) {
        host_jerr_expected(err, errlen, ppath, "a string", prefix);
        return -1;
    }
    r->prefix = strdup(prefix != NULL ? json_string_value(prefix) : "");
    if (r->prefix == NULL) {
        host_jerr(err, errlen, kpath, "out of memory");
        return -1;
    }
    if (r->prefix[0] == '/' || strlen(r->prefix) > 512
        || strlen(r->prefix) != json_string_length(prefix)) {
        host_jerr_expected(err, errlen, ppath, "a key prefix not starting with '/' (<= 512 bytes)",
                           json_object_get(out, "prefix"));
        return -1;
    }
    if (has_control(r->prefix)) {
        host_jerr(err, errlen, ppath, "contains a control character");
        return -1;
    }
    return parse_sse(out, kpath, r, err, errlen);
}

/* Reads the strings of the array ARR (at KPATH) into a new array *out
 * of *n copies: each a non-empty S3 bucket name of at most 255 bytes
 * without control characters.  Returns 0, or -1 with err set. */
static int get_bucket_list(const json_t *arr, const char *kpath, char ***out, size_t *n, char *err,
                           size_t errlen)
{
    char ipath[HOST_JPATH_MAX];

    *out = calloc(json_array_size(arr) + 1, sizeof(**out));
    if (*out == NULL) {
        host_jerr(err, errlen, kpath, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < json_array_size(arr); i++) {
        const json_t *v = json_array_get(arr, i);
        const char *b = json_string_value(v);

        host_jpath_index(ipath, sizeof(ipath), kpath, i);
        if (b == NULL || json_string_length(v) == 0 || json_string_length(v) > 255
            || strlen(b) != json_string_length(v) || strchr(b, '/') != NULL || has_control(b)) {
            host_jerr_expected(err, errlen, ipath, "a bucket name", v);
            return -1;
        }
        if (((*out)[i] = strdup(b)) == NULL) {
            host_jerr(err, errlen, ipath, "out of memory");
            return -1;
        }
        *n = i + 1;
    }
    return 0;
}

/* Reads routes[i].input (at PATH) into R: "buckets", the allow-list of
 * buckets originals are read from (required; [] only for a route with
 * input_directory, which reads local originals only), and "prefix" (""
 * by default).  Returns 0, or -1 with err set. */
static int parse_input(const json_t *obj, const char *path, host_route_conf_t *r, char *err,
                       size_t errlen)
{
    static const char *const keys[] = { "buckets", "prefix", NULL };
    char kpath[HOST_JPATH_MAX], bpath[HOST_JPATH_MAX];
    json_t *in, *buckets;

    if (get_object(obj, path, "input", keys, &in, err, errlen) != 0)
        return -1;
    host_jpath_key(kpath, sizeof(kpath), path, "input");
    if (in == NULL) {
        host_jerr(err, errlen, kpath,
                  "required: the buckets this route reads originals from, "
                  "e.g. {\"buckets\": [\"prism-ingest\"]}");
        return -1;
    }
    buckets = json_object_get(in, "buckets");
    host_jpath_key(bpath, sizeof(bpath), kpath, "buckets");
    if (buckets == NULL) {
        host_jerr(err, errlen, bpath, "required: the buckets this route reads originals from");
        return -1;
    }
    if (!json_is_array(buckets)) {
        host_jerr_expected(err, errlen, bpath, "an array of bucket names", buckets);
        return -1;
    }
    if (get_bucket_list(buckets, bpath, &r->input_buckets, &r->ninput_buckets, err, errlen) != 0)
        return -1;
    if (r->ninput_buckets == 0 && r->input_directory == NULL) {
        host_jerr(err, errlen, bpath, "empty: allowed only for a route with input_directory");
        return -1;
    }
    if (get_string(in, kpath, "prefix", 0, &r->input_prefix, err, errlen) != 0)
        return -1;
    host_jpath_key(bpath, sizeof(bpath), kpath, "prefix");
    if (r->input_prefix != NULL && has_control(r->input_prefix)) {
        host_jerr(err, errlen, bpath, "contains a control character");
        return -1;
    }
    if (r->input_prefix == NULL && (r->input_prefix = strdup("")) == NULL) {
        host_jerr(err, errlen, kpath, "out of memory");
        return -1;
    }
    return 0;
}

/* Reads one route object OBJ (at PATH) into R.  Returns 0, or -1 with
 * err set. */
static int parse_route(const json_t *obj, const char *path, host_route_conf_t *r, char *err,
                       size_t errlen)
{
    static const char *const keys[] = { "name",
                                        "queue_url",
                                        "dlq_url",
                                        "plugin",
                                        "plugin_params",
                                        "output",
                                        "input",
                                        "input_directory",
                                        "concurrency",
                                        "visibility_timeout",
                                        "heartbeat_max_seconds",
                                        "max_attempts",
                                        "max_input_bytes",
                                        "wait_time_seconds",
                                        "max_messages",
                                        "completion_topic_arn",
                                        NULL };
    char kpath[HOST_JPATH_MAX];
    json_t *params;

    if (!json_is_object(obj)) {
        host_jerr_expected(err, errlen, path, "an object", obj);
        return -1;
    }
    if (host_json_known_keys(obj, path, keys, err, errlen) != 0
        || get_string(obj, path, "name", 1, &r->name, err, errlen) != 0)
        return -1;
    if (!is_route_name(r->name)) {
        host_jpath_key(kpath, sizeof(kpath), path, "name");
        host_jerr_expected(err, errlen, kpath, "[a-z0-9_-]{1,63}", json_object_get(obj, "name"));
        return -1;
    }
    if (get_queue_url(obj, path, "queue_url", &r->queue_url, err, errlen) != 0
        || get_queue_url(obj, path, "dlq_url", &r->dlq_url, err, errlen) != 0
        || get_existing_path(obj, path, "plugin", 1, 0, &r->plugin, err, errlen) != 0
        || get_object(obj, path, "plugin_params", NULL, &params, err, errlen) != 0
        || parse_output(obj, path, r, err, errlen) != 0
        || get_existing_path(obj, path, "input_directory", 0, 1, &r->input_directory, err, errlen)
               != 0
        || parse_input(obj, path, r, err, errlen) != 0
        || get_int32(obj, path, "concurrency", 1, HOST_MAX_CONCURRENCY, 1, &r->concurrency, err,
                     errlen)
               != 0
        || get_int32(obj, path, "visibility_timeout", 1, SQS_MAX_VISIBILITY,
                     DEFAULT_VISIBILITY_TIMEOUT, &r->visibility_timeout, err, errlen)
               != 0
        || get_int32(obj, path, "heartbeat_max_seconds", 1, SQS_MAX_VISIBILITY,
                     DEFAULT_HEARTBEAT_MAX, &r->heartbeat_max_seconds, err, errlen)
               != 0
        || get_int32(obj, path, "max_attempts", 1, 1000, DEFAULT_MAX_ATTEMPTS, &r->max_attempts,
                     err, errlen)
               != 0
        || get_int(obj, path, "max_input_bytes", 1, MAX_INPUT_BYTES_LIMIT, DEFAULT_MAX_INPUT_BYTES,
                   &r->max_input_bytes, err, errlen)
               != 0
        || get_int32(obj, path, "wait_time_seconds", 0, 20, 20, &r->wait_time_seconds, err, errlen)
               != 0
        || get_int32(obj, path, "max_messages", 1, 10, 10, &r->max_messages, err, errlen) != 0
        || get_string(obj, path, "completion_topic_arn", 0, &r->completion_topic_arn, err, errlen)
               != 0)
        return -1;
    if (r->completion_topic_arn != NULL) {
        const char *kind = arn_kind(r->completion_topic_arn);

        host_jpath_key(kpath, sizeof(kpath), path, "completion_topic_arn");
        if (kind == NULL) {
            host_jerr_expected(err, errlen, kpath,
                               "an SNS topic ARN "
                               "(arn:PARTITION:sns:REGION:ACCOUNT:TOPIC)",
                               json_object_get(obj, "completion_topic_arn"));
            return -1;
        }
        if (strcmp(kind, "an SNS topic ARN") != 0) {
            host_jerr(err, errlen, kpath,
                      "expected an SNS topic ARN "
                      "(arn:PARTITION:sns:REGION:ACCOUNT:TOPIC), got %s",
                      kind);
            return -1;
        }
    }
    if (strcmp(r->dlq_url, r->queue_url) == 0) {
        host_jpath_key(kpath, sizeof(kpath), path, "dlq_url");
        host_jerr(err, errlen, kpath,
                  "the same queue as queue_url: a message given up on "
                  "would go back where it came from");
        return -1;
    }
    r->queue_fifo = is_fifo_url(r->queue_url);
    r->dlq_fifo = is_fifo_url(r->dlq_url);
    if (r->heartbeat_max_seconds < r->visibility_timeout) {
        host_jpath_key(kpath, sizeof(kpath), path, "heartbeat_max_seconds");
        host_jerr(err, errlen, kpath, "must be at least visibility_timeout (%d), got %d",
                  r->visibility_timeout, r->heartbeat_max_seconds);
        return -1;
    }
    r->plugin_params = params != NULL ? json_incref(params) : json_object();
    if (r->plugin_params == NULL) {
        host_jerr(err, errlen, path, "out of memory");
        return -1;
    }
    return 0;
}

/* Reads the optional "record" section ({"table": NAME}) into CONF.
 * Returns 0, or -1 with err set. */
static int parse_record(const json_t *root, host_conf_t *conf, char *err, size_t errlen)
{
    static const char *const keys[] = { "table", NULL };
    json_t *rec;
    size_t n;

    if (get_object(root, "", "record", keys, &rec, err, errlen) != 0)
        return -1;
    if (rec == NULL)
        return 0;
    if (get_string(rec, "record", "table", 1, &conf->record_table, err, errlen) != 0)
        return -1;
    n = strlen(conf->record_table);
    if (n < 3 || n > 255
        || strspn(conf->record_table, "abcdefghijklmnopqrstuvwxyz"
                                      "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")
               != n) {
        host_jerr_expected(err, errlen, "record.table",
                           "a DynamoDB table name "
                           "([A-Za-z0-9_.-]{3,255})",
                           json_object_get(rec, "table"));
        return -1;
    }
    return 0;
}

/* Reads the optional "breaker" section ({"threshold", "probe_base_ms",
 * "probe_max_ms"}) into CONF, defaults for what is absent.  Returns 0,
 * or -1 with err set. */
static int parse_breaker(const json_t *root, host_conf_t *conf, char *err, size_t errlen)
{
    static const char *const keys[] = { "threshold", "probe_base_ms", "probe_max_ms", NULL };
    host_breaker_conf_t *b = &conf->breaker;
    json_t *obj;
    int base, max;

    /* an absent section (obj NULL) reads as all defaults */
    if (get_object(root, "", "breaker", keys, &obj, err, errlen) != 0
        || get_int32(obj, "breaker", "threshold", 1, 1000, DEFAULT_BREAKER_THRESHOLD, &b->threshold,
                     err, errlen)
               != 0
        || get_int32(obj, "breaker", "probe_base_ms", 10, 600000, DEFAULT_BREAKER_PROBE_BASE, &base,
                     err, errlen)
               != 0
        || get_int32(obj, "breaker", "probe_max_ms", 10, 3600000, DEFAULT_BREAKER_PROBE_MAX, &max,
                     err, errlen)
               != 0)
        return -1;
    if (max < base) {
        host_jerr(err, errlen, "breaker.probe_max_ms", "must be at least probe_base_ms (%d)", base);
        return -1;
    }
    b->probe_base_ms = (unsigned) base;
    b->probe_max_ms = (unsigned) max;
    return 0;
}

/* Reads the "routes" array into CONF: 1..64 routes with unique names and
 * queues.  Returns 0, or -1 with err set. */
static int parse_routes(const json_t *root, host_conf_t *conf, char *err, size_t errlen)
{
    json_t *routes = json_object_get(root, "routes");
    char path[HOST_JPATH_MAX];
    char kpath[HOST_JPATH_MAX];

    if (routes == NULL) {
        host_jerr(err, errlen, "routes", "required (at least one route)");
        return -1;
    }
    if (!json_is_array(routes) || json_array_size(routes) == 0
        || json_array_size(routes) > HOST_MAX_ROUTES) {
        host_jerr_expected(err, errlen, "routes", "an array of 1..64 routes", routes);
        return -1;
    }
    conf->routes = calloc(json_array_size(routes), sizeof(*conf->routes));
    if (conf->routes == NULL) {
        host_jerr(err, errlen, "routes", "out of memory");
        return -1;
    }
    for (size_t i = 0; i < json_array_size(routes); i++) {
        host_route_conf_t *r = &conf->routes[i];

        conf->nroutes = i + 1;
        host_jpath_index(path, sizeof(path), "routes", i);
        if (parse_route(json_array_get(routes, i), path, r, err, errlen) != 0)
            return -1;
        for (size_t j = 0; j < i; j++) {
            if (strcmp(conf->routes[j].name, r->name) == 0) {
                host_jpath_key(kpath, sizeof(kpath), path, "name");
                host_jerr(err, errlen, kpath, "duplicate route name \"%s\" (also routes[%zu])",
                          r->name, j);
                return -1;
            }
            if (strcmp(conf->routes[j].queue_url, r->queue_url) == 0) {
                host_jpath_key(kpath, sizeof(kpath), path, "queue_url");
                host_jerr(err, errlen, kpath, "queue already consumed by route \"%s\"",
                          conf->routes[j].name);
                return -1;
            }
        }
    }
    return 0;
}

/* ---- public ---------------------------------------------------------------- */

/* Builds a config from the parsed document ROOT.  Returns it, or NULL
 * with err set. */
static host_conf_t *conf_from_json(const json_t *root, char *err, size_t errlen)
{
    static const char *const keys[] = { "aws",        "workers", "user",
                                        "allow_root", "rlimits", "pid_file",
                                        "log",        "metrics", "shutdown_grace_seconds",
                                        "memory",     "record",  "breaker",
                                        "routes",     NULL };
    host_conf_t *conf;

    if (!json_is_object(root)) {
        host_jerr_expected(err, errlen, "(top level)", "an object", root);
        return NULL;
    }
    conf = calloc(1, sizeof(*conf));
    if (conf == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    if (host_json_known_keys(root, "", keys, err, errlen) != 0
        || parse_aws(root, &conf->aws, err, errlen) != 0
        || parse_globals(root, conf, err, errlen) != 0 || parse_memory(root, conf, err, errlen) != 0
        || parse_record(root, conf, err, errlen) != 0 || parse_breaker(root, conf, err, errlen) != 0
        || parse_routes(root, conf, err, errlen) != 0) {
        host_conf_free(conf);
        return NULL;
    }
    for (size_t i = 0; i < conf->nroutes; i++)
        conf->routes[i].record_table = conf->record_table;
    return conf;
}

host_conf_t *host_conf_parse(const char *text, char *err, size_t errlen)
{
    json_error_t jerr;
    json_t *root = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
    host_conf_t *conf;

    if (root == NULL) {
        snprintf(err, errlen, "line %d, column %d: %s", jerr.line, jerr.column, jerr.text);
        return NULL;
    }
    conf = conf_from_json(root, err, errlen);
    json_decref(root);
    return conf;
}

host_conf_t *host_conf_load(const char *file, char *err, size_t errlen)
{
    json_error_t jerr;
    json_t *root = json_load_file(file, JSON_REJECT_DUPLICATES, &jerr);
    host_conf_t *conf;

    if (root == NULL) {
        if (jerr.line < 1)
            snprintf(err, errlen, "%s: %s", file, jerr.text);
        else
            snprintf(err, errlen, "%s:%d:%d: %s", file, jerr.line, jerr.column, jerr.text);
        return NULL;
    }
    conf = conf_from_json(root, err, errlen);
    json_decref(root);
    if (conf != NULL && (conf->file = strdup(file)) == NULL) {
        snprintf(err, errlen, "out of memory");
        host_conf_free(conf);
        return NULL;
    }
    return conf;
}

/* Frees a string that may hold a secret after wiping it. */
static void free_secret(char *s)
{
    if (s != NULL) {
        explicit_bzero(s, strlen(s));
        free(s);
    }
}

void host_conf_free(host_conf_t *conf)
{
    if (conf == NULL)
        return;
    for (size_t i = 0; i < conf->nroutes; i++) {
        host_route_conf_t *r = &conf->routes[i];
        free(r->name);
        free(r->queue_url);
        free(r->dlq_url);
        free(r->plugin);
        json_decref(r->plugin_params);
        free(r->bucket);
        free(r->prefix);
        free(r->directory);
        free(r->input_directory);
        for (size_t b = 0; b < r->ninput_buckets; b++)
            free(r->input_buckets[b]);
        free(r->input_buckets);
        free(r->input_prefix);
        free(r->kms_key_id);
        free(r->completion_topic_arn);
    }
    free(conf->routes);
    free(conf->aws.region);
    free(conf->aws.endpoint);
    free(conf->aws.endpoint_sqs);
    free(conf->aws.endpoint_s3);
    free(conf->aws.endpoint_sns);
    free(conf->aws.endpoint_dynamodb);
    free(conf->record_table);
    free(conf->aws.s3_addressing);
    free(conf->aws.profile);
    free(conf->aws.credentials_file);
    free(conf->aws.access_key_id);
    free_secret(conf->aws.secret_access_key);
    free_secret(conf->aws.session_token);
    free(conf->aws.ca_file);
    free(conf->file);
    free(conf->user);
    free(conf->pid_file);
    free(conf->log_file);
    free(conf->metrics_host);
    free(conf);
}
