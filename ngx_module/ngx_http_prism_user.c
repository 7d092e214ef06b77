
/*
 * The upload's user ("prism_user $var"): who uploaded it, as nginx's
 * access control established it (auth_request_set, $remote_user, a
 * JWT claim).  It goes into the event (prism.userId, the user_id message
 * attribute), from where prism-host records it as the image's owner.
 */


#include "ngx_http_prism.h"


/*
 * Evaluates "prism_user" for the upload in ctx->user (left empty where
 * the directive is not set).  A location that names a user refuses an
 * upload without one, or with one an event cannot carry (see
 * ing_user_id_check): 403 invalid_user.  Returns NGX_OK, or NGX_ERROR
 * with the outcome set.
 */

ngx_int_t
ngx_http_prism_user(ngx_http_request_t *r, ngx_http_prism_ctx_t *ctx)
{
    ngx_str_t                   user;
    ngx_http_prism_loc_conf_t  *plcf;
    char                        err[128];

    plcf = ngx_http_get_module_loc_conf(r, ngx_http_prism_module);

    if (plcf->user == NULL) {
        return NGX_OK;
    }

    if (ngx_http_complex_value(r, plcf->user, &user) != NGX_OK) {
        return NGX_ERROR;
    }

    if (ing_user_id_check((char *) user.data, user.len, err, sizeof(err))
        != 0)
    {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "prism: upload refused: %s", err);

        ngx_http_prism_error(ctx, ngx_http_prism_invalid_user,
                             "this upload names no acceptable user: %s", err);
        return NGX_ERROR;
    }

    return ngx_http_prism_strdup(r->pool, &ctx->user, user.data, user.len);
}
