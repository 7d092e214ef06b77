/*
 * old_abi — test plugin as built against the version-1 plugin.h (no
 * `accepts` field): the host must refuse it at load, saying to rebuild,
 * without reading past abi_version.
 */
#include "prism/plugin.h"

const prism_plugin_t prism_plugin = {
    .abi_version = 1,
    .name = "old_abi",
    .version = "1.0.0",
};
