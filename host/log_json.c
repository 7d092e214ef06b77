/*
 * log_json — a log line as a JSON object.  See log_json.h.
 */
#include "log_json.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

/* Returns a JSON string of TEXT: TEXT itself when it is valid UTF-8,
 * else a copy with every byte outside ASCII replaced by '?'.  NULL when
 * memory ran out. */
static json_t *utf8_string(const char *text)
{
    json_t *s = json_string(text);
    char *copy;

    if (s != NULL)
        return s;
    copy = strdup(text);
    if (copy == NULL)
        return NULL;
    for (char *c = copy; *c != '\0'; c++)
        if ((unsigned char) *c >= 0x80)
            *c = '?';
    s = json_string(copy);
    free(copy);
    return s;
}

/* Sets KEY of OBJ to the string VALUE when VALUE is set and not empty. */
static void put_string(json_t *obj, const char *key, const char *value)
{
    if (value != NULL && *value != '\0')
        json_object_set_new(obj, key, utf8_string(value));
}

char *host_log_json_line(host_log_level_t level, const char *stamp, long pid,
                         const host_log_ctx_t *ctx, const char *message)
{
    json_t *obj = json_object();
    char *text, *line;
    size_t len;

    if (obj == NULL)
        return NULL;
    put_string(obj, "time", stamp);
    put_string(obj, "level", host_log_level_name(level));
    json_object_set_new(obj, "pid", json_integer(pid));
    if (ctx != NULL) {
        put_string(obj, "route", ctx->route);
        put_string(obj, "message_id", ctx->message_id);
        put_string(obj, "request_id", ctx->request_id);
        put_string(obj, "image_id", ctx->image_id);
        put_string(obj, "event", ctx->event);
        if (ctx->timed)
            json_object_set_new(obj, "duration_ms", json_real(ctx->duration_ms));
        put_string(obj, "reason", ctx->reason);
    }
    put_string(obj, "message", message);
    text = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
    json_decref(obj);
    if (text == NULL)
        return NULL;
    len = strlen(text);
    line = realloc(text, len + 2);
    if (line == NULL) {
        free(text);
        return NULL;
    }
    line[len] = '\n';
    line[len + 1] = '\0';
    return line;
}
