/*
 * prism-aws — a small AWS command line client built on prism's AWS layer
 * (SNS Publish, SQS, S3 objects, the queues, topics and subscriptions a
 * test or script sets up, STS GetCallerIdentity).  Used by the tests and for operating a
 * prism deployment; speaks to AWS or any compatible endpoint.
 *
 *   prism-aws [global options] <service> <command> [args]
 *
 * The global options are those of every prism AWS tool (aws_cli_opts.h).
 *
 * Results go to stdout (ids, or JSON lines); errors to stderr as one line
 * with code, message, HTTP status and request id; exit status 1 on a
 * failed call, 2 on a usage error.  Secrets are never printed.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "aws_cli_opts.h"
#include "aws_client.h"
#include "prism_version.h"
#include "s3.h"
#include "s3_admin.h"
#include "sns.h"
#include "sqs.h"
#include "sqs_admin.h"
#include "sns_admin.h"
#include "sts.h"

#define CLI_EXIT_FAIL  1
#define CLI_EXIT_USAGE 2

static volatile sig_atomic_t cli_stop;

/* SIGINT/SIGTERM handler: lets a long poll end cleanly. */
static void cli_on_signal(int sig)
{
    (void) sig;
    cli_stop = 1;
}

/* Prints "prism-aws: WHAT: <error line>" to stderr and returns
 * CLI_EXIT_FAIL. */
static int cli_fail(const char *what, const aws_error_t *err)
{
    char line[1024];

    fprintf(stderr, "prism-aws: %s: %s\n", what, aws_error_format(err, line, sizeof(line)));
    return CLI_EXIT_FAIL;
}

/* Prints a usage error and the command's usage; returns CLI_EXIT_USAGE. */
static int cli_usage_error(const char *usage, const char *fmt, const char *arg)
{
    fprintf(stderr, "prism-aws: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nusage: %s\n", usage);
    return CLI_EXIT_USAGE;
}

/* Prints a JSON value as one line on stdout and frees it. */
static void cli_print_json(json_t *v)
{
    char *s = json_dumps(v, JSON_COMPACT | JSON_ENSURE_ASCII);

    if (s != NULL) {
        puts(s);
        free(s);
    }
    json_decref(v);
}

/* Reads the whole file at path into out (NUL-terminated).  Returns 0,
 * or -1 with a message on stderr. */
static int cli_read_file(const char *path, aws_buf_t *out)
{
    char chunk[65536];
    ssize_t n;
    int fd = open(path, O_RDONLY | O_CLOEXEC), saved;

    if (fd < 0) {
        fprintf(stderr, "prism-aws: %s: %s\n", path, strerror(errno));
        return -1;
    }
    while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 || aws_buf_append(out, chunk, (size_t) n) != 0) {
            break;
        }
    }
    if (n == 0 && out->data == NULL && aws_buf_puts(out, "") != 0) {
        n = 1;
    }
    saved = n < 0 ? errno : ENOMEM;
    close(fd);
    if (n != 0) {
        fprintf(stderr, "prism-aws: %s: %s\n", path, strerror(saved));
        return -1;
    }
    return 0;
}

/* ---- argument parsing ------------------------------------------------------ */

#define CLI_MAX_POSITIONAL 4
#define CLI_MAX_REPEAT     10

/* A command's parsed arguments: named options (each may repeat up to
 * CLI_MAX_REPEAT times) and positionals. */
typedef struct {
    const char *names[16]; /* options the command knows */
    int flags[16];         /* 1: takes no value */
    const char *values[16][CLI_MAX_REPEAT];
    int counts[16];
    const char *pos[CLI_MAX_POSITIONAL];
    int npos;
} cli_args_t;

/* Declares option NAME ("--wait"); flag: takes no value. */
static void cli_arg_decl(cli_args_t *a, const char *name, int flag)
{
    int i;

    for (i = 0; a->names[i] != NULL; i++) {
    }
    a->names[i] = name;
    a->flags[i] = flag;
}

/* Parses argv[0..argc) into a.  Returns 0, or CLI_EXIT_USAGE after
 * printing the problem and usage. */
static int cli_arg_parse(cli_args_t *a, int argc, char **argv, int max_pos, const char *usage)
{
    int i, k;

    for (i = 0; i < argc; i++) {
        if (strncmp(argv[i], "--", 2) != 0 || strcmp(argv[i], "--") == 0) {
            if (a->npos >= max_pos) {
                return cli_usage_error(usage, "unexpected argument \"%s\"", argv[i]);
            }
            a->pos[a->npos++] = argv[i];
            continue;
        }
        for (k = 0; a->names[k] != NULL && strcmp(a->names[k], argv[i]) != 0; k++) {
        }
        if (a->names[k] == NULL) {
            return cli_usage_error(usage, "unknown option \"%s\"", argv[i]);
        }
        if (a->counts[k] == CLI_MAX_REPEAT) {
            return cli_usage_error(usage, "option %s given too often", argv[i]);
        }
        if (a->flags[k]) {
            a->values[k][a->counts[k]++] = "1";
        } else if (i + 1 >= argc) {
            return cli_usage_error(usage, "option %s needs a value", argv[i]);
        } else {
            a->values[k][a->counts[k]++] = argv[++i];
        }
    }
    if (a->npos != max_pos) {
        return cli_usage_error(usage, "%s", "wrong number of arguments");
    }
    return 0;
}

/* Returns the index of option NAME in a. */
static int cli_arg_index(const cli_args_t *a, const char *name)
{
    int k;

    for (k = 0; strcmp(a->names[k], name) != 0; k++) {
    }
    return k;
}

/* Returns the (last) value of option NAME, or NULL. */
static const char *cli_arg(const cli_args_t *a, const char *name)
{
    int k = cli_arg_index(a, name);

    return a->counts[k] ? a->values[k][a->counts[k] - 1] : NULL;
}

/* Parses option NAME as an integer in [lo, hi] into *out (def when
 * absent).  Returns 0, or CLI_EXIT_USAGE. */
static int cli_arg_int(const cli_args_t *a, const char *name, long lo, long hi, long def, long *out,
                       const char *usage)
{
    const char *v = cli_arg(a, name);
    char *end;

    *out = def;
    if (v == NULL) {
        return 0;
    }
    errno = 0;
    *out = strtol(v, &end, 10);
    if (errno != 0 || end == v || *end != '\0' || *out < lo || *out > hi) {
        return cli_usage_error(usage, "bad number \"%s\"", v);
    }
    return 0;
}

