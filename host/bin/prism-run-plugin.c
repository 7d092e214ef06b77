/*
 * prism-run-plugin — run one plugin on image files, without queues.
 *
 *   prism-run-plugin [-p JSON | -P FILE] [-o DIR] [-n RUNS] [-r ROUTE] [-v]
 *                    [-d DIR] PLUGIN IMAGE...
 *   prism-run-plugin -l [-d DIR] PLUGIN   (describe the plugin and its params)
 *
 * PLUGIN is a path ("./x.so") or the name of a plugin of the plugin
 * directory: -d DIR, else the installed one, then the plugins built next
 * to this program (build/plugins).
 *
 * Loads the plugin exactly as prism-host does (ABI check, params
 * validated against its table, init), gives it each image with the
 * metadata prism's ingress would send (type and dimensions from the
 * header) -- or, like prism-host, rejects one of a type the plugin does
 * not accept without calling it -- and with -o writes the outputs to DIR/<image stem>/<ROUTE>/
 * <suffix> (ROUTE defaults to the plugin's name), the layout prism-host
 * uses under an output prefix.  -n repeats each image RUNS times and
 * reports the mean and fastest run, for benchmarks.
 *
 * Exit status: 0 every image ok, 1 some image was retried or rejected,
 * 2 usage, plugin or params error.
 */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>
#include <limits.h>
#include <unistd.h>

#include "accepts.h"
#include "aws_buf.h"
#include "clock.h"
#include "heap.h"
#include "imageinfo.h"
#include "keys.h"
#include "log.h"
#include "outputs.h"
#include "plugin_find.h"
#include "plugin_loader.h"
#include "prism_version.h"
#include "store.h"

typedef struct {
    int list;
    const char *plugin_dir;
    char plugin_path[PATH_MAX];
    json_t *params;
    const char *out_dir;
    const char *route;
    long runs;
    host_plugin_t plugin;
    host_instance_t inst;
    host_outputs_t outputs;
} run_t;

/* Prints the usage text to OUT. */
static void usage(FILE *out)
{
    fprintf(out,
            "usage: prism-run-plugin [-p JSON | -P FILE] [-o DIR] [-n RUNS] [-r ROUTE] [-v] "
            "[-d DIR] PLUGIN IMAGE...\n"
            "       prism-run-plugin -l [-d DIR] PLUGIN\n"
            "  PLUGIN                a path (./x.so), or the name of a plugin in the plugin\n"
            "                        directory (thumbnail)\n"
            "  -l, --list            describe the plugin and its parameters, then exit\n"
            "  -p, --params JSON     plugin params as a JSON object (default {})\n"
            "  -P, --params-file FILE  plugin params from a JSON file\n"
            "  -o, --output DIR      write outputs to DIR/<image stem>/<ROUTE>/<suffix>\n"
            "  -n, --runs RUNS       process each image RUNS times, report mean and fastest\n"
            "  -r, --route ROUTE     route name used in output paths (default: the plugin's "
            "name)\n"
            "  -d, --plugin-dir DIR  where plugin names are looked up (default %s,\n"
            "                        then the plugins built next to this program)\n"
            "  -v, --verbose         log the plugin's debug lines\n"
            "      --version         print the version and exit\n"
            "  -h, --help            this help\n",
            PRISM_PLUGIN_DIR);
}

/* Reads FILE into buf.  Returns 0, or -1 with a message printed. */
static int read_file(const char *file, aws_buf_t *buf)
{
    FILE *f = fopen(file, "rb");
    char chunk[65536];
    size_t n;

    aws_buf_reset(buf);
    if (f == NULL) {
        fprintf(stderr, "prism-run-plugin: %s: %s\n", file, strerror(errno));
        return -1;
    }
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        if (aws_buf_append(buf, chunk, n) != 0) {
            fprintf(stderr, "prism-run-plugin: %s: out of memory\n", file);
            fclose(f);
            return -1;
        }
    }
    if (ferror(f)) {
        fprintf(stderr, "prism-run-plugin: %s: read error\n", file);
        fclose(f);
        return -1;
    }
    fclose(f);
    return 0;
}

/* Writes the outputs of the last run of IMAGE under run->out_dir. */
static int write_outputs(run_t *run, const char *key)
{
    host_route_conf_t route;
    char path[1100], err[1024];

    memset(&route, 0, sizeof(route));
    route.name = (char *) run->route;
    route.prefix = (char *) "";
    route.directory = (char *) run->out_dir;
    for (size_t i = 0; i < run->outputs.n; i++) {
        host_output_item_t *it = &run->outputs.items[i];

        if (host_key_derive("", key, run->route, it->suffix, path, sizeof(path)) < 0
            || host_store_put(&route, NULL, path, it->content_type, it->data, it->len, NULL, err,
                              sizeof(err))
                   != 0) {
            fprintf(stderr, "prism-run-plugin: writing %s: %s\n", it->suffix, err);
            return -1;
        }
        printf("  %s/%s (%zu bytes, %s)\n", run->out_dir, path, it->len, it->content_type);
    }
    return 0;
}

