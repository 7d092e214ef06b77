#include "aws_http.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* What aws_http_easy_new() attaches to an easy handle (CURLOPT_PRIVATE). */
typedef struct {
    const aws_request_t *req;
    aws_response_t *resp;
    struct curl_slist *headers;
    size_t body_pos; /* request body bytes handed to curl */
    int read_errno;  /* reading req->body_fd failed */
    int cancelled;
    const volatile sig_atomic_t *cancel;
    void *user;
    char errbuf[CURL_ERROR_SIZE];
} aws_http_xfer_t;

/* ---- responses ------------------------------------------------------------ */

/* Frees the captured metadata of r. */
static void aws_response_free_meta(aws_response_t *r)
{
    size_t i;

    for (i = 0; i < r->nmeta; i++) {
        free(r->meta[i].name);
        free(r->meta[i].value);
    }
    free(r->meta);
    r->meta = NULL;
    r->nmeta = r->cap_meta = 0;
}

/* Forgets the headers captured so far (a new status line starts over). */
static void aws_response_clear_headers(aws_response_t *r)
{
    aws_response_free_meta(r);
    r->content_length = -1;
    r->request_id[0] = r->etag[0] = r->content_type[0] = '\0';
    r->last_modified[0] = r->amz_id2[0] = r->query_error[0] = '\0';
}

void aws_response_init(aws_response_t *r)
{
    memset(r, 0, sizeof(*r));
    r->max_body = AWS_HTTP_DEFAULT_MAX_BODY;
    r->sink_fd = -1;
    r->content_length = -1;
}

void aws_response_reset(aws_response_t *r)
{
    aws_response_clear_headers(r);
    aws_buf_reset(&r->body);
    r->status = 0;
    r->sink_written = 0;
    r->too_large = 0;
    r->sink_errno = 0;
}

void aws_response_free(aws_response_t *r)
{
    aws_response_free_meta(r);
    aws_buf_free(&r->body);
}

const char *aws_response_meta(const aws_response_t *r, const char *name)
{
    size_t i;

    for (i = 0; i < r->nmeta; i++) {
        if (strcasecmp(r->meta[i].name, name) == 0) {
            return r->meta[i].value;
        }
    }
    return NULL;
}

int aws_response_ok(const aws_response_t *r)
{
    return r->status >= 200 && r->status < 300;
}

void aws_response_status_error(const aws_response_t *r, aws_error_t *err)
{
    static const struct {
        long status;
        const char *code;
        const char *text;
    } known[] = {
        { 301, "PermanentRedirect", "Moved Permanently" },
        { 307, "TemporaryRedirect", "Temporary Redirect" },
        { 400, "BadRequest", "Bad Request" },
        { 403, "Forbidden", "Forbidden" },
        { 404, "NotFound", "Not Found" },
        { 405, "MethodNotAllowed", "Method Not Allowed" },
        { 409, "Conflict", "Conflict" },
        { 412, "PreconditionFailed", "Precondition Failed" },
        { 429, "TooManyRequests", "Too Many Requests" },
        { 500, "InternalError", "Internal Server Error" },
        { 502, "BadGateway", "Bad Gateway" },
        { 503, "ServiceUnavailable", "Service Unavailable" },
        { 504, "GatewayTimeout", "Gateway Timeout" },
    };
    char code[32];
    size_t i;

    for (i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
        if (known[i].status == r->status) {
            aws_error_set_service(err, r->status, known[i].code, known[i].text, r->request_id);
            return;
        }
    }
    snprintf(code, sizeof(code), "Http%ld", r->status);
    aws_error_set_service(err, r->status, code, "unexpected HTTP status", r->request_id);
}

/* ---- curl callbacks --------------------------------------------------------- */

/* Copies the header value v (length n, already trimmed) into dst. */
static void aws_http_copy_value(char *dst, size_t size, const char *v, size_t n)
{
    if (n >= size) {
        n = size - 1;
    }
    memcpy(dst, v, n);
    dst[n] = '\0';
}

