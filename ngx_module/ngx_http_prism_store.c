
/*
 * Storing the original, and removing it again when its publish failed.
 *
 * The removal must only ever remove what this upload created: a key
 * template without the image id (by-hash/{sha256}.{ext}) gives the same
 * key to the same bytes, and the object may be an earlier upload's.  So
 * the original is created only where its key is free; a key that exists
 * already makes the upload a duplicate (ngx_http_prism_duplicate): it
 * stores, announces and removes nothing.
 *
 * S3: one PutObject streamed from the body's temporary file (at the
 * image's offset) up to prism_s3_multipart_threshold; above it a
 * multipart upload (create, the parts one after the other, complete),
 * aborted on any failure.  With a key that can repeat, PutObject and
 * CompleteMultipartUpload carry "If-None-Match: *" (412: the key exists),
 * preceded by a HeadObject where prism_s3_check_existing says the endpoint
 * may ignore that header.  All of it runs on the event loop through
 * ngx_http_prism_call within prism_store_timeout.
 *
 * Local: in prism_thread_pool, the file appears in prism_local_dir under
 * its key with link(), which never replaces an existing file: a raw
 * body's temporary file is linked there; a form's file, or a body on
 * another file system, is first copied into a temporary file next to its
 * destination, removed again whatever happens.  A full file system is
 * answered 507 store_full.
 */


#include "ngx_http_prism.h"


/* the budget of the clean-up calls (abort, delete) */
#define NGX_HTTP_PRISM_UNDO_TIMEOUT  10000

/* the most parts of an S3 multipart upload */
#define NGX_HTTP_PRISM_MAX_PARTS     10000

/* S3 allows 2 KB of user metadata */
#define NGX_HTTP_PRISM_META_MAX      2048

/* the buffer of the local store's copy */
#define NGX_HTTP_PRISM_COPY_BUF      65536


static ngx_int_t ngx_http_prism_store_s3(ngx_http_request_t *r,
    ngx_http_prism_ctx_t *ctx);
static ngx_int_t ngx_http_prism_s3_write(ngx_http_request_t *r,
    ngx_http_prism_ctx_t *ctx);
static ngx_int_t ngx_http_prism_s3_not_started(ngx_http_request_t *r,
    ngx_http_prism_ctx_t *ctx);
static ngx_int_t ngx_http_prism_exists(ngx_http_request_t *r,
    ngx_http_prism_ctx_t *ctx);
static void ngx_http_prism_not_stored(ngx_http_request_t *r,
    ngx_http_prism_ctx_t *ctx, ngx_uint_t attempts);
static ngx_int_t ngx_http_prism_store_local(ngx_http_request_t *r,
    ngx_http_prism_ctx_t *ctx);


/* The local store's work, done in the thread pool. */

typedef struct {
    ngx_http_request_t   *request;
    u_char               *body;     /* a raw body's file to link, or NULL */
    ngx_fd_t              from;
    off_t                 offset;
    off_t                 end;
    u_char               *tmp;      /* TO.IMAGE_ID.prism-tmp */
    u_char               *to;
    u_char               *buf;
    const char           *op;       /* the call that failed, or NULL */
    u_char               *file;     /* the file it failed on */
    ngx_err_t             err;
    unsigned              exists:1; /* TO was there: nothing stored */
} ngx_http_prism_local_t;

static void ngx_http_prism_local_task(void *data, ngx_log_t *log);
static ngx_int_t ngx_http_prism_local_copy(ngx_http_prism_local_t *lc);
static ngx_int_t ngx_http_prism_local_link(ngx_http_prism_local_t *lc,
    u_char *from);
static void ngx_http_prism_local_failed(ngx_http_prism_local_t *lc,
    const char *op, u_char *file, ngx_err_t err);
static ngx_int_t ngx_http_prism_local_finish(ngx_http_request_t *r,
    ngx_http_prism_ctx_t *ctx);
#if (NGX_THREADS)
static void ngx_http_prism_local_done(ngx_event_t *ev);
#endif

static ngx_int_t ngx_http_prism_s3_start(ngx_http_request_t *r,
    ngx_http_prism_ctx_t *ctx, ngx_http_prism_call_build_pt build,
    ngx_http_prism_call_parse_pt parse, ngx_http_prism_call_done_pt done,
    ngx_msec_t deadline);
static void ngx_http_prism_put_opts(ngx_http_prism_ctx_t *ctx,
    aws_s3_put_opts_t *opts);

static int ngx_http_prism_head_build(ngx_http_prism_call_t *call,
    aws_error_t *err);
static void ngx_http_prism_head_done(ngx_http_prism_call_t *call);
static int ngx_http_prism_put_build(ngx_http_prism_call_t *call,
    aws_error_t *err);
static int ngx_http_prism_put_parse(ngx_http_prism_call_t *call,
    aws_error_t *err);
static int ngx_http_prism_create_build(ngx_http_prism_call_t *call,
    aws_error_t *err);
static int ngx_http_prism_create_parse(ngx_http_prism_call_t *call,
    aws_error_t *err);
static void ngx_http_prism_create_done(ngx_http_prism_call_t *call);
static int ngx_http_prism_part_build(ngx_http_prism_call_t *call,
    aws_error_t *err);
static int ngx_http_prism_part_parse(ngx_http_prism_call_t *call,
    aws_error_t *err);
static void ngx_http_prism_part_done(ngx_http_prism_call_t *call);
static int ngx_http_prism_complete_build(ngx_http_prism_call_t *call,
    aws_error_t *err);
static int ngx_http_prism_complete_parse(ngx_http_prism_call_t *call,
    aws_error_t *err);
static int ngx_http_prism_abort_build(ngx_http_prism_call_t *call,
    aws_error_t *err);
static void ngx_http_prism_abort_done(ngx_http_prism_call_t *call);
static void ngx_http_prism_store_done(ngx_http_prism_call_t *call);
static void ngx_http_prism_uncertain_done(ngx_http_prism_call_t *call);
static int ngx_http_prism_delete_build(ngx_http_prism_call_t *call,
    aws_error_t *err);
