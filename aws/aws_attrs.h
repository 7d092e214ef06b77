/*
 * aws_attrs — an owned list of name/value string pairs: the attributes
 * of a queue, topic or subscription as AWS exchanges them (every value
 * is a string, JSON documents included).
 */
#ifndef AWS_ATTRS_H
#define AWS_ATTRS_H

#include <stddef.h>

typedef struct {
    char *name;
    char *value;
} aws_attr_t;

typedef struct {
    aws_attr_t *items;
    size_t n;
    size_t cap;
} aws_attrs_t;

#define AWS_ATTRS_INIT                                                                             \
    {                                                                                              \
        NULL, 0, 0                                                                                 \
    }

/* Sets NAME to a copy of VALUE, replacing an earlier value of NAME (names
 * compare exactly), else appending.  Returns 0, or -1 when memory runs
 * out (the list is then unchanged). */
int aws_attrs_set(aws_attrs_t *a, const char *name, const char *value);

/* Returns the value of NAME, or NULL. */
const char *aws_attrs_get(const aws_attrs_t *a, const char *name);

/* Frees every entry and returns the list to AWS_ATTRS_INIT. */
void aws_attrs_free(aws_attrs_t *a);

#endif
