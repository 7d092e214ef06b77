/*
 * image_id — UUIDv7 image ids.  See image_id.h.
 */
#include "image_id.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "hex.h"

int ing_image_id(char out[ING_IMAGE_ID_LEN + 1], uint64_t unix_ms, char *err, size_t errlen)
{
    u_char b[16];
    char hex[33];
    ssize_t n;
    int i;

    do {
        n = getrandom(b + 6, 10, 0);
    } while (n < 0 && errno == EINTR);
    if (n != 10) {
        snprintf(err, errlen, "getrandom failed: %s", n < 0 ? strerror(errno) : "short read");
        return -1;
    }
    for (i = 0; i < 6; i++) {
        b[i] = (u_char) (unix_ms >> (40 - 8 * i));
    }
    b[6] = (u_char) ((b[6] & 0x0f) | 0x70); /* version 7 */
    b[8] = (u_char) ((b[8] & 0x3f) | 0x80); /* variant 10 */

    ing_hex(b, sizeof(b), hex);
    snprintf(out, ING_IMAGE_ID_LEN + 1, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12,
             hex + 16, hex + 20);
    return 0;
}