static int ngx_http_prism_s3_parse(ngx_http_prism_call_t *call,
    aws_error_t *err);
static void ngx_http_prism_delete_done(ngx_http_prism_call_t *call);
static void ngx_http_prism_s3_failed(ngx_http_request_t *r,
    ngx_http_prism_ctx_t *ctx, aws_error_t *err);
static void ngx_http_prism_unstore_result(ngx_http_request_t *r,
    ngx_http_prism_ctx_t *ctx, ngx_uint_t ok);


/*
 * Stores the original named by ctx (bucket, key, the image's range of the
 * body file) where its key is free.  Returns NGX_OK when it is stored,
 * NGX_AGAIN when the store runs and ngx_http_prism_stored() will be
 * called, NGX_DECLINED when the key existed (a duplicate, nothing
 * stored), or NGX_ERROR with the outcome set.
 */

ngx_int_t
ngx_http_prism_store(ngx_http_request_t *r, ngx_http_prism_ctx_t *ctx)
{
    ngx_http_prism_loc_conf_t  *plcf;

    plcf = ngx_http_get_module_loc_conf(r, ngx_http_prism_module);

    ctx->store_start = ngx_current_msec;

    if (plcf->store == NGX_HTTP_PRISM_STORE_LOCAL) {
        return ngx_http_prism_store_local(r, ctx);
    }

    return ngx_http_prism_store_s3(r, ctx);
}


/*
 * Removes the original this upload stored (never a duplicate's: it
 * stored nothing) after a failed publish, and notes the result in the
 * answer's message.  Returns NGX_OK when done (whatever the
 * result), or NGX_AGAIN when ngx_http_prism_unstored() will be called.
 */

ngx_int_t
ngx_http_prism_unstore(ngx_http_request_t *r, ngx_http_prism_ctx_t *ctx)
{
    ngx_http_prism_loc_conf_t  *plcf;

    plcf = ngx_http_get_module_loc_conf(r, ngx_http_prism_module);

    if (plcf->store == NGX_HTTP_PRISM_STORE_LOCAL) {
        if (ngx_delete_file(ctx->path.data) == NGX_FILE_ERROR) {
            ngx_log_error(NGX_LOG_CRIT, r->connection->log, ngx_errno,
                          "prism: " ngx_delete_file_n " \"%V\" failed",
                          &ctx->path);
            ngx_http_prism_unstore_result(r, ctx, 0);

        } else {
            ngx_http_prism_unstore_result(r, ctx, 1);
        }

        return NGX_OK;
    }

    if (ngx_http_prism_s3_start(r, ctx, ngx_http_prism_delete_build,
                                ngx_http_prism_s3_parse,
                                ngx_http_prism_delete_done,
                                ngx_current_msec + NGX_HTTP_PRISM_UNDO_TIMEOUT)
        != NGX_OK)
    {
        ngx_http_prism_unstore_result(r, ctx, 0);
        return NGX_OK;
    }

    return NGX_AGAIN;
}


/*
 * The URL of the stored original for the Location header: prism_location
 * when set, else the object's S3 URL, or "/KEY" for the local store.
 * Returns NGX_OK, or NGX_ERROR when memory runs out.
 */

ngx_int_t
ngx_http_prism_location(ngx_http_request_t *r, ngx_http_prism_ctx_t *ctx,
    ngx_str_t *location)
{
    ngx_int_t                    rc;
    aws_buf_t                    url = AWS_BUF_INIT;
    aws_error_t                  err;
    aws_request_t                req;
    ngx_http_prism_loc_conf_t   *plcf;
    ngx_http_prism_main_conf_t  *pmcf;

    plcf = ngx_http_get_module_loc_conf(r, ngx_http_prism_module);

    if (plcf->location) {
        return ngx_http_complex_value(r, plcf->location, location);
    }

    if (plcf->store == NGX_HTTP_PRISM_STORE_LOCAL) {
        location->len = ctx->key.len + 1;
        location->data = ngx_pnalloc(r->pool, location->len);
        if (location->data == NULL) {
            return NGX_ERROR;
        }

        location->data[0] = '/';
        ngx_memcpy(location->data + 1, ctx->key.data, ctx->key.len);

        return NGX_OK;
    }

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_prism_module);

    if (aws_s3_request_init(pmcf->client, &req, "GET", (char *) ctx->bucket.data,
                            (char *) ctx->key.data, NULL, &err)
        != 0)
    {
        return NGX_ERROR;
    }

    rc = NGX_ERROR;

    if (aws_request_url(&req, &url) == 0) {
        rc = ngx_http_prism_strdup(r->pool, location, (u_char *) url.data,
                                   url.len);
    }

    aws_buf_free(&url);
    aws_request_free(&req);

    return rc;
}


/*
 * Starts the S3 store: with a key that can repeat, a HeadObject first
 * where the endpoint may ignore conditional writes, else the write.
 * Returns NGX_AGAIN, or NGX_ERROR with the outcome set.
 */

static ngx_int_t
ngx_http_prism_store_s3(ngx_http_request_t *r, ngx_http_prism_ctx_t *ctx)
{
    ngx_http_prism_loc_conf_t  *plcf;

    plcf = ngx_http_get_module_loc_conf(r, ngx_http_prism_module);

    ctx->store_deadline = ngx_current_msec + plcf->store_timeout;
    ctx->conditional = plcf->key_repeats;

    /* the image id, then the form's fields */
    ctx->meta = ngx_pcalloc(r->pool,
                            (1 + (ctx->form ? ctx->form->nfields : 0))
                            * sizeof(aws_s3_meta_t));
    if (ctx->meta == NULL) {
        ngx_http_prism_error(ctx, ngx_http_prism_internal_error,
                             "out of memory");
        return NGX_ERROR;
    }

    if (!ctx->conditional || !plcf->s3_check_existing) {
        return ngx_http_prism_s3_write(r, ctx);
    }

    if (ngx_http_prism_s3_start(r, ctx, ngx_http_prism_head_build,
                                ngx_http_prism_s3_parse,
                                ngx_http_prism_head_done, ctx->store_deadline)
        != NGX_OK)
    {
        return ngx_http_prism_s3_not_started(r, ctx);
    }

    return NGX_AGAIN;
}


