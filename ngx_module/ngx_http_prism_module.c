
/*
 * ngx_http_prism_module: directives, configuration and process hooks.
 *
 * AWS settings (region, endpoints, credentials, TLS) belong to the http
 * block: one AWS client per configuration, created when the
 * configuration is loaded (so `nginx -t` reports a bad endpoint) and
 * inherited by the workers.  Upload settings merge down to locations in
 * the usual way; "prism_upload", "prism_status" and "prism_lookup"
 * install the content handlers.
 */


#include "ngx_http_prism.h"

#include "key_template.h"


static ngx_int_t ngx_http_prism_preconfiguration(ngx_conf_t *cf);
static ngx_int_t ngx_http_prism_postconfiguration(ngx_conf_t *cf);
static void *ngx_http_prism_create_main_conf(ngx_conf_t *cf);
static char *ngx_http_prism_init_main_conf(ngx_conf_t *cf, void *conf);
static void *ngx_http_prism_create_loc_conf(ngx_conf_t *cf);
static char *ngx_http_prism_merge_loc_conf(ngx_conf_t *cf, void *parent,
    void *child);
static ngx_int_t ngx_http_prism_init_process(ngx_cycle_t *cycle);
static void ngx_http_prism_exit_process(ngx_cycle_t *cycle);