/* Runs the plugin on one image file.  Returns the last result, or -1
 * when the file cannot be read. */
static int run_image(run_t *run, const char *file, aws_buf_t *data)
{
    prism_input_t in;
    ii_info_t info;
    prism_result_t res = PRISM_OK;
    char keybuf[4096], why[1024];
    const char *key;
    double total = 0, best = 0;

    if (read_file(file, data) != 0)
        return -1;
    snprintf(keybuf, sizeof(keybuf), "%s", file);
    key = basename(keybuf);
    memset(&in, 0, sizeof(in));
    in.data = (const unsigned char *) data->data;
    in.len = data->len;
    in.key = key;
    if (ii_probe(data->data, data->len, &info, NULL, 0) == II_OK) {
        in.content_type = ii_type_mime(info.type);
        in.width = info.width;
        in.height = info.height;
        if (host_accepts_refuse(run->plugin.desc->accepts, run->plugin.desc->name, in.content_type,
                                0, why, sizeof(why))) {
            printf("%s: reject: %s\n", file, why);
            return PRISM_REJECT;
        }
    }
    for (long r = 0; r < run->runs; r++) {
        host_log_ctx_t ctx = { .route = run->route };
        double t0 = host_monotonic(), dt;

        host_outputs_reset(&run->outputs, &ctx);
        res = run->plugin.desc->process(run->inst.state, &in, &run->outputs.api);
        dt = host_monotonic() - t0;
        total += dt;
        if (r == 0 || dt < best)
            best = dt;
        if (res != PRISM_OK)
            break;
    }
    if (res == PRISM_OK) {
        if (run->runs > 1)
            printf("%s: ok: %zu output(s), mean %.3f ms, fastest %.3f ms over %ld runs\n", file,
                   run->outputs.n, total * 1000 / (double) run->runs, best * 1000, run->runs);
        else
            printf("%s: ok: %zu output(s), %.3f ms\n", file, run->outputs.n, total * 1000);
        if (run->out_dir != NULL && write_outputs(run, key) != 0)
            return PRISM_RETRY;
    } else {
        printf("%s: %s: %s\n", file, res == PRISM_REJECT ? "reject" : "retry",
               run->outputs.reason[0] ? run->outputs.reason : "(no reason)");
    }
    return res;
}

/* Prints the plugin's descriptor and parameter table (-l). */
static void describe(const prism_plugin_t *d)
{
    static const char *const types[] = { "int", "double", "bool", "string", "int list" };
    char accepts[1024];

    printf("%s %s (plugin ABI %d)\n", d->name, d->version, d->abi_version);
    if (d->description != NULL)
        printf("  %s\n", d->description);
    printf("  accepts: %s\n", host_accepts_format(d->accepts, " ", accepts, sizeof(accepts)));
    for (const prism_param_spec_t *s = d->params; s != NULL && s->name != NULL; s++) {
        printf("  %-16s %-8s", s->name,
               (unsigned) s->type <= PRISM_PARAM_INT_LIST ? types[s->type] : "?");
        if (s->default_value != NULL)
            printf(s->type == PRISM_PARAM_STRING ? " default \"%s\"" : " default %s",
                   s->default_value);
        else
            printf(" required");
        if (!(s->min == 0 && s->max == 0))
            printf(", %g..%g", s->min, s->max);
        if (s->choices != NULL)
            printf(", one of %s", s->choices);
        printf("\n  %-16s %s\n", "", s->description != NULL ? s->description : "");
    }
}

/* Finds the plugin ARG names into run->plugin_path (see plugin_find.h):
 * in -d DIR, else the installed plugin directory, then "plugins" next to
 * this program.  Returns 0, or 2 with the reason printed. */
static int find_plugin(run_t *run, const char *arg)
{
    char exe[PATH_MAX], built[PATH_MAX + 16], err[2048];
    const char *dirs[2] = { run->plugin_dir, NULL };
    ssize_t n;

    if (run->plugin_dir == NULL) {
        dirs[0] = PRISM_PLUGIN_DIR;
        n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
        if (n > 0) {
            exe[n] = '\0';
            snprintf(built, sizeof(built), "%s/plugins", dirname(exe));
            dirs[1] = built;
        }
    }
    if (host_plugin_find(arg, dirs, 2, run->plugin_path, sizeof(run->plugin_path), err, sizeof(err))
        != 0) {
        fprintf(stderr, "prism-run-plugin: %s\n", err);
        return 2;
    }
    return 0;
}

