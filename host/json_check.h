/*
 * json_check — reading a JSON document with errors that name the key.
 *
 * Config and plugin-param validation report the first problem as
 * "KEY.PATH: what was expected, got WHAT", e.g.
 *   routes[1].plugin_params.quality: expected integer 1..100, got "high"
 * These helpers build key paths and describe offending values.
 */
#ifndef HOST_JSON_CHECK_H
#define HOST_JSON_CHECK_H

#include <stddef.h>

#include <jansson.h>

/* Longest key path kept; longer ones are truncated. */
#define HOST_JPATH_MAX 256

/* Writes PATH.KEY (just KEY when PATH is "") into out (outlen bytes,
 * truncated, always NUL-terminated). */
void host_jpath_key(char *out, size_t outlen, const char *path, const char *key);

/* Writes PATH[I] into out (outlen bytes, truncated, NUL-terminated). */
void host_jpath_index(char *out, size_t outlen, const char *path, size_t i);

/* Writes a short human description of V: its compact JSON text, cut to
 * about 40 characters with "..." ("\"high\"", "[1,2]", "null").  NULL V
 * is described as "nothing". */
void host_json_describe(const json_t *v, char *out, size_t outlen);

/* Writes "PATH: " followed by the printf-formatted text into err. */
void host_jerr(char *err, size_t errlen, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Writes "PATH: expected WHAT, got <description of V>" into err. */
void host_jerr_expected(char *err, size_t errlen, const char *path, const char *what,
                        const json_t *v);

/* Checks that every key of object OBJ (at PATH) is one of ALLOWED
 * (NULL-terminated).  Returns 0, or -1 with "PATH.KEY: unknown key" in
 * err for the first stranger. */
int host_json_known_keys(const json_t *obj, const char *path, const char *const *allowed, char *err,
                         size_t errlen);

#endif
