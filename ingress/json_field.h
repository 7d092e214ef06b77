/*
 * json_field — reading one member of a JSON object with an error that
 * names it, for the formats read back here (the upload event) and the
 * shapes prism-host accepts.
 *
 * WHERE is the member's path up to its name ("Records[0].s3.object.",
 * "prism.", ""): the errors say "WHEREKEY missing", "WHEREKEY is not a
 * non-empty string of at most MAX bytes", "WHEREKEY is not a
 * non-negative integer".  A member that is null counts as absent.
 */
#ifndef ING_JSON_FIELD_H
#define ING_JSON_FIELD_H

#include <stddef.h>

#include <jansson.h>

/* Reads the string member KEY of OBJ into *out, borrowed from OBJ.  An
 * absent member leaves *out and returns 0, or -1 when REQUIRED.  Returns
 * -1 with err set when the member is not a non-empty string of at most
 * MAX bytes without a NUL. */
int ing_json_string(const json_t *obj, const char *key, const char *where, int required, size_t max,
                    const char **out, char *err, size_t errlen);

/* Reads the non-negative integer member KEY of OBJ into *out; an absent
 * member leaves *out.  Returns 0, or -1 with err set when it is not one. */
int ing_json_count(const json_t *obj, const char *key, const char *where, long long *out, char *err,
                   size_t errlen);

#endif