/* Records one x-amz-meta-* header.  Returns 0, or -1 out of memory. */
static int aws_http_add_meta(aws_response_t *r, const char *name, size_t nlen, const char *value,
                             size_t vlen)
{
    aws_header_t *m;
    size_t i, cap;

    if (r->nmeta == r->cap_meta) {
        cap = r->cap_meta ? r->cap_meta * 2 : 8;
        m = realloc(r->meta, cap * sizeof(*m));
        if (m == NULL) {
            return -1;
        }
        r->meta = m;
        r->cap_meta = cap;
    }
    m = &r->meta[r->nmeta];
    m->name = strndup(name, nlen);
    m->value = strndup(value, vlen);
    if (m->name == NULL || m->value == NULL) {
        free(m->name);
        free(m->value);
        return -1;
    }
    for (i = 0; i < nlen; i++) {
        m->name[i] = (char) tolower((unsigned char) m->name[i]);
    }
    r->nmeta++;
    return 0;
}

/* CURLOPT_HEADERFUNCTION: parses the status line and the headers we
 * keep.  Aborts (returns 0) when a 2xx body's Content-Length is over
 * the limit, or memory runs out. */
static size_t aws_http_on_header(char *line, size_t size, size_t nitems, void *ud)
{
    aws_http_xfer_t *x = ud;
    aws_response_t *r = x->resp;
    size_t len = size * nitems, nlen, vlen;
    const char *colon, *v, *name = line;

    if (len >= 5 && strncmp(line, "HTTP/", 5) == 0) {
        const char *sp = memchr(line, ' ', len);
        aws_response_clear_headers(r);
        r->status = sp ? strtol(sp + 1, NULL, 10) : 0;
        return len;
    }
    colon = memchr(line, ':', len);
    if (colon == NULL) {
        return len;
    }
    nlen = (size_t) (colon - line);
    v = colon + 1;
    vlen = len - nlen - 1;
    while (vlen && (*v == ' ' || *v == '\t')) {
        v++;
        vlen--;
    }
    while (vlen && isspace((unsigned char) v[vlen - 1])) {
        vlen--;
    }

#define AWS_HTTP_IS(h) (nlen == sizeof(h) - 1 && strncasecmp(name, h, nlen) == 0)
    if (AWS_HTTP_IS("x-amzn-requestid") || AWS_HTTP_IS("x-amz-request-id")) {
        aws_http_copy_value(r->request_id, sizeof(r->request_id), v, vlen);
    } else if (AWS_HTTP_IS("etag")) {
        aws_http_copy_value(r->etag, sizeof(r->etag), v, vlen);
    } else if (AWS_HTTP_IS("content-type")) {
        aws_http_copy_value(r->content_type, sizeof(r->content_type), v, vlen);
    } else if (AWS_HTTP_IS("last-modified")) {
        aws_http_copy_value(r->last_modified, sizeof(r->last_modified), v, vlen);
    } else if (AWS_HTTP_IS("x-amz-id-2")) {
        aws_http_copy_value(r->amz_id2, sizeof(r->amz_id2), v, vlen);
    } else if (AWS_HTTP_IS("x-amzn-query-error")) {
        aws_http_copy_value(r->query_error, sizeof(r->query_error), v, vlen);
    } else if (AWS_HTTP_IS("content-length")) {
        r->content_length = strtoll(v, NULL, 10);
        if (r->status >= 200 && r->status < 300 && r->max_body
            && strcmp(x->req->method, "HEAD") != 0 && r->content_length > (long long) r->max_body) {
            r->too_large = 1;
            return 0;
        }
    } else if (nlen > 11 && strncasecmp(name, "x-amz-meta-", 11) == 0) {
        if (aws_http_add_meta(r, name + 11, nlen - 11, v, vlen) != 0) {
            r->sink_errno = ENOMEM;
            return 0;
        }
    }
#undef AWS_HTTP_IS
    return len;
}

