/*
 * master — spawn, watch, reload and stop the workers.  See master.h.
 */
#define _GNU_SOURCE /* pipe2 */
#include "master.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "clock.h"
#include "crash_ledger.h"
#include "log.h"
#include "metrics.h"
#include "metrics_http.h"
#include "notify.h"
#include "pidfile.h"
#include "privileges.h"
#include "worker.h"

#define RESPAWN_BASE_S     0.5
#define RESPAWN_MAX_S      30.0
#define RESPAWN_RESET_S    10.0 /* a worker that lived this long starts the backoff afresh */
#define KILL_AFTER_GRACE_S 5.0
#define CHECK_TIMEOUT_MS   30000

typedef struct {
    pid_t pid;    /* 0: free */
    unsigned gen; /* configuration generation it runs */
    int index;    /* 0 .. workers-1 within its generation */
    int stopping; /* told to stop: its exit is expected */
    double started;
} worker_slot_t;

typedef struct {
    const char *file;
    host_conf_t *conf;
    host_metrics_t *metrics;
    host_crash_ledger_t *crash; /* shared with the workers */
    int metric_routes[HOST_MAX_ROUTES];
    worker_slot_t slots[HOST_METRICS_SLOTS];
    unsigned gen;
    unsigned queues_checked;             /* gen + 1 of the last queue check */
    double respawn_at[HOST_MAX_WORKERS]; /* 0: nothing pending */
    int failures[HOST_MAX_WORKERS];      /* quick deaths in a row */
    int sfd;                             /* signalfd */
    int mfd;                             /* metrics listener, -1: none */
    int stopping;
    double kill_at;
    int killed;
} master_t;

/* Writes "exited with status N" or "killed by signal N (name)" into out. */
static void describe_status(int status, char *out, size_t outlen)
{
    if (WIFSIGNALED(status))
        snprintf(out, outlen, "killed by signal %d (%s)%s", WTERMSIG(status),
                 strsignal(WTERMSIG(status)), WCOREDUMP(status) ? ", core dumped" : "");
    else
        snprintf(out, outlen, "exited with status %d", WEXITSTATUS(status));
}

/* Tells the service manager STATE (see notify.h); a failure is logged. */
static void notify(const char *state)
{
    char err[256];

    if (host_notify(state, err, sizeof(err)) < 0)
        host_log(HOST_LOG_WARN, NULL, "%s", err);
}

/* Tells the service manager a reload began; a failure is logged. */
static void notify_reloading(void)
{
    char err[256];

    if (host_notify_reloading(err, sizeof(err)) < 0)
        host_log(HOST_LOG_WARN, NULL, "%s", err);
}

/* Returns the number of live worker processes. */
static int live_workers(const master_t *m)
{
    int n = 0;

    for (int i = 0; i < HOST_METRICS_SLOTS; i++)
        n += m->slots[i].pid != 0;
    return n;
}

/* Closes the master's own descriptors in a freshly forked child. */
static void child_close_master_fds(const master_t *m)
{
    if (m->sfd >= 0)
        close(m->sfd);
    if (m->mfd >= 0)
        close(m->mfd);
}

/* Runs host_check_config(CONF) in a child (plugin code never runs in the
 * master) and waits for it, at most CHECK_TIMEOUT_MS.  Returns 0, or -1
 * with the child's reason in err. */
static int check_in_child(const master_t *m, const host_conf_t *conf, char *err, size_t errlen)
{
    int pfd[2];
    pid_t pid;
    size_t got = 0;
    int status;
    double until = host_monotonic() + CHECK_TIMEOUT_MS / 1000.0;

    if (pipe2(pfd, O_CLOEXEC) != 0) {
        snprintf(err, errlen, "pipe: %s", strerror(errno));
        return -1;
    }
    pid = fork();
    if (pid < 0) {
        snprintf(err, errlen, "fork: %s", strerror(errno));
        close(pfd[0]);
        close(pfd[1]);
        return -1;
    }
    if (pid == 0) {
        char why[2048];
        int rc;

        close(pfd[0]);
        child_close_master_fds(m);
        rc = host_check_config(conf, NULL, why, sizeof(why));
        if (rc != 0 && write(pfd[1], why, strlen(why)) < 0)
            rc = 1;
        exit(rc != 0 ? 1 : 0);
    }
    close(pfd[1]);
    err[0] = '\0';
    for (;;) {
        struct pollfd p = { .fd = pfd[0], .events = POLLIN };
        double left = until - host_monotonic();
        ssize_t r;

        if (left <= 0 || poll(&p, 1, (int) (left * 1000) + 1) == 0) {
            kill(pid, SIGKILL);
            got = (size_t) snprintf(err, errlen, "checking the plugins took over %d s",
                                    CHECK_TIMEOUT_MS / 1000);
            if (got >= errlen)
                got = errlen - 1;
            break;
        }
        r = read(pfd[0], err + got, errlen - 1 - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t) r;
        if (got + 1 >= errlen)
            break;
    }
    err[got] = '\0';
    close(pfd[0]);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && got == 0)
        return 0;
    if (got == 0) {
        char how[128];
        describe_status(status, how, sizeof(how));
        snprintf(err, errlen, "checking the plugins failed: the check process %s", how);
    }
    return -1;
}

