/*
 * pidfile — the master's pid file.
 */
#ifndef HOST_PIDFILE_H
#define HOST_PIDFILE_H

#include <stddef.h>

/* Writes this process's pid to PATH (via a temporary file and rename).
 * Refuses when PATH names another live process ("already running").
 * Returns 0, or -1 with err set. */
int host_pidfile_write(const char *path, char *err, size_t errlen);

/* Removes PATH when it holds this process's pid.  NULL is ignored. */
void host_pidfile_remove(const char *path);

#endif
