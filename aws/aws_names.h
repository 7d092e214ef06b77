/*
 * aws_names — the shapes of AWS names, checked before any call is made,
 * so that a configuration with a misspelt region or an ARN of the wrong
 * service is refused when it is loaded rather than failing every call.
 */
#ifndef AWS_NAMES_H
#define AWS_NAMES_H

#include <stddef.h>

/* Whether s[0..len) is shaped like an AWS region: lower-case words joined
 * by '-', at least two of them, then a number ("us-east-1",
 * "us-gov-west-1", "ap-southeast-2").  "us-east1", "US_EAST" and "" are
 * not.  Names of regions AWS has not opened yet are accepted. */
int aws_region_valid(const char *s, size_t len);

/* The service of the ARN "arn:PARTITION:SERVICE:...", copied into out
 * (NUL-terminated).  Returns 0, or -1 when arn is not an ARN or its
 * service does not fit outlen. */
int aws_arn_service(const char *arn, char *out, size_t outlen);

#endif
