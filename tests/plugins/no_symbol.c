/*
 * no_symbol — a shared object that is not a prism plugin: it exports a
 * descriptor under the wrong name, so the host finds no `prism_plugin`.
 */
#include "prism/plugin.h"

const prism_plugin_t not_prism_plugin = {
    .abi_version = PRISM_PLUGIN_ABI_VERSION,
    .name = "no_symbol",
    .version = "1.0.0",
};
