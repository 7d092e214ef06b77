
/*
 * The step HASH: once the body is complete and its last checks pass, the
 * image's SHA-256 (the whole raw body, or the file part of a form), read
 * back from nginx's temporary file in prism_thread_pool.
 *
 * Hashing as the bytes arrive would cost the event loop about a fifth of
 * its time at 256 KB uploads (docs/benchmarks.md): the loop that also
 * reads every other request.  Read back from the page cache in a pool
 * thread, the same bytes cost the loop nothing.
 */


#include "ngx_http_prism.h"

#include <openssl/evp.h>

#include "hex.h"


#define NGX_HTTP_PRISM_HASH_BUF  65536


/* what the task reads and what it finds */
typedef struct {
    ngx_fd_t     fd;
    off_t        offset;
    off_t        size;
    u_char      *buf;
    ngx_int_t    rc;           /* of ngx_http_prism_sha256_fd() */
    ngx_err_t    err;          /* of a read that failed, else 0 */
    u_char       sha256[65];
} ngx_http_prism_hash_t;


static void ngx_http_prism_hash_task(void *data, ngx_log_t *log);
static ngx_int_t ngx_http_prism_hash_done(ngx_http_request_t *r, void *data);


/*
 * HASH: finishes the body (ngx_http_prism_body_finish: the form closed,
 * the image's header complete and acceptable), then starts hashing the
 * image's bytes in the body file.  Returns NGX_AGAIN while the task runs
 * (its result goes to ngx_http_prism_resume()), NGX_OK when it is done
 * here (nginx without threads), or NGX_ERROR with the outcome set.
 */

ngx_int_t
ngx_http_prism_hash(ngx_http_request_t *r, ngx_http_prism_ctx_t *ctx)
{
    ngx_http_prism_hash_t  *h;
#if (NGX_THREADS)
    ngx_thread_task_t      *task;
#endif

    if (ngx_http_prism_body_finish(r, ctx) != NGX_OK) {
        return NGX_ERROR;
    }

#if (NGX_THREADS)
    task = ngx_http_prism_task_alloc(r, sizeof(ngx_http_prism_hash_t));
    if (task == NULL) {
        return NGX_ERROR;
    }

    h = task->ctx;
#else
    h = ngx_pcalloc(r->pool, sizeof(ngx_http_prism_hash_t));
    if (h == NULL) {
        return NGX_ERROR;
    }
#endif

    h->fd = ctx->fd;
    h->offset = ctx->offset;
    h->size = ctx->size;
    h->buf = ngx_palloc(r->pool, NGX_HTTP_PRISM_HASH_BUF);
    if (h->buf == NULL) {
        return NGX_ERROR;
    }

#if (NGX_THREADS)
    if (ngx_http_prism_task_post(r, task, ngx_http_prism_hash_task,
                                 ngx_http_prism_hash_done)
        == NGX_OK)
    {
        return NGX_AGAIN;
    }
#endif

    ngx_http_prism_hash_task(h, r->connection->log);

    return ngx_http_prism_hash_done(r, h);
}


/*
 * Hashes the size bytes of fd from offset on with SHA-256 into hex (65
 * bytes, lowercase, NUL-terminated), reading through buf (len bytes) with
 * pread() only, so any thread may call it.  Returns NGX_OK; NGX_DECLINED
 * when the file ends before those bytes do; NGX_ERROR with *err set to
 * the read's errno, or to 0 when the digest itself fails.
 */

ngx_int_t
ngx_http_prism_sha256_fd(ngx_fd_t fd, off_t offset, off_t size, u_char *buf,
    size_t len, u_char *hex, ngx_err_t *err)
{
    off_t         done;
    ssize_t       n;
    ngx_int_t     rc;
    EVP_MD_CTX   *md;
    unsigned int  dlen;
    u_char        digest[EVP_MAX_MD_SIZE];

    *err = 0;
    rc = NGX_ERROR;

    md = EVP_MD_CTX_new();
    if (md == NULL || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1) {
        goto done;
    }

    for (done = 0; done < size; done += n) {
        n = pread(fd, buf, (size_t) ngx_min((off_t) len, size - done),
                  offset + done);

        if (n == -1 && ngx_errno == NGX_EINTR) {
            n = 0;
            continue;
        }

        if (n <= 0) {
            rc = n == 0 ? NGX_DECLINED : NGX_ERROR;
            *err = n == 0 ? 0 : ngx_errno;
            goto done;
        }

        if (EVP_DigestUpdate(md, buf, (size_t) n) != 1) {
            goto done;
        }
    }

    if (EVP_DigestFinal_ex(md, digest, &dlen) != 1) {
        goto done;
    }

    ing_hex(digest, dlen, (char *) hex);
    rc = NGX_OK;

done:

    EVP_MD_CTX_free(md);

    return rc;
}


/* The task: hashes the body file (in a pool thread). */

static void
ngx_http_prism_hash_task(void *data, ngx_log_t *log)
{
    ngx_http_prism_hash_t *h = data;

    h->rc = ngx_http_prism_sha256_fd(h->fd, h->offset, h->size, h->buf,
                                     NGX_HTTP_PRISM_HASH_BUF, h->sha256,
                                     &h->err);
}


/*
 * The hash is back on the event loop: ctx->sha256, or the outcome set to
 * an internal error (logged).  Returns NGX_OK or NGX_ERROR.
 */

static ngx_int_t
ngx_http_prism_hash_done(ngx_http_request_t *r, void *data)
{
    ngx_http_prism_hash_t *h = data;

    ngx_http_prism_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_prism_module);

    if (h->rc == NGX_OK) {
        ngx_memcpy(ctx->sha256, h->sha256, sizeof(ctx->sha256));
        return NGX_OK;
    }

    ngx_log_error(NGX_LOG_ALERT, r->connection->log, h->err,
                  "prism: hashing the body file \"%V\" failed%s",
                  &r->request_body->temp_file->file.name,
                  h->rc == NGX_DECLINED ? ": it is shorter than the body"
                                        : "");

    ngx_http_prism_error(ctx, ngx_http_prism_internal_error,
                         "cannot read the upload back");

    return NGX_ERROR;
}
