/*
 * aws_xml_list — walk the repeated elements of an AWS XML response.
 *
 * aws_xml_extract (aws_xml.h) reads the first match of a few paths;
 * lists (ListSubscriptionsByTopic's members, an attribute map's
 * entries, ListObjectsV2's Contents) need every match.  aws_xml_each
 * calls back once per element at an item path with the text of the
 * child elements the caller names.  Same rules as aws_xml.h: local
 * names, namespaces ignored, expat, no DOCTYPE, AWS_XML_MAX_DOC and
 * AWS_XML_MAX_DEPTH limits.
 */
#ifndef AWS_XML_LIST_H
#define AWS_XML_LIST_H

#include <stddef.h>

/* Called with values[i] = the text of the item's first direct child
 * named names[i] ("" when absent).  Returns 0 to go on, -1 to stop the
 * walk (aws_xml_each then fails with "stopped by the caller"). */
typedef int (*aws_xml_item_fn)(void *ud, const char *const *values, size_t n);

/* Parses doc (len bytes) and calls fn for each element whose path from
 * the root is ITEM_PATH ("Root/List/member"), in document order, with
 * the text of its children NAMES[0..n) (n <= 8).  Returns the number of
 * items, or -1 with a message in err (errlen bytes) for malformed,
 * oversized or too deep XML, a DOCTYPE, n > 8, out of memory, or when
 * fn stopped the walk. */
int aws_xml_each(const char *doc, size_t len, const char *item_path, const char *const *names,
                 size_t n, aws_xml_item_fn fn, void *ud, char *err, size_t errlen);

#endif
