/*
 * aws_names — region and ARN shapes.  See aws_names.h.
 */
#include "aws_names.h"

#include <string.h>

int aws_region_valid(const char *s, size_t len)
{
    size_t words = 0, i = 0;

    /* word "-" word ["-" word ...] "-" number */
    while (i < len) {
        size_t start = i;

        while (i < len && s[i] >= 'a' && s[i] <= 'z')
            i++;
        if (i == start)
            break;
        words++;
        if (i == len || s[i] != '-')
            return 0;
        i++;
    }
    if (words < 2 || i == len)
        return 0;
    for (; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
    }
    return 1;
}

int aws_arn_service(const char *arn, char *out, size_t outlen)
{
    const char *service, *end;

    if (strncmp(arn, "arn:", 4) != 0)
        return -1;
    service = strchr(arn + 4, ':');
    if (service == NULL)
        return -1;
    service++;
    end = strchr(service, ':');
    if (end == NULL || end == service || (size_t) (end - service) >= outlen)
        return -1;
    memcpy(out, service, (size_t) (end - service));
    out[end - service] = '\0';
    return 0;
}