static char *ngx_http_prism_upload(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static ngx_uint_t ngx_http_prism_handler_taken(ngx_conf_t *cf,
    ngx_http_core_loc_conf_t *clcf);
static char *ngx_http_prism_status(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_prism_types(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_prism_topic_arn(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_prism_endpoint(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_prism_credentials(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_prism_key_prefix(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_prism_key_template(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static ngx_uint_t ngx_http_prism_names_any(ngx_str_t *text, ngx_str_t *vars);
static char *ngx_http_prism_message_group_id(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);
static char *ngx_http_prism_s3_sse(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_prism_check_max_pixels(ngx_conf_t *cf, void *post,
    void *data);
static char *ngx_http_prism_check_threshold(ngx_conf_t *cf, void *post,
    void *data);
static char *ngx_http_prism_check_region(ngx_conf_t *cf, void *post,
    void *data);

static aws_client_t *ngx_http_prism_create_client(ngx_conf_t *cf,
    ngx_http_prism_main_conf_t *pmcf);
static void ngx_http_prism_free_client(void *data);
static char *ngx_http_prism_conf_cstr(ngx_conf_t *cf, ngx_str_t *s);


static ngx_conf_enum_t  ngx_http_prism_stores[] = {
    { ngx_string("s3"), NGX_HTTP_PRISM_STORE_S3 },
    { ngx_string("local"), NGX_HTTP_PRISM_STORE_LOCAL },
    { ngx_null_string, 0 }
};


static ngx_conf_enum_t  ngx_http_prism_addressing[] = {
    { ngx_string("auto"), AWS_S3_ADDRESSING_AUTO },
    { ngx_string("path"), AWS_S3_ADDRESSING_PATH },
    { ngx_string("virtual"), AWS_S3_ADDRESSING_VIRTUAL },
    { ngx_null_string, 0 }
};


static ngx_conf_post_t  ngx_http_prism_max_pixels_post =
    { ngx_http_prism_check_max_pixels };

static ngx_conf_post_t  ngx_http_prism_threshold_post =
    { ngx_http_prism_check_threshold };

static ngx_conf_post_t  ngx_http_prism_region_post =
    { ngx_http_prism_check_region };


static ngx_command_t  ngx_http_prism_commands[] = {

    { ngx_string("prism_upload"),
      NGX_HTTP_LOC_CONF|NGX_CONF_FLAG,
      ngx_http_prism_upload,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_prism_loc_conf_t, upload),
      NULL },

    { ngx_string("prism_store"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_enum_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_prism_loc_conf_t, store),
      &ngx_http_prism_stores },

    { ngx_string("prism_bucket"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_set_complex_value_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_prism_loc_conf_t, bucket),
      NULL },

    { ngx_string("prism_key_prefix"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_prism_key_prefix,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_prism_loc_conf_t, key_prefix),
      NULL },

    { ngx_string("prism_key_template"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_prism_key_template,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_prism_loc_conf_t, key_template),
      NULL },

    { ngx_string("prism_user"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_set_complex_value_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_prism_loc_conf_t, user),
      NULL },

    { ngx_string("prism_s3_check_existing"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_prism_loc_conf_t, s3_check_existing),
      NULL },

    { ngx_string("prism_local_dir"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_prism_loc_conf_t, local_dir),
      NULL },

    { ngx_string("prism_sns_topic_arn"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_prism_topic_arn,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_prism_loc_conf_t, topic_arn),
      NULL },

    { ngx_string("prism_message_group_id"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_prism_message_group_id,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_prism_loc_conf_t, message_group_id),
      NULL },

    { ngx_string("prism_s3_sse"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE12,
      ngx_http_prism_s3_sse,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("prism_types"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_1MORE,
      ngx_http_prism_types,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_prism_loc_conf_t, types),
      NULL },

    { ngx_string("prism_max_pixels"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_prism_loc_conf_t, max_pixels),
      &ngx_http_prism_max_pixels_post },

    { ngx_string("prism_max_bytes"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_off_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_prism_loc_conf_t, max_bytes),
      NULL },

    { ngx_string("prism_publish_timeout"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_prism_loc_conf_t, publish_timeout),
      NULL },

    { ngx_string("prism_store_timeout"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_prism_loc_conf_t, store_timeout),
      NULL },

    { ngx_string("prism_intent_grace"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_prism_loc_conf_t, intent_grace),
      NULL },

    { ngx_string("prism_s3_multipart_threshold"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_size_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_prism_loc_conf_t, multipart_threshold),
      &ngx_http_prism_threshold_post },

    { ngx_string("prism_location"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_set_complex_value_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_prism_loc_conf_t, location),
      NULL },

    { ngx_string("prism_status"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS|NGX_CONF_TAKE1,
      ngx_http_prism_status,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_prism_loc_conf_t, status),
      NULL },

    { ngx_string("prism_lookup"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS|NGX_CONF_TAKE1,
      ngx_http_prism_lookup,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_prism_loc_conf_t, lookup),
      NULL },

    { ngx_string("prism_dynamodb_table"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_prism_dynamodb_table,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_prism_loc_conf_t, lookup.table),
      NULL },

    { ngx_string("prism_derived_base_url"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_set_complex_value_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_prism_loc_conf_t, lookup.base_url),
      NULL },

    { ngx_string("prism_lookup_url_expires"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_prism_lookup_url_expires,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_prism_loc_conf_t, lookup.url_expires),
      NULL },

    { ngx_string("prism_lookup_owner"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_set_complex_value_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_prism_loc_conf_t, lookup.owner),
      NULL },

    { ngx_string("prism_lookup_timeout"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_prism_loc_conf_t, lookup.timeout),
      NULL },

    { ngx_string("prism_dynamodb_endpoint"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_http_prism_endpoint,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_prism_main_conf_t, dynamodb_endpoint),
      NULL },

    { ngx_string("prism_region"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_prism_main_conf_t, region),
      &ngx_http_prism_region_post },

    { ngx_string("prism_aws_endpoint"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_http_prism_endpoint,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_prism_main_conf_t, endpoint),
      NULL },

    { ngx_string("prism_s3_endpoint"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_http_prism_endpoint,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_prism_main_conf_t, s3_endpoint),
      NULL },

    { ngx_string("prism_sns_endpoint"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_http_prism_endpoint,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_prism_main_conf_t, sns_endpoint),
      NULL },

    { ngx_string("prism_s3_addressing"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_enum_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_prism_main_conf_t, s3_addressing),
      &ngx_http_prism_addressing },

    { ngx_string("prism_credentials"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE123,
      ngx_http_prism_credentials,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("prism_verify_tls"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_prism_main_conf_t, verify_tls),
      NULL },

    { ngx_string("prism_aws_connect_timeout"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_prism_main_conf_t, connect_timeout),
      NULL },

#if (NGX_THREADS)

    { ngx_string("prism_thread_pool"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_prism_main_conf_t, thread_pool_name),
      NULL },

#endif

    { ngx_string("prism_ca_file"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_prism_main_conf_t, ca_file),
      NULL },

#if (NGX_THREADS)

    { ngx_string("prism_outbox"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_1MORE,
      ngx_http_prism_outbox_directive,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

#endif

      ngx_null_command
};


static ngx_http_module_t  ngx_http_prism_module_ctx = {
    ngx_http_prism_preconfiguration,       /* preconfiguration */
    ngx_http_prism_postconfiguration,      /* postconfiguration */

    ngx_http_prism_create_main_conf,       /* create main configuration */
    ngx_http_prism_init_main_conf,         /* init main configuration */

    NULL,                                  /* create server configuration */
    NULL,                                  /* merge server configuration */

    ngx_http_prism_create_loc_conf,        /* create location configuration */
    ngx_http_prism_merge_loc_conf          /* merge location configuration */
};


ngx_module_t  ngx_http_prism_module = {
    NGX_MODULE_V1,
    &ngx_http_prism_module_ctx,            /* module context */
    ngx_http_prism_commands,               /* module directives */
    NGX_HTTP_MODULE,                       /* module type */
    NULL,                                  /* init master */
    NULL,                                  /* init module */
    ngx_http_prism_init_process,           /* init process */
    NULL,                                  /* init thread */
    NULL,                                  /* exit thread */
    ngx_http_prism_exit_process,           /* exit process */
    NULL,                                  /* exit master */
    NGX_MODULE_V1_PADDING
};


/* what the built-in plugins decode (their descriptors' "accepts") */
#define NGX_HTTP_PRISM_TYPES_DEFAULT                                          \
    ((1 << II_TYPE_JPEG) | (1 << II_TYPE_PNG) | (1 << II_TYPE_WEBP)           \
     | (1 << II_TYPE_GIF) | (1 << II_TYPE_HEIC) | (1 << II_TYPE_HEIF)         \
     | (1 << II_TYPE_AVIF))

#define NGX_HTTP_PRISM_MAX_PIXELS_DEFAULT   II_DEFAULT_MAX_PIXELS

#define NGX_HTTP_PRISM_KEY_TEMPLATE_DEFAULT "{yyyy}/{mm}/{dd}/{id}.{ext}"


static ngx_str_t  ngx_http_prism_default_pool = ngx_string("default");


/*
 * A key template must name the image id or the SHA-256, so that keys are
 * unique; only one with the image id makes a new key for every upload,
 * one with only the SHA-256 repeats when the same bytes come again.
 */

static ngx_str_t  ngx_http_prism_id_vars[] = {
    ngx_string("{id}"),
    ngx_string("$prism_image_id"),
    ngx_string("${prism_image_id}"),
    ngx_null_string
};

static ngx_str_t  ngx_http_prism_sha256_vars[] = {
    ngx_string("{sha256}"),
    ngx_string("$prism_sha256"),
    ngx_string("${prism_sha256}"),
    ngx_null_string
};


/* Registers the $prism_* variables before the directives are parsed. */

static ngx_int_t
ngx_http_prism_preconfiguration(ngx_conf_t *cf)
{
    return ngx_http_prism_add_variables(cf);
}


/*
 * After the http block is parsed and merged: when some location uploads
 * or looks images up, creates the AWS client, the counters' zone, the
 * thread pool reference and the request body filter.  Returns NGX_OK,
 * or NGX_ERROR after logging the reason.
 */

static ngx_int_t
ngx_http_prism_postconfiguration(ngx_conf_t *cf)
{
    ngx_str_t                    request_id = ngx_string("request_id");
    ngx_http_prism_main_conf_t  *pmcf;

    pmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_prism_module);

    if (pmcf->uploads == 0 && pmcf->statuses == 0 && pmcf->lookups == 0) {
        return NGX_OK;
    }

    if (ngx_http_prism_status_zone(cf, pmcf) != NGX_OK) {
        return NGX_ERROR;
    }

    /* "nginx -s SIGNAL" only reads the configuration to find the pid */

    if ((pmcf->uploads == 0 && pmcf->lookups == 0)
        || ngx_process == NGX_PROCESS_SIGNALLER)
    {
        return NGX_OK;
    }

    if (pmcf->uploads && pmcf->outbox == NULL) {
        ngx_conf_log_error(NGX_LOG_WARN, cf, 0,
                           "prism: \"prism_upload\" without \"prism_outbox\" "
                           "is not crash-safe: an original stored by a "
                           "worker that dies before publishing its event "
                           "is never announced");
    }

#if (NGX_THREADS)
    pmcf->thread_pool = ngx_thread_pool_add(cf, &pmcf->thread_pool_name);
    if (pmcf->thread_pool == NULL) {
        return NGX_ERROR;
    }
#endif

    pmcf->request_id_index = ngx_http_get_variable_index(cf, &request_id);
    if (pmcf->request_id_index == NGX_ERROR) {
        return NGX_ERROR;
    }

    pmcf->client = ngx_http_prism_create_client(cf, pmcf);
    if (pmcf->client == NULL) {
        return NGX_ERROR;
    }

    return ngx_http_prism_body_init(cf);
}


/* Allocates the http block's settings, unset. */

static void *
ngx_http_prism_create_main_conf(ngx_conf_t *cf)
{
    ngx_http_prism_main_conf_t  *pmcf;

    pmcf = ngx_pcalloc(cf->pool, sizeof(ngx_http_prism_main_conf_t));
    if (pmcf == NULL) {
        return NULL;
    }

    /*
     * set by ngx_pcalloc():
     *
     *     pmcf->region = { 0, NULL };
     *     pmcf->endpoint = { 0, NULL };
     *     pmcf->s3_endpoint = { 0, NULL };
     *     pmcf->sns_endpoint = { 0, NULL };
     *     pmcf->dynamodb_endpoint = { 0, NULL };
     *     pmcf->profile = { 0, NULL };
     *     pmcf->credentials_file = { 0, NULL };
     *     pmcf->thread_pool_name = { 0, NULL };
     *     pmcf->topic_region = { 0, NULL };
     *     pmcf->uploads = 0;
     *     pmcf->lookups = 0;
     *     pmcf->client = NULL;
     *     pmcf->shm_zone = NULL;
     *     pmcf->ca_file = { 0, NULL };
     *     pmcf->outbox = NULL;
     */

    pmcf->credentials = NGX_CONF_UNSET_UINT;
    pmcf->verify_tls = NGX_CONF_UNSET;
    pmcf->s3_addressing = NGX_CONF_UNSET_UINT;
    pmcf->connect_timeout = NGX_CONF_UNSET_MSEC;

    return pmcf;
}


/* Fills in the defaults of the http block's settings. */

static char *
ngx_http_prism_init_main_conf(ngx_conf_t *cf, void *conf)
{
    ngx_http_prism_main_conf_t  *pmcf = conf;

    ngx_conf_init_uint_value(pmcf->credentials,
                             NGX_HTTP_PRISM_CREDENTIALS_DEFAULT);
    ngx_conf_init_value(pmcf->verify_tls, 1);
    ngx_conf_init_uint_value(pmcf->s3_addressing, AWS_S3_ADDRESSING_AUTO);
    ngx_conf_init_msec_value(pmcf->connect_timeout, 5000);

    if (pmcf->thread_pool_name.data == NULL) {
        pmcf->thread_pool_name = ngx_http_prism_default_pool;
    }

    return NGX_CONF_OK;
}


/* Allocates a location's settings, unset. */

static void *
ngx_http_prism_create_loc_conf(ngx_conf_t *cf)
{
    ngx_http_prism_loc_conf_t  *conf;

    conf = ngx_pcalloc(cf->pool, sizeof(ngx_http_prism_loc_conf_t));
    if (conf == NULL) {
        return NULL;
    }

    /*
     * set by ngx_pcalloc():
     *
     *     conf->bucket = NULL;
     *     conf->key_prefix = NULL;
     *     conf->key_prefix_parts = NULL;
     *     conf->key_template = NULL;
     *     conf->key_template_parts = NULL;
     *     conf->user = NULL;
     *     conf->key_repeats = 0;
     *     conf->local_dir = { 0, NULL };
     *     conf->topic_arn = { 0, NULL };
     *     conf->message_group_id = NULL;
     *     conf->s3_kms_key_id = { 0, NULL };
     *     conf->location = NULL;
     *     conf->status = 0;
     */

    conf->upload = NGX_CONF_UNSET;
    conf->store = NGX_CONF_UNSET_UINT;
    conf->s3_sse = NGX_CONF_UNSET_UINT;
    conf->types = NGX_CONF_UNSET_UINT;
    conf->max_pixels = NGX_CONF_UNSET_UINT;
    conf->max_bytes = NGX_CONF_UNSET;
    conf->publish_timeout = NGX_CONF_UNSET_MSEC;
    conf->store_timeout = NGX_CONF_UNSET_MSEC;
    conf->intent_grace = NGX_CONF_UNSET_MSEC;
    conf->multipart_threshold = NGX_CONF_UNSET_SIZE;
    conf->s3_check_existing = NGX_CONF_UNSET;

    ngx_http_prism_lookup_init_conf(&conf->lookup);

    return conf;
}


/*
 * Merges a location's settings with its parent's and, where uploads are
 * enabled, checks that they are complete.  Returns NGX_CONF_OK, or
 * NGX_CONF_ERROR after logging what is missing.
 */

static char *
ngx_http_prism_merge_loc_conf(ngx_conf_t *cf, void *parent, void *child)
{
    ngx_http_prism_loc_conf_t *prev = parent;
    ngx_http_prism_loc_conf_t *conf = child;

    ngx_str_t                    tpl;
    ngx_http_compile_complex_value_t  ccv;
    ngx_http_core_loc_conf_t    *clcf;
    ngx_http_prism_main_conf_t  *pmcf;

    ngx_conf_merge_value(conf->upload, prev->upload, 0);
    ngx_conf_merge_uint_value(conf->store, prev->store,
                              NGX_HTTP_PRISM_STORE_S3);

    /* the one place where the store's backend is chosen */

    conf->backend = (conf->store == NGX_HTTP_PRISM_STORE_LOCAL)
                    ? &ngx_http_prism_local_backend
                    : &ngx_http_prism_s3_backend;

    if (conf->bucket == NULL) {
        conf->bucket = prev->bucket;
    }

    if (conf->key_prefix == NULL) {
        conf->key_prefix = prev->key_prefix;
        conf->key_prefix_parts = prev->key_prefix_parts;
    }

    if (conf->key_template == NULL) {
        conf->key_template = prev->key_template;
        conf->key_template_parts = prev->key_template_parts;
    }

    if (conf->user == NULL) {
        conf->user = prev->user;
    }

    if (conf->location == NULL) {
        conf->location = prev->location;
    }

    if (conf->message_group_id == NULL) {
        conf->message_group_id = prev->message_group_id;
    }

    if (conf->s3_sse == NGX_CONF_UNSET_UINT) {
        conf->s3_sse = prev->s3_sse;
        conf->s3_kms_key_id = prev->s3_kms_key_id;
    }

    ngx_conf_init_uint_value(conf->s3_sse, AWS_S3_SSE_NONE);

    ngx_conf_merge_str_value(conf->local_dir, prev->local_dir, "");
    ngx_conf_merge_str_value(conf->topic_arn, prev->topic_arn, "");
    ngx_conf_merge_uint_value(conf->types, prev->types,
                              NGX_HTTP_PRISM_TYPES_DEFAULT);
    ngx_conf_merge_uint_value(conf->max_pixels, prev->max_pixels,
                              NGX_HTTP_PRISM_MAX_PIXELS_DEFAULT);
    ngx_conf_merge_off_value(conf->max_bytes, prev->max_bytes, -1);
    ngx_conf_merge_msec_value(conf->publish_timeout, prev->publish_timeout,
                              10000);
    ngx_conf_merge_msec_value(conf->store_timeout, prev->store_timeout,
                              60000);

    /* unset: derived from the location's own timeouts (the intent's) */

    ngx_conf_merge_msec_value(conf->intent_grace, prev->intent_grace,
                              NGX_CONF_UNSET_MSEC);
    ngx_conf_merge_size_value(conf->multipart_threshold,
                              prev->multipart_threshold,
                              AWS_S3_DEFAULT_MULTIPART_THRESHOLD);

    /* AWS's S3 honours conditional writes; an endpoint of one's own may not */

    pmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_prism_module);

    ngx_conf_merge_value(conf->s3_check_existing, prev->s3_check_existing,
                         pmcf->endpoint.len || pmcf->s3_endpoint.len);

    if (conf->key_template == NULL) {
        ngx_str_set(&tpl, NGX_HTTP_PRISM_KEY_TEMPLATE_DEFAULT);

        conf->key_template = ngx_palloc(cf->pool,
                                        sizeof(ngx_http_complex_value_t));
        if (conf->key_template == NULL) {
            return NGX_CONF_ERROR;
        }

        ngx_memzero(&ccv, sizeof(ngx_http_compile_complex_value_t));

        ccv.cf = cf;
        ccv.value = &tpl;
        ccv.complex_value = conf->key_template;

        if (ngx_http_compile_complex_value(&ccv) != NGX_OK) {
            return NGX_CONF_ERROR;
        }
    }

    conf->key_repeats = !ngx_http_prism_names_any(&conf->key_template->value,
                                                  ngx_http_prism_id_vars);

    ngx_http_prism_lookup_merge_conf(&prev->lookup, &conf->lookup);

    if (conf->upload != 1) {
        return NGX_CONF_OK;
    }

    if (conf->store == NGX_HTTP_PRISM_STORE_S3 && conf->bucket == NULL) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "prism: \"prism_bucket\" is required with "
                           "\"prism_store s3\"");
        return NGX_CONF_ERROR;
    }

    if (conf->store == NGX_HTTP_PRISM_STORE_LOCAL) {
        if (conf->local_dir.len == 0) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "prism: \"prism_local_dir\" is required with "
                               "\"prism_store local\"");
            return NGX_CONF_ERROR;
        }

        if (ngx_conf_full_name(cf->cycle, &conf->local_dir, 0) != NGX_OK
            || ngx_http_prism_local_dir_check(cf, &conf->local_dir) != NGX_OK)
        {
            return NGX_CONF_ERROR;
        }
    }

    if (conf->publish_timeout == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "prism: \"prism_publish_timeout\" must be more "
                           "than 0");
        return NGX_CONF_ERROR;
    }

    /* the core module's settings of this location are merged already */

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);

    if (ngx_http_prism_handler_taken(cf, clcf)) {
        return NGX_CONF_ERROR;
    }

    if (clcf->client_max_body_size
        && conf->max_bytes >= 0
        && (conf->max_bytes == 0
            || conf->max_bytes > clcf->client_max_body_size))
    {
        ngx_conf_log_error(NGX_LOG_WARN, cf, 0,
                           "prism: \"client_max_body_size\" %O is below "
                           "\"prism_max_bytes\" %O: nginx answers uploads "
                           "between the two with its own 413",
                           clcf->client_max_body_size, conf->max_bytes);
    }

    if (conf->topic_arn.len == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "prism: \"prism_sns_topic_arn\" is required with "
                           "\"prism_upload\"");
        return NGX_CONF_ERROR;
    }

    pmcf->uploads++;

    return NGX_CONF_OK;
}


/* Starts the worker's curl driver, credentials and outbox replay. */

static ngx_int_t
ngx_http_prism_init_process(ngx_cycle_t *cycle)
{
    ngx_http_prism_main_conf_t  *pmcf;

    pmcf = ngx_http_cycle_get_module_main_conf(cycle, ngx_http_prism_module);

    if (pmcf == NULL || pmcf->client == NULL) {
        return NGX_OK;
    }

    if (ngx_http_prism_curl_init(cycle) != NGX_OK
        || ngx_http_prism_credentials_init(cycle, pmcf) != NGX_OK)
    {
        return NGX_ERROR;
    }

#if (NGX_THREADS)
    return ngx_http_prism_replay_init(cycle, pmcf);
#else
    return NGX_OK;
#endif
}


/* Stops the worker's curl driver. */

static void
ngx_http_prism_exit_process(ngx_cycle_t *cycle)
{
    ngx_http_prism_curl_done(cycle);
}


/* "prism_upload on|off": the upload content handler for a location. */

static char *
ngx_http_prism_upload(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_prism_loc_conf_t *plcf = conf;

    char                      *rv;
    ngx_http_core_loc_conf_t  *clcf;

    rv = ngx_conf_set_flag_slot(cf, cmd, conf);
    if (rv != NGX_CONF_OK) {
        return rv;
    }

    if (plcf->upload) {
        clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);

        if (ngx_http_prism_handler_taken(cf, clcf)) {
            return NGX_CONF_ERROR;
        }

        clcf->handler = ngx_http_prism_upload_handler;
    }

    return NGX_CONF_OK;
}


/*
 * Whether another module's content handler (proxy_pass, fastcgi_pass...)
 * is set in the location of "prism_upload": one of the two would never
 * run.  Logs the conflict when there is one.
 */

static ngx_uint_t
ngx_http_prism_handler_taken(ngx_conf_t *cf, ngx_http_core_loc_conf_t *clcf)
{
    if (clcf->handler == NULL
        || clcf->handler == ngx_http_prism_upload_handler)
    {
        return 0;
    }

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "prism: \"prism_upload\" and another content "
                       "handler (such as \"proxy_pass\") in the same "
                       "location");
    return 1;
}


/* "prism_status [prometheus|json]": the status content handler. */

static char *
ngx_http_prism_status(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_prism_loc_conf_t *plcf = conf;

    ngx_str_t                   *value;
    ngx_http_core_loc_conf_t    *clcf;
    ngx_http_prism_main_conf_t  *pmcf;

    if (plcf->status) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (cf->args->nelts == 1
        || ngx_strcmp(value[1].data, "prometheus") == 0)
    {
        plcf->status = NGX_HTTP_PRISM_STATUS_PROMETHEUS;

    } else if (ngx_strcmp(value[1].data, "json") == 0) {
        plcf->status = NGX_HTTP_PRISM_STATUS_JSON;

    } else {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "prism: invalid value \"%V\" in \"%V\" directive, "
                           "expected prometheus or json",
                           &value[1], &cmd->name);
        return NGX_CONF_ERROR;
    }

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);
    clcf->handler = ngx_http_prism_status_handler;

    pmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_prism_module);
    pmcf->statuses++;

    return NGX_CONF_OK;
}


