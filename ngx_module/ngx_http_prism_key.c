
/*
 * Key prefixes and templates with nginx variables: each variable's value
 * is checked on its own (ing_key_value_check: one path segment, no
 * placeholder) before the parts are joined, so a value from the client
 * or an auth service ("alice/x", "x{sha256}") can neither leave the
 * prefix written around it nor turn into template syntax.
 *
 * A value with variables is compiled into parts: literal text, and one
 * complex value per variable reference ("$name", "${name}", "$1").
 */


#include "ngx_http_prism.h"

#include "key_template.h"


typedef struct {
    ngx_str_t                   text;     /* literal text, or the reference */
    ngx_http_complex_value_t   *var;      /* NULL: literal text */
    char                       *name;     /* the variable's, NUL-terminated */
} ngx_http_prism_key_part_t;


static ngx_int_t ngx_http_prism_key_ref_len(ngx_str_t *value, size_t i,
    size_t *len);


/*
 * Returns in *len the length of the variable reference starting with the
 * '$' at value->data[i]: "$1" (a capture), "${name}" or "$name".
 * Returns NGX_OK, or NGX_ERROR for a '$' without a name.
 */

static ngx_int_t
ngx_http_prism_key_ref_len(ngx_str_t *value, size_t i, size_t *len)
{
    u_char  *p, *end, ch;

    p = value->data + i + 1;
    end = value->data + value->len;

    if (p < end && *p >= '1' && *p <= '9') {
        *len = 2;
        return NGX_OK;
    }

    if (p < end && *p == '{') {
        p = ngx_strlchr(p, end, '}');
        if (p == NULL || p == value->data + i + 2) {
            return NGX_ERROR;
        }

        *len = p + 1 - (value->data + i);
        return NGX_OK;
    }

    for ( /* void */ ; p < end; p++) {
        ch = *p;

        if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z')
              || (ch >= '0' && ch <= '9') || ch == '_'))
        {
            break;
        }
    }

    *len = p - (value->data + i);

    return *len > 1 ? NGX_OK : NGX_ERROR;
}


/*
 * Compiles the configured value of a key prefix or template into *parts;
 * a value without variables needs none (*parts stays NULL).  Returns
 * NGX_CONF_OK, or an error after logging it.
 */

char *
ngx_http_prism_key_compile(ngx_conf_t *cf, ngx_str_t *value,
    ngx_array_t **parts)
{
    size_t                              i, start, len;
    ngx_uint_t                          brace;
    ngx_http_prism_key_part_t          *part;
    ngx_http_compile_complex_value_t    ccv;

    if (ngx_http_script_variables_count(value) == 0) {
        return NGX_CONF_OK;
    }

    *parts = ngx_array_create(cf->pool, 4, sizeof(ngx_http_prism_key_part_t));
    if (*parts == NULL) {
        return NGX_CONF_ERROR;
    }

    start = 0;

    for (i = 0; i <= value->len; i++) {

        if (i < value->len && value->data[i] != '$') {
            continue;
        }

        if (i > start) {
            part = ngx_array_push(*parts);
            if (part == NULL) {
                return NGX_CONF_ERROR;
            }

            part->text.data = value->data + start;
            part->text.len = i - start;
            part->var = NULL;
            part->name = NULL;
        }

        if (i == value->len) {
            break;
        }

        if (ngx_http_prism_key_ref_len(value, i, &len) != NGX_OK) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "prism: invalid variable name in \"%V\"",
                               value);
            return NGX_CONF_ERROR;
        }

        part = ngx_array_push(*parts);
        if (part == NULL) {
            return NGX_CONF_ERROR;
        }

        part->text.data = value->data + i;
        part->text.len = len;

        /* "$name", "${name}", "$1": the name without '$' and braces */

        brace = (value->data[i + 1] == '{');

        part->name = ngx_pnalloc(cf->pool, len);
        if (part->name == NULL) {
            return NGX_CONF_ERROR;
        }

        (void) ngx_cpystrn((u_char *) part->name, value->data + i + 1 + brace,
                           len - 2 * brace);

        part->var = ngx_palloc(cf->pool, sizeof(ngx_http_complex_value_t));
        if (part->var == NULL) {
            return NGX_CONF_ERROR;
        }

        ngx_memzero(&ccv, sizeof(ngx_http_compile_complex_value_t));

        ccv.cf = cf;
        ccv.value = &part->text;
        ccv.complex_value = part->var;

        if (ngx_http_compile_complex_value(&ccv) != NGX_OK) {
            return NGX_CONF_ERROR;
        }

        i += len - 1;
        start = i + 1;
    }

    return NGX_CONF_OK;
}


/*
 * Evaluates a key prefix or template: cv as it is when parts is NULL,
 * else part by part, each variable's value checked first.  Returns
 * NGX_OK with the result in value, NGX_DECLINED with err set when a
 * variable's value is not allowed in a key, or NGX_ERROR.
 */

ngx_int_t
ngx_http_prism_key_value(ngx_http_request_t *r, ngx_http_complex_value_t *cv,
    ngx_array_t *parts, ngx_str_t *value, char *err, size_t errlen)
{
    u_char                     *p;
    size_t                      len;
    ngx_str_t                  *vals;
    ngx_uint_t                  i;
    ngx_http_prism_key_part_t  *part;

    if (parts == NULL) {
        return ngx_http_complex_value(r, cv, value);
    }

    vals = ngx_palloc(r->pool, parts->nelts * sizeof(ngx_str_t));
    if (vals == NULL) {
        return NGX_ERROR;
    }

    part = parts->elts;
    len = 0;

    for (i = 0; i < parts->nelts; i++) {

        if (part[i].var == NULL) {
            vals[i] = part[i].text;

        } else {
            if (ngx_http_complex_value(r, part[i].var, &vals[i]) != NGX_OK) {
                return NGX_ERROR;
            }

            if (ing_key_value_check(part[i].name, (char *) vals[i].data,
                                    vals[i].len, err, errlen)
                != 0)
            {
                return NGX_DECLINED;
            }
        }

        len += vals[i].len;
    }

    value->data = ngx_pnalloc(r->pool, len);
    if (value->data == NULL) {
        return NGX_ERROR;
    }

    p = value->data;

    for (i = 0; i < parts->nelts; i++) {
        p = ngx_cpymem(p, vals[i].data, vals[i].len);
    }

    value->len = len;

    return NGX_OK;
}
