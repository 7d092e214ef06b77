/*
 * credentials_sources — the individual links of the credentials chain
 * (internal to credentials*.c; other code uses credentials.h).
 *
 * Every source returns AWS_CRED_FOUND with OUT filled, AWS_CRED_ABSENT
 * when it is not configured (err then holds a short reason such as "not
 * set", used in the chain's final message), or AWS_CRED_ERROR when it is
 * configured but broken (err says why; the chain stops there).  No
 * message ever contains a secret.
 */
#ifndef AWS_CREDENTIALS_SOURCES_H
#define AWS_CREDENTIALS_SOURCES_H

#include <stddef.h>
#include <time.h>

#include "aws_buf.h"
#include "credentials.h"

#define AWS_CRED_FOUND  0
#define AWS_CRED_ABSENT 1
#define AWS_CRED_ERROR  (-1)

/* Limits of the HTTP sources: connect and whole-transfer timeouts, and
 * the largest response accepted. */
#define AWS_CRED_CONNECT_TIMEOUT_MS 1000
#define AWS_CRED_TOTAL_TIMEOUT_MS   2000
#define AWS_CRED_MAX_RESPONSE       (64 * 1024)

/* Copies S into DST (DSTLEN bytes).  Returns 0, or -1 when it does not
 * fit (DST is then emptied). */
int aws_cred_copy(char *dst, size_t dstlen, const char *s);

/* AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN.  Only
 * one of the key pair set is an error. */
int aws_cred_from_env(aws_credentials_t *out, char *err, size_t errlen);

/* The [PROFILE] section of the shared credentials file FILE
 * (aws_access_key_id, aws_secret_access_key, aws_session_token).  FILE
 * NULL means AWS_SHARED_CREDENTIALS_FILE, else $HOME/.aws/credentials;
 * PROFILE NULL means AWS_PROFILE, else "default".  A missing file or
 * profile is ABSENT unless the operator named it (FILE or PROFILE given,
 * or AWS_PROFILE set): then it is an ERROR, as is a malformed file
 * ("PATH:LINE: what is wrong") or a profile with half a key pair.  The
 * profile used is written to used_profile (usedlen bytes). */
int aws_cred_from_file(const char *file, const char *profile, aws_credentials_t *out,
                       char *used_profile, size_t usedlen, char *err, size_t errlen);

/* ECS/EKS container credentials: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI
 * (on http://169.254.170.2) or AWS_CONTAINER_CREDENTIALS_FULL_URI (https,
 * or http to a loopback or the ECS/EKS link-local hosts), with the
 * Authorization header from AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE or
 * AWS_CONTAINER_AUTHORIZATION_TOKEN.  ABSENT when neither URI is set. */
int aws_cred_from_container(aws_credentials_t *out, char *err, size_t errlen);

/* EC2 instance-role credentials over IMDSv2 at
 * AWS_EC2_METADATA_SERVICE_ENDPOINT (default http://169.254.169.254).
 * ABSENT when AWS_EC2_METADATA_DISABLED is "true" or when the service
 * does not answer (not on EC2); ERROR when it answers wrongly. */
int aws_cred_from_imds(aws_credentials_t *out, char *err, size_t errlen);

/* One blocking HTTP exchange for the network sources: METHOD "GET" or
 * "PUT" (empty body) to URL with the NULL-terminated HEADERS ("Name:
 * value"), no proxy, no redirects, the timeouts above.  LABEL names the
 * endpoint in messages (never the URL, which may hold a credential id).
 * Fills BODY and *status.  Returns AWS_CRED_FOUND when a response
 * arrived (any status), AWS_CRED_ABSENT when nothing answered (connect
 * failure or timeout), AWS_CRED_ERROR otherwise. */
int aws_cred_http(const char *method, const char *url, const char *const *headers,
                  const char *label, aws_buf_t *body, long *status, char *err, size_t errlen);

/* Parses the JSON credentials document of ECS and IMDS (AccessKeyId,
 * SecretAccessKey, Token, Expiration; "Code" must be "Success" when
 * present) into OUT.  LABEL names the source in messages.  Returns
 * AWS_CRED_FOUND or AWS_CRED_ERROR. */
int aws_cred_parse_json(const char *json, size_t len, const char *label, aws_credentials_t *out,
                        char *err, size_t errlen);

/* Parses an ISO-8601 UTC time ("2024-05-01T12:00:00Z", optional
 * fraction, "Z" or "+hh:mm"/"-hh:mm").  Returns 0 or -1. */
int aws_cred_parse_time(const char *s, time_t *out);

#endif
