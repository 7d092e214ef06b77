
/*
 * "nginx -t" for prism_local_dir: the directory, or where the first upload
 * creates it, must be writable by the user nginx's workers run as.
 *
 * nginx -t usually runs as root, so access() answers for root, not for
 * the workers.  When the workers run as another user, the verdict comes
 * from the mode bits of the nearest existing directory: certain for its
 * owner and when no class grants writing; a group or an ACL may grant
 * what the bits alone cannot tell, which is a warning, not an error.
 */


#include "ngx_http_prism.h"

#include <pwd.h>


#define NGX_HTTP_PRISM_DIR_WRITABLE  (S_IWUSR|S_IXUSR)
#define NGX_HTTP_PRISM_DIR_GROUP     (S_IWGRP|S_IXGRP)
#define NGX_HTTP_PRISM_DIR_OTHER     (S_IWOTH|S_IXOTH)


typedef enum {
    NGX_HTTP_PRISM_DIR_YES = 0,
    NGX_HTTP_PRISM_DIR_NO,
    NGX_HTTP_PRISM_DIR_UNKNOWN
} ngx_http_prism_dir_verdict_e;


static ngx_http_prism_dir_verdict_e ngx_http_prism_dir_writable(
    const char *path, struct stat *st, ngx_core_conf_t *ccf,
    const char **user);
static ngx_http_prism_dir_verdict_e ngx_http_prism_dir_mode(struct stat *st,
    ngx_uid_t uid, ngx_gid_t gid);


/*
 * Checks the directory "dir" (a full path) before any worker runs; "nginx
 * -s SIGNAL" reads the configuration only to find the pid, and skips it.
 * Returns NGX_OK (perhaps after a warning), or NGX_ERROR after logging
 * why every upload to it would fail.
 */

ngx_int_t
ngx_http_prism_local_dir_check(ngx_conf_t *cf, ngx_str_t *dir)
{
    u_char                        *path, *slash;
    const char                    *user;
    struct stat                    st;
    ngx_core_conf_t               *ccf;
    ngx_http_prism_dir_verdict_e   verdict;

    if (ngx_process == NGX_PROCESS_SIGNALLER) {
        return NGX_OK;
    }

    path = ngx_pnalloc(cf->temp_pool, dir->len + 1);
    if (path == NULL) {
        return NGX_ERROR;
    }

    ngx_cpystrn(path, dir->data, dir->len + 1);

    /* the nearest part of the path that exists */

    while (stat((char *) path, &st) != 0) {

        if (ngx_errno != NGX_ENOENT && ngx_errno != NGX_ENOTDIR) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                               "prism: stat() \"%s\" of \"prism_local_dir\" "
                               "failed", path);
            return NGX_ERROR;
        }

        slash = (u_char *) strrchr((char *) path, '/');
        if (slash == NULL || slash == path) {
            ngx_cpystrn(path, (u_char *) "/", 2);
            continue;
        }

        *slash = '\0';
    }

    if (!S_ISDIR(st.st_mode)) {
        if (ngx_strlen(path) == dir->len) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "prism: \"prism_local_dir\" \"%V\" is not a "
                               "directory", dir);
        } else {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "prism: \"prism_local_dir\" \"%V\" cannot be "
                               "created: \"%s\" is not a directory",
                               dir, path);
        }

        return NGX_ERROR;
    }

    ccf = (ngx_core_conf_t *) ngx_get_conf(cf->cycle->conf_ctx,
                                           ngx_core_module);

    verdict = ngx_http_prism_dir_writable((char *) path, &st, ccf, &user);

    if (verdict == NGX_HTTP_PRISM_DIR_NO) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "prism: \"prism_local_dir\" \"%V\": the worker "
                           "user \"%s\" cannot write in \"%s\"",
                           dir, user, path);
        return NGX_ERROR;
    }

    if (verdict == NGX_HTTP_PRISM_DIR_UNKNOWN) {
        ngx_conf_log_error(NGX_LOG_WARN, cf, 0,
                           "prism: \"prism_local_dir\" \"%V\": cannot tell "
                           "whether the worker user \"%s\" may write in "
                           "\"%s\" (a group, an ACL, or a \"user\" "
                           "directive after the http block)", dir, user, path);
    }

    return NGX_OK;
}


/*
 * Whether the workers may create files in the existing directory "path"
 * (stat in "st").  Sets *user to the name of their user.  The "user"
 * directive is known here only when it comes before the http block;
 * without it, workers started by root run as nginx's default user unless
 * a later "user" names another, so a "no" for the default is uncertain.
 */

static ngx_http_prism_dir_verdict_e
ngx_http_prism_dir_writable(const char *path, struct stat *st,
    ngx_core_conf_t *ccf, const char **user)
{
    struct passwd                 *pwd;
    ngx_http_prism_dir_verdict_e   verdict;

    /* not root, or no master process: the workers are this process's user */

    if (geteuid() != 0 || ccf->master == 0 || ccf->user == 0) {
        pwd = getpwuid(geteuid());
        *user = pwd ? pwd->pw_name : "?";

        return access(path, W_OK|X_OK) == 0 ? NGX_HTTP_PRISM_DIR_YES
                                            : NGX_HTTP_PRISM_DIR_NO;
    }

    if (ccf->user != (ngx_uid_t) NGX_CONF_UNSET_UINT) {
        *user = ccf->username;
        return ngx_http_prism_dir_mode(st, ccf->user, ccf->group);
    }

    *user = NGX_USER;
    pwd = getpwnam(NGX_USER);
    if (pwd == NULL) {
        return NGX_HTTP_PRISM_DIR_UNKNOWN;
    }

    verdict = ngx_http_prism_dir_mode(st, pwd->pw_uid, pwd->pw_gid);

    return verdict == NGX_HTTP_PRISM_DIR_NO ? NGX_HTTP_PRISM_DIR_UNKNOWN
                                            : verdict;
}


/*
 * What the mode bits of the directory "st" say about writing in it for
 * the user uid of primary group gid.  Certain for the owner, and when
 * neither the group nor the others class grants it; a group bit that
 * grants may be for a supplementary group, or be the mask of an ACL.
 */

static ngx_http_prism_dir_verdict_e
ngx_http_prism_dir_mode(struct stat *st, ngx_uid_t uid, ngx_gid_t gid)
{
    if (st->st_uid == uid) {
        return (st->st_mode & NGX_HTTP_PRISM_DIR_WRITABLE)
               == NGX_HTTP_PRISM_DIR_WRITABLE
               ? NGX_HTTP_PRISM_DIR_YES : NGX_HTTP_PRISM_DIR_NO;
    }

    if ((st->st_mode & NGX_HTTP_PRISM_DIR_OTHER) == NGX_HTTP_PRISM_DIR_OTHER) {
        return NGX_HTTP_PRISM_DIR_YES;
    }

    /* the group bits are also the ACL mask: no named entry grants more */

    if ((st->st_mode & NGX_HTTP_PRISM_DIR_GROUP) != NGX_HTTP_PRISM_DIR_GROUP) {
        return NGX_HTTP_PRISM_DIR_NO;
    }

    /* a supplementary group or a named ACL entry may still grant it */

    return st->st_gid == gid ? NGX_HTTP_PRISM_DIR_YES
                             : NGX_HTTP_PRISM_DIR_UNKNOWN;
}
