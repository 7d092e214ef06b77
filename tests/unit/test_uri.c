/*
 * test_uri — AWS URI encoding, decoding, query canonicalisation and path
 * normalisation (aws/uri.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "uri.h"

/* Runs FN(out, arg) into a fresh buffer and checks it yields WANT. */
#define CHECK_OUT(call, want)                                                                      \
    do {                                                                                           \
        aws_buf_t out_ = AWS_BUF_INIT;                                                             \
        aws_buf_t *out = &out_;                                                                    \
        assert_int_equal((call), 0);                                                               \
        assert_non_null(out_.data);                                                                \
        assert_string_equal(out_.data, (want));                                                    \
        aws_buf_free(&out_);                                                                       \
    } while (0)

static void test_encode_param(void **state)
{
    (void) state;
    CHECK_OUT(aws_uri_encode_param(out, "a b"), "a%20b");
    CHECK_OUT(aws_uri_encode_param(out, "a+b"), "a%2Bb");
    CHECK_OUT(aws_uri_encode_param(out, "~-._"), "~-._");
    CHECK_OUT(aws_uri_encode_param(out, "a/b"), "a%2Fb");
    CHECK_OUT(aws_uri_encode_param(out, "100%"), "100%25");
    CHECK_OUT(aws_uri_encode_param(out, "%2F"), "%252F");
    CHECK_OUT(aws_uri_encode_param(out, "\xe1\x88\xb4"), "%E1%88%B4"); /* U+1234 */
    CHECK_OUT(aws_uri_encode_param(out, "caf\xc3\xa9"), "caf%C3%A9");
    CHECK_OUT(aws_uri_encode_param(out, "=&?#:@"), "%3D%26%3F%23%3A%40");
    CHECK_OUT(aws_uri_encode_param(out, ""), "");
    CHECK_OUT(
        aws_uri_encode_param(out, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"),
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789");
}

static void test_encode_binary(void **state)
{
    static const char bytes[] = { 'a', '\0', '\n', (char) 0xff };

    (void) state;
    CHECK_OUT(aws_uri_encode(out, bytes, sizeof(bytes), 0), "a%00%0A%FF");
}

static void test_encode_path(void **state)
{
    (void) state;
    CHECK_OUT(aws_uri_encode_path(out, "photos/2024/a b.jpg"), "photos/2024/a%20b.jpg");
    CHECK_OUT(aws_uri_encode_path(out, "/a+b/~x/"), "/a%2Bb/~x/");
    CHECK_OUT(aws_uri_encode_path(out, "k%y"), "k%25y");
    CHECK_OUT(aws_uri_encode_path(out, "\xe1\x88\xb4/x"), "%E1%88%B4/x");
}

static void test_form_add(void **state)
{
    aws_buf_t b = AWS_BUF_INIT;

    (void) state;
    assert_int_equal(aws_uri_form_add(&b, "Action", "Publish"), 0);
    assert_int_equal(aws_uri_form_add(&b, "Message", "hello world+1/2~"), 0);
    assert_int_equal(aws_uri_form_add(&b, "MessageAttributes.entry.1.Name", "w"), 0);
    assert_string_equal(b.data, "Action=Publish&Message=hello%20world%2B1%2F2~"
                                "&MessageAttributes.entry.1.Name=w");
    aws_buf_free(&b);
}

static void test_decode(void **state)
{
    (void) state;
    CHECK_OUT(aws_uri_decode(out, "a%20b", 5), "a b");
    CHECK_OUT(aws_uri_decode(out, "%e1%88%B4", 9), "\xe1\x88\xb4");
    CHECK_OUT(aws_uri_decode(out, "a+b", 3), "a+b");
    CHECK_OUT(aws_uri_decode(out, "%zz%4", 5), "%zz%4");
    CHECK_OUT(aws_uri_decode(out, "%41%", 4), "A%");
    CHECK_OUT(aws_uri_decode(out, "%2541", 5), "%41");
    /* length-bounded: the escape cut by len is not decoded */
    CHECK_OUT(aws_uri_decode(out, "x%41", 3), "x%4");
}

static void test_canonical_query(void **state)
{
    (void) state;
    CHECK_OUT(aws_uri_canonical_query(out, NULL), "");
    CHECK_OUT(aws_uri_canonical_query(out, ""), "");
    CHECK_OUT(aws_uri_canonical_query(out, "b=2&a=1&a=0"), "a=0&a=1&b=2");
    CHECK_OUT(aws_uri_canonical_query(out, "Param2=v&Param1=v"), "Param1=v&Param2=v");
    CHECK_OUT(aws_uri_canonical_query(out, "b=1&B=1&a=1"), "B=1&a=1&b=1");
    CHECK_OUT(aws_uri_canonical_query(out, "acl"), "acl=");
    CHECK_OUT(aws_uri_canonical_query(out, "&&x=1&"), "x=1");
    CHECK_OUT(aws_uri_canonical_query(out, "k=a=b"), "k=a%3Db");
    /* raw and already-encoded forms canonicalise alike, never twice */
    CHECK_OUT(aws_uri_canonical_query(out, "\xe1\x88\xb4=bar"), "%E1%88%B4=bar");
    CHECK_OUT(aws_uri_canonical_query(out, "%E1%88%B4=bar"), "%E1%88%B4=bar");
    CHECK_OUT(aws_uri_canonical_query(out, "prefix=a%2Fb"), "prefix=a%2Fb");
    CHECK_OUT(aws_uri_canonical_query(out, "prefix=a/b"), "prefix=a%2Fb");
    CHECK_OUT(aws_uri_canonical_query(out, "q=a b"), "q=a%20b");
    CHECK_OUT(aws_uri_canonical_query(out, "q=a%20b"), "q=a%20b");
    CHECK_OUT(aws_uri_canonical_query(out, "a+b=c+d"), "a%2Bb=c%2Bd");
    CHECK_OUT(aws_uri_canonical_query(out, "t=%7e"), "t=~");
}

static void test_normalize_path(void **state)
{
    static const char *cases[][2] = {
        { "/", "/" },
        { "", "/" },
        { "//", "/" },
        { "/./", "/" },
        { "/example/..", "/" },
        { "/example1/example2/../..", "/" },
        { "/./example", "/example" },
        { "//example//", "/example/" },
        { "/a/./b/../c", "/a/c" },
        { "/a/b/../../../c", "/c" },
        { "/a%20b/", "/a%20b/" },
        { "/a/.../b", "/a/.../b" },
        { "/a/..b/", "/a/..b/" },
        { "/123456789012/prism-thumbnail", "/123456789012/prism-thumbnail" },
    };
    size_t i;

    (void) state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        CHECK_OUT(aws_uri_normalize_path(out, cases[i][0]), cases[i][1]);
    }
}

static void test_normalize_appends(void **state)
{
    aws_buf_t b = AWS_BUF_INIT;

    (void) state;
    assert_int_equal(aws_buf_puts(&b, "X"), 0);
    assert_int_equal(aws_uri_normalize_path(&b, "/a/b/.."), 0);
    assert_string_equal(b.data, "X/a");
    aws_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_encode_param),   cmocka_unit_test(test_encode_binary),
        cmocka_unit_test(test_encode_path),    cmocka_unit_test(test_form_add),
        cmocka_unit_test(test_decode),         cmocka_unit_test(test_canonical_query),
        cmocka_unit_test(test_normalize_path), cmocka_unit_test(test_normalize_appends),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
