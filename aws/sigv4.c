#include "sigv4.h"

#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "uri.h"

#define AWS_SIGV4_MAX_EXPIRES 604800L /* 7 days, AWS's limit */
#define AWS_SIGV4_CACHE_SIZE  8

/* --- hashing ------------------------------------------------------------ */

/* Writes N bytes of BIN as lower-case hex plus NUL into hex. */
static void aws_sigv4_hex(const unsigned char *bin, size_t n, char *hex)
{
    static const char digits[] = "0123456789abcdef";
    size_t i;

    for (i = 0; i < n; i++) {
        hex[2 * i] = digits[bin[i] >> 4];
        hex[2 * i + 1] = digits[bin[i] & 0x0f];
    }
    hex[2 * n] = '\0';
}

int aws_sigv4_sha256_hex(const void *data, size_t len, char hex[65])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;

    if (EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) != 1 || mdlen != 32) {
        return -1;
    }
    aws_sigv4_hex(md, 32, hex);
    return 0;
}

/* out = HMAC-SHA256(key, data).  Returns 0 or -1. */
static int aws_sigv4_hmac(const void *key, size_t keylen, const void *data, size_t len,
                          unsigned char out[32])
{
    unsigned int outlen = 0;

    if (keylen > INT_MAX || HMAC(EVP_sha256(), key, (int) keylen, data, len, out, &outlen) == NULL
        || outlen != 32) {
        return -1;
    }
    return 0;
}

/* --- signing key and its cache -------------------------------------------- */

typedef struct {
    int used;
    unsigned long last_use;       /* for least-recently-used eviction */
    unsigned char secret_sha[32]; /* identifies the secret without keeping it */
    char date[9];
    char region[32];
    char service[32];
    unsigned char key[32];
} aws_sigv4_cache_entry_t;

static pthread_mutex_t aws_sigv4_cache_lock = PTHREAD_MUTEX_INITIALIZER;
static aws_sigv4_cache_entry_t aws_sigv4_cache[AWS_SIGV4_CACHE_SIZE];
static unsigned long aws_sigv4_cache_clock;
static unsigned long aws_sigv4_cache_hits;
static unsigned long aws_sigv4_cache_misses;

/* Derives kSigning = HMAC(HMAC(HMAC(HMAC("AWS4"+secret, date), region),
 * service), "aws4_request") into key.  Returns 0 or -1. */
static int aws_sigv4_derive_key(const char *secret, const char *date, const char *region,
                                const char *service, unsigned char key[32])
{
    size_t slen = strlen(secret);
    unsigned char k[32];
    char *seed;
    int rc = -1;

    seed = malloc(slen + 5);
    if (seed == NULL) {
        return -1;
    }
    memcpy(seed, "AWS4", 4);
    memcpy(seed + 4, secret, slen + 1);
    if (aws_sigv4_hmac(seed, slen + 4, date, strlen(date), k) == 0
        && aws_sigv4_hmac(k, 32, region, strlen(region), k) == 0
        && aws_sigv4_hmac(k, 32, service, strlen(service), k) == 0
        && aws_sigv4_hmac(k, 32, "aws4_request", 12, key) == 0) {
        rc = 0;
    }
    OPENSSL_cleanse(seed, slen + 4);
    OPENSSL_cleanse(k, sizeof(k));
    free(seed);
    return rc;
}

/* Returns the cache entry for the tuple, or NULL.  Lock held. */
static aws_sigv4_cache_entry_t *aws_sigv4_cache_find(const unsigned char secret_sha[32],
                                                     const char *date, const char *region,
                                                     const char *service)
{
    size_t i;

    for (i = 0; i < AWS_SIGV4_CACHE_SIZE; i++) {
        aws_sigv4_cache_entry_t *e = &aws_sigv4_cache[i];
        if (e->used && CRYPTO_memcmp(e->secret_sha, secret_sha, 32) == 0
            && strcmp(e->date, date) == 0 && strcmp(e->region, region) == 0
            && strcmp(e->service, service) == 0) {
            return e;
        }
    }
    return NULL;
}

