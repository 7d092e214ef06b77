/*
 * keys — where a derivative is stored, deterministically.
 *
 *   <prefix><original key without its extension>/<route>/<suffix>
 *
 *   prefix "derived/", key "2025/01/abc.jpg", route "thumbnail",
 *   suffix "256.jpg"  ->  "derived/2025/01/abc/thumbnail/256.jpg"
 *
 * The same message always maps to the same keys, so a redelivered
 * message overwrites what an earlier attempt stored.  The route name is
 * the namespace of one parameter set: two routes running one plugin with
 * different params never collide.  Only the last path segment loses its
 * extension (the text from its last '.', unless that '.' starts the
 * segment).
 *
 * For a local output directory the derived key becomes a path under the
 * directory; keys that could escape it ("..", ".", empty segments, a
 * leading '/') or that hold control characters are refused.
 */
#ifndef HOST_KEYS_H
#define HOST_KEYS_H

#include <stddef.h>

/* Longest suffix a plugin may emit. */
#define HOST_SUFFIX_MAX 64

/* Returns 1 when SUFFIX is a valid derivative name: [A-Za-z0-9._-],
 * 1..HOST_SUFFIX_MAX characters, and not "." or "..". */
int host_suffix_valid(const char *suffix);

/* Returns the length of KEY without the extension of its last segment
 * (the text from its last '.', unless that '.' starts the segment). */
size_t host_key_stem_length(const char *key);

/* Writes the derived key (see above) into out (outlen bytes).  Returns
 * its length, or -1 when it does not fit or exceeds S3's 1024-byte key
 * limit. */
long host_key_derive(const char *prefix, const char *key, const char *route, const char *suffix,
                     char *out, size_t outlen);

/* Checks that KEY cannot be resolved to another path than itself: no
 * leading '/', no "", "." or ".." segment, no control character, and,
 * when SEGMENT_MAX > 0, no segment over SEGMENT_MAX bytes.  HTTP clients
 * and servers may squash dot segments (".." would leave the bucket), a
 * local path would follow them.  Returns 0, or -1 with a reason in err
 * ("key has an empty, \".\" or \"..\" path segment", ...). */
int host_key_check_segments(const char *key, size_t segment_max, char *err, size_t errlen);

/* Writes DIR "/" KEY into out (outlen bytes) when KEY is safe as a
 * relative path: host_key_check_segments() with segments of at most 255
 * bytes.  Returns 0, or -1 with a reason in err. */
int host_key_local_path(const char *dir, const char *key, char *out, size_t outlen, char *err,
                        size_t errlen);

#endif
