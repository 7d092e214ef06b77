/*
 * libFuzzer target for prism-host's SQS message-body parser
 * (host/message.c): the bytes as a message body, parsed twice from a heap
 * copy, and as an S3-event key for ing_event_key_decode.  Aborts when a
 * result breaks its contract:
 *   - the kind is one of the three and equals ev->kind;
 *   - an image has a shape, a non-empty bucket and a non-empty key of at
 *     most HOST_KEY_MAX bytes with no NUL inside; a test event has its
 *     shape; poison has a reason;
 *   - parsing is deterministic: the second parse gives the same event;
 *   - host_event_free zeroes the event;
 *   - a decoded key has the length returned and never grows;
 *   - decoding what ing_event_key_encode made gives the key back.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "message.h"

/* Whether two optional strings are equal (both NULL counts as equal). */
static int same_str(const char *a, const char *b)
{
    if (a == NULL || b == NULL)
        return a == b;
    return strcmp(a, b) == 0;
}

/* Whether two parses of one body gave the same event. */
static int same_event(const host_event_t *a, const host_event_t *b)
{
    return a->kind == b->kind && same_str(a->shape, b->shape) && a->sns_envelope == b->sns_envelope
           && same_str(a->bucket, b->bucket) && same_str(a->key, b->key) && a->size == b->size
           && same_str(a->etag, b->etag) && same_str(a->image_id, b->image_id)
           && same_str(a->content_type, b->content_type) && a->width == b->width
           && a->height == b->height && same_str(a->sha256, b->sha256)
           && same_str(a->request_id, b->request_id) && a->storage_local == b->storage_local;
}

/* Aborts when EV (returned as KIND, with REASON) breaks the contract. */
static void check_event(host_msg_kind_t kind, const host_event_t *ev, const char *reason)
{
    if (kind != ev->kind)
        abort();
    switch (kind) {
    case HOST_MSG_IMAGE:
        if (ev->shape == NULL || ev->bucket == NULL || ev->bucket[0] == '\0' || ev->key == NULL
            || ev->key[0] == '\0' || strlen(ev->key) > HOST_KEY_MAX)
            abort();
        break;
    case HOST_MSG_TEST_EVENT:
        if (ev->shape == NULL)
            abort();
        break;
    case HOST_MSG_POISON:
        if (reason[0] == '\0')
            abort();
        break;
    default: abort();
    }
}

/* Decodes data[0..size) as an S3-event key into a buffer that fits and
 * into one that may not; aborts when a result breaks the contract. */
static void check_key_decode(const uint8_t *data, size_t size)
{
    char *in = malloc(size + 1), *out = malloc(size + 1), small[8], *enc = NULL, *back = NULL;
    long n, m;

    if (in == NULL || out == NULL)
        goto done;
    memcpy(in, data, size);
    in[size] = '\0';
    n = ing_event_key_decode(in, out, size + 1);
    if (n >= 0 && ((size_t) n > strlen(in) || strlen(out) != (size_t) n))
        abort();
    m = ing_event_key_decode(in, small, sizeof(small));
    if (m >= 0 && (m != n || strlen(small) != (size_t) m || memcmp(small, out, (size_t) m) != 0))
        abort();
    if (m < 0 && n >= 0 && (size_t) n < sizeof(small))
        abort();
    enc = ing_event_key_encode(in);
    back = enc != NULL ? malloc(strlen(enc) + 1) : NULL;
    if (back != NULL
        && (ing_event_key_decode(enc, back, strlen(enc) + 1) != (long) strlen(in)
            || strcmp(back, in) != 0))
        abort();
done:
    free(in);
    free(out);
    free(enc);
    free(back);
}

/* The libFuzzer entry: parses data twice as a message body and checks
 * both results; decodes it as a key.  Aborts on a contract breach;
 * always returns 0. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    host_event_t a, b;
    char ra[256], rb[256];
    host_msg_kind_t ka, kb;
    char *body = malloc(size ? size : 1);

    if (body == NULL)
        return 0;
    memcpy(body, data, size); /* not NUL-terminated: ASan sees an overread */

    ra[0] = rb[0] = '\0';
    ka = host_message_parse(body, size, &a, ra, sizeof(ra));
    check_event(ka, &a, ra);
    kb = host_message_parse(body, size, &b, rb, sizeof(rb));
    check_event(kb, &b, rb);
    if (!same_event(&a, &b) || (ka == HOST_MSG_POISON && strcmp(ra, rb) != 0))
        abort();

    host_event_free(&a);
    host_event_free(&b);
    if (a.bucket != NULL || a.key != NULL || a.image_id != NULL || b.etag != NULL)
        abort();
    free(body);

    check_key_decode(data, size);
    return 0;
}
