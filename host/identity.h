/*
 * identity — which image an original belongs to.
 *
 * The image record is keyed by the image id, and a message's imageId is
 * only a claim: anyone able to send to a route's queue could name another
 * upload's id and overwrite that image's record.  So the host records
 * under a message's imageId only when the original confirms it:
 *   - an S3 original carries its id as user metadata "prism-image-id"
 *     (x-amz-meta-prism-image-id, written by the nginx module on every
 *     upload): it decides;
 *   - without that metadata (a local original, an object stored before
 *     the module wrote it), the key decides: its last segment without
 *     the extension must be the id, as the module's default key template
 *     "{yyyy}/{mm}/{dd}/{id}.{ext}" generates it.
 * An id the original contradicts is refused (the message is rejected, no
 * record written).  A message without imageId (a plain S3 event for an
 * object not uploaded through prism) writes no record, whatever the
 * object says: the record's id never comes from the message alone.
 */
#ifndef HOST_IDENTITY_H
#define HOST_IDENTITY_H

#include <stddef.h>

#include "event.h" /* ING_META_IMAGE_ID: the metadata naming the id */

typedef enum {
    HOST_ID_NONE = 0,  /* no id claimed: nothing to record under */
    HOST_ID_CONFIRMED, /* the original confirms the claimed id */
    HOST_ID_MISMATCH   /* the original contradicts it (or cannot confirm it) */
} host_id_verdict_t;

/* Compares CLAIMED (the message's imageId, may be NULL) with the
 * original: META_ID is its prism-image-id metadata (NULL when it has
 * none, or is a local file), KEY its object key.  For HOST_ID_MISMATCH,
 * reason (reasonlen bytes) says why, e.g. "imageId \"A\" is not the
 * original's (x-amz-meta-prism-image-id \"B\")". */
host_id_verdict_t host_image_id_check(const char *claimed, const char *meta_id, const char *key,
                                      char *reason, size_t reasonlen);

#endif
