/*
 * test_aws_http — the libcurl transport (aws/aws_http.c) and the retry
 * loop (aws/aws_call.c) against a scripted HTTP server thread on
 * 127.0.0.1: streaming limits, response sinks, request bodies streamed
 * from a file, cancellation, timeouts, easy handles driven by a curl
 * multi, and the retry budget.
 */
#define _GNU_SOURCE /* strcasestr */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "aws_call.h"
#include "aws_test_support.h"

#define MAX_SCRIPT 6

/* One scripted answer: raw HTTP response bytes after delay_ms. */
typedef struct {
    const char *response;
    int delay_ms;
} canned_t;

typedef struct {
    int lfd;
    int port;
    canned_t script[MAX_SCRIPT];
    int n;
    int served;
    aws_buf_t received[MAX_SCRIPT]; /* raw requests */
    pthread_t thread;
} server_t;

static long long now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reads one request (headers + Content-Length body) from fd into b. */
static void read_request(int fd, aws_buf_t *b)
{
    char chunk[65536];
    const char *end, *cl;
    ssize_t n;
    size_t want = 0;

    for (;;) {
        struct pollfd p = { fd, POLLIN, 0 };
        if (poll(&p, 1, 5000) <= 0 || (n = recv(fd, chunk, sizeof(chunk), 0)) <= 0) {
            return;
        }
        aws_buf_append(b, chunk, (size_t) n);
        end = strstr(b->data, "\r\n\r\n");
        if (end != NULL && want == 0) {
            cl = strcasestr(b->data, "\r\nContent-Length:");
            want = (size_t) (end - b->data) + 4 + (cl && cl < end ? strtoul(cl + 17, NULL, 10) : 0);
        }
        if (end != NULL && b->len >= want) {
            return;
        }
    }
}

/* Server thread: answers the script, one connection per entry. */
static void *serve(void *arg)
{
    server_t *s = arg;
    int i, fd;

    for (i = 0; i < s->n; i++) {
        struct pollfd p = { s->lfd, POLLIN, 0 };
        if (poll(&p, 1, 10000) <= 0 || (fd = accept(s->lfd, NULL, NULL)) < 0) {
            break;
        }
        read_request(fd, &s->received[i]);
        if (s->script[i].delay_ms) {
            /* pacing: the scripted server's delay */
            usleep((useconds_t) s->script[i].delay_ms * 1000);
        }
        send(fd, s->script[i].response, strlen(s->script[i].response), MSG_NOSIGNAL);
        close(fd);
        s->served++;
    }
    return NULL;
}

/* Starts a server answering the n canned responses. */
static void server_start(server_t *s, const canned_t *script, int n)
{
    struct sockaddr_in a;
    socklen_t len = sizeof(a);
    int one = 1;

    memset(s, 0, sizeof(*s));
    memcpy(s->script, script, (size_t) n * sizeof(*script));
    s->n = n;
    s->lfd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(s->lfd >= 0);
    setsockopt(s->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(s->lfd, (struct sockaddr *) &a, sizeof(a)), 0);
    assert_int_equal(listen(s->lfd, 8), 0);
    assert_int_equal(getsockname(s->lfd, (struct sockaddr *) &a, &len), 0);
    s->port = ntohs(a.sin_port);
    assert_int_equal(pthread_create(&s->thread, NULL, serve, s), 0);
}

/* Waits for the server thread and frees what it recorded. */
static void server_stop(server_t *s)
{
    int i;

    pthread_join(s->thread, NULL);
    close(s->lfd);
    for (i = 0; i < MAX_SCRIPT; i++) {
        aws_buf_free(&s->received[i]);
    }
}

/* Builds an unsigned GET/PUT request to the server. */
static void make_request(aws_request_t *req, const server_t *s, const char *method,
                         const char *path)
{
    char endpoint[64], err[128];

    snprintf(endpoint, sizeof(endpoint), "http://127.0.0.1:%d", s->port);
    assert_int_equal(
        aws_request_init(req, method, endpoint, path, "s3", "us-east-1", err, sizeof(err)), 0);
}