/* "prism_types TYPE ...": the image types a location accepts. */

static char *
ngx_http_prism_types(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_prism_loc_conf_t *plcf = conf;

    ngx_uint_t   i;
    ngx_str_t   *value;
    ii_type_t    type;

    if (plcf->types != NGX_CONF_UNSET_UINT) {
        return "is duplicate";
    }

    plcf->types = 0;

    value = cf->args->elts;

    for (i = 1; i < cf->args->nelts; i++) {
        type = ii_type_from_name((char *) value[i].data);

        if (type == II_TYPE_UNKNOWN) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "prism: invalid value \"%V\" in \"%V\" "
                               "directive, expected jpeg, png, webp, gif, "
                               "heic, heif, avif",
                               &value[i], &cmd->name);
            return NGX_CONF_ERROR;
        }

        plcf->types |= 1 << type;
    }

    return NGX_CONF_OK;
}


/*
 * "prism_sns_topic_arn arn:PARTITION:sns:REGION:ACCOUNT:NAME".  The
 * first topic's region is the default region.
 */

static char *
ngx_http_prism_topic_arn(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_prism_loc_conf_t *plcf = conf;

    u_char                      *p, *last, *field[6];
    size_t                       len[6];
    ngx_str_t                   *value;
    ngx_uint_t                   n;
    ngx_http_prism_main_conf_t  *pmcf;

    if (plcf->topic_arn.data) {
        return "is duplicate";
    }

    value = cf->args->elts;

    p = value[1].data;
    last = p + value[1].len;

    for (n = 0; n < 6; n++) {
        field[n] = p;

        while (p < last && (*p != ':' || n == 5)) {
            p++;
        }

        len[n] = p - field[n];

        if (p == last) {
            break;
        }

        p++;
    }

    if (n != 5
        || len[0] != 3 || ngx_strncmp(field[0], "arn", 3) != 0
        || len[1] == 0
        || len[2] != 3 || ngx_strncmp(field[2], "sns", 3) != 0
        || len[3] == 0 || len[4] != 12 || len[5] == 0 || len[5] > 256)
    {
        goto invalid;
    }

    for (p = field[4]; p < field[4] + 12; p++) {
        if (*p < '0' || *p > '9') {
            goto invalid;
        }
    }

    for (p = field[5]; p < last; p++) {
        if (!(*p >= 'a' && *p <= 'z') && !(*p >= 'A' && *p <= 'Z')
            && !(*p >= '0' && *p <= '9') && *p != '-' && *p != '_'
            && *p != '.')
        {
            goto invalid;
        }
    }

    plcf->topic_arn = value[1];

    pmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_prism_module);

    if (pmcf->topic_region.len == 0) {
        pmcf->topic_region.data = field[3];
        pmcf->topic_region.len = len[3];
    }

    return NGX_CONF_OK;

