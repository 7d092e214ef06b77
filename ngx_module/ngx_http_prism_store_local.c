
/*
 * The local backend of the store: in prism_thread_pool, the file appears
 * in prism_local_dir under its key with link(), which never replaces an
 * existing file: a raw body's temporary file is linked there; a form's
 * file, or a body on another file system, is first copied into a
 * temporary file next to its destination, removed again whatever
 * happens.  A full file system is answered 507 store_full.  The removal
 * after a failed publish deletes the file.
 */


#include "ngx_http_prism.h"


/* the buffer of the local store's copy */
#define NGX_HTTP_PRISM_COPY_BUF      65536


/* The local store's work, done in the thread pool. */

typedef struct {
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

static ngx_int_t ngx_http_prism_local_path(ngx_http_request_t *r,
    ngx_http_prism_ctx_t *ctx);
static ngx_int_t ngx_http_prism_store_local(ngx_http_request_t *r,
    ngx_http_prism_ctx_t *ctx);
static ngx_int_t ngx_http_prism_local_unstore(ngx_http_request_t *r,
    ngx_http_prism_ctx_t *ctx);
static ngx_int_t ngx_http_prism_local_location(ngx_http_request_t *r,
    ngx_http_prism_ctx_t *ctx, ngx_str_t *location);
static void ngx_http_prism_local_task(void *data, ngx_log_t *log);
static ngx_int_t ngx_http_prism_local_copy(ngx_http_prism_local_t *lc);
static ngx_int_t ngx_http_prism_local_link(ngx_http_prism_local_t *lc,
    u_char *from);
static void ngx_http_prism_local_failed(ngx_http_prism_local_t *lc,
    const char *op, u_char *file, ngx_err_t err);
static ngx_int_t ngx_http_prism_local_finish(ngx_http_request_t *r,
    ngx_http_prism_ctx_t *ctx);
#if (NGX_THREADS)
static ngx_int_t ngx_http_prism_local_done(ngx_http_request_t *r,
    void *data);
#endif


ngx_http_prism_store_backend_t  ngx_http_prism_local_backend = {
    ING_STORAGE_LOCAL,
    0,                                    /* a bucket is optional */
    ngx_http_prism_local_path,
    ngx_http_prism_store_local,
    ngx_http_prism_local_unstore,
    ngx_http_prism_local_location
};


/*
 * Sets ctx->path, the original's name in the local directory
 * ("prism_local_dir/KEY"), unless it is set already.  Returns NGX_OK, or
 * NGX_ERROR when memory runs out.
 */

static ngx_int_t
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
 * the task runs (its result goes to ngx_http_prism_resume()), else NGX_OK,
 * NGX_DECLINED (a duplicate) or NGX_ERROR with the outcome set.
 */

static ngx_int_t
ngx_http_prism_store_local(ngx_http_request_t *r, ngx_http_prism_ctx_t *ctx)
{
    ngx_http_prism_local_t      *lc;
#if (NGX_THREADS)
    ngx_thread_task_t           *task;
#endif

    if (ngx_http_prism_local_path(r, ctx) != NGX_OK) {
        goto nomem;
    }

#if (NGX_THREADS)
    task = ngx_http_prism_task_alloc(r, sizeof(ngx_http_prism_local_t));
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
    if (ngx_http_prism_task_post(r, task, ngx_http_prism_local_task,
                                 ngx_http_prism_local_done)
        == NGX_OK)
    {
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
 * Deletes the file this upload stored.  Returns NGX_OK (the result
 * noted).
 */

static ngx_int_t
ngx_http_prism_local_unstore(ngx_http_request_t *r, ngx_http_prism_ctx_t *ctx)
{
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


/*
 * "/KEY" for the Location header.  Returns NGX_OK, or NGX_ERROR when
 * memory runs out.
 */

static ngx_int_t
ngx_http_prism_local_location(ngx_http_request_t *r,
    ngx_http_prism_ctx_t *ctx, ngx_str_t *location)
{
    location->len = ctx->key.len + 1;
    location->data = ngx_pnalloc(r->pool, location->len);
    if (location->data == NULL) {
        return NGX_ERROR;
    }

    location->data[0] = '/';
    ngx_memcpy(location->data + 1, ctx->key.data, ctx->key.len);

    return NGX_OK;
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

/*
 * The local store is back from the thread pool.  Returns its result, as
 * ngx_http_prism_local_finish().
 */

static ngx_int_t
ngx_http_prism_local_done(ngx_http_request_t *r, void *data)
{
    ngx_http_prism_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_prism_module);

    return ngx_http_prism_local_finish(r, ctx);
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
