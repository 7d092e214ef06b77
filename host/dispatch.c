/*
 * dispatch — parse, fetch, run the plugin, store, and pick the outcome.
 * See dispatch.h.
 */
#define _GNU_SOURCE /* sigabbrev_np */
#include "dispatch.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "accepts.h"
#include "clock.h"
#include "completion.h"
#include "dead_letter.h"
#include "identity.h"
#include "input.h"
#include "imageinfo.h"
#include "keys.h"
#include "log.h"
#include "memo.h"
#include "message.h"
#include "original.h"
#include "record.h"
#include "s3.h"
#include "store.h"

/* OUT_HOLD: a retry because a dependency failed transiently. */
typedef enum { OUT_OK, OUT_RETRY, OUT_HOLD, OUT_REJECT, OUT_POISON } outcome_t;

/* What one message's handling needs along the way. */
typedef struct {
    host_poller_t *p;
    const aws_sqs_message_t *m;
    host_event_t ev;
    host_log_ctx_t ctx;
    double t0;
    char reason[HOST_DLQ_REASON_MAX];
    host_output_ref_t refs[HOST_OUTPUTS_MAX]; /* what store_outputs stored */
    size_t nrefs;
    int suspect;      /* of a crash: run the plugin solo */
    int id_confirmed; /* the original confirms ev.image_id
                                              (identity.h): a record may be written */
} job_t;

/* Turns an outcome into a disposition: counts it, logs it, and for
 * reject/poison sends the message to the DLQ first. */
static host_disposition_t conclude(job_t *j, outcome_t out)
{
    host_poller_t *p = j->p;
    double ms = (host_monotonic() - j->t0) * 1000.0;
    char err[1024];

    j->ctx.image_id = j->ev.image_id;
    j->ctx.reason = j->reason;
    j->ctx.duration_ms = (double) (long long) (ms * 10.0 + 0.5) / 10.0;
    j->ctx.timed = 1;
    switch (out) {
    case OUT_OK:
        host_metrics_inc(p->metrics, p->metric_route, HOST_M_OK);
        j->ctx.event = "ok";
        host_log(HOST_LOG_INFO, &j->ctx, "ok: %s in %.1f ms", j->reason, ms);
        return HOST_DISPOSE_DELETE;
    case OUT_RETRY:
    case OUT_HOLD:
        host_metrics_inc(p->metrics, p->metric_route, HOST_M_RETRIED);
        j->ctx.event = out == OUT_HOLD ? "held" : "retry";
        host_log(HOST_LOG_WARN, &j->ctx, "retry (attempt %ld%s): %s", j->m->receive_count,
                 out == OUT_HOLD ? ", held while the dependency is unavailable" : "", j->reason);
        return out == OUT_HOLD ? HOST_DISPOSE_HOLD : HOST_DISPOSE_LEAVE;
    case OUT_REJECT:
    case OUT_POISON: break;
    }
    host_metrics_inc(p->metrics, p->metric_route,
                     out == OUT_POISON ? HOST_M_POISON : HOST_M_REJECTED);
    if (host_dead_letter(p->aws, p->route, p->plugin_id, j->m, j->reason, err, sizeof(err)) != 0) {
        host_metrics_inc(p->metrics, p->metric_route, HOST_M_AWS_ERRORS);
        host_metrics_inc(p->metrics, p->metric_route, HOST_M_RETRIED);
        j->ctx.event = "dead_letter_failed";
        host_log(HOST_LOG_ERROR, &j->ctx, "%s (%s) but %s: leaving it for redelivery",
                 out == OUT_POISON ? "poison" : "rejected", j->reason, err);
        return HOST_DISPOSE_LEAVE;
    }
    host_metrics_inc(p->metrics, p->metric_route, HOST_M_DEAD_LETTERED);
    j->ctx.event = out == OUT_POISON ? "poison" : "rejected";
    host_log(HOST_LOG_WARN, &j->ctx, "%s: %s: sent to the DLQ",
             out == OUT_POISON ? "poison" : "rejected", j->reason);
    return HOST_DISPOSE_DELETE;
}