/* Assigns a metrics slot to each route of CONF.  Returns 0 or -1. */
static int assign_metric_routes(master_t *m, const host_conf_t *conf)
{
    const char *names[HOST_MAX_ROUTES];

    for (size_t i = 0; i < conf->nroutes; i++)
        names[i] = conf->routes[i].name;
    for (size_t i = 0; i < conf->nroutes; i++) {
        m->metric_routes[i] = host_metrics_route_slot(m->metrics, names[i], names, conf->nroutes);
        if (m->metric_routes[i] < 0) {
            host_log(HOST_LOG_ERROR, NULL, "no metrics slot left for route %s", names[i]);
            return -1;
        }
    }
    return 0;
}

/* Forks worker INDEX of the current generation.  Returns 0, or -1 (logged). */
static int spawn_worker(master_t *m, int index)
{
    host_worker_args_t args;
    int slot = -1;
    int check_queues = m->queues_checked != m->gen + 1;
    pid_t pid;

    for (int i = 0; i < HOST_METRICS_SLOTS && slot < 0; i++)
        if (m->slots[i].pid == 0)
            slot = i;
    if (slot < 0) {
        host_log(HOST_LOG_ERROR, NULL, "no free worker slot for worker %d", index);
        return -1;
    }
    host_metrics_slot_reset(m->metrics, slot);
    host_crash_ledger_clear_slot(m->crash, slot);
    pid = fork();
    if (pid < 0) {
        host_log(HOST_LOG_ERROR, NULL, "fork: %s", strerror(errno));
        return -1;
    }
    if (pid == 0) {
        child_close_master_fds(m);
        args.conf = m->conf;
        args.metrics = m->metrics;
        args.metric_routes = m->metric_routes;
        args.slot = slot;
        args.crash = m->crash;
        args.master = getppid();
        args.check_queues = check_queues;
        exit(host_worker_run(&args));
    }
    if (check_queues)
        m->queues_checked = m->gen + 1;
    m->slots[slot] = (worker_slot_t){ pid, m->gen, index, 0, host_monotonic() };
    m->respawn_at[index] = 0;
    host_log(HOST_LOG_DEBUG, NULL, "worker %d started as pid %ld", index, (long) pid);
    return 0;
}

/* Schedules the respawn of worker INDEX after a crash, with backoff. */
static void schedule_respawn(master_t *m, int index, double lived, const char *how, pid_t pid)
{
    double delay;

    if (lived >= RESPAWN_RESET_S)
        m->failures[index] = 0;
    delay = RESPAWN_BASE_S * (double) (1u << (m->failures[index] < 6 ? m->failures[index] : 6));
    if (delay > RESPAWN_MAX_S)
        delay = RESPAWN_MAX_S;
    m->failures[index]++;
    m->respawn_at[index] = host_monotonic() + delay;
    host_metrics_worker_restart(m->metrics);
    host_log(HOST_LOG_ERROR, NULL, "worker %d (pid %ld) %s after %.1f s; respawning in %.1f s",
             index, (long) pid, how, lived, delay);
}

/* Worker INDEX (pid PID, in SLOT) died of STATUS: when a crash signal
 * killed it, records and logs the messages it had in a plugin (the
 * master only reads their marks).  Clears the slot's marks. */
