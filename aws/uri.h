/*
 * uri — URI encoding the way AWS Signature V4 wants it.
 *
 * AWS encodes every byte except the RFC 3986 unreserved characters
 * A-Z a-z 0-9 - . _ ~ as %XX with UPPER-case hex digits; a space is
 * "%20", never "+".  Path encoding may keep '/' (an S3 key "a/b c.jpg"
 * becomes "a/b%20c.jpg").  Multi-byte UTF-8 is encoded byte by byte.
 *
 * Form bodies (application/x-www-form-urlencoded, used by the SNS Query
 * protocol) are built with the same rules: AWS decodes "%20" as a space
 * in form bodies, and using one encoding everywhere means a body is also
 * valid as a canonical query string.  '+' in a value is therefore sent
 * as "%2B" and never means a space.
 *
 * Every function appends to an aws_buf_t and returns 0, or -1 when
 * memory runs out (the buffer may then hold part of the output).
 */
#ifndef AWS_URI_H
#define AWS_URI_H

#include <stddef.h>

#include "aws_buf.h"

/* Appends s[0..len) encoded: unreserved bytes as-is, everything else as
 * %XX (upper-case hex).  keep_slash != 0 leaves '/' unencoded (paths). */
int aws_uri_encode(aws_buf_t *out, const char *s, size_t len, int keep_slash);

/* Appends the NUL-terminated s encoded as a query/form name or value
 * ('/' becomes %2F). */
int aws_uri_encode_param(aws_buf_t *out, const char *s);

/* Appends the NUL-terminated s encoded as a path, '/' kept: use it for
 * S3 object keys ("photos/a b.jpg" -> "photos/a%20b.jpg"). */
int aws_uri_encode_path(aws_buf_t *out, const char *s);

/* Appends one form field "name=value" (both encoded as params), preceded
 * by '&' when out is not empty.  Builds SNS Query bodies:
 *   Action=Publish&Message=hello%20world */
int aws_uri_form_add(aws_buf_t *out, const char *name, const char *value);

/* Appends s[0..len) with each valid %XX escape decoded to its byte.  '+'
 * is kept as '+' (AWS canonicalisation does not treat it as a space) and
 * a '%' not followed by two hex digits is kept literally. */
int aws_uri_decode(aws_buf_t *out, const char *s, size_t len);

/* Appends the SigV4 canonical form of QUERY (encoded, without '?'; ""
 * or NULL for none): split on '&' (empty pieces dropped), each piece on
 * its first '=' (a missing '=' means an empty value), name and value
 * decoded and re-encoded with aws_uri_encode, pairs sorted by name then
 * value (byte order), joined as "n1=v1&n2=v2".  Re-encoding makes an
 * already-encoded query and a raw UTF-8 one canonicalise the same way. */
int aws_uri_canonical_query(aws_buf_t *out, const char *query);

/* Appends PATH with "." and ".." segments resolved and empty segments
 * ("//") dropped, as SigV4 wants for every service but S3.  The result
 * starts with '/'; it ends with '/' when PATH did and anything but "/"
 * remains.  ".." above the root stays at the root.  Examples:
 * "/a/./b/../c" -> "/a/c", "//a//" -> "/a/", "/a/.." -> "/". */
int aws_uri_normalize_path(aws_buf_t *out, const char *path);

#endif