/* Frees the n first strings of storage (NULL entries allowed). */
static void cli_free_storage(char **storage, int n)
{
    while (n-- > 0) {
        free(storage[n]);
    }
}

/* A message given on the command line: its text (--message, inline or
 * @FILE) and its attributes (--attr Name=Type:Value ...). */
typedef struct {
    const char *text;
    aws_msg_attr_t attrs[CLI_MAX_REPEAT];
    size_t nattrs;
    char *storage[CLI_MAX_REPEAT]; /* the copies attrs point into */
    aws_buf_t file;                /* the text read from @FILE */
} cli_message_t;

/* Fills m (zeroed by the caller) from the --message and --attr options
 * of a.  Returns 0, or CLI_EXIT_USAGE (a malformed --attr) or
 * CLI_EXIT_FAIL (an unreadable @FILE) after printing the problem; m
 * needs cli_message_free in every case. */
static int cli_message_load(cli_message_t *m, const cli_args_t *a, const char *usage)
{
    int k = cli_arg_index(a, "--attr"), i;

    for (i = 0; i < a->counts[k]; i++) {
        char *s = strdup(a->values[k][i]), *eq, *colon;

        m->storage[i] = s;
        if (s == NULL || (eq = strchr(s, '=')) == NULL || (colon = strchr(eq + 1, ':')) == NULL) {
            return cli_usage_error(usage, "--attr \"%s\" is not Name=Type:Value", a->values[k][i]);
        }
        *eq = *colon = '\0';
        m->attrs[i].name = s;
        m->attrs[i].type = eq + 1;
        m->attrs[i].value = colon + 1;
    }
    m->nattrs = (size_t) a->counts[k];
    m->text = cli_arg(a, "--message");
    if (m->text[0] == '@') {
        if (cli_read_file(m->text + 1, &m->file) != 0) {
            return CLI_EXIT_FAIL;
        }
        m->text = m->file.data;
    }
    return 0;
}

/* Frees what cli_message_load kept. */
static void cli_message_free(cli_message_t *m)
{
    cli_free_storage(m->storage, CLI_MAX_REPEAT);
    aws_buf_free(&m->file);
}

/* ---- commands ------------------------------------------------------------- */

typedef int (*cli_run_fn)(aws_client_t *c, int argc, char **argv, const char *usage);

typedef struct {
    const char *service;
    const char *name;
    cli_run_fn run;
    const char *usage;
    const char *help;
} cli_command_t;

/* sns publish */
static int cli_sns_publish(aws_client_t *c, int argc, char **argv, const char *usage)
{
    cli_args_t a = { 0 };
    cli_message_t m = { 0 };
    aws_sns_publish_params_t p = { 0 };
    aws_error_t err;
    char id[256];
    int rc;

    cli_arg_decl(&a, "--topic-arn", 0);
    cli_arg_decl(&a, "--message", 0);
    cli_arg_decl(&a, "--subject", 0);
    cli_arg_decl(&a, "--attr", 0);
    cli_arg_decl(&a, "--group-id", 0);
    cli_arg_decl(&a, "--dedup-id", 0);
    if ((rc = cli_arg_parse(&a, argc, argv, 0, usage)) != 0) {
        return rc;
    }
    p.topic_arn = cli_arg(&a, "--topic-arn");
    if (p.topic_arn == NULL || cli_arg(&a, "--message") == NULL) {
        return cli_usage_error(usage, "%s", "--topic-arn and --message are required");
    }
    if ((rc = cli_message_load(&m, &a, usage)) == 0) {
        p.message = m.text;
        p.attrs = m.attrs;
        p.nattrs = m.nattrs;
        p.subject = cli_arg(&a, "--subject");
        p.message_group_id = cli_arg(&a, "--group-id");
        p.deduplication_id = cli_arg(&a, "--dedup-id");
        if (aws_sns_publish(c, &p, id, sizeof(id), &err) != 0) {
            rc = cli_fail("sns publish", &err);
        } else {
            puts(id);
        }
    }
    cli_message_free(&m);
    return rc;
}

/* Returns one received message as a JSON object (with "group_id" for
 * a FIFO queue's message). */
static json_t *cli_message_json(const aws_sqs_message_t *m)
{
    json_t *attrs = json_object(), *obj;
    size_t i;

    for (i = 0; i < m->nattrs; i++) {
        json_object_set_new(
            attrs, m->attrs[i].name,
            json_pack("{s:s, s:s}", "type", m->attrs[i].type, "value", m->attrs[i].value));
    }
    obj = json_pack("{s:s, s:s, s:s%, s:s, s:I, s:I, s:o}", "id", m->message_id, "receipt_handle",
                    m->receipt_handle, "body", m->body, m->body_len, "md5", m->md5_of_body,
                    "receive_count", (json_int_t) m->receive_count, "sent_timestamp",
                    (json_int_t) m->sent_timestamp, "attributes", attrs);
    if (obj != NULL && m->message_group_id != NULL) {
        json_object_set_new(obj, "group_id", json_string(m->message_group_id));
    }
    return obj;
}

/* Prints a batch result as JSON lines; returns CLI_EXIT_FAIL when an
 * entry failed (with a line on stderr), else 0. */
static int cli_print_batch(const char *what, const aws_sqs_batch_result_t *r)
{
    size_t i;

    for (i = 0; i < r->nsuccessful; i++) {
        cli_print_json(json_pack("{s:s, s:b}", "id", r->successful[i], "ok", 1));
    }
    for (i = 0; i < r->nfailed; i++) {
        cli_print_json(json_pack("{s:s, s:b, s:s, s:s, s:b}", "id", r->failed[i].id, "ok", 0,
                                 "code", r->failed[i].code, "message", r->failed[i].message,
                                 "sender_fault", r->failed[i].sender_fault));
        fprintf(stderr, "prism-aws: %s: entry %s failed: %s: %s\n", what, r->failed[i].id,
                r->failed[i].code, r->failed[i].message);
    }
    return r->nfailed ? CLI_EXIT_FAIL : 0;
}

