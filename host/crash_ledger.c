/*
 * crash_ledger — crash attribution shared by the master and its workers.
 * See crash_ledger.h.
 */
#define _GNU_SOURCE /* PTHREAD_RWLOCK_WRITER_NONRECURSIVE_INITIALIZER_NP */
#include "crash_ledger.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

typedef struct {
    volatile int in_plugin;
    char message_id[HOST_CRASH_ID_MAX];
    char route[HOST_CRASH_ROUTE_MAX];
} mark_t;

typedef struct {
    volatile int untracked; /* pollers past HOST_CRASH_THREADS in a plugin */
    mark_t marks[HOST_CRASH_THREADS];
} slot_marks_t;

typedef struct {
    char message_id[HOST_CRASH_ID_MAX]; /* "": free */
    int crashes;
    int signal;
    int certain;
} entry_t;

/* Solo exclusion between the pollers of one process (a worker): plugin
 * runs hold it shared, a suspect's run exclusively.  Process-local on
 * purpose: a crash ends the process and the lock with it.  Writers are
 * preferred so that a suspect is not starved by the other pollers. */
static pthread_rwlock_t solo_lock = PTHREAD_RWLOCK_WRITER_NONRECURSIVE_INITIALIZER_NP;

struct host_crash_ledger_s {
    size_t size; /* of the whole mapping */
    int nslots;
    pthread_mutex_t lock;
    unsigned next; /* ring position of the next new entry */
    entry_t entries[HOST_CRASH_LEDGER_SIZE];
    slot_marks_t slots[];
};

host_crash_ledger_t *host_crash_ledger_create(int slots, char *err, size_t errlen)
{
    size_t size = sizeof(host_crash_ledger_t) + (size_t) slots * sizeof(slot_marks_t);
    host_crash_ledger_t *l;
    pthread_mutexattr_t at;
    int rc;

    l = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (l == MAP_FAILED) {
        snprintf(err, errlen, "mmap of %zu bytes for the crash ledger failed: %s", size,
                 strerror(errno));
        return NULL;
    }
    l->size = size;
    l->nslots = slots;
    pthread_mutexattr_init(&at);
    pthread_mutexattr_setpshared(&at, PTHREAD_PROCESS_SHARED);
    pthread_mutexattr_setrobust(&at, PTHREAD_MUTEX_ROBUST);
    rc = pthread_mutex_init(&l->lock, &at);
    pthread_mutexattr_destroy(&at);
    if (rc != 0) {
        snprintf(err, errlen, "crash ledger mutex: %s", strerror(rc));
        munmap(l, size);
        return NULL;
    }
    return l;
}

void host_crash_ledger_destroy(host_crash_ledger_t *l)
{
    if (l == NULL)
        return;
    pthread_mutex_destroy(&l->lock);
    munmap(l, l->size);
}

/* Locks L, recovering the mutex when its holder died (the entries are
 * plain values, consistent enough to go on with). */
static void lock(host_crash_ledger_t *l)
{
    if (pthread_mutex_lock(&l->lock) == EOWNERDEAD)
        pthread_mutex_consistent(&l->lock);
}

void host_crash_ledger_enter(host_crash_ledger_t *l, int slot, int thread, const char *message_id,
                             const char *route, int solo)
{
    mark_t *k;

    if (l == NULL)
        return;
    if (solo)
        pthread_rwlock_wrlock(&solo_lock);
    else
        pthread_rwlock_rdlock(&solo_lock);
    if (slot < 0 || slot >= l->nslots)
        return;
    if (thread < 0 || thread >= HOST_CRASH_THREADS) {
        __atomic_add_fetch(&l->slots[slot].untracked, 1, __ATOMIC_RELEASE);
        return;
    }
    k = &l->slots[slot].marks[thread];
    snprintf(k->message_id, sizeof(k->message_id), "%s", message_id);
    snprintf(k->route, sizeof(k->route), "%s", route);
    __atomic_store_n(&k->in_plugin, 1, __ATOMIC_RELEASE);
}

