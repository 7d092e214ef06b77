
/*
 * Upload counters shared by all workers, and the status handler.
 *
 * The counters live in a shared memory zone ("prism_status") as atomic
 * words, so every worker adds to the same numbers without a lock and a
 * reload keeps them (the zone is reused when its size is unchanged).
 * "prism_status" answers them as Prometheus text (the default) or JSON.
 */


#include "ngx_http_prism.h"


#define NGX_HTTP_PRISM_ZONE_SIZE  (64 * 1024)

#define NGX_HTTP_PRISM_NBUCKETS   12


typedef struct {
    ngx_atomic_t   uploads[ngx_http_prism_n_outcomes];
    ngx_atomic_t   bytes;
    ngx_atomic_t   in_flight;

    ngx_atomic_t   stores[2];                 /* failed, ok */
    ngx_atomic_t   store_retries;
    ngx_atomic_t   store_ms;

    ngx_atomic_t   publishes[2];              /* failed, ok */
    ngx_atomic_t   publish_retries;
    ngx_atomic_t   publish_ms;
    ngx_atomic_t   publish_le[NGX_HTTP_PRISM_NBUCKETS + 1];

    ngx_atomic_t   unstores[2];               /* failed, ok */

    ngx_atomic_t   outbox_queued;
    ngx_atomic_t   outbox_replayed;
    ngx_atomic_t   outbox_failed;
    ngx_atomic_t   outbox_entries;            /* at the last look */

    ngx_atomic_t   intents_written;
    ngx_atomic_t   intents_published;
    ngx_atomic_t   intents_forgotten;
} ngx_http_prism_counters_t;


static ngx_int_t ngx_http_prism_status_init_zone(ngx_shm_zone_t *shm_zone,
    void *data);
static ngx_http_prism_counters_t *ngx_http_prism_counters(
    ngx_http_request_t *r);
static u_char *ngx_http_prism_status_prometheus(u_char *p,
    ngx_http_prism_counters_t *sc);
static u_char *ngx_http_prism_status_json(u_char *p,
    ngx_http_prism_counters_t *sc);


/* upper bounds of the publish latency histogram, milliseconds */

static ngx_msec_t  ngx_http_prism_buckets[NGX_HTTP_PRISM_NBUCKETS] = {
    5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000
};


static ngx_str_t  ngx_http_prism_zone_name = ngx_string("prism_status");


/*
 * Declares the counters' shared memory zone (configuration time).
 * Returns NGX_OK, or NGX_ERROR when the zone cannot be added.
 */

ngx_int_t
ngx_http_prism_status_zone(ngx_conf_t *cf, ngx_http_prism_main_conf_t *pmcf)
{
    ngx_shm_zone_t  *shm_zone;

    shm_zone = ngx_shared_memory_add(cf, &ngx_http_prism_zone_name,
                                     NGX_HTTP_PRISM_ZONE_SIZE,
                                     &ngx_http_prism_module);
    if (shm_zone == NULL) {
        return NGX_ERROR;
    }

    shm_zone->init = ngx_http_prism_status_init_zone;
    shm_zone->data = pmcf;

    pmcf->shm_zone = shm_zone;

    return NGX_OK;
}


/*
 * Zone init: keeps the counters of the previous cycle (data), else
 * allocates zeroed ones.  Returns NGX_OK, or NGX_ERROR when the zone is
 * too small.
 */

static ngx_int_t
ngx_http_prism_status_init_zone(ngx_shm_zone_t *shm_zone, void *data)
{
    ngx_slab_pool_t            *shpool;
    ngx_http_prism_counters_t  *sc;

    if (data) {
        shm_zone->data = data;
        return NGX_OK;
    }

    shpool = (ngx_slab_pool_t *) shm_zone->shm.addr;

    if (shm_zone->shm.exists) {
        shm_zone->data = shpool->data;
        return NGX_OK;
    }

    sc = ngx_slab_calloc(shpool, sizeof(ngx_http_prism_counters_t));
    if (sc == NULL) {
        return NGX_ERROR;
    }

    shpool->data = sc;
    shm_zone->data = sc;

    return NGX_OK;
}


/* Returns the shared counters, or NULL before the zone exists. */

static ngx_http_prism_counters_t *
ngx_http_prism_counters(ngx_http_request_t *r)
{
    ngx_http_prism_main_conf_t  *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_prism_module);

    if (pmcf->shm_zone == NULL) {
        return NULL;
    }

    return pmcf->shm_zone->data;
}


/* Counts one finished upload by outcome, and its stored bytes. */