/* sqs receive */
static int cli_sqs_receive(aws_client_t *c, int argc, char **argv, const char *usage)
{
    cli_args_t a = { 0 };
    aws_sqs_receive_params_t p = { 0 };
    aws_sqs_messages_t msgs = AWS_SQS_MESSAGES_INIT;
    aws_sqs_batch_entry_t entries[AWS_SQS_MAX_MESSAGES];
    aws_sqs_batch_result_t res = AWS_SQS_BATCH_RESULT_INIT;
    char ids[AWS_SQS_MAX_MESSAGES][8];
    aws_error_t err;
    long wait, max, vis;
    size_t i;
    int rc;

    cli_arg_decl(&a, "--queue-url", 0);
    cli_arg_decl(&a, "--wait", 0);
    cli_arg_decl(&a, "--max", 0);
    cli_arg_decl(&a, "--visibility", 0);
    cli_arg_decl(&a, "--delete", 1);
    if ((rc = cli_arg_parse(&a, argc, argv, 0, usage)) != 0
        || (rc = cli_arg_int(&a, "--wait", 0, AWS_SQS_MAX_WAIT_SECONDS, 0, &wait, usage)) != 0
        || (rc = cli_arg_int(&a, "--max", 1, AWS_SQS_MAX_MESSAGES, 1, &max, usage)) != 0
        || (rc = cli_arg_int(&a, "--visibility", 0, 43200, -1, &vis, usage)) != 0) {
        return rc;
    }
    if ((p.queue_url = cli_arg(&a, "--queue-url")) == NULL) {
        return cli_usage_error(usage, "%s", "--queue-url is required");
    }
    p.wait_seconds = (int) wait;
    p.max_messages = (int) max;
    p.visibility_timeout = (int) vis;
    p.cancel = &cli_stop;
    if (aws_sqs_receive(c, &p, &msgs, &err) != 0) {
        return cli_fail("sqs receive", &err);
    }
    for (i = 0; i < msgs.n; i++) {
        cli_print_json(cli_message_json(&msgs.msgs[i]));
        snprintf(ids[i], sizeof(ids[i]), "m%zu", i);
        entries[i].id = ids[i];
        entries[i].receipt_handle = msgs.msgs[i].receipt_handle;
        entries[i].visibility_timeout = 0;
    }
    if (cli_arg(&a, "--delete") != NULL && msgs.n > 0) {
        if (aws_sqs_delete_batch(c, p.queue_url, entries, msgs.n, &res, &err) != 0) {
            rc = cli_fail("sqs receive --delete", &err);
        } else if (res.nfailed) {
            for (i = 0; i < res.nfailed; i++) {
                fprintf(stderr, "prism-aws: sqs receive --delete: %s: %s: %s\n", res.failed[i].id,
                        res.failed[i].code, res.failed[i].message);
            }
            rc = CLI_EXIT_FAIL;
        }
        aws_sqs_batch_result_free(&res);
    }
    aws_sqs_messages_free(&msgs);
    return rc;
}

/* sqs send */
static int cli_sqs_send(aws_client_t *c, int argc, char **argv, const char *usage)
{
    cli_args_t a = { 0 };
    cli_message_t m = { 0 };
    aws_sqs_send_params_t p = { 0 };
    aws_error_t err;
    char id[256];
    long delay;
    int rc;

    cli_arg_decl(&a, "--queue-url", 0);
    cli_arg_decl(&a, "--message", 0);
    cli_arg_decl(&a, "--attr", 0);
    cli_arg_decl(&a, "--delay", 0);
    cli_arg_decl(&a, "--group-id", 0);
    cli_arg_decl(&a, "--dedup-id", 0);
    if ((rc = cli_arg_parse(&a, argc, argv, 0, usage)) != 0
        || (rc = cli_arg_int(&a, "--delay", 0, 900, 0, &delay, usage)) != 0) {
        return rc;
    }
    p.queue_url = cli_arg(&a, "--queue-url");
    if (p.queue_url == NULL || cli_arg(&a, "--message") == NULL) {
        return cli_usage_error(usage, "%s", "--queue-url and --message are required");
    }
    if ((rc = cli_message_load(&m, &a, usage)) == 0) {
        p.body = m.text;
        p.attrs = m.attrs;
        p.nattrs = m.nattrs;
        p.delay_seconds = (int) delay;
        p.message_group_id = cli_arg(&a, "--group-id");
        p.deduplication_id = cli_arg(&a, "--dedup-id");
        if (aws_sqs_send(c, &p, id, sizeof(id), &err) != 0) {
            rc = cli_fail("sqs send", &err);
        } else {
            puts(id);
        }
    }
    cli_message_free(&m);
    return rc;
}

/* sqs delete */
static int cli_sqs_delete(aws_client_t *c, int argc, char **argv, const char *usage)
{
    cli_args_t a = { 0 };
    const char *url, *handle;
    aws_error_t err;
    int rc;

    cli_arg_decl(&a, "--queue-url", 0);
    cli_arg_decl(&a, "--receipt-handle", 0);
    if ((rc = cli_arg_parse(&a, argc, argv, 0, usage)) != 0) {
        return rc;
    }
    url = cli_arg(&a, "--queue-url");
    handle = cli_arg(&a, "--receipt-handle");
    if (url == NULL || handle == NULL) {
        return cli_usage_error(usage, "%s", "--queue-url and --receipt-handle are required");
    }
    return aws_sqs_delete(c, url, handle, &err) != 0 ? cli_fail("sqs delete", &err) : 0;
}