/* Writes n bytes to the sink at its current position.  Returns 0, or -1
 * with r->sink_errno set. */
static int aws_http_sink_write(aws_response_t *r, const char *p, size_t n)
{
    ssize_t w;

    while (n > 0) {
        w = pwrite(r->sink_fd, p, n, r->sink_offset + r->sink_written);
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w <= 0) {
            r->sink_errno = w < 0 ? errno : EIO;
            return -1;
        }
        p += w;
        n -= (size_t) w;
        r->sink_written += w;
    }
    return 0;
}

/* CURLOPT_WRITEFUNCTION: a 2xx body goes to the sink or memory within
 * max_body (else abort: too_large); an error body is kept in memory up
 * to AWS_HTTP_MAX_ERROR_BODY and the rest dropped. */
static size_t aws_http_on_body(char *p, size_t size, size_t nitems, void *ud)
{
    aws_http_xfer_t *x = ud;
    aws_response_t *r = x->resp;
    size_t n = size * nitems, have, keep;

    if (r->status >= 300) {
        have = r->body.len;
        keep = have >= AWS_HTTP_MAX_ERROR_BODY ? 0 : AWS_HTTP_MAX_ERROR_BODY - have;
        if (keep > n) {
            keep = n;
        }
        if (keep && aws_buf_append(&r->body, p, keep) != 0) {
            r->sink_errno = ENOMEM;
            return 0;
        }
        return n;
    }
    have = r->sink_fd >= 0 ? (size_t) r->sink_written : r->body.len;
    if (r->max_body && (have > r->max_body || n > r->max_body - have)) {
        r->too_large = 1;
        return 0;
    }
    if (r->sink_fd >= 0) {
        return aws_http_sink_write(r, p, n) == 0 ? n : 0;
    }
    if (aws_buf_append(&r->body, p, n) != 0) {
        r->sink_errno = ENOMEM;
        return 0;
    }
    return n;
}

/* CURLOPT_READFUNCTION: the request body from memory, or pread() from
 * req->body_fd.  A failed or short read aborts the transfer. */
static size_t aws_http_on_read(char *buf, size_t size, size_t nitems, void *ud)
{
    aws_http_xfer_t *x = ud;
    const aws_request_t *req = x->req;
    size_t want = size * nitems, left = req->body_len - x->body_pos;
    ssize_t n;

    if (want > left) {
        want = left;
    }
    if (want == 0) {
        return 0;
    }
    if (req->body_fd < 0) {
        memcpy(buf, (const char *) req->body + x->body_pos, want);
        x->body_pos += want;
        return want;
    }
    do {
        n = pread(req->body_fd, buf, want, req->body_offset + (off_t) x->body_pos);
    } while (n < 0 && errno == EINTR);
    if (n <= 0) {
        x->read_errno = n < 0 ? errno : EIO;
        return CURL_READFUNC_ABORT;
    }
    x->body_pos += (size_t) n;
    return (size_t) n;
}

/* CURLOPT_SEEKFUNCTION: rewinds the body when curl resends it (a reused
 * connection that turned out dead). */
static int aws_http_on_seek(void *ud, curl_off_t offset, int origin)
{
    aws_http_xfer_t *x = ud;

    if (origin != SEEK_SET || offset < 0 || (size_t) offset > x->req->body_len) {
        return CURL_SEEKFUNC_CANTSEEK;
    }
    x->body_pos = (size_t) offset;
    return CURL_SEEKFUNC_OK;
}

/* CURLOPT_XFERINFOFUNCTION: aborts when the caller's cancel flag is up. */
static int aws_http_on_progress(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                                curl_off_t ulnow)
{
    aws_http_xfer_t *x = ud;

    (void) dltotal;
    (void) dlnow;
    (void) ultotal;
    (void) ulnow;
    if (x->cancel != NULL && *x->cancel) {
        x->cancelled = 1;
        return 1;
    }
    return 0;
}

