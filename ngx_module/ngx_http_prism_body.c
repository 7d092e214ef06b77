
/*
 * The upload's request body filter.
 *
 * nginx reads the body into client_body_buffer_size buffers and writes
 * them to its temporary file (request_body_in_file_only); this filter sits
 * in front of that and sees every byte once, as it arrives, so memory
 * stays bounded whatever the size:
 *
 *   - the byte limit is enforced while the body arrives;
 *   - a raw body's first bytes are kept until the image header can be
 *     read (type by magic bytes, dimensions), so a wrong type or a pixel
 *     bomb is refused after a few kilobytes;
 *   - a multipart/form-data body goes through the form collector
 *     (ingress/upload_form), which locates the file part; its header is
 *     read from the temporary file once the body is complete.
 *
 * Either way the image's SHA-256 is taken from the temporary file
 * afterwards, off the event loop (the step HASH, ngx_http_prism_hash.c).
 *
 * A refused upload stops being stored: its remaining bytes are dropped and
 * the answer is posted (ctx->reject, the handler's): it goes out outside
 * the body-reading code, and the rest of the body is drained by nginx's
 * lingering close without being stored.
 */


#include "ngx_http_prism.h"


static ngx_int_t ngx_http_prism_body_filter(ngx_http_request_t *r,
    ngx_chain_t *in);
static ngx_int_t ngx_http_prism_body_data(ngx_http_request_t *r,
    ngx_http_prism_ctx_t *ctx, u_char *data, size_t len);
static ngx_int_t ngx_http_prism_probe_feed(ngx_http_request_t *r,
    ngx_http_prism_ctx_t *ctx, u_char *data, size_t len);
static ngx_int_t ngx_http_prism_probe_file(ngx_http_request_t *r,
    ngx_http_prism_ctx_t *ctx);
static ngx_int_t ngx_http_prism_probe(ngx_http_request_t *r,
    ngx_http_prism_ctx_t *ctx, ngx_uint_t last);
static ngx_int_t ngx_http_prism_head_grow(ngx_http_request_t *r,
    ngx_http_prism_ctx_t *ctx);
static void ngx_http_prism_form_cleanup(void *data);


static ngx_http_request_body_filter_pt   ngx_http_next_request_body_filter;


/* Installs the filter (postconfiguration). */

ngx_int_t
ngx_http_prism_body_init(ngx_conf_t *cf)
{
    ngx_http_next_request_body_filter = ngx_http_top_request_body_filter;
    ngx_http_top_request_body_filter = ngx_http_prism_body_filter;

    return NGX_OK;
}


/*
 * Prepares the reading of an upload's body: the form collector for
 * multipart/form-data, else a raw body.  Returns NGX_OK,
 * NGX_DECLINED with the outcome set (a malformed form Content-Type), or
 * NGX_ERROR when memory runs out.
 */

ngx_int_t
ngx_http_prism_body_start(ngx_http_request_t *r, ngx_http_prism_ctx_t *ctx)
{
    ngx_str_t            *type;
    ngx_pool_cleanup_t   *cln;
    char                  boundary[ING_MP_BOUNDARY_MAX + 1];
    char                  err[ING_MP_ERR_MAX];

    type = r->headers_in.content_type ? &r->headers_in.content_type->value
                                      : NULL;

    if (type && type->len >= sizeof("multipart/form-data") - 1
        && ngx_strncasecmp(type->data, (u_char *) "multipart/form-data",
                           sizeof("multipart/form-data") - 1) == 0)
    {
        if (ing_multipart_boundary((char *) type->data, type->len, boundary,
                                   sizeof(boundary), err, sizeof(err))
            != 0)
        {
            ngx_http_prism_error(ctx, ngx_http_prism_malformed_body,
                                 "%s", err);
            return NGX_DECLINED;
        }

        cln = ngx_pool_cleanup_add(r->pool, 0);
        if (cln == NULL) {
            return NGX_ERROR;
        }

        ctx->form = ngx_palloc(r->pool, sizeof(ing_upload_form_t));
        if (ctx->form == NULL) {
            return NGX_ERROR;
        }

        if (ing_upload_form_init(ctx->form, boundary, err, sizeof(err)) != 0) {
            ngx_http_prism_error(ctx, ngx_http_prism_malformed_body,
                                 "%s", err);
            ctx->form = NULL;
            return NGX_DECLINED;
        }

        cln->handler = ngx_http_prism_form_cleanup;
        cln->data = ctx->form;

        return NGX_OK;
    }

    ctx->raw = 1;

    return NGX_OK;
}


