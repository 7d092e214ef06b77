/*
 * test_host_params — plugin params validated against the plugin's table
 * (host/params.c): defaults, every type, ranges, choices, lists, unknown
 * and missing names, the readers handed to the plugin, and the checks of
 * a broken table itself.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "params.h"
#include "plugin_loader.h"

#define PATH "routes[1].plugin_params"

static const prism_param_spec_t specs[] = {
    { "quality", PRISM_PARAM_INT, "85", 1, 100, NULL, "JPEG quality" },
    { "ratio", PRISM_PARAM_DOUBLE, "0.5", 0, 1, NULL, "a fraction" },
    { "sharpen", PRISM_PARAM_BOOL, "false", 0, 0, NULL, "sharpen after resizing" },
    { "format", PRISM_PARAM_STRING, "jpeg", 0, 0, "jpeg|webp|png", "output format" },
    { "label", PRISM_PARAM_STRING, NULL, 0, 0, NULL, "required text" },
    { "sizes", PRISM_PARAM_INT_LIST, "128,256", 16, 4096, NULL, "bounding boxes" },
    { "offset", PRISM_PARAM_INT, "-3", 0, 0, NULL, "unbounded integer" },
    { NULL, 0, NULL, 0, 0, NULL, NULL }
};

/* Builds params from JSON TEXT, failing the test when refused. */
static host_params_t *build_ok(const char *text)
{
    char err[512] = "";
    json_t *j = json_loads(text, 0, NULL);
    host_params_t *p;

    assert_non_null(j);
    p = host_params_build(specs, j, PATH, err, sizeof(err));
    json_decref(j);
    if (p == NULL)
        fail_msg("refused %s: %s", text, err);
    return p;
}

/* Expects JSON TEXT to be refused with exactly EXPECTED. */
static void build_fails(const char *text, const char *expected)
{
    char err[512] = "";
    json_t *j = json_loads(text, 0, NULL);
    host_params_t *p;

    assert_non_null(j);
    p = host_params_build(specs, j, PATH, err, sizeof(err));
    json_decref(j);
    if (p != NULL) {
        host_params_free(p);
        fail_msg("accepted %s", text);
    }
    assert_string_equal(err, expected);
}

static void test_defaults(void **state)
{
    host_params_t *hp = build_ok("{\"label\": \"x\"}");
    const prism_params_t *p = host_params_api(hp);
    long list[8];

    (void) state;
    assert_int_equal(p->get_int(p, "quality"), 85);
    assert_true(p->get_double(p, "ratio") == 0.5);
    assert_int_equal(p->get_bool(p, "sharpen"), 0);
    assert_string_equal(p->get_string(p, "format"), "jpeg");
    assert_string_equal(p->get_string(p, "label"), "x");
    assert_int_equal(p->get_int_list(p, "sizes", list, 8), 2);
    assert_int_equal(list[0], 128);
    assert_int_equal(list[1], 256);
    assert_int_equal(p->get_int(p, "offset"), -3);
    host_params_free(hp);
}

static void test_values(void **state)
{
    host_params_t *hp = build_ok("{\"quality\": 100, \"ratio\": 1, \"sharpen\": true,"
                                 " \"format\": \"webp\", \"label\": \"hello\","
                                 " \"sizes\": [16, 4096, 300], \"offset\": -99999}");
    const prism_params_t *p = host_params_api(hp);
    long list[2];

    (void) state;
    assert_int_equal(p->get_int(p, "quality"), 100);
    assert_true(p->get_double(p, "ratio") == 1.0);
    assert_int_equal(p->get_bool(p, "sharpen"), 1);
    assert_string_equal(p->get_string(p, "format"), "webp");
    assert_string_equal(p->get_string(p, "label"), "hello");
    /* Returns the full count even when MAX is smaller. */
    assert_int_equal(p->get_int_list(p, "sizes", list, 2), 3);
    assert_int_equal(list[0], 16);
    assert_int_equal(list[1], 4096);
    assert_int_equal(p->get_int(p, "offset"), -99999);
    host_params_free(hp);

    /* One integer is a list of one. */
    hp = build_ok("{\"label\": \"x\", \"sizes\": 640}");
    p = host_params_api(hp);
    assert_int_equal(p->get_int_list(p, "sizes", list, 2), 1);
    assert_int_equal(list[0], 640);
    host_params_free(hp);
}

