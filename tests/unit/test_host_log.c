/*
 * test_host_log — log lines in both formats: text keeps one line per
 * event with cleaned fields; json writes one object a line, every field
 * of the context, escaped so that hostile values (quotes, backslashes,
 * newlines, control characters, bytes that are not UTF-8) still parse.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "log.h"

static char log_path[64];

/* Sends the log (every level) to a fresh file. */
static int setup(void **state)
{
    char err[256];
    int fd;

    (void) state;
    snprintf(log_path, sizeof(log_path), "/tmp/prism-log-XXXXXX");
    fd = mkstemp(log_path);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(host_log_open(log_path, HOST_LOG_DEBUG, err, sizeof(err)), 0);
    return 0;
}

static int teardown(void **state)
{
    (void) state;
    host_log_open(NULL, HOST_LOG_INFO, NULL, 0);
    host_log_set_format(HOST_LOG_TEXT);
    unlink(log_path);
    return 0;
}

/* Returns the log file's content (malloc()ed). */
static char *slurp(void)
{
    FILE *f = fopen(log_path, "r");
    char *buf = calloc(1, 65536);
    size_t n;

    assert_non_null(f);
    n = fread(buf, 1, 65535, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static const host_log_ctx_t hostile = {
    .route = "thumbnail",
    .message_id = "5fea7756-\"quoted\"\\",
    .request_id = "req\nforged line",
    .image_id = "img-\xff\xfe-bad-utf8",
    .event = "rejected",
    .reason = "original: \"x\" is\ttoo large\n",
    .duration_ms = 41.2,
    .timed = 1,
};

static void json_lines_parse_with_every_field(void **state)
{
    json_error_t jerr;
    json_t *o;
    char *text, *nl;

    (void) state;
    host_log_set_format(HOST_LOG_JSON);
    host_log(HOST_LOG_WARN, &hostile, "rejected: %s\n\"and more\"\x01", "why");
    host_log(HOST_LOG_INFO, NULL, "master started");
    text = slurp();

    nl = strchr(text, '\n');
    assert_non_null(nl);
    *nl = '\0';
    o = json_loads(text, 0, &jerr);
    assert_non_null(o);
    assert_string_equal(json_string_value(json_object_get(o, "level")), "warn");
    assert_int_equal(json_integer_value(json_object_get(o, "pid")), getpid());
    assert_int_equal(strlen(json_string_value(json_object_get(o, "time"))), 24);
    assert_string_equal(json_string_value(json_object_get(o, "route")), "thumbnail");
    assert_string_equal(json_string_value(json_object_get(o, "message_id")),
                        "5fea7756-\"quoted\"\\");
    assert_string_equal(json_string_value(json_object_get(o, "request_id")), "req\nforged line");
    assert_string_equal(json_string_value(json_object_get(o, "image_id")), "img-?"
                                                                           "?-bad-utf8");
    assert_string_equal(json_string_value(json_object_get(o, "event")), "rejected");
    assert_string_equal(json_string_value(json_object_get(o, "reason")),
                        "original: \"x\" is\ttoo large\n");
    assert_true(json_real_value(json_object_get(o, "duration_ms")) == 41.2);
    assert_string_equal(json_string_value(json_object_get(o, "message")),
                        "rejected: why\n\"and more\"\x01");
    json_decref(o);

    o = json_loads(nl + 1, 0, &jerr);
    assert_non_null(o);
    assert_string_equal(json_string_value(json_object_get(o, "message")), "master started");
    assert_null(json_object_get(o, "route"));
    assert_null(json_object_get(o, "duration_ms"));
    json_decref(o);
    free(text);
}

static void text_lines_stay_one_line_with_cleaned_fields(void **state)
{
    char *text;

    (void) state;
    host_log(HOST_LOG_WARN, &hostile, "rejected: %s\nnext", "why");
    text = slurp();
    assert_non_null(strstr(text, " warn pid="));
    assert_non_null(strstr(text, " route=thumbnail msg=5fea7756-\"quoted\"\\ req=req?forged?line: "
                                 "rejected: why next\n"));
    assert_ptr_equal(strchr(text, '\n'), text + strlen(text) - 1);
    free(text);
}

static void formats_parse(void **state)
{
    host_log_format_t f;

    (void) state;
    assert_int_equal(host_log_format_parse("json", &f), 0);
    assert_int_equal(f, HOST_LOG_JSON);
    assert_int_equal(host_log_format_parse("text", &f), 0);
    assert_int_equal(f, HOST_LOG_TEXT);
    assert_int_equal(host_log_format_parse("JSON", &f), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(json_lines_parse_with_every_field, setup, teardown),
        cmocka_unit_test_setup_teardown(text_lines_stay_one_line_with_cleaned_fields, setup,
                                        teardown),
        cmocka_unit_test(formats_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
