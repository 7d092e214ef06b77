/*
 * The two places where the imaging library meets the plugin ABI, shared
 * by the built-in plugins: an imaging error becomes the message's result
 * and reason, and an output is handed to the host.
 */
#ifndef IMG_PRISM_H
#define IMG_PRISM_H

#include "prism/plugin.h"
#include "img_error.h"

/* Records e's message as the reason and returns what the host should do:
 * PRISM_RETRY when memory ran out (another attempt may succeed),
 * PRISM_REJECT for anything about the input itself. */
static inline prism_result_t img_prism_fail(prism_output_t *out, const img_err_t *e)
{
    out->set_reason(out, "%s", e->msg);
    return e->code == IMG_ERR_NOMEM ? PRISM_RETRY : PRISM_REJECT;
}

/* Emits one derivative. Returns PRISM_OK, or PRISM_RETRY with a reason
 * when the host refuses it (our suffixes are valid, so it ran out of
 * memory). */
static inline prism_result_t img_prism_emit(prism_output_t *out, const char *suffix,
                                            const char *content_type, const void *data, size_t len)
{
    if (out->emit(out, suffix, content_type, data, len) == 0)
        return PRISM_OK;
    out->set_reason(out, "host refused output %s (%zu bytes)", suffix, len);
    return PRISM_RETRY;
}

#endif /* IMG_PRISM_H */