/* Readers: unknown names give 0 / NULL; numeric types convert. */
static void test_readers(void **state)
{
    host_params_t *hp = build_ok("{\"label\": \"x\", \"ratio\": 0.75}");
    const prism_params_t *p = host_params_api(hp);
    long list[4];

    (void) state;
    assert_int_equal(p->get_int(p, "nope"), 0);
    assert_true(p->get_double(p, "nope") == 0.0);
    assert_int_equal(p->get_bool(p, "nope"), 0);
    assert_null(p->get_string(p, "nope"));
    assert_int_equal(p->get_int_list(p, "nope", list, 4), 0);
    assert_null(p->get_string(p, NULL));
    assert_null(p->get_string(p, "quality"));         /* not a string */
    assert_true(p->get_double(p, "quality") == 85.0); /* int as double */
    assert_int_equal(p->get_int(p, "ratio"), 0);      /* 0.75 truncated */
    assert_int_equal(p->get_bool(p, "ratio"), 1);
    assert_int_equal(p->get_int_list(p, "quality", list, 4), 1);
    assert_int_equal(list[0], 85);
    host_params_free(hp);
}

/* A name the table does not declare reads as 0 / NULL, and is remembered:
 * a misspelt name in a plugin must fail loudly, not read as 0. */
static void test_undeclared_name(void **state)
{
    host_params_t *hp = build_ok("{\"label\": \"x\"}");
    const prism_params_t *p = host_params_api(hp);

    (void) state;
    assert_null(host_params_misuse(hp));
    assert_int_equal(p->get_int(p, "quality"), 85);
    assert_null(host_params_misuse(hp));
    assert_int_equal(p->get_int(p, "qualty"), 0);
    assert_string_equal(host_params_misuse(hp),
                        "parameter \"qualty\" is not in the plugin's table");
    assert_null(p->get_string(p, "fromat")); /* the first one is kept */
    assert_string_equal(host_params_misuse(hp),
                        "parameter \"qualty\" is not in the plugin's table");
    host_params_free(hp);
}

/* init of a plugin that misspells its parameter: reads "qualty" */
static int misspelt_init(const prism_params_t *params, void **state, char *err, size_t errlen)
{
    (void) err;
    (void) errlen;
    *state = NULL;
    return params->get_int(params, "qualty") > 100 ? -1 : 0;
}

/* The host refuses an instance whose init read an undeclared name, and
 * says which. */
static void test_instance_refuses_misspelling(void **state)
{
    static const char *const accepts[] = { "image/jpeg", NULL };
    prism_plugin_t desc = { .abi_version = PRISM_PLUGIN_ABI_VERSION,
                            .name = "speller",
                            .version = "1",
                            .params = specs,
                            .accepts = accepts,
                            .init = misspelt_init };
    host_plugin_t plugin = { NULL, &desc };
    host_instance_t inst;
    json_t *j = json_loads("{\"label\": \"x\"}", 0, NULL);
    char err[512] = "";

    (void) state;
    assert_int_equal(host_instance_new(&plugin, j, PATH, &inst, err, sizeof(err)), -1);
    assert_string_equal(err, PATH ": plugin speller read an undeclared parameter: "
                                  "parameter \"qualty\" is not in the plugin's table");
    assert_null(inst.params);
    json_decref(j);
}

