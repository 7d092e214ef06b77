/*
 * crash — test plugin: records the call, then dies of SIGSEGV, the way a
 * buggy plugin would; the host must survive it (a new worker) and SQS
 * redeliver the message until its redrive policy dead-letters it.
 */
#include <signal.h>
#include <stdlib.h>

#include "prism/plugin.h"
#include "record.h"

static const prism_param_spec_t crash_params[] = { RECORD_PARAM,
                                                   { NULL, 0, NULL, 0, 0, NULL, NULL } };

/* Records the call and raises SIGSEGV. */
static prism_result_t crash_process(void *state, const prism_input_t *in, prism_output_t *out)
{
    (void) out;
    record_line(state, "process", in);
    raise(SIGSEGV);
    return PRISM_RETRY;
}

const prism_plugin_t prism_plugin = {
    .abi_version = PRISM_PLUGIN_ABI_VERSION,
    .name = "crash",
    .version = "1.0.0",
    .description = "test plugin: segfaults on purpose",
    .params = crash_params,
    .accepts = test_accepts,
    .init = record_init,
    .process = crash_process,
    .destroy = free,
};
