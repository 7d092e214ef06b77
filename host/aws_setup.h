/*
 * aws_setup — the AWS client a worker (or prism-host -t) uses, built
 * from the config's "aws" section.  No network I/O happens here:
 * credentials are fetched on the first signed call.
 */
#ifndef HOST_AWS_SETUP_H
#define HOST_AWS_SETUP_H

#include <stddef.h>

#include "aws_client.h"
#include "config.h"

/* Creates a client for CONF.  Returns NULL with err set (the client's
 * reason, prefixed with "aws: ") when the config is refused. */
aws_client_t *host_aws_client_new(const host_aws_conf_t *conf, char *err, size_t errlen);

#endif
