/*
 * The built-in plugins' input types. See img_accepts.h.
 */
#include "img_accepts.h"

#include <stddef.h>

const char *const img_accepts[] = { "image/jpeg", "image/png",  "image/webp", "image/gif",
                                    "image/heic", "image/heif", "image/avif", NULL };