/* sqs delete-batch and sqs change-visibility-batch share this. */
static int cli_sqs_batch(aws_client_t *c, int argc, char **argv, const char *usage, int visibility)
{
    cli_args_t a = { 0 };
    aws_sqs_batch_entry_t entries[CLI_MAX_REPEAT];
    aws_sqs_batch_result_t res = AWS_SQS_BATCH_RESULT_INIT;
    const char *what = visibility ? "sqs change-visibility-batch" : "sqs delete-batch";
    char ids[CLI_MAX_REPEAT][8];
    const char *url;
    aws_error_t err;
    long timeout;
    int rc, k, i;

    cli_arg_decl(&a, "--queue-url", 0);
    cli_arg_decl(&a, "--receipt-handle", 0);
    cli_arg_decl(&a, "--timeout", 0);
    if ((rc = cli_arg_parse(&a, argc, argv, 0, usage)) != 0
        || (rc = cli_arg_int(&a, "--timeout", 0, 43200, -1, &timeout, usage)) != 0) {
        return rc;
    }
    url = cli_arg(&a, "--queue-url");
    k = cli_arg_index(&a, "--receipt-handle");
    if (url == NULL || a.counts[k] == 0 || (visibility && timeout < 0)) {
        return cli_usage_error(usage, "%s", "missing required options");
    }
    for (i = 0; i < a.counts[k]; i++) {
        snprintf(ids[i], sizeof(ids[i]), "%d", i);
        entries[i].id = ids[i];
        entries[i].receipt_handle = a.values[k][i];
        entries[i].visibility_timeout = (int) timeout;
    }
    rc = visibility ? aws_sqs_change_visibility_batch(c, url, entries, (size_t) i, &res, &err)
                    : aws_sqs_delete_batch(c, url, entries, (size_t) i, &res, &err);
    if (rc != 0) {
        return cli_fail(what, &err);
    }
    rc = cli_print_batch(what, &res);
    aws_sqs_batch_result_free(&res);
    return rc;
}

/* sqs delete-batch */
static int cli_sqs_delete_batch(aws_client_t *c, int argc, char **argv, const char *usage)
{
    return cli_sqs_batch(c, argc, argv, usage, 0);
}

/* sqs change-visibility-batch */
static int cli_sqs_visibility_batch(aws_client_t *c, int argc, char **argv, const char *usage)
{
    return cli_sqs_batch(c, argc, argv, usage, 1);
}

/* sqs change-visibility */
static int cli_sqs_visibility(aws_client_t *c, int argc, char **argv, const char *usage)
{
    cli_args_t a = { 0 };
    const char *url, *handle;
    aws_error_t err;
    long timeout;
    int rc;

    cli_arg_decl(&a, "--queue-url", 0);
    cli_arg_decl(&a, "--receipt-handle", 0);
    cli_arg_decl(&a, "--timeout", 0);
    if ((rc = cli_arg_parse(&a, argc, argv, 0, usage)) != 0
        || (rc = cli_arg_int(&a, "--timeout", 0, 43200, -1, &timeout, usage)) != 0) {
        return rc;
    }
    url = cli_arg(&a, "--queue-url");
    handle = cli_arg(&a, "--receipt-handle");
    if (url == NULL || handle == NULL || timeout < 0) {
        return cli_usage_error(usage, "%s",
                               "--queue-url, --receipt-handle and --timeout are required");
    }
    return aws_sqs_change_visibility(c, url, handle, (int) timeout, &err) != 0
               ? cli_fail("sqs change-visibility", &err)
               : 0;
}

/* Parses "--queue-url U" alone for purge and attributes. */
static int cli_queue_only(int argc, char **argv, const char *usage, const char **url)
{
    cli_args_t a = { 0 };
    int rc;

    cli_arg_decl(&a, "--queue-url", 0);
    if ((rc = cli_arg_parse(&a, argc, argv, 0, usage)) != 0) {
        return rc;
    }
    if ((*url = cli_arg(&a, "--queue-url")) == NULL) {
        return cli_usage_error(usage, "%s", "--queue-url is required");
    }
    return 0;
}

/* sqs purge */
static int cli_sqs_purge(aws_client_t *c, int argc, char **argv, const char *usage)
{
    const char *url;
    aws_error_t err;
    int rc;

    if ((rc = cli_queue_only(argc, argv, usage, &url)) != 0) {
        return rc;
    }
    return aws_sqs_purge(c, url, &err) != 0 ? cli_fail("sqs purge", &err) : 0;
}

/* sqs attributes */
static int cli_sqs_attributes(aws_client_t *c, int argc, char **argv, const char *usage)
{
    aws_sqs_queue_attrs_t attrs = AWS_SQS_QUEUE_ATTRS_INIT;
    const char *url;
    aws_error_t err;
    json_t *obj;
    size_t i;
    int rc;

    if ((rc = cli_queue_only(argc, argv, usage, &url)) != 0) {
        return rc;
    }
    if (aws_sqs_get_attributes(c, url, NULL, 0, &attrs, &err) != 0) {
        return cli_fail("sqs attributes", &err);
    }
    obj = json_object();
    for (i = 0; i < attrs.n; i++) {
        json_object_set_new(obj, attrs.items[i].name, json_string(attrs.items[i].value));
    }
    cli_print_json(obj);
    aws_sqs_queue_attrs_free(&attrs);
    return 0;
}

/* ---- setup: queues, topics, subscriptions, identity ----------------------- */

/* Loads the repeated --attr Name=Value options of a into attrs (empty
 * on entry).  Returns 0, or CLI_EXIT_USAGE / CLI_EXIT_FAIL after
 * printing the problem; attrs needs aws_attrs_free in every case. */
static int cli_attrs_load(const cli_args_t *a, aws_attrs_t *attrs, const char *usage)
{
    int k = cli_arg_index(a, "--attr"), i;

    for (i = 0; i < a->counts[k]; i++) {
        const char *v = a->values[k][i], *eq = strchr(v, '=');
        char name[256];

        if (eq == NULL || eq == v || (size_t) (eq - v) >= sizeof(name)) {
            return cli_usage_error(usage, "--attr \"%s\" is not Name=Value", v);
        }
        memcpy(name, v, (size_t) (eq - v));
        name[eq - v] = '\0';
        if (aws_attrs_set(attrs, name, eq + 1) != 0) {
            fprintf(stderr, "prism-aws: out of memory\n");
            return CLI_EXIT_FAIL;
        }
    }
    return 0;
}

/* Checks what an answer returned: VALUE (a queue URL, an ARN) must end
 * with SEP followed by NAME.  Returns 0, or CLI_EXIT_FAIL after printing
 * "prism-aws: WHAT: ..." (a conforming endpoint never fails this). */
static int cli_check_ends(const char *what, const char *field, const char *value, char sep,
                          const char *name)
{
    size_t lv = strlen(value), ln = strlen(name);

    if (lv > ln && value[lv - ln - 1] == sep && strcmp(value + lv - ln, name) == 0) {
        return 0;
    }
    fprintf(stderr, "prism-aws: %s: the answer's %s \"%s\" does not name \"%s\"\n", what, field,
            value, name);
    return CLI_EXIT_FAIL;
}

/* The last path segment of a queue URL (its queue name). */
static const char *cli_url_name(const char *url)
{
    const char *slash = strrchr(url, '/');

    return slash != NULL ? slash + 1 : url;
}