/*
 * The request body filter.  Passes the body on unchanged while the upload
 * is acceptable; once it is refused, drops the data (flushes still pass,
 * so that buffers already handed on are written out) and posts the
 * answer.  Returns NGX_OK, the next filter's result, or 500 when memory
 * runs out.
 */

static ngx_int_t
ngx_http_prism_body_filter(ngx_http_request_t *r, ngx_chain_t *in)
{
    size_t                 size;
    ngx_chain_t           *cl;
    ngx_http_prism_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_prism_module);

    if (ctx == NULL || (!ctx->raw && ctx->form == NULL)) {
        return ngx_http_next_request_body_filter(r, in);
    }

    for (cl = in; cl && ctx->outcome == ngx_http_prism_created; cl = cl->next) {
        size = cl->buf->last - cl->buf->pos;

        if (size
            && ngx_http_prism_body_data(r, ctx, cl->buf->pos, size) != NGX_OK)
        {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
    }

    if (ctx->outcome == ngx_http_prism_created || in == NULL) {
        return ngx_http_next_request_body_filter(r, in);
    }

    for (cl = in; cl; cl = cl->next) {
        cl->buf->pos = cl->buf->last;
    }

    if (!ctx->reject.posted && !ctx->answered) {
        ngx_post_event(&ctx->reject, &ngx_posted_events);
    }

    return NGX_OK;
}


/*
 * Takes len more bytes of the body.  Returns NGX_OK (the outcome says
 * whether the upload is still acceptable), or NGX_ERROR when memory runs
 * out.
 */

static ngx_int_t
ngx_http_prism_body_data(ngx_http_request_t *r, ngx_http_prism_ctx_t *ctx,
    u_char *data, size_t len)
{
    ctx->received += len;

    if (ctx->form) {
        if (ctx->max_bytes
            && ctx->received > ctx->max_bytes + NGX_HTTP_PRISM_FORM_SLACK)
        {
            ngx_http_prism_error(ctx, ngx_http_prism_too_large,
                                 "the form is over %O bytes, the file limit "
                                 "is %O", ctx->received - (off_t) len,
                                 ctx->max_bytes);
            return NGX_OK;
        }

        if (ing_upload_form_feed(ctx->form, data, len) != 0) {
            if (ctx->form->nomem) {
                return NGX_ERROR;
            }

            ngx_http_prism_error(ctx, ngx_http_prism_malformed_body, "%s",
                                 ing_upload_form_error(ctx->form));
        }

        return NGX_OK;
    }

    if (ctx->max_bytes && ctx->received > ctx->max_bytes) {
        ngx_http_prism_error(ctx, ngx_http_prism_too_large,
                             "the upload is over the limit of %O bytes",
                             ctx->max_bytes);
        return NGX_OK;
    }

    return ngx_http_prism_probe_feed(r, ctx, data, len);
}


/*
 * Finishes the body: locates the image (the form's file part, or the raw
 * body) in the body file (ctx->fd, ctx->offset, ctx->size) for the step
 * HASH; the image header must be complete and acceptable.  Returns
 * NGX_OK, or NGX_ERROR with the outcome set.
 */

