/*
 * worker — pollers, heartbeat and signal handling of a worker process.
 * See worker.h.
 */
#define _GNU_SOURCE /* pthread_timedjoin_np */
#include "worker.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "aws_setup.h"
#include "clock.h"
#include "heap.h"
#include "json_check.h"
#include "log.h"
#include "plugin_loader.h"
#include "poller.h"
#include "privileges.h"
#include "redrive.h"

/* How often the heartbeat looks at the leases. */
#define HEARTBEAT_TICK_MS 250

typedef struct {
    const host_worker_args_t *a;
    aws_client_t *aws;
    host_plugin_t *plugins; /* one per route */
    host_poller_t *pollers;
    size_t npollers;
    host_deps_t deps;     /* the breakers, shared by the pollers */
    host_memo_t memo;     /* stored outputs awaiting their record */
    int shared_ready;     /* deps and memo initialised */
    host_budget_t budget; /* decode memory, shared by the pollers */
    int budget_ready;
    volatile sig_atomic_t stop;    /* pollers: stop polling */
    volatile sig_atomic_t hb_stop; /* heartbeat: all pollers are done */
    pthread_t heartbeat;
    int heartbeat_running;
} worker_t;

/* The heartbeat thread: extends leases of every poller until hb_stop. */
static void *heartbeat_main(void *arg)
{
    worker_t *w = arg;

    while (!w->hb_stop) {
        double now = host_monotonic();
        for (size_t i = 0; i < w->npollers; i++)
            host_leases_heartbeat(&w->pollers[i].leases, w->aws, now);
        host_sleep_ms(HEARTBEAT_TICK_MS, &w->hb_stop);
    }
    return NULL;
}

/* Loads the plugins and builds the pollers (not started).  Returns 0, or
 * -1 with err set. */
