/*
 * original — read a locally stored original safely.  See original.h.
 */
#include "original.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "keys.h"

host_orig_status_t host_original_read_local(const char *dir, const char *key, long long max,
                                            aws_buf_t *out, char *err, size_t errlen)
{
    char path[PATH_MAX], why[128];
    struct stat st;
    char chunk[65536];
    ssize_t n;
    int fd;

    aws_buf_reset(out);
    if (host_key_local_path(dir, key, path, sizeof(path), why, sizeof(why)) != 0) {
        snprintf(err, errlen, "unsafe key for a local path: %s", why);
        return HOST_ORIG_UNSAFE;
    }
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return errno == ENOENT || errno == ENOTDIR ? HOST_ORIG_MISSING : HOST_ORIG_FAILED;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "%s: not a regular file", path);
        close(fd);
        return HOST_ORIG_MISSING;
    }
    if (st.st_size > max) {
        snprintf(err, errlen, "%s is %lld bytes, over max_input_bytes %lld", path,
                 (long long) st.st_size, max);
        close(fd);
        return HOST_ORIG_TOO_LARGE;
    }
    while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 || (long long) out->len + n > max
            || aws_buf_append(out, chunk, (size_t) n) != 0) {
            snprintf(err, errlen, "%s: %s", path,
                     n < 0                            ? strerror(errno)
                     : (long long) out->len + n > max ? "grew over max_input_bytes"
                                                      : "out of memory");
            close(fd);
            return HOST_ORIG_FAILED;
        }
    }
    close(fd);
    return HOST_ORIG_OK;
}