invalid:

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "prism: invalid value \"%V\" in \"%V\" directive, "
                       "expected arn:aws:sns:REGION:ACCOUNT:TOPIC",
                       &value[1], &cmd->name);
    return NGX_CONF_ERROR;
}


/* "prism_*_endpoint http(s)://host[:port]". */

static char *
ngx_http_prism_endpoint(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    u_char     *p, *host, *last;
    ngx_str_t  *value, *field;

    field = (ngx_str_t *) ((u_char *) conf + cmd->offset);

    if (field->data) {
        return "is duplicate";
    }

    value = cf->args->elts;

    p = value[1].data;
    last = p + value[1].len;

    if (value[1].len > 8 && ngx_strncmp(p, "https://", 8) == 0) {
        host = p + 8;

    } else if (value[1].len > 7 && ngx_strncmp(p, "http://", 7) == 0) {
        host = p + 7;

    } else {
        goto invalid;
    }

    if (last[-1] == '/') {
        last--;
    }

    for (p = host; p < last; p++) {
        if (*p == '/' || *p == '?' || *p == '#' || *p == '@' || *p <= ' ') {
            goto invalid;
        }
    }

    if (p == host) {
        goto invalid;
    }

    field->data = value[1].data;
    field->len = last - value[1].data;

    return NGX_CONF_OK;

invalid:

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "prism: invalid value \"%V\" in \"%V\" directive, "
                       "expected http(s)://host[:port]",
                       &value[1], &cmd->name);
    return NGX_CONF_ERROR;
}


