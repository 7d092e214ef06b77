
/*
 * The S3 backend of the store: one PutObject streamed from the body's
 * temporary file (at the image's offset) up to
 * prism_s3_multipart_threshold; above it a multipart upload (create, the
 * parts one after the other, complete), aborted on any failure.  With a
 * key that can repeat, PutObject and CompleteMultipartUpload carry
 * "If-None-Match: *" (412: the key exists), preceded by a HeadObject
 * where prism_s3_check_existing says the endpoint may ignore that
 * header.  All of it runs on the event loop through ngx_http_prism_call
 * within prism_store_timeout.  The removal after a failed publish is a
 * DeleteObject.
 */


#include "ngx_http_prism.h"


/* the budget of the clean-up calls (abort, delete) */
#define NGX_HTTP_PRISM_UNDO_TIMEOUT  10000

/* the most parts of an S3 multipart upload */
#define NGX_HTTP_PRISM_MAX_PARTS     10000

/* S3 allows 2 KB of user metadata */
#define NGX_HTTP_PRISM_META_MAX      2048


static ngx_int_t ngx_http_prism_store_s3(ngx_http_request_t *r,
    ngx_http_prism_ctx_t *ctx);
static ngx_int_t ngx_http_prism_s3_write(ngx_http_request_t *r,
    ngx_http_prism_ctx_t *ctx);
static ngx_int_t ngx_http_prism_s3_not_started(ngx_http_request_t *r,
    ngx_http_prism_ctx_t *ctx);
static ngx_int_t ngx_http_prism_not_stored(ngx_http_request_t *r,
    ngx_http_prism_ctx_t *ctx, ngx_uint_t attempts);
static ngx_int_t ngx_http_prism_s3_unstore(ngx_http_request_t *r,
    ngx_http_prism_ctx_t *ctx);
static ngx_int_t ngx_http_prism_s3_location(ngx_http_request_t *r,
    ngx_http_prism_ctx_t *ctx, ngx_str_t *location);

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


ngx_http_prism_store_backend_t  ngx_http_prism_s3_backend = {
    ING_STORAGE_S3,
    1,                                    /* needs a bucket */
    NULL,
    ngx_http_prism_store_s3,
    ngx_http_prism_s3_unstore,
    ngx_http_prism_s3_location
};


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
 * Deletes the object this upload stored.  Returns NGX_AGAIN when the
 * DeleteObject runs (then NGX_OK goes to ngx_http_prism_resume()), or
 * NGX_OK when it could not start (the result noted).
 */

static ngx_int_t
ngx_http_prism_s3_unstore(ngx_http_request_t *r, ngx_http_prism_ctx_t *ctx)
{
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
 * The object's S3 URL for the Location header.  Returns NGX_OK, or
 * NGX_ERROR when memory runs out.
 */

static ngx_int_t
ngx_http_prism_s3_location(ngx_http_request_t *r, ngx_http_prism_ctx_t *ctx,
    ngx_str_t *location)
{
    ngx_int_t                    rc;
    aws_buf_t                    url = AWS_BUF_INIT;
    aws_error_t                  err;
    aws_request_t                req;
    ngx_http_prism_main_conf_t  *pmcf;

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
 * Ends a store that created nothing: a duplicate is answered as such, a
 * failure (its outcome set) is counted.  Returns the store's result:
 * NGX_DECLINED for a duplicate, else NGX_ERROR.
 */

static ngx_int_t
ngx_http_prism_not_stored(ngx_http_request_t *r, ngx_http_prism_ctx_t *ctx,
    ngx_uint_t attempts)
{
    if (ctx->outcome == ngx_http_prism_duplicate) {
        return NGX_DECLINED;
    }

    ngx_http_prism_count_store(r, 0, attempts,
                               ngx_current_msec - ctx->store_start);

    return NGX_ERROR;
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
    ngx_http_request_t    *r = call->data;
    ngx_http_prism_ctx_t  *ctx;

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

    ngx_http_prism_resume(r, ngx_http_prism_not_stored(r, ctx,
                                                       call->attempts));
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
    ngx_http_request_t    *r = call->data;
    ngx_http_prism_ctx_t  *ctx;

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
        ngx_http_prism_resume(r, NGX_ERROR);
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
    ngx_http_request_t    *r = call->data;
    ngx_http_prism_ctx_t  *ctx;

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
        ngx_http_prism_resume(r, NGX_ERROR);
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

    ngx_http_prism_resume(r, ngx_http_prism_not_stored(r, ctx, 1));
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

        ngx_http_prism_resume(r, NGX_OK);
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

    ngx_http_prism_resume(r, ngx_http_prism_not_stored(r, ctx,
                                                       call->attempts));
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

    ngx_http_prism_resume(r, ngx_http_prism_not_stored(r, ctx, 1));
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

    ngx_http_prism_resume(r, NGX_OK);
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