/* ---- easy handles ------------------------------------------------------------ */

/* Builds the header list of req: its headers, "Expect:" and, when req
 * has none, an empty Content-Type (so curl adds no form type to POSTs).
 * Returns the list, or NULL when memory runs out. */
static struct curl_slist *aws_http_header_list(const aws_request_t *req)
{
    struct curl_slist *list = NULL, *l;
    aws_buf_t line = AWS_BUF_INIT;
    size_t i;
    int ok = 1;

    for (i = 0; ok && i < req->nheaders; i++) {
        aws_buf_reset(&line);
        /* "Name;" is curl's syntax for a header with an empty value */
        ok = req->headers[i].value[0]
                 ? aws_buf_printf(&line, "%s: %s", req->headers[i].name, req->headers[i].value) == 0
                 : aws_buf_printf(&line, "%s;", req->headers[i].name) == 0;
        if (ok && (l = curl_slist_append(list, line.data)) != NULL) {
            list = l;
        } else {
            ok = 0;
        }
    }
    if (ok && (l = curl_slist_append(list, "Expect:")) != NULL) {
        list = l;
    } else {
        ok = 0;
    }
    if (ok && aws_request_header(req, "Content-Type") == NULL) {
        if ((l = curl_slist_append(list, "Content-Type:")) != NULL) {
            list = l;
        } else {
            ok = 0;
        }
    }
    aws_buf_free(&line);
    if (!ok) {
        curl_slist_free_all(list);
        return NULL;
    }
    return list;
}

/* Sets the method and body options of easy for req. */
static CURLcode aws_http_set_method(CURL *easy, const aws_request_t *req)
{
    CURLcode rc = CURLE_OK;
    curl_off_t len = (curl_off_t) req->body_len;

    if (strcmp(req->method, "GET") == 0) {
        return curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
    }
    if (strcmp(req->method, "HEAD") == 0) {
        return curl_easy_setopt(easy, CURLOPT_NOBODY, 1L);
    }
    if (strcmp(req->method, "POST") == 0) {
        if ((rc = curl_easy_setopt(easy, CURLOPT_POST, 1L)) == CURLE_OK) {
            rc = curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, len);
        }
        return rc;
    }
    if (strcmp(req->method, "PUT") == 0 || req->body_len > 0) {
        if ((rc = curl_easy_setopt(easy, CURLOPT_UPLOAD, 1L)) == CURLE_OK) {
            rc = curl_easy_setopt(easy, CURLOPT_INFILESIZE_LARGE, len);
        }
    }
    if (rc == CURLE_OK && strcmp(req->method, "PUT") != 0) {
        rc = curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, req->method);
    }
    return rc;
}

/* Configures easy for req/resp/opts with a fresh transfer context.
 * Returns 0, or -1 with err set (the handle then carries no context). */
