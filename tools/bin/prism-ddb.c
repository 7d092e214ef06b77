/*
 * prism-ddb — a small DynamoDB command line client on prism's AWS layer
 * (GetItem, UpdateItem, DescribeTable), for operating and testing the
 * image records.
 *
 *   prism-ddb [global options] get TABLE --key JSON [--consistent]
 *             [--projection EXPR] [--names JSON] [--plain]
 *   prism-ddb [global options] update TABLE --key JSON --update EXPR
 *             [--condition EXPR] [--names JSON] [--values JSON]
 *             [--return NONE|ALL_NEW|UPDATED_NEW|ALL_OLD|UPDATED_OLD] [--plain]
 *   prism-ddb [global options] describe TABLE
 *
 * Keys and values are DynamoDB typed JSON ({"imageId": {"S": "abc"}});
 * with --plain they are plain JSON ({"imageId": "abc"}) both ways.
 * Results are one JSON line on stdout; errors one line on stderr.
 * Exit status: 0 success, 1 a failed call or no such item, 2 usage.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "aws_cli_opts.h"
#include "dynamodb_admin.h"
#include "prism_version.h"

#define DDB_EXIT_FAIL  1
#define DDB_EXIT_USAGE 2

static const char ddb_usage[] =
    "usage: prism-ddb [global options] get TABLE --key JSON [--consistent] [--projection EXPR]\n"
    "                 [--names JSON] [--plain]\n"
    "       prism-ddb [global options] update TABLE --key JSON --update EXPR [--condition EXPR]\n"
    "                 [--names JSON] [--values JSON] [--return ALL_NEW|UPDATED_NEW|...] [--plain]\n"
    "       prism-ddb [global options] describe TABLE\n"
    "\n"
    "Keys and values are DynamoDB JSON ({\"imageId\":{\"S\":\"abc\"}}), or plain JSON with "
    "--plain.\n"
    "\n"
    "global options:\n";

/* The options after TABLE. */
typedef struct {
    const char *key, *update, *condition, *names, *values, *ret, *projection;
    int consistent, plain;
} ddb_args_t;

/* Prints a usage error and returns DDB_EXIT_USAGE. */
static int ddb_usage_error(const char *what, const char *arg)
{
    fprintf(stderr, "prism-ddb: %s%s%s\n%s%s", what, arg ? " " : "", arg ? arg : "", ddb_usage,
            aws_cli_opts_usage);
    return DDB_EXIT_USAGE;
}

/* Prints "prism-ddb: WHAT: <error line>" and returns DDB_EXIT_FAIL. */
static int ddb_fail(const char *what, const aws_error_t *err)
{
    char line[1024];

    fprintf(stderr, "prism-ddb: %s: %s\n", what, aws_error_format(err, line, sizeof(line)));
    return DDB_EXIT_FAIL;
}

/* Parses the options after TABLE.  Returns 0 or DDB_EXIT_USAGE. */
static int ddb_parse_args(ddb_args_t *a, int argc, char **argv)
{
    const struct {
        const char *name;
        const char **value;
    } valued[] = {
        { "--key", &a->key },
        { "--update", &a->update },
        { "--condition", &a->condition },
        { "--names", &a->names },
        { "--values", &a->values },
        { "--return", &a->ret },
        { "--projection", &a->projection },
    };
    size_t k;
    int i;

    for (i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--consistent") == 0) {
            a->consistent = 1;
            continue;
        }
        if (strcmp(argv[i], "--plain") == 0) {
            a->plain = 1;
            continue;
        }
        for (k = 0; k < sizeof(valued) / sizeof(valued[0]); k++) {
            if (strcmp(argv[i], valued[k].name) == 0 && i + 1 < argc) {
                *valued[k].value = argv[++i];
                break;
            }
        }
        if (k == sizeof(valued) / sizeof(valued[0])) {
            return ddb_usage_error("unknown or incomplete argument", argv[i]);
        }
    }
    return 0;
}

/* Parses option text as a JSON object (NULL text gives NULL, no
 * error); with plain, each member is converted to a typed value.
 * Returns 0, or -1 after printing the problem. */
static int ddb_json_arg(const char *what, const char *text, int plain, json_t **out)
{
    json_error_t jerr;
    json_t *doc, *typed, *v;
    const char *k;
    aws_error_t err;

    *out = NULL;
    if (text == NULL) {
        return 0;
    }
    doc = json_loads(text, 0, &jerr);
    if (!json_is_object(doc)) {
        fprintf(stderr, "prism-ddb: %s is not a JSON object: %s\n", what,
                doc ? "another JSON value" : jerr.text);
        json_decref(doc);
        return -1;
    }
    if (plain) {
        json_object_foreach(doc, k, v)
        {
            if ((typed = aws_ddb_from_json(v, &err)) == NULL
                || json_object_set_new(doc, k, typed) != 0) {
                fprintf(stderr, "prism-ddb: %s: %s\n", what, err.message);
                json_decref(doc);
                return -1;
            }
        }
    }
    *out = doc;
    return 0;
}

/* Prints v (NULL: building it ran out of memory) as one JSON line,
 * dumped with JSON_COMPACT | flags.  Returns 0 or DDB_EXIT_FAIL. */
static int ddb_puts_json(const json_t *v, size_t flags)
{
    char *s = v != NULL ? json_dumps(v, JSON_COMPACT | flags) : NULL;

    if (s == NULL) {
        fprintf(stderr, "prism-ddb: out of memory\n");
        return DDB_EXIT_FAIL;
    }
    puts(s);
    free(s);
    return 0;
}