/*
 * Starts writing the object: a PutObject, or a multipart upload above the
 * threshold.  Returns NGX_AGAIN, or NGX_ERROR with the outcome set.
 */

static ngx_int_t
ngx_http_prism_s3_write(ngx_http_request_t *r, ngx_http_prism_ctx_t *ctx)
{
    ngx_http_prism_loc_conf_t  *plcf;

    plcf = ngx_http_get_module_loc_conf(r, ngx_http_prism_module);

    if (ctx->size <= (off_t) plcf->multipart_threshold) {
        if (ngx_http_prism_s3_start(r, ctx, ngx_http_prism_put_build,
                                    ngx_http_prism_put_parse,
                                    ngx_http_prism_store_done,
                                    ctx->store_deadline)
            != NGX_OK)
        {
            return ngx_http_prism_s3_not_started(r, ctx);
        }

        return NGX_AGAIN;
    }

    ctx->part_size = plcf->multipart_threshold;

    if ((ctx->size + (off_t) ctx->part_size - 1) / (off_t) ctx->part_size
        > NGX_HTTP_PRISM_MAX_PARTS)
    {
        ctx->part_size = (size_t) ((ctx->size + NGX_HTTP_PRISM_MAX_PARTS - 1)
                                   / NGX_HTTP_PRISM_MAX_PARTS);
    }

    ctx->nparts = (ngx_uint_t) ((ctx->size + (off_t) ctx->part_size - 1)
                                / (off_t) ctx->part_size);

    ctx->parts = ngx_pcalloc(r->pool, ctx->nparts * sizeof(aws_s3_part_t));
    if (ctx->parts == NULL) {
        ngx_http_prism_error(ctx, ngx_http_prism_internal_error,
                             "out of memory");
        return NGX_ERROR;
    }

    if (ngx_http_prism_s3_start(r, ctx, ngx_http_prism_create_build,
                                ngx_http_prism_create_parse,
                                ngx_http_prism_create_done,
                                ctx->store_deadline)
        != NGX_OK)
    {
        return ngx_http_prism_s3_not_started(r, ctx);
    }

    return NGX_AGAIN;
}


/*
 * Records why an S3 call of the store could not start: the call's error,
 * or no memory for the call.  Returns NGX_ERROR.
 */

static ngx_int_t
ngx_http_prism_s3_not_started(ngx_http_request_t *r,
    ngx_http_prism_ctx_t *ctx)
{
    if (ctx->call) {
        ngx_http_prism_s3_failed(r, ctx, &ctx->call->err);

    } else {
        ngx_http_prism_error(ctx, ngx_http_prism_internal_error,
                             "out of memory");
    }

    return NGX_ERROR;
}


/*
 * Records that the key exists already: this upload did not create the
 * object, so it announces and removes nothing and is answered as a
 * duplicate.  Returns NGX_DECLINED for ngx_http_prism_stored().
 */

static ngx_int_t
ngx_http_prism_exists(ngx_http_request_t *r, ngx_http_prism_ctx_t *ctx)
{
    ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                  "prism: \"%V\" exists already, the upload is a duplicate",
                  &ctx->key);

    ctx->outcome = ngx_http_prism_duplicate;

    return NGX_DECLINED;
}


/*
 * Ends a store that created nothing: a duplicate is answered as such, a
 * failure (its outcome set) is counted and answered.
 */

static void
ngx_http_prism_not_stored(ngx_http_request_t *r, ngx_http_prism_ctx_t *ctx,
    ngx_uint_t attempts)
{
    if (ctx->outcome == ngx_http_prism_duplicate) {
        ngx_http_prism_stored(r, ctx, NGX_DECLINED);
        return;
    }

    ngx_http_prism_count_store(r, 0, attempts,
                               ngx_current_msec - ctx->store_start);

    ngx_http_prism_stored(r, ctx, NGX_ERROR);
}


/*
 * Starts one S3 call of this upload on its call object (created on first
 * use).  Returns NGX_OK, or NGX_ERROR (the reason in ctx->call->err when
 * the call exists).
 */

static ngx_int_t
ngx_http_prism_s3_start(ngx_http_request_t *r, ngx_http_prism_ctx_t *ctx,
    ngx_http_prism_call_build_pt build, ngx_http_prism_call_parse_pt parse,
    ngx_http_prism_call_done_pt done, ngx_msec_t deadline)
{
    ngx_http_prism_main_conf_t  *pmcf;

    if (ctx->call == NULL) {
        pmcf = ngx_http_get_module_main_conf(r, ngx_http_prism_module);

        ctx->call = ngx_http_prism_call_create(r->pool, r->connection,
                                               pmcf->client);
        if (ctx->call == NULL) {
            return NGX_ERROR;
        }
    }

    ctx->call->service = "s3";
    ctx->call->build = build;
    ctx->call->parse = parse;
    ctx->call->done = done;
    ctx->call->data = r;

    return ngx_http_prism_call_start(ctx->call, deadline);
}


/*
 * The options of the new object: its sniffed Content-Type, the
 * location's server-side encryption (prism_s3_sse), "If-None-Match: *"
 * for a key that can repeat (PutObject only), the image id as user
 * metadata "prism-image-id" (x-amz-meta-prism-image-id: prism-host
 * records an image only under the id its original carries, and the
 * replay of an intent tells by it that the object is its upload's), and
 * the form's text fields as user metadata where S3 can carry them (token
 * names, printable ASCII values, 2 KB in all; a field named
 * "prism-image-id" is dropped).
 */