void host_crash_ledger_leave(host_crash_ledger_t *l, int slot, int thread)
{
    if (l == NULL)
        return;
    if (slot >= 0 && slot < l->nslots) {
        if (thread < 0 || thread >= HOST_CRASH_THREADS)
            __atomic_sub_fetch(&l->slots[slot].untracked, 1, __ATOMIC_RELEASE);
        else
            __atomic_store_n(&l->slots[slot].marks[thread].in_plugin, 0, __ATOMIC_RELEASE);
    }
    pthread_rwlock_unlock(&solo_lock);
}

int host_crash_signal(int sig)
{
    switch (sig) {
    case SIGSEGV:
    case SIGBUS:
    case SIGILL:
    case SIGFPE:
    case SIGABRT:
    case SIGSYS:
    case SIGTRAP:
    case SIGXCPU: return 1;
    default: return 0;
    }
}

void host_crash_ledger_record(host_crash_ledger_t *l, const char *message_id, int sig, int certain)
{
    entry_t *e = NULL;

    lock(l);
    for (size_t i = 0; i < HOST_CRASH_LEDGER_SIZE && e == NULL; i++)
        if (l->entries[i].message_id[0] != '\0'
            && strncmp(l->entries[i].message_id, message_id, HOST_CRASH_ID_MAX - 1) == 0)
            e = &l->entries[i];
    if (e == NULL) {
        e = &l->entries[l->next];
        l->next = (l->next + 1) % HOST_CRASH_LEDGER_SIZE;
        memset(e, 0, sizeof(*e));
        snprintf(e->message_id, sizeof(e->message_id), "%s", message_id);
    }
    e->crashes++;
    e->signal = sig;
    e->certain |= certain != 0;
    pthread_mutex_unlock(&l->lock);
}

size_t host_crash_ledger_attribute(host_crash_ledger_t *l, int slot, int sig,
                                   host_crash_suspect_t *out, size_t max)
{
    slot_marks_t *s;
    size_t n = 0, copied = 0;

    if (l == NULL || slot < 0 || slot >= l->nslots)
        return 0;
    s = &l->slots[slot];
    for (int t = 0; t < HOST_CRASH_THREADS; t++)
        n += __atomic_load_n(&s->marks[t].in_plugin, __ATOMIC_ACQUIRE) != 0;
    n += (size_t) __atomic_load_n(&s->untracked, __ATOMIC_ACQUIRE);
    for (int t = 0; t < HOST_CRASH_THREADS; t++) {
        mark_t *k = &s->marks[t];
        if (!__atomic_load_n(&k->in_plugin, __ATOMIC_ACQUIRE))
            continue;
        host_crash_ledger_record(l, k->message_id, sig, n == 1);
        if (copied < max) {
            memcpy(out[copied].message_id, k->message_id, sizeof(k->message_id));
            memcpy(out[copied].route, k->route, sizeof(k->route));
            copied++;
        }
    }
    host_crash_ledger_clear_slot(l, slot);
    return n;
}

void host_crash_ledger_clear_slot(host_crash_ledger_t *l, int slot)
{
    if (l == NULL || slot < 0 || slot >= l->nslots)
        return;
    memset(&l->slots[slot], 0, sizeof(l->slots[slot]));
}

int host_crash_ledger_verdict(host_crash_ledger_t *l, const char *message_id, int *crashes,
                              int *sig, int *certain)
{
    int found = 0;

    *crashes = *sig = *certain = 0;
    if (l == NULL)
        return 0;
    lock(l);
    for (size_t i = 0; i < HOST_CRASH_LEDGER_SIZE && !found; i++) {
        const entry_t *e = &l->entries[i];
        if (e->message_id[0] != '\0'
            && strncmp(e->message_id, message_id, HOST_CRASH_ID_MAX - 1) == 0) {
            *crashes = e->crashes;
            *sig = e->signal;
            *certain = e->certain;
            found = 1;
        }
    }
    pthread_mutex_unlock(&l->lock);
    return found && (*certain || *crashes >= HOST_CRASH_UNCERTAIN_LIMIT);
}