/* Returns the slot to fill: a free one, else the least recently used.
 * Lock held. */
static aws_sigv4_cache_entry_t *aws_sigv4_cache_victim(void)
{
    aws_sigv4_cache_entry_t *victim = &aws_sigv4_cache[0];
    size_t i;

    for (i = 0; i < AWS_SIGV4_CACHE_SIZE; i++) {
        if (!aws_sigv4_cache[i].used) {
            return &aws_sigv4_cache[i];
        }
        if (aws_sigv4_cache[i].last_use < victim->last_use) {
            victim = &aws_sigv4_cache[i];
        }
    }
    return victim;
}

int aws_sigv4_signing_key(const char *secret, const char *date, const char *region,
                          const char *service, unsigned char key[32])
{
    unsigned char secret_sha[32];
    unsigned int mdlen = 0;
    aws_sigv4_cache_entry_t *e;
    int cacheable;

    cacheable = strlen(date) < sizeof(e->date) && strlen(region) < sizeof(e->region)
                && strlen(service) < sizeof(e->service);
    if (!cacheable
        || EVP_Digest(secret, strlen(secret), secret_sha, &mdlen, EVP_sha256(), NULL) != 1) {
        return aws_sigv4_derive_key(secret, date, region, service, key);
    }

    pthread_mutex_lock(&aws_sigv4_cache_lock);
    e = aws_sigv4_cache_find(secret_sha, date, region, service);
    if (e != NULL) {
        memcpy(key, e->key, 32);
        e->last_use = ++aws_sigv4_cache_clock;
        aws_sigv4_cache_hits++;
        pthread_mutex_unlock(&aws_sigv4_cache_lock);
        return 0;
    }
    aws_sigv4_cache_misses++;
    pthread_mutex_unlock(&aws_sigv4_cache_lock);

    /* derive outside the lock; two threads may both derive, harmlessly */
    if (aws_sigv4_derive_key(secret, date, region, service, key) != 0) {
        return -1;
    }

    pthread_mutex_lock(&aws_sigv4_cache_lock);
    if (aws_sigv4_cache_find(secret_sha, date, region, service) == NULL) {
        e = aws_sigv4_cache_victim();
        e->used = 1;
        e->last_use = ++aws_sigv4_cache_clock;
        memcpy(e->secret_sha, secret_sha, 32);
        memcpy(e->date, date, strlen(date) + 1);
        memcpy(e->region, region, strlen(region) + 1);
        memcpy(e->service, service, strlen(service) + 1);
        memcpy(e->key, key, 32);
    }
    pthread_mutex_unlock(&aws_sigv4_cache_lock);
    return 0;
}

void aws_sigv4_key_cache_stats(unsigned long *hits, unsigned long *misses)
{
    pthread_mutex_lock(&aws_sigv4_cache_lock);
    if (hits) {
        *hits = aws_sigv4_cache_hits;
    }
    if (misses) {
        *misses = aws_sigv4_cache_misses;
    }
    pthread_mutex_unlock(&aws_sigv4_cache_lock);
}

int aws_sigv4_signature(const unsigned char key[32], const char *sts, size_t len, char hex[65])
{
    unsigned char mac[32];

    if (aws_sigv4_hmac(key, 32, sts, len, mac) != 0) {
        return -1;
    }
    aws_sigv4_hex(mac, 32, hex);
    return 0;
}

/* --- canonical request ------------------------------------------------------ */

void aws_sigv4_options_for_service(const char *service, aws_sigv4_options_t *opts)
{
    int s3 = service != NULL && strcmp(service, "s3") == 0;

    opts->normalize_path = !s3;
    opts->double_encode = !s3;
    opts->sign_payload = s3;
}

