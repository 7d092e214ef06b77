#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <openssl/crypto.h>

#include "credentials_sources.h"

#define AWS_ECS_HOST       "169.254.170.2"
#define AWS_MAX_AUTH_TOKEN 8192

/* Returns 1 when plain-http HOST (as libcurl reports it, IPv6 in
 * brackets) may serve credentials: loopback or the ECS/EKS agents. */
static int aws_cred_container_host_ok(const char *host)
{
    struct in_addr a;

    if (strcmp(host, "localhost") == 0 || strcmp(host, "[::1]") == 0
        || strcmp(host, AWS_ECS_HOST) == 0 || strcmp(host, "169.254.170.23") == 0
        || strcmp(host, "[fd00:ec2::23]") == 0) {
        return 1;
    }
    return inet_pton(AF_INET, host, &a) == 1 && (ntohl(a.s_addr) >> 24) == 127;
}

/* Checks FULL_URI: https anywhere, http only to an allowed host.  Writes
 * the host into host (hostlen bytes) for messages.  Returns 0 or -1. */
static int aws_cred_container_check_uri(const char *uri, char *host, size_t hostlen, char *err,
                                        size_t errlen)
{
    char *scheme = NULL, *h = NULL;
    CURLU *u = curl_url();
    int rc = -1;

    if (u == NULL || curl_url_set(u, CURLUPART_URL, uri, 0) != CURLUE_OK
        || curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK
        || curl_url_get(u, CURLUPART_HOST, &h, 0) != CURLUE_OK) {
        snprintf(err, errlen, "AWS_CONTAINER_CREDENTIALS_FULL_URI is not a valid URL");
        goto done;
    }
    snprintf(host, hostlen, "%s", h);
    if (strcmp(scheme, "https") != 0
        && !(strcmp(scheme, "http") == 0 && aws_cred_container_host_ok(h))) {
        snprintf(err, errlen,
                 "AWS_CONTAINER_CREDENTIALS_FULL_URI must be https, or http to "
                 "a loopback or ECS/EKS agent address (host %s)",
                 host);
        goto done;
    }
    rc = 0;

done:
    curl_free(scheme);
    curl_free(h);
    curl_url_cleanup(u);
    return rc;
}

/* Builds "Authorization: TOKEN" into hdr (hdrlen bytes) from
 * AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE, else ..._TOKEN; hdr is ""
 * when neither is set.  Returns 0, or -1 with err. */
static int aws_cred_container_auth(char *hdr, size_t hdrlen, char *err, size_t errlen)
{
    const char *file = getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
    const char *env = getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN");
    char token[AWS_MAX_AUTH_TOKEN + 2];
    size_t n = 0;
    FILE *f;

    hdr[0] = '\0';
    if (file != NULL && file[0] != '\0') {
        f = fopen(file, "r");
        if (f == NULL) {
            snprintf(err, errlen, "cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE %s", file);
            return -1;
        }
        n = fread(token, 1, sizeof(token) - 1, f);
        fclose(f);
        token[n] = '\0';
        while (n > 0 && (token[n - 1] == '\n' || token[n - 1] == '\r')) {
            token[--n] = '\0';
        }
    } else if (env != NULL && env[0] != '\0') {
        n = strlen(env);
        if (n <= AWS_MAX_AUTH_TOKEN) {
            memcpy(token, env, n + 1);
        }
    } else {
        return 0;
    }
    if (n > AWS_MAX_AUTH_TOKEN || strpbrk(token, "\r\n") != NULL) {
        snprintf(err, errlen, "the container authorization token is too long or spans lines");
        OPENSSL_cleanse(token, sizeof(token));
        return -1;
    }
    snprintf(hdr, hdrlen, "Authorization: %s", token);
    OPENSSL_cleanse(token, sizeof(token));
    return 0;
}

int aws_cred_from_container(aws_credentials_t *out, char *err, size_t errlen)
{
    const char *rel = getenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
    const char *full = getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI");
    char url[4096], host[256], label[300], auth[AWS_MAX_AUTH_TOKEN + 32];
    const char *headers[2] = { NULL, NULL };
    aws_buf_t body = AWS_BUF_INIT;
    long status;
    int rc;

    memset(out, 0, sizeof(*out));
    if (rel != NULL && rel[0] != '\0') {
        if (rel[0] != '/' || strlen(rel) + sizeof("http://" AWS_ECS_HOST) > sizeof(url)) {
            snprintf(err, errlen, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI must be a path");
            return AWS_CRED_ERROR;
        }
        snprintf(url, sizeof(url), "http://" AWS_ECS_HOST "%s", rel);
        snprintf(host, sizeof(host), AWS_ECS_HOST);
    } else if (full != NULL && full[0] != '\0') {
        if (strlen(full) >= sizeof(url)
            || aws_cred_container_check_uri(full, host, sizeof(host), err, errlen) != 0) {
            return AWS_CRED_ERROR;
        }
        snprintf(url, sizeof(url), "%s", full);
    } else {
        snprintf(err, errlen, "not configured");
        return AWS_CRED_ABSENT;
    }
    if (aws_cred_container_auth(auth, sizeof(auth), err, errlen) != 0) {
        return AWS_CRED_ERROR;
    }
    headers[0] = auth[0] ? auth : NULL;
    snprintf(label, sizeof(label), "container endpoint %s", host);

    rc = aws_cred_http("GET", url, headers, label, &body, &status, err, errlen);
    if (rc == AWS_CRED_FOUND && status != 200) {
        snprintf(err, errlen, "%s answered HTTP %ld", label, status);
        rc = AWS_CRED_ERROR;
    } else if (rc == AWS_CRED_FOUND) {
        rc = aws_cred_parse_json(body.data ? body.data : "", body.len, label, out, err, errlen);
    } else {
        rc = AWS_CRED_ERROR; /* configured but unreachable: do not fall through */
    }
    OPENSSL_cleanse(auth, sizeof(auth));
    if (body.data != NULL) {
        OPENSSL_cleanse(body.data, body.cap);
    }
    aws_buf_free(&body);
    return rc;
}
