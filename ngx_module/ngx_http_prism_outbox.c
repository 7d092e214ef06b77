
/*
 * The outbox: events journaled while SNS is unavailable.
 *
 * When a publish fails for a reason that may pass (network, timeout, 5xx,
 * throttling: aws_error_retryable) and "prism_outbox" is set, the event
 * is written to the spool directory and the upload is answered 201 with
 * "notification":"queued"; the original stays stored.  An entry is one
 * JSON file, IMAGE_ID.json, holding all that Publish needs (topic ARN,
 * message, attributes, and for a FIFO topic the message group and
 * deduplication ids) plus the upload's key and request id.  It appears
 * atomically and durably: written to .IMAGE_ID.tmp, fsync()ed, renamed,
 * then the directory is fsync()ed; only then is the 201 sent.
 *
 * The spool also holds the intents of the uploads under way
 * (ngx_http_prism_intent.c), IMAGE_ID.intent, written by the same code.
 * The replay reads both back through ngx_http_prism_outbox_spool.c.
 *
 * This file I/O blocks, so it runs in prism_thread_pool; the event loop
 * only closes descriptors (of local files: that does not wait).
 */


#include "ngx_http_prism.h"

#if (NGX_THREADS)

#include <sys/file.h>

#include "spool_entry.h"


static ngx_int_t ngx_http_prism_outbox_encode(ngx_http_request_t *r,
    ngx_http_prism_ctx_t *ctx, ngx_http_prism_journal_t *jn,
    time_t resolve_after);
static ngx_int_t ngx_http_prism_outbox_written(ngx_http_request_t *r,
    void *data);


/*
 * "prism_outbox PATH [max_age=TIME]".  The directory is created when
 * nginx starts (mode 0700, owned by the workers' user), like the
 * *_temp_path directories.  Returns NGX_CONF_OK, or an error.
 */

char *
ngx_http_prism_outbox_directive(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_prism_main_conf_t *pmcf = conf;

    u_char                   *p;
    ngx_str_t                *value, s;
    ngx_uint_t                i;
    ngx_path_t               *path;
    ngx_http_prism_outbox_t  *outbox;

    if (pmcf->outbox) {
        return "is duplicate";
    }

    value = cf->args->elts;

    outbox = ngx_pcalloc(cf->pool, sizeof(ngx_http_prism_outbox_t));
    path = ngx_pcalloc(cf->pool, sizeof(ngx_path_t));
    if (outbox == NULL || path == NULL) {
        return NGX_CONF_ERROR;
    }

    s = value[1];

    if (s.len > 1 && s.data[s.len - 1] == '/') {
        s.len--;
    }

    if (ngx_conf_full_name(cf->cycle, &s, 0) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    /* the file functions want a NUL-terminated name */

    p = ngx_pnalloc(cf->pool, s.len + 1);
    if (p == NULL) {
        return NGX_CONF_ERROR;
    }

    ngx_cpystrn(p, s.data, s.len + 1);

    path->name.data = p;
    path->name.len = s.len;
    path->conf_file = cf->conf_file->file.name.data;
    path->line = cf->conf_file->line;

    for (i = 2; i < cf->args->nelts; i++) {

        if (ngx_strncmp(value[i].data, "max_age=", 8) == 0) {
            s.data = value[i].data + 8;
            s.len = value[i].len - 8;

            outbox->max_age = ngx_parse_time(&s, 1);

            if (outbox->max_age == (time_t) NGX_ERROR
                || outbox->max_age == 0)
            {
                return "has an invalid \"max_age\" value";
            }

            continue;
        }

        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "prism: invalid parameter \"%V\" in \"%V\" "
                           "directive, expected max_age=TIME",
                           &value[i], &cmd->name);
        return NGX_CONF_ERROR;
    }

    if (ngx_add_path(cf, &path) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    outbox->path = path;
    pmcf->outbox = outbox;

    return NGX_CONF_OK;
}


/*
 * JOURNAL: journals the event of an upload whose publish failed with
 * err, when the configuration has an outbox and err may pass.  Returns
 * NGX_AGAIN when the journaling runs (NGX_OK, or NGX_ERROR when it
 * failed, go to ngx_http_prism_resume()), NGX_DECLINED when the event is
 * not for the outbox, or NGX_ERROR after logging when it cannot be
 * journaled.
 */

ngx_int_t
ngx_http_prism_outbox_journal(ngx_http_request_t *r,
    ngx_http_prism_ctx_t *ctx, const aws_error_t *err)
{
    ngx_thread_task_t            *task;
    ngx_http_prism_journal_t     *jn;
    ngx_http_prism_main_conf_t   *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_prism_module);

    if (pmcf->outbox == NULL || !aws_error_retryable(err)) {
        return NGX_DECLINED;
    }

    task = ngx_http_prism_task_alloc(r, sizeof(ngx_http_prism_journal_t));
    if (task == NULL) {
        goto failed;
    }

    jn = task->ctx;

    if (ngx_http_prism_outbox_prepare(r, ctx, jn, 0) != NGX_OK) {
        goto failed;
    }

    if (ngx_http_prism_task_post(r, task, ngx_http_prism_outbox_write,
                                 ngx_http_prism_outbox_written)
        != NGX_OK)
    {
        goto failed;
    }

    return NGX_AGAIN;

failed:

    ngx_log_error(NGX_LOG_ALERT, r->connection->log, 0,
                  "prism: cannot journal the event of \"%V\" in the outbox",
                  &ctx->key);

    return NGX_ERROR;
}