/* Reads a locally stored original into p->input (see original.h). */
static outcome_t fetch_local(job_t *j)
{
    const host_route_conf_t *r = j->p->route;
    char err[900];

    if (r->input_directory == NULL) {
        snprintf(j->reason, sizeof(j->reason),
                 "the original is stored locally (prism.storage "
                 "\"local\") but the route has no input_directory");
        return OUT_REJECT;
    }
    switch (host_original_read_local(r->input_directory, j->ev.key, r->max_input_bytes,
                                     &j->p->input, err, sizeof(err))) {
    case HOST_ORIG_OK: return OUT_OK;
    case HOST_ORIG_FAILED:
        snprintf(j->reason, sizeof(j->reason), "reading the original: %s", err);
        return OUT_RETRY;
    case HOST_ORIG_MISSING:
    case HOST_ORIG_TOO_LARGE:
    case HOST_ORIG_UNSAFE: break;
    }
    snprintf(j->reason, sizeof(j->reason), "original: %s", err);
    return OUT_REJECT;
}

/* Fetches the original into p->input.  Returns OUT_OK, or the outcome
 * of the failure with j->reason set. */
static outcome_t fetch_original(job_t *j, aws_s3_object_info_t *info)
{
    host_poller_t *p = j->p;
    const host_route_conf_t *r = p->route;
    aws_error_t aerr;
    char why[700];

    if (j->ev.size > r->max_input_bytes) {
        snprintf(j->reason, sizeof(j->reason), "original is %lld bytes, over max_input_bytes %lld",
                 j->ev.size, r->max_input_bytes);
        return OUT_REJECT;
    }
    if (j->ev.storage_local)
        return fetch_local(j);
    if (aws_s3_get_object(p->aws, j->ev.bucket, j->ev.key, (size_t) r->max_input_bytes, &p->input,
                          info, &aerr)
        == 0) {
        host_deps_report(p->deps, HOST_DEP_S3, j->ev.bucket, 0, NULL);
        return OUT_OK;
    }
    aws_error_format(&aerr, why, sizeof(why));
    host_deps_report(p->deps, HOST_DEP_S3, j->ev.bucket, aws_error_retryable(&aerr), why);
    if (aerr.kind == AWS_ERR_TOO_LARGE) {
        snprintf(j->reason, sizeof(j->reason),
                 "original s3://%s/%s is over max_input_bytes "
                 "%lld",
                 j->ev.bucket, j->ev.key, r->max_input_bytes);
        return OUT_REJECT;
    }
    if (aws_s3_error_is_not_found(&aerr)) {
        snprintf(j->reason, sizeof(j->reason), "original s3://%s/%s not found: %s", j->ev.bucket,
                 j->ev.key, why);
        return OUT_REJECT;
    }
    /* Without s3:ListBucket, S3 answers a missing key with AccessDenied:
     * treated like a missing original (the DLQ keeps the message should
     * it be a permission problem instead). */
    if (aws_error_is(&aerr, "AccessDenied")) {
        snprintf(j->reason, sizeof(j->reason),
                 "original s3://%s/%s not readable (missing, or "
                 "no s3:GetObject permission): %s",
                 j->ev.bucket, j->ev.key, why);
        return OUT_REJECT;
    }
    host_metrics_inc(p->metrics, p->metric_route, HOST_M_AWS_ERRORS);
    snprintf(j->reason, sizeof(j->reason), "fetching s3://%s/%s: %s", j->ev.bucket, j->ev.key, why);
    return aws_error_retryable(&aerr) ? OUT_HOLD : OUT_RETRY;
}

/* Stores every output the plugin emitted.  Returns OUT_OK (j->reason
 * summarises), OUT_RETRY when a store failed (OUT_HOLD when S3 was
 * unavailable), OUT_REJECT when a key can never be stored (too long,
 * unsafe as a local path). */
static outcome_t store_outputs(job_t *j)
{
    host_poller_t *p = j->p;
    char key[1100];
    char err[900];
    int rc, transient;

    for (size_t i = 0; i < p->outputs.n; i++) {
        host_output_item_t *it = &p->outputs.items[i];

        if (host_key_derive(p->route->prefix, j->ev.key, p->route->name, it->suffix, key,
                            sizeof(key))
            < 0) {
            snprintf(j->reason, sizeof(j->reason), "derived key for \"%s\" exceeds 1024 bytes",
                     it->suffix);
            return OUT_REJECT;
        }
        rc = host_store_put(p->route, p->aws, key, it->content_type, it->data, it->len, &transient,
                            err, sizeof(err));
        if (p->route->bucket != NULL && rc != -2)
            host_deps_report(p->deps, HOST_DEP_S3, p->route->bucket, transient, err);
        if (rc != 0) {
            snprintf(j->reason, sizeof(j->reason), "storing %.300s: %.600s", key, err);
            if (rc == -2)
                return OUT_REJECT;
            host_metrics_inc(p->metrics, p->metric_route, HOST_M_AWS_ERRORS);
            return transient ? OUT_HOLD : OUT_RETRY;
        }
        host_log(HOST_LOG_DEBUG, &j->ctx, "stored %s (%zu bytes, %s)", key, it->len,
                 it->content_type);
        snprintf(j->refs[j->nrefs].key, sizeof(j->refs[j->nrefs].key), "%s", key);
        snprintf(j->refs[j->nrefs].content_type, sizeof(j->refs[j->nrefs].content_type), "%s",
                 it->content_type);
        j->refs[j->nrefs].size = it->len;
        host_output_ref_probe(&j->refs[j->nrefs], it->data, it->len);
        j->nrefs++;
    }
    snprintf(j->reason, sizeof(j->reason), "%zu output(s) stored", p->outputs.n);
    return OUT_OK;
}