static int aws_http_setup(CURL *easy, const aws_request_t *req, aws_response_t *resp,
                          const aws_http_opts_t *opts, aws_error_t *err)
{
    aws_http_xfer_t *x;
    aws_buf_t url = AWS_BUF_INIT;
    CURLcode rc = CURLE_OK;

    x = calloc(1, sizeof(*x));
    if (x == NULL || aws_request_url(req, &url) != 0
        || (x->headers = aws_http_header_list(req)) == NULL) {
        aws_buf_free(&url);
        free(x);
        aws_error_set(err, AWS_ERR_NOMEM, "out of memory preparing an HTTP request");
        return -1;
    }
    x->req = req;
    x->resp = resp;
    x->cancel = opts->cancel;

#define AWS_HTTP_SET(opt, val)                                                                     \
    if (rc == CURLE_OK)                                                                            \
    rc = curl_easy_setopt(easy, opt, val)
    AWS_HTTP_SET(CURLOPT_PRIVATE, x);
    AWS_HTTP_SET(CURLOPT_URL, url.data);
    /* the path goes out exactly as signed: libcurl would otherwise squash
     * "." and ".." segments, which are part of an S3 key, and reach
     * another object (or bucket) than the one signed and logged */
    AWS_HTTP_SET(CURLOPT_PATH_AS_IS, 1L);
    AWS_HTTP_SET(CURLOPT_PROTOCOLS_STR, "http,https");
    AWS_HTTP_SET(CURLOPT_NOSIGNAL, 1L);
    AWS_HTTP_SET(CURLOPT_ERRORBUFFER, x->errbuf);
    AWS_HTTP_SET(CURLOPT_HTTPHEADER, x->headers);
    AWS_HTTP_SET(CURLOPT_USERAGENT, "prism-aws/1 libcurl");
    AWS_HTTP_SET(CURLOPT_HEADERFUNCTION, aws_http_on_header);
    AWS_HTTP_SET(CURLOPT_HEADERDATA, x);
    AWS_HTTP_SET(CURLOPT_WRITEFUNCTION, aws_http_on_body);
    AWS_HTTP_SET(CURLOPT_WRITEDATA, x);
    AWS_HTTP_SET(CURLOPT_READFUNCTION, aws_http_on_read);
    AWS_HTTP_SET(CURLOPT_READDATA, x);
    AWS_HTTP_SET(CURLOPT_SEEKFUNCTION, aws_http_on_seek);
    AWS_HTTP_SET(CURLOPT_SEEKDATA, x);
    AWS_HTTP_SET(CURLOPT_CONNECTTIMEOUT_MS, opts->connect_timeout_ms);
    AWS_HTTP_SET(CURLOPT_TIMEOUT_MS, opts->timeout_ms);
    AWS_HTTP_SET(CURLOPT_SSL_VERIFYPEER, opts->verify_tls ? 1L : 0L);
    AWS_HTTP_SET(CURLOPT_SSL_VERIFYHOST, opts->verify_tls ? 2L : 0L);
    if (opts->ca_file != NULL) {
        AWS_HTTP_SET(CURLOPT_CAINFO, opts->ca_file);
    }
    if (opts->cancel != NULL) {
        AWS_HTTP_SET(CURLOPT_XFERINFOFUNCTION, aws_http_on_progress);
        AWS_HTTP_SET(CURLOPT_XFERINFODATA, x);
        AWS_HTTP_SET(CURLOPT_NOPROGRESS, 0L);
    }
#undef AWS_HTTP_SET
    if (rc == CURLE_OK) {
        rc = aws_http_set_method(easy, req);
    }
    aws_buf_free(&url);
    if (rc != CURLE_OK) {
        curl_easy_setopt(easy, CURLOPT_PRIVATE, NULL);
        curl_slist_free_all(x->headers);
        free(x);
        aws_error_set(err, AWS_ERR_CONFIG, "configuring libcurl failed: %s",
                      curl_easy_strerror(rc));
        return -1;
    }
    return 0;
}

/* Returns the context attached to easy, or NULL. */
static aws_http_xfer_t *aws_http_xfer(CURL *easy)
{
    char *p = NULL;

    if (easy == NULL || curl_easy_getinfo(easy, CURLINFO_PRIVATE, &p) != CURLE_OK) {
        return NULL;
    }
    return (aws_http_xfer_t *) p;
}

/* Frees the context attached to easy (not the handle). */
static void aws_http_detach(CURL *easy)
{
    aws_http_xfer_t *x = aws_http_xfer(easy);

    if (x != NULL) {
        curl_easy_setopt(easy, CURLOPT_PRIVATE, NULL);
        curl_slist_free_all(x->headers);
        free(x);
    }
}

CURL *aws_http_easy_new(const aws_request_t *req, aws_response_t *resp, const aws_http_opts_t *opts,
                        aws_error_t *err)
{
    CURL *easy = curl_easy_init();

    if (easy == NULL) {
        aws_error_set(err, AWS_ERR_NOMEM, "curl_easy_init failed");
        return NULL;
    }
    if (aws_http_setup(easy, req, resp, opts, err) != 0) {
        curl_easy_cleanup(easy);
        return NULL;
    }
    return easy;
}

