/*
 * test_host_config — prism-host's configuration (host/config.c): a valid
 * file gives the documented defaults and values; every invalid one is
 * refused with an error that starts with the offending key path.
 *
 * Paths that must exist (plugin, directories) are made in a temporary
 * directory per run.
 */
#define _GNU_SOURCE /* asprintf */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"

static char tmpdir[64];
static char plugin[128]; /* an existing file standing in for a plugin */
static char outdir[128]; /* an existing directory */

/* Makes the temporary directory, plugin file and output directory. */
static int setup(void **state)
{
    FILE *f;

    (void) state;
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_host_config.XXXXXX");
    if (mkdtemp(tmpdir) == NULL)
        return -1;
    snprintf(plugin, sizeof(plugin), "%s/p.so", tmpdir);
    snprintf(outdir, sizeof(outdir), "%s/out", tmpdir);
    f = fopen(plugin, "w");
    if (f == NULL || mkdir(outdir, 0755) != 0)
        return -1;
    fclose(f);
    return 0;
}

static int teardown(void **state)
{
    char cmd[160];

    (void) state;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

/* Builds a config text: the aws section, EXTRA top-level members (may be
 * ""), and one route whose members are ROUTE (inserted verbatim, may be
 * "" for the minimal route). */
static char *config_text(const char *extra, const char *route)
{
    char *text;

    if (asprintf(&text,
                 "{\"aws\": {\"region\": \"us-east-1\"}%s%s,"
                 " \"routes\": [{\"name\": \"thumb\","
                 " \"queue_url\": \"http://127.0.0.1:4566/123456789012/q\","
                 " \"dlq_url\": \"http://127.0.0.1:4566/123456789012/q-dlq\","
                 " \"plugin\": \"%s\", \"input\": {\"buckets\": [\"in\"]}, \"output\": "
                 "{\"bucket\": \"b\"}%s%s}]}",
                 *extra ? ", " : "", extra, plugin, *route ? ", " : "", route)
        < 0)
        return NULL;
    return text;
}

/* Parses TEXT, expecting failure with exactly the error EXPECTED, or —
 * when PREFIX_ONLY — an error starting with it. */
static void expect_error(const char *text, const char *expected, int prefix_only)
{
    char err[1024] = "";
    host_conf_t *conf = host_conf_parse(text, err, sizeof(err));

    if (conf != NULL)
        fail_msg("accepted: %s", text);
    if (prefix_only) {
        if (strncmp(err, expected, strlen(expected)) != 0)
            fail_msg("error \"%s\" does not start with \"%s\"", err, expected);
    } else {
        assert_string_equal(err, expected);
    }
}

/* expect_error on config_text(extra, route). */
static void expect_route_error(const char *extra, const char *route, const char *expected,
                               int prefix_only)
{
    char *text = config_text(extra, route);

    assert_non_null(text);
    expect_error(text, expected, prefix_only);
    free(text);
}

static void test_minimal_defaults(void **state)
{
    char err[512] = "";
    char *text = config_text("", "");
    host_conf_t *conf;
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    const host_route_conf_t *r;

    (void) state;
    conf = host_conf_parse(text, err, sizeof(err));
    free(text);
    if (conf == NULL)
        fail_msg("refused: %s", err);
    assert_string_equal(conf->aws.region, "us-east-1");
    assert_null(conf->aws.endpoint);
    assert_int_equal(conf->aws.verify_tls, 1);
    assert_int_equal(conf->workers, ncpu < 1 ? 1 : ncpu > 256 ? 256 : ncpu);
    assert_null(conf->user);
    assert_null(conf->pid_file);
    assert_null(conf->log_file);
    assert_int_equal(conf->log_level, HOST_LOG_INFO);
    assert_int_equal(conf->log_format, HOST_LOG_TEXT);
    assert_int_equal(conf->allow_root, 0);
    assert_null(conf->metrics_host);
    assert_int_equal(conf->shutdown_grace_seconds, 30);
    assert_int_equal(conf->breaker.threshold, 5);
    assert_int_equal(conf->breaker.probe_base_ms, 1000);
    assert_int_equal(conf->breaker.probe_max_ms, 10000);
    assert_int_equal(conf->nroutes, 1);
    r = &conf->routes[0];
    assert_string_equal(r->name, "thumb");
    assert_string_equal(r->plugin, plugin);
    assert_string_equal(r->bucket, "b");
    assert_string_equal(r->prefix, "");
    assert_null(r->directory);
    assert_int_equal(r->concurrency, 1);
    assert_int_equal(r->visibility_timeout, 30);
    assert_int_equal(r->heartbeat_max_seconds, 900);
    assert_int_equal(r->max_attempts, 5);
    assert_int_equal(r->max_input_bytes, 50LL * 1024 * 1024);
    assert_int_equal(r->wait_time_seconds, 20);
    assert_int_equal(r->max_messages, 10);
    assert_true(json_is_object(r->plugin_params));
    assert_int_equal(json_object_size(r->plugin_params), 0);
    host_conf_free(conf);
}

static void test_full_values(void **state)
{
    char err[512] = "";
    char *text, *route;
    host_conf_t *conf;
    const host_route_conf_t *r;

    (void) state;
    assert_true(asprintf(&route,
                         "\"plugin_params\": {\"quality\": 90}, \"concurrency\": 4,"
                         " \"visibility_timeout\": 60, \"heartbeat_max_seconds\": 600,"
                         " \"max_attempts\": 3, \"max_input_bytes\": 1000,"
                         " \"wait_time_seconds\": 5, \"max_messages\": 2,"
                         " \"input_directory\": \"%s\"",
                         outdir)
                > 0);
    text = config_text("\"workers\": 3, \"pid_file\": \"run/prism.pid\","
                       " \"log\": {\"level\": \"debug\", \"format\": \"json\","
                       " \"file\": \"/var/log/prism.log\"}, \"allow_root\": true,"
                       " \"metrics\": {\"listen\": \"[::1]:9464\"},"
                       " \"rlimits\": {\"address_space_mb\": 2048, \"cpu_seconds\": 3600},"
                       " \"shutdown_grace_seconds\": 7, \"user\": \"root\"",
                       route);
    free(route);
    conf = host_conf_parse(text, err, sizeof(err));
    free(text);
    if (conf == NULL)
        fail_msg("refused: %s", err);
    assert_int_equal(conf->workers, 3);
    assert_string_equal(conf->user, "root");
    assert_true(conf->pid_file[0] == '/'); /* made absolute */
    assert_non_null(strstr(conf->pid_file, "/run/prism.pid"));
    assert_int_equal(conf->log_level, HOST_LOG_DEBUG);
    assert_int_equal(conf->log_format, HOST_LOG_JSON);
    assert_int_equal(conf->allow_root, 1);
    assert_string_equal(conf->log_file, "/var/log/prism.log");
    assert_string_equal(conf->metrics_host, "::1");
    assert_int_equal(conf->metrics_port, 9464);
    assert_int_equal(conf->rlimit_as_mb, 2048);
    assert_int_equal(conf->rlimit_cpu_seconds, 3600);
    assert_int_equal(conf->shutdown_grace_seconds, 7);
    r = &conf->routes[0];
    assert_int_equal(json_integer_value(json_object_get(r->plugin_params, "quality")), 90);
    assert_int_equal(r->concurrency, 4);
    assert_int_equal(r->visibility_timeout, 60);
    assert_int_equal(r->heartbeat_max_seconds, 600);
    assert_int_equal(r->max_attempts, 3);
    assert_int_equal(r->max_input_bytes, 1000);
    assert_int_equal(r->wait_time_seconds, 5);
    assert_int_equal(r->max_messages, 2);
    assert_string_equal(r->input_directory, outdir);
    host_conf_free(conf);
}

static void test_aws_section(void **state)
{
    char err[512] = "";
    host_conf_t *conf;
    char *text;

    (void) state;
    assert_true(
        asprintf(
            &text,
            "{\"aws\": {\"region\": \"eu-west-1\", \"endpoint\": \"http://127.0.0.1:4566\","
            " \"endpoints\": {\"s3\": \"https://s3.example.com\"}, \"verify_tls\": false,"
            " \"s3_addressing\": \"path\", \"connect_timeout_ms\": 500, \"timeout_ms\": 9000,"
            " \"credentials\": {\"access_key_id\": \"AKID\", \"secret_access_key\": \"SECRET\","
            " \"session_token\": \"TOKEN\"}},"
            " \"routes\": [{\"name\": \"r\", \"queue_url\": \"https://q\", \"dlq_url\": "
            "\"https://d\","
            " \"plugin\": \"%s\", \"input\": {\"buckets\": [\"in\"]}, \"output\": {\"directory\": "
            "\"%s\", \"prefix\": \"p/\"}}]}",
            plugin, outdir)
        > 0);
    conf = host_conf_parse(text, err, sizeof(err));
    free(text);
    if (conf == NULL)
        fail_msg("refused: %s", err);
    assert_string_equal(conf->aws.region, "eu-west-1");
    assert_string_equal(conf->aws.endpoint, "http://127.0.0.1:4566");
    assert_null(conf->aws.endpoint_sqs);
    assert_string_equal(conf->aws.endpoint_s3, "https://s3.example.com");
    assert_int_equal(conf->aws.verify_tls, 0);
    assert_string_equal(conf->aws.s3_addressing, "path");
    assert_int_equal(conf->aws.connect_timeout_ms, 500);
    assert_int_equal(conf->aws.timeout_ms, 9000);
    assert_string_equal(conf->aws.access_key_id, "AKID");
    assert_string_equal(conf->aws.secret_access_key, "SECRET");
    assert_string_equal(conf->aws.session_token, "TOKEN");
    assert_string_equal(conf->routes[0].directory, outdir);
    assert_null(conf->routes[0].bucket);
    assert_string_equal(conf->routes[0].prefix, "p/");
    host_conf_free(conf);
}

/* Errors about the document and global keys. */
static void test_global_errors(void **state)
{
    (void) state;
    expect_error("{\"aws\": ", "line 1, column", 1);
    expect_error("[1, 2]", "(top level): expected an object, got [1,2]", 0);
    expect_error("{\"routes\": []}", "aws: required (at least aws.region)", 0);
    expect_error("{\"aws\": {}, \"routes\": []}", "aws.region: required", 0);
    expect_error("{\"aws\": {\"region\": 5}}", "aws.region: expected a non-empty string, got 5", 0);
    expect_error("{\"aws\": {\"region\": \"x\", \"regoin\": \"y\"}}", "aws.regoin: unknown key", 0);
    expect_error("{\"aws\": {\"region\": \"x\"}, \"aws\": {}}", "line 1", 1); /* duplicate key */
    expect_route_error("\"wokers\": 2", "", "wokers: unknown key", 0);
    expect_route_error("\"workers\": 0", "", "workers: expected integer 1..256, got 0", 0);
    expect_route_error("\"workers\": \"2\"", "", "workers: expected integer 1..256, got \"2\"", 0);
    expect_route_error("\"workers\": 2.5", "", "workers: expected integer 1..256, got 2.5", 0);
    expect_route_error("\"shutdown_grace_seconds\": -1", "",
                       "shutdown_grace_seconds: expected integer 0..3600, got -1", 0);
    expect_route_error("\"user\": \"no-such-user-prism\"", "",
                       "user: no such user \"no-such-user-prism\"", 0);
    expect_route_error(
        "\"log\": {\"level\": \"loud\"}", "",
        "log.level: expected \"error\", \"warn\", \"info\" or \"debug\", got \"loud\"", 0);
    expect_route_error("\"log\": {\"format\": \"logfmt\"}", "",
                       "log.format: expected \"text\" or \"json\", got \"logfmt\"", 0);
    expect_route_error("\"allow_root\": 1", "", "allow_root: expected true or false, got 1", 0);
    expect_route_error("\"log\": {\"lvl\": \"info\"}", "", "log.lvl: unknown key", 0);
    expect_route_error("\"log\": \"info\"", "", "log: expected an object, got \"info\"", 0);
    expect_route_error("\"metrics\": {\"listen\": \"localhost:9464\"}", "",
                       "metrics.listen: expected \"ADDRESS:PORT\" with a numeric address", 1);
    expect_route_error("\"metrics\": {\"listen\": \"127.0.0.1:99999\"}", "",
                       "metrics.listen: expected", 1);
    expect_route_error("\"metrics\": {\"listen\": \"127.0.0.1\"}", "", "metrics.listen: expected",
                       1);
    expect_route_error("\"metrics\": {}", "", "metrics.listen: required", 0);
    expect_route_error("\"rlimits\": {\"address_space_mb\": 1}", "",
                       "rlimits.address_space_mb: expected integer 16..1073741824, got 1", 0);
    expect_route_error("\"rlimits\": {\"cpu\": 1}", "", "rlimits.cpu: unknown key", 0);
    expect_route_error("\"memory\": {\"decode_budget_mb\": 0}", "",
                       "memory.decode_budget_mb: expected integer 1..1073741824, got 0", 0);
    expect_route_error("\"memory\": {\"decode_wait_seconds\": -1}", "",
                       "memory.decode_wait_seconds: expected integer 0..3600, got -1", 0);
    expect_route_error("\"memory\": {\"budget\": 1}", "", "memory.budget: unknown key", 0);
    expect_route_error("\"rlimits\": {\"address_space_mb\": 2048}, \"memory\": "
                       "{\"decode_budget_mb\": 2048}",
                       "",
                       "memory.decode_budget_mb: must be below rlimits.address_space_mb (2048), "
                       "got 2048",
                       0);
}

/* memory: the decode budget per worker and the wait for room, with
 * their defaults. */
static void test_memory_section(void **state)
{
    char err[512];
    char *text;
    host_conf_t *conf;

    (void) state;
    text = config_text("", "");
    conf = host_conf_parse(text, err, sizeof(err));
    free(text);
    assert_non_null(conf);
    assert_int_equal(conf->decode_budget_mb, 1024);
    assert_int_equal(conf->decode_wait_seconds, 30);
    host_conf_free(conf);
    text = config_text("\"rlimits\": {\"address_space_mb\": 4096}, \"memory\": "
                       "{\"decode_budget_mb\": 512, \"decode_wait_seconds\": 5}",
                       "");
    conf = host_conf_parse(text, err, sizeof(err));
    free(text);
    assert_non_null(conf);
    assert_int_equal(conf->decode_budget_mb, 512);
    assert_int_equal(conf->decode_wait_seconds, 5);
    host_conf_free(conf);
}

static void test_breaker(void **state)
{
    char err[512] = "";
    char *text = config_text("\"breaker\": {\"threshold\": 3, \"probe_base_ms\": 500, "
                             "\"probe_max_ms\": 60000}",
                             "");
    host_conf_t *conf;

    (void) state;
    conf = host_conf_parse(text, err, sizeof(err));
    free(text);
    if (conf == NULL)
        fail_msg("refused: %s", err);
    assert_int_equal(conf->breaker.threshold, 3);
    assert_int_equal(conf->breaker.probe_base_ms, 500);
    assert_int_equal(conf->breaker.probe_max_ms, 60000);
    host_conf_free(conf);
    expect_route_error("\"breaker\": {\"threshold\": 0}", "",
                       "breaker.threshold: expected integer 1..1000, got 0", 0);
    expect_route_error("\"breaker\": {\"probe_base_ms\": 5000, \"probe_max_ms\": 1000}", "",
                       "breaker.probe_max_ms: must be at least probe_base_ms (5000)", 0);
    expect_route_error("\"breaker\": {\"probes\": 1}", "", "breaker.probes: unknown key", 0);
    expect_route_error("\"breaker\": 5", "", "breaker: expected an object, got 5", 0);
}

static void test_aws_errors(void **state)
{
    (void) state;
    expect_error("{\"aws\": {\"region\": \"us-east-1\", \"endpoint\": \"ftp://x\"}}",
                 "aws.endpoint: expected an http:// or https:// URL, got \"ftp://x\"", 0);
    expect_error("{\"aws\": {\"region\": \"us-east-1\", \"endpoints\": {\"sqs\": \"http://\"}}}",
                 "aws.endpoints.sqs: expected an http:// or https:// URL", 1);
    expect_error("{\"aws\": {\"region\": \"us-east-1\", \"endpoints\": {\"sts\": \"http://x\"}}}",
                 "aws.endpoints.sts: unknown key", 0);
    expect_error(
        "{\"aws\": {\"region\": \"us-east-1\", \"endpoints\": {\"dynamodb\": \"ftp://x\"}}}",
        "aws.endpoints.dynamodb: expected an http:// or https:// URL", 1);
    expect_error(
        "{\"aws\": {\"region\": \"us-east-1\", \"credentials\": {\"access_key_id\": \"A\"}}}",
        "aws.credentials.secret_access_key: required with the other explicit key", 0);
    expect_error(
        "{\"aws\": {\"region\": \"us-east-1\", \"credentials\": {\"secret_access_key\": \"S\"}}}",
        "aws.credentials.access_key_id: required with the other explicit key", 0);
    expect_error("{\"aws\": {\"region\": \"us-east-1\", \"credentials\": {\"access_key_id\": \"A\","
                 " \"secret_access_key\": \"S\", \"profile\": \"p\"}}}",
                 "aws.credentials: use either explicit keys or profile/file, not both", 0);
    expect_error(
        "{\"aws\": {\"region\": \"us-east-1\", \"credentials\": {\"session_token\": \"T\"}}}",
        "aws.credentials.session_token: only allowed with access_key_id and "
        "secret_access_key",
        0);
    expect_error("{\"aws\": {\"region\": \"us-east-1\", \"verify_tls\": \"no\"}}",
                 "aws.verify_tls: expected true or false, got \"no\"", 0);
    expect_error("{\"aws\": {\"region\": \"us-east-1\", \"s3_addressing\": \"dns\"}}",
                 "aws.s3_addressing: expected \"auto\", \"path\" or \"virtual\", got \"dns\"", 0);
    expect_error("{\"aws\": {\"region\": \"us-east-1\", \"ca_file\": \"/nonexistent/ca.pem\"}}",
                 "aws.ca_file: /nonexistent/ca.pem: No such file or directory", 0);
}

static void test_route_errors(void **state)
{
    char text[512];

    (void) state;
    expect_route_error("", "\"concurency\": 2", "routes[0].concurency: unknown key", 0);
    expect_route_error("", "\"concurrency\": 0",
                       "routes[0].concurrency: expected integer 1..64, got 0", 0);
    expect_route_error("", "\"concurrency\": 65",
                       "routes[0].concurrency: expected integer 1..64, got 65", 0);
    expect_route_error("", "\"visibility_timeout\": \"30s\"",
                       "routes[0].visibility_timeout: expected integer 1..43200, got \"30s\"", 0);
    expect_route_error("", "\"wait_time_seconds\": 21",
                       "routes[0].wait_time_seconds: expected integer 0..20, got 21", 0);
    expect_route_error("", "\"max_messages\": 11",
                       "routes[0].max_messages: expected integer 1..10, got 11", 0);
    expect_route_error("", "\"max_attempts\": 0",
                       "routes[0].max_attempts: expected integer 1..1000, got 0", 0);
    expect_route_error("", "\"max_input_bytes\": 0",
                       "routes[0].max_input_bytes: expected integer 1..1073741824, got 0", 0);
    expect_route_error("", "\"visibility_timeout\": 60, \"heartbeat_max_seconds\": 30",
                       "routes[0].heartbeat_max_seconds: must be at least visibility_timeout "
                       "(60), got 30",
                       0);
    expect_route_error("", "\"plugin_params\": []",
                       "routes[0].plugin_params: expected an object, got []", 0);
    expect_route_error("", "\"input_directory\": \"/nonexistent-prism-dir\"",
                       "routes[0].input_directory: /nonexistent-prism-dir: No such file or "
                       "directory",
                       0);
    expect_route_error("", "\"input_directory\": \"/etc/passwd\"",
                       "routes[0].input_directory: /etc/passwd: not a directory", 0);

    /* Whole-route problems, with the route written out. */
    expect_error("{\"aws\": {\"region\": \"us-east-1\"}}", "routes: required (at least one route)",
                 0);
    expect_error("{\"aws\": {\"region\": \"us-east-1\"}, \"routes\": []}",
                 "routes: expected an array of 1..64 routes, got []", 0);
    expect_error("{\"aws\": {\"region\": \"us-east-1\"}, \"routes\": [7]}",
                 "routes[0]: expected an object, got 7", 0);
    expect_error("{\"aws\": {\"region\": \"us-east-1\"}, \"routes\": [{\"name\": \"Bad Name\"}]}",
                 "routes[0].name: expected [a-z0-9_-]{1,63}, got \"Bad Name\"", 0);
    expect_error("{\"aws\": {\"region\": \"us-east-1\"}, \"routes\": [{\"name\": \"a\"}]}",
                 "routes[0].queue_url: required", 0);
    expect_error("{\"aws\": {\"region\": \"us-east-1\"}, \"routes\": [{\"name\": \"a\", "
                 "\"queue_url\": \"http://q\", \"dlq_url\": \"http://d\"}]}",
                 "routes[0].plugin: required", 0);
    expect_error("{\"aws\": {\"region\": \"us-east-1\"}, \"routes\": [{\"name\": \"a\", "
                 "\"queue_url\": \"http://q\", \"dlq_url\": \"http://d\", "
                 "\"plugin\": \"/nonexistent/x.so\"}]}",
                 "routes[0].plugin: /nonexistent/x.so: No such file or directory", 0);
    snprintf(text, sizeof(text),
             "{\"aws\": {\"region\": \"us-east-1\"}, \"routes\": [{\"name\": \"a\", "
             "\"queue_url\": \"http://q\", \"dlq_url\": \"http://d\", \"plugin\": \"%s\"}]}",
             tmpdir);
    {
        char expected[256];
        snprintf(expected, sizeof(expected), "routes[0].plugin: %s: not a regular file", tmpdir);
        expect_error(text, expected, 0);
    }
    snprintf(text, sizeof(text),
             "{\"aws\": {\"region\": \"us-east-1\"}, \"routes\": [{\"name\": \"a\", "
             "\"queue_url\": \"http://q\", \"dlq_url\": \"http://d\", \"plugin\": \"%s\"}]}",
             plugin);
    expect_error(text, "routes[0].output: required ({\"bucket\": ...} or {\"directory\": ...})", 0);
}

/* Output section errors: written out because the output replaces the
 * template's. */
static void test_output_errors(void **state)
{
    static const struct {
        const char *output;
        const char *expected;
    } cases[] = {
        { "{}", "routes[0].output: needs exactly one of \"bucket\" and \"directory\"" },
        { "{\"bucket\": \"b\", \"directory\": \"/tmp\"}",
          "routes[0].output: needs exactly one of \"bucket\" and \"directory\"" },
        { "{\"bucket\": \"b\", \"prefix\": \"/abs\"}",
          "routes[0].output.prefix: expected a key prefix not starting with '/' (<= 512 bytes), "
          "got \"/abs\"" },
        { "{\"bucket\": \"b\", \"prefix\": 3}",
          "routes[0].output.prefix: expected a string, got 3" },
        { "{\"bucket\": \"b\", \"prefix\": \"a\\nb\"}",
          "routes[0].output.prefix: contains a control character" },
        { "{\"bucket\": \"\"}", "routes[0].output.bucket: expected a non-empty string, got \"\"" },
        { "{\"directory\": \"/etc/passwd\"}",
          "routes[0].output.directory: /etc/passwd: not a directory" },
        { "{\"bucket\": \"b\", \"bucekt\": \"c\"}", "routes[0].output.bucekt: unknown key" },
        { "\"b\"", "routes[0].output: expected an object, got \"b\"" },
        { "{\"bucket\": \"b\", \"sse\": \"aes256\"}",
          "routes[0].output.sse: expected \"AES256\" or \"aws:kms\", got \"aes256\"" },
        { "{\"bucket\": \"b\", \"sse\": \"AES256\", \"kms_key_id\": \"k\"}",
          "routes[0].output.kms_key_id: needs \"sse\": \"aws:kms\"" },
        { "{\"directory\": \"/tmp\", \"sse\": \"AES256\"}",
          "routes[0].output.sse: applies to a bucket output only" },
    };
    char text[768];

    (void) state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        snprintf(text, sizeof(text),
                 "{\"aws\": {\"region\": \"us-east-1\"}, \"routes\": [{\"name\": \"a\","
                 " \"queue_url\": \"http://q\", \"dlq_url\": \"http://d\", \"plugin\": \"%s\","
                 " \"output\": %s}]}",
                 plugin, cases[i].output);
        expect_error(text, cases[i].expected, 0);
    }
}

