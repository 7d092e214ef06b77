/*
 * master — prism-host's master process (nginx's model).
 *
 * The master never loads plugin code.  It checks the configuration's
 * plugins in a short-lived child (check.c), writes the pid file, serves
 * /metrics, forks `workers` worker processes and watches them:
 *
 *   a worker that dies (a plugin's SIGSEGV, an abort, SIGXCPU) is logged
 *   with its signal and respawned after a backoff (0.5 s doubling to
 *   30 s; reset once a worker lived 10 s);
 *   SIGTERM / SIGQUIT / SIGINT: workers stop gracefully (finish in-flight
 *   messages within shutdown_grace_seconds; SIGKILL 5 s after that),
 *   then the master removes its pid file and exits 0;
 *   SIGHUP: re-read and check the configuration; if it is bad, keep the
 *   running one and log why; else start new workers with it (and the
 *   plugin files now at the configured paths), then stop the old workers
 *   gracefully (they finish and delete what they hold).
 */
#ifndef HOST_MASTER_H
#define HOST_MASTER_H

#include "config.h"

/* Runs the master with CONF, read from FILE (taken over: freed by the
 * master).  Returns the process exit status: 0 after a clean shutdown,
 * 1 when it could not start (the reason is logged). */
int host_master_run(const char *file, host_conf_t *conf);

#endif
