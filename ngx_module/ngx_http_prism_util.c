
/*
 * Helpers of the module's files: copies and checks of strings, names
 * of files and their durability.
 */


#include "ngx_http_prism.h"


/*
 * Copies len bytes at src into dst, NUL-terminated (dst->len excludes
 * the NUL).  Returns NGX_OK, or NGX_ERROR when memory runs out.
 */

ngx_int_t
ngx_http_prism_strdup(ngx_pool_t *pool, ngx_str_t *dst, u_char *src,
    size_t len)
{
    dst->data = ngx_pnalloc(pool, len + 1);
    if (dst->data == NULL) {
        return NGX_ERROR;
    }

    ngx_memcpy(dst->data, src, len);
    dst->data[len] = '\0';
    dst->len = len;

    return NGX_OK;
}


/*
 * Returns NGX_OK when s is 1 to max characters from '!' to '~' (printable
 * ASCII without spaces: a MessageGroupId SNS accepts with max 128, a KMS
 * key id), else NGX_DECLINED.
 */

ngx_int_t
ngx_http_prism_printable(ngx_str_t *s, size_t max)
{
    u_char  *p;

    if (s->len == 0 || s->len > max) {
        return NGX_DECLINED;
    }

    for (p = s->data; p < s->data + s->len; p++) {
        if (*p <= ' ' || *p > '~') {
            return NGX_DECLINED;
        }
    }

    return NGX_OK;
}


/*
 * Returns "DIR/PREFIX NAME SUFFIX", NUL-terminated, in pool, or NULL
 * when memory runs out.
 */

u_char *
ngx_http_prism_path_join(ngx_pool_t *pool, ngx_str_t *dir,
    const char *prefix, ngx_str_t *name, const char *suffix)
{
    size_t   len;
    u_char  *p;

    len = dir->len + 1 + ngx_strlen(prefix) + name->len + ngx_strlen(suffix)
          + 1;

    p = ngx_pnalloc(pool, len);
    if (p == NULL) {
        return NULL;
    }

    ngx_sprintf(p, "%V/%s%V%s%Z", dir, prefix, name, suffix);

    return p;
}


/*
 * Makes the directory's entries (a rename, a new name) durable.
 * Returns 0, or -1 with errno set.
 */

int
ngx_http_prism_sync_dir(u_char *dir)
{
    int        rc;
    ngx_fd_t   fd;
    ngx_err_t  err;

    fd = open((char *) dir, O_RDONLY|O_DIRECTORY);
    if (fd == -1) {
        return -1;
    }

    rc = fsync(fd);
    err = ngx_errno;

    (void) close(fd);

    ngx_set_errno(err);

    return rc;
}
