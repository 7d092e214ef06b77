/*
 * privileges — rlimits and user switch for workers.  See privileges.h.
 */
#define _GNU_SOURCE /* initgroups */
#include "privileges.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

/* Sets one limit (soft SOFT, hard HARD).  0 or -1 with err set. */
static int set_limit(int resource, const char *name, rlim_t soft, rlim_t hard, char *err,
                     size_t errlen)
{
    struct rlimit rl = { .rlim_cur = soft, .rlim_max = hard };

    if (setrlimit(resource, &rl) != 0) {
        snprintf(err, errlen, "setrlimit(%s, %llu): %s", name, (unsigned long long) soft,
                 strerror(errno));
        return -1;
    }
    return 0;
}

int host_apply_rlimits(long long as_mb, long long cpu_seconds, char *err, size_t errlen)
{
    if (as_mb > 0) {
        rlim_t bytes = (rlim_t) as_mb * 1024 * 1024;
        if (set_limit(RLIMIT_AS, "RLIMIT_AS", bytes, bytes, err, errlen) != 0)
            return -1;
    }
    if (cpu_seconds > 0
        && set_limit(RLIMIT_CPU, "RLIMIT_CPU", (rlim_t) cpu_seconds, (rlim_t) cpu_seconds + 5, err,
                     errlen)
               != 0)
        return -1;
    return 0;
}

int host_check_worker_user(const char *user, int allow_root, char *err, size_t errlen)
{
    struct passwd *pw = user != NULL ? getpwnam(user) : NULL;
    uid_t uid = pw != NULL ? pw->pw_uid : geteuid();

    if (uid != 0 || allow_root)
        return 0;
    snprintf(err, errlen,
             "workers would run as root: set \"user\" to an unprivileged user, "
             "or \"allow_root\": true to run plugins as root anyway");
    return -1;
}

int host_drop_privileges(const char *user, char *err, size_t errlen)
{
    struct passwd *pw;

    if (user == NULL)
        return 0;
    pw = getpwnam(user);
    if (pw == NULL) {
        snprintf(err, errlen, "user \"%s\" does not exist", user);
        return -1;
    }
    if (geteuid() != 0) {
        if (pw->pw_uid == geteuid())
            return 0;
        snprintf(err, errlen, "cannot switch to user \"%s\": not running as root", user);
        return -1;
    }
    if (initgroups(pw->pw_name, pw->pw_gid) != 0 || setgid(pw->pw_gid) != 0
        || setuid(pw->pw_uid) != 0) {
        snprintf(err, errlen, "cannot switch to user \"%s\": %s", user, strerror(errno));
        return -1;
    }
    if (pw->pw_uid != 0 && (setuid(0) == 0 || seteuid(0) == 0)) {
        snprintf(err, errlen, "switched to user \"%s\" but root could be regained", user);
        return -1;
    }
    return 0;
}
