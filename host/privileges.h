/*
 * privileges — what a worker gives up before it loads plugin code:
 * resource limits (address space, CPU time) and, when prism-host runs as
 * root, its user and groups.
 */
#ifndef HOST_PRIVILEGES_H
#define HOST_PRIVILEGES_H

#include <stddef.h>

/* Sets RLIMIT_AS to AS_MB MiB and RLIMIT_CPU to CPU_SECONDS (soft; the
 * hard limit 5 s above it, so SIGXCPU comes first); 0 leaves a limit
 * alone.  Returns 0, or -1 with err set. */
int host_apply_rlimits(long long as_mb, long long cpu_seconds, char *err, size_t errlen);

/* Refuses workers that would run as root: with USER, when USER is root;
 * without, when this process runs as root.  ALLOW_ROOT (the
 * configuration's "allow_root": true) permits it.  Returns 0, or -1 with
 * err set ("workers would run as root: ..."). */
int host_check_worker_user(const char *user, int allow_root, char *err, size_t errlen);

/* Switches to USER (its uid, primary gid and supplementary groups) and
 * checks root cannot be regained.  When not running as root, USER must
 * be the current user (nothing to do) or it is an error.  Returns 0, or
 * -1 with err set. */
int host_drop_privileges(const char *user, char *err, size_t errlen);

#endif
