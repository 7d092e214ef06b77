/*
 * utf8 — checking and repairing UTF-8 text before it goes into JSON
 * (jansson refuses invalid UTF-8) or into an S3 key (S3 requires it).
 *
 * Valid means RFC 3629: shortest form only, no UTF-16 surrogates
 * (U+D800..U+DFFF), nothing above U+10FFFF.
 */
#ifndef ING_UTF8_H
#define ING_UTF8_H

#include <stddef.h>

/* Returns 1 when the len bytes at s are valid UTF-8, else 0. */
int ing_utf8_valid(const char *s, size_t len);

/* Returns a malloc()ed, NUL-terminated copy of the NUL-terminated s in
 * which every byte that does not start a valid sequence is replaced by
 * U+FFFD, or NULL when memory runs out. */
char *ing_utf8_repair(const char *s);

#endif
