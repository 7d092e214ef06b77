/*
 * metrics — shared-memory counters and their Prometheus text.
 * See metrics.h.
 */
#include "metrics.h"

#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

/* Upper bounds of the histogram buckets, in seconds (+Inf implied). */
static const double bucket_le[HOST_METRICS_BUCKETS] = { 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
                                                        1,     2.5,  5,     10,   30,  60 };

typedef struct {
    char name[64]; /* "" = free slot */
    uint64_t counters[HOST_M_NCOUNTERS];
    uint64_t buckets[HOST_METRICS_BUCKETS]; /* non-cumulative counts */
    uint64_t count;
    uint64_t sum_us;
} route_metrics_t;

struct host_metrics_s {
    uint64_t worker_restarts;
    uint64_t conformance[AWS_CONF_NKINDS];
    uint64_t warned[HOST_METRICS_WARNED]; /* keys of warned (endpoint, kind); 0 free */
    route_metrics_t routes[HOST_METRICS_ROUTES];
    int32_t in_flight[HOST_METRICS_SLOTS][HOST_METRICS_ROUTES];
    int32_t breaker_open[HOST_METRICS_SLOTS][HOST_DEP_COUNT];
    uint64_t breaker[HOST_DEP_COUNT][HOST_BREAKER_M_NCOUNTERS];
};

static const char *const dep_names[HOST_DEP_COUNT] = { "s3", "dynamodb", "sns" };

const char *host_dep_name(host_dep_t dep)
{
    return dep < HOST_DEP_COUNT ? dep_names[dep] : "?";
}

static const struct {
    const char *name;
    const char *help;
} counter_info[HOST_M_NCOUNTERS] = {
    { "prism_messages_received_total", "Messages received from the route's queue." },
    { "prism_messages_ok_total", "Messages processed, outputs stored, message deleted." },
    { "prism_messages_retried_total", "Messages left on the queue for redelivery." },
    { "prism_messages_rejected_total", "Messages the plugin or the host rejected." },
    { "prism_messages_dead_lettered_total", "Messages sent to the route's DLQ." },
    { "prism_messages_poison_total", "Messages whose body prism does not understand." },
    { "prism_aws_errors_total", "AWS calls that failed after their retries." },
};

host_metrics_t *host_metrics_create(char *err, size_t errlen)
{
    void *p = mmap(NULL, sizeof(host_metrics_t), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
                   -1, 0);

    if (p == MAP_FAILED) {
        snprintf(err, errlen, "mmap of %zu bytes for metrics failed", sizeof(host_metrics_t));
        return NULL;
    }
    return p; /* anonymous mappings start zeroed */
}

void host_metrics_destroy(host_metrics_t *m)
{
    if (m != NULL)
        munmap(m, sizeof(*m));
}

int host_metrics_route_slot(host_metrics_t *m, const char *name, const char *const *keep,
                            size_t nkeep)
{
    int free_slot = -1;

    for (int i = 0; i < HOST_METRICS_ROUTES; i++) {
        if (strncmp(m->routes[i].name, name, sizeof(m->routes[i].name) - 1) == 0
            && m->routes[i].name[0] != '\0')
            return i;
        if (free_slot < 0 && m->routes[i].name[0] == '\0')
            free_slot = i;
    }
    if (free_slot < 0) {
        for (int i = 0; i < HOST_METRICS_ROUTES && free_slot < 0; i++) {
            size_t k;
            for (k = 0; k < nkeep; k++)
                if (strcmp(m->routes[i].name, keep[k]) == 0)
                    break;
            if (k == nkeep)
                free_slot = i;
        }
        if (free_slot < 0)
            return -1;
    }
    memset(&m->routes[free_slot], 0, sizeof(m->routes[free_slot]));
    snprintf(m->routes[free_slot].name, sizeof(m->routes[free_slot].name), "%s", name);
    return free_slot;
}

void host_metrics_inc(host_metrics_t *m, int route, host_counter_t c)
{
    if (m == NULL || route < 0 || route >= HOST_METRICS_ROUTES || c >= HOST_M_NCOUNTERS)
        return;
    __atomic_fetch_add(&m->routes[route].counters[c], 1, __ATOMIC_RELAXED);
}

void host_metrics_observe(host_metrics_t *m, int route, double seconds)
{
    route_metrics_t *r;
    int b;

    if (m == NULL || route < 0 || route >= HOST_METRICS_ROUTES)
        return;
    r = &m->routes[route];
    for (b = 0; b < HOST_METRICS_BUCKETS && seconds > bucket_le[b]; b++)
        ;
    if (b < HOST_METRICS_BUCKETS)
        __atomic_fetch_add(&r->buckets[b], 1, __ATOMIC_RELAXED);
    __atomic_fetch_add(&r->count, 1, __ATOMIC_RELAXED);
    __atomic_fetch_add(&r->sum_us, (uint64_t) (seconds > 0 ? seconds * 1e6 : 0), __ATOMIC_RELAXED);
}

