#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "credentials_sources.h"

int aws_cred_from_env(aws_credentials_t *out, char *err, size_t errlen)
{
    const char *key = getenv("AWS_ACCESS_KEY_ID");
    const char *secret = getenv("AWS_SECRET_ACCESS_KEY");
    const char *token = getenv("AWS_SESSION_TOKEN");
    int has_key = key != NULL && key[0] != '\0';
    int has_secret = secret != NULL && secret[0] != '\0';

    memset(out, 0, sizeof(*out));
    if (!has_key && !has_secret) {
        snprintf(err, errlen, "not set");
        return AWS_CRED_ABSENT;
    }
    if (!has_key || !has_secret) {
        snprintf(err, errlen, "%s is set but %s is not",
                 has_key ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY",
                 has_key ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID");
        return AWS_CRED_ERROR;
    }
    if (aws_cred_copy(out->access_key_id, sizeof(out->access_key_id), key) != 0
        || aws_cred_copy(out->secret_access_key, sizeof(out->secret_access_key), secret) != 0
        || aws_cred_copy(out->session_token, sizeof(out->session_token), token ? token : "") != 0) {
        OPENSSL_cleanse(out, sizeof(*out));
        snprintf(err, errlen, "an AWS_* credentials variable is too long");
        return AWS_CRED_ERROR;
    }
    return AWS_CRED_FOUND;
}
