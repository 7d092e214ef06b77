/*
 * check — load every plugin, validate its params, run init.  See check.h.
 */
#include "check.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "accepts.h"
#include "aws_setup.h"
#include "json_check.h"
#include "plugin_loader.h"

/* Whether the log file FILE (absolute) can be written: the file itself
 * when it exists, else its directory, where the master creates it.
 * Returns 0, or -1 with err set at "log.file". */
static int check_log_file(const char *file, char *err, size_t errlen)
{
    char dir[PATH_MAX];

    if (access(file, F_OK) == 0) {
        if (access(file, W_OK) == 0)
            return 0;
    } else if (errno == ENOENT && strlen(file) < sizeof(dir)) {
        strcpy(dir, file);
        if (access(dirname(dir), W_OK | X_OK) == 0)
            return 0;
    }
    host_jerr(err, errlen, "log.file", "cannot write \"%s\": %s", file, strerror(errno));
    return -1;
}

int host_check_config(const host_conf_t *conf, FILE *report, char *err, size_t errlen)
{
    aws_client_t *aws = host_aws_client_new(&conf->aws, err, errlen);
    char path[HOST_JPATH_MAX];
    char ppath[HOST_JPATH_MAX];
    char why[1024];
    char types[1024];

    if (aws == NULL)
        return -1;
    aws_client_free(aws);
    if (conf->log_file != NULL && check_log_file(conf->log_file, err, errlen) != 0)
        return -1;
    for (size_t i = 0; i < conf->nroutes; i++) {
        const host_route_conf_t *r = &conf->routes[i];
        host_plugin_t plugin;
        host_instance_t inst;

        host_jpath_index(path, sizeof(path), "routes", i);
        if (host_plugin_load(r->plugin, &plugin, why, sizeof(why)) != 0) {
            host_jpath_key(ppath, sizeof(ppath), path, "plugin");
            host_jerr(err, errlen, ppath, "%s", why);
            return -1;
        }
        host_jpath_key(ppath, sizeof(ppath), path, "plugin_params");
        if (host_instance_new(&plugin, r->plugin_params, ppath, &inst, err, errlen) != 0) {
            host_plugin_unload(&plugin);
            return -1;
        }
        if (report != NULL)
            fprintf(report, "prism-host: route %s: plugin %s %s (%s) ok, accepts %s\n", r->name,
                    plugin.desc->name, plugin.desc->version, r->plugin,
                    host_accepts_format(plugin.desc->accepts, " ", types, sizeof(types)));
        host_instance_free(&inst);
        host_plugin_unload(&plugin);
    }
    return 0;
}
