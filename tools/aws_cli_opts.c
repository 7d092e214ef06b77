#include "aws_cli_opts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char aws_cli_opts_usage[] =
    "  --endpoint-url URL           send every service's requests to URL (default: env\n"
    "                               PRISM_AWS_ENDPOINT, else "
    "https://SERVICE.REGION.amazonaws.com)\n"
    "  --dynamodb-endpoint-url URL  DynamoDB's endpoint (default: env PRISM_DYNAMODB_ENDPOINT\n"
    "                               unless --endpoint-url is given, else the endpoint above)\n"
    "  --region R                   signing region (default: AWS_REGION, AWS_DEFAULT_REGION)\n"
    "  --profile P                  shared-credentials profile (default: AWS_PROFILE, "
    "\"default\")\n"
    "  --no-verify-ssl              do not verify TLS certificates of configured endpoints\n"
    "  --version                    print the version and exit\n";

int aws_cli_opts_parse(aws_cli_opts_t *o, int argc, char **argv, char *err, size_t errlen)
{
    static const struct {
        const char *name;
        size_t offset;
    } valued[] = {
        { "--endpoint-url", offsetof(aws_cli_opts_t, endpoint) },
        { "--dynamodb-endpoint-url", offsetof(aws_cli_opts_t, dynamodb_endpoint) },
        { "--region", offsetof(aws_cli_opts_t, region) },
        { "--profile", offsetof(aws_cli_opts_t, profile) },
    };
    size_t k;
    int i;

    for (i = 0; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "--version") == 0) {
            break;
        }
        if (strcmp(argv[i], "--no-verify-ssl") == 0) {
            o->insecure = 1;
            continue;
        }
        for (k = 0; k < sizeof(valued) / sizeof(valued[0]); k++) {
            if (strcmp(argv[i], valued[k].name) == 0) {
                break;
            }
        }
        if (k == sizeof(valued) / sizeof(valued[0])) {
            snprintf(err, errlen, "unknown option \"%s\"", argv[i]);
            return -1;
        }
        if (i + 1 >= argc) {
            snprintf(err, errlen, "option %s needs a value", argv[i]);
            return -1;
        }
        *(const char **) ((char *) o + valued[k].offset) = argv[++i];
    }
    return i;
}

/* Returns the value of environment variable NAME, NULL when unset or empty. */
static const char *aws_cli_getenv(const char *name)
{
    const char *v = getenv(name);

    return v != NULL && v[0] != '\0' ? v : NULL;
}

void aws_cli_opts_env(aws_cli_opts_t *o)
{
    if (o->dynamodb_endpoint == NULL && o->endpoint == NULL) {
        o->dynamodb_endpoint = aws_cli_getenv("PRISM_DYNAMODB_ENDPOINT");
    }
    if (o->endpoint == NULL) {
        o->endpoint = aws_cli_getenv("PRISM_AWS_ENDPOINT");
    }
}

aws_client_t *aws_cli_client_new(const aws_cli_opts_t *o, aws_error_t *err)
{
    aws_cred_config_t creds = { 0 };
    aws_client_config_t cfg = { 0 };
    aws_endpoint_t ddb = { "dynamodb", o->dynamodb_endpoint };

    creds.profile = o->profile;
    cfg.region = o->region;
    cfg.endpoint = o->endpoint;
    cfg.insecure_custom_endpoints = o->insecure;
    cfg.credentials = &creds;
    if (o->dynamodb_endpoint != NULL) {
        cfg.endpoints = &ddb;
        cfg.nendpoints = 1;
    }
    return aws_client_new(&cfg, err);
}

int aws_cli_version(const char *program, const char *version, int argc, char **argv, int i)
{
    if (i >= argc || strcmp(argv[i], "--version") != 0) {
        return 0;
    }
    printf("%s %s\n", program, version);
    return 1;
}
