/*
 * ok — test plugin: always succeeds.  Emits a copy of the original
 * (suffix from the "suffix" param) and "info.txt" describing the input
 * and the plugin's version, and records each call.  init refuses when
 * "init_fail" is true, so tests can see an init error reported with its
 * key path.  Building it with -DOK_VERSION='"2.0.0"' makes the "new
 * build" the reload test swaps in.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prism/plugin.h"
#include "record.h"

#ifndef OK_VERSION
#define OK_VERSION "1.0.0"
#endif

typedef struct {
    char *record;
    char *suffix;
    long quality;
} ok_state_t;

static const prism_param_spec_t ok_params[] = {
    RECORD_PARAM,
    { "suffix", PRISM_PARAM_STRING, "copy.bin", 0, 0, NULL, "suffix of the copy" },
    { "quality", PRISM_PARAM_INT, "80", 1, 100, NULL, "accepted and echoed in info.txt" },
    { "init_fail", PRISM_PARAM_BOOL, "false", 0, 0, NULL, "make init fail" },
    { NULL, 0, NULL, 0, 0, NULL, NULL }
};

/* Builds the state; fails when init_fail is set or memory runs out. */
static int ok_init(const prism_params_t *params, void **state, char *err, size_t errlen)
{
    ok_state_t *st;

    if (params->get_bool(params, "init_fail")) {
        snprintf(err, errlen, "init_fail is set");
        return -1;
    }
    st = calloc(1, sizeof(*st));
    if (st == NULL || (st->record = record_param(params)) == NULL
        || (st->suffix = strdup(params->get_string(params, "suffix"))) == NULL) {
        if (st != NULL)
            free(st->record);
        free(st);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    st->quality = params->get_int(params, "quality");
    *state = st;
    return 0;
}

/* Emits the copy and info.txt. */
static prism_result_t ok_process(void *state, const prism_input_t *in, prism_output_t *out)
{
    ok_state_t *st = state;
    char info[1600];
    int n;

    record_line(st->record, "process", in);
    n = snprintf(info, sizeof(info),
                 "len=%zu key=%s content_type=%s width=%ld height=%ld image_id=%s "
                 "request_id=%s quality=%ld plugin_version=%s\n",
                 in->len, in->key, in->content_type ? in->content_type : "-", in->width, in->height,
                 in->image_id ? in->image_id : "-", in->request_id ? in->request_id : "-",
                 st->quality, OK_VERSION);
    if (n < 0 || (size_t) n >= sizeof(info))
        n = (int) strlen(info);
    if (out->emit(out, st->suffix, in->content_type, in->data, in->len) != 0
        || out->emit(out, "info.txt", "text/plain", info, (size_t) n) != 0) {
        out->set_reason(out, "the host refused an output");
        return PRISM_REJECT;
    }
    out->log(out, PRISM_LOG_DEBUG, "copied %zu bytes", in->len);
    return PRISM_OK;
}

/* Frees the state (NULL allowed). */
static void ok_destroy(void *state)
{
    ok_state_t *st = state;

    if (st == NULL)
        return;
    free(st->record);
    free(st->suffix);
    free(st);
}

const prism_plugin_t prism_plugin = {
    .abi_version = PRISM_PLUGIN_ABI_VERSION,
    .name = "ok",
    .version = OK_VERSION,
    .description = "test plugin: copies the original",
    .params = ok_params,
    .accepts = test_accepts,
    .init = ok_init,
    .process = ok_process,
    .destroy = ok_destroy,
};