/* Parses the options of a create command (--name NAME --attr ...) into
 * *name and attrs.  Returns 0, or an exit status after printing the
 * problem; attrs needs aws_attrs_free in every case. */
static int cli_create_args(int argc, char **argv, const char *usage, const char **name,
                           aws_attrs_t *attrs)
{
    cli_args_t a = { 0 };
    int rc;

    cli_arg_decl(&a, "--name", 0);
    cli_arg_decl(&a, "--attr", 0);
    if ((rc = cli_arg_parse(&a, argc, argv, 0, usage)) != 0) {
        return rc;
    }
    if ((*name = cli_arg(&a, "--name")) == NULL) {
        return cli_usage_error(usage, "%s", "--name is required");
    }
    return cli_attrs_load(&a, attrs, usage);
}

/* sqs create-queue */
static int cli_sqs_create_queue(aws_client_t *c, int argc, char **argv, const char *usage)
{
    aws_attrs_t attrs = AWS_ATTRS_INIT;
    const char *name = NULL;
    aws_error_t err;
    char url[2048];
    int rc;

    rc = cli_create_args(argc, argv, usage, &name, &attrs);
    if (rc == 0 && aws_sqs_create_queue(c, name, &attrs, NULL, url, sizeof(url), &err) != 0) {
        rc = cli_fail("sqs create-queue", &err);
    }
    if (rc == 0 && (rc = cli_check_ends("sqs create-queue", "QueueUrl", url, '/', name)) == 0) {
        puts(url);
    }
    aws_attrs_free(&attrs);
    return rc;
}

/* sqs queue-arn */
static int cli_sqs_queue_arn(aws_client_t *c, int argc, char **argv, const char *usage)
{
    const char *url;
    aws_error_t err;
    char arn[512];
    int rc;

    if ((rc = cli_queue_only(argc, argv, usage, &url)) != 0) {
        return rc;
    }
    if (aws_sqs_queue_arn(c, url, arn, sizeof(arn), &err) != 0) {
        return cli_fail("sqs queue-arn", &err);
    }
    if ((rc = cli_check_ends("sqs queue-arn", "QueueArn", arn, ':', cli_url_name(url))) == 0) {
        puts(arn);
    }
    return rc;
}

/* sqs set-attributes: SetQueueAttributes, then reads them back; every
 * one must be reported with the value set. */
static int cli_sqs_set_attributes(aws_client_t *c, int argc, char **argv, const char *usage)
{
    aws_sqs_queue_attrs_t back = AWS_SQS_QUEUE_ATTRS_INIT;
    aws_attrs_t attrs = AWS_ATTRS_INIT;
    cli_args_t a = { 0 };
    const char *url, *names[CLI_MAX_REPEAT], *have;
    aws_error_t err;
    size_t i;
    int rc;

    cli_arg_decl(&a, "--queue-url", 0);
    cli_arg_decl(&a, "--attr", 0);
    if ((rc = cli_arg_parse(&a, argc, argv, 0, usage)) != 0) {
        return rc;
    }
    if ((url = cli_arg(&a, "--queue-url")) == NULL || cli_arg(&a, "--attr") == NULL) {
        return cli_usage_error(usage, "%s", "--queue-url and --attr are required");
    }
    if ((rc = cli_attrs_load(&a, &attrs, usage)) == 0) {
        for (i = 0; i < attrs.n; i++) {
            names[i] = attrs.items[i].name;
        }
        if (aws_sqs_set_queue_attributes(c, url, &attrs, &err) != 0) {
            rc = cli_fail("sqs set-attributes", &err);
        } else if (aws_sqs_get_attributes(c, url, names, attrs.n, &back, &err) != 0) {
            rc = cli_fail("sqs set-attributes: reading them back", &err);
        }
    }
    for (i = 0; rc == 0 && i < attrs.n; i++) {
        have = aws_sqs_queue_attr(&back, names[i]);
        if (have == NULL || strcmp(have, attrs.items[i].value) != 0) {
            fprintf(stderr,
                    "prism-aws: sqs set-attributes: the queue reports %s as \"%s\", "
                    "not \"%s\"\n",
                    names[i], have != NULL ? have : "(nothing)", attrs.items[i].value);
            rc = CLI_EXIT_FAIL;
        }
    }
    aws_sqs_queue_attrs_free(&back);
    aws_attrs_free(&attrs);
    return rc;
}

/* sqs delete-queue */
static int cli_sqs_delete_queue(aws_client_t *c, int argc, char **argv, const char *usage)
{
    const char *url;
    aws_error_t err;
    int rc;

    if ((rc = cli_queue_only(argc, argv, usage, &url)) != 0) {
        return rc;
    }
    return aws_sqs_delete_queue(c, url, &err) != 0 ? cli_fail("sqs delete-queue", &err) : 0;
}

/* sns create-topic */
static int cli_sns_create_topic(aws_client_t *c, int argc, char **argv, const char *usage)
{
    aws_attrs_t attrs = AWS_ATTRS_INIT;
    const char *name = NULL;
    aws_error_t err;
    char arn[512];
    int rc;

    rc = cli_create_args(argc, argv, usage, &name, &attrs);
    if (rc == 0 && aws_sns_create_topic(c, name, &attrs, NULL, arn, sizeof(arn), &err) != 0) {
        rc = cli_fail("sns create-topic", &err);
    }
    if (rc == 0 && (rc = cli_check_ends("sns create-topic", "TopicArn", arn, ':', name)) == 0) {
        puts(arn);
    }
    aws_attrs_free(&attrs);
    return rc;
}

/* sns delete-topic */
static int cli_sns_delete_topic(aws_client_t *c, int argc, char **argv, const char *usage)
{
    cli_args_t a = { 0 };
    const char *arn;
    aws_error_t err;
    int rc;

    cli_arg_decl(&a, "--topic-arn", 0);
    if ((rc = cli_arg_parse(&a, argc, argv, 0, usage)) != 0) {
        return rc;
    }
    if ((arn = cli_arg(&a, "--topic-arn")) == NULL) {
        return cli_usage_error(usage, "%s", "--topic-arn is required");
    }
    return aws_sns_delete_topic(c, arn, &err) != 0 ? cli_fail("sns delete-topic", &err) : 0;
}

