/*
 * sigv4 — AWS Signature Version 4 (AWS4-HMAC-SHA256) for aws_request_t.
 *
 * Two ways to sign a request built by a service module:
 *
 *   aws_sigv4_sign      adds Host (when absent), X-Amz-Date,
 *                       X-Amz-Security-Token (session credentials),
 *                       x-amz-content-sha256 (S3) and Authorization
 *                       headers; send the request as it then stands.
 *   aws_sigv4_presign   adds the X-Amz-* signing parameters (signature
 *                       last) to the query: aws_request_url() then gives
 *                       a presigned URL valid for expires_s seconds.
 *
 * Rules applied (they match the AWS signing test suite):
 *   - signed headers: every header of the request except Authorization,
 *     names lower-cased and sorted, values trimmed with inner runs of
 *     whitespace collapsed to one space, repeated names joined by ',';
 *   - canonical query: aws_uri_canonical_query() (decoded, re-encoded,
 *     sorted);
 *   - canonical path: for S3, the request path as sent, single-encoded
 *     (decoded and re-encoded, so "/b/a%20b" stays "/b/a%20b"); for every
 *     other service the path is normalised (aws_uri_normalize_path) and
 *     then encoded once more ("double encoding": "/a%20b" -> "/a%2520b",
 *     which is what AWS services compute from the wire path);
 *   - payload: req->payload_hash (hex SHA-256 or "UNSIGNED-PAYLOAD"); a
 *     presigned S3 URL always uses UNSIGNED-PAYLOAD.
 *
 * The signing key (four chained HMACs of secret, date, region, service)
 * is derived once per (secret, date, region, service) and kept in a
 * small process-wide cache protected by a mutex, so any thread may sign
 * at any time without setup.  The cache stores a SHA-256 of the secret,
 * never the secret itself.
 *
 * Signing does no I/O.  Functions that can fail return 0, or -1 with a
 * message in err (errlen bytes); messages never contain secrets.
 */
#ifndef AWS_SIGV4_H
#define AWS_SIGV4_H

#include <stddef.h>
#include <time.h>

#include "aws_buf.h"
#include "aws_request.h"
#include "credentials.h"

#define AWS_SIGV4_ALGORITHM        "AWS4-HMAC-SHA256"
#define AWS_SIGV4_UNSIGNED_PAYLOAD "UNSIGNED-PAYLOAD"

/* How the canonical request is formed; aws_sigv4_options_for_service
 * gives the AWS rule for a service, the test-suite runner sets them per
 * case. */
typedef struct {
    int normalize_path; /* resolve "." / ".." and "//" in the path */
    int double_encode;  /* encode the (already encoded) path again */
    int sign_payload;   /* header signing adds x-amz-content-sha256 */
} aws_sigv4_options_t;

/* The intermediate results of one signing, for tests and debugging.
 * Initialise with AWS_SIGV4_TRACE_INIT, release with aws_sigv4_trace_free. */
typedef struct {
    aws_buf_t canonical_request;
    aws_buf_t string_to_sign;
    char signature[65]; /* lower-case hex */
} aws_sigv4_trace_t;

#define AWS_SIGV4_TRACE_INIT                                                                       \
    {                                                                                              \
        AWS_BUF_INIT, AWS_BUF_INIT, ""                                                             \
    }

/* --- high level ----------------------------------------------------- */

/* Signs REQ in place with the Authorization header (see above) for
 * req->service / req->region at time NOW.  Signing the same request
 * again (a retry, later NOW) replaces the headers it added; it does not
 * remove an X-Amz-Security-Token when the new credentials have no
 * token, so build a fresh request when credentials change kind.
 * Returns 0, or -1 with err set when the credentials are empty, the
 * request lacks service, region or payload hash, or memory runs out
 * (headers may then be half added). */
int aws_sigv4_sign(aws_request_t *req, const aws_credentials_t *creds, time_t now, char *err,
                   size_t errlen);

/* Presigns REQ in place: appends X-Amz-Algorithm, X-Amz-Credential,
 * X-Amz-Date, X-Amz-Expires, X-Amz-SignedHeaders, X-Amz-Security-Token
 * (session credentials) and X-Amz-Signature to req->query; every header
 * present (at least Host) is signed and must be sent with the URL.
 * Presign a request once (the parameters are appended, not replaced).
 * EXPIRES_S must be 1..604800 (7 days).  Returns 0 or -1 as
 * aws_sigv4_sign. */