int aws_sigv4_format_time(time_t now, char amz_date[17], char date[9])
{
    struct tm tm;

    if (gmtime_r(&now, &tm) == NULL || tm.tm_year + 1900 < 1000 || tm.tm_year + 1900 > 9999
        || strftime(amz_date, 17, "%Y%m%dT%H%M%SZ", &tm) != 16) {
        return -1;
    }
    memcpy(date, amz_date, 8);
    date[8] = '\0';
    return 0;
}

int aws_sigv4_canonical_uri(aws_buf_t *out, const char *path, const aws_sigv4_options_t *opts)
{
    aws_buf_t norm = AWS_BUF_INIT, raw = AWS_BUF_INIT;
    const char *p = path[0] != '\0' ? path : "/";
    int rc = -1;

    if (opts->normalize_path) {
        if (aws_uri_normalize_path(&norm, p) != 0) {
            goto done;
        }
        p = norm.data;
    }
    if (opts->double_encode) {
        rc = aws_uri_encode(out, p, strlen(p), 1);
    } else if (aws_uri_decode(&raw, p, strlen(p)) == 0) {
        rc = aws_uri_encode(out, raw.data, raw.len, 1);
    }

done:
    aws_buf_free(&norm);
    aws_buf_free(&raw);
    return rc;
}

/* One header as it enters the canonical form. */
typedef struct {
    char *lname; /* lower-cased copy of the name */
    const char *value;
    size_t index; /* position in the request, keeps repeats in order */
} aws_sigv4_hdr_t;

/* qsort comparator: by lower-case name, then original position. */
static int aws_sigv4_hdr_cmp(const void *a, const void *b)
{
    const aws_sigv4_hdr_t *ha = a, *hb = b;
    int c = strcmp(ha->lname, hb->lname);

    return c != 0 ? c : (ha->index > hb->index) - (ha->index < hb->index);
}

/* Appends VALUE with leading/trailing whitespace removed and inner runs
 * of whitespace (SP, HT, CR, LF) collapsed to one space.  0 or -1. */
static int aws_sigv4_append_trimmed(aws_buf_t *out, const char *value)
{
    const char *p = value, *word;
    int first = 1;

    for (;;) {
        p += strspn(p, " \t\r\n");
        if (*p == '\0') {
            return 0;
        }
        word = p;
        p += strcspn(p, " \t\r\n");
        if ((!first && aws_buf_append(out, " ", 1) != 0)
            || aws_buf_append(out, word, (size_t) (p - word)) != 0) {
            return -1;
        }
        first = 0;
    }
}

/* Appends the canonical header block ("name:value\n" per name) of REQ
 * to CANON (may be NULL) and the signed-header list to SIGNED.  Every
 * header except Authorization is signed.  Returns 0 or -1 (ENOMEM). */
static int aws_sigv4_canonical_headers(const aws_request_t *req, aws_buf_t *canon,
                                       aws_buf_t *signed_headers)
{
    aws_sigv4_hdr_t *h;
    size_t i, n = 0, k;
    int rc = -1;

    h = calloc(req->nheaders ? req->nheaders : 1, sizeof(*h));
    if (h == NULL) {
        return -1;
    }
    for (i = 0; i < req->nheaders; i++) {
        char *l = strdup(req->headers[i].name);
        if (l == NULL) {
            goto done;
        }
        for (k = 0; l[k]; k++) {
            l[k] = (char) (l[k] >= 'A' && l[k] <= 'Z' ? l[k] - 'A' + 'a' : l[k]);
        }
        if (strcmp(l, "authorization") == 0) {
            free(l);
            continue;
        }
        h[n].lname = l;
        h[n].value = req->headers[i].value;
        h[n].index = i;
        n++;
    }
    qsort(h, n, sizeof(*h), aws_sigv4_hdr_cmp);

    if (aws_buf_append(signed_headers, "", 0) != 0) {
        goto done;
    }
    for (i = 0; i < n; i++) {
        int repeat = i > 0 && strcmp(h[i].lname, h[i - 1].lname) == 0;
        int last = i + 1 == n || strcmp(h[i].lname, h[i + 1].lname) != 0;

        if (!repeat) {
            if (aws_buf_printf(signed_headers, "%s%s", signed_headers->len ? ";" : "", h[i].lname)
                    != 0
                || (canon && aws_buf_printf(canon, "%s:", h[i].lname) != 0)) {
                goto done;
            }
        } else if (canon && aws_buf_append(canon, ",", 1) != 0) {
            goto done;
        }
        if (canon
            && (aws_sigv4_append_trimmed(canon, h[i].value) != 0
                || (last && aws_buf_append(canon, "\n", 1) != 0))) {
            goto done;
        }
    }
    rc = 0;

done:
    for (i = 0; i < n; i++) {
        free(h[i].lname);
    }
    free(h);
    return rc;
}

