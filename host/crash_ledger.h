/*
 * crash_ledger — which message was in a plugin when a worker crashed.
 *
 * The master maps one region, shared with every worker it forks (and
 * every respawned one, through fork).  It holds:
 *   - a mark per worker slot x poller thread: a poller sets it (message
 *     id, route) right before the plugin's process() and clears it right
 *     after;
 *   - a ledger: a ring of the last HOST_CRASH_LEDGER_SIZE crash suspects
 *     {message id, crashes, last signal, certain}, guarded by a robust
 *     process-shared mutex.
 * When the master reaps a worker killed by a crash signal (SIGSEGV,
 * SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGSYS, SIGTRAP, SIGXCPU) it reads that
 * worker's marks: a single message in a plugin is the certain culprit;
 * several (or a poller beyond HOST_CRASH_THREADS in a plugin) are each an
 * uncertain suspect.  A poller asks the ledger before running the plugin:
 * a certain culprit, or a suspect of HOST_CRASH_UNCERTAIN_LIMIT crashes,
 * is dead-lettered instead of crashing the worker again; another suspect
 * runs "solo": alone in a plugin within its worker process, so that a
 * second crash on it is certain (suspects of one crash are redelivered
 * together, and would otherwise crash together again).  The master only
 * reads the marks; it never runs plugin code.
 */
#ifndef HOST_CRASH_LEDGER_H
#define HOST_CRASH_LEDGER_H

#include <stddef.h>

#define HOST_CRASH_LEDGER_SIZE     256 /* suspects remembered (a ring) */
#define HOST_CRASH_THREADS         64  /* pollers per worker with their own mark */
#define HOST_CRASH_ID_MAX          128 /* message id bytes kept, with the NUL */
#define HOST_CRASH_ROUTE_MAX       64  /* route name bytes kept, for the log */
#define HOST_CRASH_UNCERTAIN_LIMIT 2   /* crashes that condemn an uncertain suspect */

typedef struct host_crash_ledger_s host_crash_ledger_t;

/* A message found in a plugin when its worker crashed. */
typedef struct {
    char message_id[HOST_CRASH_ID_MAX];
    char route[HOST_CRASH_ROUTE_MAX];
} host_crash_suspect_t;

/* Maps the shared region for SLOTS worker slots (zeroed marks, empty
 * ledger).  Returns it, or NULL with err set (mmap or mutex failure). */
host_crash_ledger_t *host_crash_ledger_create(int slots, char *err, size_t errlen);

/* Unmaps L (NULL is fine). */
void host_crash_ledger_destroy(host_crash_ledger_t *l);

/* Poller THREAD of worker SLOT is about to run the plugin of ROUTE on
 * MESSAGE_ID (both cut to fit).  With SOLO (a suspect) it first waits
 * until no other thread of this process is between enter and leave, and
 * keeps them out until its leave; otherwise it waits only for a solo one.
 * L NULL: nothing.  SLOT out of range: the exclusion only, no mark. */
void host_crash_ledger_enter(host_crash_ledger_t *l, int slot, int thread, const char *message_id,
                             const char *route, int solo);

/* Poller THREAD of worker SLOT left the plugin (after its enter). */
void host_crash_ledger_leave(host_crash_ledger_t *l, int slot, int thread);

/* Returns 1 when SIG is a signal a crashing plugin raises, else 0. */
int host_crash_signal(int sig);

/* The master reaped worker SLOT, killed by crash signal SIG: records the
 * messages then in a plugin (certain when alone), copies at most MAX of
 * them into OUT for the log, and clears the slot's marks.  Returns how
 * many messages were in a plugin (counting untracked pollers). */
size_t host_crash_ledger_attribute(host_crash_ledger_t *l, int slot, int sig,
                                   host_crash_suspect_t *out, size_t max);

/* Clears worker SLOT's marks (a worker that ended or is about to start). */
void host_crash_ledger_clear_slot(host_crash_ledger_t *l, int slot);

/* Adds a crash with signal SIG to MESSAGE_ID's entry, creating it (and
 * overwriting the oldest entry when the ring is full).  CERTAIN marks it
 * the certain culprit (an entry once certain stays so). */
void host_crash_ledger_record(host_crash_ledger_t *l, const char *message_id, int sig, int certain);

/* Returns 1 when MESSAGE_ID must not reach the plugin again (a certain
 * culprit, or HOST_CRASH_UNCERTAIN_LIMIT crashes), else 0; its crash
 * count (0: unknown message, or L NULL), last signal and certainty are in
 * the out-parameters either way. */
int host_crash_ledger_verdict(host_crash_ledger_t *l, const char *message_id, int *crashes,
                              int *sig, int *certain);

#endif