/* routes[].input: the allow-list of source buckets is required and
 * reported with its key path when missing or wrong; prefix defaults to
 * "". */
static void test_input_section(void **state)
{
    static const struct {
        const char *input;
        const char *expected;
    } cases[] = {
        { NULL, "routes[0].input: required: the buckets this route reads originals from, "
                "e.g. {\"buckets\": [\"prism-ingest\"]}" },
        { "{}", "routes[0].input.buckets: required: the buckets this route reads originals from" },
        { "{\"buckets\": []}", "routes[0].input.buckets: empty: allowed only for a route with "
                               "input_directory" },
        { "{\"buckets\": \"b\"}", "routes[0].input.buckets: expected an array of bucket names, "
                                  "got \"b\"" },
        { "{\"buckets\": [\"a\", 3]}",
          "routes[0].input.buckets[1]: expected a bucket name, got 3" },
        { "{\"buckets\": [\"a/b\"]}", "routes[0].input.buckets[0]: expected a bucket name, "
                                      "got \"a/b\"" },
        { "{\"buckets\": [\"a\"], \"prefix\": \"x\\ny\"}",
          "routes[0].input.prefix: contains a control character" },
        { "{\"buckets\": [\"a\"], \"bucket\": \"a\"}", "routes[0].input.bucket: unknown key" },
    };
    char text[2048], err[512];
    host_conf_t *conf;

    (void) state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        snprintf(text, sizeof(text),
                 "{\"aws\": {\"region\": \"us-east-1\"}, \"routes\": [{\"name\": \"a\","
                 " \"queue_url\": \"http://q\", \"dlq_url\": \"http://d\", \"plugin\": \"%s\","
                 " \"output\": {\"bucket\": \"b\"}%s%s}]}",
                 plugin, cases[i].input != NULL ? ", \"input\": " : "",
                 cases[i].input != NULL ? cases[i].input : "");
        expect_error(text, cases[i].expected, 0);
    }
    snprintf(text, sizeof(text),
             "{\"aws\": {\"region\": \"us-east-1\"}, \"routes\": [{\"name\": \"a\","
             " \"queue_url\": \"http://q\", \"dlq_url\": \"http://d\", \"plugin\": \"%s\","
             " \"output\": {\"bucket\": \"b\"}, \"input\": {\"buckets\": [\"in-1\", \"in-2\"],"
             " \"prefix\": \"originals/\"}}]}",
             plugin);
    conf = host_conf_parse(text, err, sizeof(err));
    assert_non_null(conf);
    assert_int_equal(conf->routes[0].ninput_buckets, 2);
    assert_string_equal(conf->routes[0].input_buckets[0], "in-1");
    assert_string_equal(conf->routes[0].input_buckets[1], "in-2");
    assert_string_equal(conf->routes[0].input_prefix, "originals/");
    host_conf_free(conf);
    /* local originals only: an empty list with input_directory */
    snprintf(text, sizeof(text),
             "{\"aws\": {\"region\": \"us-east-1\"}, \"routes\": [{\"name\": \"a\","
             " \"queue_url\": \"http://q\", \"dlq_url\": \"http://d\", \"plugin\": \"%s\","
             " \"output\": {\"bucket\": \"b\"}, \"input_directory\": \"%s\","
             " \"input\": {\"buckets\": []}}]}",
             plugin, tmpdir);
    conf = host_conf_parse(text, err, sizeof(err));
    assert_non_null(conf);
    assert_int_equal(conf->routes[0].ninput_buckets, 0);
    assert_string_equal(conf->routes[0].input_prefix, "");
    host_conf_free(conf);
}

