
/*
 * The image status lookup: "GET <location>/<image id>" answers what
 * prism-host recorded about an upload in DynamoDB (one item per image,
 * key "imageId": the original's metadata and, per route, its
 * derivatives or the reason it was rejected).
 *
 * The item is read with GetItem over AWS JSON 1.0 on nginx's event loop
 * (ngx_http_prism_call.c, retried within prism_lookup_timeout), turned
 * from DynamoDB's typed JSON into plain JSON, and every derivative key
 * under "routes" gets a fetchable "url" next to it: a SigV4
 * query-presigned GET of the S3 object, valid prism_lookup_url_expires
 * (so a client fetches it from a private bucket), or, with
 * prism_derived_base_url, that public (CDN) base and the key.  Every answer is
 * JSON with "Cache-Control: no-store": the record changes as routes
 * finish.
 *
 * The record's names and values are ingress/image_record.h's, which
 * prism-host writes it with.
 *
 * The lookup keeps its state off the module's request context (which
 * belongs to uploads: the body filter and the $prism_* variables read
 * it), in the call's data.
 */


#include "ngx_http_prism.h"

#include "dynamodb.h"
#include "image_record.h"
#include "response.h"
#include "uri.h"


#define NGX_HTTP_PRISM_LOOKUP_ID_MAX         128
#define NGX_HTTP_PRISM_LOOKUP_TABLE_DEFAULT  "prism-images"
#define NGX_HTTP_PRISM_LOOKUP_TIMEOUT        5000
#define NGX_HTTP_PRISM_LOOKUP_URL_EXPIRES    900
#define NGX_HTTP_PRISM_LOOKUP_URL_EXPIRES_MAX  604800   /* SigV4: 7 days */


typedef struct {
    ngx_http_request_t            *request;
    ngx_str_t                      id;            /* NUL-terminated */
    ngx_str_t                      base;          /* prism_derived_base_url */
    time_t                         expires;       /* else: presigned for */
    ngx_str_t                      owner;         /* prism_lookup_owner */
    ngx_flag_t                     owned;         /* owner is compared */
    json_t                        *item;          /* typed; NULL: no item */
} ngx_http_prism_lookup_ctx_t;


static ngx_int_t ngx_http_prism_lookup_handler(ngx_http_request_t *r);
static ngx_int_t ngx_http_prism_lookup_id(ngx_http_request_t *r,
    ngx_http_prism_lookup_conf_t *lcf, ngx_str_t *id);
static int ngx_http_prism_lookup_build(ngx_http_prism_call_t *call,
    aws_error_t *err);
static int ngx_http_prism_lookup_parse(ngx_http_prism_call_t *call,
    aws_error_t *err);
static void ngx_http_prism_lookup_done(ngx_http_prism_call_t *call);
static ngx_uint_t ngx_http_prism_lookup_owns(
    ngx_http_prism_lookup_ctx_t *lx);
static ngx_int_t ngx_http_prism_lookup_failed(ngx_http_request_t *r,
    const aws_error_t *err);
static ngx_int_t ngx_http_prism_lookup_found(ngx_http_request_t *r,
    ngx_http_prism_lookup_ctx_t *lx);
static int ngx_http_prism_lookup_output(json_t *output, const char *bucket,
    const char *key, void *data);
static ngx_int_t ngx_http_prism_lookup_url(ngx_http_request_t *r,
    ngx_http_prism_lookup_ctx_t *lx, const char *bucket, const char *key,
    json_t *output);
static ngx_int_t ngx_http_prism_lookup_error(ngx_http_request_t *r,
    ngx_uint_t status, const char *code, const char *fmt, ...);
static ngx_int_t ngx_http_prism_lookup_send(ngx_http_request_t *r,
    ngx_uint_t status, const char *json);
static void ngx_http_prism_lookup_cleanup(void *data);


/* Sets a location's lookup settings to "unset" (create_loc_conf). */

void
ngx_http_prism_lookup_init_conf(ngx_http_prism_lookup_conf_t *conf)
{
    /*
     * set by ngx_pcalloc():
     *
     *     conf->enabled = 0;
     *     conf->id = NULL;
     *     conf->prefix = { 0, NULL };
     *     conf->table = { 0, NULL };
     *     conf->base_url = NULL;
     *     conf->owner = NULL;
     */

    conf->url_expires = NGX_CONF_UNSET;
    conf->timeout = NGX_CONF_UNSET_MSEC;
}


