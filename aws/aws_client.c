#include "aws_client.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "sigv4.h"

typedef struct {
    char *service;
    char *url;
    int custom; /* configured by the operator */
} aws_client_endpoint_t;

struct aws_client_s {
    char *region;
    char *endpoint_all;               /* the all-services override, or NULL */
    aws_client_endpoint_t *endpoints; /* resolved per service; grows on demand */
    size_t nendpoints;
    size_t cap_endpoints;
    aws_s3_addressing_t s3_addressing;
    size_t s3_threshold;
    size_t s3_part_size;
    int insecure_custom;
    char *ca_file;
    long connect_timeout_ms;
    long timeout_ms;
    aws_retry_policy_t retry;
    aws_cred_provider_t *creds;
    pthread_mutex_t lock; /* endpoints growth, rng */
    aws_rng_t rng;
};

static pthread_once_t aws_client_curl_once = PTHREAD_ONCE_INIT;

static void aws_client_curl_init(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* Returns 1 when url is "http(s)://host[:port]" with an optional
 * trailing '/', nothing else. */
static int aws_client_valid_endpoint(const char *url)
{
    const char *host;
    size_t n;

    if (strncmp(url, "https://", 8) == 0) {
        host = url + 8;
    } else if (strncmp(url, "http://", 7) == 0) {
        host = url + 7;
    } else {
        return 0;
    }
    n = strcspn(host, "/?#@ ");
    return n > 0 && (host[n] == '\0' || (host[n] == '/' && host[n + 1] == '\0'));
}

/* Returns a copy of url without a trailing '/', or NULL (ENOMEM). */
static char *aws_client_endpoint_dup(const char *url)
{
    size_t n = strlen(url);

    return strndup(url, n && url[n - 1] == '/' ? n - 1 : n);
}

/* Appends (service, url) to the endpoint table.  url is taken over.
 * Returns the entry, or NULL when memory runs out (url then freed).
 * Called with the lock held, or before the client is shared. */
static aws_client_endpoint_t *aws_client_add_endpoint(aws_client_t *c, const char *service,
                                                      char *url, int custom)
{
    aws_client_endpoint_t *e;
    size_t cap;

    if (url == NULL) {
        return NULL;
    }
    if (c->nendpoints == c->cap_endpoints) {
        cap = c->cap_endpoints ? c->cap_endpoints * 2 : 8;
        e = realloc(c->endpoints, cap * sizeof(*e));
        if (e == NULL) {
            free(url);
            return NULL;
        }
        c->endpoints = e;
        c->cap_endpoints = cap;
    }
    e = &c->endpoints[c->nendpoints];
    e->service = strdup(service);
    if (e->service == NULL) {
        free(url);
        return NULL;
    }
    e->url = url;
    e->custom = custom;
    c->nendpoints++;
    return e;
}

/* Finds service in the endpoint table, or NULL.  Lock held. */
static aws_client_endpoint_t *aws_client_find_endpoint(const aws_client_t *c, const char *service)
{
    size_t i;

    for (i = 0; i < c->nendpoints; i++) {
        if (strcmp(c->endpoints[i].service, service) == 0) {
            return &c->endpoints[i];
        }
    }
    return NULL;
}

/* Resolves service's endpoint (see aws_client.h) into the table.
 * explicit is the service's own override or NULL.  Returns the entry,
 * or NULL when memory runs out.  Lock held. */
static aws_client_endpoint_t *aws_client_resolve(aws_client_t *c, const char *service,
                                                 const char *explicit)
{
    aws_buf_t url = AWS_BUF_INIT;

    if (explicit != NULL) {
        return aws_client_add_endpoint(c, service, aws_client_endpoint_dup(explicit), 1);
    }
    if (c->endpoint_all != NULL) {
        return aws_client_add_endpoint(c, service, strdup(c->endpoint_all), 1);
    }
    if (aws_buf_printf(&url, "https://%s.%s.amazonaws.com", service, c->region) != 0) {
        aws_buf_free(&url);
        return NULL;
    }
    return aws_client_add_endpoint(c, service, url.data, 0);
}

/* Checks and copies the endpoint part of cfg.  Returns 0, or -1 with
 * err set. */
static int aws_client_set_endpoints(aws_client_t *c, const aws_client_config_t *cfg,
                                    aws_error_t *err)
{
    const struct {
        const char *service;
        const char *url;
    } own[] = {
        { "sns", cfg->endpoint_sns },
        { "sqs", cfg->endpoint_sqs },
        { "s3", cfg->endpoint_s3 },
    };
    const char *url;
    size_t i;

    for (i = 0; i < 3 + cfg->nendpoints + 1; i++) {
        url = i < 3                     ? own[i].url
              : i < 3 + cfg->nendpoints ? cfg->endpoints[i - 3].url
                                        : cfg->endpoint;
        if (url != NULL && !aws_client_valid_endpoint(url)) {
            aws_error_set(err, AWS_ERR_CONFIG,
                          "endpoint \"%s\" must be http(s)://host[:port] without a path", url);
            return -1;
        }
    }
    if (cfg->endpoint != NULL
        && (c->endpoint_all = aws_client_endpoint_dup(cfg->endpoint)) == NULL) {
        goto nomem;
    }
    for (i = 0; i < cfg->nendpoints; i++) {
        if (cfg->endpoints[i].service == NULL || cfg->endpoints[i].url == NULL) {
            aws_error_set(err, AWS_ERR_CONFIG, "endpoint override %zu lacks a service or url",
                          i + 1);
            return -1;
        }
        if (aws_client_resolve(c, cfg->endpoints[i].service, cfg->endpoints[i].url) == NULL) {
            goto nomem;
        }
    }
    for (i = 0; i < 3; i++) {
        if (aws_client_find_endpoint(c, own[i].service) == NULL
            && aws_client_resolve(c, own[i].service, own[i].url) == NULL) {
            goto nomem;
        }
    }
    return 0;
nomem:
    aws_error_set(err, AWS_ERR_NOMEM, "out of memory creating the AWS client");
    return -1;
}

aws_client_t *aws_client_new(const aws_client_config_t *cfg, aws_error_t *err)
{
    static const aws_client_config_t defaults;
    char region[64], msg[256];
    aws_client_t *c;

    if (cfg == NULL) {
        cfg = &defaults;
    }
    pthread_once(&aws_client_curl_once, aws_client_curl_init);
    if (aws_region_resolve(cfg->region, region, sizeof(region), msg, sizeof(msg)) != 0) {
        aws_error_set(err, AWS_ERR_CONFIG, "%s", msg);
        return NULL;
    }
    if (cfg->s3_part_size != 0 && cfg->s3_part_size < AWS_S3_MIN_PART_SIZE) {
        aws_error_set(err, AWS_ERR_CONFIG, "S3 part size %zu is below the minimum of %d bytes",
                      cfg->s3_part_size, AWS_S3_MIN_PART_SIZE);
        return NULL;
    }
    c = calloc(1, sizeof(*c));
    if (c == NULL || pthread_mutex_init(&c->lock, NULL) != 0) {
        free(c);
        aws_error_set(err, AWS_ERR_NOMEM, "out of memory creating the AWS client");
        return NULL;
    }
    c->s3_addressing = cfg->s3_addressing;
    c->s3_threshold = cfg->s3_multipart_threshold ? cfg->s3_multipart_threshold
                                                  : AWS_S3_DEFAULT_MULTIPART_THRESHOLD;
    c->s3_part_size = cfg->s3_part_size ? cfg->s3_part_size : AWS_S3_DEFAULT_PART_SIZE;
    c->insecure_custom = cfg->insecure_custom_endpoints;
    c->connect_timeout_ms = cfg->connect_timeout_ms > 0 ? cfg->connect_timeout_ms
                                                        : AWS_CLIENT_DEFAULT_CONNECT_TIMEOUT_MS;
    c->timeout_ms = cfg->timeout_ms > 0 ? cfg->timeout_ms : AWS_CLIENT_DEFAULT_TIMEOUT_MS;
    c->retry = aws_retry_policy_normalize(&cfg->retry);
    aws_rng_seed_random(&c->rng);

    c->region = strdup(region);
    if (c->region == NULL
        || (cfg->ca_file != NULL && (c->ca_file = strdup(cfg->ca_file)) == NULL)) {
        aws_error_set(err, AWS_ERR_NOMEM, "out of memory creating the AWS client");
        goto fail;
    }
    if (aws_client_set_endpoints(c, cfg, err) != 0) {
        goto fail;
    }
    c->creds = aws_cred_provider_new(cfg->credentials, msg, sizeof(msg));
    if (c->creds == NULL) {
        aws_error_set(err, AWS_ERR_CONFIG, "credentials: %s", msg);
        goto fail;
    }
    return c;
fail:
    aws_client_free(c);
    return NULL;
}

void aws_client_free(aws_client_t *c)
{
    size_t i;

    aws_http_thread_cleanup();
    if (c == NULL) {
        return;
    }
    aws_cred_provider_free(c->creds);
    for (i = 0; i < c->nendpoints; i++) {
        free(c->endpoints[i].service);
        free(c->endpoints[i].url);
    }
    free(c->endpoints);
    free(c->endpoint_all);
    free(c->ca_file);
    free(c->region);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

const char *aws_client_region(const aws_client_t *c)
{
    return c->region;
}

/* Looks up service's endpoint, resolving it on first use, and copies
 * what the caller needs while holding the lock (the table may be
 * reallocated by another thread afterwards; the url strings themselves
 * live as long as the client).  Returns the url, or NULL when memory
 * runs out. */
static const char *aws_client_lookup(const aws_client_t *c, const char *service, int *custom)
{
    aws_client_t *mc = (aws_client_t *) c;
    const aws_client_endpoint_t *e;
    const char *url = NULL;

    pthread_mutex_lock(&mc->lock);
    e = aws_client_find_endpoint(c, service);
    if (e == NULL) {
        e = aws_client_resolve(mc, service, NULL);
    }
    if (e != NULL) {
        url = e->url;
        *custom = e->custom;
    }
    pthread_mutex_unlock(&mc->lock);
    return url;
}

const char *aws_client_endpoint(const aws_client_t *c, const char *service)
{
    int custom;

    return aws_client_lookup(c, service, &custom);
}

int aws_client_endpoint_is_custom(const aws_client_t *c, const char *service)
{
    int custom = 0;

    return aws_client_lookup(c, service, &custom) != NULL && custom;
}

/* Returns 1 when bucket can be a DNS host label set: 3..63 of a-z 0-9 -
 * (and '.' between labels when allow_dots), starting and ending with a
 * letter or digit, and not shaped like an IPv4 address. */
static int aws_client_dns_bucket(const char *bucket, int allow_dots)
{
    size_t n = strlen(bucket), i;
    int digits_and_dots = 1;

    if (n < 3 || n > 63) {
        return 0;
    }
    for (i = 0; i < n; i++) {
        char ch = bucket[i];
        if (ch == '.') {
            if (!allow_dots || i == 0 || bucket[i - 1] == '.' || bucket[i - 1] == '-'
                || bucket[i + 1] == '-') {
                return 0;
            }
        } else if (ch >= '0' && ch <= '9') {
            continue;
        } else if ((ch >= 'a' && ch <= 'z') || ch == '-') {
            digits_and_dots = 0;
        } else {
            return 0;
        }
    }
    return bucket[0] != '-' && bucket[n - 1] != '-' && bucket[n - 1] != '.' && !digits_and_dots;
}

int aws_client_s3_virtual_hosted(const aws_client_t *c, const char *bucket)
{
    switch (c->s3_addressing) {
    case AWS_S3_ADDRESSING_PATH: return 0;
    case AWS_S3_ADDRESSING_VIRTUAL: return aws_client_dns_bucket(bucket, 1);
    default:
        /* dotted names break the *.s3 TLS wildcard certificate */
        return !aws_client_endpoint_is_custom(c, "s3") && aws_client_dns_bucket(bucket, 0);
    }
}

size_t aws_client_s3_multipart_threshold(const aws_client_t *c)
{
    return c->s3_threshold;
}

size_t aws_client_s3_part_size(const aws_client_t *c)
{
    return c->s3_part_size;
}

void aws_client_http_opts(const aws_client_t *c, const char *service, aws_http_opts_t *out)
{
    memset(out, 0, sizeof(*out));
    out->connect_timeout_ms = c->connect_timeout_ms;
    out->timeout_ms = c->timeout_ms;
    out->verify_tls = !(c->insecure_custom && aws_client_endpoint_is_custom(c, service));
    out->ca_file = c->ca_file;
}

const aws_retry_policy_t *aws_client_retry_policy(const aws_client_t *c)
{
    return &c->retry;
}

int aws_client_retry_next(aws_client_t *c, int attempts, const aws_error_t *err,
                          long long remaining_ms, unsigned *delay_ms)
{
    int retry;

    pthread_mutex_lock(&c->lock);
    retry = aws_retry_next(&c->retry, attempts, err, remaining_ms, &c->rng, delay_ms);
    pthread_mutex_unlock(&c->lock);
    return retry;
}

/* Signs req for time NOW with the provider's credentials: in headers
 * when EXPIRES_S is 0, else presigned in the query for EXPIRES_S
 * seconds.  Returns 0, or -1 with err set (as aws_client_sign_at). */
static int aws_client_sign_mode(aws_client_t *c, aws_request_t *req, time_t now, long expires_s,
                                aws_error_t *err)
{
    aws_credentials_t creds;
    char msg[512];
    int rc;

    if (aws_cred_provider_get(c->creds, now, &creds, msg, sizeof(msg)) != 0) {
        aws_error_set(err, AWS_ERR_CREDENTIALS, "%s", msg);
        return -1;
    }
    rc = expires_s == 0 ? aws_sigv4_sign(req, &creds, now, msg, sizeof(msg))
                        : aws_sigv4_presign(req, &creds, now, expires_s, msg, sizeof(msg));
    OPENSSL_cleanse(&creds, sizeof(creds));
    if (rc != 0) {
        aws_error_set(err, AWS_ERR_CONFIG, "signing: %s", msg);
        return -1;
    }
    return 0;
}

int aws_client_sign_at(aws_client_t *c, aws_request_t *req, time_t now, aws_error_t *err)
{
    return aws_client_sign_mode(c, req, now, 0, err);
}

int aws_client_presign_at(aws_client_t *c, aws_request_t *req, time_t now, long expires_s,
                          aws_error_t *err)
{
    return aws_client_sign_mode(c, req, now, expires_s, err);
}

int aws_client_sign(aws_client_t *c, aws_request_t *req, aws_error_t *err)
{
    return aws_client_sign_at(c, req, time(NULL), err);
}

int aws_client_request_init(const aws_client_t *c, aws_request_t *req, const char *method,
                            const char *service, const char *endpoint, const char *path,
                            aws_error_t *err)
{
    char msg[256];

    if (endpoint == NULL && (endpoint = aws_client_endpoint(c, service)) == NULL) {
        aws_error_set(err, AWS_ERR_NOMEM, "out of memory resolving the %s endpoint", service);
        return -1;
    }
    if (aws_request_init(req, method, endpoint, path, service, c->region, msg, sizeof(msg)) != 0) {
        aws_error_set(err, strstr(msg, "memory") ? AWS_ERR_NOMEM : AWS_ERR_CONFIG, "%s", msg);
        return -1;
    }
    return 0;
}
