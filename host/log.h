/*
 * log — prism-host's log lines.
 *
 * One event, one line, written with a single write(2) so lines from
 * several workers and threads never interleave:
 *
 *   2025-01-31T12:00:00.123Z info pid=4242 route=thumbnail msg=5fea7756 req=9f2c: stored 2 outputs
 *
 * route, msg (the SQS message id) and req (the upload's request id)
 * appear when the caller knows them.  Values that come from messages are
 * cleaned (no spaces or control characters, bounded length), so a hostile
 * message cannot forge log lines.  Callers never pass secrets.
 *
 * With the "json" format each line is one JSON object instead, with
 * every field of the context (log_json.h).
 */
#ifndef HOST_LOG_H
#define HOST_LOG_H

#include <stdarg.h>
#include <stddef.h>

typedef enum { HOST_LOG_ERROR = 0, HOST_LOG_WARN, HOST_LOG_INFO, HOST_LOG_DEBUG } host_log_level_t;

typedef enum { HOST_LOG_TEXT = 0, HOST_LOG_JSON } host_log_format_t;

/* Who and what a line is about; every field may be NULL (0).  The text
 * format shows route, message_id and request_id; the json format every
 * field. */
typedef struct {
    const char *route;
    const char *message_id;
    const char *request_id;
    const char *image_id;
    const char *event;  /* a message's outcome: "ok", "retry", "rejected", ... */
    const char *reason; /* why (the outcome's reason) */
    double duration_ms; /* taking up the message to its outcome, when timed */
    int timed;          /* duration_ms is set */
} host_log_ctx_t;

/* Parses "error" | "warn" | "info" | "debug" into *level.  Returns 0, or
 * -1 for any other text. */
int host_log_level_parse(const char *text, host_log_level_t *level);

/* Parses "text" | "json" into *format.  Returns 0, or -1 for any other
 * text. */
int host_log_format_parse(const char *text, host_log_format_t *format);

/* Writes the lines that follow in FORMAT (text until set). */
void host_log_set_format(host_log_format_t format);

/* Returns the name of a level ("info"). */
const char *host_log_level_name(host_log_level_t level);

/* Sends lines to FILE (appended, created 0640) or, when FILE is NULL, to
 * stderr, and drops lines above LEVEL.  The previous file is closed.
 * Returns 0, or -1 with a message in err (errlen bytes) when the file
 * cannot be opened; logging then continues where it went before. */
int host_log_open(const char *file, host_log_level_t level, char *err, size_t errlen);

/* Returns 1 when lines of LEVEL are written. */
int host_log_enabled(host_log_level_t level);

/* Writes one line (see the top of this file).  A trailing newline in the
 * text is not needed; control characters inside it (newlines included)
 * become spaces (text) or are escaped (json).  Text longer than 2 KiB is
 * cut.  Never fails visibly:
 * a line that cannot be written is lost. */
void host_log(host_log_level_t level, const host_log_ctx_t *ctx, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void host_logv(host_log_level_t level, const host_log_ctx_t *ctx, const char *fmt, va_list ap);

#endif
