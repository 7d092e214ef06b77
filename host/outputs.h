/*
 * outputs — the prism_output_t handed to a plugin's process().
 *
 * Collects what the plugin emits (copies of the bytes, with suffix and
 * content type), the reason it gives for a retry or reject, and routes
 * its log lines into the host's log with the message's context.  The
 * buffers are kept between messages, so a long-running worker does not
 * allocate fresh memory per image.
 */
#ifndef HOST_OUTPUTS_H
#define HOST_OUTPUTS_H

#include <stddef.h>

#include "keys.h"
#include "log.h"
#include "prism/plugin.h"

/* Most derivatives one message may emit. */
#define HOST_OUTPUTS_MAX 32
/* Most bytes one message may emit in total. */
#define HOST_OUTPUTS_MAX_BYTES (1024UL * 1024 * 1024)
#define HOST_REASON_MAX        512

typedef struct {
    char suffix[HOST_SUFFIX_MAX + 1];
    char content_type[128];
    unsigned char *data;
    size_t len;
    size_t cap;
} host_output_item_t;

typedef struct {
    prism_output_t api; /* handed to the plugin; api.host points here */
    host_output_item_t items[HOST_OUTPUTS_MAX];
    size_t n;
    size_t total;
    char reason[HOST_REASON_MAX];
    char refused[HOST_REASON_MAX]; /* why the last emit was refused */
    const host_log_ctx_t *ctx;     /* for the plugin's log lines; may be NULL */
} host_outputs_t;

/* Prepares an empty collector. */
void host_outputs_init(host_outputs_t *o);

/* Forgets the previous message's outputs and reason (keeping the
 * buffers) and sets the log context for the next one. */
void host_outputs_reset(host_outputs_t *o, const host_log_ctx_t *ctx);

/* Frees the buffers. */
void host_outputs_free(host_outputs_t *o);

#endif
