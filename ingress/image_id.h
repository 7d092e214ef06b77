/*
 * image_id — identifiers for uploaded images.
 *
 * An id is a UUID version 7 (RFC 9562): the first 48 bits are the Unix
 * time in milliseconds, then the version (7), 12 random bits, the
 * variant (binary 10) and 62 random bits, rendered as the usual 36
 * characters of lower-case hex and hyphens:
 *   0190a8c4-2f3e-7b1d-9c4e-5a6b7c8d9e0f
 * Chosen over UUIDv4 because ids (and keys built from them) then sort by
 * upload time to the millisecond, which keeps listings and logs in
 * order, while 74 random bits per millisecond keep collisions out of
 * reach; the format is still a standard UUID any tool accepts.  Ids made
 * within the same millisecond are not ordered among themselves.
 * Randomness comes from the kernel (getrandom()).
 */
#ifndef ING_IMAGE_ID_H
#define ING_IMAGE_ID_H

#include <stddef.h>
#include <stdint.h>

#define ING_IMAGE_ID_LEN 36

/* Writes a new id for the time unix_ms (milliseconds since the epoch;
 * only its low 48 bits are used) into out, NUL-terminated.  Returns 0, or
 * -1 with err set when the kernel's random source fails. */
int ing_image_id(char out[ING_IMAGE_ID_LEN + 1], uint64_t unix_ms, char *err, size_t errlen);

#endif