void
ngx_http_prism_count_upload(ngx_http_request_t *r,
    ngx_http_prism_outcome_e outcome, off_t bytes)
{
    ngx_http_prism_counters_t  *sc;

    sc = ngx_http_prism_counters(r);
    if (sc == NULL) {
        return;
    }

    (void) ngx_atomic_fetch_add(&sc->uploads[outcome], 1);

    if (outcome == ngx_http_prism_created) {
        (void) ngx_atomic_fetch_add(&sc->bytes, (ngx_atomic_int_t) bytes);
    }
}


/* Adds delta (+1 or -1) to the uploads being processed. */

void
ngx_http_prism_count_in_flight(ngx_http_request_t *r, ngx_int_t delta)
{
    ngx_http_prism_counters_t  *sc;

    sc = ngx_http_prism_counters(r);
    if (sc == NULL) {
        return;
    }

    (void) ngx_atomic_fetch_add(&sc->in_flight, delta);
}


/* Counts one finished store: its result, retries and latency. */

void
ngx_http_prism_count_store(ngx_http_request_t *r, ngx_uint_t ok,
    ngx_uint_t attempts, ngx_msec_t latency)
{
    ngx_http_prism_counters_t  *sc;

    sc = ngx_http_prism_counters(r);
    if (sc == NULL) {
        return;
    }

    (void) ngx_atomic_fetch_add(&sc->stores[ok ? 1 : 0], 1);
    (void) ngx_atomic_fetch_add(&sc->store_retries,
                                attempts > 1 ? attempts - 1 : 0);
    (void) ngx_atomic_fetch_add(&sc->store_ms, latency);
}


/*
 * Counts one finished SNS publish: its result, retries, and its latency
 * in the histogram.
 */

void
ngx_http_prism_count_publish(ngx_http_request_t *r, ngx_uint_t ok,
    ngx_uint_t attempts, ngx_msec_t latency)
{
    ngx_uint_t                  i;
    ngx_http_prism_counters_t  *sc;

    sc = ngx_http_prism_counters(r);
    if (sc == NULL) {
        return;
    }

    (void) ngx_atomic_fetch_add(&sc->publishes[ok ? 1 : 0], 1);
    (void) ngx_atomic_fetch_add(&sc->publish_retries,
                                attempts > 1 ? attempts - 1 : 0);
    (void) ngx_atomic_fetch_add(&sc->publish_ms, latency);

    for (i = 0; i < NGX_HTTP_PRISM_NBUCKETS; i++) {
        if (latency <= ngx_http_prism_buckets[i]) {
            break;
        }
    }

    (void) ngx_atomic_fetch_add(&sc->publish_le[i], 1);
}


/* Counts the removal of a stored original after a failed publish. */

void
ngx_http_prism_count_unstore(ngx_http_request_t *r, ngx_uint_t ok)
{
    ngx_http_prism_counters_t  *sc;

    sc = ngx_http_prism_counters(r);
    if (sc == NULL) {
        return;
    }

    (void) ngx_atomic_fetch_add(&sc->unstores[ok ? 1 : 0], 1);
}


/*
 * Counts events journaled in the outbox, replayed from it, and given up
 * (moved to its failed/ directory).
 */

void
ngx_http_prism_count_outbox(ngx_http_prism_main_conf_t *pmcf,
    ngx_uint_t queued, ngx_uint_t replayed, ngx_uint_t failed)
{
    ngx_http_prism_counters_t  *sc;

    if (pmcf->shm_zone == NULL) {
        return;
    }

    sc = pmcf->shm_zone->data;

    (void) ngx_atomic_fetch_add(&sc->outbox_queued, queued);
    (void) ngx_atomic_fetch_add(&sc->outbox_replayed, replayed);
    (void) ngx_atomic_fetch_add(&sc->outbox_failed, failed);
}


/*
 * Counts uploads' intents written, and those left by dead workers that
 * the replay resolved: their event published, or forgotten.
 */

void
ngx_http_prism_count_intents(ngx_http_prism_main_conf_t *pmcf,
    ngx_uint_t written, ngx_uint_t published, ngx_uint_t forgotten)
{
    ngx_http_prism_counters_t  *sc;

    if (pmcf->shm_zone == NULL) {
        return;
    }

    sc = pmcf->shm_zone->data;

    (void) ngx_atomic_fetch_add(&sc->intents_written, written);
    (void) ngx_atomic_fetch_add(&sc->intents_published, published);
    (void) ngx_atomic_fetch_add(&sc->intents_forgotten, forgotten);
}


/* Records the number of entries a worker just saw in the outbox. */

void
ngx_http_prism_count_outbox_depth(ngx_http_prism_main_conf_t *pmcf,
    ngx_uint_t depth)
{
    ngx_http_prism_counters_t  *sc;

    if (pmcf->shm_zone == NULL) {
        return;
    }

    sc = pmcf->shm_zone->data;

    sc->outbox_entries = depth;
}


/*
 * The "prism_status" content handler: GET or HEAD, answers the counters
 * in the location's format.  Returns the result of sending them, or an
 * HTTP error status.
 */

