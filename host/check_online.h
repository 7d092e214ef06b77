/*
 * check_online — what `prism-host -T` verifies beyond `-t`, through AWS
 * with the configuration's own region, endpoints and credentials (every
 * call signed): each route's queue and dead-letter queue exist
 * (GetQueueAttributes), its completion topic exists (GetTopicAttributes),
 * and its queue's maxReceiveCount is above its max_attempts (redrive.h:
 * the same finding prism-host only warns about when it starts).
 */
#ifndef HOST_CHECK_ONLINE_H
#define HOST_CHECK_ONLINE_H

#include <stddef.h>
#include <stdio.h>

#include "config.h"

/* Checks CONF as described above.  When REPORT is not NULL, one line per
 * route goes to it ("route thumbnail: queue URL: maxReceiveCount 5,
 * max_attempts 3: ok").  Returns 0, or -1 with the first problem in err
 * at its key path ("routes[0].dlq_url: GetQueueAttributes URL: ...",
 * "routes[1].max_attempts: queue URL moves a message to its DLQ ..."). */
int host_check_online(const host_conf_t *conf, FILE *report, char *err, size_t errlen);

#endif