static void
ngx_http_prism_put_opts(ngx_http_prism_ctx_t *ctx, aws_s3_put_opts_t *opts)
{
    u_char                     *p;
    size_t                      i, total;
    ing_form_field_t           *f;
    ngx_http_prism_loc_conf_t  *plcf;

    plcf = ngx_http_get_module_loc_conf(ctx->request, ngx_http_prism_module);

    ngx_memzero(opts, sizeof(aws_s3_put_opts_t));

    opts->content_type = (char *) ctx->content_type.data;
    opts->meta = ctx->meta;
    opts->sse = (aws_s3_sse_t) plcf->s3_sse;
    opts->kms_key_id = plcf->s3_kms_key_id.len
                       ? (char *) plcf->s3_kms_key_id.data : NULL;
    opts->if_none_match = ctx->conditional;

    ctx->meta[0].name = ING_META_IMAGE_ID;
    ctx->meta[0].value = (char *) ctx->image_id.data;
    opts->nmeta = 1;

    if (ctx->form == NULL) {
        return;
    }

    total = sizeof(ING_META_IMAGE_ID) - 1 + ctx->image_id.len;

    for (i = 0; i < ctx->form->nfields; i++) {
        f = &ctx->form->fields[i];

        if (ngx_strcasecmp((u_char *) f->name,
                           (u_char *) ING_META_IMAGE_ID)
            == 0)
        {
            continue;
        }

        for (p = (u_char *) f->name; *p; p++) {
            if (!(*p >= 'a' && *p <= 'z') && !(*p >= 'A' && *p <= 'Z')
                && !(*p >= '0' && *p <= '9') && *p != '-' && *p != '_')
            {
                break;
            }
        }

        if (*p || p == (u_char *) f->name) {
            continue;
        }

        for (p = (u_char *) f->value; p < (u_char *) f->value + f->value_len;
             p++)
        {
            if (*p < 0x20 || *p > 0x7e) {
                break;
            }
        }

        if (p != (u_char *) f->value + f->value_len) {
            continue;
        }

        total += ngx_strlen(f->name) + f->value_len;

        if (total > NGX_HTTP_PRISM_META_MAX) {
            break;
        }

        ctx->meta[opts->nmeta].name = f->name;
        ctx->meta[opts->nmeta].value = f->value;
        opts->nmeta++;
    }
}


/* HeadObject of the key, before writing a key that can repeat. */

static int
ngx_http_prism_head_build(ngx_http_prism_call_t *call, aws_error_t *err)
{
    ngx_http_request_t    *r = call->data;
    ngx_http_prism_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_prism_module);

    return aws_s3_head_request(call->client, (char *) ctx->bucket.data,
                               (char *) ctx->key.data, &call->req, err);
}


/*
 * The key was looked at: an existing object makes the upload a
 * duplicate, a missing one is written, anything else fails the store.
 */

static void
ngx_http_prism_head_done(ngx_http_prism_call_t *call)
{
    ngx_int_t              rc;
    ngx_connection_t      *c;
    ngx_http_request_t    *r = call->data;
    ngx_http_prism_ctx_t  *ctx;

    c = r->connection;
    ctx = ngx_http_get_module_ctx(r, ngx_http_prism_module);

    if (call->rc == NGX_OK) {
        (void) ngx_http_prism_exists(r, ctx);

    } else if (aws_s3_error_is_not_found(&call->err)) {
        rc = ngx_http_prism_s3_write(r, ctx);

        if (rc == NGX_AGAIN) {
            return;
        }

    } else {
        ngx_http_prism_s3_failed(r, ctx, &call->err);
    }

    ngx_http_prism_not_stored(r, ctx, call->attempts);

    ngx_http_run_posted_requests(c);
}


/* PutObject of the image's range of the body file. */

static int
ngx_http_prism_put_build(ngx_http_prism_call_t *call, aws_error_t *err)
{
    aws_s3_put_opts_t      opts;
    ngx_http_request_t    *r = call->data;
    ngx_http_prism_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_prism_module);

    ngx_http_prism_put_opts(ctx, &opts);

    return aws_s3_put_fd_request(call->client, (char *) ctx->bucket.data,
                                 (char *) ctx->key.data, ctx->fd, ctx->offset,
                                 (size_t) ctx->size, &opts, &call->req, err);
}


/* PutObject's answer: the ETag. */

static int
ngx_http_prism_put_parse(ngx_http_prism_call_t *call, aws_error_t *err)
{
    ngx_http_request_t    *r = call->data;
    ngx_http_prism_ctx_t  *ctx;
    char                   etag[128];

    ctx = ngx_http_get_module_ctx(r, ngx_http_prism_module);

    if (aws_s3_put_parse(&call->resp, etag, sizeof(etag), err) != 0) {
        return -1;
    }

    return ngx_http_prism_call_keep(r->pool, &ctx->etag, etag, err);
}


/* CreateMultipartUpload. */

static int
ngx_http_prism_create_build(ngx_http_prism_call_t *call, aws_error_t *err)
{
    aws_s3_put_opts_t      opts;
    ngx_http_request_t    *r = call->data;
    ngx_http_prism_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_prism_module);

    ngx_http_prism_put_opts(ctx, &opts);

    return aws_s3_create_multipart_request(call->client,
                                           (char *) ctx->bucket.data,
                                           (char *) ctx->key.data, &opts,
                                           &call->req, err);
}


/* CreateMultipartUpload's answer: the upload id. */

static int
ngx_http_prism_create_parse(ngx_http_prism_call_t *call, aws_error_t *err)
{
    ngx_http_request_t    *r = call->data;
    ngx_http_prism_ctx_t  *ctx;
    char                   id[1024];

    ctx = ngx_http_get_module_ctx(r, ngx_http_prism_module);

    if (aws_s3_create_multipart_parse(&call->resp, id, sizeof(id), err) != 0)
    {
        return -1;
    }

    return ngx_http_prism_call_keep(r->pool, &ctx->upload_id, id, err);
}


