/*
 * test_host_keys — derivative keys (host/keys.c) are deterministic and
 * documented; keys that could escape a local output directory are
 * refused, and the local store (host/store.c) and local originals
 * (host/original.c) never touch a path outside their directory.
 */
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

#include "input.h"
#include "keys.h"
#include "message.h"
#include "original.h"
#include "store.h"

static char tmpdir[64];

static int setup(void **state)
{
    (void) state;
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_host_keys.XXXXXX");
    return mkdtemp(tmpdir) != NULL ? 0 : -1;
}

static int teardown(void **state)
{
    char cmd[128];

    (void) state;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

/* Derives and compares with EXPECTED. */
static void expect_key(const char *prefix, const char *key, const char *route, const char *suffix,
                       const char *expected)
{
    char out[1200];
    long n = host_key_derive(prefix, key, route, suffix, out, sizeof(out));

    if (n < 0)
        fail_msg("refused %s", key);
    assert_string_equal(out, expected);
    assert_int_equal(n, (long) strlen(expected));
}

static void test_derive(void **state)
{
    (void) state;
    expect_key("derived/", "2025/01/abc.jpg", "thumbnail", "256.jpg",
               "derived/2025/01/abc/thumbnail/256.jpg");
    expect_key("", "abc.jpg", "webp", "w.webp", "abc/webp/w.webp");
    expect_key("", "noext", "r", "s", "noext/r/s");
    expect_key("", "a.b/c", "r", "s", "a.b/c/r/s");             /* dot in a folder only */
    expect_key("", "x.tar.gz", "r", "s", "x.tar/r/s");          /* last extension only */
    expect_key("", "dir/.hidden", "r", "s", "dir/.hidden/r/s"); /* leading dot kept */
    expect_key("p-", "a b/ü.png", "r", "s", "p-a b/ü/r/s");
}

/* The same inputs always give the same key; different routes differ. */
static void test_deterministic(void **state)
{
    char a[256], b[256], c[256];

    (void) state;
    assert_true(host_key_derive("d/", "k/x.jpg", "thumb", "1.jpg", a, sizeof(a)) > 0);
    assert_true(host_key_derive("d/", "k/x.jpg", "thumb", "1.jpg", b, sizeof(b)) > 0);
    assert_true(host_key_derive("d/", "k/x.jpg", "thumb-big", "1.jpg", c, sizeof(c)) > 0);
    assert_string_equal(a, b);
    assert_string_not_equal(a, c);
}

/* Over S3's 1024 bytes, or over the buffer: refused. */
static void test_derive_limits(void **state)
{
    char key[1100], out[1200], small[5];

    (void) state;
    memset(key, 'k', 1016);
    key[1016] = '\0';
    /* 1016 + "/r/" + "ab" = 1021 */
    assert_int_equal(host_key_derive("", key, "r", "ab", out, sizeof(out)), 1021);
    assert_int_equal(host_key_derive("", key, "r", "abcd", out, sizeof(out)), 1023);
    assert_int_equal(host_key_derive("", key, "r", "abcde", out, sizeof(out)), 1024);
    assert_int_equal(host_key_derive("", key, "r", "abcdef", out, sizeof(out)), -1);
    assert_int_equal(host_key_derive("", "a.jpg", "r", "s", small, sizeof(small)), -1);
}

static void test_suffix(void **state)
{
    char long_ok[HOST_SUFFIX_MAX + 1], too_long[HOST_SUFFIX_MAX + 2];

    (void) state;
    memset(long_ok, 'a', HOST_SUFFIX_MAX);
    long_ok[HOST_SUFFIX_MAX] = '\0';
    memset(too_long, 'a', HOST_SUFFIX_MAX + 1);
    too_long[HOST_SUFFIX_MAX + 1] = '\0';
    assert_true(host_suffix_valid("256.jpg"));
    assert_true(host_suffix_valid("A_b-C.9"));
    assert_true(host_suffix_valid("..."));
    assert_true(host_suffix_valid(long_ok));
    assert_false(host_suffix_valid(too_long));
    assert_false(host_suffix_valid(""));
    assert_false(host_suffix_valid("."));
    assert_false(host_suffix_valid(".."));
    assert_false(host_suffix_valid("a/b"));
    assert_false(host_suffix_valid("a b"));
    assert_false(host_suffix_valid("a\\b"));
    assert_false(host_suffix_valid("\xc3\xbc"));
}

/* Expects KEY to be refused as a local path. */
static void expect_unsafe(const char *key)
{
    char out[512], err[128] = "";

    if (host_key_local_path("/srv/out", key, out, sizeof(out), err, sizeof(err)) == 0)
        fail_msg("accepted \"%s\" as %s", key, out);
    assert_true(err[0] != '\0');
}

static void test_local_path(void **state)
{
    char out[512], err[128], seg[300];

    (void) state;
    assert_int_equal(
        host_key_local_path("/srv/out", "a/b/c.jpg", out, sizeof(out), err, sizeof(err)), 0);
    assert_string_equal(out, "/srv/out/a/b/c.jpg");
    assert_int_equal(
        host_key_local_path("/srv/out", ".hidden/.../x", out, sizeof(out), err, sizeof(err)), 0);
    assert_string_equal(out, "/srv/out/.hidden/.../x");
    expect_unsafe("../etc/passwd");
    expect_unsafe("a/../../x");
    expect_unsafe("a/..");
    expect_unsafe("..");
    expect_unsafe("./a");
    expect_unsafe("/abs/path");
    expect_unsafe("a//b");
    expect_unsafe("a/");
    expect_unsafe("");
    expect_unsafe("a/b\nc");
    expect_unsafe("a\x7f");
    memset(seg, 's', 256);
    seg[256] = '\0';
    expect_unsafe(seg);
    seg[255] = '\0';
    assert_int_equal(host_key_local_path("/d", seg, out, sizeof(out), err, sizeof(err)), 0);
    assert_int_equal(host_key_local_path("/d", seg, out, 100, err, sizeof(err)), -1);
}

/* An original key an S3 request could resolve elsewhere ("..", ".", ""
 * segments) or that holds a control character is refused; long segments
 * are fine in S3. */
static void test_key_segments(void **state)
{
    char err[128], seg[300];

    (void) state;
    assert_int_equal(host_key_check_segments("originals/2025/01/a b.jpg", 0, err, sizeof(err)), 0);
    assert_int_equal(host_key_check_segments(".hidden/...x", 0, err, sizeof(err)), 0);
    memset(seg, 's', 299);
    seg[299] = '\0';
    assert_int_equal(host_key_check_segments(seg, 0, err, sizeof(err)), 0);
    assert_int_equal(host_key_check_segments(seg, 255, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "over 255 bytes"));
    assert_int_equal(host_key_check_segments("../prism-derived/x.jpg", 0, err, sizeof(err)), -1);
    assert_string_equal(err, "key has an empty, \".\" or \"..\" path segment");
    assert_int_equal(host_key_check_segments("a/../../b", 0, err, sizeof(err)), -1);
    assert_int_equal(host_key_check_segments("a/./b", 0, err, sizeof(err)), -1);
    assert_int_equal(host_key_check_segments("a//b", 0, err, sizeof(err)), -1);
    assert_int_equal(host_key_check_segments("a/b/", 0, err, sizeof(err)), -1);
    assert_int_equal(host_key_check_segments("/a", 0, err, sizeof(err)), -1);
    assert_string_equal(err, "key starts with '/'");
    assert_int_equal(host_key_check_segments("a/b\tc", 0, err, sizeof(err)), -1);
    assert_string_equal(err, "key has a control character");
    assert_int_equal(host_key_check_segments("a\x7f", 0, err, sizeof(err)), -1);
}

/* Admits EV's original to route R, or not: returns host_input_admit's
 * result with the reason in why. */
static int admit(const host_route_conf_t *r, const char *bucket, const char *key, int local,
                 char *why, size_t whylen)
{
    host_event_t ev;

    memset(&ev, 0, sizeof(ev));
    ev.bucket = (char *) bucket;
    ev.key = (char *) key;
    ev.storage_local = local;
    why[0] = '\0';
    return host_input_admit(r, &ev, why, whylen);
}

/* A route reads only from its input.buckets, under its input.prefix,
 * keys without dot segments; local originals are not checked against
 * the bucket list (their file lives in input_directory). */
static void test_input_admit(void **state)
{
    char *buckets[] = { (char *) "prism-ingest", (char *) "uploads-eu" };
    host_route_conf_t r;
    char why[256];

    (void) state;
    memset(&r, 0, sizeof(r));
    r.name = (char *) "thumbnail";
    r.input_buckets = buckets;
    r.ninput_buckets = 2;
    r.input_prefix = (char *) "";
    assert_int_equal(admit(&r, "prism-ingest", "originals/a.jpg", 0, why, sizeof(why)), 0);
    assert_int_equal(admit(&r, "uploads-eu", "x.jpg", 0, why, sizeof(why)), 0);
    assert_int_equal(admit(&r, "prism-derived", "x.jpg", 0, why, sizeof(why)), -1);
    assert_string_equal(why, "bucket \"prism-derived\" is not an input of route thumbnail "
                             "(input.buckets)");
    assert_int_equal(admit(&r, "prism-ingest2", "x.jpg", 0, why, sizeof(why)), -1);
    assert_int_equal(admit(&r, "prism-ingest", "../prism-derived/x.jpg", 0, why, sizeof(why)), -1);
    assert_non_null(strstr(why, "path segment"));
    assert_int_equal(admit(&r, "anything", "originals/a.jpg", 1, why, sizeof(why)), 0);
    assert_int_equal(admit(&r, "anything", "a/../b.jpg", 1, why, sizeof(why)), -1);

    r.input_prefix = (char *) "originals/";
    assert_int_equal(admit(&r, "prism-ingest", "originals/2025/a.jpg", 0, why, sizeof(why)), 0);
    assert_int_equal(admit(&r, "prism-ingest", "other/a.jpg", 0, why, sizeof(why)), -1);
    assert_string_equal(why, "key \"other/a.jpg\" is outside the route's input.prefix "
                             "\"originals/\"");
    assert_int_equal(admit(&r, "prism-ingest", "originals", 0, why, sizeof(why)), -1);

    r.ninput_buckets = 0; /* a route for local originals only */
    assert_int_equal(admit(&r, "prism-ingest", "originals/a.jpg", 0, why, sizeof(why)), -1);
    assert_int_equal(admit(&r, "prism-ingest", "originals/a.jpg", 1, why, sizeof(why)), 0);
}

/* A hostile original key yields a derived key the local store refuses,
 * and nothing is written anywhere. */
static void test_store_traversal(void **state)
{
    host_route_conf_t r;
    char key[256], err[256], outdir[128], escaped[160];
    struct stat st;

    (void) state;
    snprintf(outdir, sizeof(outdir), "%s/out", tmpdir);
    assert_int_equal(mkdir(outdir, 0755), 0);
    memset(&r, 0, sizeof(r));
    r.name = (char *) "r";
    r.prefix = (char *) "";
    r.directory = outdir;
    assert_true(host_key_derive("", "../escaped.jpg", "r", "s", key, sizeof(key)) > 0);
    assert_string_equal(key, "../escaped/r/s");
    assert_int_equal(host_store_put(&r, NULL, key, "image/jpeg", "x", 1, NULL, err, sizeof(err)),
                     -2);
    assert_non_null(strstr(err, "unsafe key"));
    snprintf(escaped, sizeof(escaped), "%s/escaped", tmpdir);
    assert_int_equal(stat(escaped, &st), -1);
}

/* A safe key is written under the directory, parents created, no
 * temporary file left; writing again replaces it. */
static void test_store_local(void **state)
{
    host_route_conf_t r;
    char outdir[128], path[256], err[256], buf[16];
    FILE *f;
    size_t n;

    (void) state;
    snprintf(outdir, sizeof(outdir), "%s/store", tmpdir);
    assert_int_equal(mkdir(outdir, 0755), 0);
    memset(&r, 0, sizeof(r));
    r.name = (char *) "thumb";
    r.prefix = (char *) "";
    r.directory = outdir;
    assert_int_equal(host_store_put(&r, NULL, "a/b/thumb/1.jpg", "image/jpeg", "hello", 5, NULL,
                                    err, sizeof(err)),
                     0);
    assert_int_equal(
        host_store_put(&r, NULL, "a/b/thumb/1.jpg", "image/jpeg", "bye", 3, NULL, err, sizeof(err)),
        0);
    snprintf(path, sizeof(path), "%s/a/b/thumb/1.jpg", outdir);
    f = fopen(path, "rb");
    assert_non_null(f);
    n = fread(buf, 1, sizeof(buf), f);
    fclose(f);
    assert_int_equal(n, 3);
    assert_memory_equal(buf, "bye", 3);
    snprintf(path, sizeof(path), "ls -A '%s/a/b/thumb' | grep -c . | grep -qx 1", outdir);
    assert_int_equal(system(path), 0);
}

/* Locally stored originals: read under the directory, refused outside. */
static void test_original_local(void **state)
{
    aws_buf_t buf = AWS_BUF_INIT;
    char dir[128], path[256], err[256];
    FILE *f;

    (void) state;
    snprintf(dir, sizeof(dir), "%s/in", tmpdir);
    assert_int_equal(mkdir(dir, 0755), 0);
    snprintf(path, sizeof(path), "%s/k.jpg", dir);
    f = fopen(path, "wb");
    assert_non_null(f);
    fputs("0123456789", f);
    fclose(f);
    assert_int_equal(host_original_read_local(dir, "k.jpg", 100, &buf, err, sizeof(err)),
                     HOST_ORIG_OK);
    assert_int_equal(buf.len, 10);
    assert_memory_equal(buf.data, "0123456789", 10);
    assert_int_equal(host_original_read_local(dir, "k.jpg", 9, &buf, err, sizeof(err)),
                     HOST_ORIG_TOO_LARGE);
    assert_int_equal(host_original_read_local(dir, "nope.jpg", 100, &buf, err, sizeof(err)),
                     HOST_ORIG_MISSING);
    assert_int_equal(host_original_read_local(dir, "../in/k.jpg", 100, &buf, err, sizeof(err)),
                     HOST_ORIG_UNSAFE);
    assert_int_equal(host_original_read_local(dir, "/etc/passwd", 100, &buf, err, sizeof(err)),
                     HOST_ORIG_UNSAFE);
    aws_buf_free(&buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_derive),        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_derive_limits), cmocka_unit_test(test_suffix),
        cmocka_unit_test(test_local_path),    cmocka_unit_test(test_key_segments),
        cmocka_unit_test(test_input_admit),   cmocka_unit_test(test_store_traversal),
        cmocka_unit_test(test_store_local),   cmocka_unit_test(test_original_local),
    };

    return cmocka_run_group_tests_name("host_keys", tests, setup, teardown);
}
