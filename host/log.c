/*
 * log — one line per event (text or JSON), one write(2) per line.  See log.h.
 */
#include "log.h"
#include "log_json.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define HOST_LOG_LINE_MAX 2048
#define HOST_LOG_ID_MAX   80

static int log_fd = STDERR_FILENO;
static host_log_level_t log_level = HOST_LOG_INFO;
static host_log_format_t log_format = HOST_LOG_TEXT;

static const char *const level_names[] = { "error", "warn", "info", "debug" };
static const char *const format_names[] = { "text", "json" };

int host_log_level_parse(const char *text, host_log_level_t *level)
{
    for (size_t i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++) {
        if (strcmp(text, level_names[i]) == 0) {
            *level = (host_log_level_t) i;
            return 0;
        }
    }
    return -1;
}

int host_log_format_parse(const char *text, host_log_format_t *format)
{
    for (size_t i = 0; i < sizeof(format_names) / sizeof(format_names[0]); i++) {
        if (strcmp(text, format_names[i]) == 0) {
            *format = (host_log_format_t) i;
            return 0;
        }
    }
    return -1;
}

void host_log_set_format(host_log_format_t format)
{
    log_format = format;
}

const char *host_log_level_name(host_log_level_t level)
{
    return (unsigned) level < 4 ? level_names[level] : "?";
}

int host_log_open(const char *file, host_log_level_t level, char *err, size_t errlen)
{
    int fd = STDERR_FILENO;

    if (file != NULL) {
        fd = open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
        if (fd < 0) {
            snprintf(err, errlen, "cannot open log file %s: %s", file, strerror(errno));
            return -1;
        }
    }
    if (log_fd != STDERR_FILENO)
        close(log_fd);
    log_fd = fd;
    log_level = level;
    return 0;
}

int host_log_enabled(host_log_level_t level)
{
    return level <= log_level;
}

/* Appends " NAME=VALUE" to line (size cap, used *pos) with VALUE cleaned:
 * bytes outside printable ASCII and spaces become '?', at most
 * HOST_LOG_ID_MAX bytes.  Does nothing when value is NULL or empty. */
static void put_field(char *line, size_t cap, size_t *pos, const char *name, const char *value)
{
    if (value == NULL || *value == '\0')
        return;
    int n = snprintf(line + *pos, cap - *pos, " %s=", name);
    if (n < 0 || (size_t) n >= cap - *pos)
        return;
    *pos += (size_t) n;
    for (size_t i = 0; value[i] != '\0' && i < HOST_LOG_ID_MAX && *pos + 1 < cap; i++) {
        unsigned char c = (unsigned char) value[i];
        line[(*pos)++] = (c > 0x20 && c < 0x7f) ? (char) c : '?';
    }
    line[*pos] = '\0';
}

/* Writes LEN bytes of LINE with one write(2): lines stay whole; a short
 * write (a full disk) loses the rest rather than retrying forever. */
static void write_line(const char *line, size_t len)
{
    ssize_t w;

    do {
        w = write(log_fd, line, len);
    } while (w < 0 && errno == EINTR);
}

/* Writes the text line of STAMP, LEVEL, CTX and the formatted message
 * (control characters become spaces). */
static void log_text(host_log_level_t level, const char *stamp, const host_log_ctx_t *ctx,
                     const char *fmt, va_list ap)
{
    char line[HOST_LOG_LINE_MAX];
    size_t pos;
    int n;

    n = snprintf(line, sizeof(line), "%s %s pid=%ld", stamp, host_log_level_name(level),
                 (long) getpid());
    pos = (n > 0 && (size_t) n < sizeof(line)) ? (size_t) n : 0;
    if (ctx != NULL) {
        put_field(line, sizeof(line), &pos, "route", ctx->route);
        put_field(line, sizeof(line), &pos, "msg", ctx->message_id);
        put_field(line, sizeof(line), &pos, "req", ctx->request_id);
    }
    if (pos + 2 < sizeof(line)) {
        line[pos++] = ':';
        line[pos++] = ' ';
        n = vsnprintf(line + pos, sizeof(line) - pos, fmt, ap);
        if (n > 0) {
            size_t end = pos + (size_t) n;
            if (end > sizeof(line) - 2)
                end = sizeof(line) - 2;
            for (size_t i = pos; i < end; i++)
                if ((unsigned char) line[i] < 0x20 || line[i] == 0x7f)
                    line[i] = ' ';
            pos = end;
        }
    }
    line[pos++] = '\n';
    write_line(line, pos);
}

/* Writes the JSON line of STAMP, LEVEL, CTX and the formatted message
 * (log_json.h); a line that cannot be built is lost. */
static void log_json(host_log_level_t level, const char *stamp, const host_log_ctx_t *ctx,
                     const char *fmt, va_list ap)
{
    char message[HOST_LOG_LINE_MAX];
    char *line;

    vsnprintf(message, sizeof(message), fmt, ap);
    line = host_log_json_line(level, stamp, (long) getpid(), ctx, message);
    if (line != NULL)
        write_line(line, strlen(line));
    free(line);
}

void host_logv(host_log_level_t level, const host_log_ctx_t *ctx, const char *fmt, va_list ap)
{
    char stamp[80];
    struct timeval tv;
    struct tm tm;

    if (!host_log_enabled(level))
        return;
    gettimeofday(&tv, NULL);
    gmtime_r(&tv.tv_sec, &tm);
    snprintf(stamp, sizeof(stamp), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (long) tv.tv_usec / 1000);
    if (log_format == HOST_LOG_JSON)
        log_json(level, stamp, ctx, fmt, ap);
    else
        log_text(level, stamp, ctx, fmt, ap);
}

void host_log(host_log_level_t level, const host_log_ctx_t *ctx, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    host_logv(level, ctx, fmt, ap);
    va_end(ap);
}