/* sns subscribe: the queue's ARN from GetQueueAttributes, then Subscribe;
 * the subscription ARN must be the topic's ("TOPIC_ARN:ID"). */
static int cli_sns_subscribe(aws_client_t *c, int argc, char **argv, const char *usage)
{
    aws_attrs_t attrs = AWS_ATTRS_INIT;
    cli_args_t a = { 0 };
    const char *topic, *url;
    char queue_arn[512], sub[1024];
    aws_error_t err;
    size_t lt;
    int rc;

    cli_arg_decl(&a, "--topic-arn", 0);
    cli_arg_decl(&a, "--queue-url", 0);
    cli_arg_decl(&a, "--attr", 0);
    if ((rc = cli_arg_parse(&a, argc, argv, 0, usage)) != 0) {
        return rc;
    }
    topic = cli_arg(&a, "--topic-arn");
    url = cli_arg(&a, "--queue-url");
    if (topic == NULL || url == NULL) {
        return cli_usage_error(usage, "%s", "--topic-arn and --queue-url are required");
    }
    if ((rc = cli_attrs_load(&a, &attrs, usage)) != 0) {
        aws_attrs_free(&attrs);
        return rc;
    }
    if (aws_sqs_queue_arn(c, url, queue_arn, sizeof(queue_arn), &err) != 0) {
        rc = cli_fail("sns subscribe: the queue's ARN", &err);
    } else if ((rc = cli_check_ends("sns subscribe", "QueueArn", queue_arn, ':', cli_url_name(url)))
               != 0) {
    } else if (aws_sns_subscribe(c, topic, "sqs", queue_arn, &attrs, sub, sizeof(sub), &err) != 0) {
        rc = cli_fail("sns subscribe", &err);
    } else if (lt = strlen(topic),
               strncmp(sub, topic, lt) != 0 || sub[lt] != ':' || sub[lt + 1] == '\0') {
        fprintf(stderr,
                "prism-aws: sns subscribe: the answer's SubscriptionArn \"%s\" is not "
                "one of topic \"%s\"\n",
                sub, topic);
        rc = CLI_EXIT_FAIL;
    } else {
        puts(sub);
    }
    aws_attrs_free(&attrs);
    return rc;
}

/* s3 create-bucket: CreateBucket, then HeadBucket (the bucket must be
 * there, whatever the first answer said). */
static int cli_s3_create_bucket(aws_client_t *c, int argc, char **argv, const char *usage)
{
    cli_args_t a = { 0 };
    aws_error_t err;
    int rc;

    if ((rc = cli_arg_parse(&a, argc, argv, 1, usage)) != 0) {
        return rc;
    }
    if (aws_s3_create_bucket(c, a.pos[0], &err) != 0
        && strcmp(err.code, "BucketAlreadyOwnedByYou") != 0) {
        return cli_fail("s3 create-bucket", &err);
    }
    return aws_s3_head_bucket(c, a.pos[0], &err) != 0
               ? cli_fail("s3 create-bucket: the bucket is not there", &err)
               : 0;
}

/* sts identity */
static int cli_sts_identity(aws_client_t *c, int argc, char **argv, const char *usage)
{
    cli_args_t a = { 0 };
    aws_sts_identity_t id;
    aws_error_t err;
    int rc;

    if ((rc = cli_arg_parse(&a, argc, argv, 0, usage)) != 0) {
        return rc;
    }
    if (aws_sts_get_caller_identity(c, &id, &err) != 0) {
        return cli_fail("sts identity", &err);
    }
    cli_print_json(
        json_pack("{s:s, s:s, s:s}", "account", id.account, "arn", id.arn, "user_id", id.user_id));
    return 0;
}

/* Prints an object's info as one JSON line. */
static void cli_print_info(const aws_s3_object_info_t *info)
{
    json_t *meta = json_object();
    size_t i;

    for (i = 0; i < info->nmeta; i++) {
        json_object_set_new(meta, info->meta[i].name, json_string(info->meta[i].value));
    }
    cli_print_json(json_pack("{s:I, s:s, s:s, s:s, s:o}", "size", (json_int_t) info->size, "etag",
                             info->etag, "content_type", info->content_type, "last_modified",
                             info->last_modified, "metadata", meta));
}

/* s3 put */
static int cli_s3_put(aws_client_t *c, int argc, char **argv, const char *usage)
{
    cli_args_t a = { 0 };
    aws_s3_meta_t meta[CLI_MAX_REPEAT];
    char *storage[CLI_MAX_REPEAT] = { 0 }, etag[128];
    aws_s3_put_opts_t opts = { 0 };
    const char *sse;
    aws_error_t err;
    struct stat st;
    int rc, k, i, fd;

    cli_arg_decl(&a, "--content-type", 0);
    cli_arg_decl(&a, "--meta", 0);
    cli_arg_decl(&a, "--sse", 0);
    cli_arg_decl(&a, "--kms-key-id", 0);
    if ((rc = cli_arg_parse(&a, argc, argv, 3, usage)) != 0) {
        return rc;
    }
    sse = cli_arg(&a, "--sse");
    if (sse != NULL && strcmp(sse, "AES256") != 0 && strcmp(sse, "aws:kms") != 0) {
        return cli_usage_error(usage, "--sse \"%s\" is not AES256 or aws:kms", sse);
    }
    opts.sse = sse == NULL ? AWS_S3_SSE_NONE : sse[0] == 'A' ? AWS_S3_SSE_AES256 : AWS_S3_SSE_KMS;
    opts.kms_key_id = cli_arg(&a, "--kms-key-id");
    opts.content_type = cli_arg(&a, "--content-type");
    k = cli_arg_index(&a, "--meta");
    for (i = 0; i < a.counts[k]; i++) {
        char *eq;
        storage[i] = strdup(a.values[k][i]);
        if (storage[i] == NULL || (eq = strchr(storage[i], '=')) == NULL) {
            cli_free_storage(storage, i + 1);
            return cli_usage_error(usage, "--meta \"%s\" is not name=value", a.values[k][i]);
        }
        *eq = '\0';
        meta[i].name = storage[i];
        meta[i].value = eq + 1;
    }
    opts.meta = meta;
    opts.nmeta = (size_t) a.counts[k];

    fd = open(a.pos[2], O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &st) != 0) {
        fprintf(stderr, "prism-aws: s3 put: %s: %s\n", a.pos[2], strerror(errno));
        if (fd >= 0) {
            close(fd);
        }
        cli_free_storage(storage, a.counts[k]);
        return CLI_EXIT_FAIL;
    }
    if (aws_s3_put_file(c, a.pos[0], a.pos[1], fd, 0, (size_t) st.st_size, &opts, etag,
                        sizeof(etag), &err)
        != 0) {
        rc = cli_fail("s3 put", &err);
    } else {
        puts(etag);
    }
    close(fd);
    cli_free_storage(storage, a.counts[k]);
    return rc;
}