ngx_int_t
ngx_http_prism_status_handler(ngx_http_request_t *r)
{
    size_t                      size;
    ngx_int_t                   rc;
    ngx_buf_t                  *b;
    ngx_http_prism_loc_conf_t  *plcf;
    ngx_http_prism_counters_t  *sc;

    if (!(r->method & (NGX_HTTP_GET|NGX_HTTP_HEAD))) {
        return NGX_HTTP_NOT_ALLOWED;
    }

    rc = ngx_http_discard_request_body(r);
    if (rc != NGX_OK) {
        return rc;
    }

    sc = ngx_http_prism_counters(r);
    if (sc == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    plcf = ngx_http_get_module_loc_conf(r, ngx_http_prism_module);

    if (plcf->status == NGX_HTTP_PRISM_STATUS_JSON) {
        ngx_str_set(&r->headers_out.content_type, "application/json");

    } else {
        ngx_str_set(&r->headers_out.content_type,
                    "text/plain; version=0.0.4; charset=utf-8");
    }

    r->headers_out.content_type_len = r->headers_out.content_type.len;
    r->headers_out.content_type_lowcase = NULL;

    /* a generous bound: every line below with NGX_ATOMIC_T_LEN digits */

    size = (ngx_http_prism_n_outcomes + NGX_HTTP_PRISM_NBUCKETS + 48)
           * (128 + NGX_ATOMIC_T_LEN);

    b = ngx_create_temp_buf(r->pool, size);
    if (b == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (plcf->status == NGX_HTTP_PRISM_STATUS_JSON) {
        b->last = ngx_http_prism_status_json(b->last, sc);

    } else {
        b->last = ngx_http_prism_status_prometheus(b->last, sc);
    }

    return ngx_http_prism_send_buf(r, NGX_HTTP_OK, b);
}


/* Writes the counters as Prometheus text exposition format. */

static u_char *
ngx_http_prism_status_prometheus(u_char *p, ngx_http_prism_counters_t *sc)
{
    ngx_uint_t        i;
    ngx_atomic_int_t  cumulative, count;

    p = ngx_sprintf(p, "# HELP prism_uploads_total Uploads by outcome.\n"
                       "# TYPE prism_uploads_total counter\n");

    for (i = 0; i < ngx_http_prism_n_outcomes; i++) {
        p = ngx_sprintf(p, "prism_uploads_total{outcome=\"%V\"} %uA\n",
                        &ngx_http_prism_outcomes[i].code, sc->uploads[i]);
    }

    p = ngx_sprintf(p,
            "# HELP prism_upload_bytes_total Bytes of stored originals.\n"
            "# TYPE prism_upload_bytes_total counter\n"
            "prism_upload_bytes_total %uA\n"
            "# HELP prism_uploads_in_flight Uploads being processed.\n"
            "# TYPE prism_uploads_in_flight gauge\n"
            "prism_uploads_in_flight %uA\n",
            sc->bytes, sc->in_flight);

    p = ngx_sprintf(p,
            "# HELP prism_stores_total Originals stored, by result.\n"
            "# TYPE prism_stores_total counter\n"
            "prism_stores_total{result=\"ok\"} %uA\n"
            "prism_stores_total{result=\"failed\"} %uA\n"
            "# HELP prism_store_retries_total Store attempts retried.\n"
            "# TYPE prism_store_retries_total counter\n"
            "prism_store_retries_total %uA\n"
            "# HELP prism_store_seconds_total Time spent storing.\n"
            "# TYPE prism_store_seconds_total counter\n"
            "prism_store_seconds_total %uA.%03uA\n",
            sc->stores[1], sc->stores[0], sc->store_retries,
            sc->store_ms / 1000, sc->store_ms % 1000);

    p = ngx_sprintf(p,
            "# HELP prism_publishes_total SNS publishes, by result.\n"
            "# TYPE prism_publishes_total counter\n"
            "prism_publishes_total{result=\"ok\"} %uA\n"
            "prism_publishes_total{result=\"failed\"} %uA\n"
            "# HELP prism_publish_retries_total SNS attempts retried.\n"
            "# TYPE prism_publish_retries_total counter\n"
            "prism_publish_retries_total %uA\n"
            "# HELP prism_publish_seconds SNS publish latency, retries "
            "included.\n"
            "# TYPE prism_publish_seconds histogram\n",
            sc->publishes[1], sc->publishes[0], sc->publish_retries);

    cumulative = 0;

    for (i = 0; i < NGX_HTTP_PRISM_NBUCKETS; i++) {
        cumulative += sc->publish_le[i];
        p = ngx_sprintf(p, "prism_publish_seconds_bucket{le=\"%M.%03M\"} %uA\n",
                        ngx_http_prism_buckets[i] / 1000,
                        ngx_http_prism_buckets[i] % 1000, cumulative);
    }

    count = cumulative + sc->publish_le[NGX_HTTP_PRISM_NBUCKETS];

    p = ngx_sprintf(p,
            "prism_publish_seconds_bucket{le=\"+Inf\"} %uA\n"
            "prism_publish_seconds_sum %uA.%03uA\n"
            "prism_publish_seconds_count %uA\n",
            count, sc->publish_ms / 1000, sc->publish_ms % 1000, count);

    p = ngx_sprintf(p,
            "# HELP prism_unstores_total Originals removed after a failed "
            "publish, by result.\n"
            "# TYPE prism_unstores_total counter\n"
            "prism_unstores_total{result=\"ok\"} %uA\n"
            "prism_unstores_total{result=\"failed\"} %uA\n",
            sc->unstores[1], sc->unstores[0]);

    p = ngx_sprintf(p,
            "# HELP prism_outbox_events_total Events journaled in the "
            "outbox, replayed from it, or given up.\n"
            "# TYPE prism_outbox_events_total counter\n"
            "prism_outbox_events_total{result=\"queued\"} %uA\n"
            "prism_outbox_events_total{result=\"replayed\"} %uA\n"
            "prism_outbox_events_total{result=\"failed\"} %uA\n"
            "# HELP prism_outbox_entries Entries in the outbox at the last "
            "look.\n"
            "# TYPE prism_outbox_entries gauge\n"
            "prism_outbox_entries %uA\n",
            sc->outbox_queued, sc->outbox_replayed, sc->outbox_failed,
            sc->outbox_entries);

    p = ngx_sprintf(p,
            "# HELP prism_intents_total Uploads' intents written, and "
            "those of dead workers resolved: published or forgotten.\n"
            "# TYPE prism_intents_total counter\n"
            "prism_intents_total{result=\"written\"} %uA\n"
            "prism_intents_total{result=\"published\"} %uA\n"
            "prism_intents_total{result=\"forgotten\"} %uA\n",
            sc->intents_written, sc->intents_published,
            sc->intents_forgotten);

    return p;
}


/* Writes the counters as one JSON object. */

static u_char *
ngx_http_prism_status_json(u_char *p, ngx_http_prism_counters_t *sc)
{
    ngx_uint_t        i;
    ngx_atomic_int_t  count;

    p = ngx_sprintf(p, "{\"uploads\":{");

    for (i = 0; i < ngx_http_prism_n_outcomes; i++) {
        p = ngx_sprintf(p, "%s\"%V\":%uA", i ? "," : "",
                        &ngx_http_prism_outcomes[i].code, sc->uploads[i]);
    }

    p = ngx_sprintf(p, "},\"bytes\":%uA,\"inFlight\":%uA,"
                    "\"stores\":{\"ok\":%uA,\"failed\":%uA,\"retries\":%uA,"
                    "\"ms\":%uA},",
                    sc->bytes, sc->in_flight, sc->stores[1], sc->stores[0],
                    sc->store_retries, sc->store_ms);

    count = 0;

    for (i = 0; i <= NGX_HTTP_PRISM_NBUCKETS; i++) {
        count += sc->publish_le[i];
    }

    p = ngx_sprintf(p, "\"publishes\":{\"ok\":%uA,\"failed\":%uA,"
                    "\"retries\":%uA,\"latency\":{\"count\":%uA,"
                    "\"sumMs\":%uA,\"buckets\":[",
                    sc->publishes[1], sc->publishes[0], sc->publish_retries,
                    count, sc->publish_ms);

    for (i = 0; i <= NGX_HTTP_PRISM_NBUCKETS; i++) {
        if (i < NGX_HTTP_PRISM_NBUCKETS) {
            p = ngx_sprintf(p, "%s{\"leMs\":%M,\"count\":%uA}", i ? "," : "",
                            ngx_http_prism_buckets[i], sc->publish_le[i]);

        } else {
            p = ngx_sprintf(p, ",{\"leMs\":null,\"count\":%uA}",
                            sc->publish_le[i]);
        }
    }

    p = ngx_sprintf(p, "]}},\"unstores\":{\"ok\":%uA,\"failed\":%uA},"
                    "\"outbox\":{\"queued\":%uA,\"replayed\":%uA,"
                    "\"failed\":%uA,\"entries\":%uA},"
                    "\"intents\":{\"written\":%uA,\"published\":%uA,"
                    "\"forgotten\":%uA}}\n",
                    sc->unstores[1], sc->unstores[0], sc->outbox_queued,
                    sc->outbox_replayed, sc->outbox_failed,
                    sc->outbox_entries, sc->intents_written,
                    sc->intents_published, sc->intents_forgotten);

    return p;
}
