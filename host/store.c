/*
 * store — write a derivative to S3 or to a local directory.
 * See store.h.
 */
#define _GNU_SOURCE /* memfd_create, gettid */
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "keys.h"
#include "s3.h"

/* Writes LEN bytes of DATA to FD.  0 or -1 (errno set). */
static int write_all(int fd, const unsigned char *data, size_t len)
{
    while (len > 0) {
        ssize_t w = write(fd, data, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -1;
        data += w;
        len -= (size_t) w;
    }
    return 0;
}

/* Creates the directories of PATH below BASE (which exists).  0 or -1
 * with err set. */
static int make_parents(const char *base, char *path, char *err, size_t errlen)
{
    for (char *p = path + strlen(base) + 1; (p = strchr(p, '/')) != NULL; p++) {
        *p = '\0';
        if (mkdir(path, 0755) != 0 && errno != EEXIST) {
            snprintf(err, errlen, "mkdir %s: %s", path, strerror(errno));
            *p = '/';
            return -1;
        }
        *p = '/';
    }
    return 0;
}

/* Writes DATA under R's directory at KEY: temporary file, then rename.
 * Returns 0, -1 (I/O error) or -2 (unsafe key), with err set. */
static int store_local(const host_route_conf_t *r, const char *key, const void *data, size_t len,
                       char *err, size_t errlen)
{
    char path[PATH_MAX], tmp[PATH_MAX + 64], why[128];
    int fd;

    if (host_key_local_path(r->directory, key, path, sizeof(path), why, sizeof(why)) != 0) {
        snprintf(err, errlen, "unsafe key for a local path: %s", why);
        return -2;
    }
    if (make_parents(r->directory, path, err, errlen) != 0)
        return -1;
    snprintf(tmp, sizeof(tmp), "%s.tmp.%ld.%ld", path, (long) getpid(), (long) gettid());
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0) {
        snprintf(err, errlen, "open %s: %s", tmp, strerror(errno));
        return -1;
    }
    if (write_all(fd, data, len) != 0 || close(fd) != 0) {
        snprintf(err, errlen, "write %s: %s", tmp, strerror(errno));
        close(fd);
        unlink(tmp);
        return -1;
    }
    if (rename(tmp, path) != 0) {
        snprintf(err, errlen, "rename to %s: %s", path, strerror(errno));
        unlink(tmp);
        return -1;
    }
    return 0;
}

/* PutObject of DATA to R's bucket at KEY (multipart above the client's
 * threshold), with R's server-side encryption headers.  Returns 0, or -1
 * with err and *transient set (see store.h). */
static int store_s3(const host_route_conf_t *r, aws_client_t *aws, const char *key,
                    const char *content_type, const void *data, size_t len, int *transient,
                    char *err, size_t errlen)
{
    aws_s3_put_opts_t opts = {
        .content_type = content_type,
        .sse = r->sse == HOST_SSE_AES256 ? AWS_S3_SSE_AES256
               : r->sse == HOST_SSE_KMS  ? AWS_S3_SSE_KMS
                                         : AWS_S3_SSE_NONE,
        .kms_key_id = r->kms_key_id,
    };
    aws_error_t aerr;
    char why[700];
    int rc;

    if (len <= aws_client_s3_multipart_threshold(aws)) {
        rc = aws_s3_put_object(aws, r->bucket, key, data, len, &opts, NULL, 0, &aerr);
    } else {
        /* Large outputs go through a memory file so the client can
         * upload them in parts. */
        int fd = memfd_create("prism-output", MFD_CLOEXEC);
        if (fd < 0 || write_all(fd, data, len) != 0) {
            snprintf(err, errlen, "memfd for s3://%s/%s: %s", r->bucket, key, strerror(errno));
            if (fd >= 0)
                close(fd);
            return -1;
        }
        rc = aws_s3_put_file(aws, r->bucket, key, fd, 0, len, &opts, NULL, 0, &aerr);
        close(fd);
    }
    if (rc != 0) {
        snprintf(err, errlen, "PutObject s3://%s/%s: %s", r->bucket, key,
                 aws_error_format(&aerr, why, sizeof(why)));
        *transient = aws_error_retryable(&aerr);
        return -1;
    }
    return 0;
}

int host_store_put(const host_route_conf_t *r, aws_client_t *aws, const char *key,
                   const char *content_type, const void *data, size_t len, int *transient,
                   char *err, size_t errlen)
{
    int ignored;

    if (transient == NULL)
        transient = &ignored;
    *transient = 0;
    if (r->directory != NULL)
        return store_local(r, key, data, len, err, errlen);
    return store_s3(r, aws, key, content_type, data, len, transient, err, errlen);
}
