/*
 * aws_client — configuration and state shared by every AWS call:
 * region, endpoints, S3 addressing, TLS and timeouts, retry policy and
 * the credentials provider.
 *
 * Endpoints: a service's endpoint is, in order of precedence, its own
 * override (endpoint_sns / _sqs / _s3, or an entry of `endpoints` for
 * other services such as "dynamodb"), the all-services override
 * `endpoint`, or the AWS default https://{service}.{region}.amazonaws.com
 * (S3: https://s3.{region}.amazonaws.com).  An endpoint is
 * "scheme://host[:port]" without a path; a trailing '/' is dropped.
 *
 * S3 addressing (AWS_S3_ADDRESSING_AUTO): virtual-hosted
 * (bucket.s3.region.amazonaws.com/key) for DNS-compatible bucket names
 * on the default endpoint, path-style (host/bucket/key) for custom
 * endpoints and for other bucket names; PATH or VIRTUAL force one.
 *
 * TLS peer verification is always on for AWS default endpoints; it is
 * off only for endpoints the operator configured explicitly AND when
 * insecure_custom_endpoints is set (a local MinIO with a self-signed
 * certificate).
 *
 * A client is created once, then used concurrently by any number of
 * threads: it is read-only after creation except for the credentials
 * provider (which locks itself) and the jitter RNG (locked here).
 */
#ifndef AWS_CLIENT_H
#define AWS_CLIENT_H

#include <stddef.h>
#include <time.h>

#include "aws_error.h"
#include "aws_http.h"
#include "aws_request.h"
#include "aws_retry.h"
#include "credentials.h"

typedef enum {
    AWS_S3_ADDRESSING_AUTO = 0,
    AWS_S3_ADDRESSING_PATH,
    AWS_S3_ADDRESSING_VIRTUAL
} aws_s3_addressing_t;

typedef struct {
    const char *service; /* signing name: "dynamodb" */
    const char *url;     /* "https://dynamodb.eu-west-1.amazonaws.com" */
} aws_endpoint_t;

#define AWS_CLIENT_DEFAULT_CONNECT_TIMEOUT_MS 5000
#define AWS_CLIENT_DEFAULT_TIMEOUT_MS         30000
#define AWS_S3_DEFAULT_MULTIPART_THRESHOLD    (8 * 1024 * 1024)
#define AWS_S3_DEFAULT_PART_SIZE              (8 * 1024 * 1024)
#define AWS_S3_MIN_PART_SIZE                  (5 * 1024 * 1024)

/* Zero / NULL fields mean "default".  Strings are copied. */
typedef struct {
    const char *region;   /* NULL: AWS_REGION / AWS_DEFAULT_REGION */
    const char *endpoint; /* every service (like --endpoint-url) */
    const char *endpoint_sns;
    const char *endpoint_sqs;
    const char *endpoint_s3;
    const aws_endpoint_t *endpoints; /* other services */
    size_t nendpoints;
    aws_s3_addressing_t s3_addressing;
    size_t s3_multipart_threshold; /* PutObject above this goes multipart */
    size_t s3_part_size;           /* >= AWS_S3_MIN_PART_SIZE */
    int insecure_custom_endpoints; /* 1: no TLS verification for configured endpoints */
    const char *ca_file;           /* PEM bundle instead of the system's */
    long connect_timeout_ms;
    long timeout_ms;                      /* per attempt, whole transfer */
    aws_retry_policy_t retry;             /* zero fields: AWS_RETRY_POLICY_DEFAULT's */
    const aws_cred_config_t *credentials; /* NULL: the default chain */
} aws_client_config_t;

typedef struct aws_client_s aws_client_t;

/* Creates a client from cfg (NULL: all defaults).  Calls
 * curl_global_init() once per process.  Does no network I/O.
 * Returns NULL with err set: AWS_ERR_CONFIG when no region can be
 * resolved, an endpoint is not "http(s)://host[:port]", the part size
 * is under 5 MiB, or the credentials config is inconsistent;
 * AWS_ERR_NOMEM. */
aws_client_t *aws_client_new(const aws_client_config_t *cfg, aws_error_t *err);

/* Frees the client and the calling thread's cached HTTP handle.
 * NULL is allowed.  No call may be in progress. */
void aws_client_free(aws_client_t *c);

/* Returns the signing region ("us-east-1"). */
const char *aws_client_region(const aws_client_t *c);

/* Returns the endpoint for SERVICE (signing name) as
 * "scheme://host[:port]", resolved as described above. */
const char *aws_client_endpoint(const aws_client_t *c, const char *service);

/* Returns 1 when SERVICE's endpoint was configured (not the AWS default). */
int aws_client_endpoint_is_custom(const aws_client_t *c, const char *service);

/* Returns 1 when requests for BUCKET use virtual-hosted addressing,
 * 0 for path-style (see the rules above). */
int aws_client_s3_virtual_hosted(const aws_client_t *c, const char *bucket);

/* Returns the multipart threshold and part size in bytes. */
size_t aws_client_s3_multipart_threshold(const aws_client_t *c);
size_t aws_client_s3_part_size(const aws_client_t *c);

/* Fills out with the transfer options for SERVICE: timeouts, TLS
 * verification and CA file; cancel = NULL. */
void aws_client_http_opts(const aws_client_t *c, const char *service, aws_http_opts_t *out);

/* Returns the client's (normalised) retry policy. */
const aws_retry_policy_t *aws_client_retry_policy(const aws_client_t *c);

/* aws_retry_next() with the client's policy and its shared RNG: decides
 * whether a call that failed with err after `attempts` attempts is
 * retried, and draws the full-jitter delay into *delay_ms; remaining_ms
 * is the caller's budget left (< 0: none).  Returns 1 to retry, 0 not.
 * Thread-safe. */
int aws_client_retry_next(aws_client_t *c, int attempts, const aws_error_t *err,
                          long long remaining_ms, unsigned *delay_ms);

/* Signs req for time NOW: gets credentials from the provider (cached,
 * or fetched, which may block) and calls aws_sigv4_sign.  Returns 0, or
 * -1 with err set: AWS_ERR_CREDENTIALS when none can be found,
 * AWS_ERR_CONFIG / AWS_ERR_NOMEM when signing fails.  Thread-safe. */
int aws_client_sign_at(aws_client_t *c, aws_request_t *req, time_t now, aws_error_t *err);

/* Presigns req for time NOW and EXPIRES_S seconds (1..604800):
 * credentials as aws_client_sign_at, then aws_sigv4_presign, so that
 * aws_request_url() gives a URL any client can use until it expires.
 * Returns 0, or -1 with err set as aws_client_sign_at.  Thread-safe. */
int aws_client_presign_at(aws_client_t *c, aws_request_t *req, time_t now, long expires_s,
                          aws_error_t *err);

/* aws_client_sign_at with now = time(NULL). */
int aws_client_sign(aws_client_t *c, aws_request_t *req, aws_error_t *err);

/* Initialises req for METHOD on ENDPOINT (NULL: SERVICE's endpoint)
 * with the encoded PATH, the client's region and SERVICE as signing
 * name (a shorthand for aws_request_init used by every service builder).  Returns 0, or
 * -1 with err set (AWS_ERR_CONFIG, AWS_ERR_NOMEM); req then needs no
 * aws_request_free. */
int aws_client_request_init(const aws_client_t *c, aws_request_t *req, const char *method,
                            const char *service, const char *endpoint, const char *path,
                            aws_error_t *err);

#endif
