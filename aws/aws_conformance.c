/* Ways an answer can lack what AWS documents.  See aws_conformance.h. */
#include "aws_conformance.h"

#include <string.h>
#include <strings.h>

const char *aws_conf_kind_name(aws_conf_kind_t kind)
{
    static const char *const names[AWS_CONF_NKINDS] = {
        "receive_count",
        "attributes",
        "content_type",
    };

    return kind < AWS_CONF_NKINDS ? names[kind] : "unknown";
}

int aws_conf_content_type_differs(const aws_response_t *resp, const char *expected)
{
    const char *ct = resp->content_type;
    size_t n = strlen(expected);

    while (*ct == ' ' || *ct == '\t') {
        ct++;
    }
    if (strncasecmp(ct, expected, n) != 0) {
        return 1;
    }
    ct += n;
    while (*ct == ' ' || *ct == '\t') {
        ct++;
    }
    return *ct != '\0' && *ct != ';';
}
