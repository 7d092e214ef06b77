/*
 * plugin_find — a plugin by path or by name.  See plugin_find.h.
 */
#include "plugin_find.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

int host_plugin_find(const char *arg, const char *const *dirs, size_t ndirs, char *out,
                     size_t outlen, char *err, size_t errlen)
{
    size_t len = strlen(arg);
    int n, tried = 0;

    if (strchr(arg, '/') != NULL) {
        if ((size_t) snprintf(out, outlen, "%s", arg) >= outlen) {
            snprintf(err, errlen, "%.64s...: path too long", arg);
            return -1;
        }
        return 0;
    }
    if (len > 3 && strcmp(arg + len - 3, ".so") == 0)
        len -= 3;
    n = snprintf(err, errlen, "no plugin %.*s.so in", (int) len, arg);
    for (size_t i = 0; i < ndirs; i++) {
        if (dirs[i] == NULL)
            continue;
        if ((size_t) snprintf(out, outlen, "%s/%.*s.so", dirs[i], (int) len, arg) < outlen
            && access(out, F_OK) == 0)
            return 0;
        if (n >= 0 && (size_t) n < errlen)
            n += snprintf(err + n, errlen - (size_t) n, "%s %s", tried++ ? "," : "", dirs[i]);
    }
    if (n >= 0 && (size_t) n < errlen)
        snprintf(err + n, errlen - (size_t) n, "%s: a file is named by a path, ./%.*s.so",
                 tried ? "" : " no plugin directory", (int) len, arg);
    return -1;
}
