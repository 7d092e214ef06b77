#include "credentials.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "credentials_sources.h"

struct aws_cred_provider_s {
    pthread_mutex_t lock;
    int explicit_keys; /* 1: only explicit_creds is used */
    aws_credentials_t explicit_creds;
    char *profile;          /* NULL: AWS_PROFILE or "default" */
    char *credentials_file; /* NULL: env or ~/.aws/credentials */
    int disable_imds;

    int have; /* cached holds credentials */
    aws_credentials_t cached;
    char source[96];
};

int aws_cred_copy(char *dst, size_t dstlen, const char *s)
{
    size_t len = strlen(s);

    if (len >= dstlen) {
        dst[0] = '\0';
        return -1;
    }
    memcpy(dst, s, len + 1);
    return 0;
}

/* Appends "; NAME: REASON" (or "NAME: REASON" first) to the summary of
 * skipped sources. */
static void aws_cred_note(char *summary, size_t len, const char *name, const char *reason)
{
    size_t used = strlen(summary);

    if (used + 1 < len) {
        snprintf(summary + used, len - used, "%s%s: %s", used ? "; " : "", name, reason);
    }
}

/* Walks the chain into OUT, naming the winner in SOURCE (sourcelen
 * bytes).  Returns 0, or -1 with err naming every source tried. */
static int aws_cred_chain(aws_cred_provider_t *p, aws_credentials_t *out, char *source,
                          size_t sourcelen, char *err, size_t errlen)
{
    char reason[512], summary[1024] = "", profile[64];
    int rc;

    if (p->explicit_keys) {
        *out = p->explicit_creds;
        snprintf(source, sourcelen, "config");
        return 0;
    }

    rc = aws_cred_from_env(out, reason, sizeof(reason));
    if (rc == AWS_CRED_FOUND) {
        snprintf(source, sourcelen, "env");
        return 0;
    }
    if (rc == AWS_CRED_ERROR) {
        snprintf(err, errlen, "AWS credentials from the environment: %s", reason);
        return -1;
    }
    aws_cred_note(summary, sizeof(summary), "env", reason);

    rc = aws_cred_from_file(p->credentials_file, p->profile, out, profile, sizeof(profile), reason,
                            sizeof(reason));
    if (rc == AWS_CRED_FOUND) {
        snprintf(source, sourcelen, "file:%s", profile);
        return 0;
    }
    if (rc == AWS_CRED_ERROR) {
        snprintf(err, errlen, "AWS credentials file: %s", reason);
        return -1;
    }
    aws_cred_note(summary, sizeof(summary), "file", reason);

    rc = aws_cred_from_container(out, reason, sizeof(reason));
    if (rc == AWS_CRED_FOUND) {
        snprintf(source, sourcelen, "container");
        return 0;
    }
    if (rc == AWS_CRED_ERROR) {
        snprintf(err, errlen, "AWS container credentials: %s", reason);
        return -1;
    }
    aws_cred_note(summary, sizeof(summary), "container", reason);

    if (p->disable_imds) {
        snprintf(reason, sizeof(reason), "disabled by configuration");
        rc = AWS_CRED_ABSENT;
    } else {
        rc = aws_cred_from_imds(out, reason, sizeof(reason));
    }
    if (rc == AWS_CRED_FOUND) {
        snprintf(source, sourcelen, "imds");
        return 0;
    }
    if (rc == AWS_CRED_ERROR) {
        snprintf(err, errlen, "AWS instance (IMDS) credentials: %s", reason);
        return -1;
    }
    aws_cred_note(summary, sizeof(summary), "imds", reason);

    snprintf(err, errlen, "no AWS credentials found (%s)", summary);
    return -1;
}