static void test_errors(void **state)
{
    (void) state;
    build_fails("{\"label\": \"x\", \"quality\": \"high\"}",
                PATH ".quality: expected integer 1..100, got \"high\"");
    build_fails("{\"label\": \"x\", \"quality\": 0}",
                PATH ".quality: expected integer 1..100, got 0");
    build_fails("{\"label\": \"x\", \"quality\": 101}",
                PATH ".quality: expected integer 1..100, got 101");
    build_fails("{\"label\": \"x\", \"quality\": 85.5}",
                PATH ".quality: expected integer 1..100, got 85.5");
    build_fails("{\"label\": \"x\", \"ratio\": 1.5}", PATH ".ratio: expected number 0..1, got 1.5");
    build_fails("{\"label\": \"x\", \"ratio\": \"half\"}",
                PATH ".ratio: expected number 0..1, got \"half\"");
    build_fails("{\"label\": \"x\", \"sharpen\": 1}",
                PATH ".sharpen: expected true or false, got 1");
    build_fails("{\"label\": \"x\", \"format\": \"gif\"}",
                PATH ".format: expected one of \"jpeg|webp|png\", got \"gif\"");
    build_fails("{\"label\": \"x\", \"format\": \"jpe\"}",
                PATH ".format: expected one of \"jpeg|webp|png\", got \"jpe\"");
    build_fails("{\"label\": 5}", PATH ".label: expected a string, got 5");
    build_fails("{}", PATH ".label: required");
    build_fails("{\"label\": \"x\", \"qualty\": 80}", PATH ".qualty: unknown parameter");
    build_fails("{\"label\": \"x\", \"sizes\": [128, 8]}",
                PATH ".sizes[1]: expected integer 16..4096, got 8");
    build_fails("{\"label\": \"x\", \"sizes\": [128, \"256\"]}",
                PATH ".sizes[1]: expected integer 16..4096, got \"256\"");
    build_fails("{\"label\": \"x\", \"sizes\": []}",
                PATH ".sizes: expected integer or array of integers 16..4096, got []");
    build_fails("{\"label\": \"x\", \"sizes\": 8}",
                PATH ".sizes: expected integer or array of integers 16..4096, got 8");
    build_fails("{\"label\": \"x\", \"sizes\": \"128,256\"}",
                PATH ".sizes: expected integer or array of integers 16..4096, got \"128,256\"");
    build_fails("{\"label\": \"x\", \"offset\": true}", PATH ".offset: expected integer, got true");
}

static void test_long_list(void **state)
{
    char text[1024] = "{\"label\": \"x\", \"sizes\": [";
    char expected[128];

    (void) state;
    for (int i = 0; i <= HOST_PARAM_LIST_MAX; i++)
        strcat(text, i ? ",100" : "100");
    strcat(text, "]}");
    snprintf(expected, sizeof(expected), PATH ".sizes: at most %d values, got %d",
             HOST_PARAM_LIST_MAX, HOST_PARAM_LIST_MAX + 1);
    build_fails(text, expected);
}

/* Params that are not an object; NULL means {}. */
static void test_not_object(void **state)
{
    static const prism_param_spec_t optional[] = { { "n", PRISM_PARAM_INT, "7", 0, 10, NULL, "" },
                                                   { NULL, 0, NULL, 0, 0, NULL, NULL } };
    char err[256] = "";
    json_t *arr = json_array();
    host_params_t *p;

    (void) state;
    assert_null(host_params_build(specs, arr, PATH, err, sizeof(err)));
    assert_string_equal(err, PATH ": expected an object, got []");
    json_decref(arr);
    p = host_params_build(optional, NULL, PATH, err, sizeof(err));
    assert_non_null(p);
    assert_int_equal(host_params_api(p)->get_int(host_params_api(p), "n"), 7);
    host_params_free(p);
    /* A plugin without params accepts only {}. */
    p = host_params_build(NULL, NULL, PATH, err, sizeof(err));
    assert_non_null(p);
    host_params_free(p);
    arr = json_pack("{s:i}", "x", 1);
    assert_null(host_params_build(NULL, arr, PATH, err, sizeof(err)));
    assert_string_equal(err, PATH ".x: unknown parameter");
    json_decref(arr);
}