/*
 * Prepares the spool file of an upload in jn (its names and contents):
 * the journal entry IMAGE_ID.json when resolve_after is 0, else the
 * intent IMAGE_ID.intent, to be resolved from then on.  Returns NGX_OK,
 * or NGX_ERROR when memory runs out.
 */

ngx_int_t
ngx_http_prism_outbox_prepare(ngx_http_request_t *r,
    ngx_http_prism_ctx_t *ctx, ngx_http_prism_journal_t *jn,
    time_t resolve_after)
{
    ngx_str_t                   *dir;
    ngx_http_prism_main_conf_t  *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_prism_module);

    dir = &pmcf->outbox->path->name;

    jn->dir = dir->data;
    jn->fd = NGX_INVALID_FILE;
    jn->path = ngx_http_prism_path_join(r->pool, dir, "", &ctx->image_id,
                                          resolve_after ? ".intent"
                                                        : ".json");
    jn->tmp = ngx_http_prism_path_join(r->pool, dir, ".", &ctx->image_id,
                                         resolve_after ? ".intent.tmp"
                                                       : ".tmp");

    if (jn->path == NULL || jn->tmp == NULL) {
        return NGX_ERROR;
    }

    return ngx_http_prism_outbox_encode(r, ctx, jn, resolve_after);
}


/*
 * The entry of an upload (ingress/spool_entry.h) in jn->data; an intent
 * when resolve_after is not 0.  Returns NGX_OK, or NGX_ERROR after
 * logging.
 */

static ngx_int_t
ngx_http_prism_outbox_encode(ngx_http_request_t *r, ngx_http_prism_ctx_t *ctx,
    ngx_http_prism_journal_t *jn, time_t resolve_after)
{
    char               *text;
    size_t              i;
    ing_spool_entry_t   e;
    char                err[256];

    ngx_memzero(&e, sizeof(ing_spool_entry_t));

    e.topic_arn = ctx->params.topic_arn;
    e.message = ctx->params.message;
    e.group_id = ctx->params.message_group_id;
    e.dedup_id = ctx->params.deduplication_id;
    e.nattrs = ctx->params.nattrs;

    for (i = 0; i < e.nattrs && i < ING_SPOOL_ATTRS_MAX; i++) {
        e.attrs[i].name = ctx->attrs[i].name;
        e.attrs[i].type = ctx->attrs[i].type;
        e.attrs[i].value = ctx->attrs[i].value;
    }

    e.image_id = (char *) ctx->image_id.data;
    e.key = (char *) ctx->key.data;
    e.request_id = (char *) ctx->request_id.data;
    e.bucket = ctx->bucket.len ? (char *) ctx->bucket.data : "";
    e.local_path = (char *) ctx->path.data;
    e.sha256 = (char *) ctx->sha256;
    e.size = ctx->size;
    e.journaled = ngx_time();
    e.resolve_after = resolve_after;

    text = ing_spool_encode(&e, err, sizeof(err));
    if (text == NULL) {
        ngx_log_error(NGX_LOG_ALERT, r->connection->log, 0, "prism: %s", err);
        return NGX_ERROR;
    }

    jn->len = ngx_strlen(text);
    jn->data = ngx_pnalloc(r->pool, jn->len);

    if (jn->data) {
        ngx_memcpy(jn->data, text, jn->len);
    }

    free(text);

    return jn->data ? NGX_OK : NGX_ERROR;
}