ngx_int_t
ngx_http_prism_body_finish(ngx_http_request_t *r, ngx_http_prism_ctx_t *ctx)
{
    if (r->request_body && r->request_body->temp_file) {
        ctx->fd = r->request_body->temp_file->file.fd;
    }

    if (ctx->form) {
        if (ing_upload_form_finish(ctx->form) != 0) {
            if (ctx->form->nomem) {
                ngx_http_prism_error(ctx, ngx_http_prism_internal_error,
                                     "out of memory");
            } else {
                ngx_http_prism_error(ctx, ngx_http_prism_malformed_body,
                                     "%s", ing_upload_form_error(ctx->form));
            }

            return NGX_ERROR;
        }

        ctx->offset = (off_t) ctx->form->data_offset;
        ctx->size = (off_t) ctx->form->data_len;

        if (ctx->size == 0) {
            ngx_http_prism_error(ctx, ngx_http_prism_empty_body,
                                 "the file \"%s\" of the form is empty",
                                 ctx->form->filename);
            return NGX_ERROR;
        }

        if (ctx->max_bytes && ctx->size > ctx->max_bytes) {
            ngx_http_prism_error(ctx, ngx_http_prism_too_large,
                                 "the file is %O bytes, the limit is %O",
                                 ctx->size, ctx->max_bytes);
            return NGX_ERROR;
        }

        if (ngx_http_prism_probe_file(r, ctx) != NGX_OK) {
            return NGX_ERROR;
        }

    } else {
        if (ctx->received == 0) {
            ngx_http_prism_error(ctx, ngx_http_prism_empty_body,
                                 "the upload is empty");
            return NGX_ERROR;
        }

        ctx->offset = 0;
        ctx->size = ctx->received;
    }

    if (ctx->probe == NGX_AGAIN) {
        (void) ngx_http_prism_probe(r, ctx, 1);
    }

    if (ctx->outcome != ngx_http_prism_created) {
        return NGX_ERROR;
    }

    if (ctx->fd == NGX_INVALID_FILE) {
        ngx_log_error(NGX_LOG_ALERT, r->connection->log, 0,
                      "prism: the request body is not in a file");
        ngx_http_prism_error(ctx, ngx_http_prism_internal_error,
                             "the upload was not buffered to a file");
        return NGX_ERROR;
    }

    return NGX_OK;
}


/*
 * Keeps the start of the image until its header can be read, reading it
 * as soon as enough is there.  Returns NGX_OK (the outcome tells whether
 * the image was refused), or NGX_ERROR when memory runs out.
 */

static ngx_int_t
ngx_http_prism_probe_feed(ngx_http_request_t *r, ngx_http_prism_ctx_t *ctx,
    u_char *data, size_t len)
{
    size_t     n;
    ngx_int_t  rc;

    while (len && ctx->probe == NGX_AGAIN) {

        if (ctx->head_len == ctx->head_size) {
            rc = ngx_http_prism_head_grow(r, ctx);
            if (rc != NGX_OK) {
                return rc == NGX_DECLINED ? NGX_OK : NGX_ERROR;
            }
        }

        n = ngx_min(len, ctx->head_size - ctx->head_len);

        ngx_memcpy(ctx->head + ctx->head_len, data, n);

        ctx->head_len += n;
        data += n;
        len -= n;

        if (ctx->head_len >= ctx->info.need) {
            (void) ngx_http_prism_probe(r, ctx, 0);
        }
    }

    return NGX_OK;
}


/*
 * Reads the header of a form's file from the body's temporary file.
 * Returns NGX_OK (see the outcome), or NGX_ERROR with the outcome set when
 * the file cannot be read.
 */

static ngx_int_t
ngx_http_prism_probe_file(ngx_http_request_t *r, ngx_http_prism_ctx_t *ctx)
{
    off_t     offset, end;
    size_t    size;
    ssize_t   n;
    u_char    buf[16384];

    if (ctx->fd == NGX_INVALID_FILE) {
        return NGX_OK;
    }

    offset = ctx->offset;
    end = ctx->offset + ctx->size;

    while (ctx->probe == NGX_AGAIN && offset < end) {
        size = (size_t) ngx_min((off_t) sizeof(buf), end - offset);

        n = ngx_read_file(&r->request_body->temp_file->file, buf, size,
                          offset);

        if (n == NGX_ERROR || n == 0) {
            ngx_http_prism_error(ctx, ngx_http_prism_internal_error,
                                 "cannot read the uploaded file back");
            return NGX_ERROR;
        }

        if (ngx_http_prism_probe_feed(r, ctx, buf, (size_t) n) != NGX_OK) {
            ngx_http_prism_error(ctx, ngx_http_prism_internal_error,
                                 "out of memory");
            return NGX_ERROR;
        }

        offset += n;
    }

    return NGX_OK;
}


