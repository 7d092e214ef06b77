#include "aws_request.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sigv4.h"

/* Returns 1 when HOST (host[:port] or [v6]:port, length len) has only
 * characters that may appear in an authority without user info. */
static int aws_request_valid_host(const char *host, size_t len)
{
    size_t i;

    if (len == 0 || host[0] == ':') {
        return 0;
    }
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char) host[i];
        if (!isalnum(c) && c != '.' && c != '-' && c != '_' && c != ':' && c != '[' && c != ']') {
            return 0;
        }
    }
    return 1;
}

/* Returns the length of HOST without a ":PORT" suffix that is the
 * default for SCHEME, so Host: matches what HTTP clients send. */
static size_t aws_request_strip_default_port(const char *scheme, const char *host, size_t len)
{
    const char *port = strcmp(scheme, "https") == 0 ? ":443" : ":80";
    size_t plen = strlen(port);

    if (len > plen && memcmp(host + len - plen, port, plen) == 0) {
        return len - plen;
    }
    return len;
}

int aws_request_init(aws_request_t *req, const char *method, const char *endpoint, const char *path,
                     const char *service, const char *region, char *err, size_t errlen)
{
    const char *sep, *host;
    size_t hostlen;

    memset(req, 0, sizeof(*req));
    req->body_fd = -1;

    if (strlen(method) >= sizeof(req->method) || method[0] == '\0') {
        snprintf(err, errlen, "invalid HTTP method \"%.16s\"", method);
        return -1;
    }
    sep = strstr(endpoint, "://");
    if (sep == NULL
        || !((sep - endpoint == 5 && strncmp(endpoint, "https", 5) == 0)
             || (sep - endpoint == 4 && strncmp(endpoint, "http", 4) == 0))) {
        snprintf(err, errlen, "endpoint \"%s\" must start with http:// or https://", endpoint);
        return -1;
    }
    host = sep + 3;
    hostlen = strlen(host);
    if (hostlen > 0 && host[hostlen - 1] == '/') {
        hostlen--;
    }
    if (!aws_request_valid_host(host, hostlen)) {
        snprintf(err, errlen, "endpoint \"%s\" must be scheme://host[:port] without a path",
                 endpoint);
        return -1;
    }
    if (path == NULL || path[0] != '/') {
        snprintf(err, errlen, "request path must start with '/'");
        return -1;
    }

    memcpy(req->method, method, strlen(method) + 1);
    req->scheme = strndup(endpoint, (size_t) (sep - endpoint));
    if (req->scheme != NULL) {
        hostlen = aws_request_strip_default_port(req->scheme, host, hostlen);
    }
    req->host = strndup(host, hostlen);
    req->path = strdup(path);
    req->query = strdup("");
    req->service = service;
    req->region = region;
    if (req->scheme == NULL || req->host == NULL || req->path == NULL || req->query == NULL
        || aws_sigv4_sha256_hex("", 0, req->payload_hash) != 0) {
        aws_request_free(req);
        snprintf(err, errlen, "out of memory building a request");
        return -1;
    }
    return 0;
}

int aws_request_set_header(aws_request_t *req, const char *name, const char *value)
{
    aws_header_t *h;
    char *v, *n;
    size_t i;

    v = strdup(value);
    if (v == NULL) {
        return -1;
    }
    for (i = 0; i < req->nheaders; i++) {
        if (strcasecmp(req->headers[i].name, name) == 0) {
            free(req->headers[i].value);
            req->headers[i].value = v;
            return 0;
        }
    }
    if (req->nheaders == req->cap_headers) {
        size_t cap = req->cap_headers ? req->cap_headers * 2 : 8;
        h = realloc(req->headers, cap * sizeof(*h));
        if (h == NULL) {
            free(v);
            return -1;
        }
        req->headers = h;
        req->cap_headers = cap;
    }
    n = strdup(name);
    if (n == NULL) {
        free(v);
        return -1;
    }
    req->headers[req->nheaders].name = n;
    req->headers[req->nheaders].value = v;
    req->nheaders++;
    return 0;
}

const char *aws_request_header(const aws_request_t *req, const char *name)
{
    size_t i;

    for (i = 0; i < req->nheaders; i++) {
        if (strcasecmp(req->headers[i].name, name) == 0) {
            return req->headers[i].value;
        }
    }
    return NULL;
}

int aws_request_set_query(aws_request_t *req, const char *query)
{
    char *q = strdup(query);

    if (q == NULL) {
        return -1;
    }
    free(req->query);
    req->query = q;
    return 0;
}

int aws_request_set_body(aws_request_t *req, const void *body, size_t len)
{
    if (aws_sigv4_sha256_hex(body, len, req->payload_hash) != 0) {
        return -1;
    }
    req->body = body;
    req->body_len = len;
    req->body_fd = -1;
    return 0;
}

int aws_request_url(const aws_request_t *req, aws_buf_t *out)
{
    if (aws_buf_printf(out, "%s://%s%s", req->scheme, req->host, req->path) != 0) {
        return -1;
    }
    if (req->query[0] != '\0' && aws_buf_printf(out, "?%s", req->query) != 0) {
        return -1;
    }
    return 0;
}

void aws_request_free(aws_request_t *req)
{
    size_t i;

    for (i = 0; i < req->nheaders; i++) {
        free(req->headers[i].name);
        free(req->headers[i].value);
    }
    free(req->headers);
    free(req->scheme);
    free(req->host);
    free(req->path);
    free(req->query);
    req->headers = NULL;
    req->nheaders = req->cap_headers = 0;
    req->scheme = req->host = req->path = req->query = NULL;
}