/* Runs the plugin on the fetched original and stores its outputs. */
static outcome_t run_plugin(job_t *j, const aws_s3_object_info_t *info)
{
    host_poller_t *p = j->p;
    const prism_plugin_t *d = p->inst.plugin->desc;
    prism_input_t in;
    prism_result_t res;

    memset(&in, 0, sizeof(in));
    in.data = (const unsigned char *) p->input.data;
    in.len = p->input.len;
    in.key = j->ev.key;
    in.content_type = j->ev.content_type != NULL      ? j->ev.content_type
                      : info->content_type[0] != '\0' ? info->content_type
                                                      : NULL;
    in.width = j->ev.width;
    in.height = j->ev.height;
    in.image_id = j->ev.image_id;
    in.request_id = j->ev.request_id;

    host_outputs_reset(&p->outputs, &j->ctx);
    host_crash_ledger_enter(p->crash, p->worker_slot, p->crash_thread, j->m->message_id,
                            p->route->name, j->suspect);
    res = d->process(p->inst.state, &in, &p->outputs.api);
    host_crash_ledger_leave(p->crash, p->worker_slot, p->crash_thread);
    switch (res) {
    case PRISM_OK: return store_outputs(j);
    case PRISM_RETRY:
        snprintf(j->reason, sizeof(j->reason), "plugin %s: %s", d->name,
                 p->outputs.reason[0] ? p->outputs.reason : "asked for a retry");
        return OUT_RETRY;
    case PRISM_REJECT:
        snprintf(j->reason, sizeof(j->reason), "plugin %s: %s", d->name,
                 p->outputs.reason[0] ? p->outputs.reason : "rejected without a reason");
        return OUT_REJECT;
    }
    snprintf(j->reason, sizeof(j->reason), "plugin %s returned an unknown result %d", d->name,
             (int) res);
    return OUT_RETRY;
}

/* Remembers, after the record or completion write failed with WHY
 * (TRANSIENT: the dependency was unavailable), the outcome OUT (reason
 * SUMMARY) and its stored outputs, so that the next attempt only writes
 * the record and the event (memo.h).  Returns OUT_HOLD or OUT_RETRY, j->reason set. */
static outcome_t announce_failed(job_t *j, outcome_t out, const char *summary, int transient,
                                 const char *why)
{
    host_poller_t *p = j->p;

    host_metrics_inc(p->metrics, p->metric_route, HOST_M_AWS_ERRORS);
    if (host_memo_put(p->memo, j->m->message_id,
                      (out == OUT_OK ? HOST_MEMO_OK : 0)
                          | (j->id_confirmed ? HOST_MEMO_ID_CONFIRMED : 0),
                      summary, j->refs, j->nrefs)
        != 0)
        host_log(HOST_LOG_WARN, &j->ctx,
                 "out of memory: the next attempt runs the plugin "
                 "again");
    snprintf(j->reason, sizeof(j->reason),
             "%s (outcome kept: the next attempt only writes "
             "the record and the event)",
             why);
    return transient ? OUT_HOLD : OUT_RETRY;
}

/* Tells the world what the route did with the image, for an OUT_OK or
 * OUT_REJECT outcome OUT: writes the record (record.table set and the
 * original confirmed the event's imageId) and, when OK, publishes the
 * completion event (completion_topic_arn set).  Returns OUT, or OUT_RETRY /
 * OUT_HOLD with j->reason set when a write failed (see announce_failed). */