static void default_opts(aws_http_opts_t *o)
{
    memset(o, 0, sizeof(*o));
    o->connect_timeout_ms = 2000;
    o->timeout_ms = 10000;
    o->verify_tls = 1;
}

static void test_streamed_body_over_the_limit(void **state)
{
    const canned_t script[] = { { "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                                  "20\r\n0123456789abcdef0123456789abcdef\r\n20\r\n0123456789abcdef"
                                  "0123456789abcdef\r\n0\r\n\r\n",
                                  0 } };
    aws_response_t resp;
    aws_http_opts_t o;
    aws_request_t req;
    aws_error_t err;
    server_t s;

    (void) state;
    server_start(&s, script, 1);
    make_request(&req, &s, "GET", "/b/k");
    default_opts(&o);
    aws_response_init(&resp);
    resp.max_body = 40;
    assert_int_equal(aws_http_perform(&req, &resp, &o, &err), -1);
    assert_int_equal(err.kind, AWS_ERR_TOO_LARGE);
    assert_int_equal(resp.content_length, -1);
    assert_true(resp.body.len <= 40);
    aws_response_free(&resp);
    aws_request_free(&req);
    server_stop(&s);
}

static void test_sink_gets_2xx_bodies_and_memory_gets_errors(void **state)
{
    const canned_t script[] = {
        { "HTTP/1.1 200 OK\r\nContent-Length: 11\r\nETag: \"e1\"\r\nx-amz-request-id: R1\r\n"
          "X-Amz-Meta-Image-Id: 42\r\n\r\nhello world",
          0 },
        { "HTTP/1.1 404 Not Found\r\nContent-Length: 29\r\n\r\n<Error><Code>NoSuchKey</Code>", 0 },
    };
    char path[] = "/tmp/test_aws_http_XXXXXX", got[32] = "";
    aws_response_t resp;
    aws_http_opts_t o;
    aws_request_t req;
    aws_error_t err;
    server_t s;
    int fd = mkstemp(path);

    (void) state;
    assert_true(fd >= 0);
    unlink(path);
    server_start(&s, script, 2);
    make_request(&req, &s, "GET", "/b/k");
    default_opts(&o);
    aws_response_init(&resp);
    resp.sink_fd = fd;
    resp.sink_offset = 5;
    assert_int_equal(aws_http_perform(&req, &resp, &o, &err), 0);
    assert_int_equal(resp.status, 200);
    assert_int_equal(resp.sink_written, 11);
    assert_int_equal(resp.body.len, 0);
    assert_int_equal(pread(fd, got, 11, 5), 11);
    assert_string_equal(got, "hello world");
    assert_string_equal(resp.etag, "\"e1\"");
    assert_string_equal(resp.request_id, "R1");
    assert_string_equal(aws_response_meta(&resp, "image-id"), "42");
    assert_int_equal(resp.content_length, 11);

    aws_response_reset(&resp);
    assert_int_equal(resp.nmeta, 0);
    assert_int_equal(aws_http_perform(&req, &resp, &o, &err), 0);
    assert_int_equal(resp.status, 404);
    assert_int_equal(resp.sink_written, 0);
    assert_string_equal(resp.body.data, "<Error><Code>NoSuchKey</Code>");
    aws_response_free(&resp);
    aws_request_free(&req);
    server_stop(&s);
    close(fd);
}