/* The multipart upload exists: send the first part. */

static void
ngx_http_prism_create_done(ngx_http_prism_call_t *call)
{
    ngx_connection_t      *c;
    ngx_http_request_t    *r = call->data;
    ngx_http_prism_ctx_t  *ctx;

    c = r->connection;
    ctx = ngx_http_get_module_ctx(r, ngx_http_prism_module);

    if (call->rc != NGX_OK) {
        ngx_http_prism_store_done(call);
        return;
    }

    ctx->part = 0;

    if (ngx_http_prism_s3_start(r, ctx, ngx_http_prism_part_build,
                                ngx_http_prism_part_parse,
                                ngx_http_prism_part_done, ctx->store_deadline)
        != NGX_OK)
    {
        ngx_http_prism_s3_failed(r, ctx, &call->err);
        ngx_http_prism_stored(r, ctx, NGX_ERROR);
        ngx_http_run_posted_requests(c);
    }
}


/* UploadPart of part number ctx->part + 1. */

static int
ngx_http_prism_part_build(ngx_http_prism_call_t *call, aws_error_t *err)
{
    off_t                  offset;
    size_t                 len;
    ngx_http_request_t    *r = call->data;
    ngx_http_prism_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_prism_module);

    offset = (off_t) ctx->part * (off_t) ctx->part_size;
    len = (size_t) ngx_min((off_t) ctx->part_size, ctx->size - offset);

    return aws_s3_upload_part_request(call->client, (char *) ctx->bucket.data,
                                      (char *) ctx->key.data,
                                      (char *) ctx->upload_id.data,
                                      (int) ctx->part + 1, ctx->fd,
                                      ctx->offset + offset, len, &call->req,
                                      err);
}


/* UploadPart's answer: the part's ETag. */

static int
ngx_http_prism_part_parse(ngx_http_prism_call_t *call, aws_error_t *err)
{
    aws_s3_part_t         *part;
    ngx_http_request_t    *r = call->data;
    ngx_http_prism_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_prism_module);

    part = &ctx->parts[ctx->part];
    part->number = (int) ctx->part + 1;

    return aws_s3_put_parse(&call->resp, part->etag, sizeof(part->etag), err);
}


/* A part is sent: the next one, or complete the upload; abort on failure. */

static void
ngx_http_prism_part_done(ngx_http_prism_call_t *call)
{
    ngx_int_t              rc;
    ngx_connection_t      *c;
    ngx_http_request_t    *r = call->data;
    ngx_http_prism_ctx_t  *ctx;

    c = r->connection;
    ctx = ngx_http_get_module_ctx(r, ngx_http_prism_module);

    if (call->rc != NGX_OK) {
        ngx_http_prism_s3_failed(r, ctx, &call->err);
        goto abort;
    }

    if (++ctx->part < ctx->nparts) {
        rc = ngx_http_prism_s3_start(r, ctx, ngx_http_prism_part_build,
                                     ngx_http_prism_part_parse,
                                     ngx_http_prism_part_done,
                                     ctx->store_deadline);

    } else {
        rc = ngx_http_prism_s3_start(r, ctx, ngx_http_prism_complete_build,
                                     ngx_http_prism_complete_parse,
                                     ngx_http_prism_store_done,
                                     ctx->store_deadline);
    }

    if (rc == NGX_OK) {
        return;
    }

    ngx_http_prism_s3_failed(r, ctx, &call->err);

abort:

    if (ngx_http_prism_s3_start(r, ctx, ngx_http_prism_abort_build,
                                ngx_http_prism_s3_parse,
                                ngx_http_prism_abort_done,
                                ngx_current_msec + NGX_HTTP_PRISM_UNDO_TIMEOUT)
        != NGX_OK)
    {
        ngx_http_prism_stored(r, ctx, NGX_ERROR);
        ngx_http_run_posted_requests(c);
    }
}


/* CompleteMultipartUpload with the parts' ETags, conditional as PutObject. */

static int
ngx_http_prism_complete_build(ngx_http_prism_call_t *call, aws_error_t *err)
{
    ngx_http_request_t    *r = call->data;
    ngx_http_prism_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_prism_module);

    return aws_s3_complete_multipart_request(call->client,
                                             (char *) ctx->bucket.data,
                                             (char *) ctx->key.data,
                                             (char *) ctx->upload_id.data,
                                             ctx->parts, ctx->nparts,
                                             ctx->conditional, &call->req,
                                             &call->body, err);
}


/* CompleteMultipartUpload's answer: the object's ETag. */

static int
ngx_http_prism_complete_parse(ngx_http_prism_call_t *call, aws_error_t *err)
{
    ngx_http_request_t    *r = call->data;
    ngx_http_prism_ctx_t  *ctx;
    char                   etag[128];

    ctx = ngx_http_get_module_ctx(r, ngx_http_prism_module);

    if (aws_s3_complete_multipart_parse(&call->resp, etag, sizeof(etag), err)
        != 0)
    {
        return -1;
    }

    return ngx_http_prism_call_keep(r->pool, &ctx->etag, etag, err);
}


/* AbortMultipartUpload. */

static int
ngx_http_prism_abort_build(ngx_http_prism_call_t *call, aws_error_t *err)
{
    ngx_http_request_t    *r = call->data;
    ngx_http_prism_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_prism_module);

    return aws_s3_abort_multipart_request(call->client,
                                          (char *) ctx->bucket.data,
                                          (char *) ctx->key.data,
                                          (char *) ctx->upload_id.data,
                                          &call->req, err);
}


/*
 * The failed multipart upload was aborted (or not): answer the failure, or
 * the duplicate when its completion found the key present.
 */

