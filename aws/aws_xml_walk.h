/*
 * aws_xml_walk — the expat driver under aws_xml.c and aws_xml_list.c
 * (internal to aws/).  It applies the rules both promise: element names
 * by local name (namespaces ignored), the path of the open elements
 * ("Root/Child/Leaf"), no DOCTYPE (so no entity expansion), documents
 * of at most AWS_XML_MAX_DOC bytes nested at most AWS_XML_MAX_DEPTH
 * deep, and one wording for every parse failure.  The caller's
 * callbacks see the elements; each returns NULL to go on, or the reason
 * to stop the walk.
 */
#ifndef AWS_XML_WALK_H
#define AWS_XML_WALK_H

#include <stddef.h>

typedef struct {
    /* An element opened: path now ends with its local name, depth is
     * its level (1: the root). */
    const char *(*start)(void *ud, const char *path, int depth, const char *local);
    /* The element at path, level depth, closes. */
    const char *(*end)(void *ud, const char *path, int depth);
    /* Text (len bytes, not NUL-terminated) inside the element at path. */
    const char *(*text)(void *ud, const char *path, const char *s, size_t len);
} aws_xml_walk_ops_t;

/* Parses doc (len bytes) calling ops with ud.  Returns 0, or -1 with a
 * message in err (errlen bytes): the reason a callback returned, or the
 * document is too large, too deep, has a DOCTYPE, is not well-formed,
 * or memory ran out. */
int aws_xml_walk(const char *doc, size_t len, const aws_xml_walk_ops_t *ops, void *ud, char *err,
                 size_t errlen);

#endif
