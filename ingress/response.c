/*
 * response — success and error bodies for the upload handler.
 * See response.h.
 */
#include "response.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "utf8.h"

char *ing_response_json(const ing_event_t *ev, const char *message_id, int duplicate, char *err,
                        size_t errlen)
{
    json_t *root;
    json_error_t jerr;
    char *text;

    if (ing_event_check(ev, err, errlen) != 0) {
        return NULL;
    }
    if (duplicate) {
        message_id = NULL;
    }
    if (message_id != NULL && !ing_utf8_valid(message_id, strlen(message_id))) {
        snprintf(err, errlen, "response: message id is not valid UTF-8");
        return NULL;
    }
    root = json_pack_ex(&jerr, 0, "{s:s, s:s, s:s*, s:I, s:s, s:I, s:I, s:s, s:s*, s:s*}", "bucket",
                        ev->bucket, "key", ev->key, "imageId", duplicate ? NULL : ev->image_id,
                        "size", (json_int_t) ev->size, "contentType", ev->content_type, "width",
                        (json_int_t) ev->width, "height", (json_int_t) ev->height, "sha256",
                        ev->sha256, "messageId", message_id, "notification",
                        message_id == NULL && !duplicate ? "queued" : NULL);
    if (root == NULL) {
        snprintf(err, errlen, "response: cannot build JSON: %s", jerr.text);
        return NULL;
    }
    if (duplicate && json_object_set_new(root, "duplicate", json_true()) != 0) {
        json_decref(root);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    text = json_dumps(root, JSON_COMPACT);
    json_decref(root);
    if (text == NULL) {
        snprintf(err, errlen, "out of memory");
    }
    return text;
}

char *ing_error_json(const char *code, const char *message)
{
    char *c, *m, *text = NULL;
    json_t *root;

    c = ing_utf8_repair(code);
    m = ing_utf8_repair(message);
    if (c != NULL && m != NULL) {
        root = json_pack("{s:s, s:s}", "error", c, "message", m);
        if (root != NULL) {
            text = json_dumps(root, JSON_COMPACT);
            json_decref(root);
        }
    }
    free(c);
    free(m);
    return text;
}
