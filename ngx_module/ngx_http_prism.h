
/*
 * ngx_http_prism_module: image uploads stored in S3 (or a local directory)
 * and announced on SNS, without blocking nginx's event loop.
 *
 * Sources, one concern each:
 *   ngx_http_prism_module.c      directives, configuration, process hooks
 *   ngx_http_prism_handler.c     the content handler: the upload's state
 *                                machine, which drives the steps below
 *   ngx_http_prism_task.c        a step's end: ngx_http_prism_resume(),
 *                                thread tasks of the steps
 *   ngx_http_prism_body.c        the request body filter: limits, SHA-256,
 *                                the image header, multipart forms
 *   ngx_http_prism_store.c       the store: what its backends share
 *   ngx_http_prism_store_s3.c    S3 PutObject / multipart
 *   ngx_http_prism_store_local.c a local directory
 *   ngx_http_prism_publish.c     the SNS notification
 *   ngx_http_prism_call.c        one AWS call with retries on nginx timers
 *   ngx_http_prism_curl.c        libcurl's multi-socket API on nginx events
 *   ngx_http_prism_credentials.c credentials kept warm off the event loop
 *   ngx_http_prism_response.c    outcomes, JSON answers
 *   ngx_http_prism_status.c      shared-memory counters, status handler
 *   ngx_http_prism_lookup.c      image status lookup (DynamoDB GetItem)
 *   ngx_http_prism_variables.c   $prism_* variables
 *   ngx_http_prism_key.c         key prefixes and templates with variables
 *   ngx_http_prism_user.c        the upload's user ("prism_user")
 *   ngx_http_prism_outbox.c      the outbox: events journaled while SNS
 *                                is unavailable, spool files written
 *   ngx_http_prism_outbox_spool.c the spool as the replay reads it: look,
 *                                claim, decode, delete or move
 *   ngx_http_prism_replay.c      the outbox's replay in every worker
 *   ngx_http_prism_intent.c      the upload's intent: a spool file from
 *                                before the store until the answer
 *   ngx_http_prism_util.c        helpers: string copies and checks, paths
 */


#ifndef _NGX_HTTP_PRISM_H_INCLUDED_
#define _NGX_HTTP_PRISM_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#if (NGX_THREADS)
#include <ngx_thread_pool.h>
#endif

#include <curl/curl.h>

#include "aws_client.h"
#include "aws_names.h"
#include "event.h"
#include "imageinfo.h"
#include "s3.h"
#include "sns.h"
#include "upload_form.h"


#define NGX_HTTP_PRISM_STORE_S3            1
#define NGX_HTTP_PRISM_STORE_LOCAL         2

#define NGX_HTTP_PRISM_STATUS_PROMETHEUS   1
#define NGX_HTTP_PRISM_STATUS_JSON         2

#define NGX_HTTP_PRISM_CREDENTIALS_DEFAULT 1
#define NGX_HTTP_PRISM_CREDENTIALS_ENV     2
#define NGX_HTTP_PRISM_CREDENTIALS_PROFILE 3

/* SNS's longest MessageGroupId */
#define NGX_HTTP_PRISM_GROUP_ID_MAX        128

/* the longest KMS key id (a key ARN or alias ARN) */
#define NGX_HTTP_PRISM_KMS_KEY_ID_MAX      2048

/* the longest image header kept in memory: what imageinfo ever reads */
#define NGX_HTTP_PRISM_HEAD_MAX            II_HEADER_MAX

/* what a form may carry besides its file: boundaries, headers, fields */
#define NGX_HTTP_PRISM_FORM_SLACK          (ING_FORM_FIELDS_MAX             \
                                            * (ING_FORM_FIELD_MAX           \
                                               + ING_MP_HEADERS_MAX + 128)  \
                                            + ING_MP_HEADERS_MAX)


