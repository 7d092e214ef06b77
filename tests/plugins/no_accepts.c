/*
 * no_accepts — test plugin of the current ABI that declares no input
 * types: the host must refuse its descriptor at load.
 */
#include "prism/plugin.h"

/* Never called: the descriptor is refused first. */
static prism_result_t no_accepts_process(void *state, const prism_input_t *in, prism_output_t *out)
{
    (void) state;
    (void) in;
    (void) out;
    return PRISM_OK;
}

const prism_plugin_t prism_plugin = {
    .abi_version = PRISM_PLUGIN_ABI_VERSION,
    .name = "no_accepts",
    .version = "1.0.0",
    .process = no_accepts_process,
};
