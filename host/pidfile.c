/*
 * pidfile — write, check and remove the master's pid file.
 * See pidfile.h.
 */
#include "pidfile.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Returns the pid stored in PATH, or 0 when there is none. */
static long read_pid(const char *path)
{
    char buf[32];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t n;

    if (fd < 0)
        return 0;
    n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0)
        return 0;
    buf[n] = '\0';
    return strtol(buf, NULL, 10);
}

int host_pidfile_write(const char *path, char *err, size_t errlen)
{
    long old = read_pid(path);
    char tmp[4200];
    char text[32];
    int fd, n, ok;

    if (old > 0 && old != (long) getpid() && (kill((pid_t) old, 0) == 0 || errno == EPERM)) {
        snprintf(err, errlen, "pid_file %s: already running as pid %ld", path, old);
        return -1;
    }
    n = snprintf(tmp, sizeof(tmp), "%s.%ld", path, (long) getpid());
    if (n < 0 || (size_t) n >= sizeof(tmp)) {
        snprintf(err, errlen, "pid_file: path too long");
        return -1;
    }
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        snprintf(err, errlen, "pid_file %s: %s", tmp, strerror(errno));
        return -1;
    }
    n = snprintf(text, sizeof(text), "%ld\n", (long) getpid());
    ok = write(fd, text, (size_t) n) == n;
    if (close(fd) != 0)
        ok = 0;
    if (ok && rename(tmp, path) == 0)
        return 0;
    snprintf(err, errlen, "pid_file %s: %s", path, strerror(errno));
    unlink(tmp);
    return -1;
}

void host_pidfile_remove(const char *path)
{
    if (path != NULL && read_pid(path) == (long) getpid())
        unlink(path);
}