/* record.table, aws.endpoints.sns/dynamodb, output.sse/kms_key_id,
 * completion_topic_arn and the FIFO flags reach the config; a bad table
 * name or topic ARN is refused. */
static void test_record_completion_sse(void **state)
{
    char err[1024] = "";
    char text[1400];
    host_conf_t *conf;

    (void) state;
    snprintf(text, sizeof(text),
             "{\"aws\": {\"region\": \"us-east-1\", \"endpoints\": {\"dynamodb\": "
             "\"http://127.0.0.1:4567\", \"sns\": \"http://127.0.0.1:4566\"}}, \"record\": "
             "{\"table\": \"prism-images\"}, \"routes\": [{\"name\": \"a\", \"queue_url\": "
             "\"http://q/1/a.fifo\", \"dlq_url\": \"http://q/1/a-dlq\", \"plugin\": \"%s\", "
             "\"completion_topic_arn\": \"arn:aws:sns:us-east-1:0:done\", "
             "\"input\": {\"buckets\": [\"in\"]}, \"output\": "
             "{\"bucket\": \"b\", \"sse\": \"aws:kms\", \"kms_key_id\": \"alias/k\"}}, "
             "{\"name\": \"b\", \"queue_url\": \"http://q/1/b\", \"dlq_url\": "
             "\"http://q/1/b-dlq.fifo\", \"plugin\": \"%s\", \"input\": {\"buckets\": [\"in\"]}, "
             "\"output\": {\"bucket\": \"b\", \"sse\": \"AES256\"}}]}",
             plugin, plugin);
    conf = host_conf_parse(text, err, sizeof(err));
    if (conf == NULL)
        fail_msg("%s", err);
    assert_string_equal(conf->record_table, "prism-images");
    assert_string_equal(conf->aws.endpoint_dynamodb, "http://127.0.0.1:4567");
    assert_string_equal(conf->aws.endpoint_sns, "http://127.0.0.1:4566");
    assert_ptr_equal(conf->routes[0].record_table, conf->record_table);
    assert_ptr_equal(conf->routes[1].record_table, conf->record_table);
    assert_string_equal(conf->routes[0].completion_topic_arn, "arn:aws:sns:us-east-1:0:done");
    assert_null(conf->routes[1].completion_topic_arn);
    assert_int_equal(conf->routes[0].sse, HOST_SSE_KMS);
    assert_string_equal(conf->routes[0].kms_key_id, "alias/k");
    assert_int_equal(conf->routes[1].sse, HOST_SSE_AES256);
    assert_null(conf->routes[1].kms_key_id);
    assert_int_equal(conf->routes[0].queue_fifo, 1);
    assert_int_equal(conf->routes[0].dlq_fifo, 0);
    assert_int_equal(conf->routes[1].queue_fifo, 0);
    assert_int_equal(conf->routes[1].dlq_fifo, 1);
    host_conf_free(conf);

    {
        char *minimal = config_text("", "");
        assert_non_null(minimal);
        conf = host_conf_parse(minimal, err, sizeof(err));
        free(minimal);
    }
    assert_non_null(conf);
    assert_null(conf->record_table);
    assert_null(conf->routes[0].record_table);
    assert_int_equal(conf->routes[0].sse, HOST_SSE_NONE);
    host_conf_free(conf);

    expect_route_error("\"record\": {\"table\": \"a b\"}", "",
                       "record.table: expected a DynamoDB table name ([A-Za-z0-9_.-]{3,255}), "
                       "got \"a b\"",
                       0);
    expect_route_error("\"record\": {}", "", "record.table: required", 0);
    expect_route_error("\"record\": {\"table\": \"tbl\", \"tabel\": 1}", "",
                       "record.tabel: unknown key", 0);
    expect_route_error("", "\"completion_topic_arn\": \"prism-completions\"",
                       "routes[0].completion_topic_arn: expected an SNS topic ARN "
                       "(arn:PARTITION:sns:REGION:ACCOUNT:TOPIC), got "
                       "\"prism-completions\"",
                       0);
}