/* "prism_credentials default | env | profile NAME [FILE]". */

static char *
ngx_http_prism_credentials(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_prism_main_conf_t *pmcf = conf;

    ngx_str_t  *value;

    if (pmcf->credentials != NGX_CONF_UNSET_UINT) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (ngx_strcmp(value[1].data, "default") == 0 && cf->args->nelts == 2) {
        pmcf->credentials = NGX_HTTP_PRISM_CREDENTIALS_DEFAULT;
        return NGX_CONF_OK;
    }

    if (ngx_strcmp(value[1].data, "env") == 0 && cf->args->nelts == 2) {
        pmcf->credentials = NGX_HTTP_PRISM_CREDENTIALS_ENV;
        return NGX_CONF_OK;
    }

    if (ngx_strcmp(value[1].data, "profile") == 0 && cf->args->nelts >= 3) {
        pmcf->credentials = NGX_HTTP_PRISM_CREDENTIALS_PROFILE;
        pmcf->profile = value[2];

        if (cf->args->nelts == 4) {
            pmcf->credentials_file = value[3];

            if (ngx_conf_full_name(cf->cycle, &pmcf->credentials_file, 1)
                != NGX_OK)
            {
                return NGX_CONF_ERROR;
            }
        }

        return NGX_CONF_OK;
    }

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "prism: invalid value \"%V\" in \"%V\" directive, "
                       "expected default, env or profile NAME [FILE]",
                       &value[1], &cmd->name);
    return NGX_CONF_ERROR;
}