void aws_http_easy_set_user(CURL *easy, void *user)
{
    aws_http_xfer_t *x = aws_http_xfer(easy);

    if (x != NULL) {
        x->user = user;
    }
}

void *aws_http_easy_user(CURL *easy)
{
    aws_http_xfer_t *x = aws_http_xfer(easy);

    return x != NULL ? x->user : NULL;
}

int aws_http_easy_finish(CURL *easy, CURLcode rc, aws_response_t *resp, aws_error_t *err)
{
    aws_http_xfer_t *x = aws_http_xfer(easy);
    const char *detail;
    long status = 0;

    if (curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status) == CURLE_OK && status) {
        resp->status = status;
    }
    if (rc == CURLE_OK) {
        aws_error_clear(err);
        return 0;
    }
    detail = x != NULL && x->errbuf[0] ? x->errbuf : curl_easy_strerror(rc);

    if (resp->too_large) {
        aws_error_set(err, AWS_ERR_TOO_LARGE, "response body exceeds the limit of %zu bytes%s",
                      resp->max_body, resp->content_length >= 0 ? " (by Content-Length)" : "");
    } else if (resp->sink_errno == ENOMEM || rc == CURLE_OUT_OF_MEMORY) {
        aws_error_set(err, AWS_ERR_NOMEM, "out of memory receiving a response");
    } else if (resp->sink_errno) {
        aws_error_set(err, AWS_ERR_IO, "writing the response body: %s", strerror(resp->sink_errno));
    } else if (x != NULL && x->read_errno) {
        aws_error_set(err, AWS_ERR_IO, "reading the request body: %s",
                      x->read_errno == EIO ? "file shorter than expected or read error"
                                           : strerror(x->read_errno));
    } else if (x != NULL && x->cancelled) {
        aws_error_set(err, AWS_ERR_CANCELLED, "request cancelled");
    } else if (rc == CURLE_OPERATION_TIMEDOUT) {
        aws_error_set(err, AWS_ERR_TIMEOUT, "%s", detail);
    } else if (rc == CURLE_PEER_FAILED_VERIFICATION) {
        aws_error_set(err, AWS_ERR_TLS, "%s", detail);
    } else if (rc == CURLE_URL_MALFORMAT || rc == CURLE_UNSUPPORTED_PROTOCOL
               || rc == CURLE_SSL_CACERT_BADFILE || rc == CURLE_SSL_CERTPROBLEM) {
        aws_error_set(err, AWS_ERR_CONFIG, "%s", detail);
    } else {
        aws_error_set(err, AWS_ERR_NETWORK, "%s", detail);
    }
    err->http_status = resp->status;
    aws_error_set_request_id(err, resp->request_id);
    return -1;
}

void aws_http_easy_free(CURL *easy)
{
    if (easy != NULL) {
        aws_http_detach(easy);
        curl_easy_cleanup(easy);
    }
}

/* ---- blocking transfers on a per-thread handle -------------------------------- */

/* Longest wait inside curl between two looks at a cancel flag (curl's own
 * progress callback may come only once a second on an idle transfer). */
#define AWS_HTTP_CANCEL_SLICE_MS 50
/* The same wait without a cancel flag: only curl's own timers matter. */
#define AWS_HTTP_IDLE_SLICE_MS 1000

typedef struct {
    CURLM *multi; /* holds the thread's connection cache */
    CURL *easy;
    pid_t pid; /* the process that created them */
} aws_http_cached_t;

static pthread_key_t aws_http_key;
static pthread_once_t aws_http_key_once = PTHREAD_ONCE_INIT;

/* Frees c; closes its handles only in the process that made them. */
static void aws_http_cached_free(void *p)
{
    aws_http_cached_t *c = p;

    if (c->pid == getpid()) {
        if (c->easy != NULL) {
            curl_easy_cleanup(c->easy);
        }
        if (c->multi != NULL) {
            curl_multi_cleanup(c->multi);
        }
    }
    free(c);
}