/* The second route's problems carry index 1. */
static void test_second_route(void **state)
{
    char text[1024];

    (void) state;
    snprintf(
        text, sizeof(text),
        "{\"aws\": {\"region\": \"us-east-1\"}, \"routes\": ["
        "{\"name\": \"a\", \"queue_url\": \"http://q1\", \"dlq_url\": \"http://d\","
        " \"plugin\": \"%s\", \"input\": {\"buckets\": [\"in\"]}, \"output\": {\"bucket\": \"b\"}},"
        "{\"name\": \"a\", \"queue_url\": \"http://q2\", \"dlq_url\": \"http://d\","
        " \"plugin\": \"%s\", \"input\": {\"buckets\": [\"in\"]}, \"output\": {\"bucket\": "
        "\"b\"}}]}",
        plugin, plugin);
    expect_error(text, "routes[1].name: duplicate route name \"a\" (also routes[0])", 0);
    snprintf(
        text, sizeof(text),
        "{\"aws\": {\"region\": \"us-east-1\"}, \"routes\": ["
        "{\"name\": \"a\", \"queue_url\": \"http://q1\", \"dlq_url\": \"http://d\","
        " \"plugin\": \"%s\", \"input\": {\"buckets\": [\"in\"]}, \"output\": {\"bucket\": \"b\"}},"
        "{\"name\": \"b\", \"queue_url\": \"http://q1\", \"dlq_url\": \"http://d\","
        " \"plugin\": \"%s\", \"input\": {\"buckets\": [\"in\"]}, \"output\": {\"bucket\": "
        "\"b\"}}]}",
        plugin, plugin);
    expect_error(text, "routes[1].queue_url: queue already consumed by route \"a\"", 0);
    snprintf(
        text, sizeof(text),
        "{\"aws\": {\"region\": \"us-east-1\"}, \"routes\": ["
        "{\"name\": \"a\", \"queue_url\": \"http://q1\", \"dlq_url\": \"http://d\","
        " \"plugin\": \"%s\", \"input\": {\"buckets\": [\"in\"]}, \"output\": {\"bucket\": \"b\"}},"
        "{\"name\": \"b\", \"queue_url\": \"http://q2\", \"dlq_url\": \"http://d\","
        " \"plugin\": \"%s\", \"input\": {\"buckets\": [\"in\"]}, \"output\": {\"bucket\": \"b\"}, "
        "\"wait_time_seconds\": -1}]}",
        plugin, plugin);
    expect_error(text, "routes[1].wait_time_seconds: expected integer 0..20, got -1", 0);
}

