/*
 * test_host_memo — the stored-outputs memo (host/memo.c): what is put is
 * taken back once, a second put of the same message replaces the first,
 * and a full memo forgets its oldest entry.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "memo.h"

static void test_put_take(void **state)
{
    host_memo_t m;
    host_output_ref_t refs[2], got[4];
    char reason[64];
    size_t n;
    unsigned ok;

    (void) state;
    memset(refs, 0, sizeof(refs));
    snprintf(refs[0].key, sizeof(refs[0].key), "a/thumb/64.jpg");
    refs[0].size = 123;
    snprintf(refs[1].key, sizeof(refs[1].key), "a/thumb/128.jpg");
    assert_int_equal(host_memo_init(&m), 0);
    assert_int_equal(host_memo_put(&m, "id-1", HOST_MEMO_OK | HOST_MEMO_ID_CONFIRMED,
                                   "2 output(s) stored", refs, 2),
                     0);
    assert_false(host_memo_take(&m, "id-2", &ok, reason, sizeof(reason), got, 4, &n));
    assert_true(host_memo_take(&m, "id-1", &ok, reason, sizeof(reason), got, 4, &n));
    assert_int_equal(ok, HOST_MEMO_OK | HOST_MEMO_ID_CONFIRMED);
    assert_string_equal(reason, "2 output(s) stored");
    assert_int_equal(n, 2);
    assert_string_equal(got[1].key, "a/thumb/128.jpg");
    assert_int_equal(got[0].size, 123);
    /* taken: forgotten */
    assert_false(host_memo_take(&m, "id-1", &ok, reason, sizeof(reason), got, 4, &n));
    /* a second put replaces the first */
    assert_int_equal(host_memo_put(&m, "id-1", HOST_MEMO_OK, "first", refs, 2), 0);
    assert_int_equal(host_memo_put(&m, "id-1", 0, "rejected", NULL, 0), 0);
    assert_true(host_memo_take(&m, "id-1", &ok, reason, sizeof(reason), got, 4, &n));
    assert_int_equal(ok, 0);
    assert_int_equal(n, 0);
    assert_false(host_memo_take(&m, "id-1", &ok, reason, sizeof(reason), got, 4, &n));
    host_memo_destroy(&m);
}

static void test_full_forgets_oldest(void **state)
{
    host_memo_t m;
    host_output_ref_t got[1];
    char id[32], reason[16];
    size_t n;
    unsigned ok;

    (void) state;
    assert_int_equal(host_memo_init(&m), 0);
    for (int i = 0; i <= HOST_MEMO_MAX; i++) {
        snprintf(id, sizeof(id), "id-%d", i);
        assert_int_equal(host_memo_put(&m, id, HOST_MEMO_OK, "r", NULL, 0), 0);
    }
    assert_false(host_memo_take(&m, "id-0", &ok, reason, sizeof(reason), got, 1, &n));
    assert_true(host_memo_take(&m, "id-1", &ok, reason, sizeof(reason), got, 1, &n));
    snprintf(id, sizeof(id), "id-%d", HOST_MEMO_MAX);
    assert_true(host_memo_take(&m, id, &ok, reason, sizeof(reason), got, 1, &n));
    host_memo_destroy(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_put_take),
        cmocka_unit_test(test_full_forgets_oldest),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
