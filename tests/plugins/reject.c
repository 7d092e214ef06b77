/*
 * reject — test plugin: rejects every image with a reason.
 */
#include <stdlib.h>

#include "prism/plugin.h"
#include "record.h"

static const prism_param_spec_t reject_params[] = {
    RECORD_PARAM,
    { "reason", PRISM_PARAM_STRING, "corrupt image (test)", 0, 0, NULL, "the reject reason" },
    { NULL, 0, NULL, 0, 0, NULL, NULL }
};

typedef struct {
    char *record;
    char *reason;
} reject_state_t;

/* Keeps the record file and the reason. */
static int reject_init(const prism_params_t *params, void **state, char *err, size_t errlen)
{
    reject_state_t *st = calloc(1, sizeof(*st));

    if (st == NULL || (st->record = record_param(params)) == NULL
        || (st->reason = strdup(params->get_string(params, "reason"))) == NULL) {
        if (st != NULL)
            free(st->record);
        free(st);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    *state = st;
    return 0;
}

/* Records the call and returns PRISM_REJECT with the reason. */
static prism_result_t reject_process(void *state, const prism_input_t *in, prism_output_t *out)
{
    reject_state_t *st = state;

    record_line(st->record, "process", in);
    out->set_reason(out, "%s", st->reason);
    return PRISM_REJECT;
}

/* Frees the state (NULL allowed). */
static void reject_destroy(void *state)
{
    reject_state_t *st = state;

    if (st != NULL) {
        free(st->record);
        free(st->reason);
        free(st);
    }
}

const prism_plugin_t prism_plugin = {
    .abi_version = PRISM_PLUGIN_ABI_VERSION,
    .name = "reject",
    .version = "1.0.0",
    .description = "test plugin: always rejects",
    .params = reject_params,
    .accepts = test_accepts,
    .init = reject_init,
    .process = reject_process,
    .destroy = reject_destroy,
};