/*
 * Merges a location's lookup settings with its parent's (merge_loc_conf);
 * "prism_lookup" itself is not inherited.
 */

void
ngx_http_prism_lookup_merge_conf(ngx_http_prism_lookup_conf_t *prev,
    ngx_http_prism_lookup_conf_t *conf)
{
    ngx_conf_merge_str_value(conf->table, prev->table,
                             NGX_HTTP_PRISM_LOOKUP_TABLE_DEFAULT);

    if (conf->base_url == NULL) {
        conf->base_url = prev->base_url;
    }

    if (conf->owner == NULL) {
        conf->owner = prev->owner;
    }

    ngx_conf_merge_sec_value(conf->url_expires, prev->url_expires,
                             NGX_HTTP_PRISM_LOOKUP_URL_EXPIRES);

    ngx_conf_merge_msec_value(conf->timeout, prev->timeout,
                              NGX_HTTP_PRISM_LOOKUP_TIMEOUT);
}


/*
 * "prism_lookup [ID]": the lookup content handler for a location.
 * Without ID the image id is the rest of the URI after the location's
 * prefix, so it needs a prefix location; ID is a complex value
 * ("prism_lookup $image_id;" in a regex location).  Returns NGX_CONF_OK,
 * or an error after logging it.
 */

char *
ngx_http_prism_lookup(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_str_t                         *value;
    ngx_http_core_loc_conf_t          *clcf;
    ngx_http_prism_main_conf_t        *pmcf;
    ngx_http_prism_lookup_conf_t      *lcf;
    ngx_http_compile_complex_value_t   ccv;

    lcf = (ngx_http_prism_lookup_conf_t *) ((u_char *) conf + cmd->offset);

    if (lcf->enabled) {
        return "is duplicate";
    }

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);
    value = cf->args->elts;

    if (cf->args->nelts == 2) {
        lcf->id = ngx_palloc(cf->pool, sizeof(ngx_http_complex_value_t));
        if (lcf->id == NULL) {
            return NGX_CONF_ERROR;
        }

        ngx_memzero(&ccv, sizeof(ngx_http_compile_complex_value_t));

        ccv.cf = cf;
        ccv.value = &value[1];
        ccv.complex_value = lcf->id;

        if (ngx_http_compile_complex_value(&ccv) != NGX_OK) {
            return NGX_CONF_ERROR;
        }

    } else if (clcf->named || clcf->noname || clcf->exact_match
#if (NGX_PCRE)
               || clcf->regex
#endif
              )
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "prism: \"%V\" without an image id needs a "
                           "prefix location (\"location /images/\"); "
                           "elsewhere name the id, e.g. \"%V $1;\"",
                           &cmd->name, &cmd->name);
        return NGX_CONF_ERROR;

    } else {
        lcf->prefix = clcf->name;
    }

    lcf->enabled = 1;

    clcf->handler = ngx_http_prism_lookup_handler;

    pmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_prism_module);
    pmcf->lookups++;

    return NGX_CONF_OK;
}


/*
 * "prism_dynamodb_table NAME": a DynamoDB table name, 3 to 255 letters,
 * digits, '_', '-' and '.'.  Returns NGX_CONF_OK, or an error.
 */

char *
ngx_http_prism_dynamodb_table(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    char       *rv;
    u_char     *p;
    ngx_str_t  *table;

    rv = ngx_conf_set_str_slot(cf, cmd, conf);
    if (rv != NGX_CONF_OK) {
        return rv;
    }

    table = (ngx_str_t *) ((u_char *) conf + cmd->offset);

    for (p = table->data; p < table->data + table->len; p++) {
        if (!(*p >= 'a' && *p <= 'z') && !(*p >= 'A' && *p <= 'Z')
            && !(*p >= '0' && *p <= '9') && *p != '_' && *p != '-'
            && *p != '.')
        {
            break;
        }
    }

    if (table->len < 3 || table->len > 255 || p != table->data + table->len) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "prism: invalid value \"%V\" in \"%V\" directive, "
                           "expected a DynamoDB table name (3 to 255 of "
                           "A-Z a-z 0-9 _ - .)", table, &cmd->name);
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


