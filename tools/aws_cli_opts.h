/*
 * aws_cli_opts — the global options of prism's AWS command line tools
 * (prism-aws, prism-provision, prism-ddb) and the client they describe.
 *
 *   --endpoint-url URL           every service (env PRISM_AWS_ENDPOINT)
 *   --dynamodb-endpoint-url URL  DynamoDB only (env PRISM_DYNAMODB_ENDPOINT,
 *                                consulted only when --endpoint-url is not given)
 *   --region R                   signing region (env AWS_REGION, AWS_DEFAULT_REGION)
 *   --profile P                  shared-credentials profile (env AWS_PROFILE)
 *   --no-verify-ssl              no TLS verification for the configured endpoints
 *
 * DynamoDB's endpoint is thus --dynamodb-endpoint-url, else
 * PRISM_DYNAMODB_ENDPOINT unless --endpoint-url was given, else the
 * all-services endpoint; the local emulators (scripts/local-aws.sh env)
 * set PRISM_AWS_ENDPOINT for SNS/SQS/S3/STS and PRISM_DYNAMODB_ENDPOINT
 * for DynamoDB.
 */
#ifndef AWS_CLI_OPTS_H
#define AWS_CLI_OPTS_H

#include <stddef.h>

#include "aws_client.h"

typedef struct {
    const char *endpoint;
    const char *dynamodb_endpoint;
    const char *region;
    const char *profile;
    int insecure;
} aws_cli_opts_t;

/* Consumes the global options at the start of argv[0..argc) into o
 * (zeroed by the caller).  Returns how many arguments were consumed
 * (the command starts there), or -1 with a message in err (errlen
 * bytes) for an unknown option or one without its value.  "--help",
 * "-h" and "--version" are not consumed. */
int aws_cli_opts_parse(aws_cli_opts_t *o, int argc, char **argv, char *err, size_t errlen);

/* Applies the environment to o for what the options left unset, as
 * described above (empty variables count as unset). */
void aws_cli_opts_env(aws_cli_opts_t *o);

/* Creates the client o describes (defaults for everything unset).
 * Returns NULL with err set as aws_client_new. */
aws_client_t *aws_cli_client_new(const aws_cli_opts_t *o, aws_error_t *err);

/* When argv[i] (i < argc) is "--version", prints "PROGRAM VERSION" on
 * stdout and returns 1; else returns 0. */
int aws_cli_version(const char *program, const char *version, int argc, char **argv, int i);

/* The usage lines of the options above, for --help texts. */
extern const char aws_cli_opts_usage[];

#endif