static int build(worker_t *w, char *err, size_t errlen)
{
    const host_conf_t *conf = w->a->conf;
    char path[HOST_JPATH_MAX];
    char ppath[HOST_JPATH_MAX];
    char why[1024];
    size_t total = 0;

    if (host_deps_init(&w->deps, &conf->breaker, w->aws, w->a->metrics, w->a->slot) != 0) {
        snprintf(err, errlen, "cannot create the breakers' mutexes");
        return -1;
    }
    if (host_memo_init(&w->memo) != 0) {
        host_deps_destroy(&w->deps);
        snprintf(err, errlen, "cannot create the memo's mutex");
        return -1;
    }
    w->shared_ready = 1;
    w->plugins = calloc(conf->nroutes, sizeof(*w->plugins));
    for (size_t i = 0; i < conf->nroutes; i++)
        total += (size_t) conf->routes[i].concurrency;
    w->pollers = calloc(total, sizeof(*w->pollers));
    if (w->plugins == NULL || w->pollers == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (host_budget_init(&w->budget, (uint64_t) conf->decode_budget_mb << 20,
                         conf->decode_wait_seconds)
        != 0) {
        snprintf(err, errlen, "cannot create the decode budget's mutex");
        return -1;
    }
    w->budget_ready = 1;
    for (size_t i = 0; i < conf->nroutes; i++) {
        const host_route_conf_t *r = &conf->routes[i];

        host_jpath_index(path, sizeof(path), "routes", i);
        if (host_plugin_load(r->plugin, &w->plugins[i], why, sizeof(why)) != 0) {
            host_jpath_key(ppath, sizeof(ppath), path, "plugin");
            host_jerr(err, errlen, ppath, "%s", why);
            return -1;
        }
        host_jpath_key(ppath, sizeof(ppath), path, "plugin_params");
        for (int c = 0; c < r->concurrency; c++) {
            host_instance_t inst;

            if (host_instance_new(&w->plugins[i], r->plugin_params, ppath, &inst, err, errlen) != 0)
                return -1;
            if (host_poller_init(&w->pollers[w->npollers], r, &inst, w->aws, w->a->metrics,
                                 w->a->metric_routes[i], w->a->slot, w->a->crash, (int) w->npollers,
                                 &w->deps, &w->memo, &w->stop)
                != 0) {
                host_instance_free(&inst);
                snprintf(err, errlen, "route %s: cannot create a mutex", r->name);
                return -1;
            }
            w->pollers[w->npollers].budget = &w->budget;
            w->npollers++;
        }
    }
    return 0;
}

/* Waits for the pollers to end, at most until DEADLINE (CLOCK_REALTIME).
 * Returns how many are still running. */
static size_t join_pollers(worker_t *w, const struct timespec *deadline)
{
    size_t left = 0;

    for (size_t i = 0; i < w->npollers; i++) {
        if (!w->pollers[i].running)
            continue;
        if (pthread_timedjoin_np(w->pollers[i].thread, NULL, deadline) == 0)
            w->pollers[i].running = 0;
        else
            left++;
    }
    return left;
}

/* Frees everything build() made (threads must be done). */
static void teardown(worker_t *w)
{
    for (size_t i = 0; i < w->npollers; i++)
        host_poller_free(&w->pollers[i]);
    free(w->pollers);
    if (w->plugins != NULL)
        for (size_t i = 0; i < w->a->conf->nroutes; i++)
            host_plugin_unload(&w->plugins[i]);
    free(w->plugins);
    if (w->shared_ready) {
        host_memo_destroy(&w->memo);
        host_deps_destroy(&w->deps);
    }
    if (w->budget_ready)
        host_budget_destroy(&w->budget);
    aws_client_free(w->aws);
}

/* Blocks until SIGTERM/SIGQUIT/SIGINT or the master's death.  Returns the
 * signal number (0 when the master is gone). */
static int wait_for_stop(const sigset_t *set, pid_t master)
{
    for (;;) {
        struct timespec tick = { 1, 0 };
        int sig = sigtimedwait(set, NULL, &tick);

        if (sig == SIGTERM || sig == SIGQUIT || sig == SIGINT)
            return sig;
        if (getppid() != master)
            return 0;
    }
}

int host_worker_run(const host_worker_args_t *a)
{
    const host_conf_t *conf = a->conf;
    worker_t w;
    sigset_t set;
    struct timespec deadline;
    char err[1024];
    int sig;
    size_t left;

    memset(&w, 0, sizeof(w));
    w.a = a;
    host_heap_keep_warm();

    /* Signals stay blocked in every thread; this one waits for them. */
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGQUIT);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    if (host_apply_rlimits(conf->rlimit_as_mb, conf->rlimit_cpu_seconds, err, sizeof(err)) != 0
        || host_drop_privileges(conf->user, err, sizeof(err)) != 0) {
        host_log(HOST_LOG_ERROR, NULL, "worker cannot start: %s", err);
        return HOST_WORKER_EXIT_STARTUP;
    }
    /* After the user switch, which clears the parent-death signal. */
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != a->master)
        return HOST_WORKER_EXIT_OK;

    if ((w.aws = host_aws_client_new(&conf->aws, err, sizeof(err))) == NULL
        || build(&w, err, sizeof(err)) != 0) {
        host_log(HOST_LOG_ERROR, NULL, "worker cannot start: %s", err);
        teardown(&w);
        return HOST_WORKER_EXIT_STARTUP;
    }
    for (size_t i = 0; i < w.npollers; i++) {
        if (host_poller_start(&w.pollers[i], err, sizeof(err)) != 0) {
            host_log(HOST_LOG_ERROR, NULL, "worker cannot start: %s", err);
            w.stop = 1;
            break;
        }
    }
    if (!w.stop && pthread_create(&w.heartbeat, NULL, heartbeat_main, &w) != 0) {
        host_log(HOST_LOG_ERROR, NULL, "worker cannot start its heartbeat thread");
        w.stop = 1;
    }
    w.heartbeat_running = !w.stop;

    if (!w.stop) {
        host_log(HOST_LOG_INFO, NULL, "worker started: %zu route(s), %zu poller thread(s)",
                 conf->nroutes, w.npollers);
        if (a->check_queues)
            host_redrive_check(conf, w.aws);
        sig = wait_for_stop(&set, a->master);
        host_log(HOST_LOG_INFO, NULL,
                 "worker stopping (%s): finishing in-flight messages "
                 "within %d s",
                 sig != 0 ? strsignal(sig) : "master gone", conf->shutdown_grace_seconds);
        w.stop = 1;
    }

    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += conf->shutdown_grace_seconds;
    left = join_pollers(&w, &deadline);
    if (left > 0) {
        /* Threads still run plugin code (and the heartbeat AWS calls):
         * nothing can be freed, and exit()'s handlers would tear down
         * libraries under them, so the process ends here.  Their messages
         * become visible again after the timeout. */
        host_log(HOST_LOG_ERROR, NULL,
                 "shutdown_grace_seconds (%d) passed with %zu poller(s) "
                 "still busy: exiting; SQS will redeliver their messages",
                 conf->shutdown_grace_seconds, left);
        _exit(HOST_WORKER_EXIT_GRACE);
    }
    if (w.heartbeat_running) {
        w.hb_stop = 1;
        pthread_join(w.heartbeat, NULL);
    }
    teardown(&w);
    host_log(HOST_LOG_INFO, NULL, "worker exiting");
    return HOST_WORKER_EXIT_OK;
}
