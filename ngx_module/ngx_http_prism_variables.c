
/*
 * The $prism_* variables: what an upload became, for access logs, and the
 * parts a key template is made of.  Each is "not found" until the upload
 * got that far ($prism_message_id only after a successful publish).
 */


#include "ngx_http_prism.h"


static ngx_int_t ngx_http_prism_variable_str(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data);
static ngx_int_t ngx_http_prism_variable_sha256(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data);
static ngx_int_t ngx_http_prism_variable_number(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data);
static ngx_int_t ngx_http_prism_variable_date(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data);
static ngx_int_t ngx_http_prism_variable_outcome(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data);


#define NGX_HTTP_PRISM_VAR_WIDTH   0
#define NGX_HTTP_PRISM_VAR_HEIGHT  1
#define NGX_HTTP_PRISM_VAR_SIZE    2

#define NGX_HTTP_PRISM_VAR_YEAR    0
#define NGX_HTTP_PRISM_VAR_MONTH   1
#define NGX_HTTP_PRISM_VAR_DAY     2
#define NGX_HTTP_PRISM_VAR_HOUR    3


static ngx_http_variable_t  ngx_http_prism_vars[] = {

    { ngx_string("prism_image_id"), NULL, ngx_http_prism_variable_str,
      offsetof(ngx_http_prism_ctx_t, image_id), NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("prism_ext"), NULL, ngx_http_prism_variable_str,
      offsetof(ngx_http_prism_ctx_t, ext), NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("prism_content_type"), NULL, ngx_http_prism_variable_str,
      offsetof(ngx_http_prism_ctx_t, content_type),
      NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("prism_bucket"), NULL, ngx_http_prism_variable_str,
      offsetof(ngx_http_prism_ctx_t, bucket), NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("prism_key"), NULL, ngx_http_prism_variable_str,
      offsetof(ngx_http_prism_ctx_t, key), NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("prism_etag"), NULL, ngx_http_prism_variable_str,
      offsetof(ngx_http_prism_ctx_t, etag), NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("prism_message_id"), NULL, ngx_http_prism_variable_str,
      offsetof(ngx_http_prism_ctx_t, message_id),
      NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("prism_sha256"), NULL, ngx_http_prism_variable_sha256,
      0, NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("prism_width"), NULL, ngx_http_prism_variable_number,
      NGX_HTTP_PRISM_VAR_WIDTH, NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("prism_height"), NULL, ngx_http_prism_variable_number,
      NGX_HTTP_PRISM_VAR_HEIGHT, NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("prism_size"), NULL, ngx_http_prism_variable_number,
      NGX_HTTP_PRISM_VAR_SIZE, NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("prism_year"), NULL, ngx_http_prism_variable_date,
      NGX_HTTP_PRISM_VAR_YEAR, NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("prism_month"), NULL, ngx_http_prism_variable_date,
      NGX_HTTP_PRISM_VAR_MONTH, NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("prism_day"), NULL, ngx_http_prism_variable_date,
      NGX_HTTP_PRISM_VAR_DAY, NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("prism_hour"), NULL, ngx_http_prism_variable_date,
      NGX_HTTP_PRISM_VAR_HOUR, NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("prism_outcome"), NULL, ngx_http_prism_variable_outcome,
      0, NGX_HTTP_VAR_NOCACHEABLE, 0 },

      ngx_http_null_variable
};


/*
 * Registers the variables (preconfiguration, so that directives can use
 * them).  Returns NGX_OK, or NGX_ERROR when one cannot be added.
 */

ngx_int_t
ngx_http_prism_add_variables(ngx_conf_t *cf)
{
    ngx_http_variable_t  *var, *v;

    for (v = ngx_http_prism_vars; v->name.len; v++) {
        var = ngx_http_add_variable(cf, &v->name, v->flags);
        if (var == NULL) {
            return NGX_ERROR;
        }

        var->get_handler = v->get_handler;
        var->data = v->data;
    }

    return NGX_OK;
}


/* Returns the upload's context, or NULL outside an upload. */

static ngx_http_prism_ctx_t *
ngx_http_prism_variable_ctx(ngx_http_request_t *r)
{
    return ngx_http_get_module_ctx(r->main, ngx_http_prism_module);
}


/* Sets v to the len bytes at data. */

