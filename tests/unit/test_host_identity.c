/*
 * test_host_identity — a message's imageId is recorded only when the
 * original confirms it (host/identity.c): by its prism-image-id metadata,
 * else by its key's last segment; a contradicted id is refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "identity.h"

#define A "0194bd2c-7e10-7c3a-9d2e-8f1a2b3c4d5e"
#define B "0194bd2c-7e10-7c3a-9d2e-00000000000b"

/* Checks and returns the verdict; why holds the reason. */
static host_id_verdict_t check(const char *claimed, const char *meta, const char *key, char *why,
                               size_t whylen)
{
    why[0] = '\0';
    return host_image_id_check(claimed, meta, key, why, whylen);
}

static void test_metadata_decides(void **state)
{
    char why[512];

    (void) state;
    assert_int_equal(check(A, A, "by-hash/abc.jpg", why, sizeof(why)), HOST_ID_CONFIRMED);
    assert_int_equal(check(A, B, "originals/2025/01/31/" A ".jpg", why, sizeof(why)),
                     HOST_ID_MISMATCH);
    assert_string_equal(why, "imageId \"" A "\" is not the original's "
                             "(x-amz-meta-prism-image-id \"" B "\")");
}

static void test_key_decides_without_metadata(void **state)
{
    char why[512];

    (void) state;
    assert_int_equal(check(A, NULL, "originals/2025/01/31/" A ".jpg", why, sizeof(why)),
                     HOST_ID_CONFIRMED);
    assert_int_equal(check(A, NULL, A, why, sizeof(why)), HOST_ID_CONFIRMED);
    assert_int_equal(check(A, NULL, "x/" A ".tar.gz", why, sizeof(why)), HOST_ID_MISMATCH);
    assert_int_equal(check(A, NULL, "originals/" B ".jpg", why, sizeof(why)), HOST_ID_MISMATCH);
    assert_string_equal(why, "imageId \"" A "\" is not the original's (no "
                             "x-amz-meta-prism-image-id, and its key \"originals/" B ".jpg\" does "
                             "not end in it)");
    /* a key naming the id as a folder, or as part of a name, does not count */
    assert_int_equal(check(A, NULL, A "/x.jpg", why, sizeof(why)), HOST_ID_MISMATCH);
    assert_int_equal(check(A, NULL, "pre" A ".jpg", why, sizeof(why)), HOST_ID_MISMATCH);
    assert_int_equal(check("x", NULL, "a/x", why, sizeof(why)), HOST_ID_CONFIRMED);
}

/* Without a claimed id nothing is recorded, whatever the object says. */
static void test_no_claim(void **state)
{
    char why[16];

    (void) state;
    assert_int_equal(check(NULL, A, A ".jpg", why, sizeof(why)), HOST_ID_NONE);
    assert_int_equal(check(NULL, NULL, "photos/cat.jpg", why, sizeof(why)), HOST_ID_NONE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_metadata_decides),
        cmocka_unit_test(test_key_decides_without_metadata),
        cmocka_unit_test(test_no_claim),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
