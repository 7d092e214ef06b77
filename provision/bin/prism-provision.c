/*
 * prism-provision — creates, converges, shows or deletes every AWS
 * resource the prism stack needs, from one description file
 * (conf/resources.json; format in docs/resources.md), on AWS or on any
 * compatible endpoint (the local emulators included).  A subscription's
 * "filter_from_plugin" is resolved here, by loading that plugin as
 * prism-host does and filtering on the types it accepts.
 *
 *   prism-provision [global options] up|down|show [-f FILE] [--force]
 *                   [--write-env FILE]
 *   prism-provision [global options] policy [-f FILE] [--role ROLE] [--account ID]
 *
 * Report lines go to stdout; the final error, if any, to stderr.  Exit
 * status: 0 success, 1 a call failed (or down kept a resource it could
 * not show to be this stack's), 2 usage error, 3 down kept tables or
 * non-empty buckets that only --force deletes.  Secrets are never
 * printed.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "aws_cli_opts.h"
#include "plugin_loader.h"
#include "prism_version.h"
#include "provision.h"

#define PROV_EXIT_FAIL  1
#define PROV_EXIT_USAGE 2

static const char prov_usage[] =
    "usage: prism-provision [global options] up|down|show [-f FILE] [--force]\n"
    "                       [--write-env FILE]\n"
    "       prism-provision [global options] policy [-f FILE] [--role ROLE] [--account ID]\n"
    "\n"
    "  up      create what is missing and converge attributes (idempotent)\n"
    "  down    print the plan, then delete what carries this stack's tag; tables and\n"
    "          non-empty buckets only with --force (else exit status 3); resources\n"
    "          marked existing, untagged or another stack's are kept\n"
    "  show    print the resolved plan (ARNs, URLs) and pending changes; changes nothing\n"
    "  policy  print the least-privilege IAM policy of ROLE (module, host or provision)\n"
    "          for the file's resources; without --role, {\"module\": ..., \"host\": ...,\n"
    "          \"provision\": ...}; --account ID resolves the ARNs without asking STS\n"
    "  -f FILE the resource description (default conf/resources.json)\n"
    "  --force down: delete the stack's tables, and its buckets with their objects\n"
    "  --write-env FILE\n"
    "          up: write the account, the region, every topic ARN and queue URL and ARN\n"
    "          as sh assignments (PRISM_ACCOUNT_ID, PRISM_TOPIC_ARN_<NAME>,\n"
    "          PRISM_QUEUE_URL_<NAME>, PRISM_QUEUE_ARN_<NAME>) for configs and scripts\n"
    "\n"
    "global options:\n";

/* prov_say_fn: one report line on stdout. */
static void prov_print_line(void *ud, const char *line)
{
    (void) ud;
    puts(line);
    fflush(stdout);
}

/* Gives every subscription with "filter_from_plugin" the filter policy of
 * the types that plugin accepts: the plugin is loaded (dlopen, ABI and
 * descriptor checks; its init is not run) and unloaded.  Returns 0, or
 * -1 with err naming the subscription. */
static int prov_filters_from_plugins(prov_plan_t *plan, char *err, size_t errlen)
{
    char why[1024];

    for (size_t i = 0; i < plan->nsubs; i++) {
        prov_subscription_t *s = &plan->subs[i];
        host_plugin_t plugin;
        int rc;

        if (s->filter_from_plugin == NULL) {
            continue;
        }
        if (host_plugin_load(s->filter_from_plugin, &plugin, why, sizeof(why)) != 0) {
            snprintf(err, errlen, "subscriptions[%zu].filter_from_plugin: %.900s", i, why);
            return -1;
        }
        rc = prov_plan_filter_types(s, plugin.desc->accepts, why, sizeof(why));
        host_plugin_unload(&plugin);
        if (rc != 0) {
            snprintf(err, errlen, "subscriptions[%zu].filter_from_plugin: %.900s", i, why);
            return -1;
        }
    }
    return 0;
}

/* Writes the run's outputs (prov_env_format) to PATH, atomically
 * (PATH.tmp renamed over it).  Returns 0, or -1 with the reason on
 * stderr. */
static int prov_write_env(const prov_plan_t *plan, const char *path)
{
    aws_buf_t text = AWS_BUF_INIT;
    char tmp[4096];
    FILE *f = NULL;
    int rc = -1;

    if ((size_t) snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp)) {
        fprintf(stderr, "prism-provision: --write-env: the path is too long\n");
        return -1;
    }
    if (prov_env_format(plan, &text) != 0) {
        fprintf(stderr, "prism-provision: --write-env: out of memory\n");
    } else if ((f = fopen(tmp, "w")) == NULL || fwrite(text.data, 1, text.len, f) != text.len
               || fclose(f) != 0 || (f = NULL, rename(tmp, path) != 0)) {
        fprintf(stderr, "prism-provision: --write-env %s: %s\n", path, strerror(errno));
        if (f != NULL) {
            fclose(f);
        }
        unlink(tmp);
    } else {
        rc = 0;
    }
    aws_buf_free(&text);
    return rc;
}

/* Prints the policy of ROLE (or, ROLE NULL, of every role in one object)
 * for the resolved PLAN on stdout.  Returns 0, or -1 with the reason on
 * stderr. */
