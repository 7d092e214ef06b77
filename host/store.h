/*
 * store — puts one derivative where the route's output says: an S3
 * object (PutObject; multipart above the client's threshold) or a file
 * under a local directory (written to a temporary name, then renamed, so
 * readers never see half a file).
 */
#ifndef HOST_STORE_H
#define HOST_STORE_H

#include <stddef.h>

#include "aws_client.h"
#include "config.h"

/* Stores DATA (LEN bytes, CONTENT_TYPE) under the derived KEY for route
 * R.  AWS may be NULL for directory outputs.  Returns 0; -1 with a reason
 * in err for a failure that may pass (retried), with *TRANSIENT (may be
 * NULL) set to 1 when S3 was unavailable (network, timeout, 5xx,
 * throttling) and to 0 otherwise; -2 with a reason when KEY can never be
 * stored there (not safe as a local path, see keys.h). */
int host_store_put(const host_route_conf_t *r, aws_client_t *aws, const char *key,
                   const char *content_type, const void *data, size_t len, int *transient,
                   char *err, size_t errlen);

#endif
