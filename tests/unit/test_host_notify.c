/*
 * test_host_notify — host_notify speaks systemd's notification protocol:
 * one datagram to the AF_UNIX socket named by NOTIFY_SOCKET (a path, or
 * "@name" in the abstract namespace); nothing without it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "notify.h"

/* Binds a datagram socket at a fresh path and points NOTIFY_SOCKET at
 * it; returns the socket.  *path receives the path (to unlink). */
static int listen_notify(char *path, size_t pathlen)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

    assert_true(fd >= 0);
    snprintf(path, pathlen, "/tmp/prism-notify-%ld.sock", (long) getpid());
    unlink(path);
    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
    assert_int_equal(bind(fd, (struct sockaddr *) &sa, sizeof(sa)), 0);
    assert_int_equal(setenv("NOTIFY_SOCKET", path, 1), 0);
    return fd;
}

/* Reads one datagram from FD into buf (NUL-terminated). */
static void read_datagram(int fd, char *buf, size_t buflen)
{
    ssize_t n = recv(fd, buf, buflen - 1, MSG_DONTWAIT);

    assert_true(n > 0);
    buf[n] = '\0';
}

static void ready_reaches_the_socket(void **state)
{
    char path[108], buf[256], err[256];
    int fd = listen_notify(path, sizeof(path));

    (void) state;
    assert_int_equal(host_notify("READY=1\nSTATUS=2 worker(s)", err, sizeof(err)), 1);
    read_datagram(fd, buf, sizeof(buf));
    assert_string_equal(buf, "READY=1\nSTATUS=2 worker(s)");

    assert_int_equal(host_notify("STOPPING=1", err, sizeof(err)), 1);
    read_datagram(fd, buf, sizeof(buf));
    assert_string_equal(buf, "STOPPING=1");
    close(fd);
    unlink(path);
    unsetenv("NOTIFY_SOCKET");
}

static void reloading_carries_the_monotonic_time(void **state)
{
    char path[108], buf[256], err[256];
    int fd = listen_notify(path, sizeof(path));
    unsigned long long usec = 0;
    struct timespec ts;

    (void) state;
    assert_int_equal(host_notify_reloading(err, sizeof(err)), 1);
    read_datagram(fd, buf, sizeof(buf));
    assert_int_equal(sscanf(buf, "RELOADING=1\nMONOTONIC_USEC=%llu", &usec), 1);
    clock_gettime(CLOCK_MONOTONIC, &ts);
    assert_true(usec > 0 && usec <= (unsigned long long) ts.tv_sec * 1000000ULL + 1000000ULL);
    close(fd);
    unlink(path);
    unsetenv("NOTIFY_SOCKET");
}

static void without_a_manager_nothing_is_sent(void **state)
{
    char err[256];

    (void) state;
    unsetenv("NOTIFY_SOCKET");
    assert_int_equal(host_notify("READY=1", err, sizeof(err)), 0);
}

static void a_socket_nobody_listens_on_is_an_error(void **state)
{
    char err[256] = "";

    (void) state;
    setenv("NOTIFY_SOCKET", "/nonexistent/prism-notify.sock", 1);
    assert_int_equal(host_notify("READY=1", err, sizeof(err)), -1);
    assert_non_null(strstr(err, "sd_notify(READY=1): "));
    unsetenv("NOTIFY_SOCKET");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ready_reaches_the_socket),
        cmocka_unit_test(reloading_carries_the_monotonic_time),
        cmocka_unit_test(without_a_manager_nothing_is_sent),
        cmocka_unit_test(a_socket_nobody_listens_on_is_an_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
