/*
 * Names of image types: MIME types, file extensions, and the reverse
 * lookup used when parsing configuration.
 */
#include <strings.h>

#include "imageinfo.h"

typedef struct {
    ii_type_t type;
    const char *mime;
    const char *ext;
    const char *alias; /* another accepted name, or NULL */
} ii_type_name_t;

static const ii_type_name_t ii_type_names[] = {
    { II_TYPE_JPEG, "image/jpeg", "jpg", "jpeg" }, { II_TYPE_PNG, "image/png", "png", NULL },
    { II_TYPE_WEBP, "image/webp", "webp", NULL },  { II_TYPE_GIF, "image/gif", "gif", NULL },
    { II_TYPE_HEIC, "image/heic", "heic", NULL },  { II_TYPE_HEIF, "image/heif", "heif", NULL },
    { II_TYPE_AVIF, "image/avif", "avif", NULL },
};

#define II_NTYPES (sizeof(ii_type_names) / sizeof(ii_type_names[0]))

/* The table row of t, or NULL for II_TYPE_UNKNOWN and unknown values. */
static const ii_type_name_t *ii_type_row(ii_type_t t)
{
    for (size_t i = 0; i < II_NTYPES; i++) {
        if (ii_type_names[i].type == t)
            return &ii_type_names[i];
    }
    return NULL;
}

/* See imageinfo.h. */
const char *ii_type_mime(ii_type_t t)
{
    const ii_type_name_t *row = ii_type_row(t);
    return row ? row->mime : "application/octet-stream";
}

/* See imageinfo.h. */
const char *ii_type_ext(ii_type_t t)
{
    const ii_type_name_t *row = ii_type_row(t);
    return row ? row->ext : "bin";
}

/* See imageinfo.h. */
ii_type_t ii_type_from_name(const char *name)
{
    if (name == NULL)
        return II_TYPE_UNKNOWN;
    for (size_t i = 0; i < II_NTYPES; i++) {
        const ii_type_name_t *row = &ii_type_names[i];
        if (strcasecmp(name, row->ext) == 0 || strcasecmp(name, row->mime) == 0
            || (row->alias && strcasecmp(name, row->alias) == 0))
            return row->type;
    }
    return II_TYPE_UNKNOWN;
}