/* How an upload ended: the status counters and the JSON "error" codes. */
typedef enum {
    ngx_http_prism_created = 0,
    ngx_http_prism_duplicate,                     /* the key existed: 200 */
    ngx_http_prism_empty_body,
    ngx_http_prism_malformed_body,
    ngx_http_prism_invalid_image,
    ngx_http_prism_too_large,
    ngx_http_prism_too_many_pixels,
    ngx_http_prism_unsupported_type,
    ngx_http_prism_type_not_allowed,
    ngx_http_prism_method_not_allowed,
    ngx_http_prism_store_failed,
    ngx_http_prism_store_unavailable,
    ngx_http_prism_store_timeout,
    ngx_http_prism_store_full,                    /* local store: ENOSPC */
    ngx_http_prism_publish_failed,
    ngx_http_prism_publish_unavailable,
    ngx_http_prism_publish_timeout,
    ngx_http_prism_credentials_unavailable,
    ngx_http_prism_invalid_key,
    ngx_http_prism_invalid_user,
    ngx_http_prism_internal_error,
    ngx_http_prism_aborted,
    ngx_http_prism_n_outcomes
} ngx_http_prism_outcome_e;


typedef struct {
    ngx_uint_t                     status;
    ngx_str_t                      code;
} ngx_http_prism_outcome_t;


/* --- image status lookup (ngx_http_prism_lookup.c) --- */

typedef struct {
    ngx_flag_t                     enabled;       /* "prism_lookup" here */
    ngx_http_complex_value_t      *id;            /* its argument, or NULL */
    ngx_str_t                      prefix;        /* else: the location's */
    ngx_str_t                      table;
    ngx_http_complex_value_t      *base_url;      /* public mode */
    time_t                         url_expires;   /* else: presigned */
    ngx_msec_t                     timeout;
    ngx_http_complex_value_t      *owner;         /* "prism_lookup_owner" */
} ngx_http_prism_lookup_conf_t;

void ngx_http_prism_lookup_init_conf(ngx_http_prism_lookup_conf_t *conf);
void ngx_http_prism_lookup_merge_conf(ngx_http_prism_lookup_conf_t *prev,
    ngx_http_prism_lookup_conf_t *conf);