void host_metrics_in_flight(host_metrics_t *m, int slot, int route, int delta)
{
    if (m == NULL || slot < 0 || slot >= HOST_METRICS_SLOTS || route < 0
        || route >= HOST_METRICS_ROUTES)
        return;
    __atomic_fetch_add(&m->in_flight[slot][route], delta, __ATOMIC_RELAXED);
}

void host_metrics_slot_reset(host_metrics_t *m, int slot)
{
    if (slot < 0 || slot >= HOST_METRICS_SLOTS)
        return;
    for (int r = 0; r < HOST_METRICS_ROUTES; r++)
        __atomic_store_n(&m->in_flight[slot][r], 0, __ATOMIC_RELAXED);
    for (int d = 0; d < HOST_DEP_COUNT; d++)
        __atomic_store_n(&m->breaker_open[slot][d], 0, __ATOMIC_RELAXED);
}

void host_metrics_breaker_state(host_metrics_t *m, int slot, host_dep_t dep, int open)
{
    if (m == NULL || slot < 0 || slot >= HOST_METRICS_SLOTS || dep >= HOST_DEP_COUNT)
        return;
    __atomic_store_n(&m->breaker_open[slot][dep], open ? 1 : 0, __ATOMIC_RELAXED);
}

void host_metrics_breaker_inc(host_metrics_t *m, host_dep_t dep, host_breaker_counter_t c)
{
    if (m == NULL || dep >= HOST_DEP_COUNT || c >= HOST_BREAKER_M_NCOUNTERS)
        return;
    __atomic_fetch_add(&m->breaker[dep][c], 1, __ATOMIC_RELAXED);
}

void host_metrics_worker_restart(host_metrics_t *m)
{
    __atomic_fetch_add(&m->worker_restarts, 1, __ATOMIC_RELAXED);
}

/* The non-zero key of (ENDPOINT, KIND) in the warned table: FNV-1a. */
static uint64_t warned_key(aws_conf_kind_t kind, const char *endpoint)
{
    uint64_t h = 14695981039346656037ULL;

    for (const unsigned char *p = (const unsigned char *) endpoint; *p != '\0'; p++)
        h = (h ^ *p) * 1099511628211ULL;
    h = (h ^ (uint64_t) kind) * 1099511628211ULL;
    return h != 0 ? h : 1;
}

int host_metrics_conformance(host_metrics_t *m, aws_conf_kind_t kind, const char *endpoint)
{
    uint64_t key = warned_key(kind, endpoint);

    if (kind >= AWS_CONF_NKINDS)
        return 0;
    __atomic_fetch_add(&m->conformance[kind], 1, __ATOMIC_RELAXED);
    for (int i = 0; i < HOST_METRICS_WARNED; i++) {
        uint64_t seen = 0;

        if (__atomic_compare_exchange_n(&m->warned[i], &seen, key, 0, __ATOMIC_ACQ_REL,
                                        __ATOMIC_ACQUIRE))
            return 1;
        if (seen == key)
            return 0;
    }
    return 0;
}

/* Reads a shared counter. */
static uint64_t load64(const uint64_t *p)
{
    return __atomic_load_n(p, __ATOMIC_RELAXED);
}

/* Appends the histogram of route R to out.  0 or -1. */
static int render_histogram(const route_metrics_t *r, aws_buf_t *out)
{
    uint64_t cum = 0;
    int rc = 0;

    for (int b = 0; b < HOST_METRICS_BUCKETS; b++) {
        cum += load64(&r->buckets[b]);
        rc |= aws_buf_printf(out, "prism_processing_seconds_bucket{route=\"%s\",le=\"%g\"} %llu\n",
                             r->name, bucket_le[b], (unsigned long long) cum);
    }
    rc |= aws_buf_printf(out, "prism_processing_seconds_bucket{route=\"%s\",le=\"+Inf\"} %llu\n",
                         r->name, (unsigned long long) load64(&r->count));
    rc |= aws_buf_printf(out, "prism_processing_seconds_sum{route=\"%s\"} %.6f\n", r->name,
                         (double) load64(&r->sum_us) / 1e6);
    rc |= aws_buf_printf(out, "prism_processing_seconds_count{route=\"%s\"} %llu\n", r->name,
                         (unsigned long long) load64(&r->count));
    return rc != 0 ? -1 : 0;
}