/* Builds the canonical request of REQ with PAYLOAD_HASH into OUT and the
 * signed-header list into SIGNED.  Returns 0 or -1 with err set. */
static int aws_sigv4_build_creq(const aws_request_t *req, const aws_sigv4_options_t *opts,
                                const char *payload_hash, aws_buf_t *out, aws_buf_t *signed_headers,
                                char *err, size_t errlen)
{
    aws_buf_t canon = AWS_BUF_INIT;
    int rc = -1;

    if (payload_hash == NULL || payload_hash[0] == '\0') {
        snprintf(err, errlen, "request has no payload hash to sign");
        return -1;
    }
    if (aws_buf_printf(out, "%s\n", req->method) != 0
        || aws_sigv4_canonical_uri(out, req->path, opts) != 0 || aws_buf_append(out, "\n", 1) != 0
        || aws_uri_canonical_query(out, req->query) != 0 || aws_buf_append(out, "\n", 1) != 0
        || aws_sigv4_canonical_headers(req, &canon, signed_headers) != 0
        || aws_buf_append(&canon, "", 0) != 0
        || aws_buf_printf(out, "%s\n%s\n%s", canon.data, signed_headers->data, payload_hash) != 0) {
        snprintf(err, errlen, "out of memory building the canonical request");
        goto done;
    }
    rc = 0;

done:
    aws_buf_free(&canon);
    return rc;
}

int aws_sigv4_canonical_request(const aws_request_t *req, const aws_sigv4_options_t *opts,
                                aws_buf_t *out, aws_buf_t *signed_headers, char *err, size_t errlen)
{
    return aws_sigv4_build_creq(req, opts, req->payload_hash, out, signed_headers, err, errlen);
}

int aws_sigv4_string_to_sign(aws_buf_t *out, const char *amz_date, const char *scope,
                             const char *creq, size_t creq_len)
{
    char hash[65];

    if (aws_sigv4_sha256_hex(creq, creq_len, hash) != 0) {
        return -1;
    }
    return aws_buf_printf(out, AWS_SIGV4_ALGORITHM "\n%s\n%s\n%s", amz_date, scope, hash);
}

/* --- signing ------------------------------------------------------------ */

/* What both signing styles work out before they differ. */
typedef struct {
    aws_sigv4_options_t opts;
    char amz_date[17];
    char date[9];
    aws_buf_t scope; /* date/region/service/aws4_request */
    aws_buf_t creq;
    aws_buf_t signed_headers;
    aws_buf_t sts;
    char signature[65];
} aws_sigv4_ctx_t;

/* Checks the inputs, fills CTX's options, dates and scope, and adds a
 * Host header when the request has none.  Returns 0 or -1 with err. */