/*
 * In a pool thread: writes the entry to its temporary name, syncs it,
 * renames it into place and syncs the directory.  With jn->keep (an
 * intent) the file is locked before it is written and stays open in
 * jn->fd, so no replay claims it while this worker lives.  On failure
 * nothing is left behind, and jn->op, file and err say what failed.
 */

void
ngx_http_prism_outbox_write(void *data, ngx_log_t *log)
{
    ngx_http_prism_journal_t  *jn = data;

    size_t    done;
    ssize_t   n;
    ngx_fd_t  fd;

    jn->file = jn->tmp;

    fd = open((char *) jn->tmp, O_WRONLY|O_CREAT|O_EXCL, 0600);
    if (fd == -1) {
        jn->op = "open()";
        jn->err = ngx_errno;
        return;
    }

    if (jn->keep && flock(fd, LOCK_EX|LOCK_NB) == -1) {
        jn->op = "flock()";
        goto failed;
    }

    for (done = 0; done < jn->len; done += n) {
        n = write(fd, jn->data + done, jn->len - done);

        if (n == -1) {
            if (ngx_errno == NGX_EINTR) {
                n = 0;
                continue;
            }

            jn->op = "write()";
            goto failed;
        }
    }

    if (fsync(fd) == -1) {
        jn->op = "fsync()";
        goto failed;
    }

    if (!jn->keep) {
        if (close(fd) == -1) {
            fd = NGX_INVALID_FILE;
            jn->op = "close()";
            goto failed;
        }

        fd = NGX_INVALID_FILE;
    }

    if (rename((char *) jn->tmp, (char *) jn->path) == -1) {
        jn->op = "rename()";
        goto failed;
    }

    /* a rename that is not durable is undone: the upload will fail */

    if (ngx_http_prism_sync_dir(jn->dir) == -1) {
        jn->op = "fsync() of the directory";
        jn->file = jn->dir;
        jn->err = ngx_errno;
        (void) unlink((char *) jn->path);

        if (fd != NGX_INVALID_FILE) {
            (void) close(fd);
        }

        return;
    }

    jn->fd = fd;

    return;

failed:

    jn->err = ngx_errno;

    if (fd != NGX_INVALID_FILE) {
        (void) close(fd);
    }

    (void) unlink((char *) jn->tmp);
}


/*
 * Back in the event loop after the journaling: NGX_OK when the event is
 * queued (the upload is answered 201), else NGX_ERROR.
 */

static ngx_int_t
ngx_http_prism_outbox_written(ngx_http_request_t *r, void *data)
{
    ngx_http_prism_journal_t  *jn = data;

    ngx_http_prism_ctx_t        *ctx;
    ngx_http_prism_main_conf_t  *pmcf;

    ctx = ngx_http_get_module_ctx(r, ngx_http_prism_module);
    pmcf = ngx_http_get_module_main_conf(r, ngx_http_prism_module);

    if (jn->op) {
        ngx_log_error(NGX_LOG_CRIT, r->connection->log, jn->err,
                      "prism: journaling the event of \"%V\" in the outbox "
                      "failed: %s \"%s\" failed", &ctx->key, jn->op,
                      jn->file);

        return NGX_ERROR;
    }

    ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                  "prism: the event of \"%V\" is queued for replay "
                  "in \"%s\"", &ctx->key, jn->path);

    ngx_http_prism_count_outbox(pmcf, 1, 0, 0);

    return NGX_OK;
}

#endif /* NGX_THREADS */
