/*
 * hex — bytes as lower-case hexadecimal text.
 */
#ifndef ING_HEX_H
#define ING_HEX_H

#include <stddef.h>
#include <sys/types.h>

/* Writes the n bytes at in as 2n lower-case hex digits followed by a NUL
 * into out, which must hold 2n + 1 bytes.  Cannot fail. */
void ing_hex(const u_char *in, size_t n, char *out);

#endif
