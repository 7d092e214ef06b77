/*
 * slow — test plugin: records "start", sleeps "seconds", records "end",
 * then emits a copy of the original.  Longer than the visibility timeout
 * it proves the heartbeat; during a shutdown it proves in-flight work
 * finishes.
 */
#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "prism/plugin.h"
#include "record.h"

typedef struct {
    char *record;
    double seconds;
} slow_state_t;

static const prism_param_spec_t slow_params[] = { RECORD_PARAM,
                                                  { "seconds", PRISM_PARAM_DOUBLE, "1", 0, 600,
                                                    NULL, "how long process() sleeps" },
                                                  { NULL, 0, NULL, 0, 0, NULL, NULL } };

/* Keeps the record file and the duration.  Fails only without memory. */
static int slow_init(const prism_params_t *params, void **state, char *err, size_t errlen)
{
    slow_state_t *st = calloc(1, sizeof(*st));

    if (st == NULL || (st->record = record_param(params)) == NULL) {
        free(st);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    st->seconds = params->get_double(params, "seconds");
    *state = st;
    return 0;
}

/* Sleeps, then copies the original to "copy.bin". */
static prism_result_t slow_process(void *state, const prism_input_t *in, prism_output_t *out)
{
    slow_state_t *st = state;
    struct timespec ts;

    record_line(st->record, "start", in);
    ts.tv_sec = (time_t) st->seconds;
    ts.tv_nsec = (long) ((st->seconds - (double) ts.tv_sec) * 1e9);
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) /* pacing: the plugin is slow on purpose */
        ;
    record_line(st->record, "end", in);
    if (out->emit(out, "copy.bin", in->content_type, in->data, in->len) != 0)
        return PRISM_RETRY;
    return PRISM_OK;
}

/* Frees the state (NULL allowed). */
static void slow_destroy(void *state)
{
    slow_state_t *st = state;

    if (st != NULL) {
        free(st->record);
        free(st);
    }
}

const prism_plugin_t prism_plugin = {
    .abi_version = PRISM_PLUGIN_ABI_VERSION,
    .name = "slow",
    .version = "1.0.0",
    .description = "test plugin: sleeps, then copies",
    .params = slow_params,
    .accepts = test_accepts,
    .init = slow_init,
    .process = slow_process,
    .destroy = slow_destroy,
};
