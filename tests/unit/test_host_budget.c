/*
 * test_host_budget — the decode cost estimated from an image's header and
 * the per-worker budget (host/budget.c): too large for the whole budget
 * is refused, too large beside the images in flight waits (bounded), and
 * the sum reserved never exceeds the budget.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include "thread_wait.h"

#include "budget.h"

#define FIXTURES "tests/data/images"

/* CRC-32 as PNG chunks use it. */
static uint32_t crc32_png(const unsigned char *p, size_t n)
{
    uint32_t c = 0xffffffffu;

    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1)));
    }
    return c ^ 0xffffffffu;
}

static void put_be32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char) (v >> 24);
    p[1] = (unsigned char) (v >> 16);
    p[2] = (unsigned char) (v >> 8);
    p[3] = (unsigned char) v;
}

/* Writes the 33-byte start of a PNG (signature, IHDR) of W x H, DEPTH
 * bits, colour type TYPE into out. */
static void png_header(unsigned char out[33], uint32_t w, uint32_t h, int depth, int type)
{
    static const unsigned char sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };

    memcpy(out, sig, 8);
    put_be32(out + 8, 13);
    memcpy(out + 12, "IHDR", 4);
    put_be32(out + 16, w);
    put_be32(out + 20, h);
    out[24] = (unsigned char) depth;
    out[25] = (unsigned char) type;
    out[26] = out[27] = out[28] = 0;
    put_be32(out + 29, crc32_png(out + 12, 17));
}

/* Reads a fixture into a malloc'd buffer. */
static unsigned char *fixture(const char *name, size_t *len)
{
    char path[256];
    FILE *f;
    unsigned char *buf = malloc(1 << 20);

    snprintf(path, sizeof(path), "%s/%s", FIXTURES, name);
    f = fopen(path, "rb");
    assert_non_null(f);
    assert_non_null(buf);
    *len = fread(buf, 1, 1 << 20, f);
    fclose(f);
    return buf;
}

static void test_cost_from_header(void **state)
{
    unsigned char png[33];
    unsigned char *jpeg;
    size_t len;
    unsigned w, h;

    (void) state;
    /* the 389 KB bomb: 9999 x 9999 RGBA, 8 bits: 400 MB decoded, twice that in all */
    png_header(png, 9999, 9999, 8, 6);
    assert_int_equal(host_decode_cost(png, sizeof(png), &w, &h), 9999ULL * 9999 * 4 * 2);
    assert_int_equal(w, 9999);
    assert_int_equal(h, 9999);
    /* every PNG counts 4 channels (palettes, tRNS and gray+alpha may become RGBA) */
    png_header(png, 100, 50, 8, 0);
    assert_int_equal(host_decode_cost(png, sizeof(png), &w, &h), 100ULL * 50 * 4 * 2);
    /* 16 bits per sample count twice */
    png_header(png, 100, 50, 16, 2);
    assert_int_equal(host_decode_cost(png, sizeof(png), &w, &h), 100ULL * 50 * 4 * 2 * 2);
    /* saturates instead of wrapping */
    png_header(png, 0x7fffffff, 0x7fffffff, 16, 6);
    assert_true(host_decode_cost(png, sizeof(png), &w, &h) == UINT64_MAX);
    /* JPEG: its components */
    jpeg = fixture("jpeg-baseline-420.jpg", &len);
    assert_int_equal(host_decode_cost(jpeg, len, &w, &h), 161ULL * 97 * 3 * 2);
    free(jpeg);
    jpeg = fixture("jpeg-gray.jpg", &len);
    assert_int_equal(host_decode_cost(jpeg, len, &w, &h), (uint64_t) w * h * 1 * 2);
    free(jpeg);
    /* not an image imageinfo reads: no cost here, the plugin refuses it */
    assert_int_equal(host_decode_cost("hello", 5, &w, &h), 0);
    assert_int_equal(w, 0);
}