static void
ngx_http_prism_abort_done(ngx_http_prism_call_t *call)
{
    ngx_connection_t      *c;
    ngx_http_request_t    *r = call->data;
    ngx_http_prism_ctx_t  *ctx;
    u_char                 msg[NGX_MAX_ERROR_STR];

    c = r->connection;
    ctx = ngx_http_get_module_ctx(r, ngx_http_prism_module);

    if (call->rc != NGX_OK) {
        ngx_log_error(NGX_LOG_ERR, c->log, 0,
                      "prism: aborting the multipart upload of \"%V\" "
                      "failed: %s", &ctx->key,
                      aws_error_format(&call->err, (char *) msg,
                                       sizeof(msg)));
    }

    ngx_http_prism_not_stored(r, ctx, 1);

    ngx_http_run_posted_requests(c);
}


/* End of a PutObject, or of a multipart upload's last step. */

static void
ngx_http_prism_store_done(ngx_http_prism_call_t *call)
{
    ngx_connection_t      *c;
    ngx_http_request_t    *r = call->data;
    ngx_http_prism_ctx_t  *ctx;

    c = r->connection;
    ctx = ngx_http_get_module_ctx(r, ngx_http_prism_module);

    if (call->rc == NGX_OK) {
        ngx_http_prism_count_store(r, 1, call->attempts,
                                   ngx_current_msec - ctx->store_start);

        ngx_http_prism_stored(r, ctx, NGX_OK);

        ngx_http_run_posted_requests(c);
        return;
    }

    if (ctx->conditional && aws_s3_error_is_precondition_failed(&call->err)) {
        (void) ngx_http_prism_exists(r, ctx);

    } else {
        ngx_http_prism_s3_failed(r, ctx, &call->err);
    }

    /* a failed CompleteMultipartUpload is aborted before the answer */

    if (ctx->upload_id.len
        && ngx_http_prism_s3_start(r, ctx, ngx_http_prism_abort_build,
                                   ngx_http_prism_s3_parse,
                                   ngx_http_prism_abort_done,
                                   ngx_current_msec
                                   + NGX_HTTP_PRISM_UNDO_TIMEOUT)
           == NGX_OK)
    {
        return;
    }

    /*
     * a PutObject whose answer did not come in time may have been stored
     * all the same: delete it before answering, unless the key can repeat,
     * where the object may as well be another upload's
     */

    if (ctx->upload_id.len == 0 && call->err.kind == AWS_ERR_TIMEOUT) {

        if (ctx->conditional) {
            ngx_log_error(NGX_LOG_CRIT, c->log, 0,
                          "prism: the timed-out store of \"%V\" in bucket "
                          "\"%V\" is not deleted, the key may be another "
                          "upload's; if this upload stored it, the object "
                          "is orphaned", &ctx->key, &ctx->bucket);

        } else if (ngx_http_prism_s3_start(r, ctx, ngx_http_prism_delete_build,
                                           ngx_http_prism_s3_parse,
                                           ngx_http_prism_uncertain_done,
                                           ngx_current_msec
                                           + NGX_HTTP_PRISM_UNDO_TIMEOUT)
                   == NGX_OK)
        {
            return;
        }
    }

    ngx_http_prism_not_stored(r, ctx, call->attempts);

    ngx_http_run_posted_requests(c);
}


/*
 * The object of a PutObject that timed out was deleted (or not): answer
 * the failure.
 */

static void
ngx_http_prism_uncertain_done(ngx_http_prism_call_t *call)
{
    ngx_connection_t      *c;
    ngx_http_request_t    *r = call->data;
    ngx_http_prism_ctx_t  *ctx;
    u_char                 msg[NGX_MAX_ERROR_STR];

    c = r->connection;
    ctx = ngx_http_get_module_ctx(r, ngx_http_prism_module);

    if (call->rc != NGX_OK) {
        ngx_log_error(NGX_LOG_CRIT, c->log, 0,
                      "prism: deleting \"%V\" from bucket \"%V\" after the "
                      "timed-out store failed, the object may be "
                      "orphaned: %s", &ctx->key, &ctx->bucket,
                      aws_error_format(&call->err, (char *) msg,
                                       sizeof(msg)));
    }

    ngx_http_prism_not_stored(r, ctx, 1);

    ngx_http_run_posted_requests(c);
}


/* DeleteObject of the stored original. */

static int
ngx_http_prism_delete_build(ngx_http_prism_call_t *call, aws_error_t *err)
{
    ngx_http_request_t    *r = call->data;
    ngx_http_prism_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_prism_module);

    return aws_s3_delete_request(call->client, (char *) ctx->bucket.data,
                                 (char *) ctx->key.data, &call->req, err);
}


/* The answers of HeadObject, DeleteObject, AbortMultipartUpload: 2xx. */

static int
ngx_http_prism_s3_parse(ngx_http_prism_call_t *call, aws_error_t *err)
{
    return aws_s3_parse(&call->resp, err);
}


/* The original was deleted (or not) after a failed publish. */

static void
ngx_http_prism_delete_done(ngx_http_prism_call_t *call)
{
    ngx_connection_t      *c;
    ngx_http_request_t    *r = call->data;
    ngx_http_prism_ctx_t  *ctx;
    u_char                 msg[NGX_MAX_ERROR_STR];

    c = r->connection;
    ctx = ngx_http_get_module_ctx(r, ngx_http_prism_module);

    if (call->rc != NGX_OK) {
        ngx_log_error(NGX_LOG_CRIT, c->log, 0,
                      "prism: deleting \"%V\" from bucket \"%V\" after the "
                      "failed publish failed, the object is orphaned: %s",
                      &ctx->key, &ctx->bucket,
                      aws_error_format(&call->err, (char *) msg,
                                       sizeof(msg)));
    }

    ngx_http_prism_unstore_result(r, ctx, call->rc == NGX_OK);

    ngx_http_prism_unstored(r, ctx);

    ngx_http_run_posted_requests(c);
}


/*
 * Records a failed S3 store: the outcome from the AWS error, the error in
 * the log.
 */