/* Checks of the table itself (plugin bugs). */
static void test_check_specs(void **state)
{
    static const prism_param_spec_t dup[] = { { "a", PRISM_PARAM_INT, "1", 0, 0, NULL, "" },
                                              { "a", PRISM_PARAM_INT, "1", 0, 0, NULL, "" },
                                              { NULL, 0, NULL, 0, 0, NULL, NULL } };
    static const prism_param_spec_t bad_default[] = {
        { "q", PRISM_PARAM_INT, "high", 1, 100, NULL, "" }, { NULL, 0, NULL, 0, 0, NULL, NULL }
    };
    static const prism_param_spec_t out_of_range[] = {
        { "q", PRISM_PARAM_INT, "0", 1, 100, NULL, "" }, { NULL, 0, NULL, 0, 0, NULL, NULL }
    };
    static const prism_param_spec_t bad_choice[] = { { "f", PRISM_PARAM_STRING, "gif", 0, 0,
                                                       "jpeg|png", "" },
                                                     { NULL, 0, NULL, 0, 0, NULL, NULL } };
    static const prism_param_spec_t min_max[] = { { "n", PRISM_PARAM_INT, NULL, 10, 1, NULL, "" },
                                                  { NULL, 0, NULL, 0, 0, NULL, NULL } };
    static const prism_param_spec_t choices_on_int[] = {
        { "n", PRISM_PARAM_INT, NULL, 0, 0, "1|2", "" }, { NULL, 0, NULL, 0, 0, NULL, NULL }
    };
    static const prism_param_spec_t bad_name[] = {
        { "Quality.x", PRISM_PARAM_INT, NULL, 0, 0, NULL, "" }, { NULL, 0, NULL, 0, 0, NULL, NULL }
    };
    static const prism_param_spec_t bad_list[] = { { "sizes", PRISM_PARAM_INT_LIST, "128,,256", 0,
                                                     0, NULL, "" },
                                                   { NULL, 0, NULL, 0, 0, NULL, NULL } };
    char err[256];

    (void) state;
    assert_int_equal(host_params_check_specs(specs, err, sizeof(err)), 0);
    assert_int_equal(host_params_check_specs(NULL, err, sizeof(err)), 0);
    assert_int_equal(host_params_check_specs(dup, err, sizeof(err)), -1);
    assert_string_equal(err, "param \"a\": declared twice");
    assert_int_equal(host_params_check_specs(bad_default, err, sizeof(err)), -1);
    assert_string_equal(err, "param \"q\": the plugin's default \"high\" is not a valid value");
    assert_int_equal(host_params_check_specs(out_of_range, err, sizeof(err)), -1);
    assert_string_equal(err, "param \"q\": expected integer 1..100, got 0");
    assert_int_equal(host_params_check_specs(bad_choice, err, sizeof(err)), -1);
    assert_string_equal(err, "param \"f\": expected one of \"jpeg|png\", got \"gif\"");
    assert_int_equal(host_params_check_specs(min_max, err, sizeof(err)), -1);
    assert_string_equal(err, "param \"n\": min 10 is above max 1");
    assert_int_equal(host_params_check_specs(choices_on_int, err, sizeof(err)), -1);
    assert_string_equal(err, "param \"n\": choices are only allowed on string parameters");
    assert_int_equal(host_params_check_specs(bad_name, err, sizeof(err)), -1);
    assert_string_equal(err, "param \"Quality.x\": name must match [a-z0-9_]{1,64}");
    assert_int_equal(host_params_check_specs(bad_list, err, sizeof(err)), -1);
    assert_string_equal(err, "param \"sizes\": the plugin's default \"128,,256\" is not a valid "
                             "value");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_values),
        cmocka_unit_test(test_readers),
        cmocka_unit_test(test_undeclared_name),
        cmocka_unit_test(test_instance_refuses_misspelling),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_long_list),
        cmocka_unit_test(test_not_object),
        cmocka_unit_test(test_check_specs),
    };

    return cmocka_run_group_tests_name("host_params", tests, NULL, NULL);
}
