/*
 * aws_request — one HTTP request to an AWS service, as data.
 *
 * Service code (sns.c, sqs.c, s3.c) builds one of these from its
 * parameters; sigv4.c signs it; a transport (aws_http.c with libcurl, or
 * the nginx module's event-driven driver) sends it.  Building and signing
 * never do I/O, so both transports share them.
 */
#ifndef AWS_REQUEST_H
#define AWS_REQUEST_H

#include <stddef.h>
#include <sys/types.h>

#include "aws_buf.h"

typedef struct {
    char *name; /* as given; signing lower-cases a copy */
    char *value;
} aws_header_t;

typedef struct {
    char method[8]; /* "GET", "PUT", "POST", "HEAD", "DELETE" */
    char *scheme;   /* "https" or "http" */
    char *host;     /* host[:port], as sent in Host: */
    char *path;     /* URI-encoded path, as sent ("/bucket/a%20b") */
    char *query;    /* encoded query without '?', "" when none */
    aws_header_t *headers;
    size_t nheaders;
    size_t cap_headers;

    /* The payload: bytes in memory (body, body_len) or, when body_fd >= 0,
     * body_len bytes of that file from body_offset (streamed, not read
     * into memory).  The request does not own either. */
    const void *body;
    size_t body_len;
    int body_fd;
    off_t body_offset;

    /* Hex SHA-256 of the payload, or "UNSIGNED-PAYLOAD".  Set by the
     * builder (aws_request_hash_body computes it for in-memory bodies). */
    char payload_hash[65];

    const char *service; /* signing name: "sns", "sqs", "s3", ... */
    const char *region;  /* signing region */
} aws_request_t;

/* Initialises req for METHOD on ENDPOINT ("https://host[:port]" with no
 * path) and PATH (already URI-encoded, starting with '/').  Returns 0, or
 * -1 with a message in err (errlen bytes) when the endpoint is malformed
 * or memory runs out; req then needs no aws_request_free. */
int aws_request_init(aws_request_t *req, const char *method, const char *endpoint, const char *path,
                     const char *service, const char *region, char *err, size_t errlen);

/* Sets header NAME (case-insensitive match) to VALUE, replacing an
 * earlier value.  Returns 0, or -1 when memory runs out. */
int aws_request_set_header(aws_request_t *req, const char *name, const char *value);

/* Returns the value of header NAME (case-insensitive), or NULL. */
const char *aws_request_header(const aws_request_t *req, const char *name);

/* Replaces the query string (already encoded, without '?').  0 or -1. */
int aws_request_set_query(aws_request_t *req, const char *query);

/* Points the payload at BODY/LEN (not copied) and sets payload_hash to
 * its SHA-256.  Returns 0, or -1 if hashing fails. */
int aws_request_set_body(aws_request_t *req, const void *body, size_t len);

/* Writes "scheme://host/path[?query]" into out.  Returns 0 or -1 (ENOMEM). */
int aws_request_url(const aws_request_t *req, aws_buf_t *out);

/* Frees what the request owns (not the body). */
void aws_request_free(aws_request_t *req);

#endif