/* s3 get */
static int cli_s3_get(aws_client_t *c, int argc, char **argv, const char *usage)
{
    cli_args_t a = { 0 };
    aws_s3_object_info_t info = { 0 };
    aws_error_t err;
    long max;
    int rc, fd;

    cli_arg_decl(&a, "--max-bytes", 0);
    if ((rc = cli_arg_parse(&a, argc, argv, 3, usage)) != 0
        || (rc = cli_arg_int(&a, "--max-bytes", 1, 0x7fffffffffffffffL, 0, &max, usage)) != 0) {
        return rc;
    }
    fd = open(a.pos[2], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        fprintf(stderr, "prism-aws: s3 get: %s: %s\n", a.pos[2], strerror(errno));
        return CLI_EXIT_FAIL;
    }
    if (aws_s3_get_to_fd(c, a.pos[0], a.pos[1], fd, (size_t) max, &info, &err) != 0) {
        rc = cli_fail("s3 get", &err);
        unlink(a.pos[2]);
    } else {
        cli_print_info(&info);
    }
    if (close(fd) != 0 && rc == 0) {
        fprintf(stderr, "prism-aws: s3 get: %s: %s\n", a.pos[2], strerror(errno));
        rc = CLI_EXIT_FAIL;
    }
    aws_s3_object_info_free(&info);
    return rc;
}

/* s3 head */
static int cli_s3_head(aws_client_t *c, int argc, char **argv, const char *usage)
{
    cli_args_t a = { 0 };
    aws_s3_object_info_t info = { 0 };
    aws_error_t err;
    int rc;

    if ((rc = cli_arg_parse(&a, argc, argv, 2, usage)) != 0) {
        return rc;
    }
    if (aws_s3_head_object(c, a.pos[0], a.pos[1], &info, &err) != 0) {
        return cli_fail("s3 head", &err);
    }
    cli_print_info(&info);
    aws_s3_object_info_free(&info);
    return 0;
}

/* s3 rm */
static int cli_s3_rm(aws_client_t *c, int argc, char **argv, const char *usage)
{
    cli_args_t a = { 0 };
    aws_error_t err;
    int rc;

    if ((rc = cli_arg_parse(&a, argc, argv, 2, usage)) != 0) {
        return rc;
    }
    return aws_s3_delete_object(c, a.pos[0], a.pos[1], &err) != 0 ? cli_fail("s3 rm", &err) : 0;
}

static const cli_command_t cli_commands[] = {
    { "sns", "publish", cli_sns_publish,
      "prism-aws sns publish --topic-arn ARN --message TEXT|@FILE [--subject S]\n"
      "          [--attr Name=String|Number:Value ...] [--group-id G] [--dedup-id D]",
      "Publishes a message; prints its MessageId." },
    { "sns", "create-topic", cli_sns_create_topic,
      "prism-aws sns create-topic --name NAME [--attr Name=Value ...]",
      "Creates the topic (idempotent); prints its ARN, checked to name NAME." },
    { "sns", "delete-topic", cli_sns_delete_topic, "prism-aws sns delete-topic --topic-arn ARN",
      "Deletes the topic and its subscriptions." },
    { "sns", "subscribe", cli_sns_subscribe,
      "prism-aws sns subscribe --topic-arn ARN --queue-url URL [--attr Name=Value ...]",
      "Subscribes the queue (its ARN read with GetQueueAttributes) to the topic, e.g. with\n"
      "--attr RawMessageDelivery=true; prints the subscription ARN, checked to be the topic's." },
    { "sqs", "create-queue", cli_sqs_create_queue,
      "prism-aws sqs create-queue --name NAME [--attr Name=Value ...]",
      "Creates the queue (idempotent for the same attributes); prints its URL, checked to\n"
      "name NAME." },
    { "sqs", "queue-arn", cli_sqs_queue_arn, "prism-aws sqs queue-arn --queue-url URL",
      "Prints the queue's ARN (GetQueueAttributes QueueArn), checked to name the queue." },
    { "sqs", "set-attributes", cli_sqs_set_attributes,
      "prism-aws sqs set-attributes --queue-url URL --attr Name=Value [--attr ...]",
      "Sets queue attributes (SetQueueAttributes), then checks that the queue reports them." },
    { "sqs", "delete-queue", cli_sqs_delete_queue, "prism-aws sqs delete-queue --queue-url URL",
      "Deletes the queue." },
    { "s3", "create-bucket", cli_s3_create_bucket, "prism-aws s3 create-bucket BUCKET",
      "Creates the bucket (succeeds when it is already yours), then checks it exists." },
    { "sts", "identity", cli_sts_identity, "prism-aws sts identity",
      "Prints the caller's identity (GetCallerIdentity) as JSON: account, arn, user_id." },
    { "sqs", "receive", cli_sqs_receive,
      "prism-aws sqs receive --queue-url URL [--wait SECONDS] [--max N] [--visibility SECONDS] "
      "[--delete]",
      "Receives up to N (1-10) messages, long-polling up to 20 s; prints one JSON line each\n"
      "(id, receipt_handle, body, md5, receive_count, sent_timestamp, attributes, and\n"
      "group_id for a FIFO queue).\n"
      "--delete deletes them after printing." },
    { "sqs", "send", cli_sqs_send,
      "prism-aws sqs send --queue-url URL --message TEXT|@FILE [--attr Name=Type:Value ...]\n"
      "          [--delay SECONDS] [--group-id G] [--dedup-id D]",
      "Sends a message; prints its MessageId." },
    { "sqs", "delete", cli_sqs_delete,
      "prism-aws sqs delete --queue-url URL --receipt-handle HANDLE",
      "Deletes one received message." },
    { "sqs", "delete-batch", cli_sqs_delete_batch,
      "prism-aws sqs delete-batch --queue-url URL --receipt-handle H [--receipt-handle H ...]",
      "Deletes up to 10 messages in one DeleteMessageBatch; prints one JSON line per entry\n"
      "(id = position, ok, code, message); exits 1 when an entry failed." },
    { "sqs", "change-visibility", cli_sqs_visibility,
      "prism-aws sqs change-visibility --queue-url URL --receipt-handle HANDLE --timeout SECONDS",
      "Sets a received message's visibility timeout (0 makes it visible again)." },
    { "sqs", "change-visibility-batch", cli_sqs_visibility_batch,
      "prism-aws sqs change-visibility-batch --queue-url URL --timeout SECONDS --receipt-handle H "
      "...",
      "ChangeMessageVisibilityBatch for up to 10 messages; output as delete-batch." },
    { "sqs", "purge", cli_sqs_purge, "prism-aws sqs purge --queue-url URL",
      "Deletes every message in the queue (PurgeQueue)." },
    { "sqs", "attributes", cli_sqs_attributes, "prism-aws sqs attributes --queue-url URL",
      "Prints the queue's attributes as one JSON object." },
    { "s3", "put", cli_s3_put,
      "prism-aws s3 put BUCKET KEY FILE [--content-type T] [--meta name=value ...]\n"
      "          [--sse AES256|aws:kms] [--kms-key-id ID]",
      "Uploads FILE (multipart above 8 MiB); prints the ETag." },
    { "s3", "get", cli_s3_get, "prism-aws s3 get BUCKET KEY FILE [--max-bytes N]",
      "Downloads an object into FILE; prints its size, ETag, type and metadata as JSON.\n"
      "Fails (and removes FILE) when the object is larger than --max-bytes." },
    { "s3", "head", cli_s3_head, "prism-aws s3 head BUCKET KEY",
      "Prints an object's size, ETag, type, last-modified and metadata as JSON." },
    { "s3", "rm", cli_s3_rm, "prism-aws s3 rm BUCKET KEY", "Deletes an object." },
};

