/*
 * plugin_loader — dlopen()ing plugins and making instances of them.
 *
 * A plugin is loaded with dlopen(RTLD_NOW | RTLD_LOCAL): unresolved
 * symbols fail the load, and plugins cannot see each other's symbols.
 * The descriptor `prism_plugin` must exist and speak this host's ABI
 * version; its param table is checked.  An instance is the plugin's
 * state built by init() from a route's validated params; each poller
 * thread owns one (plugin.h: an instance is used by one thread at a time).
 */
#ifndef HOST_PLUGIN_LOADER_H
#define HOST_PLUGIN_LOADER_H

#include <stddef.h>

#include <jansson.h>

#include "params.h"
#include "prism/plugin.h"

typedef struct {
    void *handle; /* from dlopen */
    const prism_plugin_t *desc;
} host_plugin_t;

typedef struct {
    const host_plugin_t *plugin;
    host_params_t *params;
    void *state; /* what init returned */
} host_instance_t;

/* Loads the plugin at PATH into *out.  Returns 0, or -1 with a message
 * in err when dlopen fails (with dlerror's reason), the symbol
 * prism_plugin is missing, its ABI version differs from
 * PRISM_PLUGIN_ABI_VERSION, or the descriptor is malformed (bad name, no
 * process function, a broken param table, no or a malformed accepts
 * list).  *out needs no unload then. */
int host_plugin_load(const char *path, host_plugin_t *out, char *err, size_t errlen);

/* dlclose()s the plugin.  Instances must be freed first. */
void host_plugin_unload(host_plugin_t *p);

/* Validates PARAMS (the route's plugin_params, at key path PATH) and
 * runs the plugin's init.  Returns 0, or -1 with a message in err: the
 * param error naming its key path, or "PATH: plugin NAME refused: ..."
 * with init's own message. */
int host_instance_new(const host_plugin_t *plugin, const json_t *params, const char *path,
                      host_instance_t *out, char *err, size_t errlen);

/* Runs the plugin's destroy and frees the params.  Accepts an instance
 * that host_instance_new left empty. */
void host_instance_free(host_instance_t *inst);

#endif
