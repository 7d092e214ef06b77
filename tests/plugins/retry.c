/*
 * retry — test plugin: always asks for a retry (and records the call).
 */
#include <stdlib.h>

#include "prism/plugin.h"
#include "record.h"

static const prism_param_spec_t retry_params[] = { RECORD_PARAM,
                                                   { NULL, 0, NULL, 0, 0, NULL, NULL } };

/* Records the call and returns PRISM_RETRY with a reason. */
static prism_result_t retry_process(void *state, const prism_input_t *in, prism_output_t *out)
{
    record_line(state, "process", in);
    out->set_reason(out, "transient trouble (test)");
    return PRISM_RETRY;
}

const prism_plugin_t prism_plugin = {
    .abi_version = PRISM_PLUGIN_ABI_VERSION,
    .name = "retry",
    .version = "1.0.0",
    .description = "test plugin: always retries",
    .params = retry_params,
    .accepts = test_accepts,
    .init = record_init,
    .process = retry_process,
    .destroy = free,
};