static int aws_sigv4_begin(aws_sigv4_ctx_t *ctx, aws_request_t *req, const aws_credentials_t *creds,
                           time_t now, const aws_sigv4_options_t *opts, char *err, size_t errlen)
{
    memset(ctx, 0, sizeof(*ctx));
    if (creds == NULL || creds->access_key_id[0] == '\0' || creds->secret_access_key[0] == '\0') {
        snprintf(err, errlen, "cannot sign: no credentials");
        return -1;
    }
    if (req->service == NULL || req->service[0] == '\0' || req->region == NULL
        || req->region[0] == '\0') {
        snprintf(err, errlen, "cannot sign: request has no service or region");
        return -1;
    }
    if (opts != NULL) {
        ctx->opts = *opts;
    } else {
        aws_sigv4_options_for_service(req->service, &ctx->opts);
    }
    if (aws_sigv4_format_time(now, ctx->amz_date, ctx->date) != 0) {
        snprintf(err, errlen, "cannot sign: time %lld out of range", (long long) now);
        return -1;
    }
    if (aws_buf_printf(&ctx->scope, "%s/%s/%s/aws4_request", ctx->date, req->region, req->service)
            != 0
        || (aws_request_header(req, "host") == NULL
            && aws_request_set_header(req, "Host", req->host) != 0)) {
        snprintf(err, errlen, "out of memory signing a request");
        return -1;
    }
    return 0;
}

/* Builds the canonical request (PAYLOAD_HASH), string to sign and
 * signature into CTX.  Returns 0 or -1 with err. */
static int aws_sigv4_compute(aws_sigv4_ctx_t *ctx, const aws_request_t *req,
                             const aws_credentials_t *creds, const char *payload_hash, char *err,
                             size_t errlen)
{
    unsigned char key[32];
    int rc;

    aws_buf_reset(&ctx->signed_headers);
    if (aws_sigv4_build_creq(req, &ctx->opts, payload_hash, &ctx->creq, &ctx->signed_headers, err,
                             errlen)
        != 0) {
        return -1;
    }
    if (aws_sigv4_string_to_sign(&ctx->sts, ctx->amz_date, ctx->scope.data, ctx->creq.data,
                                 ctx->creq.len)
        != 0) {
        snprintf(err, errlen, "cannot hash the canonical request");
        return -1;
    }
    rc = aws_sigv4_signing_key(creds->secret_access_key, ctx->date, req->region, req->service, key)
             == 0
         && aws_sigv4_signature(key, ctx->sts.data, ctx->sts.len, ctx->signature) == 0;
    OPENSSL_cleanse(key, sizeof(key));
    if (!rc) {
        snprintf(err, errlen, "HMAC-SHA256 failed");
        return -1;
    }
    return 0;
}

/* Moves CTX's canonical request, string to sign and signature into
 * TRACE (when not NULL) and frees CTX. */
static void aws_sigv4_end(aws_sigv4_ctx_t *ctx, aws_sigv4_trace_t *trace)
{
    if (trace != NULL) {
        aws_sigv4_trace_free(trace);
        trace->canonical_request = ctx->creq;
        trace->string_to_sign = ctx->sts;
        memcpy(trace->signature, ctx->signature, sizeof(trace->signature));
    } else {
        aws_buf_free(&ctx->creq);
        aws_buf_free(&ctx->sts);
    }
    aws_buf_free(&ctx->scope);
    aws_buf_free(&ctx->signed_headers);
}

int aws_sigv4_sign_ex(aws_request_t *req, const aws_credentials_t *creds, time_t now,
                      const aws_sigv4_options_t *opts, aws_sigv4_trace_t *trace, char *err,
                      size_t errlen)
{
    aws_sigv4_ctx_t ctx;
    aws_buf_t authz = AWS_BUF_INIT;
    int rc = -1;

    if (aws_sigv4_begin(&ctx, req, creds, now, opts, err, errlen) != 0) {
        goto done;
    }
    if (aws_request_set_header(req, "X-Amz-Date", ctx.amz_date) != 0
        || (creds->session_token[0] != '\0'
            && aws_request_set_header(req, "X-Amz-Security-Token", creds->session_token) != 0)
        || (ctx.opts.sign_payload
            && aws_request_set_header(req, "x-amz-content-sha256", req->payload_hash) != 0)) {
        snprintf(err, errlen, "out of memory signing a request");
        goto done;
    }
    if (aws_sigv4_compute(&ctx, req, creds, req->payload_hash, err, errlen) != 0) {
        goto done;
    }
    if (aws_buf_printf(&authz,
                       AWS_SIGV4_ALGORITHM " Credential=%s/%s, SignedHeaders=%s, Signature=%s",
                       creds->access_key_id, ctx.scope.data, ctx.signed_headers.data, ctx.signature)
            != 0
        || aws_request_set_header(req, "Authorization", authz.data) != 0) {
        snprintf(err, errlen, "out of memory signing a request");
        goto done;
    }
    rc = 0;

done:
    aws_buf_free(&authz);
    aws_sigv4_end(&ctx, trace);
    return rc;
}