static void aws_http_key_create(void)
{
    pthread_key_create(&aws_http_key, aws_http_cached_free);
}

/* Returns this thread's reusable handles, creating them (or replacing
 * those inherited across fork()) as needed; NULL when out of memory. */
static aws_http_cached_t *aws_http_thread_handles(void)
{
    aws_http_cached_t *c;

    pthread_once(&aws_http_key_once, aws_http_key_create);
    c = pthread_getspecific(aws_http_key);
    if (c != NULL && c->pid == getpid()) {
        return c;
    }
    if (c == NULL) {
        c = malloc(sizeof(*c));
        if (c == NULL) {
            return NULL;
        }
    }
    /* inherited handles' connections belong to the parent: leave them */
    c->multi = curl_multi_init();
    c->easy = curl_easy_init();
    c->pid = getpid();
    if (c->multi == NULL || c->easy == NULL || pthread_setspecific(aws_http_key, c) != 0) {
        pthread_setspecific(aws_http_key, NULL);
        aws_http_cached_free(c);
        return NULL;
    }
    return c;
}

/* Runs easy to completion on multi, looking at cancel (may be NULL) at
 * least every AWS_HTTP_CANCEL_SLICE_MS.  Returns the transfer's result;
 * CURLE_ABORTED_BY_CALLBACK (and marks the transfer cancelled) when the
 * flag rose; CURLE_OUT_OF_MEMORY when curl's multi interface fails. */
static CURLcode aws_http_run(CURLM *multi, CURL *easy, const volatile sig_atomic_t *cancel)
{
    int slice = cancel != NULL ? AWS_HTTP_CANCEL_SLICE_MS : AWS_HTTP_IDLE_SLICE_MS;
    CURLcode rc = CURLE_OUT_OF_MEMORY;
    CURLMsg *msg;
    int running = 1, left;

    if (curl_multi_add_handle(multi, easy) != CURLM_OK) {
        return rc;
    }
    while (running) {
        if (curl_multi_perform(multi, &running) != CURLM_OK) {
            break;
        }
        if (running && cancel != NULL && *cancel) {
            aws_http_xfer_t *x = aws_http_xfer(easy);

            if (x != NULL) {
                x->cancelled = 1;
            }
            rc = CURLE_ABORTED_BY_CALLBACK;
            break;
        }
        if (running && curl_multi_poll(multi, NULL, 0, slice, NULL) != CURLM_OK) {
            break;
        }
    }
    while ((msg = curl_multi_info_read(multi, &left)) != NULL) {
        if (msg->msg == CURLMSG_DONE && msg->easy_handle == easy) {
            rc = msg->data.result;
        }
    }
    curl_multi_remove_handle(multi, easy);
    return rc;
}

int aws_http_perform(const aws_request_t *req, aws_response_t *resp, const aws_http_opts_t *opts,
                     aws_error_t *err)
{
    aws_http_cached_t *c = aws_http_thread_handles();
    CURLcode rc;
    int ret;

    if (c == NULL) {
        aws_error_set(err, AWS_ERR_NOMEM, "cannot create curl handles");
        return -1;
    }
    if (aws_http_setup(c->easy, req, resp, opts, err) != 0) {
        curl_easy_reset(c->easy);
        return -1;
    }
    rc = aws_http_run(c->multi, c->easy, opts->cancel);
    ret = aws_http_easy_finish(c->easy, rc, resp, err);
    aws_http_detach(c->easy);
    curl_easy_reset(c->easy);
    return ret;
}

void aws_http_thread_cleanup(void)
{
    aws_http_cached_t *c;

    pthread_once(&aws_http_key_once, aws_http_key_create);
    c = pthread_getspecific(aws_http_key);
    if (c != NULL) {
        pthread_setspecific(aws_http_key, NULL);
        aws_http_cached_free(c);
    }
}
