/*
 * plugin_loader — load plugins, check their descriptor, build instances.
 * See plugin_loader.h.
 */
#include "plugin_loader.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include "accepts.h"
#include "json_check.h"

/* Returns 1 when NAME matches [a-z0-9_-]{1,63}. */
static int is_plugin_name(const char *name)
{
    size_t n = strlen(name);

    if (n == 0 || n > 63)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
            return 0;
    }
    return 1;
}

/* Checks the descriptor's fields after the ABI version matched.
 * Returns 0, or -1 with err set. */
static int check_descriptor(const prism_plugin_t *d, const char *path, char *err, size_t errlen)
{
    char why[384];

    if (d->name == NULL || !is_plugin_name(d->name)) {
        snprintf(err, errlen, "%s: plugin name must match [a-z0-9_-]{1,63}", path);
        return -1;
    }
    if (d->version == NULL) {
        snprintf(err, errlen, "%s: plugin %s has no version string", path, d->name);
        return -1;
    }
    if (d->process == NULL) {
        snprintf(err, errlen, "%s: plugin %s has no process function", path, d->name);
        return -1;
    }
    if (host_params_check_specs(d->params, why, sizeof(why)) != 0) {
        snprintf(err, errlen, "%s: plugin %s declares a broken %s", path, d->name, why);
        return -1;
    }
    if (host_accepts_check(d->accepts, why, sizeof(why)) != 0) {
        snprintf(err, errlen, "%s: plugin %s declares %s", path, d->name, why);
        return -1;
    }
    return 0;
}

int host_plugin_load(const char *path, host_plugin_t *out, char *err, size_t errlen)
{
    const prism_plugin_t *desc;
    const char *why;
    void *handle;

    memset(out, 0, sizeof(*out));
    dlerror();
    handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (handle == NULL) {
        why = dlerror();
        snprintf(err, errlen, "cannot load plugin: %s", why != NULL ? why : path);
        return -1;
    }
    dlerror();
    desc = dlsym(handle, PRISM_PLUGIN_SYMBOL);
    if (desc == NULL) {
        snprintf(err, errlen,
                 "%s: no symbol \"%s\": not a prism plugin "
                 "(it must export `const prism_plugin_t %s`)",
                 path, PRISM_PLUGIN_SYMBOL, PRISM_PLUGIN_SYMBOL);
        dlclose(handle);
        return -1;
    }
    /* Only abi_version is read before it matches: other fields may have
     * another layout in another ABI. */
    if (desc->abi_version != PRISM_PLUGIN_ABI_VERSION) {
        snprintf(err, errlen,
                 "%s: plugin ABI version %d, this prism-host speaks version %d: "
                 "rebuild the plugin against this host's prism/plugin.h",
                 path, desc->abi_version, PRISM_PLUGIN_ABI_VERSION);
        dlclose(handle);
        return -1;
    }
    if (check_descriptor(desc, path, err, errlen) != 0) {
        dlclose(handle);
        return -1;
    }
    out->handle = handle;
    out->desc = desc;
    return 0;
}

void host_plugin_unload(host_plugin_t *p)
{
    if (p->handle != NULL)
        dlclose(p->handle);
    p->handle = NULL;
    p->desc = NULL;
}

int host_instance_new(const host_plugin_t *plugin, const json_t *params, const char *path,
                      host_instance_t *out, char *err, size_t errlen)
{
    char why[512];

    memset(out, 0, sizeof(*out));
    out->plugin = plugin;
    out->params = host_params_build(plugin->desc->params, params, path, err, errlen);
    if (out->params == NULL)
        return -1;
    if (plugin->desc->init == NULL)
        return 0;
    why[0] = '\0';
    if (plugin->desc->init(host_params_api(out->params), &out->state, why, sizeof(why)) != 0) {
        why[sizeof(why) - 1] = '\0';
        host_jerr(err, errlen, path, "plugin %s refused: %s", plugin->desc->name,
                  why[0] != '\0' ? why : "init failed without a reason");
        host_params_free(out->params);
        out->params = NULL;
        out->state = NULL;
        return -1;
    }
    if (host_params_misuse(out->params) != NULL) {
        host_jerr(err, errlen, path, "plugin %s read an undeclared parameter: %s",
                  plugin->desc->name, host_params_misuse(out->params));
        host_instance_free(out);
        return -1;
    }
    return 0;
}

void host_instance_free(host_instance_t *inst)
{
    if (inst->plugin != NULL && inst->params != NULL && inst->plugin->desc->destroy != NULL)
        inst->plugin->desc->destroy(inst->state);
    host_params_free(inst->params);
    inst->params = NULL;
    inst->state = NULL;
}
