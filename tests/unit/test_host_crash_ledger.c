/*
 * test_host_crash_ledger — crash attribution (host/crash_ledger.c): the
 * marks a poller sets are seen by the master across fork, a message alone
 * in a plugin is the certain culprit, suspects of a crash with several
 * messages in plugins are condemned only after HOST_CRASH_UNCERTAIN_LIMIT
 * crashes (and meanwhile run alone in a plugin in their process), and the
 * ledger is a ring that forgets its oldest entry.
 */
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include "thread_wait.h"

#include "crash_ledger.h"

#define SLOTS 4

static int setup(void **state)
{
    char err[256];

    *state = host_crash_ledger_create(SLOTS, err, sizeof(err));
    return *state != NULL ? 0 : -1;
}

static int teardown(void **state)
{
    host_crash_ledger_destroy(*state);
    return 0;
}

/* Asserts L's verdict on ID: condemned or not, and when known the crash
 * count, signal and certainty it reports. */
static void expect_verdict(host_crash_ledger_t *l, const char *id, int condemned, int crashes,
                           int sig, int certain)
{
    int c = -1, s = -1, k = -1;

    assert_int_equal(host_crash_ledger_verdict(l, id, &c, &s, &k), condemned);
    if (crashes > 0) {
        assert_int_equal(c, crashes);
        assert_int_equal(s, sig);
        assert_int_equal(k, certain);
    }
}

static void test_record_and_lookup(void **state)
{
    host_crash_ledger_t *l = *state;

    expect_verdict(l, "never-seen", 0, 0, 0, 0);
    host_crash_ledger_record(l, "culprit", SIGSEGV, 1);
    expect_verdict(l, "culprit", 1, 1, SIGSEGV, 1);
    host_crash_ledger_record(l, "suspect", SIGBUS, 0);
    expect_verdict(l, "suspect", 0, 1, SIGBUS, 0);
    host_crash_ledger_record(l, "suspect", SIGSEGV, 0);
    expect_verdict(l, "suspect", HOST_CRASH_UNCERTAIN_LIMIT == 2, 2, SIGSEGV, 0);
    /* once certain, stays certain */
    host_crash_ledger_record(l, "culprit", SIGABRT, 0);
    expect_verdict(l, "culprit", 1, 2, SIGABRT, 1);
    expect_verdict(NULL, "culprit", 0, 0, 0, 0);
}

static void test_alone_in_plugin_is_certain(void **state)
{
    host_crash_ledger_t *l = *state;
    host_crash_suspect_t s[4];

    host_crash_ledger_enter(l, 2, 0, "done", "webp", 0);
    host_crash_ledger_leave(l, 2, 0);
    host_crash_ledger_enter(l, 2, 5, "m-alone", "thumbnail", 0);
    host_crash_ledger_enter(l, 1, 0, "other-worker", "thumbnail", 0);
    assert_int_equal(host_crash_ledger_attribute(l, 2, SIGSEGV, s, 4), 1);
    assert_string_equal(s[0].message_id, "m-alone");
    assert_string_equal(s[0].route, "thumbnail");
    expect_verdict(l, "m-alone", 1, 1, SIGSEGV, 1);
    expect_verdict(l, "done", 0, 0, 0, 0);
    expect_verdict(l, "other-worker", 0, 0, 0, 0);
    /* the slot's marks are cleared: a second look finds nothing */
    assert_int_equal(host_crash_ledger_attribute(l, 2, SIGSEGV, s, 4), 0);
    host_crash_ledger_leave(l, 2, 5);
    host_crash_ledger_leave(l, 1, 0);
}

static void test_several_in_plugin_are_uncertain(void **state)
{
    host_crash_ledger_t *l = *state;
    host_crash_suspect_t s[1];

    host_crash_ledger_enter(l, 0, 0, "a", "thumbnail", 0);
    host_crash_ledger_enter(l, 0, 1, "b", "webp", 0);
    assert_int_equal(host_crash_ledger_attribute(l, 0, SIGSEGV, s, 1), 2);
    host_crash_ledger_leave(l, 0, 0);
    host_crash_ledger_leave(l, 0, 1);
    expect_verdict(l, "a", 0, 1, SIGSEGV, 0);
    expect_verdict(l, "b", 0, 1, SIGSEGV, 0);
    /* a poller without its own mark makes a lone marked message uncertain */
    host_crash_ledger_enter(l, 0, 0, "a", "thumbnail", 0);
    host_crash_ledger_enter(l, 0, HOST_CRASH_THREADS, "untracked", "webp", 0);
    assert_int_equal(host_crash_ledger_attribute(l, 0, SIGFPE, s, 1), 2);
    host_crash_ledger_leave(l, 0, 0);
    host_crash_ledger_leave(l, 0, HOST_CRASH_THREADS);
    expect_verdict(l, "a", 1, 2, SIGFPE, 0);
    expect_verdict(l, "b", 0, 1, SIGSEGV, 0);
}

