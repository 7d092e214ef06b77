/*
 * aws_msg_attr — a message attribute as SNS and SQS carry it:
 * a name, a data type ("String" or "Number", optionally with a custom
 * suffix such as "Number.int") and a string value.
 * Binary attributes are not supported.
 */
#ifndef AWS_MSG_ATTR_H
#define AWS_MSG_ATTR_H

#include <stddef.h>

#include "aws_error.h"

typedef struct {
    const char *name;  /* 1..256 chars: A-Z a-z 0-9 _ - . */
    const char *type;  /* "String", "Number", "String.x", "Number.x" */
    const char *value; /* non-empty */
} aws_msg_attr_t;

/* SNS and SQS accept at most 10 attributes per message. */
#define AWS_MSG_ATTR_MAX 10

/* Checks n attributes against the rules above (and no duplicate names).
 * Returns 0, or -1 with err set (AWS_ERR_CONFIG) naming the bad one. */
int aws_msg_attr_check(const aws_msg_attr_t *attrs, size_t n, aws_error_t *err);

#endif
