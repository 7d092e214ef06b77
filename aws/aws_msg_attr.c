#include "aws_msg_attr.h"

#include <string.h>

/* Returns 1 when name is 1..256 chars of A-Z a-z 0-9 _ - . */
static int aws_msg_attr_valid_name(const char *name)
{
    size_t n = strlen(name);

    return n >= 1 && n <= 256
           && strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-.")
                  == n;
}

/* Returns 1 when type is "String" or "Number", optionally followed by
 * ".custom". */
static int aws_msg_attr_valid_type(const char *type)
{
    if (strncmp(type, "String", 6) != 0 && strncmp(type, "Number", 6) != 0) {
        return 0;
    }
    return type[6] == '\0' || (type[6] == '.' && type[7] != '\0');
}

int aws_msg_attr_check(const aws_msg_attr_t *attrs, size_t n, aws_error_t *err)
{
    size_t i, j;

    if (n > AWS_MSG_ATTR_MAX) {
        aws_error_set(err, AWS_ERR_CONFIG, "%zu message attributes given, at most %d allowed", n,
                      AWS_MSG_ATTR_MAX);
        return -1;
    }
    for (i = 0; i < n; i++) {
        if (attrs[i].name == NULL || !aws_msg_attr_valid_name(attrs[i].name)) {
            aws_error_set(err, AWS_ERR_CONFIG,
                          "message attribute %zu: name must be 1-256 of A-Z a-z 0-9 _ - .", i + 1);
            return -1;
        }
        if (attrs[i].type == NULL || !aws_msg_attr_valid_type(attrs[i].type)) {
            aws_error_set(err, AWS_ERR_CONFIG,
                          "message attribute \"%s\": type must be String or Number", attrs[i].name);
            return -1;
        }
        if (attrs[i].value == NULL || attrs[i].value[0] == '\0') {
            aws_error_set(err, AWS_ERR_CONFIG, "message attribute \"%s\": empty value",
                          attrs[i].name);
            return -1;
        }
        for (j = 0; j < i; j++) {
            if (strcmp(attrs[i].name, attrs[j].name) == 0) {
                aws_error_set(err, AWS_ERR_CONFIG, "message attribute \"%s\" given twice",
                              attrs[i].name);
                return -1;
            }
        }
    }
    return 0;
}
