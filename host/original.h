/*
 * original — reads an original stored on local disk.
 *
 * When prism's ingress stores uploads in a local directory, its event
 * says prism.storage "local".  A route reads such originals only from its
 * configured input_directory, joined with the event's object key under
 * the same rules as local outputs (keys.h: no "..", no absolute paths);
 * paths named inside messages are never trusted.  S3 originals are
 * fetched with GetObject by the dispatcher.
 */
#ifndef HOST_ORIGINAL_H
#define HOST_ORIGINAL_H

#include <stddef.h>

#include "aws_buf.h"

typedef enum {
    HOST_ORIG_OK = 0,
    HOST_ORIG_FAILED,    /* an I/O error that may pass: retry */
    HOST_ORIG_MISSING,   /* no such file: reject */
    HOST_ORIG_TOO_LARGE, /* over the limit: reject */
    HOST_ORIG_UNSAFE     /* the key cannot be a path under DIR: reject */
} host_orig_status_t;

/* Reads DIR/KEY into out (emptied first; memory kept), at most MAX
 * bytes.  Returns the status; err (errlen bytes) says why when not OK. */
host_orig_status_t host_original_read_local(const char *dir, const char *key, long long max,
                                            aws_buf_t *out, char *err, size_t errlen);

#endif
