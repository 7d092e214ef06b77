/*
 * prism-host — runs image plugins on SQS messages (master + workers).
 *
 *   prism-host [-c FILE]      run (foreground; logs to stderr or log.file)
 *   prism-host -t [-c FILE]   test the configuration, like nginx -t
 *   prism-host -v             print the version
 *
 * Signals to the master: SIGTERM/SIGQUIT/SIGINT stop gracefully, SIGHUP
 * reloads.  docs/host-config.md describes the configuration.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "check.h"
#include "check_online.h"
#include "config.h"
#include "log.h"
#include "master.h"
#include "prism/plugin.h"
#include "prism_version.h"

#define PRISM_HOST_DEFAULT_CONF "/etc/prism/prism-host.json"

/* Prints usage to OUT. */
static void usage(FILE *out)
{
    fprintf(out,
            "usage: prism-host [-c FILE] [-t | -T] [-v] [-h]\n"
            "  -c, --config FILE  configuration file (default %s)\n"
            "  -t, --test         test the configuration (plugins loaded, params checked)"
            " and exit\n"
            "  -T, --test-online  -t, then through AWS: the queues, DLQs and completion topics\n"
            "                     exist, each queue's maxReceiveCount is above max_attempts\n"
            "  -v, --version      print the version and exit\n"
            "  -h, --help         this help\n",
            PRISM_HOST_DEFAULT_CONF);
}

/* prism-host -t (and, ONLINE, -T): returns the exit status (0 ok, 1
 * failed). */
static int test_config(const char *file, int online)
{
    char err[2048];
    host_conf_t *conf = host_conf_load(file, err, sizeof(err));
    int rc;

    if (conf == NULL) {
        fprintf(stderr, "prism-host: %s\nprism-host: configuration file %s test failed\n", err,
                file);
        return 1;
    }
    fprintf(stderr, "prism-host: the configuration file %s syntax is ok\n", file);
    rc = host_check_config(conf, stderr, err, sizeof(err));
    if (rc == 0 && online)
        rc = host_check_online(conf, stderr, err, sizeof(err));
    if (rc != 0)
        fprintf(stderr, "prism-host: %s\nprism-host: configuration file %s test failed\n", err,
                file);
    else
        fprintf(stderr, "prism-host: configuration file %s test is successful\n", file);
    host_conf_free(conf);
    return rc != 0 ? 1 : 0;
}

/* Warns when explicit AWS keys sit in a file others can read. */
static void warn_readable_secrets(const host_conf_t *conf, const char *file)
{
    struct stat st;

    if (conf->aws.secret_access_key != NULL && stat(file, &st) == 0 && (st.st_mode & 077))
        host_log(HOST_LOG_WARN, NULL,
                 "%s holds aws.credentials.secret_access_key and is "
                 "readable by group or others (mode %03o): chmod 600 it",
                 file, (unsigned) (st.st_mode & 0777));
}

/* Parses the options; runs -t, -v, -h, or the master.  Exit status: 0,
 * 1 for a bad configuration or a failed start, 2 for bad usage. */
int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "config", required_argument, NULL, 'c' }, { "test", no_argument, NULL, 't' },
        { "test-online", no_argument, NULL, 'T' },  { "version", no_argument, NULL, 'v' },
        { "help", no_argument, NULL, 'h' },         { NULL, 0, NULL, 0 }
    };
    const char *file = PRISM_HOST_DEFAULT_CONF;
    int test = 0, online = 0, opt;
    char err[2048];
    host_conf_t *conf;

    while ((opt = getopt_long(argc, argv, "c:tTvh", longopts, NULL)) != -1) {
        switch (opt) {
        case 'c': file = optarg; break;
        case 'T':
            online = 1;
            /* fall through */
        case 't': test = 1; break;
        case 'v':
            printf("prism-host %s (plugin ABI %d)\n", PRISM_VERSION, PRISM_PLUGIN_ABI_VERSION);
            return 0;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind != argc) {
        usage(stderr);
        return 2;
    }
    if (test)
        return test_config(file, online);

    conf = host_conf_load(file, err, sizeof(err));
    if (conf == NULL) {
        fprintf(stderr, "prism-host: %s\n", err);
        return 1;
    }
    if (host_log_open(conf->log_file, conf->log_level, err, sizeof(err)) != 0) {
        fprintf(stderr, "prism-host: %s\n", err);
        host_conf_free(conf);
        return 1;
    }
    host_log_set_format(conf->log_format);
    warn_readable_secrets(conf, file);
    return host_master_run(file, conf);
}
