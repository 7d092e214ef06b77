/*
 * log_json — one log line as one JSON object (log.format "json"):
 *
 *   {"time":"2025-01-31T12:00:00.123Z","level":"info","pid":4242,
 *    "route":"thumbnail","message_id":"5fea7756-...","request_id":"9f2c...",
 *    "image_id":"...","event":"ok","duration_ms":41.2,
 *    "reason":"3 output(s) stored","message":"ok: 3 output(s) stored in 41.2 ms"}
 *
 * Fields the line does not know are left out.  Strings are escaped by
 * jansson; bytes that are not valid UTF-8 become '?', so every line
 * parses whatever a message carried.
 */
#ifndef HOST_LOG_JSON_H
#define HOST_LOG_JSON_H

#include "log.h"

/* Returns the line for LEVEL, STAMP (the time, RFC 3339), PID, CTX (may be
 * NULL) and MESSAGE, newline included, in malloc()ed memory; NULL when
 * memory ran out. */
char *host_log_json_line(host_log_level_t level, const char *stamp, long pid,
                         const host_log_ctx_t *ctx, const char *message);

#endif