static void attribute_crash(master_t *m, int slot, int index, pid_t pid, int status)
{
    host_crash_suspect_t s[8];
    size_t n, shown;
    int sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;

    if (!host_crash_signal(sig)) {
        host_crash_ledger_clear_slot(m->crash, slot);
        return;
    }
    n = host_crash_ledger_attribute(m->crash, slot, sig, s, sizeof(s) / sizeof(s[0]));
    shown = n < sizeof(s) / sizeof(s[0]) ? n : sizeof(s) / sizeof(s[0]);
    if (n == 0)
        host_log(HOST_LOG_ERROR, NULL, "worker %d (pid %ld) crashed outside any plugin", index,
                 (long) pid);
    for (size_t i = 0; i < shown; i++) {
        host_log_ctx_t ctx = { .route = s[i].route, .message_id = s[i].message_id };
        host_log(HOST_LOG_ERROR, &ctx,
                 "worker %d (pid %ld) crashed (signal %d) while the "
                 "plugin ran on this message%s",
                 index, (long) pid, sig,
                 n == 1 ? ": it is the culprit and goes to the DLQ when redelivered"
                        : " among others: a suspect");
    }
}

/* Collects every exited child and decides what follows. */
static void reap(master_t *m)
{
    pid_t pid;
    int status;

    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
        char how[160];
        worker_slot_t *w = NULL;
        int slot;

        for (slot = 0; slot < HOST_METRICS_SLOTS; slot++) {
            if (m->slots[slot].pid == pid) {
                w = &m->slots[slot];
                break;
            }
        }
        if (w == NULL)
            continue;
        describe_status(status, how, sizeof(how));
        host_metrics_slot_reset(m->metrics, slot);
        attribute_crash(m, slot, w->index, pid, status);
        if (w->stopping || m->stopping || w->gen != m->gen)
            host_log(WIFEXITED(status) && WEXITSTATUS(status) == 0 ? HOST_LOG_INFO : HOST_LOG_WARN,
                     NULL, "worker %d (pid %ld) %s", w->index, (long) pid, how);
        else
            schedule_respawn(m, w->index, host_monotonic() - w->started, how, pid);
        memset(w, 0, sizeof(*w));
    }
}

/* Sends SIG to every live worker of generation GEN (all when GEN is
 * (unsigned) -1) and marks them stopping. */
static void signal_workers(master_t *m, unsigned gen, int sig)
{
    for (int i = 0; i < HOST_METRICS_SLOTS; i++) {
        worker_slot_t *w = &m->slots[i];
        if (w->pid != 0 && (gen == (unsigned) -1 || w->gen == gen)) {
            w->stopping = 1;
            kill(w->pid, sig);
        }
    }
}

/* Opens the metrics listener CONF asks for, replacing the current one
 * when the address changed.  A failure keeps the old listener (reload)
 * and returns -1 (logged). */
static int apply_metrics_listen(master_t *m, const host_conf_t *old, const host_conf_t *conf)
{
    char err[256];
    int fd;

    if (old != NULL && old->metrics_port == conf->metrics_port
        && ((old->metrics_host == NULL && conf->metrics_host == NULL)
            || (old->metrics_host != NULL && conf->metrics_host != NULL
                && strcmp(old->metrics_host, conf->metrics_host) == 0)))
        return 0;
    fd = -1;
    if (conf->metrics_host != NULL) {
        /* Close first: the same port on another address may conflict. */
        if (m->mfd >= 0 && old != NULL && old->metrics_port == conf->metrics_port) {
            close(m->mfd);
            m->mfd = -1;
        }
        fd = host_metrics_http_listen(conf->metrics_host, conf->metrics_port, err, sizeof(err));
        if (fd < 0) {
            host_log(HOST_LOG_ERROR, NULL, "%s", err);
            return -1;
        }
        host_log(HOST_LOG_INFO, NULL, "metrics on http://%s:%d/metrics", conf->metrics_host,
                 conf->metrics_port);
    }
    if (m->mfd >= 0)
        close(m->mfd);
    m->mfd = fd;
    return 0;
}