/* Prints an item (an object of typed values) as one JSON line, plain
 * when asked.  Returns 0 or DDB_EXIT_FAIL. */
static int ddb_print_item(const json_t *item, int plain)
{
    json_t *out = NULL, *v, *p;
    const char *k;
    aws_error_t err;
    int rc;

    if (plain) {
        out = json_object();
        json_object_foreach((json_t *) item, k, v)
        {
            if ((p = aws_ddb_to_json(v, &err)) == NULL || json_object_set_new(out, k, p) != 0) {
                json_decref(out);
                return ddb_fail("output", &err);
            }
        }
    }
    rc = ddb_puts_json(plain ? out : item, JSON_ENSURE_ASCII);
    json_decref(out);
    return rc;
}

/* get */
static int ddb_get(aws_client_t *c, const char *table, const ddb_args_t *a)
{
    aws_ddb_get_params_t p = { 0 };
    json_t *key, *names = NULL, *item = NULL;
    aws_error_t err;
    int rc;

    if (a->key == NULL) {
        return ddb_usage_error("get needs --key", NULL);
    }
    if (ddb_json_arg("--key", a->key, a->plain, &key) != 0
        || ddb_json_arg("--names", a->names, 0, &names) != 0) {
        json_decref(key);
        return DDB_EXIT_USAGE;
    }
    p.table = table;
    p.key = key;
    p.consistent_read = a->consistent;
    p.projection = a->projection;
    p.names = names;
    if (aws_ddb_get_item(c, &p, &item, &err) != 0) {
        rc = ddb_fail("get", &err);
    } else if (item == NULL) {
        fprintf(stderr, "prism-ddb: get: no item with that key in %s\n", table);
        rc = DDB_EXIT_FAIL;
    } else {
        rc = ddb_print_item(item, a->plain);
    }
    json_decref(item);
    json_decref(key);
    json_decref(names);
    return rc;
}

/* update */
static int ddb_update(aws_client_t *c, const char *table, const ddb_args_t *a)
{
    aws_ddb_update_params_t p = { 0 };
    json_t *key = NULL, *names = NULL, *values = NULL, *attrs = NULL;
    aws_error_t err;
    int rc = 0;

    if (a->key == NULL || a->update == NULL) {
        return ddb_usage_error("update needs --key and --update", NULL);
    }
    if (ddb_json_arg("--key", a->key, a->plain, &key) != 0
        || ddb_json_arg("--names", a->names, 0, &names) != 0
        || ddb_json_arg("--values", a->values, a->plain, &values) != 0) {
        rc = DDB_EXIT_USAGE;
    } else {
        p.table = table;
        p.key = key;
        p.update = a->update;
        p.condition = a->condition;
        p.names = names;
        p.values = values;
        p.return_values = a->ret;
        if (aws_ddb_update_item(c, &p, &attrs, &err) != 0) {
            rc = ddb_fail("update", &err);
        } else if (attrs != NULL) {
            rc = ddb_print_item(attrs, a->plain);
        }
    }
    json_decref(attrs);
    json_decref(key);
    json_decref(names);
    json_decref(values);
    return rc;
}

/* describe */
static int ddb_describe(aws_client_t *c, const char *table)
{
    aws_ddb_table_info_t t;
    aws_error_t err;
    json_t *out;
    int rc;

    if (aws_ddb_describe_table(c, table, &t, &err) != 0) {
        return ddb_fail("describe", &err);
    }
    out =
        json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "name", t.name, "arn", t.arn,
                  "status", t.status, "hash_key", t.hash_key, "hash_type", t.hash_type, "range_key",
                  t.range_key, "billing_mode", t.billing_mode, "sse_type", t.sse_type);
    rc = ddb_puts_json(out, 0);
    json_decref(out);
    return rc;
}

int main(int argc, char **argv)
{
    aws_cli_opts_t opts = { 0 };
    ddb_args_t args = { 0 };
    aws_client_t *c;
    aws_error_t err;
    const char *cmd, *table;
    char msg[256];
    int i, rc;

    i = aws_cli_opts_parse(&opts, argc - 1, argv + 1, msg, sizeof(msg));
    if (i < 0) {
        return ddb_usage_error(msg, NULL);
    }
    i++;
    if (i < argc && (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)) {
        printf("%s%s", ddb_usage, aws_cli_opts_usage);
        return 0;
    }
    if (aws_cli_version("prism-ddb", PRISM_VERSION, argc, argv, i)) {
        return 0;
    }
    if (i + 2 > argc) {
        return ddb_usage_error("missing command or table", NULL);
    }
    cmd = argv[i];
    table = argv[i + 1];
    if (strcmp(cmd, "get") != 0 && strcmp(cmd, "update") != 0 && strcmp(cmd, "describe") != 0) {
        return ddb_usage_error("unknown command", cmd);
    }
    if ((rc = ddb_parse_args(&args, argc - i - 2, argv + i + 2)) != 0) {
        return rc;
    }
    aws_cli_opts_env(&opts);
    if ((c = aws_cli_client_new(&opts, &err)) == NULL) {
        return ddb_fail("configuration", &err);
    }
    rc = strcmp(cmd, "get") == 0      ? ddb_get(c, table, &args)
         : strcmp(cmd, "update") == 0 ? ddb_update(c, table, &args)
                                      : ddb_describe(c, table);
    aws_client_free(c);
    if (fflush(stdout) != 0) {
        fprintf(stderr, "prism-ddb: writing the output: %s\n", strerror(errno));
        rc = DDB_EXIT_FAIL;
    }
    return rc;
}