/*
 * Returns 1 when text names one of vars (a list ended by an empty
 * string, compared without case), else 0.
 */

static ngx_uint_t
ngx_http_prism_names_any(ngx_str_t *text, ngx_str_t *vars)
{
    for ( /* void */ ; vars->len; vars++) {
        if (ngx_strlcasestrn(text->data, text->data + text->len, vars->data,
                             vars->len - 1))
        {
            return 1;
        }
    }

    return 0;
}


/*
 * "prism_key_prefix PREFIX": a complex value; each variable's value is
 * checked on its own when a key is made (ngx_http_prism_key.c).
 */

static char *
ngx_http_prism_key_prefix(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    char                       *rv;
    ngx_str_t                  *value;
    ngx_http_prism_loc_conf_t  *plcf = conf;

    rv = ngx_http_set_complex_value_slot(cf, cmd, conf);
    if (rv != NGX_CONF_OK) {
        return rv;
    }

    value = cf->args->elts;

    return ngx_http_prism_key_compile(cf, &value[1], &plcf->key_prefix_parts);
}


/*
 * "prism_key_template TEMPLATE": a complex value whose result is an
 * ingress key template ({id}, {ext}, {yyyy} ...).  A template without
 * nginx variables is checked now; every template must make keys unique
 * per upload ({id} or {sha256}, or $prism_image_id / $prism_sha256).
 */

