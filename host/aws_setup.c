/*
 * aws_setup — map the "aws" config section onto aws_client_config_t.
 * See aws_setup.h.
 */
#include "aws_setup.h"

#include <stdio.h>
#include <string.h>

aws_client_t *host_aws_client_new(const host_aws_conf_t *conf, char *err, size_t errlen)
{
    aws_client_config_t cfg;
    aws_cred_config_t cred;
    aws_error_t aerr;
    aws_endpoint_t dynamodb = { "dynamodb", conf->endpoint_dynamodb };
    aws_client_t *c;

    memset(&cfg, 0, sizeof(cfg));
    memset(&cred, 0, sizeof(cred));
    cred.access_key_id = conf->access_key_id;
    cred.secret_access_key = conf->secret_access_key;
    cred.session_token = conf->session_token;
    cred.profile = conf->profile;
    cred.credentials_file = conf->credentials_file;

    cfg.region = conf->region;
    cfg.endpoint = conf->endpoint;
    cfg.endpoint_sqs = conf->endpoint_sqs;
    cfg.endpoint_s3 = conf->endpoint_s3;
    cfg.endpoint_sns = conf->endpoint_sns;
    if (conf->endpoint_dynamodb != NULL) {
        cfg.endpoints = &dynamodb;
        cfg.nendpoints = 1;
    }
    cfg.insecure_custom_endpoints = !conf->verify_tls;
    cfg.ca_file = conf->ca_file;
    cfg.connect_timeout_ms = conf->connect_timeout_ms;
    cfg.timeout_ms = conf->timeout_ms;
    cfg.credentials = &cred;
    if (conf->s3_addressing == NULL || strcmp(conf->s3_addressing, "auto") == 0)
        cfg.s3_addressing = AWS_S3_ADDRESSING_AUTO;
    else if (strcmp(conf->s3_addressing, "path") == 0)
        cfg.s3_addressing = AWS_S3_ADDRESSING_PATH;
    else
        cfg.s3_addressing = AWS_S3_ADDRESSING_VIRTUAL;

    c = aws_client_new(&cfg, &aerr);
    if (c == NULL) {
        char why[700];
        snprintf(err, errlen, "aws: %s", aws_error_format(&aerr, why, sizeof(why)));
    }
    return c;
}
