/*
 * host accepts: checking a plugin's declared input types, matching a
 * message's type against them, and the reason a refusal gives.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "accepts.h"

/* Asserts that the list is refused with a reason mentioning what. */
static void assert_refused(const char *const *accepts, const char *what)
{
    char why[256];

    assert_int_equal(host_accepts_check(accepts, why, sizeof(why)), -1);
    if (strstr(why, what) == NULL)
        fail_msg("reason \"%s\" does not mention \"%s\"", why, what);
}

/* What a plugin may declare, and what it may not. */
static void test_check(void **state)
{
    static const char *const good[] = { "image/jpeg", "image/x-portable-pixmap", "image/svg+xml",
                                        NULL };
    static const char *const empty[] = { NULL };
    static const char *const upper[] = { "image/JPEG", NULL };
    static const char *const bare[] = { "image", NULL };
    static const char *const param[] = { "image/png; q=1", NULL };
    static const char *const twice[] = { "image/png", "image/gif", "image/png", NULL };
    const char *many[40];
    char names[39][16], why[256];

    (void) state;
    assert_int_equal(host_accepts_check(good, why, sizeof(why)), 0);
    assert_refused(NULL, "no accepted types");
    assert_refused(empty, "no accepted types");
    assert_refused(upper, "accepted type 0 is not");
    assert_refused(bare, "type/subtype");
    assert_refused(param, "type/subtype");
    assert_refused(twice, "image/png is listed twice");
    for (size_t i = 0; i < 39; i++) {
        snprintf(names[i], sizeof(names[i]), "image/t%zu", i);
        many[i] = names[i];
    }
    many[39] = NULL;
    assert_refused(many, "more than 32");
}

/* Matching ignores case, blanks and parameters; the refusal names the
 * type, whether it was sniffed, the plugin and its list. */
static void test_match_and_refuse(void **state)
{
    static const char *const png_gif[] = { "image/png", "image/gif", NULL };
    char buf[256];

    (void) state;
    assert_true(host_accepts_has(png_gif, "image/png"));
    assert_true(host_accepts_has(png_gif, " Image/GIF ; charset=x"));
    assert_false(host_accepts_has(png_gif, "image/pn"));
    assert_false(host_accepts_has(png_gif, "image/pngx"));
    assert_false(host_accepts_has(png_gif, ""));
    assert_int_equal(host_accepts_refuse(png_gif, "p", "image/gif", 0, buf, sizeof(buf)), 0);
    assert_int_equal(host_accepts_refuse(png_gif, "p", "image/jpeg", 0, buf, sizeof(buf)), 1);
    assert_string_equal(buf, "image/jpeg is not a type plugin p accepts (image/png, image/gif)");
    assert_int_equal(host_accepts_refuse(png_gif, "p", "image/avif", 1, buf, sizeof(buf)), 1);
    assert_string_equal(buf, "image/avif (sniffed from the original) is not a type plugin p "
                             "accepts (image/png, image/gif)");
    assert_string_equal(host_accepts_format(png_gif, " ", buf, sizeof(buf)), "image/png image/gif");
    assert_string_equal(host_accepts_format(png_gif, " ", buf, 6), "image");
}

/* Runs every test; the exit status is the number that failed. */
int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_check),
        cmocka_unit_test(test_match_and_refuse),
    };
    return cmocka_run_group_tests_name("host accepts", tests, NULL, NULL);
}