int aws_sigv4_presign(aws_request_t *req, const aws_credentials_t *creds, time_t now,
                      long expires_s, char *err, size_t errlen);

/* As aws_sigv4_sign, with explicit OPTS (NULL: the service's rules) and,
 * when TRACE is not NULL, the canonical request, string to sign and
 * signature copied into it. */
int aws_sigv4_sign_ex(aws_request_t *req, const aws_credentials_t *creds, time_t now,
                      const aws_sigv4_options_t *opts, aws_sigv4_trace_t *trace, char *err,
                      size_t errlen);

/* As aws_sigv4_presign, with OPTS and TRACE as in aws_sigv4_sign_ex. */
int aws_sigv4_presign_ex(aws_request_t *req, const aws_credentials_t *creds, time_t now,
                         long expires_s, const aws_sigv4_options_t *opts, aws_sigv4_trace_t *trace,
                         char *err, size_t errlen);

/* Releases the buffers of a trace (it may be reused afterwards). */
void aws_sigv4_trace_free(aws_sigv4_trace_t *trace);

/* --- building blocks (pure functions) -------------------------------- */

/* Fills OPTS with AWS's rules for SERVICE: "s3" -> no normalisation,
 * single encoding, payload signed; anything else -> normalised, double
 * encoded, no x-amz-content-sha256 header. */
void aws_sigv4_options_for_service(const char *service, aws_sigv4_options_t *opts);

/* Formats NOW (UTC) as "YYYYMMDDTHHMMSSZ" into amz_date and "YYYYMMDD"
 * into date.  Returns 0, or -1 when NOW is out of range. */
int aws_sigv4_format_time(time_t now, char amz_date[17], char date[9]);

/* Appends the canonical URI of PATH (see the rules above) to OUT.
 * Returns 0 or -1 (out of memory). */
int aws_sigv4_canonical_uri(aws_buf_t *out, const char *path, const aws_sigv4_options_t *opts);

/* Appends the canonical request of REQ as it stands (method, canonical
 * URI, canonical query, canonical headers, signed headers, payload hash;
 * no trailing newline) to OUT and the signed-header list
 * ("host;x-amz-date") to SIGNED_HEADERS.  Returns 0, or -1 with err set
 * when the payload hash is missing or memory runs out. */
int aws_sigv4_canonical_request(const aws_request_t *req, const aws_sigv4_options_t *opts,
                                aws_buf_t *out, aws_buf_t *signed_headers, char *err,
                                size_t errlen);

/* Appends the string to sign to OUT:
 *   "AWS4-HMAC-SHA256\n" AMZ_DATE "\n" SCOPE "\n" hex(SHA-256(CREQ))
 * where SCOPE is "date/region/service/aws4_request".  Returns 0 or -1. */
int aws_sigv4_string_to_sign(aws_buf_t *out, const char *amz_date, const char *scope,
                             const char *creq, size_t creq_len);

/* Derives the signing key for (SECRET, DATE "YYYYMMDD", REGION, SERVICE)
 * into key, from the process-wide cache when possible.  Returns 0, or -1
 * when HMAC fails. */
int aws_sigv4_signing_key(const char *secret, const char *date, const char *region,
                          const char *service, unsigned char key[32]);

/* Writes hex(HMAC-SHA256(KEY, STS[0..len))) (64 chars + NUL) into hex.
 * Returns 0, or -1 when HMAC fails. */
int aws_sigv4_signature(const unsigned char key[32], const char *sts, size_t len, char hex[65]);

/* Writes the lower-case hex SHA-256 of DATA[0..len) (64 chars + NUL)
 * into hex.  Returns 0, or -1 when the digest fails. */
int aws_sigv4_sha256_hex(const void *data, size_t len, char hex[65]);

/* Reports how many aws_sigv4_signing_key calls were answered from the
 * cache (hits) and how many derived a key (misses) since the process
 * started; for tests and metrics.  Either pointer may be NULL. */
void aws_sigv4_key_cache_stats(unsigned long *hits, unsigned long *misses);

#endif
