/*
 * spool_entry — the files of the nginx module's outbox spool, as JSON.
 *
 * One line of JSON per file, for two kinds of file:
 *   - a journal entry (IMAGE_ID.json): the event of a stored upload whose
 *     publish failed for a reason that may pass, to be published later;
 *   - an intent (IMAGE_ID.intent): written before the upload's original is
 *     stored, resolved by the replay if its worker died before the answer:
 *     it carries what tells its original apart and resolveAfter.
 *
 *   {"version":1,"topicArn":..,"message":..,"attributes":[{"name":..,
 *    "type":..,"value":..}],"imageId":..,"key":..,"requestId":..,
 *    "journaledAt":UNIX_TIME,"bucket":..,"size":..,"sha256":..}
 *   plus "messageGroupId" and "deduplicationId" for a FIFO topic,
 *   "localPath" for the local store, "resolveAfter":UNIX_TIME in an intent.
 *
 * Entries written before the intents existed (no imageId, bucket, size,
 * sha256) still decode.  No nginx types: unit tested on its own.
 */
#ifndef ING_SPOOL_ENTRY_H
#define ING_SPOOL_ENTRY_H

#include <stddef.h>
#include <stdint.h>

#define ING_SPOOL_VERSION   1
#define ING_SPOOL_ATTRS_MAX 10 /* SNS's most message attributes */

typedef struct {
    const char *name;
    const char *type; /* "String" or "Number" */
    const char *value;
} ing_spool_attr_t;

typedef struct {
    const char *topic_arn;
    const char *message;
    const char *group_id; /* FIFO topics, else NULL */
    const char *dedup_id; /* FIFO topics, else NULL */
    ing_spool_attr_t attrs[ING_SPOOL_ATTRS_MAX];
    size_t nattrs;
    const char *image_id;
    const char *key;
    const char *request_id;
    const char *bucket;     /* "" when none */
    const char *local_path; /* the local store, else NULL */
    const char *sha256;     /* "" when unknown */
    int64_t size;
    int64_t journaled;     /* unix time */
    int64_t resolve_after; /* unix time; 0: a journal entry */
    void *doc;             /* decoded: what the strings point into */
} ing_spool_entry_t;

/* Encodes e as one line of JSON ending in a newline (malloc()ed), or
 * returns NULL with the reason in err. */
char *ing_spool_encode(const ing_spool_entry_t *e, char *err, size_t errlen);

/* Decodes len bytes at buf into e, whose strings stay valid until
 * ing_spool_entry_free(e).  Returns 0, or -1 with the reason in err (e
 * holds nothing to free then). */
int ing_spool_decode(const char *buf, size_t len, ing_spool_entry_t *e, char *err, size_t errlen);

/* Releases what ing_spool_decode() gave e. */
void ing_spool_entry_free(ing_spool_entry_t *e);

/* An intent must say when it may be resolved and how to recognise its
 * original: 0 when e does, else -1 with the reason in err. */
int ing_spool_intent_check(const ing_spool_entry_t *e, char *err, size_t errlen);

#endif
