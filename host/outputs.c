/*
 * outputs — collect a plugin's derivatives, reason and log lines.
 * See outputs.h.
 */
#include "outputs.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Buffers above this size are freed between messages instead of kept. */
#define HOST_OUTPUTS_KEEP_BYTES (32UL * 1024 * 1024)

/* Returns 1 when CT looks like a media type: 1..127 printable ASCII
 * characters with one '/' and no spaces before a ';'. */
static int content_type_valid(const char *ct)
{
    size_t n = strlen(ct);
    int slash = 0;

    if (n == 0 || n > 127)
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char) ct[i];
        if (c < 0x20 || c >= 0x7f)
            return 0;
        if (c == ';')
            break;
        if (c == ' ')
            return 0;
        if (c == '/')
            slash++;
    }
    return slash == 1;
}

/* emit(): validates the suffix, content type and limits, then copies the
 * bytes.  Returns 0, or -1 (the reason is logged as a warning and kept
 * in o->refused). */
static int outputs_emit(prism_output_t *api, const char *suffix, const char *content_type,
                        const void *data, size_t len)
{
    host_outputs_t *o = api->host;
    host_output_item_t *it;

    o->refused[0] = '\0';
    if (suffix == NULL || !host_suffix_valid(suffix))
        snprintf(o->refused, sizeof(o->refused), "suffix \"%.80s\" is not [A-Za-z0-9._-]{1,%d}",
                 suffix != NULL ? suffix : "(null)", HOST_SUFFIX_MAX);
    else if (content_type != NULL && !content_type_valid(content_type))
        snprintf(o->refused, sizeof(o->refused), "content type \"%.80s\" is not a media type",
                 content_type);
    else if (data == NULL && len > 0)
        snprintf(o->refused, sizeof(o->refused), "no data");
    else if (o->n == HOST_OUTPUTS_MAX)
        snprintf(o->refused, sizeof(o->refused), "more than %d outputs", HOST_OUTPUTS_MAX);
    else if (len > HOST_OUTPUTS_MAX_BYTES - o->total)
        snprintf(o->refused, sizeof(o->refused), "outputs over %lu bytes in total",
                 (unsigned long) HOST_OUTPUTS_MAX_BYTES);
    for (size_t i = 0; o->refused[0] == '\0' && i < o->n; i++)
        if (strcmp(o->items[i].suffix, suffix) == 0)
            snprintf(o->refused, sizeof(o->refused), "suffix \"%s\" emitted twice", suffix);
    if (o->refused[0] != '\0') {
        host_log(HOST_LOG_WARN, o->ctx, "plugin output refused: %s", o->refused);
        return -1;
    }

    it = &o->items[o->n];
    if (it->cap < len || it->data == NULL) {
        unsigned char *p = realloc(it->data, len > 0 ? len : 1);
        if (p == NULL) {
            snprintf(o->refused, sizeof(o->refused), "out of memory for %zu bytes", len);
            host_log(HOST_LOG_WARN, o->ctx, "plugin output refused: %s", o->refused);
            return -1;
        }
        it->data = p;
        it->cap = len > 0 ? len : 1;
    }
    if (len > 0)
        memcpy(it->data, data, len);
    it->len = len;
    snprintf(it->suffix, sizeof(it->suffix), "%s", suffix);
    snprintf(it->content_type, sizeof(it->content_type), "%s",
             content_type != NULL ? content_type : "application/octet-stream");
    o->total += len;
    o->n++;
    return 0;
}

/* set_reason(): keeps the formatted reason (truncated). */
static void outputs_set_reason(prism_output_t *api, const char *fmt, ...)
{
    host_outputs_t *o = api->host;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(o->reason, sizeof(o->reason), fmt, ap);
    va_end(ap);
    for (char *p = o->reason; *p; p++)
        if ((unsigned char) *p < 0x20)
            *p = ' ';
}

/* log(): one host log line, prefixed "plugin: ", with the message context. */
static void outputs_log(prism_output_t *api, prism_log_level_t level, const char *fmt, ...)
{
    host_outputs_t *o = api->host;
    host_log_level_t hl =
        (unsigned) level <= PRISM_LOG_DEBUG ? (host_log_level_t) level : HOST_LOG_DEBUG;
    char text[1024];
    va_list ap;

    if (!host_log_enabled(hl))
        return;
    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    host_log(hl, o->ctx, "plugin: %s", text);
}

void host_outputs_init(host_outputs_t *o)
{
    memset(o, 0, sizeof(*o));
    o->api.host = o;
    o->api.emit = outputs_emit;
    o->api.set_reason = outputs_set_reason;
    o->api.log = outputs_log;
}

void host_outputs_reset(host_outputs_t *o, const host_log_ctx_t *ctx)
{
    /* Keep ordinary buffers for reuse, give back unusually large ones. */
    for (size_t i = 0; i < o->n; i++) {
        if (o->items[i].cap > HOST_OUTPUTS_KEEP_BYTES) {
            free(o->items[i].data);
            o->items[i].data = NULL;
            o->items[i].cap = 0;
        }
    }
    o->n = 0;
    o->total = 0;
    o->reason[0] = '\0';
    o->refused[0] = '\0';
    o->ctx = ctx;
}

void host_outputs_free(host_outputs_t *o)
{
    for (size_t i = 0; i < HOST_OUTPUTS_MAX; i++) {
        free(o->items[i].data);
        o->items[i].data = NULL;
        o->items[i].cap = 0;
    }
    o->n = 0;
}
