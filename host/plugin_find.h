/*
 * plugin_find — where a plugin named on a command line is: a path as
 * given, a bare name in the plugin directories.
 */
#ifndef HOST_PLUGIN_FIND_H
#define HOST_PLUGIN_FIND_H

#include <stddef.h>

/* Resolves ARG into out (outlen bytes): an argument with a '/' is a path
 * and is copied as it is ("./x.so", "/opt/p/x.so"); a bare name
 * ("thumbnail", or "thumbnail.so") is NAME.so in the first of DIRS
 * (NULL-terminated; NULL entries are skipped) that holds such a file.
 * Returns 0, or -1 with err set ("no plugin thumbnail.so in DIR, DIR: a
 * file is named by a path, ./thumbnail.so"). */
int host_plugin_find(const char *arg, const char *const *dirs, size_t ndirs, char *out,
                     size_t outlen, char *err, size_t errlen);

#endif