/* Relative paths are made absolute against the current directory. */
static void test_relative_paths(void **state)
{
    char cwd[512], text[768], err[512] = "", want[700];
    host_conf_t *conf;

    (void) state;
    assert_non_null(getcwd(cwd, sizeof(cwd)));
    assert_int_equal(chdir(tmpdir), 0);
    snprintf(
        text, sizeof(text),
        "{\"aws\": {\"region\": \"us-east-1\"}, \"log\": {\"file\": \"l.log\"},"
        " \"routes\": [{\"name\": \"a\", \"queue_url\": \"http://q\", \"dlq_url\": \"http://d\","
        " \"plugin\": \"p.so\", \"input\": {\"buckets\": [\"in\"]}, \"output\": {\"directory\": "
        "\"out\"}}]}");
    conf = host_conf_parse(text, err, sizeof(err));
    assert_int_equal(chdir(cwd), 0);
    if (conf == NULL)
        fail_msg("refused: %s", err);
    assert_string_equal(conf->routes[0].plugin, plugin);
    assert_string_equal(conf->routes[0].directory, outdir);
    snprintf(want, sizeof(want), "%s/l.log", tmpdir);
    assert_string_equal(conf->log_file, want);
    host_conf_free(conf);
}

/* host_conf_load: file errors name the file, syntax errors the line. */
static void test_load_file(void **state)
{
    char path[160], err[512] = "", *text;
    host_conf_t *conf;
    FILE *f;

    (void) state;
    conf = host_conf_load("/nonexistent/prism-host.json", err, sizeof(err));
    assert_null(conf);
    assert_non_null(strstr(err, "/nonexistent/prism-host.json"));

    snprintf(path, sizeof(path), "%s/bad.json", tmpdir);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("{\n  \"aws\": {\"region\": \"us-east-1\"},\n  \"routes\": [,]\n}\n", f);
    fclose(f);
    conf = host_conf_load(path, err, sizeof(err));
    assert_null(conf);
    {
        char want[200];
        snprintf(want, sizeof(want), "%s:3:", path);
        if (strncmp(err, want, strlen(want)) != 0)
            fail_msg("error \"%s\" does not start with \"%s\"", err, want);
    }

    snprintf(path, sizeof(path), "%s/good.json", tmpdir);
    f = fopen(path, "w");
    assert_non_null(f);
    text = config_text("", "");
    fputs(text, f);
    free(text);
    fclose(f);
    conf = host_conf_load(path, err, sizeof(err));
    if (conf == NULL)
        fail_msg("refused: %s", err);
    assert_string_equal(conf->file, path);
    host_conf_free(conf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_minimal_defaults), cmocka_unit_test(test_full_values),
        cmocka_unit_test(test_aws_section),      cmocka_unit_test(test_global_errors),
        cmocka_unit_test(test_aws_errors),       cmocka_unit_test(test_breaker),
        cmocka_unit_test(test_route_errors),     cmocka_unit_test(test_output_errors),
        cmocka_unit_test(test_input_section),    cmocka_unit_test(test_memory_section),
        cmocka_unit_test(test_second_route),     cmocka_unit_test(test_record_completion_sse),
        cmocka_unit_test(test_relative_paths),   cmocka_unit_test(test_load_file),
    };

    return cmocka_run_group_tests_name("host_config", tests, setup, teardown);
}
