/*
 * config — prism-host's JSON configuration, parsed and validated.
 *
 * docs/host-config.md describes every key.  Parsing checks types, ranges,
 * unknown keys, and that referenced files (plugins, output directories)
 * exist; the first problem is reported with its key path, e.g.
 *   routes[1].visibility_timeout: expected integer 1..43200, got "30s"
 * Loading plugins and validating their params is plugin_host.c's job
 * (prism-host -t runs both).
 */
#ifndef HOST_CONFIG_H
#define HOST_CONFIG_H

#include <stddef.h>

#include <jansson.h>

#include "breaker.h"
#include "log.h"

#define HOST_ROUTE_NAME_MAX  63
#define HOST_MAX_ROUTES      64
#define HOST_MAX_WORKERS     256
#define HOST_MAX_CONCURRENCY 64

typedef enum {
    HOST_SSE_NONE = 0,
    HOST_SSE_AES256, /* "AES256" */
    HOST_SSE_KMS     /* "aws:kms" */
} host_sse_t;

typedef struct {
    char *name; /* [a-z0-9_-]{1,63}, unique */
    char *queue_url;
    char *dlq_url;
    char *plugin;          /* absolute path of the .so */
    json_t *plugin_params; /* an object (owned reference) */
    char *bucket;          /* output bucket, or NULL with directory */
    char *prefix;          /* output key prefix, "" when none */
    char *directory;       /* absolute output directory, or NULL */
    char *input_directory; /* where locally stored originals are, or NULL */
    char **input_buckets;  /* input.buckets: the only buckets originals are
                                        read from (none: local originals only) */
    size_t ninput_buckets;
    char *input_prefix;         /* input.prefix: originals' keys start with it, "" */
    int concurrency;            /* poller threads per worker */
    int visibility_timeout;     /* seconds, sent with ReceiveMessage */
    int heartbeat_max_seconds;  /* longest a message is kept invisible */
    int max_attempts;           /* receives after which the host dead-letters */
    long long max_input_bytes;  /* larger originals are rejected */
    int wait_time_seconds;      /* long-poll wait, 0..20 */
    int max_messages;           /* per ReceiveMessage, 1..10 */
    host_sse_t sse;             /* output.sse: S3 server-side encryption */
    char *kms_key_id;           /* output.kms_key_id (aws:kms only), or NULL */
    char *completion_topic_arn; /* SNS topic for completion events, or NULL */
    int queue_fifo;             /* queue_url ends in ".fifo" */
    int dlq_fifo;               /* dlq_url ends in ".fifo" */
    const char *record_table;   /* host_conf_t's record_table (borrowed), or NULL */
} host_route_conf_t;

typedef struct {
    char *region;
    char *endpoint;     /* all services, or NULL */
    char *endpoint_sqs; /* NULL: endpoint or the AWS default */
    char *endpoint_s3;
    char *endpoint_sns;
    char *endpoint_dynamodb;
    char *s3_addressing; /* "auto" | "path" | "virtual" */
    char *profile;       /* credentials: a profile ... */
    char *credentials_file;
    char *access_key_id; /* ... or explicit keys (never logged) */
    char *secret_access_key;
    char *session_token;
    int verify_tls; /* 0: no verification for configured endpoints */
    char *ca_file;
    long connect_timeout_ms;
    long timeout_ms;
} host_aws_conf_t;

typedef struct {
    char *file; /* where it was read from, or NULL */
    host_aws_conf_t aws;
    int workers;
    char *user;                   /* privilege drop, or NULL */
    int allow_root;               /* workers may run as root */
    long long rlimit_as_mb;       /* 0: unlimited */
    long long rlimit_cpu_seconds; /* 0: unlimited */
    long long decode_budget_mb;   /* memory.decode_budget_mb: per worker */
    int decode_wait_seconds;      /* memory.decode_wait_seconds */
    char *pid_file;               /* absolute, or NULL */
    host_log_level_t log_level;
    host_log_format_t log_format; /* log.format: text or json */
    char *log_file;               /* absolute, NULL: stderr */
    char *metrics_host;           /* numeric address, NULL: no metrics */
    int metrics_port;
    int shutdown_grace_seconds;
    char *record_table;          /* record.table: DynamoDB image records, or NULL */
    host_breaker_conf_t breaker; /* "breaker": the dependencies' circuit breakers */
    host_route_conf_t *routes;
    size_t nroutes;
} host_conf_t;

/* Parses and validates the configuration in TEXT.  Relative paths are
 * made absolute against the current directory.  Returns the new config,
 * or NULL with the first problem in err (errlen bytes), naming its key
 * path.  Free with host_conf_free(). */
host_conf_t *host_conf_parse(const char *text, char *err, size_t errlen);

/* Reads FILE and parses it as host_conf_parse does; JSON syntax errors
 * are reported as "FILE:LINE:COLUMN: reason".  Returns NULL with err set
 * when the file cannot be read or is invalid. */
host_conf_t *host_conf_load(const char *file, char *err, size_t errlen);

/* Frees a config.  NULL is allowed. */
void host_conf_free(host_conf_t *conf);

#endif