/*
 * "prism_lookup_url_expires TIME": how long a presigned derivative URL
 * is valid, 1s to 7d (SigV4's limit).  Returns NGX_CONF_OK, or an error.
 */

char *
ngx_http_prism_lookup_url_expires(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    time_t     *sp;
    ngx_str_t  *value;

    sp = (time_t *) ((u_char *) conf + cmd->offset);

    if (*sp != NGX_CONF_UNSET) {
        return "is duplicate";
    }

    value = cf->args->elts;

    *sp = ngx_parse_time(&value[1], 1);

    if (*sp == (time_t) NGX_ERROR || *sp < 1
        || *sp > NGX_HTTP_PRISM_LOOKUP_URL_EXPIRES_MAX)
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "prism: invalid value \"%V\" in \"%V\" directive, "
                           "expected 1s to 7d", &value[1], &cmd->name);
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


/*
 * The "prism_lookup" content handler: checks the method and the id, then
 * starts the GetItem.  Returns NGX_DONE while it runs (its end finalizes
 * the request), or the result of an early answer.
 */

static ngx_int_t
ngx_http_prism_lookup_handler(ngx_http_request_t *r)
{
    ngx_int_t                      rc;
    ngx_pool_cleanup_t            *cln;
    ngx_http_prism_call_t         *call;
    ngx_http_prism_lookup_ctx_t   *lx;
    ngx_http_prism_lookup_conf_t  *lcf;
    ngx_http_prism_loc_conf_t     *plcf;
    ngx_http_prism_main_conf_t    *pmcf;

    rc = ngx_http_discard_request_body(r);
    if (rc != NGX_OK) {
        return rc;
    }

    if (!(r->method & (NGX_HTTP_GET|NGX_HTTP_HEAD))) {
        return ngx_http_prism_lookup_error(r, NGX_HTTP_NOT_ALLOWED,
                                           "method_not_allowed",
                                           "image lookups use GET or HEAD, "
                                           "not %V", &r->method_name);
    }

    plcf = ngx_http_get_module_loc_conf(r, ngx_http_prism_module);
    pmcf = ngx_http_get_module_main_conf(r, ngx_http_prism_module);
    lcf = &plcf->lookup;

    lx = ngx_pcalloc(r->pool, sizeof(ngx_http_prism_lookup_ctx_t));
    if (lx == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    lx->request = r;

    rc = ngx_http_prism_lookup_id(r, lcf, &lx->id);

    if (rc == NGX_ERROR) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (rc == NGX_DECLINED) {
        return ngx_http_prism_lookup_error(r, NGX_HTTP_BAD_REQUEST,
                                     "invalid_id",
                                     "an image id is 1 to %d letters, digits, "
                                     "'-', '_' or '.'",
                                     NGX_HTTP_PRISM_LOOKUP_ID_MAX);
    }

    if (lcf->base_url
        && ngx_http_complex_value(r, lcf->base_url, &lx->base) != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    lx->expires = lcf->url_expires;

    if (lcf->owner) {
        if (ngx_http_complex_value(r, lcf->owner, &lx->owner) != NGX_OK) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        lx->owned = 1;
    }

    if (!ngx_http_prism_credentials_ready()) {
        return ngx_http_prism_lookup_error(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                                     "credentials_unavailable",
                                     "no AWS credentials are available at "
                                     "the moment");
    }

    cln = ngx_pool_cleanup_add(r->pool, 0);
    if (cln == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    cln->handler = ngx_http_prism_lookup_cleanup;
    cln->data = lx;

    call = ngx_http_prism_call_create(r->pool, r->connection, pmcf->client);
    if (call == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    call->service = "dynamodb";
    call->build = ngx_http_prism_lookup_build;
    call->parse = ngx_http_prism_lookup_parse;
    call->done = ngx_http_prism_lookup_done;
    call->data = lx;

    r->main->count++;

    if (ngx_http_prism_call_start(call, ngx_current_msec + lcf->timeout)
        != NGX_OK)
    {
        r->main->count--;
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return NGX_DONE;
}


/*
 * Finds the image id of the request: the location's ID value, or the URI
 * after the location's prefix (one leading '/' skipped).  Returns NGX_OK
 * with a NUL-terminated copy in id, NGX_DECLINED when it is empty, too
 * long or has a character outside A-Z a-z 0-9 - _ ., or NGX_ERROR.
 */

static ngx_int_t
ngx_http_prism_lookup_id(ngx_http_request_t *r,
    ngx_http_prism_lookup_conf_t *lcf, ngx_str_t *id)
{
    u_char     *p;
    ngx_str_t   value;

    if (lcf->id) {
        if (ngx_http_complex_value(r, lcf->id, &value) != NGX_OK) {
            return NGX_ERROR;
        }

    } else {
        if (r->uri.len < lcf->prefix.len
            || ngx_strncmp(r->uri.data, lcf->prefix.data, lcf->prefix.len)
               != 0)
        {
            return NGX_DECLINED;
        }

        value.data = r->uri.data + lcf->prefix.len;
        value.len = r->uri.len - lcf->prefix.len;

        if (value.len && value.data[0] == '/') {
            value.data++;
            value.len--;
        }
    }

    if (value.len == 0 || value.len > NGX_HTTP_PRISM_LOOKUP_ID_MAX) {
        return NGX_DECLINED;
    }

    for (p = value.data; p < value.data + value.len; p++) {
        if (!(*p >= 'a' && *p <= 'z') && !(*p >= 'A' && *p <= 'Z')
            && !(*p >= '0' && *p <= '9') && *p != '-' && *p != '_'
            && *p != '.')
        {
            return NGX_DECLINED;
        }
    }

    return ngx_http_prism_strdup(r->pool, id, value.data, value.len);
}


/* GetItem request of one attempt: the item whose imageId is the id. */

static int
ngx_http_prism_lookup_build(ngx_http_prism_call_t *call, aws_error_t *err)
{
    int                            rc;
    json_t                        *key;
    aws_ddb_get_params_t           params;
    ngx_http_prism_lookup_ctx_t   *lx = call->data;
    ngx_http_prism_loc_conf_t     *plcf;

    plcf = ngx_http_get_module_loc_conf(lx->request, ngx_http_prism_module);

    key = ing_record_key((char *) lx->id.data);
    if (key == NULL) {
        aws_error_set(err, AWS_ERR_NOMEM, "out of memory");
        return -1;
    }

    ngx_memzero(&params, sizeof(aws_ddb_get_params_t));

    params.table = (char *) plcf->lookup.table.data;
    params.key = key;

    rc = aws_ddb_get_request(call->client, &params, &call->req, &call->body,
                             err);

    json_decref(key);

    return rc;
}


/* GetItem's answer: the item, or none. */

static int
ngx_http_prism_lookup_parse(ngx_http_prism_call_t *call, aws_error_t *err)
{
    ngx_http_prism_lookup_ctx_t  *lx = call->data;

    return aws_ddb_get_parse(&call->resp, &lx->item, err);
}


/* End of the GetItem: answers the record, 404 or the failure. */

static void
ngx_http_prism_lookup_done(ngx_http_prism_call_t *call)
{
    ngx_int_t                     rc;
    ngx_connection_t             *c;
    ngx_http_request_t           *r;
    ngx_http_prism_lookup_ctx_t  *lx = call->data;
    u_char                        msg[NGX_MAX_ERROR_STR];

    r = lx->request;
    c = r->connection;

    if (call->rc != NGX_OK) {
        ngx_log_error(NGX_LOG_ERR, c->log, 0,
                      "prism: looking up image \"%V\" failed after %ui "
                      "attempts: %s", &lx->id, call->attempts,
                      aws_error_format(&call->err, (char *) msg,
                                       sizeof(msg)));

        rc = ngx_http_prism_lookup_failed(r, &call->err);

    } else if (lx->item == NULL || !ngx_http_prism_lookup_owns(lx)) {
        rc = ngx_http_prism_lookup_error(r, NGX_HTTP_NOT_FOUND, "not_found",
                                         "no image \"%V\" is known",
                                         &lx->id);

    } else {
        rc = ngx_http_prism_lookup_found(r, lx);
    }

    ngx_http_finalize_request(r, rc);

    ngx_http_run_posted_requests(c);
}


/*
 * Whether the requester may see the item: always without
 * "prism_lookup_owner"; with it, only when the item's owner (its userId,
 * which prism-host records from the upload's "prism_user") is the
 * directive's value, which must not be empty.  Another user's image is
 * answered like an unknown one (404), so that ids do not reveal what
 * exists.
 */

static ngx_uint_t
ngx_http_prism_lookup_owns(ngx_http_prism_lookup_ctx_t *lx)
{
    size_t       len;
    const char  *s;

    if (!lx->owned) {
        return 1;
    }

    s = ing_record_owner(lx->item, &len);

    return lx->owner.len != 0 && s != NULL && len == lx->owner.len
           && ngx_memcmp(s, lx->owner.data, lx->owner.len) == 0;
}


/*
 * Answers a GetItem that failed with err: 504 for a timeout, 503 for
 * throttling, a 5xx answer or missing credentials, 502 when DynamoDB is
 * unreachable or refused the request (an unknown table, a malformed
 * answer), 500 for local trouble.  Returns the result of sending.
 */

static ngx_int_t
ngx_http_prism_lookup_failed(ngx_http_request_t *r, const aws_error_t *err)
{
    ngx_uint_t   status;
    const char  *code;
    u_char       msg[NGX_MAX_ERROR_STR];

    switch (err->kind) {

    case AWS_ERR_TIMEOUT:
        status = NGX_HTTP_GATEWAY_TIME_OUT;
        code = "lookup_timeout";
        break;

    case AWS_ERR_CREDENTIALS:
        status = NGX_HTTP_SERVICE_UNAVAILABLE;
        code = "credentials_unavailable";
        break;

    case AWS_ERR_HTTP:
        if (err->http_status >= NGX_HTTP_INTERNAL_SERVER_ERROR
            || aws_error_is_throttling(err))
        {
            status = NGX_HTTP_SERVICE_UNAVAILABLE;
            code = "lookup_unavailable";
            break;
        }

        /* fall through */

    case AWS_ERR_NETWORK:
    case AWS_ERR_PARSE:
    case AWS_ERR_TLS:
        status = NGX_HTTP_BAD_GATEWAY;
        code = "lookup_failed";
        break;

    default:
        status = NGX_HTTP_INTERNAL_SERVER_ERROR;
        code = "internal_error";
        break;
    }

    return ngx_http_prism_lookup_error(r, status, code,
                                       "the image lookup failed: %s",
                                       aws_error_format(err, (char *) msg,
                                                        sizeof(msg)));
}


/*
 * Answers 200 with the item as plain JSON, derivative URLs added.
 * Returns the result of sending.
 */

static ngx_int_t
ngx_http_prism_lookup_found(ngx_http_request_t *r,
    ngx_http_prism_lookup_ctx_t *lx)
{
    char         *json;
    json_t       *typed, *record;
    ngx_int_t     rc;
    aws_error_t   err;
    u_char        msg[NGX_MAX_ERROR_STR];

    typed = aws_ddb_m(lx->item);
    lx->item = NULL;

    if (typed == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    record = aws_ddb_to_json(typed, &err);

    json_decref(typed);

    if (record == NULL) {
        (void) aws_error_format(&err, (char *) msg, sizeof(msg));

        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "prism: the record of image \"%V\" is malformed: %s",
                      &lx->id, msg);

        return ngx_http_prism_lookup_error(r, NGX_HTTP_BAD_GATEWAY,
                                           "lookup_failed",
                                           "the image's record is "
                                           "malformed: %s", msg);
    }

    if (ing_record_outputs(record, ngx_http_prism_lookup_output, lx) != 0) {
        json_decref(record);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    json = json_dumps(record, JSON_COMPACT);

    json_decref(record);

    if (json == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    rc = ngx_http_prism_lookup_send(r, NGX_HTTP_OK, json);

    free(json);

    return rc;
}


/*
 * Adds "url" to an output of the record (ing_record_outputs() calls it
 * for every output of every route, with the bucket the record says the
 * output is in: its own "bucket", else its route's, else the record's).
 * Returns 0, or -1 when memory runs out.
 */

static int
ngx_http_prism_lookup_output(json_t *output, const char *bucket,
    const char *key, void *data)
{
    ngx_http_prism_lookup_ctx_t  *lx = data;

    if (ngx_http_prism_lookup_url(lx->request, lx, bucket, key, output)
        == NGX_ERROR)
    {
        return -1;
    }

    return 0;
}


/*
 * Sets output's "url" to where KEY can be fetched: prism_derived_base_url
 * followed by the encoded key, else the key's S3 URL in BUCKET (with the
 * client's endpoint and addressing) presigned for lx->expires seconds.
 * Returns NGX_OK, NGX_DECLINED when no URL can be made (no base URL and
 * no valid bucket, or presigning failed: logged), or NGX_ERROR when
 * memory runs out.
 */

static ngx_int_t
ngx_http_prism_lookup_url(ngx_http_request_t *r,
    ngx_http_prism_lookup_ctx_t *lx, const char *bucket, const char *key,
    json_t *output)
{
    ngx_int_t                    rc;
    aws_buf_t                    url = AWS_BUF_INIT;
    aws_error_t                  err;
    aws_request_t                req;
    ngx_http_prism_main_conf_t  *pmcf;

    if (lx->base.len) {
        if (aws_buf_append(&url, lx->base.data, lx->base.len) != 0
            || (lx->base.data[lx->base.len - 1] != '/'
                && aws_buf_puts(&url, "/") != 0)
            || aws_uri_encode_path(&url, key) != 0)
        {
            aws_buf_free(&url);
            return NGX_ERROR;
        }

    } else {
        if (bucket == NULL) {
            return NGX_DECLINED;
        }

        pmcf = ngx_http_get_module_main_conf(r, ngx_http_prism_module);

        if (aws_s3_request_init(pmcf->client, &req, "GET", bucket, key, NULL,
                                &err)
            != 0)
        {
            return err.kind == AWS_ERR_NOMEM ? NGX_ERROR : NGX_DECLINED;
        }

        if (aws_client_presign_at(pmcf->client, &req, ngx_time(),
                                  (long) lx->expires, &err)
            != 0)
        {
            aws_request_free(&req);

            if (err.kind == AWS_ERR_NOMEM) {
                return NGX_ERROR;
            }

            ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                          "prism: cannot presign the url of \"%s\": %s",
                          key, err.message);
            return NGX_DECLINED;
        }

        rc = aws_request_url(&req, &url);

        aws_request_free(&req);

        if (rc != 0) {
            aws_buf_free(&url);
            return NGX_ERROR;
        }
    }

    rc = json_object_set_new(output, "url", json_stringn(url.data, url.len));

    aws_buf_free(&url);

    return rc == 0 ? NGX_OK : NGX_ERROR;
}


/*
 * Answers STATUS with {"error": CODE, "message": MESSAGE}, the message
 * formatted as ngx_sprintf does.  Returns the result of sending.
 */

static ngx_int_t
ngx_http_prism_lookup_error(ngx_http_request_t *r, ngx_uint_t status,
    const char *code, const char *fmt, ...)
{
    char      *json;
    u_char    *p;
    va_list    args;
    ngx_int_t  rc;
    u_char     msg[NGX_MAX_ERROR_STR];

    va_start(args, fmt);
    p = ngx_vslprintf(msg, msg + sizeof(msg) - 1, fmt, args);
    va_end(args);

    *p = '\0';

    json = ing_error_json(code, (char *) msg);
    if (json == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    rc = ngx_http_prism_lookup_send(r, status, json);

    free(json);

    return rc;
}


/*
 * Sends STATUS with the JSON body (copied) and a final newline, never to
 * be cached; a 405 says which methods are allowed.  HEAD gets the
 * headers only.  Returns the result of the output filters.
 */

static ngx_int_t
ngx_http_prism_lookup_send(ngx_http_request_t *r, ngx_uint_t status,
    const char *json)
{
    ngx_table_elt_t  *h;

    h = ngx_list_push(&r->headers_out.headers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    h->hash = 1;
    ngx_str_set(&h->key, "Cache-Control");
    ngx_str_set(&h->value, "no-store");

    if (status == NGX_HTTP_NOT_ALLOWED) {
        h = ngx_list_push(&r->headers_out.headers);
        if (h == NULL) {
            return NGX_ERROR;
        }

        h->hash = 1;
        ngx_str_set(&h->key, "Allow");
        ngx_str_set(&h->value, "GET, HEAD");
    }

    return ngx_http_prism_send_json(r, status, (u_char *) json,
                                    ngx_strlen(json));
}


/* Pool cleanup of a lookup: the item of a lookup torn down unanswered. */

static void
ngx_http_prism_lookup_cleanup(void *data)
{
    ngx_http_prism_lookup_ctx_t  *lx = data;

    json_decref(lx->item);
}
