/*
 * check — everything `prism-host -t` verifies beyond the JSON itself:
 * each route's plugin loads (ABI version, symbol, descriptor), its
 * params validate against the plugin's table, and its init accepts them;
 * the AWS client accepts the "aws" section; the log file can be written.  The master runs this in a
 * short-lived child process (at start and on SIGHUP), so plugin code
 * never runs in the master itself.
 */
#ifndef HOST_CHECK_H
#define HOST_CHECK_H

#include <stddef.h>
#include <stdio.h>

#include "config.h"

/* Checks CONF as described above.  When REPORT is not NULL, one line per
 * route with the types its plugin accepts ("route thumbnail: plugin
 * thumbnail 1.0.0 (PATH) ok, accepts image/jpeg image/png ...") goes to it.
 * Returns 0, or -1 with the first problem in err, naming its key path
 * ("routes[1].plugin: ...", "routes[0].plugin_params.quality: ..."). */
int host_check_config(const host_conf_t *conf, FILE *report, char *err, size_t errlen);

#endif
