/*
 * crash_on — fault-injection test plugin: dies of SIGSEGV on the originals
 * whose width (from the event) equals the "width" param, and emits a copy
 * of every other original as "copy.bin".  Lets a scenario crash a worker on
 * one specific image while the rest of the stream must stay unaffected.
 * Built by tests/faults/60-plugin-crash.t with one cc line against
 * include/.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "prism/plugin.h"

static const char *const crash_on_accepts[] = { "image/jpeg", "image/png",  "image/webp",
                                                "image/gif",  "image/heic", "image/heif",
                                                "image/avif", NULL };

static const prism_param_spec_t crash_on_params[] = { { "width", PRISM_PARAM_INT, "1", 1, 1000000,
                                                        NULL, "crash on originals of this width" },
                                                      { NULL, 0, NULL, 0, 0, NULL, NULL } };

/* Keeps the trigger width; fails only when memory runs out. */
static int crash_on_init(const prism_params_t *params, void **state, char *err, size_t errlen)
{
    long *w = malloc(sizeof(*w));

    if (w == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    *w = params->get_int(params, "width");
    *state = w;
    return 0;
}

/* Raises SIGSEGV on the trigger width; otherwise emits the copy (RETRY
 * when the host refuses it). */
static prism_result_t crash_on_process(void *state, const prism_input_t *in, prism_output_t *out)
{
    if (in->width == *(long *) state)
        raise(SIGSEGV);
    if (out->emit(out, "copy.bin", "application/octet-stream", in->data, in->len) != 0)
        return PRISM_RETRY;
    return PRISM_OK;
}

const prism_plugin_t prism_plugin = {
    .abi_version = PRISM_PLUGIN_ABI_VERSION,
    .name = "crash_on",
    .version = "1.0.0",
    .description = "test plugin: segfaults on originals of one width",
    .params = crash_on_params,
    .accepts = crash_on_accepts,
    .init = crash_on_init,
    .process = crash_on_process,
    .destroy = free,
};
