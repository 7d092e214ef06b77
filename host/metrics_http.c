/*
 * metrics_http — answer GET /metrics from the master's loop.
 * See metrics_http.h.
 */
#define _GNU_SOURCE /* accept4 */
#include "metrics_http.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "aws_buf.h"
#include "log.h"

#define REQUEST_MAX     4096
#define REQUEST_WAIT_MS 1000

int host_metrics_http_listen(const char *host, int port, char *err, size_t errlen)
{
    struct addrinfo hints, *ai = NULL;
    char portstr[16];
    int fd, one = 1, rc;

    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
    snprintf(portstr, sizeof(portstr), "%d", port);
    rc = getaddrinfo(host, portstr, &hints, &ai);
    if (rc != 0) {
        snprintf(err, errlen, "metrics.listen %s:%d: %s", host, port, gai_strerror(rc));
        return -1;
    }
    fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0
        || bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, 16) != 0) {
        snprintf(err, errlen, "metrics.listen %s:%d: %s", host, port, strerror(errno));
        if (fd >= 0)
            close(fd);
        freeaddrinfo(ai);
        return -1;
    }
    freeaddrinfo(ai);
    return fd;
}

/* Reads the request head from FD into buf (cap bytes) until a blank line,
 * the cap, EOF or REQUEST_WAIT_MS.  Returns the bytes read. */
static size_t read_head(int fd, char *buf, size_t cap)
{
    struct timespec start, now;
    size_t n = 0;

    clock_gettime(CLOCK_MONOTONIC, &start);
    while (n + 1 < cap) {
        struct pollfd pfd = { .fd = fd, .events = POLLIN };
        long waited;

        clock_gettime(CLOCK_MONOTONIC, &now);
        waited = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
        if (waited >= REQUEST_WAIT_MS || poll(&pfd, 1, (int) (REQUEST_WAIT_MS - waited)) <= 0)
            break;
        ssize_t r = read(fd, buf + n, cap - 1 - n);
        if (r < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (r <= 0)
            break;
        n += (size_t) r;
        buf[n] = '\0';
        if (strstr(buf, "\r\n\r\n") != NULL || strstr(buf, "\n\n") != NULL)
            break;
    }
    buf[n] = '\0';
    return n;
}

/* Writes all of DATA (LEN bytes) to FD, giving up on errors or after
 * REQUEST_WAIT_MS without progress. */
static void write_all(int fd, const char *data, size_t len)
{
    while (len > 0) {
        struct pollfd pfd = { .fd = fd, .events = POLLOUT };
        if (poll(&pfd, 1, REQUEST_WAIT_MS) <= 0)
            return;
        ssize_t w = send(fd, data, len, MSG_NOSIGNAL);
        if (w < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (w <= 0)
            return;
        data += w;
        len -= (size_t) w;
    }
}

/* Answers one accepted connection. */
static void serve_one(int fd, host_metrics_t *m, int workers)
{
    char req[REQUEST_MAX];
    aws_buf_t body = AWS_BUF_INIT;
    aws_buf_t resp = AWS_BUF_INIT;
    const char *status = "200 OK";
    const char *ctype = "text/plain; version=0.0.4; charset=utf-8";
    int head;

    read_head(fd, req, sizeof(req));
    head = strncmp(req, "HEAD ", 5) == 0;
    if (strncmp(req, "GET ", 4) != 0 && !head) {
        status = "405 Method Not Allowed";
        ctype = "text/plain";
        aws_buf_puts(&body, "method not allowed\n");
    } else if (strncmp(req + (head ? 5 : 4), "/metrics ", 9) != 0
               && strncmp(req + (head ? 5 : 4), "/metrics?", 9) != 0) {
        status = "404 Not Found";
        ctype = "text/plain";
        aws_buf_puts(&body, "not found: try /metrics\n");
    } else if (host_metrics_render(m, workers, &body) != 0) {
        status = "500 Internal Server Error";
        ctype = "text/plain";
        aws_buf_reset(&body);
        aws_buf_puts(&body, "out of memory\n");
    }
    if (aws_buf_printf(&resp,
                       "HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
                       "Connection: close\r\n\r\n",
                       status, ctype, body.len)
            == 0
        && (head || body.len == 0 || aws_buf_append(&resp, body.data, body.len) == 0))
        write_all(fd, resp.data, resp.len);
    aws_buf_free(&body);
    aws_buf_free(&resp);
}

void host_metrics_http_serve(int lfd, host_metrics_t *m, int workers)
{
    for (;;) {
        int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR)
                continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK)
                host_log(HOST_LOG_WARN, NULL, "metrics: accept: %s", strerror(errno));
            return;
        }
        serve_one(fd, m, workers);
        close(fd);
    }
}