static int prov_print_policy(const prov_plan_t *plan, const char *role)
{
    static const char *const roles[] = { "module", "host", "provision" };
    json_t *out = role == NULL ? json_object() : NULL;
    char err[256];
    int rc = -1;

    for (size_t i = 0; i < sizeof(roles) / sizeof(roles[0]); i++) {
        prov_role_t r;
        json_t *doc;

        if (role != NULL && strcmp(role, roles[i]) != 0) {
            continue;
        }
        prov_role_parse(roles[i], &r);
        if ((doc = prov_policy(plan, r, err, sizeof(err))) == NULL) {
            fprintf(stderr, "prism-provision: policy: %s\n", err);
            json_decref(out);
            return -1;
        }
        if (out == NULL) {
            out = doc;
        } else if (json_object_set_new(out, roles[i], doc) != 0) {
            json_decref(out);
            out = NULL;
            break;
        }
    }
    if (out != NULL && json_dumpf(out, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER) == 0
        && putchar('\n') != EOF) {
        rc = 0;
    } else {
        fprintf(stderr, "prism-provision: policy: out of memory\n");
    }
    json_decref(out);
    return rc;
}

/* Prints a usage error and returns PROV_EXIT_USAGE. */
static int prov_usage_error(const char *what, const char *arg)
{
    fprintf(stderr, "prism-provision: %s%s%s\n%s%s", what, arg ? " " : "", arg ? arg : "",
            prov_usage, aws_cli_opts_usage);
    return PROV_EXIT_USAGE;
}

int main(int argc, char **argv)
{
    aws_cli_opts_t opts = { 0 };
    prov_plan_t plan = { 0 };
    prov_run_t run = { 0 };
    const char *file = "conf/resources.json", *cmd, *env_file = NULL;
    const char *role = NULL, *account = NULL;
    prov_role_t parsed_role;
    char msg[512], line[1024];
    aws_error_t err;
    int i, rc, force = 0;

    i = aws_cli_opts_parse(&opts, argc - 1, argv + 1, msg, sizeof(msg));
    if (i < 0) {
        return prov_usage_error(msg, NULL);
    }
    i++;
    if (aws_cli_version("prism-provision", PRISM_VERSION, argc, argv, i)) {
        return 0;
    }
    if (i >= argc || strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
        if (i < argc) {
            printf("%s%s", prov_usage, aws_cli_opts_usage);
            return 0;
        }
        return prov_usage_error("missing command", NULL);
    }
    cmd = argv[i];
    if (strcmp(cmd, "up") != 0 && strcmp(cmd, "down") != 0 && strcmp(cmd, "show") != 0
        && strcmp(cmd, "policy") != 0) {
        return prov_usage_error("unknown command", cmd);
    }
    for (i++; i < argc; i++) {
        if ((strcmp(argv[i], "-f") == 0 || strcmp(argv[i], "--file") == 0) && i + 1 < argc) {
            file = argv[++i];
        } else if (strcmp(argv[i], "--force") == 0 && strcmp(cmd, "down") == 0) {
            force = 1;
        } else if (strcmp(argv[i], "--write-env") == 0 && strcmp(cmd, "up") == 0 && i + 1 < argc) {
            env_file = argv[++i];
        } else if (strcmp(argv[i], "--role") == 0 && strcmp(cmd, "policy") == 0 && i + 1 < argc) {
            role = argv[++i];
            if (prov_role_parse(role, &parsed_role) != 0) {
                return prov_usage_error("unknown role", role);
            }
        } else if (strcmp(argv[i], "--account") == 0 && strcmp(cmd, "policy") == 0
                   && i + 1 < argc) {
            account = argv[++i];
        } else {
            return prov_usage_error("unexpected argument", argv[i]);
        }
    }
    if (prov_plan_load(file, &plan, msg, sizeof(msg)) != 0) {
        fprintf(stderr, "prism-provision: %s\n", msg);
        return PROV_EXIT_FAIL;
    }
    if (strcmp(cmd, "policy") != 0 && prov_filters_from_plugins(&plan, line, sizeof(line)) != 0) {
        fprintf(stderr, "prism-provision: %s\n", line);
        prov_plan_free(&plan);
        return PROV_EXIT_FAIL;
    }
    aws_cli_opts_env(&opts);
    run.client = aws_cli_client_new(&opts, &err);
    if (run.client == NULL) {
        fprintf(stderr, "prism-provision: configuration: %s\n",
                aws_error_format(&err, line, sizeof(line)));
        prov_plan_free(&plan);
        return PROV_EXIT_FAIL;
    }
    run.plan = &plan;
    run.say = prov_print_line;
    run.force = force;

    if (account != NULL) {
        rc = prov_plan_resolve(&plan, NULL, aws_client_region(run.client), account, msg,
                               sizeof(msg));
        if (rc != 0) {
            aws_error_set(&err, AWS_ERR_CONFIG, "%s", msg);
        }
    } else {
        rc = prov_run_resolve(&run, &err);
    }
    if (rc == 0 && strcmp(cmd, "policy") == 0) {
        if (prov_print_policy(&plan, role) != 0) {
            aws_client_free(run.client);
            prov_plan_free(&plan);
            return PROV_EXIT_FAIL;
        }
    } else if (rc == 0) {
        rc = strcmp(cmd, "up") == 0     ? prov_up(&run, &err)
             : strcmp(cmd, "down") == 0 ? prov_down(&run, &err)
                                        : prov_show(&run, &err);
    }
    if (rc != 0) {
        fprintf(stderr, "prism-provision: %s: %s\n", cmd,
                aws_error_format(&err, line, sizeof(line)));
    } else if (env_file != NULL && prov_write_env(&plan, env_file) != 0) {
        rc = -1;
    }
    aws_client_free(run.client);
    prov_plan_free(&plan);
    if (fflush(stdout) != 0) {
        fprintf(stderr, "prism-provision: writing the report: %s\n", strerror(errno));
        rc = -1;
    }
    if (strcmp(cmd, "down") == 0) {
        return prov_down_exit_status(rc, run.kept_unsure, run.kept_force);
    }
    return rc == 0 ? 0 : PROV_EXIT_FAIL;
}
