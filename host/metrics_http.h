/*
 * metrics_http — a tiny HTTP responder for GET /metrics, run by the
 * master inside its event loop (no thread: the master forks workers,
 * and forking a multi-threaded process is best avoided).
 *
 * One connection at a time: read the request head (up to 4 KiB, within
 * 1 s), answer, close.  GET /metrics gets the Prometheus text, anything
 * else 404 (or 405 for other methods).  Meant for a loopback address.
 */
#ifndef HOST_METRICS_HTTP_H
#define HOST_METRICS_HTTP_H

#include <stddef.h>

#include "metrics.h"

/* Opens a non-blocking listening socket on HOST (numeric) : PORT with
 * SO_REUSEADDR and close-on-exec.  Returns the fd, or -1 with err set. */
int host_metrics_http_listen(const char *host, int port, char *err, size_t errlen);

/* Accepts and answers the connections waiting on LFD (non-blocking;
 * returns when none is left).  WORKERS is reported as prism_workers. */
void host_metrics_http_serve(int lfd, host_metrics_t *m, int workers);

#endif