static void test_request_body_is_byte_identical(void **state)
{
    const canned_t script[] = { { "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 0 } };
    char path[] = "/tmp/test_aws_http_XXXXXX";
    size_t size = 300000, i;
    unsigned char *data = malloc(size);
    aws_response_t resp;
    aws_http_opts_t o;
    aws_request_t req;
    aws_error_t err;
    const char *body;
    server_t s;
    int fd = mkstemp(path);

    (void) state;
    assert_true(fd >= 0);
    unlink(path);
    for (i = 0; i < size; i++) {
        data[i] = (unsigned char) (i * 7 + 3);
    }
    assert_int_equal(write(fd, data, size), (ssize_t) size);
    server_start(&s, script, 1);
    make_request(&req, &s, "PUT", "/b/k");
    req.body_fd = fd;
    req.body_offset = 1000;
    req.body_len = size - 1000;
    default_opts(&o);
    aws_response_init(&resp);
    assert_int_equal(aws_http_perform(&req, &resp, &o, &err), 0);
    pthread_join(s.thread, NULL);
    assert_non_null(s.received[0].data);
    assert_null(strcasestr(s.received[0].data, "\r\nExpect:"));
    assert_non_null(strcasestr(s.received[0].data, "\r\nContent-Length: 299000\r\n"));
    body = strstr(s.received[0].data, "\r\n\r\n") + 4;
    assert_int_equal(s.received[0].len - (size_t) (body - s.received[0].data), size - 1000);
    assert_memory_equal(body, data + 1000, size - 1000);
    close(s.lfd);
    aws_buf_free(&s.received[0]);
    aws_response_free(&resp);
    aws_request_free(&req);
    close(fd);
    free(data);
}

static void test_short_file_is_an_io_error(void **state)
{
    const canned_t script[] = { { "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 0 } };
    char path[] = "/tmp/test_aws_http_XXXXXX";
    aws_response_t resp;
    aws_http_opts_t o;
    aws_request_t req;
    aws_error_t err;
    server_t s;
    int fd = mkstemp(path);

    (void) state;
    assert_true(fd >= 0);
    unlink(path);
    assert_int_equal(write(fd, "0123456789", 10), 10);
    server_start(&s, script, 1);
    make_request(&req, &s, "PUT", "/b/k");
    req.body_fd = fd;
    req.body_len = 100;
    default_opts(&o);
    aws_response_init(&resp);
    assert_int_equal(aws_http_perform(&req, &resp, &o, &err), -1);
    assert_int_equal(err.kind, AWS_ERR_IO);
    assert_false(aws_error_retryable(&err));
    aws_response_free(&resp);
    aws_request_free(&req);
    server_stop(&s);
    close(fd);
}

typedef struct {
    volatile sig_atomic_t *flag;
    int after_ms;
} raiser_t;

/* Thread: raises *flag after after_ms. */
static void *raise_later(void *arg)
{
    raiser_t *r = arg;

    usleep((useconds_t) r->after_ms * 1000); /* pacing: the scripted reply's delay */
    *r->flag = 1;
    return NULL;
}

static void test_cancel_flag_aborts_a_waiting_transfer(void **state)
{
    const canned_t script[] = { { "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}", 4000 } };
    volatile sig_atomic_t cancel = 0;
    raiser_t r = { &cancel, 1300 };
    aws_response_t resp;
    aws_http_opts_t o;
    aws_request_t req;
    aws_error_t err;
    pthread_t t;
    server_t s;
    long long start;

    (void) state;
    server_start(&s, script, 1);
    make_request(&req, &s, "GET", "/poll");
    default_opts(&o);
    o.cancel = &cancel;
    aws_response_init(&resp);
    pthread_create(&t, NULL, raise_later, &r);
    start = now_ms();
    assert_int_equal(aws_http_perform(&req, &resp, &o, &err), -1);
    assert_int_equal(err.kind, AWS_ERR_CANCELLED);
    /* raised at 1.3 s, once the transfer only waits: noticed within a
     * slice, not at curl's next 1 s progress tick (a stopping worker's
     * grace can be 1 s) */
    assert_true(now_ms() - start < 1900);
    pthread_join(t, NULL);
    aws_response_free(&resp);
    aws_request_free(&req);
    server_stop(&s);
}

static void test_timeout_and_refused_connection(void **state)
{
    const canned_t script[] = { { "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 1500 } };
    aws_response_t resp;
    aws_http_opts_t o;
    aws_request_t req;
    aws_error_t err;
    server_t s;
    int port;

    (void) state;
    server_start(&s, script, 1);
    make_request(&req, &s, "GET", "/slow");
    default_opts(&o);
    o.timeout_ms = 300;
    aws_response_init(&resp);
    assert_int_equal(aws_http_perform(&req, &resp, &o, &err), -1);
    assert_int_equal(err.kind, AWS_ERR_TIMEOUT);
    assert_true(aws_error_retryable(&err));
    aws_request_free(&req);
    port = s.port;
    server_stop(&s);

    /* the listening socket is closed now: nothing answers on that port */
    s.port = port;
    make_request(&req, &s, "GET", "/gone");
    aws_response_reset(&resp);
    assert_int_equal(aws_http_perform(&req, &resp, &o, &err), -1);
    assert_int_equal(err.kind, AWS_ERR_NETWORK);
    assert_true(aws_error_retryable(&err));
    aws_response_free(&resp);
    aws_request_free(&req);
}

/* Dot segments and "//" are part of an S3 key: the request line carries
 * the path exactly as signed, never normalised by the client. */
static void test_path_is_sent_as_is(void **state)
{
    const canned_t script[] = { { "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 0 } };
    const char *want = "GET /bucket/../other/./a//b HTTP/1.1\r\n";
    aws_response_t resp;
    aws_http_opts_t o;
    aws_request_t req;
    aws_error_t err;
    server_t s;

    (void) state;
    server_start(&s, script, 1);
    make_request(&req, &s, "GET", "/bucket/../other/./a//b");
    default_opts(&o);
    aws_response_init(&resp);
    assert_int_equal(aws_http_perform(&req, &resp, &o, &err), 0);
    assert_non_null(s.received[0].data);
    assert_true(strncmp(s.received[0].data, want, strlen(want)) == 0);
    aws_response_free(&resp);
    aws_request_free(&req);
    server_stop(&s);
}

static void test_easy_handles_run_on_a_multi(void **state)
{
    const canned_t script[] = {
        { "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nx-amzn-RequestId: A\r\n\r\nfirst", 0 },
        { "HTTP/1.1 503 Slow Down\r\nContent-Length: 0\r\n\r\n", 0 },
    };
    aws_response_t resp[2];
    aws_request_t req[2];
    aws_http_opts_t o;
    aws_error_t err;
    CURL *easy[2];
    CURLM *multi = curl_multi_init();
    CURLMsg *msg;
    server_t s;
    int running = 1, left, i, tag[2] = { 0, 1 }, finished = 0;

    (void) state;
    server_start(&s, script, 2);
    default_opts(&o);
    for (i = 0; i < 2; i++) {
        make_request(&req[i], &s, "GET", i ? "/b" : "/a");
        aws_response_init(&resp[i]);
        easy[i] = aws_http_easy_new(&req[i], &resp[i], &o, &err);
        assert_non_null(easy[i]);
        aws_http_easy_set_user(easy[i], &tag[i]);
        curl_multi_add_handle(multi, easy[i]);
    }
    while (running) {
        curl_multi_perform(multi, &running);
        curl_multi_poll(multi, NULL, 0, 100, NULL);
        while ((msg = curl_multi_info_read(multi, &left)) != NULL) {
            int *t = aws_http_easy_user(msg->easy_handle);
            assert_non_null(t);
            assert_int_equal(
                aws_http_easy_finish(msg->easy_handle, msg->data.result, &resp[*t], &err), 0);
            finished++;
        }
    }
    assert_int_equal(finished, 2);
    /* the server answered in accept order: one 200 "first", one 503 */
    assert_int_equal(resp[0].status + resp[1].status, 703);
    for (i = 0; i < 2; i++) {
        if (resp[i].status == 200) {
            assert_string_equal(resp[i].body.data, "first");
            assert_string_equal(resp[i].request_id, "A");
        } else {
            aws_response_status_error(&resp[i], &err);
            assert_string_equal(err.code, "ServiceUnavailable");
        }
        curl_multi_remove_handle(multi, easy[i]);
        aws_http_easy_free(easy[i]);
        aws_response_free(&resp[i]);
        aws_request_free(&req[i]);
    }
    curl_multi_cleanup(multi);
    server_stop(&s);
}

typedef struct {
    const server_t *s;
    int builds;
} call_ctx_t;

/* aws_call build callback: an unsigned GET to the server. */
static int call_build(aws_client_t *c, void *ctx, aws_request_t *req, aws_error_t *err)
{
    call_ctx_t *cc = ctx;

    (void) c;
    (void) err;
    cc->builds++;
    make_request(req, cc->s, "GET", "/x");
    return 0;
}

/* aws_call parse callback: 2xx or the status error. */
static int call_parse(void *ctx, const aws_response_t *resp, aws_error_t *err)
{
    (void) ctx;
    if (aws_response_ok(resp)) {
        aws_error_clear(err);
        return 0;
    }
    aws_response_status_error(resp, err);
    return -1;
}

static void test_call_retries_then_succeeds(void **state)
{
    const canned_t script[] = {
        { "HTTP/1.1 500 Internal\r\nContent-Length: 0\r\n\r\n", 0 },
        { "HTTP/1.1 503 Busy\r\nContent-Length: 0\r\n\r\n", 0 },
        { "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", 0 },
    };
    aws_client_t *c = test_client(NULL, AWS_S3_ADDRESSING_AUTO);
    aws_response_t resp;
    aws_error_t err;
    server_t s;
    call_ctx_t cc = { &s, 0 };

    (void) state;
    server_start(&s, script, 3);
    aws_response_init(&resp);
    assert_int_equal(aws_call(c, "s3", call_build, call_parse, &cc, &resp, NULL, &err), 0);
    assert_int_equal(cc.builds, 3);
    assert_string_equal(resp.body.data, "ok");
    aws_response_free(&resp);
    server_stop(&s);
    aws_client_free(c);
}

static void test_call_budget_and_cancel(void **state)
{
    const canned_t script[] = {
        { "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 1200 },
    };
    aws_client_t *c = test_client(NULL, AWS_S3_ADDRESSING_AUTO);
    volatile sig_atomic_t cancel = 1;
    aws_call_opts_t opts = { 0, 400, NULL };
    aws_response_t resp;
    aws_error_t err;
    server_t s;
    call_ctx_t cc = { &s, 0 };
    long long start;

    (void) state;
    server_start(&s, script, 1);
    aws_response_init(&resp);
    start = now_ms();
    /* the budget caps the attempt's timeout, and no retry fits after it */
    assert_int_equal(aws_call(c, "s3", call_build, call_parse, &cc, &resp, &opts, &err), -1);
    assert_int_equal(err.kind, AWS_ERR_TIMEOUT);
    assert_int_equal(cc.builds, 1);
    assert_true(now_ms() - start < 1000);
    server_stop(&s);

    /* a raised cancel flag stops the call before any request */
    opts.budget_ms = 0;
    opts.cancel = &cancel;
    assert_int_equal(aws_call(c, "s3", call_build, call_parse, &cc, &resp, &opts, &err), -1);
    assert_int_equal(err.kind, AWS_ERR_CANCELLED);
    assert_int_equal(cc.builds, 1);
    aws_response_free(&resp);
    aws_client_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_streamed_body_over_the_limit),
        cmocka_unit_test(test_sink_gets_2xx_bodies_and_memory_gets_errors),
        cmocka_unit_test(test_request_body_is_byte_identical),
        cmocka_unit_test(test_short_file_is_an_io_error),
        cmocka_unit_test(test_cancel_flag_aborts_a_waiting_transfer),
        cmocka_unit_test(test_timeout_and_refused_connection),
        cmocka_unit_test(test_path_is_sent_as_is),
        cmocka_unit_test(test_easy_handles_run_on_a_multi),
        cmocka_unit_test(test_call_retries_then_succeeds),
        cmocka_unit_test(test_call_budget_and_cancel),
    };

    curl_global_init(CURL_GLOBAL_DEFAULT);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
