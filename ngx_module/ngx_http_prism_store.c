
/*
 * Storing the original, and removing it again when its publish failed:
 * what the two backends share.  The backend of a location
 * (ngx_http_prism_store_backend_t, chosen by "prism_store" when the
 * configuration is read) does the work: ngx_http_prism_store_s3.c (S3
 * PutObject or a multipart upload) and ngx_http_prism_store_local.c (a
 * link in prism_local_dir).
 *
 * The removal must only ever remove what this upload created: a key
 * template without the image id (by-hash/{sha256}.{ext}) gives the same
 * key to the same bytes, and the object may be an earlier upload's.  So
 * the original is created only where its key is free; a key that exists
 * already makes the upload a duplicate (ngx_http_prism_duplicate): it
 * stores, announces and removes nothing.
 */


#include "ngx_http_prism.h"


/*
 * Names the original in the backend before anything is written (the
 * intent records that name): the local store's path.  Returns NGX_OK, or
 * NGX_ERROR when memory runs out.
 */

ngx_int_t
ngx_http_prism_store_prepare(ngx_http_request_t *r, ngx_http_prism_ctx_t *ctx)
{
    ngx_http_prism_loc_conf_t  *plcf;

    plcf = ngx_http_get_module_loc_conf(r, ngx_http_prism_module);

    if (plcf->backend->prepare == NULL) {
        return NGX_OK;
    }

    return plcf->backend->prepare(r, ctx);
}


/*
 * Stores the original named by ctx (bucket, key, the image's range of the
 * body file) where its key is free: the step STORE.  Returns NGX_OK when
 * it is stored, NGX_AGAIN while the store runs (its result, one of the
 * others, goes to ngx_http_prism_resume()), NGX_DECLINED when the key
 * existed (a duplicate, nothing stored), or NGX_ERROR with the outcome
 * set.
 */

ngx_int_t
ngx_http_prism_store(ngx_http_request_t *r, ngx_http_prism_ctx_t *ctx)
{
    ngx_http_prism_loc_conf_t  *plcf;

    plcf = ngx_http_get_module_loc_conf(r, ngx_http_prism_module);

    ctx->store_start = ngx_current_msec;

    return plcf->backend->store(r, ctx);
}


/*
 * Removes the original this upload stored (never a duplicate's: it
 * stored nothing) after a failed publish, and notes the result in the
 * answer's message: the step UNDO.  Returns NGX_OK when done (whatever
 * the result), or NGX_AGAIN while it runs (then NGX_OK goes to
 * ngx_http_prism_resume()).
 */

ngx_int_t
ngx_http_prism_unstore(ngx_http_request_t *r, ngx_http_prism_ctx_t *ctx)
{
    ngx_http_prism_loc_conf_t  *plcf;

    plcf = ngx_http_get_module_loc_conf(r, ngx_http_prism_module);

    return plcf->backend->unstore(r, ctx);
}


/*
 * The URL of the stored original for the Location header: prism_location
 * when set, else the backend's (the object's S3 URL, or "/KEY" for the
 * local store).  Returns NGX_OK, or NGX_ERROR when memory runs out.
 */

ngx_int_t
ngx_http_prism_location(ngx_http_request_t *r, ngx_http_prism_ctx_t *ctx,
    ngx_str_t *location)
{
    ngx_http_prism_loc_conf_t  *plcf;

    plcf = ngx_http_get_module_loc_conf(r, ngx_http_prism_module);

    if (plcf->location) {
        return ngx_http_complex_value(r, plcf->location, location);
    }

    return plcf->backend->location(r, ctx, location);
}


/*
 * Records that the key exists already: this upload did not create the
 * object, so it announces and removes nothing and is answered as a
 * duplicate.  Returns NGX_DECLINED, the store's result.
 */

ngx_int_t
ngx_http_prism_exists(ngx_http_request_t *r, ngx_http_prism_ctx_t *ctx)
{
    ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                  "prism: \"%V\" exists already, the upload is a duplicate",
                  &ctx->key);

    ctx->outcome = ngx_http_prism_duplicate;

    return NGX_DECLINED;
}


/*
 * Counts the removal of the original and tells it in the answer's
 * message ("..., the stored original was removed").
 */

void
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