static outcome_t announce(job_t *j, outcome_t out)
{
    host_poller_t *p = j->p;
    const host_route_conf_t *r = p->route;
    host_route_result_t res;
    char at[40], err[900], why[1000], summary[HOST_DLQ_REASON_MAX];
    int transient;

    if (out != OUT_OK && out != OUT_REJECT)
        return out;
    host_iso8601_now(at, sizeof(at));
    memset(&res, 0, sizeof(res));
    res.route = r->name;
    res.bucket = r->bucket;
    res.ok = out == OUT_OK;
    res.reason = j->reason;
    res.plugin = p->inst.plugin->desc->name;
    res.plugin_version = p->inst.plugin->desc->version;
    res.at = at;
    res.processing_ms = (long long) ((host_monotonic() - j->t0) * 1000.0);
    res.outputs = j->refs;
    res.noutputs = res.ok ? j->nrefs : 0;
    snprintf(summary, sizeof(summary), "%s", j->reason);
    if (r->record_table != NULL && j->id_confirmed) {
        int rc =
            host_record_write(p->aws, r->record_table, &j->ev, &res, &transient, err, sizeof(err));

        host_deps_report(p->deps, HOST_DEP_DYNAMODB, r->record_table, rc != 0 && transient, err);
        if (rc != 0) {
            snprintf(why, sizeof(why), "image record: %s", err);
            return announce_failed(j, out, summary, transient, why);
        }
    }
    if (res.ok && r->completion_topic_arn != NULL) {
        int rc = host_completion_publish(p->aws, r->completion_topic_arn, &j->ev, &res, &transient,
                                         err, sizeof(err));

        host_deps_report(p->deps, HOST_DEP_SNS, r->completion_topic_arn, rc != 0 && transient, err);
        if (rc != 0) {
            snprintf(why, sizeof(why), "completion event: %s", err);
            return announce_failed(j, out, summary, transient, why);
        }
    }
    return out;
}

/* Returns 1, with j->reason set, when the crash ledger condemns the
 * message (its plugin crashed the worker on it, see crash_ledger.h);
 * else 0, with j->suspect set when it was in a plugin at a crash. */
static int condemned_by_crash(job_t *j)
{
    int crashes, sig, certain;

    if (!host_crash_ledger_verdict(j->p->crash, j->m->message_id, &crashes, &sig, &certain)) {
        j->suspect = crashes > 0;
        return 0;
    }
    if (certain)
        snprintf(j->reason, sizeof(j->reason),
                 "plugin crashed (signal %d, SIG%s) while "
                 "processing this message",
                 sig, sigabbrev_np(sig));
    else
        snprintf(j->reason, sizeof(j->reason),
                 "plugin crashed %d times (last: signal %d, "
                 "SIG%s) while this message was among those being processed",
                 crashes, sig, sigabbrev_np(sig));
    return 1;
}

/* Returns 1, with *OUT the outcome and j's reason, outputs and identity
 * verdict restored,
 * when a previous attempt stored the message's outputs but could not
 * write its record or completion event (memo.h); else 0. */
static int outputs_remembered(job_t *j, outcome_t *out)
{
    unsigned flags;

    if (!host_memo_take(j->p->memo, j->m->message_id, &flags, j->reason, sizeof(j->reason), j->refs,
                        HOST_OUTPUTS_MAX, &j->nrefs))
        return 0;
    *out = (flags & HOST_MEMO_OK) ? OUT_OK : OUT_REJECT;
    j->id_confirmed = (flags & HOST_MEMO_ID_CONFIRMED) != 0;
    host_log(HOST_LOG_INFO, &j->ctx,
             "outcome kept from an earlier attempt (%s): writing the "
             "record and the completion event only, without running the plugin",
             j->reason);
    return 1;
}

/* Checks the event's imageId against the fetched original (its
 * prism-image-id metadata, INFO, for an S3 original; else its key): sets
 * j->id_confirmed and returns OUT_OK, or OUT_REJECT with j->reason set
 * when the original contradicts the id. */
static outcome_t confirm_identity(job_t *j, const aws_s3_object_info_t *info)
{
    const char *meta = j->ev.storage_local ? NULL : aws_s3_object_meta(info, ING_META_IMAGE_ID);

    switch (host_image_id_check(j->ev.image_id, meta, j->ev.key, j->reason, sizeof(j->reason))) {
    case HOST_ID_CONFIRMED: j->id_confirmed = 1; return OUT_OK;
    case HOST_ID_MISMATCH: j->id_confirmed = 0; return OUT_REJECT;
    case HOST_ID_NONE: break;
    }
    j->id_confirmed = 0;
    return OUT_OK;
}

/* Reserves the decode memory the fetched original needs in the worker's
 * budget (budget.h), then runs the plugin and gives the memory back.
 * An image over the whole budget is rejected, one that found no room
 * within memory.decode_wait_seconds is retried; j->reason says why. */
