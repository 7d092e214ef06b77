/*
 * response — the JSON bodies the upload handler answers with.
 *
 * Success (201):
 *   {"bucket":B,"key":K,"imageId":ID,"size":N,"contentType":T,
 *    "width":W,"height":H,"sha256":HEX,"messageId":M}
 * where "messageId" is replaced by "notification":"queued" when the SNS
 * publish was journaled for replay instead of acknowledged.
 * Duplicate (200): the key existed already (another upload created it):
 *   {"bucket":B,"key":K,"size":N,"contentType":T,"width":W,"height":H,
 *    "sha256":HEX,"duplicate":true}
 * without "imageId" and "messageId": this upload announced nothing.
 * Error: {"error":CODE,"message":TEXT}.
 */
#ifndef ING_RESPONSE_H
#define ING_RESPONSE_H

#include <stddef.h>

#include "event.h"

/* Builds the success body for the upload ev (see event.h for its
 * fields) and the SNS message id (NULL: notification queued), or, with
 * duplicate, the duplicate body (message_id is ignored).  Returns
 * compact JSON, malloc()ed, or NULL with err set when ev is incomplete,
 * a string is not valid UTF-8, or memory runs out. */
char *ing_response_json(const ing_event_t *ev, const char *message_id, int duplicate, char *err,
                        size_t errlen);

/* Builds {"error":code,"message":message}; bytes of either string that
 * are not valid UTF-8 become U+FFFD, so any text can be passed.  Returns
 * compact JSON, malloc()ed, or NULL only when memory runs out. */
char *ing_error_json(const char *code, const char *message);

#endif