static void
ngx_http_prism_s3_failed(ngx_http_request_t *r, ngx_http_prism_ctx_t *ctx,
    aws_error_t *err)
{
    u_char  msg[NGX_MAX_ERROR_STR];

    (void) aws_error_format(err, (char *) msg, sizeof(msg));

    ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                  "prism: storing \"%V\" in bucket \"%V\" failed: %s",
                  &ctx->key, &ctx->bucket, msg);

    ngx_http_prism_error(ctx, ngx_http_prism_aws_outcome(err,
                                                ngx_http_prism_store_failed),
                         "storing the original failed: %s", msg);
}


/*
 * Counts the removal of the original and tells it in the answer's
 * message ("..., the stored original was removed").
 */

static void
ngx_http_prism_unstore_result(ngx_http_request_t *r,
    ngx_http_prism_ctx_t *ctx, ngx_uint_t ok)
{
    u_char     *p;
    ngx_str_t   text;

    ctx->unstored = ok;

    ngx_http_prism_count_unstore(r, ok);

    if (ok) {
        ngx_str_set(&text, "; the stored original was removed");

    } else {
        ngx_str_set(&text, "; removing the stored original failed too");
    }

    p = ngx_pnalloc(r->pool, ctx->message.len + text.len + 1);
    if (p == NULL) {
        return;
    }

    ngx_memcpy(p, ctx->message.data, ctx->message.len);
    ngx_memcpy(p + ctx->message.len, text.data, text.len + 1);

    ctx->message.data = p;
    ctx->message.len += text.len;
}


/*
 * Sets ctx->path, the original's name in the local directory
 * ("prism_local_dir/KEY"), unless it is set already.  Returns NGX_OK, or
 * NGX_ERROR when memory runs out.
 */

ngx_int_t
ngx_http_prism_local_path(ngx_http_request_t *r, ngx_http_prism_ctx_t *ctx)
{
    u_char                     *p;
    ngx_http_prism_loc_conf_t  *plcf;

    if (ctx->path.data) {
        return NGX_OK;
    }

    plcf = ngx_http_get_module_loc_conf(r, ngx_http_prism_module);

    ctx->path.len = plcf->local_dir.len + 1 + ctx->key.len;
    ctx->path.data = ngx_pnalloc(r->pool, ctx->path.len + 1);
    if (ctx->path.data == NULL) {
        return NGX_ERROR;
    }

    p = ngx_cpymem(ctx->path.data, plcf->local_dir.data, plcf->local_dir.len);
    *p++ = '/';
    p = ngx_cpymem(p, ctx->key.data, ctx->key.len);
    *p = '\0';

    return NGX_OK;
}


/*
 * Stores the original in the local directory under its key: in the
 * thread pool, or here when nginx has no threads.  Returns NGX_AGAIN when
 * the task runs (ngx_http_prism_stored() follows), else NGX_OK,
 * NGX_DECLINED (a duplicate) or NGX_ERROR with the outcome set.
 */

static ngx_int_t
ngx_http_prism_store_local(ngx_http_request_t *r, ngx_http_prism_ctx_t *ctx)
{
    ngx_http_prism_local_t      *lc;
#if (NGX_THREADS)
    ngx_thread_task_t           *task;
    ngx_http_prism_main_conf_t  *pmcf;
#endif

    if (ngx_http_prism_local_path(r, ctx) != NGX_OK) {
        goto nomem;
    }

#if (NGX_THREADS)
    task = ngx_thread_task_alloc(r->pool, sizeof(ngx_http_prism_local_t));
    if (task == NULL) {
        goto nomem;
    }

    lc = task->ctx;
#else
    lc = ngx_pcalloc(r->pool, sizeof(ngx_http_prism_local_t));
    if (lc == NULL) {
        goto nomem;
    }
#endif

    lc->request = r;
    lc->body = ctx->form ? NULL : r->request_body->temp_file->file.name.data;
    lc->from = ctx->fd;
    lc->offset = ctx->offset;
    lc->end = ctx->offset + ctx->size;
    lc->to = ctx->path.data;
    lc->tmp = ngx_pnalloc(r->pool, ctx->path.len + 1 + ctx->image_id.len
                                   + sizeof(".prism-tmp"));
    lc->buf = ngx_palloc(r->pool, NGX_HTTP_PRISM_COPY_BUF);
    if (lc->tmp == NULL || lc->buf == NULL) {
        goto nomem;
    }

    ngx_sprintf(lc->tmp, "%V.%V.prism-tmp%Z", &ctx->path, &ctx->image_id);

    ctx->local = lc;

#if (NGX_THREADS)
    pmcf = ngx_http_get_module_main_conf(r, ngx_http_prism_module);

    task->handler = ngx_http_prism_local_task;
    task->event.handler = ngx_http_prism_local_done;
    task->event.data = lc;
    task->event.log = r->connection->log;

    if (ngx_thread_task_post(pmcf->thread_pool, task) == NGX_OK) {

        /* the request's memory is the task's until it is back */

        r->main->blocked++;
        return NGX_AGAIN;
    }
#endif

    ngx_http_prism_local_task(lc, r->connection->log);

    return ngx_http_prism_local_finish(r, ctx);

nomem:

    ngx_http_prism_count_store(r, 0, 1, ngx_current_msec - ctx->store_start);
    ngx_http_prism_error(ctx, ngx_http_prism_internal_error, "out of memory");
    return NGX_ERROR;
}


/*
 * The local store's work (a thread pool task): the destination's
 * directories, then a link to the destination from the raw body's file,
 * or, for a form or a body on another file system, from a copy of the
 * image's range in the temporary file, which is removed again.  Records
 * in data the call that failed, or that the destination existed.
 */

