/*
 * notify — the master's state for the service manager (systemd
 * Type=notify): READY=1 once the workers run, RELOADING=1 ... READY=1
 * around a reload, STOPPING=1 at a graceful stop.  Through libsystemd's
 * sd_notify(3), to the socket named by NOTIFY_SOCKET; nothing happens
 * when that is unset (started by hand, or by another supervisor).
 */
#ifndef HOST_NOTIFY_H
#define HOST_NOTIFY_H

#include <stddef.h>

/* Sends STATE (newline-separated sd_notify assignments, "READY=1").
 * Returns 1 when sent, 0 when no manager listens (NOTIFY_SOCKET unset),
 * or -1 with err set when sending failed. */
int host_notify(const char *state, char *err, size_t errlen);

/* Sends "RELOADING=1" with MONOTONIC_USEC (the time the reload began, as
 * systemd expects it).  Returns as host_notify. */
int host_notify_reloading(char *err, size_t errlen);

#endif