static char *
ngx_http_prism_key_template(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    char                              *rv;
    ngx_str_t                         *value;
    ngx_http_complex_value_t          *cv;
    u_char                             err[256];

    rv = ngx_http_set_complex_value_slot(cf, cmd, conf);
    if (rv != NGX_CONF_OK) {
        return rv;
    }

    value = cf->args->elts;

    if (!ngx_http_prism_names_any(&value[1], ngx_http_prism_id_vars)
        && !ngx_http_prism_names_any(&value[1], ngx_http_prism_sha256_vars))
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "prism: \"%V\" must contain {id} or {sha256} "
                           "so that every upload gets its own key",
                           &cmd->name);
        return NGX_CONF_ERROR;
    }

    cv = *(ngx_http_complex_value_t **) ((u_char *) conf + cmd->offset);

    if (cv->lengths == NULL
        && ing_key_template_check((char *) value[1].data, (char *) err,
                                  sizeof(err))
           != 0)
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "prism: invalid value \"%V\" in \"%V\" directive, "
                           "%s", &value[1], &cmd->name, err);
        return NGX_CONF_ERROR;
    }

    return ngx_http_prism_key_compile(cf, &value[1],
                                      &((ngx_http_prism_loc_conf_t *) conf)
                                         ->key_template_parts);
}


/*
 * "prism_message_group_id VALUE": the MessageGroupId of the events sent
 * to a FIFO topic, a complex value.  A value without variables is
 * checked now against SNS's rules (1 to 128 printable ASCII characters,
 * no space); a computed one when it is used.
 */

static char *
ngx_http_prism_message_group_id(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    char                      *rv;
    ngx_str_t                 *value;
    ngx_http_complex_value_t  *cv;

    rv = ngx_http_set_complex_value_slot(cf, cmd, conf);
    if (rv != NGX_CONF_OK) {
        return rv;
    }

    value = cf->args->elts;
    cv = *(ngx_http_complex_value_t **) ((u_char *) conf + cmd->offset);

    if (cv->lengths == NULL
        && ngx_http_prism_printable(&value[1], NGX_HTTP_PRISM_GROUP_ID_MAX)
           != NGX_OK)
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "prism: invalid value \"%V\" in \"%V\" directive, "
                           "expected 1 to 128 printable ASCII characters "
                           "without spaces", &value[1], &cmd->name);
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


/*
 * "prism_s3_sse off | AES256 | aws:kms [KEY_ID]": the server-side
 * encryption S3 applies to the stored originals (PutObject and
 * CreateMultipartUpload headers).  A KMS key id (a key id, ARN or
 * alias) is up to 2048 printable ASCII characters without spaces.
 * Returns NGX_CONF_OK, or an error.
 */

static char *
ngx_http_prism_s3_sse(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_prism_loc_conf_t *plcf = conf;

    ngx_str_t  *value;

    if (plcf->s3_sse != NGX_CONF_UNSET_UINT) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (ngx_strcmp(value[1].data, "off") == 0 && cf->args->nelts == 2) {
        plcf->s3_sse = AWS_S3_SSE_NONE;
        return NGX_CONF_OK;
    }

    if (ngx_strcmp(value[1].data, "AES256") == 0 && cf->args->nelts == 2) {
        plcf->s3_sse = AWS_S3_SSE_AES256;
        return NGX_CONF_OK;
    }

    if (ngx_strcmp(value[1].data, "aws:kms") != 0) {
        goto invalid;
    }

    if (cf->args->nelts == 3) {
        if (ngx_http_prism_printable(&value[2], NGX_HTTP_PRISM_KMS_KEY_ID_MAX)
            != NGX_OK)
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "prism: invalid KMS key id \"%V\" in \"%V\" "
                               "directive", &value[2], &cmd->name);
            return NGX_CONF_ERROR;
        }

        plcf->s3_kms_key_id = value[2];
    }

    plcf->s3_sse = AWS_S3_SSE_KMS;

    return NGX_CONF_OK;

invalid:

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "prism: invalid value \"%V\" in \"%V\" directive, "
                       "expected off, AES256 or aws:kms [KEY_ID]",
                       &value[1], &cmd->name);
    return NGX_CONF_ERROR;
}


/* prism_max_pixels must be positive. */