/* Appends the circuit breakers' gauge and counters to out.  0 or -1. */
static int render_breakers(host_metrics_t *m, aws_buf_t *out)
{
    int rc = aws_buf_puts(out, "# HELP prism_breaker_open Worker processes whose circuit "
                               "breaker of the dependency is open.\n"
                               "# TYPE prism_breaker_open gauge\n");

    for (int d = 0; d < HOST_DEP_COUNT; d++) {
        long long open = 0;
        for (int s = 0; s < HOST_METRICS_SLOTS; s++)
            open += __atomic_load_n(&m->breaker_open[s][d], __ATOMIC_RELAXED);
        rc |=
            aws_buf_printf(out, "prism_breaker_open{dependency=\"%s\"} %lld\n", dep_names[d], open);
    }
    rc |= aws_buf_puts(out, "# HELP prism_breaker_trips_total Times a circuit breaker opened.\n"
                            "# TYPE prism_breaker_trips_total counter\n");
    for (int d = 0; d < HOST_DEP_COUNT; d++)
        rc |=
            aws_buf_printf(out, "prism_breaker_trips_total{dependency=\"%s\"} %llu\n", dep_names[d],
                           (unsigned long long) load64(&m->breaker[d][HOST_BREAKER_M_TRIPS]));
    rc |= aws_buf_puts(out, "# HELP prism_breaker_probes_total Probes of a dependency whose "
                            "breaker is open.\n# TYPE prism_breaker_probes_total counter\n");
    for (int d = 0; d < HOST_DEP_COUNT; d++)
        rc |= aws_buf_printf(out, "prism_breaker_probes_total{dependency=\"%s\"} %llu\n",
                             dep_names[d],
                             (unsigned long long) load64(&m->breaker[d][HOST_BREAKER_M_PROBES]));
    return rc != 0 ? -1 : 0;
}

int host_metrics_render(host_metrics_t *m, int workers, aws_buf_t *out)
{
    int rc = 0;

    for (int c = 0; c < HOST_M_NCOUNTERS; c++) {
        rc |= aws_buf_printf(out, "# HELP %s %s\n# TYPE %s counter\n", counter_info[c].name,
                             counter_info[c].help, counter_info[c].name);
        for (int i = 0; i < HOST_METRICS_ROUTES; i++)
            if (m->routes[i].name[0] != '\0')
                rc |= aws_buf_printf(out, "%s{route=\"%s\"} %llu\n", counter_info[c].name,
                                     m->routes[i].name,
                                     (unsigned long long) load64(&m->routes[i].counters[c]));
    }
    rc |= aws_buf_puts(out, "# HELP prism_in_flight Messages being processed now.\n"
                            "# TYPE prism_in_flight gauge\n");
    for (int i = 0; i < HOST_METRICS_ROUTES; i++) {
        long long sum = 0;
        if (m->routes[i].name[0] == '\0')
            continue;
        for (int s = 0; s < HOST_METRICS_SLOTS; s++)
            sum += __atomic_load_n(&m->in_flight[s][i], __ATOMIC_RELAXED);
        rc |= aws_buf_printf(out, "prism_in_flight{route=\"%s\"} %lld\n", m->routes[i].name, sum);
    }
    rc |= aws_buf_puts(out, "# HELP prism_processing_seconds Time from receiving a message to "
                            "its outcome.\n# TYPE prism_processing_seconds histogram\n");
    for (int i = 0; i < HOST_METRICS_ROUTES; i++)
        if (m->routes[i].name[0] != '\0')
            rc |= render_histogram(&m->routes[i], out);
    rc |= render_breakers(m, out);
    rc |= aws_buf_puts(out, "# HELP prism_conformance_warnings_total AWS answers that lacked "
                            "what AWS documents, by kind.\n"
                            "# TYPE prism_conformance_warnings_total counter\n");
    for (int k = 0; k < AWS_CONF_NKINDS; k++)
        rc |= aws_buf_printf(out, "prism_conformance_warnings_total{kind=\"%s\"} %llu\n",
                             aws_conf_kind_name((aws_conf_kind_t) k),
                             (unsigned long long) load64(&m->conformance[k]));
    rc |= aws_buf_printf(out,
                         "# HELP prism_worker_restarts_total Workers that died and were "
                         "respawned.\n# TYPE prism_worker_restarts_total counter\n"
                         "prism_worker_restarts_total %llu\n",
                         (unsigned long long) load64(&m->worker_restarts));
    rc |= aws_buf_printf(out,
                         "# HELP prism_workers Worker processes running.\n"
                         "# TYPE prism_workers gauge\nprism_workers %d\n",
                         workers);
    return rc != 0 ? -1 : 0;
}
