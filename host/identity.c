/*
 * identity — confirm a message's imageId against the original.
 * See identity.h.
 */
#include "identity.h"

#include <stdio.h>
#include <string.h>

#include "keys.h"

/* Returns 1 when KEY's last segment, without its extension, is ID. */
static int key_names(const char *key, const char *id)
{
    size_t stem = host_key_stem_length(key);
    const char *seg = key;

    for (const char *p = key; p < key + stem; p++)
        if (*p == '/')
            seg = p + 1;
    return (size_t) (key + stem - seg) == strlen(id) && strncmp(seg, id, strlen(id)) == 0;
}

host_id_verdict_t host_image_id_check(const char *claimed, const char *meta_id, const char *key,
                                      char *reason, size_t reasonlen)
{
    if (claimed == NULL)
        return HOST_ID_NONE;
    if (meta_id != NULL) {
        if (strcmp(meta_id, claimed) == 0)
            return HOST_ID_CONFIRMED;
        snprintf(reason, reasonlen,
                 "imageId \"%.256s\" is not the original's "
                 "(x-amz-meta-" ING_META_IMAGE_ID " \"%.256s\")",
                 claimed, meta_id);
        return HOST_ID_MISMATCH;
    }
    if (key_names(key, claimed))
        return HOST_ID_CONFIRMED;
    snprintf(reason, reasonlen,
             "imageId \"%.256s\" is not the original's (no "
             "x-amz-meta-" ING_META_IMAGE_ID ", and its key \"%.300s\" does not end in it)",
             claimed, key);
    return HOST_ID_MISMATCH;
}