/* Parses the options into RUN.  Returns 0, or 2 (usage). */
static int parse_args(int argc, char **argv, run_t *run)
{
    static const struct option longopts[] = { { "params", required_argument, NULL, 'p' },
                                              { "params-file", required_argument, NULL, 'P' },
                                              { "output", required_argument, NULL, 'o' },
                                              { "runs", required_argument, NULL, 'n' },
                                              { "route", required_argument, NULL, 'r' },
                                              { "plugin-dir", required_argument, NULL, 'd' },
                                              { "verbose", no_argument, NULL, 'v' },
                                              { "list", no_argument, NULL, 'l' },
                                              { "help", no_argument, NULL, 'h' },
                                              { "version", no_argument, NULL, 'V' },
                                              { NULL, 0, NULL, 0 } };
    json_error_t jerr;
    int opt, verbose = 0;
    char *end;

    run->runs = 1;
    while ((opt = getopt_long(argc, argv, "p:P:o:n:r:d:vlh", longopts, NULL)) != -1) {
        switch (opt) {
        case 'p':
        case 'P':
            json_decref(run->params);
            run->params =
                opt == 'p' ? json_loads(optarg, 0, &jerr) : json_load_file(optarg, 0, &jerr);
            if (run->params == NULL) {
                fprintf(stderr, "prism-run-plugin: params: line %d: %s\n", jerr.line, jerr.text);
                return 2;
            }
            break;
        case 'o': run->out_dir = optarg; break;
        case 'n':
            errno = 0;
            run->runs = strtol(optarg, &end, 10);
            if (errno != 0 || *end != '\0' || run->runs < 1 || run->runs > 1000000) {
                fprintf(stderr, "prism-run-plugin: -n: expected 1..1000000\n");
                return 2;
            }
            break;
        case 'r': run->route = optarg; break;
        case 'v': verbose = 1; break;
        case 'l': run->list = 1; break;
        case 'd': run->plugin_dir = optarg; break;
        case 'h': usage(stdout); exit(0);
        case 'V':
            printf("prism-run-plugin %s (plugin ABI %d)\n", PRISM_VERSION,
                   PRISM_PLUGIN_ABI_VERSION);
            exit(0);
        default: usage(stderr); return 2;
        }
    }
    if (argc - optind < (run->list ? 1 : 2)) {
        usage(stderr);
        return 2;
    }
    if (find_plugin(run, argv[optind]) != 0)
        return 2;
    host_log_open(NULL, verbose ? HOST_LOG_DEBUG : HOST_LOG_INFO, NULL, 0);
    return 0;
}

/* Loads the plugin and params, runs every image; see the top of the file
 * for the exit statuses. */
int main(int argc, char **argv)
{
    run_t run;
    aws_buf_t data = AWS_BUF_INIT;
    char err[2048];
    int status = 0;

    memset(&run, 0, sizeof(run));
    host_heap_keep_warm(); /* as in a prism-host worker */
    host_outputs_init(&run.outputs);
    if (parse_args(argc, argv, &run) != 0) {
        json_decref(run.params);
        return 2;
    }
    if (host_plugin_load(run.plugin_path, &run.plugin, err, sizeof(err)) != 0) {
        fprintf(stderr, "prism-run-plugin: %s\n", err);
        json_decref(run.params);
        return 2;
    }
    if (run.list) {
        describe(run.plugin.desc);
        host_plugin_unload(&run.plugin);
        json_decref(run.params);
        return 0;
    }
    if (run.route == NULL)
        run.route = run.plugin.desc->name;
    if (host_instance_new(&run.plugin, run.params, "params", &run.inst, err, sizeof(err)) != 0) {
        fprintf(stderr, "prism-run-plugin: %s\n", err);
        status = 2;
    }
    if (status == 0 && run.out_dir != NULL && mkdir(run.out_dir, 0755) != 0 && errno != EEXIST) {
        fprintf(stderr, "prism-run-plugin: %s: %s\n", run.out_dir, strerror(errno));
        status = 2;
    }
    for (int i = optind + 1; status != 2 && i < argc; i++)
        if (run_image(&run, argv[i], &data) != PRISM_OK)
            status = 1;

    host_instance_free(&run.inst);
    host_plugin_unload(&run.plugin);
    host_outputs_free(&run.outputs);
    json_decref(run.params);
    aws_buf_free(&data);
    return status;
}
