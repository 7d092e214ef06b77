#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#include "credentials_sources.h"

#define AWS_IMDS_DEFAULT_ENDPOINT "http://169.254.169.254"
#define AWS_IMDS_TOKEN_TTL        "21600"
#define AWS_IMDS_ROLES_PATH       "/latest/meta-data/iam/security-credentials/"

/* Context of one IMDS conversation. */
typedef struct {
    char base[512];      /* endpoint without trailing '/' */
    char label[560];     /* "IMDS at <endpoint>" */
    char token_hdr[256]; /* "X-aws-ec2-metadata-token: ..." */
} aws_imds_t;

/* GETs PATH with the session token into BODY, requiring HTTP 200.
 * Returns AWS_CRED_FOUND, or AWS_CRED_ERROR with err. */
static int aws_imds_get(aws_imds_t *im, const char *path, aws_buf_t *body, char *err, size_t errlen)
{
    const char *headers[] = { im->token_hdr, NULL };
    char url[1024];
    long status;
    int rc;

    snprintf(url, sizeof(url), "%s%s", im->base, path);
    rc = aws_cred_http("GET", url, headers, im->label, body, &status, err, errlen);
    if (rc != AWS_CRED_FOUND) {
        return AWS_CRED_ERROR;
    }
    if (status == 404 && strcmp(path, AWS_IMDS_ROLES_PATH) == 0) {
        snprintf(err, errlen, "%s: no IAM role is attached to this instance", im->label);
        return AWS_CRED_ERROR;
    }
    if (status != 200) {
        snprintf(err, errlen, "%s answered HTTP %ld for %s", im->label, status, path);
        return AWS_CRED_ERROR;
    }
    return AWS_CRED_FOUND;
}

/* Asks for an IMDSv2 session token and stores its header in IM.
 * Returns FOUND, ABSENT (nothing answers: not on EC2) or ERROR. */
static int aws_imds_token(aws_imds_t *im, char *err, size_t errlen)
{
    const char *headers[] = { "X-aws-ec2-metadata-token-ttl-seconds: " AWS_IMDS_TOKEN_TTL, NULL };
    aws_buf_t body = AWS_BUF_INIT;
    char url[1024];
    size_t n;
    long status;
    int rc;

    snprintf(url, sizeof(url), "%s/latest/api/token", im->base);
    rc = aws_cred_http("PUT", url, headers, im->label, &body, &status, err, errlen);
    if (rc == AWS_CRED_FOUND && status != 200) {
        snprintf(err, errlen, "%s answered HTTP %ld to the token request", im->label, status);
        rc = AWS_CRED_ERROR;
    }
    if (rc == AWS_CRED_FOUND) {
        for (n = body.len; n > 0 && (body.data[n - 1] == '\n' || body.data[n - 1] == '\r'); n--) {
            body.data[n - 1] = '\0';
        }
        if (n == 0 || strpbrk(body.data, "\r\n") != NULL
            || n + sizeof("X-aws-ec2-metadata-token: ") > sizeof(im->token_hdr)) {
            snprintf(err, errlen, "%s sent a malformed session token", im->label);
            rc = AWS_CRED_ERROR;
        } else {
            snprintf(im->token_hdr, sizeof(im->token_hdr), "X-aws-ec2-metadata-token: %s",
                     body.data);
        }
    }
    if (body.data != NULL) {
        OPENSSL_cleanse(body.data, body.cap);
    }
    aws_buf_free(&body);
    return rc;
}

int aws_cred_from_imds(aws_credentials_t *out, char *err, size_t errlen)
{
    const char *disabled = getenv("AWS_EC2_METADATA_DISABLED");
    const char *endpoint = getenv("AWS_EC2_METADATA_SERVICE_ENDPOINT");
    aws_buf_t body = AWS_BUF_INIT;
    char path[512], role[256];
    aws_imds_t im;
    size_t len;
    int rc;

    memset(out, 0, sizeof(*out));
    if (disabled != NULL && strcasecmp(disabled, "true") == 0) {
        snprintf(err, errlen, "disabled by AWS_EC2_METADATA_DISABLED");
        return AWS_CRED_ABSENT;
    }
    if (endpoint == NULL || endpoint[0] == '\0') {
        endpoint = AWS_IMDS_DEFAULT_ENDPOINT;
    }
    len = strlen(endpoint);
    while (len > 0 && endpoint[len - 1] == '/') {
        len--;
    }
    if (len >= sizeof(im.base)
        || !(strncmp(endpoint, "http://", 7) == 0 || strncmp(endpoint, "https://", 8) == 0)) {
        snprintf(err, errlen, "AWS_EC2_METADATA_SERVICE_ENDPOINT must be an http(s) URL");
        return AWS_CRED_ERROR;
    }
    memset(&im, 0, sizeof(im));
    memcpy(im.base, endpoint, len);
    snprintf(im.label, sizeof(im.label), "IMDS at %s", im.base);

    rc = aws_imds_token(&im, err, errlen);
    if (rc != AWS_CRED_FOUND) {
        goto done;
    }

    rc = aws_imds_get(&im, AWS_IMDS_ROLES_PATH, &body, err, errlen);
    if (rc != AWS_CRED_FOUND) {
        goto done;
    }
    len = body.data ? strcspn(body.data, "\r\n") : 0;
    if (len == 0 || len >= sizeof(role) || memchr(body.data, '/', len) != NULL
        || memchr(body.data, ' ', len) != NULL) {
        snprintf(err, errlen, "%s sent a malformed IAM role name", im.label);
        rc = AWS_CRED_ERROR;
        goto done;
    }
    memcpy(role, body.data, len);
    role[len] = '\0';
    snprintf(path, sizeof(path), AWS_IMDS_ROLES_PATH "%s", role);

    aws_buf_reset(&body);
    rc = aws_imds_get(&im, path, &body, err, errlen);
    if (rc == AWS_CRED_FOUND) {
        rc = aws_cred_parse_json(body.data ? body.data : "", body.len, im.label, out, err, errlen);
    }

done:
    OPENSSL_cleanse(im.token_hdr, sizeof(im.token_hdr));
    if (body.data != NULL) {
        OPENSSL_cleanse(body.data, body.cap);
    }
    aws_buf_free(&body);
    return rc;
}