/* reload's work: the new configuration, or the old one kept (logged). */
static void reload_config(master_t *m)
{
    host_conf_t *conf, *old = m->conf;
    char err[2048];
    unsigned old_gen = m->gen;

    host_log(HOST_LOG_INFO, NULL, "SIGHUP: reloading %s", m->file);
    conf = host_conf_load(m->file, err, sizeof(err));
    if (conf == NULL || host_check_worker_user(conf->user, conf->allow_root, err, sizeof(err)) != 0
        || check_in_child(m, conf, err, sizeof(err)) != 0) {
        host_log(HOST_LOG_ERROR, NULL, "reload failed: %s; keeping the current configuration", err);
        host_conf_free(conf);
        return;
    }
    if (assign_metric_routes(m, conf) != 0) {
        host_log(HOST_LOG_ERROR, NULL,
                 "reload failed: metrics slots exhausted; keeping the "
                 "current configuration");
        assign_metric_routes(m, old);
        host_conf_free(conf);
        return;
    }
    if ((old->log_file == NULL) != (conf->log_file == NULL)
        || (conf->log_file != NULL && strcmp(old->log_file, conf->log_file) != 0)
        || old->log_level != conf->log_level) {
        if (host_log_open(conf->log_file, conf->log_level, err, sizeof(err)) != 0)
            host_log(HOST_LOG_ERROR, NULL, "reload: %s (logging continues where it was)", err);
    }
    host_log_set_format(conf->log_format);
    apply_metrics_listen(m, old, conf);
    if (conf->pid_file != NULL
        && (old->pid_file == NULL || strcmp(old->pid_file, conf->pid_file))) {
        if (host_pidfile_write(conf->pid_file, err, sizeof(err)) != 0)
            host_log(HOST_LOG_ERROR, NULL, "reload: %s", err);
        host_pidfile_remove(old->pid_file);
    }

    m->conf = conf;
    m->gen++;
    memset(m->respawn_at, 0, sizeof(m->respawn_at));
    memset(m->failures, 0, sizeof(m->failures));
    for (int i = 0; i < conf->workers; i++)
        spawn_worker(m, i);
    signal_workers(m, old_gen, SIGQUIT);
    host_conf_free(old);
    host_log(HOST_LOG_INFO, NULL,
             "reloaded: %d new worker(s); the previous ones finish their "
             "messages and exit",
             conf->workers);
}

/* SIGHUP: load, check, switch generations.  Failures keep the old config.
 * The service manager sees RELOADING=1 until the outcome is known. */
static void reload(master_t *m)
{
    notify_reloading();
    reload_config(m);
    notify("READY=1");
}

/* SIGTERM/SIGQUIT/SIGINT: stop every worker gracefully. */
static void begin_shutdown(master_t *m, int sig)
{
    if (m->stopping) {
        host_log(HOST_LOG_INFO, NULL, "%s: already stopping", strsignal(sig));
        return;
    }
    m->stopping = 1;
    notify("STOPPING=1");
    m->kill_at = host_monotonic() + m->conf->shutdown_grace_seconds + KILL_AFTER_GRACE_S;
    host_log(HOST_LOG_INFO, NULL, "%s: stopping %d worker(s) (grace %d s)", strsignal(sig),
             live_workers(m), m->conf->shutdown_grace_seconds);
    signal_workers(m, (unsigned) -1, SIGTERM);
}

/* Handles what the signalfd has queued. */
static void drain_signals(master_t *m)
{
    struct signalfd_siginfo si;

    while (read(m->sfd, &si, sizeof(si)) == (ssize_t) sizeof(si)) {
        switch (si.ssi_signo) {
        case SIGCHLD: reap(m); break;
        case SIGHUP:
            if (m->stopping)
                host_log(HOST_LOG_INFO, NULL, "SIGHUP ignored: stopping");
            else
                reload(m);
            break;
        default: begin_shutdown(m, (int) si.ssi_signo); break;
        }
    }
}

/* Returns the poll timeout (ms) until the next timed duty, at most 1 s. */
static int next_timeout_ms(const master_t *m)
{
    double now = host_monotonic(), next = now + 1.0;

    for (int i = 0; i < HOST_MAX_WORKERS; i++)
        if (m->respawn_at[i] > 0 && m->respawn_at[i] < next)
            next = m->respawn_at[i];
    if (m->stopping && !m->killed && m->kill_at < next)
        next = m->kill_at;
    return next <= now ? 0 : (int) ((next - now) * 1000) + 1;
}