static void
ngx_http_prism_local_task(void *data, ngx_log_t *log)
{
    ngx_http_prism_local_t *lc = data;

    ngx_err_t  err;

    err = ngx_create_full_path(lc->to, 0755);
    if (err) {
        ngx_http_prism_local_failed(lc, ngx_create_dir_n, lc->to, err);
        return;
    }

    if (lc->body != NULL) {
        if (fchmod(lc->from, 0644) == -1) {
            ngx_http_prism_local_failed(lc, "fchmod()", lc->body, ngx_errno);
            return;
        }

        if (ngx_http_prism_local_link(lc, lc->body) == NGX_OK
            || lc->err != NGX_EXDEV)
        {
            return;
        }

        /* the body's file is on another file system: copy the bytes */

        lc->op = NULL;
        lc->err = 0;
    }

    if (ngx_http_prism_local_copy(lc) != NGX_OK) {
        return;
    }

    (void) ngx_http_prism_local_link(lc, lc->tmp);

    if (ngx_delete_file(lc->tmp) == NGX_FILE_ERROR) {
        ngx_log_error(NGX_LOG_CRIT, log, ngx_errno,
                      "prism: " ngx_delete_file_n " \"%s\" failed", lc->tmp);
    }
}


/*
 * Copies the image's range of the body file into the temporary file,
 * which must not exist.  Returns NGX_OK, or NGX_ERROR with the failure
 * recorded and the temporary file removed.
 */

static ngx_int_t
ngx_http_prism_local_copy(ngx_http_prism_local_t *lc)
{
    off_t      offset;
    u_char    *p;
    ssize_t    n, written;
    ngx_fd_t   fd;

    fd = ngx_open_file(lc->tmp, NGX_FILE_WRONLY, O_CREAT|O_EXCL, 0644);
    if (fd == NGX_INVALID_FILE) {
        ngx_http_prism_local_failed(lc, ngx_open_file_n, lc->tmp, ngx_errno);
        return NGX_ERROR;
    }

    for (offset = lc->offset; offset < lc->end && lc->op == NULL;
         offset += n)
    {
        n = pread(lc->from, lc->buf,
                  (size_t) ngx_min(NGX_HTTP_PRISM_COPY_BUF, lc->end - offset),
                  offset);

        if (n <= 0) {
            ngx_http_prism_local_failed(lc, "pread() of the upload's body",
                                        lc->tmp, n ? ngx_errno : 0);
            break;
        }

        for (p = lc->buf; p < lc->buf + n; p += written) {
            written = ngx_write_fd(fd, p, lc->buf + n - p);

            if (written == -1) {
                ngx_http_prism_local_failed(lc, ngx_write_fd_n, lc->tmp,
                                            ngx_errno);
                break;
            }
        }
    }

    if (ngx_close_file(fd) == NGX_FILE_ERROR && lc->op == NULL) {
        ngx_http_prism_local_failed(lc, ngx_close_file_n, lc->tmp, ngx_errno);
    }

    if (lc->op == NULL) {
        return NGX_OK;
    }

    (void) ngx_delete_file(lc->tmp);

    return NGX_ERROR;
}


/*
 * Links from to the destination; link() never replaces a file.  Returns
 * NGX_OK, or NGX_ERROR with the failure recorded, or with lc->exists set
 * when the destination existed.
 */

static ngx_int_t
ngx_http_prism_local_link(ngx_http_prism_local_t *lc, u_char *from)
{
    ngx_err_t  err;

    if (link((char *) from, (char *) lc->to) == 0) {
        return NGX_OK;
    }

    err = ngx_errno;

    if (err == NGX_EEXIST) {
        lc->exists = 1;

    } else {
        ngx_http_prism_local_failed(lc, "link()", lc->to, err);
    }

    return NGX_ERROR;
}


/* Records the first failure of the local store: the call, file, errno. */

static void
ngx_http_prism_local_failed(ngx_http_prism_local_t *lc, const char *op,
    u_char *file, ngx_err_t err)
{
    if (lc->op == NULL) {
        lc->op = op;
        lc->file = file;
        lc->err = err;
    }
}


#if (NGX_THREADS)

/* The local store is back from the thread pool: its outcome follows. */

static void
ngx_http_prism_local_done(ngx_event_t *ev)
{
    ngx_http_prism_local_t  *lc = ev->data;

    ngx_connection_t      *c;
    ngx_http_request_t    *r;
    ngx_http_prism_ctx_t  *ctx;

    r = lc->request;
    c = r->connection;

    r->main->blocked--;

    ctx = ngx_http_get_module_ctx(r, ngx_http_prism_module);

    ngx_http_prism_stored(r, ctx, ngx_http_prism_local_finish(r, ctx));

    ngx_http_run_posted_requests(c);
}

#endif


/*
 * Logs and counts the local store's result.  Returns NGX_OK, NGX_DECLINED
 * when the key existed (a duplicate), or NGX_ERROR with the outcome set:
 * store_full when the file system is full (ENOSPC, EDQUOT).
 */

static ngx_int_t
ngx_http_prism_local_finish(ngx_http_request_t *r, ngx_http_prism_ctx_t *ctx)
{
    ngx_http_prism_local_t  *lc = ctx->local;

    ngx_pfree(r->pool, lc->buf);

    if (lc->exists) {
        return ngx_http_prism_exists(r, ctx);
    }

    if (lc->op == NULL) {
        ngx_http_prism_count_store(r, 1, 1,
                                   ngx_current_msec - ctx->store_start);
        return NGX_OK;
    }

    ngx_log_error(NGX_LOG_CRIT, r->connection->log, lc->err,
                  "prism: storing the upload as \"%s\" failed: %s \"%s\" "
                  "failed", lc->to, lc->op, lc->file);

    ngx_http_prism_count_store(r, 0, 1, ngx_current_msec - ctx->store_start);

    if (lc->err == NGX_ENOSPC || lc->err == EDQUOT) {
        ngx_http_prism_error(ctx, ngx_http_prism_store_full,
                             "the local store is full");

    } else {
        ngx_http_prism_error(ctx, ngx_http_prism_internal_error,
                             "storing the original in the local directory "
                             "failed");
    }

    return NGX_ERROR;
}