#define CLI_NCOMMANDS (sizeof(cli_commands) / sizeof(cli_commands[0]))

static const char cli_usage_head[] =
    "usage: prism-aws [global options] <service> <command> [args]\n"
    "                 (prism-aws <service> --help for commands)\n"
    "\n"
    "services: sns, sqs, s3, sts\n"
    "\n"
    "global options:\n";

static const char cli_usage_tail[] =
    "                               (AWS's own endpoints are always verified)\n"
    "\n"
    "Credentials: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY[/AWS_SESSION_TOKEN], the shared\n"
    "credentials file, ECS container or EC2 instance credentials.\n"
    "Exit status: 0 success, 1 the call failed (one line on stderr), 2 usage error.\n";

/* Prints the program's usage to f. */
static void cli_print_usage(FILE *f)
{
    fprintf(f, "%s%s%s", cli_usage_head, aws_cli_opts_usage, cli_usage_tail);
}

/* Prints a usage error (fmt with arg) and the program's usage to
 * stderr; returns CLI_EXIT_USAGE. */
static int cli_main_usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "prism-aws: ");
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    cli_print_usage(stderr);
    return CLI_EXIT_USAGE;
}

/* Prints the commands of service (NULL: all) to f. */
static void cli_list_commands(FILE *f, const char *service)
{
    size_t i;

    for (i = 0; i < CLI_NCOMMANDS; i++) {
        if (service == NULL || strcmp(cli_commands[i].service, service) == 0) {
            fprintf(f, "  %s\n", cli_commands[i].usage);
        }
    }
}

/* Returns 1 when argv[0..argc) holds --help or -h. */
static int cli_wants_help(int argc, char **argv)
{
    int i;

    for (i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            return 1;
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    aws_cli_opts_t opts = { 0 };
    const cli_command_t *cmd = NULL;
    struct sigaction sa;
    aws_client_t *c;
    aws_error_t err;
    char msg[256];
    size_t k;
    int i, rc, known_service = 0;

    i = aws_cli_opts_parse(&opts, argc - 1, argv + 1, msg, sizeof(msg));
    if (i < 0) {
        return cli_main_usage_error("%s", msg);
    }
    i++;
    if (i < argc && (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)) {
        cli_print_usage(stdout);
        return 0;
    }
    if (aws_cli_version("prism-aws", PRISM_VERSION, argc, argv, i)) {
        return 0;
    }
    if (i < argc && argv[i][0] == '-') {
        return cli_main_usage_error("unknown option \"%s\"", argv[i]);
    }
    if (i >= argc) {
        cli_print_usage(stderr);
        return CLI_EXIT_USAGE;
    }
    for (k = 0; k < CLI_NCOMMANDS; k++) {
        if (strcmp(cli_commands[k].service, argv[i]) == 0) {
            known_service = 1;
            if (i + 1 < argc && strcmp(cli_commands[k].name, argv[i + 1]) == 0) {
                cmd = &cli_commands[k];
            }
        }
    }
    if (!known_service) {
        return cli_main_usage_error("unknown service \"%s\"", argv[i]);
    }
    if (cmd == NULL) {
        int help = i + 1 < argc && cli_wants_help(1, argv + i + 1);
        if (!help) {
            fprintf(stderr, "prism-aws: %s: %s command \"%s\"\n", argv[i],
                    i + 1 < argc ? "unknown" : "missing", i + 1 < argc ? argv[i + 1] : "");
        }
        fprintf(help ? stdout : stderr, "%s commands:\n", argv[i]);
        cli_list_commands(help ? stdout : stderr, argv[i]);
        return help ? 0 : CLI_EXIT_USAGE;
    }
    if (cli_wants_help(argc - i - 2, argv + i + 2)) {
        printf("usage: %s\n\n%s\n", cmd->usage, cmd->help);
        return 0;
    }

    aws_cli_opts_env(&opts);
    c = aws_cli_client_new(&opts, &err);
    if (c == NULL) {
        return cli_fail("configuration", &err);
    }
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = cli_on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    rc = cmd->run(c, argc - i - 2, argv + i + 2, cmd->usage);
    aws_client_free(c);
    curl_global_cleanup();
    if (fflush(stdout) != 0) {
        fprintf(stderr, "prism-aws: writing the output: %s\n", strerror(errno));
        rc = CLI_EXIT_FAIL;
    }
    return rc;
}
