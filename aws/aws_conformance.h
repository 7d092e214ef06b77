/*
 * aws_conformance — ways an endpoint's answer can lack what AWS
 * documents, as the parsers notice them (a bit per kind in the parsed
 * result), for the programs to report: prism-host counts them in
 * prism_conformance_warnings_total{kind} and warns once per endpoint and
 * kind; provisioning names the attributes it could not read back.
 *
 * Such an answer is still used (an emulator or a compatible service may
 * leave things out), but what depends on the missing part is then
 * guesswork: without ApproximateReceiveCount every delivery looks like
 * the first, so max_attempts never dead-letters a message.
 */
#ifndef AWS_CONFORMANCE_H
#define AWS_CONFORMANCE_H

#include "aws_http.h"

typedef enum {
    AWS_CONF_RECEIVE_COUNT = 0, /* ReceiveMessage without the requested ApproximateReceiveCount */
    AWS_CONF_ATTRIBUTES,        /* GetQueueAttributes without a requested attribute */
    AWS_CONF_CONTENT_TYPE,      /* a 2xx answer without the protocol's Content-Type */
    AWS_CONF_NKINDS
} aws_conf_kind_t;

#define AWS_CONF_BIT(kind) (1u << (kind))

/* The kind's label ("receive_count", "attributes", "content_type"). */
const char *aws_conf_kind_name(aws_conf_kind_t kind);

/* Returns 1 when RESP's Content-Type is not the media type EXPECTED
 * ("application/x-amz-json-1.0"): compared without regard to case,
 * parameters (";charset=...") ignored; an absent one differs. */
int aws_conf_content_type_differs(const aws_response_t *resp, const char *expected);

#endif
