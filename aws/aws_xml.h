/*
 * aws_xml — pull the text of a few elements out of an AWS XML response.
 *
 * AWS Query (SNS) and S3 REST answers are small XML documents; callers
 * want a handful of values ("ErrorResponse/Error/Code",
 * "PublishResponse/PublishResult/MessageId", "Error/Code",
 * "InitiateMultipartUploadResult/UploadId").  A path names elements by
 * local name from the root, separated by '/'; namespaces are ignored
 * (AWS responses carry an xmlns).  Parsing uses expat; documents with a
 * DOCTYPE are refused (no entity expansion), as are documents larger
 * than AWS_XML_MAX_DOC or nested deeper than AWS_XML_MAX_DEPTH.
 */
#ifndef AWS_XML_H
#define AWS_XML_H

#include <stddef.h>

#define AWS_XML_MAX_DOC   (1024 * 1024)
#define AWS_XML_MAX_DEPTH 32

typedef struct {
    const char *path; /* in: "Root/Child/Leaf" (local names) */
    char *out;        /* in: buffer for the text of the FIRST match */
    size_t outlen;    /* in: its size (> 0) */
    int found;        /* out: 1 when an element matched */
    int truncated;    /* out: 1 when the text did not fit in out */
} aws_xml_field_t;

/* Parses doc (len bytes, need not be NUL-terminated) and fills each
 * field with the text content of the first element at its path (text
 * of nested child elements excluded; surrounding whitespace kept).  A
 * field that does not match keeps found = 0 and out = "".
 * Returns 0, or -1 with a message in err (errlen bytes) when the
 * document is not well-formed XML, too large, too deep, has a DOCTYPE,
 * or memory runs out. */
int aws_xml_extract(const char *doc, size_t len, aws_xml_field_t *fields, size_t nfields, char *err,
                    size_t errlen);

#endif
