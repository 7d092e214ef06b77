/*
 * sts — who the caller is: STS GetCallerIdentity (Query protocol,
 * Version 2011-06-15), used to learn the account id (and partition)
 * that resource ARNs are built from.  Any identity may call it; it
 * needs no IAM permission.
 */
#ifndef AWS_STS_H
#define AWS_STS_H

#include <stddef.h>

#include "aws_client.h"
#include "aws_error.h"
#include "aws_http.h"

#define AWS_STS_API_VERSION "2011-06-15"

typedef struct {
    char account[32]; /* "123456789012" */
    char arn[512];    /* "arn:aws:iam::123456789012:user/ops" */
    char user_id[256];
} aws_sts_identity_t;

/* Parses a GetCallerIdentity response (any status) into id.  Returns 0,
 * or -1 with err set (the service error; AWS_ERR_PARSE without an
 * Account). */
int aws_sts_identity_parse(const aws_response_t *resp, aws_sts_identity_t *id, aws_error_t *err);

/* Blocking GetCallerIdentity with retries.  Returns 0 or -1 with err set. */
int aws_sts_get_caller_identity(aws_client_t *c, aws_sts_identity_t *id, aws_error_t *err);

#endif