/* Respawns due workers; kills stragglers after the grace period. */
static void timed_duties(master_t *m)
{
    double now = host_monotonic();

    if (!m->stopping) {
        for (int i = 0; i < m->conf->workers; i++)
            if (m->respawn_at[i] > 0 && m->respawn_at[i] <= now)
                spawn_worker(m, i);
    } else if (!m->killed && now >= m->kill_at) {
        host_log(HOST_LOG_ERROR, NULL,
                 "%d worker(s) still running %.0f s after the grace "
                 "period: SIGKILL",
                 live_workers(m), KILL_AFTER_GRACE_S);
        signal_workers(m, (unsigned) -1, SIGKILL);
        m->killed = 1;
    }
}

/* Prepares signals, pid file, metrics and checks; returns 0 or -1. */
static int start(master_t *m, sigset_t *set)
{
    char err[2048];

    sigemptyset(set);
    sigaddset(set, SIGCHLD);
    sigaddset(set, SIGHUP);
    sigaddset(set, SIGTERM);
    sigaddset(set, SIGQUIT);
    sigaddset(set, SIGINT);
    sigprocmask(SIG_BLOCK, set, NULL);
    signal(SIGPIPE, SIG_IGN);

    m->metrics = host_metrics_create(err, sizeof(err));
    if (m->metrics == NULL) {
        host_log(HOST_LOG_ERROR, NULL, "%s", err);
        return -1;
    }
    m->crash = host_crash_ledger_create(HOST_METRICS_SLOTS, err, sizeof(err));
    if (m->crash == NULL) {
        host_log(HOST_LOG_ERROR, NULL, "%s", err);
        return -1;
    }
    if (host_check_worker_user(m->conf->user, m->conf->allow_root, err, sizeof(err)) != 0
        || check_in_child(m, m->conf, err, sizeof(err)) != 0) {
        host_log(HOST_LOG_ERROR, NULL, "%s", err);
        return -1;
    }
    if (m->conf->pid_file != NULL && host_pidfile_write(m->conf->pid_file, err, sizeof(err)) != 0) {
        host_log(HOST_LOG_ERROR, NULL, "%s", err);
        return -1;
    }
    if (apply_metrics_listen(m, NULL, m->conf) != 0 || assign_metric_routes(m, m->conf) != 0)
        return -1;
    m->sfd = signalfd(-1, set, SFD_NONBLOCK | SFD_CLOEXEC);
    if (m->sfd < 0) {
        host_log(HOST_LOG_ERROR, NULL, "signalfd: %s", strerror(errno));
        return -1;
    }
    return 0;
}

int host_master_run(const char *file, host_conf_t *conf)
{
    static master_t m; /* static: large, and reachable for leak checkers */
    sigset_t set;
    int rc = 0;

    memset(&m, 0, sizeof(m));
    m.file = file;
    m.conf = conf;
    m.sfd = -1;
    m.mfd = -1;
    if (start(&m, &set) != 0) {
        rc = 1;
        goto done;
    }
    host_log(HOST_LOG_INFO, NULL, "master started: %d worker(s), %zu route(s), config %s",
             conf->workers, conf->nroutes, file);
    for (int i = 0; i < m.conf->workers; i++)
        spawn_worker(&m, i);
    notify("READY=1");

    while (!(m.stopping && live_workers(&m) == 0)) {
        struct pollfd pfd[2] = { { .fd = m.sfd, .events = POLLIN },
                                 { .fd = m.mfd, .events = POLLIN } };
        int n = poll(pfd, m.mfd >= 0 ? 2 : 1, next_timeout_ms(&m));

        if (n < 0 && errno != EINTR) {
            host_log(HOST_LOG_ERROR, NULL, "poll: %s", strerror(errno));
            break;
        }
        if (n > 0 && (pfd[0].revents & POLLIN))
            drain_signals(&m);
        if (n > 0 && m.mfd >= 0 && pfd[1].fd == m.mfd && (pfd[1].revents & POLLIN))
            host_metrics_http_serve(m.mfd, m.metrics, live_workers(&m));
        timed_duties(&m);
    }
    host_log(HOST_LOG_INFO, NULL, "master exiting");

done:
    if (m.conf->pid_file != NULL)
        host_pidfile_remove(m.conf->pid_file);
    if (m.sfd >= 0)
        close(m.sfd);
    if (m.mfd >= 0)
        close(m.mfd);
    host_metrics_destroy(m.metrics);
    host_crash_ledger_destroy(m.crash);
    host_conf_free(m.conf);
    return rc;
}
