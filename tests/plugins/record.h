/*
 * record.h — shared by the test plugins: append one line per process()
 * call to the file named by the "record" param, so end-to-end tests can
 * count how often a plugin really ran.  Header-only because each test
 * plugin is built from its single .c file.
 */
#ifndef PRISM_TEST_RECORD_H
#define PRISM_TEST_RECORD_H

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "prism/plugin.h"

/* What every test plugin declares it accepts: the image types the
 * ingress can sniff (png_only declares its own). */
static const char *const test_accepts[] = { "image/jpeg", "image/png",  "image/webp", "image/gif",
                                            "image/heic", "image/heif", "image/avif", NULL };

/* The "record" param every test plugin declares. */
#define RECORD_PARAM                                                                               \
    {                                                                                              \
        "record", PRISM_PARAM_STRING, "", 0, 0, NULL,                                              \
            "file to append \"<event> <key> <pid>\" to on each call (\"\": none)"                  \
    }

/* Returns a copy of the "record" param (never NULL), or NULL when out of
 * memory. */
static inline char *record_param(const prism_params_t *params)
{
    const char *s = params->get_string(params, "record");
    return strdup(s != NULL ? s : "");
}

/* Appends "EVENT KEY PID\n" to FILE with one write; does nothing when
 * FILE is "". */
static inline void record_line(const char *file, const char *event, const prism_input_t *in)
{
    char line[1200];
    int fd, n;

    if (file == NULL || *file == '\0')
        return;
    n = snprintf(line, sizeof(line), "%s %s %ld\n", event, in->key, (long) getpid());
    if (n < 0 || (size_t) n >= sizeof(line))
        return;
    fd = open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return;
    if (write(fd, line, (size_t) n) != n) {
        /* a test plugin: a lost line shows up as a failed count */
    }
    close(fd);
}

/* init() of the plugins whose only state is the record file name. */
static inline int record_init(const prism_params_t *params, void **state, char *err, size_t errlen)
{
    *state = record_param(params);
    if (*state == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

#endif
