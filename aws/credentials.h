/*
 * credentials — where prism's AWS keys come from.
 *
 * A provider walks a chain and the first source that yields credentials
 * wins:
 *
 *   1. explicit config  (aws_cred_config_t key/secret/token)
 *   2. environment      AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
 *                       AWS_SESSION_TOKEN
 *   3. shared file      AWS_SHARED_CREDENTIALS_FILE or ~/.aws/credentials,
 *                       profile from config, else AWS_PROFILE, else
 *                       "default"
 *   4. container (ECS)  AWS_CONTAINER_CREDENTIALS_FULL_URI, or
 *                       http://169.254.170.2 + ..._RELATIVE_URI, with
 *                       AWS_CONTAINER_AUTHORIZATION_TOKEN(_FILE)
 *   5. EC2 IMDSv2       AWS_EC2_METADATA_SERVICE_ENDPOINT (default
 *                       http://169.254.169.254); off when
 *                       AWS_EC2_METADATA_DISABLED=true or disable_imds
 *
 * A source that is not configured is skipped; one that is configured
 * but broken (a malformed credentials file, a named profile that does
 * not exist, a container endpoint that fails) stops the chain with an
 * error instead of silently falling through to other credentials.
 * docs/credentials.md describes the chain for operators.
 *
 * Credentials are cached in the provider.  Those with an expiration
 * (container, IMDS) are fetched again once `now` is within 5 minutes of
 * it; if that refresh fails while the old ones have not expired yet, the
 * old ones are returned.  Network fetches use libcurl easy handles,
 * blocking, with a 1 s connect and 2 s total timeout, and run under the
 * provider's mutex, so concurrent callers wait for one fetch instead of
 * starting several.  Call curl_global_init() once at program start
 * before any thread uses a provider.
 *
 * Secrets (secret key, session token, container authorization token)
 * never appear in error messages.
 */
#ifndef AWS_CREDENTIALS_H
#define AWS_CREDENTIALS_H

#include <stddef.h>
#include <time.h>

typedef struct {
    char access_key_id[128];
    char secret_access_key[128];
    char session_token[4096]; /* "" when there is none */
    time_t expiration;        /* 0 = never */
} aws_credentials_t;

/* What the operator configured; every field may be NULL / 0. */
typedef struct {
    const char *access_key_id; /* explicit keys: both or neither */
    const char *secret_access_key;
    const char *session_token;    /* optional, with explicit keys */
    const char *profile;          /* overrides AWS_PROFILE */
    const char *credentials_file; /* overrides AWS_SHARED_CREDENTIALS_FILE */
    int disable_imds;             /* 1: never ask the EC2 metadata service */
} aws_cred_config_t;

typedef struct aws_cred_provider_s aws_cred_provider_t;

/* Seconds before expiration at which cached credentials are refreshed. */
#define AWS_CRED_REFRESH_WINDOW 300

/* Creates a provider for CFG (copied; may be NULL for "all defaults").
 * Does no I/O.  Returns NULL with a message in err when the config is
 * inconsistent (a key without a secret, an over-long value) or memory
 * runs out. */
aws_cred_provider_t *aws_cred_provider_new(const aws_cred_config_t *cfg, char *err, size_t errlen);

/* Copies valid credentials into OUT, from the cache or by walking the
 * chain (which may block up to a few seconds on network sources).  NOW
 * is the current time (time(NULL)); tests pass other values to simulate
 * expiry.  Returns 0, or -1 with a message in err naming what was tried
 * and why it failed.  Thread-safe. */
int aws_cred_provider_get(aws_cred_provider_t *p, time_t now, aws_credentials_t *out, char *err,
                          size_t errlen);

/* Names the source of the cached credentials for logs: "config", "env",
 * "file:PROFILE", "container", "imds", or "none" before the first
 * success.  The string stays valid until the next aws_cred_provider_get
 * or aws_cred_provider_free; copy it if another thread may refresh. */
const char *aws_cred_provider_source(aws_cred_provider_t *p);

/* Wipes the cached secrets and frees the provider.  NULL is allowed. */
void aws_cred_provider_free(aws_cred_provider_t *p);

/* Resolves the signing region: CONFIGURED when non-empty, else
 * AWS_REGION, else AWS_DEFAULT_REGION.  Writes it into out (outlen
 * bytes) and returns 0, or returns -1 with a message in err when none is
 * set or it does not fit. */
int aws_region_resolve(const char *configured, char *out, size_t outlen, char *err, size_t errlen);

#endif