static outcome_t run_within_budget(job_t *j, const aws_s3_object_info_t *info)
{
    host_poller_t *p = j->p;
    uint64_t cost;
    outcome_t out;

    switch (host_budget_admit(p->budget, p->input.data, p->input.len, &cost, j->reason,
                              sizeof(j->reason))) {
    case HOST_BUDGET_TOO_LARGE: return OUT_REJECT;
    case HOST_BUDGET_BUSY: return OUT_RETRY;
    case HOST_BUDGET_OK: break;
    }
    out = run_plugin(j, info);
    host_budget_release(p->budget, cost);
    return out;
}

/* Returns 1, with j->reason set, when TYPE (the event's contentType, or
 * when SNIFFED the type of the original's bytes) is not one the route's
 * plugin accepts; else 0. */
static int refused_type(job_t *j, const char *type, int sniffed)
{
    const prism_plugin_t *d = j->p->inst.plugin->desc;

    return host_accepts_refuse(d->accepts, d->name, type, sniffed, j->reason, sizeof(j->reason));
}

/* Handles a message that names an object to process: a type the plugin
 * does not accept is rejected before the original is fetched, or, when
 * the event names no type, before the plugin runs if the original's bytes
 * are a type imageinfo knows (other bytes are left to the plugin). */
static outcome_t handle_image(job_t *j)
{
    const host_route_conf_t *r = j->p->route;
    aws_s3_object_info_t info;
    outcome_t out;

    if (host_input_admit(r, &j->ev, j->reason, sizeof(j->reason)) != 0)
        return OUT_REJECT;
    /* before the original is read, only its key can confirm the id: a
     * reject now is recorded only then */
    j->id_confirmed =
        host_image_id_check(j->ev.image_id, NULL, j->ev.key, j->reason, sizeof(j->reason))
        == HOST_ID_CONFIRMED;
    if (j->m->receive_count > r->max_attempts) {
        snprintf(j->reason, sizeof(j->reason), "max_attempts %d exceeded: received %ld times",
                 r->max_attempts, j->m->receive_count);
        return announce(j, OUT_REJECT);
    }
    if (outputs_remembered(j, &out))
        return announce(j, out);
    if (condemned_by_crash(j))
        return announce(j, OUT_REJECT);
    if (j->ev.content_type != NULL && refused_type(j, j->ev.content_type, 0))
        return announce(j, OUT_REJECT);
    memset(&info, 0, sizeof(info));
    out = fetch_original(j, &info);
    if (out == OUT_OK && j->ev.content_type == NULL) {
        ii_type_t sniffed = ii_sniff(j->p->input.data, j->p->input.len);

        if (sniffed != II_TYPE_UNKNOWN && refused_type(j, ii_type_mime(sniffed), 1))
            out = OUT_REJECT;
    }
    if (out == OUT_OK)
        out = confirm_identity(j, &info);
    if (out == OUT_OK)
        out = run_within_budget(j, &info);
    aws_s3_object_info_free(&info);
    return announce(j, out);
}

host_disposition_t host_dispatch(host_poller_t *p, const aws_sqs_message_t *m)
{
    job_t j;
    host_disposition_t d;

    memset(&j, 0, sizeof(j));
    j.p = p;
    j.m = m;
    j.t0 = host_monotonic();
    j.ctx.route = p->route->name;
    j.ctx.message_id = m->message_id;
    host_metrics_in_flight(p->metrics, p->worker_slot, p->metric_route, 1);

    switch (host_message_parse(m->body, m->body_len, &j.ev, j.reason, sizeof(j.reason))) {
    case HOST_MSG_TEST_EVENT:
        snprintf(j.reason, sizeof(j.reason), "s3:TestEvent, nothing to do");
        d = conclude(&j, OUT_OK);
        break;
    case HOST_MSG_POISON: d = conclude(&j, OUT_POISON); break;
    case HOST_MSG_IMAGE:
    default:
        j.ctx.request_id = j.ev.request_id;
        host_log(HOST_LOG_DEBUG, &j.ctx, "%s%s for s3://%s/%s (attempt %ld)", j.ev.shape,
                 j.ev.sns_envelope ? " in SNS envelope" : "", j.ev.bucket, j.ev.key,
                 m->receive_count);
        d = conclude(&j, handle_image(&j));
        break;
    }
    host_metrics_observe(p->metrics, p->metric_route, host_monotonic() - j.t0);
    host_metrics_in_flight(p->metrics, p->worker_slot, p->metric_route, -1);
    host_event_free(&j.ev);
    return d;
}
