/*
 * bad_abi — test plugin built for a different ABI version: the host must
 * refuse it at load without touching any other field.
 */
#include "prism/plugin.h"

const prism_plugin_t prism_plugin = {
    .abi_version = PRISM_PLUGIN_ABI_VERSION + 1,
    .name = "bad_abi",
    .version = "1.0.0",
};
