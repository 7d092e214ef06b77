/*
 * png_only — test plugin that reads PNG only: it copies the original and
 * records each call.  The host must dead-letter what it cannot read
 * before fetching the original, so process() never sees another type.
 */
#include <stdlib.h>

#include "prism/plugin.h"
#include "record.h"

static const char *const png_only_accepts[] = { "image/png", NULL };

static const prism_param_spec_t png_only_params[] = { RECORD_PARAM,
                                                      { NULL, 0, NULL, 0, 0, NULL, NULL } };

/* Keeps the record file name; fails when memory runs out. */
static int png_only_init(const prism_params_t *params, void **state, char *err, size_t errlen)
{
    char *record = record_param(params);

    if (record == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    *state = record;
    return 0;
}

/* Records the call and emits a copy of the original. */
static prism_result_t png_only_process(void *state, const prism_input_t *in, prism_output_t *out)
{
    record_line(state, "process", in);
    if (out->emit(out, "copy.png", "image/png", in->data, in->len) != 0) {
        out->set_reason(out, "the host refused an output");
        return PRISM_REJECT;
    }
    return PRISM_OK;
}

/* Frees the state (NULL allowed). */
static void png_only_destroy(void *state)
{
    free(state);
}

const prism_plugin_t prism_plugin = {
    .abi_version = PRISM_PLUGIN_ABI_VERSION,
    .name = "png_only",
    .version = "1.0.0",
    .description = "test plugin: reads PNG only",
    .params = png_only_params,
    .accepts = png_only_accepts,
    .init = png_only_init,
    .process = png_only_process,
    .destroy = png_only_destroy,
};