aws_cred_provider_t *aws_cred_provider_new(const aws_cred_config_t *cfg, char *err, size_t errlen)
{
    aws_cred_provider_t *p;
    int has_key, has_secret;

    p = calloc(1, sizeof(*p));
    if (p == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    pthread_mutex_init(&p->lock, NULL);
    snprintf(p->source, sizeof(p->source), "none");
    if (cfg == NULL) {
        return p;
    }

    has_key = cfg->access_key_id != NULL && cfg->access_key_id[0] != '\0';
    has_secret = cfg->secret_access_key != NULL && cfg->secret_access_key[0] != '\0';
    if (has_key != has_secret) {
        snprintf(err, errlen,
                 "explicit AWS credentials need both an access key id and a secret key");
        goto fail;
    }
    if (has_key) {
        p->explicit_keys = 1;
        if (aws_cred_copy(p->explicit_creds.access_key_id, sizeof(p->explicit_creds.access_key_id),
                          cfg->access_key_id)
                != 0
            || aws_cred_copy(p->explicit_creds.secret_access_key,
                             sizeof(p->explicit_creds.secret_access_key), cfg->secret_access_key)
                   != 0
            || aws_cred_copy(p->explicit_creds.session_token,
                             sizeof(p->explicit_creds.session_token),
                             cfg->session_token ? cfg->session_token : "")
                   != 0) {
            snprintf(err, errlen, "an explicit AWS credential value is too long");
            goto fail;
        }
    }
    if ((cfg->profile && cfg->profile[0] && (p->profile = strdup(cfg->profile)) == NULL)
        || (cfg->credentials_file && cfg->credentials_file[0]
            && (p->credentials_file = strdup(cfg->credentials_file)) == NULL)) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    p->disable_imds = cfg->disable_imds;
    return p;

fail:
    aws_cred_provider_free(p);
    return NULL;
}

int aws_cred_provider_get(aws_cred_provider_t *p, time_t now, aws_credentials_t *out, char *err,
                          size_t errlen)
{
    aws_credentials_t fresh;
    char source[sizeof(p->source)];
    int rc = 0;

    pthread_mutex_lock(&p->lock);
    if (p->have
        && (p->cached.expiration == 0 || now < p->cached.expiration - AWS_CRED_REFRESH_WINDOW)) {
        *out = p->cached;
        pthread_mutex_unlock(&p->lock);
        return 0;
    }

    if (aws_cred_chain(p, &fresh, source, sizeof(source), err, errlen) == 0) {
        p->cached = fresh;
        p->have = 1;
        memcpy(p->source, source, sizeof(p->source));
        *out = fresh;
    } else if (p->have && now < p->cached.expiration) {
        /* the refresh failed, but what we hold is still good for a while */
        *out = p->cached;
    } else {
        rc = -1;
    }
    OPENSSL_cleanse(&fresh, sizeof(fresh));
    pthread_mutex_unlock(&p->lock);
    return rc;
}

const char *aws_cred_provider_source(aws_cred_provider_t *p)
{
    return p->source;
}

void aws_cred_provider_free(aws_cred_provider_t *p)
{
    if (p == NULL) {
        return;
    }
    OPENSSL_cleanse(&p->explicit_creds, sizeof(p->explicit_creds));
    OPENSSL_cleanse(&p->cached, sizeof(p->cached));
    pthread_mutex_destroy(&p->lock);
    free(p->profile);
    free(p->credentials_file);
    free(p);
}

int aws_region_resolve(const char *configured, char *out, size_t outlen, char *err, size_t errlen)
{
    const char *names[] = { "AWS_REGION", "AWS_DEFAULT_REGION" };
    const char *region = configured;
    size_t i;

    for (i = 0; (region == NULL || region[0] == '\0') && i < 2; i++) {
        region = getenv(names[i]);
    }
    if (region == NULL || region[0] == '\0') {
        snprintf(err, errlen, "no AWS region: configure one or set AWS_REGION");
        return -1;
    }
    if (aws_cred_copy(out, outlen, region) != 0) {
        snprintf(err, errlen, "AWS region name is too long");
        return -1;
    }
    return 0;
}