/*
 * Reads the image header from what was kept.  LAST says no more bytes
 * will come.  Returns NGX_AGAIN when more bytes are needed, NGX_OK when
 * the image is acceptable, NGX_DECLINED with the outcome set when not.
 */

static ngx_int_t
ngx_http_prism_probe(ngx_http_request_t *r, ngx_http_prism_ctx_t *ctx,
    ngx_uint_t last)
{
    int                         rc;
    ii_type_t                   type;
    ngx_http_prism_loc_conf_t  *plcf;
    char                        err[256];

    plcf = ngx_http_get_module_loc_conf(r, ngx_http_prism_module);

    rc = ii_probe(ctx->head, ctx->head_len, &ctx->info, err, sizeof(err));

    if (rc == II_NEED_MORE) {
        if (!last) {
            return NGX_AGAIN;
        }

        ngx_http_prism_error(ctx, ngx_http_prism_invalid_image,
                             "the image is truncated: its header ends "
                             "after %uz bytes", ctx->head_len);
        goto refused;
    }

    if (rc == II_ERROR) {
        type = ii_sniff(ctx->head, ctx->head_len);

        if (type == II_TYPE_UNKNOWN) {
            ngx_http_prism_error(ctx, ngx_http_prism_unsupported_type,
                                 "the upload is not a JPEG, PNG, WebP, "
                                 "GIF, HEIC, HEIF or AVIF image");

        } else if (!(plcf->types & (1 << type))) {
            /* a type this location does not take is refused as such,
             * whether or not its header is sound */
            ngx_http_prism_error(ctx, ngx_http_prism_type_not_allowed,
                                 "%s images are not accepted here",
                                 ii_type_mime(type));

        } else {
            ngx_http_prism_error(ctx, ngx_http_prism_invalid_image,
                                 "the image header is corrupt: %s", err);
        }

        goto refused;
    }

    if (!(plcf->types & (1 << ctx->info.type))) {
        ngx_http_prism_error(ctx, ngx_http_prism_type_not_allowed,
                             "%s images are not accepted here",
                             ii_type_mime(ctx->info.type));
        goto refused;
    }

    if (ii_check_limits(&ctx->info, plcf->max_pixels, 0, err, sizeof(err))
        != II_OK)
    {
        ngx_http_prism_error(ctx, ngx_http_prism_too_many_pixels,
                             "the image is %udx%ud pixels: %s",
                             ctx->info.width, ctx->info.height, err);
        goto refused;
    }

    ctx->probe = NGX_OK;

    return NGX_OK;

refused:

    ctx->probe = NGX_DECLINED;

    return NGX_DECLINED;
}


/*
 * Makes room for more of the image header: doubles the buffer, or grows
 * it to what the header needs, up to NGX_HTTP_PRISM_HEAD_MAX.  Returns
 * NGX_OK, NGX_DECLINED with the outcome set when the header is larger
 * than that, or NGX_ERROR when memory runs out.
 */

static ngx_int_t
ngx_http_prism_head_grow(ngx_http_request_t *r, ngx_http_prism_ctx_t *ctx)
{
    size_t   size;
    u_char  *head;

    if (ctx->head_size == NGX_HTTP_PRISM_HEAD_MAX) {
        ngx_http_prism_error(ctx, ngx_http_prism_invalid_image,
                             "the image header is larger than %uz bytes",
                             (size_t) NGX_HTTP_PRISM_HEAD_MAX);
        ctx->probe = NGX_DECLINED;
        return NGX_DECLINED;
    }

    size = ctx->head_size ? 2 * ctx->head_size : 4096;

    if (size < ctx->info.need) {
        size = ctx->info.need;
    }

    if (size > NGX_HTTP_PRISM_HEAD_MAX) {
        size = NGX_HTTP_PRISM_HEAD_MAX;
    }

    head = ngx_palloc(r->pool, size);
    if (head == NULL) {
        return NGX_ERROR;
    }

    if (ctx->head) {
        ngx_memcpy(head, ctx->head, ctx->head_len);
        ngx_pfree(r->pool, ctx->head);
    }

    ctx->head = head;
    ctx->head_size = size;

    return NGX_OK;
}


/* Pool cleanup: frees what the form collector holds. */

static void
ngx_http_prism_form_cleanup(void *data)
{
    ing_upload_form_free(data);
}