static void test_ring_forgets_the_oldest(void **state)
{
    host_crash_ledger_t *l = *state;
    char id[32];

    for (int i = 0; i <= HOST_CRASH_LEDGER_SIZE; i++) {
        snprintf(id, sizeof(id), "id-%d", i);
        host_crash_ledger_record(l, id, SIGSEGV, 1);
    }
    expect_verdict(l, "id-0", 0, 0, 0, 0);
    expect_verdict(l, "id-1", 1, 1, SIGSEGV, 1);
    snprintf(id, sizeof(id), "id-%d", HOST_CRASH_LEDGER_SIZE);
    expect_verdict(l, id, 1, 1, SIGSEGV, 1);
}

static void test_marks_cross_fork(void **state)
{
    host_crash_ledger_t *l = *state;
    host_crash_suspect_t s[1];
    int status;
    pid_t pid = fork();

    assert_true(pid >= 0);
    if (pid == 0) {
        host_crash_ledger_enter(l, 3, 0, "from-child", "watermark", 0);
        _exit(0);
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_int_equal(host_crash_ledger_attribute(l, 3, SIGSEGV, s, 1), 1);
    assert_string_equal(s[0].message_id, "from-child");
    /* out-of-range slots are ignored, never written */
    host_crash_ledger_enter(l, SLOTS, 0, "x", "y", 0);
    assert_int_equal(host_crash_ledger_attribute(l, SLOTS, SIGSEGV, s, 1), 0);
    host_crash_ledger_leave(l, SLOTS, 0);
}

typedef struct {
    host_crash_ledger_t *l;
    volatile int inside;
    volatile pid_t tid;
} other_poller_t;

/* A second poller of the same process: enters the plugin (not solo),
 * notes it got in, leaves. */
static void *other_poller(void *arg)
{
    other_poller_t *o = arg;

    __atomic_store_n(&o->tid, test_gettid(), __ATOMIC_RELEASE);
    host_crash_ledger_enter(o->l, 0, 1, "innocent", "webp", 0);
    __atomic_store_n(&o->inside, 1, __ATOMIC_RELEASE);
    host_crash_ledger_leave(o->l, 0, 1);
    return NULL;
}

static void test_suspect_runs_solo(void **state)
{
    host_crash_ledger_t *l = *state;
    host_crash_suspect_t s[2];
    other_poller_t o = { l, 0, 0 };
    pthread_t t;

    host_crash_ledger_enter(l, 0, 0, "suspect", "thumbnail", 1);
    assert_int_equal(pthread_create(&t, NULL, other_poller, &o), 0);
    /* the other poller got as far as the ledger and is held there */
    while (__atomic_load_n(&o.tid, __ATOMIC_ACQUIRE) == 0) {
        sched_yield();
    }
    assert_true(test_wait_thread_blocked(o.tid, 5000));
    assert_int_equal(__atomic_load_n(&o.inside, __ATOMIC_ACQUIRE), 0);
    /* a crash now has the suspect alone in a plugin: certain */
    assert_int_equal(host_crash_ledger_attribute(l, 0, SIGSEGV, s, 2), 1);
    expect_verdict(l, "suspect", 1, 1, SIGSEGV, 1);
    host_crash_ledger_leave(l, 0, 0);
    assert_int_equal(pthread_join(t, NULL), 0);
    assert_int_equal(o.inside, 1);
}

static void test_crash_signals(void **state)
{
    (void) state;
    assert_true(host_crash_signal(SIGSEGV));
    assert_true(host_crash_signal(SIGBUS));
    assert_true(host_crash_signal(SIGABRT));
    assert_false(host_crash_signal(SIGKILL));
    assert_false(host_crash_signal(SIGTERM));
    assert_false(host_crash_signal(0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_record_and_lookup, setup, teardown),
        cmocka_unit_test_setup_teardown(test_alone_in_plugin_is_certain, setup, teardown),
        cmocka_unit_test_setup_teardown(test_several_in_plugin_are_uncertain, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ring_forgets_the_oldest, setup, teardown),
        cmocka_unit_test_setup_teardown(test_marks_cross_fork, setup, teardown),
        cmocka_unit_test_setup_teardown(test_suspect_runs_solo, setup, teardown),
        cmocka_unit_test(test_crash_signals),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