char *ngx_http_prism_lookup(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);
char *ngx_http_prism_dynamodb_table(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_prism_lookup_url_expires(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);


typedef struct {
    ngx_str_t                      region;
    ngx_str_t                      endpoint;
    ngx_str_t                      s3_endpoint;
    ngx_str_t                      sns_endpoint;
    ngx_str_t                      dynamodb_endpoint;
    ngx_uint_t                     credentials;
    ngx_str_t                      profile;
    ngx_str_t                      credentials_file;
    ngx_flag_t                     verify_tls;
    ngx_uint_t                     s3_addressing;
    ngx_msec_t                     connect_timeout;
    ngx_str_t                      thread_pool_name;
#if (NGX_THREADS)
    ngx_thread_pool_t             *thread_pool;
#endif

    ngx_str_t                      topic_region;   /* of the first topic ARN */
    ngx_uint_t                     uploads;        /* "prism_upload on" seen */
    ngx_uint_t                     statuses;       /* "prism_status" seen */
    ngx_uint_t                     lookups;        /* "prism_lookup" seen */
    ngx_int_t                      request_id_index;
    aws_client_t                  *client;
    ngx_shm_zone_t                *shm_zone;
    ngx_str_t                      ca_file;
    struct ngx_http_prism_outbox_s *outbox;        /* "prism_outbox" */
} ngx_http_prism_main_conf_t;


typedef struct ngx_http_prism_ctx_s  ngx_http_prism_ctx_t;


/*
 * A backend of the store (ngx_http_prism_store.c): where originals go.
 * Each call returns as ngx_http_prism_store() and ngx_http_prism_unstore()
 * say; prepare may be NULL.
 */

typedef ngx_int_t (*ngx_http_prism_store_pt)(ngx_http_request_t *r,
    ngx_http_prism_ctx_t *ctx);

typedef struct {
    ing_storage_t                  storage;       /* told in the event */
    ngx_uint_t                     bucket;        /* needs prism_bucket */
    ngx_http_prism_store_pt        prepare;       /* names the original */
    ngx_http_prism_store_pt        store;
    ngx_http_prism_store_pt        unstore;
    ngx_int_t                    (*location)(ngx_http_request_t *r,
                                     ngx_http_prism_ctx_t *ctx,
                                     ngx_str_t *location);
} ngx_http_prism_store_backend_t;


typedef struct {
    ngx_flag_t                     upload;
    ngx_uint_t                     store;
    ngx_http_prism_store_backend_t *backend;      /* of "prism_store" */
    ngx_http_complex_value_t      *bucket;
    ngx_http_complex_value_t      *key_prefix;
    ngx_array_t                   *key_prefix_parts;   /* with variables */
    ngx_http_complex_value_t      *key_template;
    ngx_array_t                   *key_template_parts;
    ngx_http_complex_value_t      *user;           /* "prism_user" */
    ngx_flag_t                     key_repeats;    /* no image id in the key */
    ngx_flag_t                     s3_check_existing;
    ngx_str_t                      local_dir;
    ngx_str_t                      topic_arn;
    ngx_http_complex_value_t      *message_group_id;  /* FIFO topics */
    ngx_uint_t                     s3_sse;         /* aws_s3_sse_t */
    ngx_str_t                      s3_kms_key_id;  /* aws:kms, or empty */
    ngx_uint_t                     types;          /* bit (1 << ii_type_t) */
    ngx_uint_t                     max_pixels;
    off_t                          max_bytes;
    ngx_msec_t                     publish_timeout;
    ngx_msec_t                     store_timeout;
    size_t                         multipart_threshold;
    ngx_msec_t                     intent_grace;
    ngx_http_complex_value_t      *location;
    ngx_uint_t                     status;
    ngx_http_prism_lookup_conf_t   lookup;
} ngx_http_prism_loc_conf_t;


/* --- helpers (ngx_http_prism_util.c) --- */

ngx_int_t ngx_http_prism_strdup(ngx_pool_t *pool, ngx_str_t *dst, u_char *src,
    size_t len);
ngx_int_t ngx_http_prism_printable(ngx_str_t *s, size_t max);
u_char *ngx_http_prism_path_join(ngx_pool_t *pool, ngx_str_t *dir,
    const char *prefix, ngx_str_t *name, const char *suffix);
int ngx_http_prism_sync_dir(u_char *dir);


/* --- libcurl multi-socket driver (ngx_http_prism_curl.c) --- */

typedef struct ngx_http_prism_xfer_s  ngx_http_prism_xfer_t;

typedef void (*ngx_http_prism_xfer_handler_pt)(ngx_http_prism_xfer_t *xfer);

struct ngx_http_prism_xfer_s {
    CURL                          *easy;
    CURLcode                       result;
    ngx_http_prism_xfer_handler_pt handler;
    void                          *data;
    unsigned                       active:1;
};

ngx_int_t ngx_http_prism_curl_init(ngx_cycle_t *cycle);
void ngx_http_prism_curl_done(ngx_cycle_t *cycle);
ngx_int_t ngx_http_prism_curl_add(ngx_http_prism_xfer_t *xfer, ngx_log_t *log);
void ngx_http_prism_curl_remove(ngx_http_prism_xfer_t *xfer);


/* --- one AWS call with retries (ngx_http_prism_call.c) --- */

typedef struct ngx_http_prism_call_s  ngx_http_prism_call_t;

typedef int (*ngx_http_prism_call_build_pt)(ngx_http_prism_call_t *call,
    aws_error_t *err);
typedef int (*ngx_http_prism_call_parse_pt)(ngx_http_prism_call_t *call,
    aws_error_t *err);
typedef void (*ngx_http_prism_call_done_pt)(ngx_http_prism_call_t *call);

struct ngx_http_prism_call_s {
    aws_client_t                  *client;
    const char                    *service;
    ngx_http_prism_call_build_pt   build;
    ngx_http_prism_call_parse_pt   parse;
    ngx_http_prism_call_done_pt    done;
    void                          *data;
    ngx_log_t                     *log;

    aws_request_t                  req;
    aws_buf_t                      body;
    aws_response_t                 resp;
    aws_error_t                    err;
    ngx_int_t                      rc;
    ngx_uint_t                     attempts;
    ngx_msec_t                     deadline;
    ngx_http_prism_xfer_t          xfer;
    ngx_event_t                    timer;

    unsigned                       has_req:1;
    unsigned                       running:1;
};

ngx_http_prism_call_t *ngx_http_prism_call_create(ngx_pool_t *pool,
    ngx_connection_t *c, aws_client_t *client);
ngx_int_t ngx_http_prism_call_start(ngx_http_prism_call_t *call,
    ngx_msec_t deadline);
int ngx_http_prism_call_keep(ngx_pool_t *pool, ngx_str_t *dst,
    const char *src, aws_error_t *err);


/* --- credentials (ngx_http_prism_credentials.c) --- */

ngx_int_t ngx_http_prism_credentials_init(ngx_cycle_t *cycle,
    ngx_http_prism_main_conf_t *pmcf);
ngx_uint_t ngx_http_prism_credentials_ready(void);


/*
 * --- the upload (ngx_http_prism_handler.c drives its steps) ---
 *
 * The steps of an upload, in order; the handler's state machine moves
 * from one to the next by the result of each (docs/architecture.md).
 */

typedef enum {
    ngx_http_prism_step_read_body = 0,  /* the body filter sees the body */
    ngx_http_prism_step_hash,           /* last checks, SHA-256 in a thread */
    ngx_http_prism_step_validate,       /* the key, the store name, event */
    ngx_http_prism_step_intend,         /* the intent (prism_outbox) */
    ngx_http_prism_step_store,          /* the original */
    ngx_http_prism_step_publish,        /* the event on SNS */
    ngx_http_prism_step_journal,        /* or in the outbox */
    ngx_http_prism_step_undo,           /* the original removed again */
    ngx_http_prism_step_forget,         /* the intent removed */
    ngx_http_prism_step_respond         /* the one answer */
} ngx_http_prism_step_e;


/* the state machine's entry for a step's result (ctx->resume) */
typedef void (*ngx_http_prism_resume_pt)(ngx_http_request_t *r,
    ngx_http_prism_ctx_t *ctx, ngx_int_t rc);

struct ngx_http_prism_ctx_s {
    ngx_http_request_t            *request;
    ngx_http_prism_step_e          step;
    ngx_http_prism_resume_pt       resume;

    /* the body as the request body filter sees it */
    off_t                          received;
    off_t                          max_bytes;
    ing_upload_form_t             *form;          /* multipart, else NULL */
    ngx_uint_t                     raw;           /* a raw body is read */
    u_char                        *head;
    size_t                         head_len;
    size_t                         head_size;
    ii_info_t                      info;
    ngx_int_t                      probe;         /* NGX_AGAIN, NGX_OK */
    ngx_event_t                    reject;

    /* the image inside the body file */
    void                          *local;     /* the local store's task */
    ngx_fd_t                       fd;
    off_t                          offset;
    off_t                          size;
    u_char                         sha256[65];
    ngx_str_t                      content_type;
    ngx_str_t                      ext;
    ngx_str_t                      image_id;
    ngx_tm_t                       tm;            /* upload time, UTC */
    struct timespec                time;

    /* where it went */
    ngx_str_t                      bucket;
    ngx_str_t                      key;
    ngx_str_t                      path;          /* local store */
    ngx_str_t                      etag;
    ngx_str_t                      message_id;
    ngx_str_t                      request_id;
    ngx_str_t                      source_ip;
    ngx_str_t                      user;          /* "prism_user" */

    /* the AWS steps */
    ngx_http_prism_call_t         *call;
    ngx_msec_t                     store_start;
    ngx_msec_t                     store_deadline;
    aws_s3_meta_t                 *meta;          /* from the form's fields */
    ngx_str_t                      upload_id;     /* S3 multipart upload */
    aws_s3_part_t                 *parts;
    ngx_uint_t                     nparts;
    ngx_uint_t                     part;
    size_t                         part_size;
    ngx_msec_t                     publish_start;
    ing_event_t                    event;         /* for SNS and the 201 */
    ngx_str_t                      json;          /* the SNS message */
    ngx_str_t                      group_id;      /* FIFO topics */
    aws_msg_attr_t                *attrs;
    aws_sns_publish_params_t       params;

    ngx_http_prism_outcome_e       outcome;
    ngx_str_t                      message;

    unsigned                       conditional:1; /* S3: If-None-Match */
    /* the intent: open and locked from before the store to the answer */
    ngx_fd_t                       intent_fd;
    u_char                        *intent_path;

    unsigned                       stored:1;
    unsigned                       unstored:1;
    unsigned                       answered:1;
};

extern ngx_module_t  ngx_http_prism_module;

ngx_int_t ngx_http_prism_upload_handler(ngx_http_request_t *r);


/*
 * --- a step's end (ngx_http_prism_task.c): the result of a step that
 * returned NGX_AGAIN goes to ngx_http_prism_resume(); blocking work runs
 * in prism_thread_pool through ngx_http_prism_task_post() ---
 */

typedef void (*ngx_http_prism_task_handler_pt)(void *data, ngx_log_t *log);
typedef ngx_int_t (*ngx_http_prism_task_done_pt)(ngx_http_request_t *r,
    void *data);

void ngx_http_prism_resume(ngx_http_request_t *r, ngx_int_t rc);
#if (NGX_THREADS)
ngx_thread_task_t *ngx_http_prism_task_alloc(ngx_http_request_t *r,
    size_t size);
ngx_int_t ngx_http_prism_task_post(ngx_http_request_t *r,
    ngx_thread_task_t *task, ngx_http_prism_task_handler_pt handler,
    ngx_http_prism_task_done_pt done);
#endif


/* --- key prefixes and templates (ngx_http_prism_key.c) --- */

char *ngx_http_prism_key_compile(ngx_conf_t *cf, ngx_str_t *value,
    ngx_array_t **parts);
ngx_int_t ngx_http_prism_key_value(ngx_http_request_t *r,
    ngx_http_complex_value_t *cv, ngx_array_t *parts, ngx_str_t *value,
    char *err, size_t errlen);


/* --- the upload's user (ngx_http_prism_user.c) --- */

ngx_int_t ngx_http_prism_user(ngx_http_request_t *r,
    ngx_http_prism_ctx_t *ctx);


/* --- the request body filter (ngx_http_prism_body.c) --- */

ngx_int_t ngx_http_prism_body_init(ngx_conf_t *cf);
ngx_int_t ngx_http_prism_body_start(ngx_http_request_t *r,
    ngx_http_prism_ctx_t *ctx);
ngx_int_t ngx_http_prism_body_finish(ngx_http_request_t *r,
    ngx_http_prism_ctx_t *ctx);


/* --- the body's hash (ngx_http_prism_hash.c) --- */

ngx_int_t ngx_http_prism_hash(ngx_http_request_t *r,
    ngx_http_prism_ctx_t *ctx);
ngx_int_t ngx_http_prism_sha256_fd(ngx_fd_t fd, off_t offset, off_t size,
    u_char *buf, size_t len, u_char *hex, ngx_err_t *err);


/*
 * --- the store (ngx_http_prism_store.c) and its backends
 * (ngx_http_prism_store_s3.c, ngx_http_prism_store_local.c) ---
 */

ngx_int_t ngx_http_prism_store_prepare(ngx_http_request_t *r,
    ngx_http_prism_ctx_t *ctx);
ngx_int_t ngx_http_prism_store(ngx_http_request_t *r,
    ngx_http_prism_ctx_t *ctx);
ngx_int_t ngx_http_prism_unstore(ngx_http_request_t *r,
    ngx_http_prism_ctx_t *ctx);
ngx_int_t ngx_http_prism_location(ngx_http_request_t *r,
    ngx_http_prism_ctx_t *ctx, ngx_str_t *location);
ngx_int_t ngx_http_prism_exists(ngx_http_request_t *r,
    ngx_http_prism_ctx_t *ctx);
void ngx_http_prism_unstore_result(ngx_http_request_t *r,
    ngx_http_prism_ctx_t *ctx, ngx_uint_t ok);

extern ngx_http_prism_store_backend_t  ngx_http_prism_s3_backend;
extern ngx_http_prism_store_backend_t  ngx_http_prism_local_backend;


/* --- the publish (ngx_http_prism_publish.c) --- */

ngx_int_t ngx_http_prism_publish(ngx_http_request_t *r,
    ngx_http_prism_ctx_t *ctx);
ngx_int_t ngx_http_prism_publish_params(ngx_http_request_t *r,
    ngx_http_prism_ctx_t *ctx, char *err, size_t errlen);
void ngx_http_prism_describe(ngx_http_request_t *r,
    ngx_http_prism_ctx_t *ctx);
void ngx_http_prism_unpublished(ngx_http_request_t *r,
    ngx_http_prism_ctx_t *ctx);


/* --- "nginx -t" of prism_local_dir (ngx_http_prism_local_dir.c) --- */

ngx_int_t ngx_http_prism_local_dir_check(ngx_conf_t *cf, ngx_str_t *dir);


/* --- answers (ngx_http_prism_response.c) --- */

extern ngx_http_prism_outcome_t  ngx_http_prism_outcomes[];

void ngx_http_prism_error(ngx_http_prism_ctx_t *ctx,
    ngx_http_prism_outcome_e outcome, const char *fmt, ...);
ngx_http_prism_outcome_e ngx_http_prism_aws_outcome(const aws_error_t *err,
    ngx_http_prism_outcome_e failed);
ngx_int_t ngx_http_prism_send_error(ngx_http_request_t *r,
    ngx_http_prism_ctx_t *ctx);
ngx_int_t ngx_http_prism_created_json(ngx_http_request_t *r,
    ngx_http_prism_ctx_t *ctx, ngx_str_t *json);
ngx_int_t ngx_http_prism_send_created(ngx_http_request_t *r,
    ngx_str_t *json, ngx_str_t *location);
ngx_int_t ngx_http_prism_send_json(ngx_http_request_t *r, ngx_uint_t status,
    u_char *json, size_t len);
ngx_int_t ngx_http_prism_send_buf(ngx_http_request_t *r, ngx_uint_t status,
    ngx_buf_t *b);


/* --- status (ngx_http_prism_status.c) --- */

ngx_int_t ngx_http_prism_status_zone(ngx_conf_t *cf,
    ngx_http_prism_main_conf_t *pmcf);
ngx_int_t ngx_http_prism_status_handler(ngx_http_request_t *r);
void ngx_http_prism_count_upload(ngx_http_request_t *r,
    ngx_http_prism_outcome_e outcome, off_t bytes);
void ngx_http_prism_count_in_flight(ngx_http_request_t *r, ngx_int_t delta);
void ngx_http_prism_count_publish(ngx_http_request_t *r, ngx_uint_t ok,
    ngx_uint_t attempts, ngx_msec_t latency);
void ngx_http_prism_count_store(ngx_http_request_t *r, ngx_uint_t ok,
    ngx_uint_t attempts, ngx_msec_t latency);
void ngx_http_prism_count_unstore(ngx_http_request_t *r, ngx_uint_t ok);
void ngx_http_prism_count_intents(ngx_http_prism_main_conf_t *pmcf,
    ngx_uint_t written, ngx_uint_t published, ngx_uint_t forgotten);


/* --- variables (ngx_http_prism_variables.c) --- */

ngx_int_t ngx_http_prism_add_variables(ngx_conf_t *cf);


/*
 * --- the outbox (ngx_http_prism_outbox.c, ngx_http_prism_replay.c) ---
 *
 * An event whose publish failed for a reason that may pass (network,
 * timeout, 5xx, throttling) is journaled as one file in the spool
 * directory, and replayed by a timer of every worker.  The file I/O runs
 * in prism_thread_pool, so the outbox needs nginx's thread support.
 */

#if (NGX_THREADS)

struct ngx_http_prism_outbox_s {
    ngx_path_t                    *path;          /* the spool directory */
    time_t                         max_age;       /* 0: no limit */
};

typedef struct ngx_http_prism_outbox_s  ngx_http_prism_outbox_t;


/* what a replay did with an entry */
typedef enum {
    ngx_http_prism_entry_claimed = 0,
    ngx_http_prism_entry_published,               /* to be deleted */
    ngx_http_prism_entry_forgotten,               /* to be deleted */
    ngx_http_prism_entry_rejected,                /* to be moved to failed/ */
    ngx_http_prism_entry_kept                     /* to be tried again */
} ngx_http_prism_entry_state_e;


/*
 * A journaled event or an intent claimed by this worker (its file is
 * locked).  An intent is resolved first: its original must exist and be
 * this upload's (verified), else it is forgotten.
 */
typedef struct {
    ngx_http_prism_outbox_t       *outbox;
    ngx_str_t                      name;      /* IMAGE_ID.json, .intent */
    ngx_fd_t                       fd;
    ngx_str_t                      key;
    ngx_str_t                      request_id;
    time_t                         journaled;
    ngx_str_t                      image_id;
    ngx_str_t                      bucket;    /* S3 intents */
    ngx_str_t                      local_path;      /* local intents */
    off_t                          size;
    u_char                         sha256[65];
    ngx_str_t                      etag;      /* the object's (HeadObject) */
    time_t                         resolve_after;   /* intents */
    unsigned                       intent:1;
    unsigned                       verified:1;
    aws_msg_attr_t                 attrs[AWS_MSG_ATTR_MAX];
    aws_sns_publish_params_t       params;
    ngx_http_prism_entry_state_e   state;
    ngx_str_t                      message_id;
    ngx_thread_task_t             *task;          /* its finishing task */
} ngx_http_prism_entry_t;


/* a look at the spool (a thread task): claims up to nentries entries */
typedef struct {
    ngx_http_prism_outbox_t       *outbox;
    ngx_pool_t                    *pool;
    time_t                         now;
    ngx_http_prism_entry_t        *entries;
    ngx_uint_t                     nentries;      /* room, then claimed */
    ngx_uint_t                     depth;         /* entries seen */
    ngx_uint_t                     rejected;      /* moved to failed/ */
    ngx_uint_t                     forgotten;     /* intents deleted */
} ngx_http_prism_scan_t;


/* the writing of a spool file (a thread task), see outbox_write() */
typedef struct {
    u_char                        *dir;
    u_char                        *tmp;
    u_char                        *path;
    u_char                        *data;
    size_t                         len;
    ngx_fd_t                       fd;        /* kept open and locked */
    unsigned                       keep:1;
    const char                    *op;        /* what failed, or NULL */
    u_char                        *file;      /* on which file */
    ngx_err_t                      err;
} ngx_http_prism_journal_t;


char *ngx_http_prism_outbox_directive(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
ngx_int_t ngx_http_prism_outbox_journal(ngx_http_request_t *r,
    ngx_http_prism_ctx_t *ctx, const aws_error_t *err);
ngx_int_t ngx_http_prism_outbox_prepare(ngx_http_request_t *r,
    ngx_http_prism_ctx_t *ctx, ngx_http_prism_journal_t *jn,
    time_t resolve_after);
void ngx_http_prism_outbox_write(void *data, ngx_log_t *log);

/* the spool as the replay reads it (ngx_http_prism_outbox_spool.c) */
void ngx_http_prism_outbox_scan(void *data, ngx_log_t *log);
void ngx_http_prism_outbox_finish(void *data, ngx_log_t *log);
void ngx_http_prism_outbox_release(ngx_http_prism_entry_t *entry);

ngx_int_t ngx_http_prism_replay_init(ngx_cycle_t *cycle,
    ngx_http_prism_main_conf_t *pmcf);

ngx_int_t ngx_http_prism_intent_clear(ngx_http_request_t *r,
    ngx_http_prism_ctx_t *ctx);
ngx_int_t ngx_http_prism_intent_etag(ngx_pool_t *pool,
    ngx_http_prism_entry_t *entry);

#endif

ngx_int_t ngx_http_prism_intend(ngx_http_request_t *r,
    ngx_http_prism_ctx_t *ctx);

void ngx_http_prism_count_outbox(ngx_http_prism_main_conf_t *pmcf,
    ngx_uint_t queued, ngx_uint_t replayed, ngx_uint_t failed);
void ngx_http_prism_count_outbox_depth(ngx_http_prism_main_conf_t *pmcf,
    ngx_uint_t depth);


#endif /* _NGX_HTTP_PRISM_H_INCLUDED_ */