int aws_sigv4_sign(aws_request_t *req, const aws_credentials_t *creds, time_t now, char *err,
                   size_t errlen)
{
    return aws_sigv4_sign_ex(req, creds, now, NULL, NULL, err, errlen);
}

int aws_sigv4_presign_ex(aws_request_t *req, const aws_credentials_t *creds, time_t now,
                         long expires_s, const aws_sigv4_options_t *opts, aws_sigv4_trace_t *trace,
                         char *err, size_t errlen)
{
    aws_sigv4_ctx_t ctx;
    aws_buf_t q = AWS_BUF_INIT, cred = AWS_BUF_INIT;
    char expires[24];
    int rc = -1;

    if (aws_sigv4_begin(&ctx, req, creds, now, opts, err, errlen) != 0) {
        goto done;
    }
    if (expires_s < 1 || expires_s > AWS_SIGV4_MAX_EXPIRES) {
        snprintf(err, errlen, "presigned URL expiry %ld s is outside 1..%ld", expires_s,
                 AWS_SIGV4_MAX_EXPIRES);
        goto done;
    }
    snprintf(expires, sizeof(expires), "%ld", expires_s);

    /* the signed-header list is itself a signed query parameter */
    if (aws_sigv4_canonical_headers(req, NULL, &ctx.signed_headers) != 0
        || aws_buf_puts(&q, req->query) != 0
        || aws_buf_printf(&cred, "%s/%s", creds->access_key_id, ctx.scope.data) != 0
        || aws_uri_form_add(&q, "X-Amz-Algorithm", AWS_SIGV4_ALGORITHM) != 0
        || aws_uri_form_add(&q, "X-Amz-Credential", cred.data) != 0
        || aws_uri_form_add(&q, "X-Amz-Date", ctx.amz_date) != 0
        || aws_uri_form_add(&q, "X-Amz-Expires", expires) != 0
        || aws_uri_form_add(&q, "X-Amz-SignedHeaders", ctx.signed_headers.data) != 0
        || (creds->session_token[0] != '\0'
            && aws_uri_form_add(&q, "X-Amz-Security-Token", creds->session_token) != 0)
        || aws_request_set_query(req, q.data) != 0) {
        snprintf(err, errlen, "out of memory presigning a request");
        goto done;
    }
    /* a presigned S3 URL cannot know the body it will carry */
    if (aws_sigv4_compute(&ctx, req, creds,
                          strcmp(req->service, "s3") == 0 ? AWS_SIGV4_UNSIGNED_PAYLOAD
                                                          : req->payload_hash,
                          err, errlen)
        != 0) {
        goto done;
    }
    if (aws_uri_form_add(&q, "X-Amz-Signature", ctx.signature) != 0
        || aws_request_set_query(req, q.data) != 0) {
        snprintf(err, errlen, "out of memory presigning a request");
        goto done;
    }
    rc = 0;

done:
    aws_buf_free(&q);
    aws_buf_free(&cred);
    aws_sigv4_end(&ctx, trace);
    return rc;
}

int aws_sigv4_presign(aws_request_t *req, const aws_credentials_t *creds, time_t now,
                      long expires_s, char *err, size_t errlen)
{
    return aws_sigv4_presign_ex(req, creds, now, expires_s, NULL, NULL, err, errlen);
}

void aws_sigv4_trace_free(aws_sigv4_trace_t *trace)
{
    aws_buf_free(&trace->canonical_request);
    aws_buf_free(&trace->string_to_sign);
    trace->signature[0] = '\0';
}