static void
ngx_http_prism_variable_set(ngx_http_variable_value_t *v, u_char *data,
    size_t len)
{
    v->len = len;
    v->valid = 1;
    v->no_cacheable = 1;
    v->not_found = 0;
    v->data = data;
}


/* A string field of the context, at offset data; empty is not found. */

static ngx_int_t
ngx_http_prism_variable_str(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data)
{
    ngx_str_t             *s;
    ngx_http_prism_ctx_t  *ctx;

    ctx = ngx_http_prism_variable_ctx(r);

    if (ctx == NULL) {
        v->not_found = 1;
        return NGX_OK;
    }

    s = (ngx_str_t *) ((u_char *) ctx + data);

    if (s->len == 0) {
        v->not_found = 1;
        return NGX_OK;
    }

    ngx_http_prism_variable_set(v, s->data, s->len);

    return NGX_OK;
}


/* The SHA-256 of the image, once the whole body was read. */

static ngx_int_t
ngx_http_prism_variable_sha256(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data)
{
    ngx_http_prism_ctx_t  *ctx;

    ctx = ngx_http_prism_variable_ctx(r);

    if (ctx == NULL || ctx->sha256[0] == '\0') {
        v->not_found = 1;
        return NGX_OK;
    }

    ngx_http_prism_variable_set(v, ctx->sha256, 64);

    return NGX_OK;
}


/* Width, height (once the header was read) or size (once stored). */

static ngx_int_t
ngx_http_prism_variable_number(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data)
{
    u_char                *p;
    ngx_http_prism_ctx_t  *ctx;

    ctx = ngx_http_prism_variable_ctx(r);

    if (ctx == NULL || ctx->probe != NGX_OK) {
        v->not_found = 1;
        return NGX_OK;
    }

    p = ngx_pnalloc(r->pool, NGX_OFF_T_LEN);
    if (p == NULL) {
        return NGX_ERROR;
    }

    switch (data) {

    case NGX_HTTP_PRISM_VAR_WIDTH:
        v->len = ngx_sprintf(p, "%ud", ctx->info.width) - p;
        break;

    case NGX_HTTP_PRISM_VAR_HEIGHT:
        v->len = ngx_sprintf(p, "%ud", ctx->info.height) - p;
        break;

    default: /* NGX_HTTP_PRISM_VAR_SIZE */
        v->len = ngx_sprintf(p, "%O", ctx->size) - p;
        break;
    }

    ngx_http_prism_variable_set(v, p, v->len);

    return NGX_OK;
}


/* A part of the upload's time (UTC), two digits but the year. */

static ngx_int_t
ngx_http_prism_variable_date(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data)
{
    u_char                *p;
    ngx_int_t              n;
    ngx_http_prism_ctx_t  *ctx;

    ctx = ngx_http_prism_variable_ctx(r);

    if (ctx == NULL || ctx->tm.ngx_tm_year == 0) {
        v->not_found = 1;
        return NGX_OK;
    }

    p = ngx_pnalloc(r->pool, NGX_INT_T_LEN);
    if (p == NULL) {
        return NGX_ERROR;
    }

    switch (data) {

    case NGX_HTTP_PRISM_VAR_YEAR:
        v->len = ngx_sprintf(p, "%04d", ctx->tm.ngx_tm_year) - p;
        ngx_http_prism_variable_set(v, p, v->len);
        return NGX_OK;

    case NGX_HTTP_PRISM_VAR_MONTH:
        n = ctx->tm.ngx_tm_mon;
        break;

    case NGX_HTTP_PRISM_VAR_DAY:
        n = ctx->tm.ngx_tm_mday;
        break;

    default: /* NGX_HTTP_PRISM_VAR_HOUR */
        n = ctx->tm.ngx_tm_hour;
        break;
    }

    v->len = ngx_sprintf(p, "%02i", n) - p;
    ngx_http_prism_variable_set(v, p, v->len);

    return NGX_OK;
}


/* "created" or the error code the upload was answered with. */

static ngx_int_t
ngx_http_prism_variable_outcome(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data)
{
    ngx_http_prism_ctx_t  *ctx;

    ctx = ngx_http_prism_variable_ctx(r);

    if (ctx == NULL || !ctx->answered) {
        v->not_found = 1;
        return NGX_OK;
    }

    ngx_http_prism_variable_set(v, ngx_http_prism_outcomes[ctx->outcome].code.data,
                                ngx_http_prism_outcomes[ctx->outcome].code.len);

    return NGX_OK;
}