static void test_reserve_never_exceeds(void **state)
{
    host_budget_t b;

    (void) state;
    assert_int_equal(host_budget_init(&b, 100, 0), 0);
    assert_int_equal(host_budget_reserve(&b, 101, 0), HOST_BUDGET_TOO_LARGE);
    assert_int_equal(host_budget_reserve(&b, 60, 0), HOST_BUDGET_OK);
    assert_int_equal(host_budget_reserve(&b, 50, 0.05), HOST_BUDGET_BUSY);
    assert_int_equal(b.used, 60);
    assert_int_equal(host_budget_reserve(&b, 40, 0), HOST_BUDGET_OK);
    assert_int_equal(b.used, 100);
    assert_int_equal(host_budget_reserve(&b, 0, 0), HOST_BUDGET_OK);
    host_budget_release(&b, 60);
    host_budget_release(&b, 40);
    assert_int_equal(b.used, 0);
    assert_int_equal(host_budget_reserve(&b, 100, 0), HOST_BUDGET_OK);
    host_budget_release(&b, 100);
    host_budget_destroy(&b);
}

typedef struct {
    host_budget_t *b;
    pid_t waiter; /* the thread whose reservation must wait */
    int saw_wait;
} release_later_t;

/* Releases 70 bytes of the budget once the waiter is blocked in its
 * reservation (not after a fixed delay), and notes that it was. */
static void *release_later(void *arg)
{
    release_later_t *r = arg;

    r->saw_wait = test_wait_thread_blocked(r->waiter, 5000);
    host_budget_release(r->b, 70);
    return NULL;
}

/* A reservation that does not fit waits for another to be released. */
static void test_reserve_waits_for_room(void **state)
{
    host_budget_t b;
    pthread_t t;
    release_later_t r = { &b, test_gettid(), 0 };

    (void) state;
    assert_int_equal(host_budget_init(&b, 100, 0), 0);
    assert_int_equal(host_budget_reserve(&b, 70, 0), HOST_BUDGET_OK);
    assert_int_equal(pthread_create(&t, NULL, release_later, &r), 0);
    assert_int_equal(host_budget_reserve(&b, 80, 5), HOST_BUDGET_OK);
    pthread_join(t, NULL);
    assert_true(r.saw_wait); /* the reservation did wait for the release */
    assert_int_equal(b.used, 80);
    host_budget_release(&b, 80);
    host_budget_destroy(&b);
}

static void test_admit_reasons(void **state)
{
    host_budget_t b;
    unsigned char png[33];
    uint64_t cost;
    char why[256];

    (void) state;
    assert_int_equal(host_budget_init(&b, 256ULL << 20, 0), 0);
    png_header(png, 9999, 9999, 8, 6);
    assert_int_equal(host_budget_admit(&b, png, sizeof(png), &cost, why, sizeof(why)),
                     HOST_BUDGET_TOO_LARGE);
    assert_string_equal(why, "image of 9999x9999 needs ~763 MiB to decode, over the worker's "
                             "decode budget of 256 MiB");
    png_header(png, 6000, 4000, 8, 6); /* 183 MiB */
    assert_int_equal(host_budget_admit(&b, png, sizeof(png), &cost, why, sizeof(why)),
                     HOST_BUDGET_OK);
    assert_int_equal(cost, 6000ULL * 4000 * 4 * 2);
    assert_int_equal(host_budget_admit(&b, png, sizeof(png), &cost, why, sizeof(why)),
                     HOST_BUDGET_BUSY);
    assert_string_equal(why, "image of 6000x4000 needs ~183 MiB to decode: the worker's decode "
                             "budget of 256 MiB stayed in use by other images for 0 s");
    host_budget_release(&b, 6000ULL * 4000 * 4 * 2);
    host_budget_destroy(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cost_from_header),
        cmocka_unit_test(test_reserve_never_exceeds),
        cmocka_unit_test(test_reserve_waits_for_room),
        cmocka_unit_test(test_admit_reasons),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