static char *
ngx_http_prism_check_max_pixels(ngx_conf_t *cf, void *post, void *data)
{
    ngx_uint_t  *np = data;

    if (*np == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "prism: \"prism_max_pixels\" must be greater "
                           "than 0");
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


/* S3 parts are at least 5 MiB, so is the multipart threshold. */

static char *
ngx_http_prism_check_threshold(ngx_conf_t *cf, void *post, void *data)
{
    size_t  *sp = data;

    if (*sp < AWS_S3_MIN_PART_SIZE) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "prism: \"prism_s3_multipart_threshold\" must be "
                           "at least 5m, the smallest S3 part");
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


/* A region is lower-case letters, digits and dashes ("eu-west-1"). */

static char *
ngx_http_prism_check_region(ngx_conf_t *cf, void *post, void *data)
{
    ngx_str_t  *region = data;

    if (!aws_region_valid((char *) region->data, region->len)) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "prism: invalid value \"%V\" in \"prism_region\" "
                           "directive, expected an AWS region such as "
                           "us-east-1", region);
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


/*
 * Creates the AWS client of this configuration; it is freed with the
 * configuration's pool.  "prism_credentials env" reads the keys now,
 * from the environment nginx was started with (workers do not inherit
 * it).  Returns the client, or NULL after logging why.
 */

static aws_client_t *
ngx_http_prism_create_client(ngx_conf_t *cf, ngx_http_prism_main_conf_t *pmcf)
{
    char                 *home, *file;
    ngx_str_t            *region;
    aws_error_t           err;
    aws_client_t         *client;
    ngx_pool_cleanup_t   *cln;
    aws_cred_config_t     creds;
    aws_client_config_t   cfg;
    aws_endpoint_t        dynamodb;
    u_char                msg[NGX_MAX_ERROR_STR];

    ngx_memzero(&cfg, sizeof(aws_client_config_t));
    ngx_memzero(&creds, sizeof(aws_cred_config_t));

    region = pmcf->region.len ? &pmcf->region : &pmcf->topic_region;

    cfg.region = ngx_http_prism_conf_cstr(cf, region);
    cfg.endpoint = ngx_http_prism_conf_cstr(cf, &pmcf->endpoint);
    cfg.endpoint_s3 = ngx_http_prism_conf_cstr(cf, &pmcf->s3_endpoint);
    cfg.endpoint_sns = ngx_http_prism_conf_cstr(cf, &pmcf->sns_endpoint);

    if (pmcf->dynamodb_endpoint.len) {
        dynamodb.service = "dynamodb";
        dynamodb.url = ngx_http_prism_conf_cstr(cf, &pmcf->dynamodb_endpoint);
        cfg.endpoints = &dynamodb;
        cfg.nendpoints = 1;
    }

    cfg.s3_addressing = (aws_s3_addressing_t) pmcf->s3_addressing;
    cfg.insecure_custom_endpoints = !pmcf->verify_tls;

    /* a CA file that cannot be read would fail every https call */

    if (pmcf->ca_file.len) {
        if (ngx_conf_full_name(cf->cycle, &pmcf->ca_file, 1) != NGX_OK) {
            return NULL;
        }

        cfg.ca_file = ngx_http_prism_conf_cstr(cf, &pmcf->ca_file);
        if (cfg.ca_file == NULL) {
            return NULL;
        }

        if (access(cfg.ca_file, R_OK) != 0) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                               "prism: cannot read \"prism_ca_file\" \"%V\"",
                               &pmcf->ca_file);
            return NULL;
        }
    }
    cfg.connect_timeout_ms = (long) pmcf->connect_timeout;
    cfg.credentials = &creds;

    switch (pmcf->credentials) {

    case NGX_HTTP_PRISM_CREDENTIALS_ENV:
        creds.access_key_id = getenv("AWS_ACCESS_KEY_ID");
        creds.secret_access_key = getenv("AWS_SECRET_ACCESS_KEY");
        creds.session_token = getenv("AWS_SESSION_TOKEN");

        if (creds.access_key_id == NULL || creds.secret_access_key == NULL) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "prism: \"prism_credentials env\" needs "
                               "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "
                               "in nginx's environment");
            return NULL;
        }

        break;

    case NGX_HTTP_PRISM_CREDENTIALS_PROFILE:
        creds.profile = ngx_http_prism_conf_cstr(cf, &pmcf->profile);
        creds.credentials_file = ngx_http_prism_conf_cstr(cf,
                                                     &pmcf->credentials_file);

        /* resolved now: workers have neither HOME nor AWS_* variables */

        if (creds.credentials_file == NULL) {
            file = getenv("AWS_SHARED_CREDENTIALS_FILE");
            home = getenv("HOME");

            if (file == NULL && home) {
                file = ngx_pnalloc(cf->pool, ngx_strlen(home)
                                             + sizeof("/.aws/credentials"));
                if (file == NULL) {
                    return NULL;
                }

                ngx_sprintf((u_char *) file, "%s/.aws/credentials%Z", home);
            }

            creds.credentials_file = file;
        }

        /* the workers read it with nginx -t's rights or fewer */

        if (creds.credentials_file
            && access(creds.credentials_file, R_OK) != 0)
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                               "prism: cannot read the credentials file "
                               "\"%s\" of \"prism_credentials profile %V\"",
                               creds.credentials_file, &pmcf->profile);
            return NULL;
        }

        break;

    default: /* NGX_HTTP_PRISM_CREDENTIALS_DEFAULT */
        cfg.credentials = NULL;
        break;
    }

    cln = ngx_pool_cleanup_add(cf->pool, 0);
    if (cln == NULL) {
        return NULL;
    }

    client = aws_client_new(&cfg, &err);

    /* the environment's secret was copied by the client */

    if (client == NULL) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "prism: %s",
                           aws_error_format(&err, (char *) msg, sizeof(msg)));
        return NULL;
    }

    cln->handler = ngx_http_prism_free_client;
    cln->data = client;

    return client;
}


/* Pool cleanup of a configuration: frees its AWS client. */

static void
ngx_http_prism_free_client(void *data)
{
    aws_client_free(data);
}


/* Returns a NUL-terminated copy of s, or NULL when s is empty. */

static char *
ngx_http_prism_conf_cstr(ngx_conf_t *cf, ngx_str_t *s)
{
    u_char  *p;

    if (s->len == 0) {
        return NULL;
    }

    p = ngx_pnalloc(cf->pool, s->len + 1);
    if (p == NULL) {
        return NULL;
    }

    ngx_memcpy(p, s->data, s->len);
    p[s->len] = '\0';

    return (char *) p;
}
