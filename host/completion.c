/*
 * completion — build and publish the completion event.  See completion.h.
 */
#include "completion.h"

#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>

#include "sns.h"

/* Returns a JSON string for S, or JSON null when S is NULL. */
static json_t *string_or_null(const char *s)
{
    return s != NULL ? json_string(s) : json_null();
}

char *host_completion_json(const host_event_t *ev, const host_route_result_t *res)
{
    json_t *outputs = json_array(), *doc;
    char *text;

    if (outputs == NULL)
        return NULL;
    for (size_t i = 0; i < res->noutputs; i++) {
        const host_output_ref_t *o = &res->outputs[i];
        if (json_array_append_new(
                outputs, json_pack("{s:s,s:I,s:I,s:I,s:s}", "key", o->key, "size",
                                   (json_int_t) o->size, "width", (json_int_t) o->width, "height",
                                   (json_int_t) o->height, "contentType", o->content_type))
            != 0) {
            json_decref(outputs);
            return NULL;
        }
    }
    doc = json_pack("{s:o,s:s,s:s,s:s,s:o,s:I,s:o,s:s,s:s,s:s}", "imageId",
                    string_or_null(ev->image_id), "originalKey", ev->key, "bucket", ev->bucket,
                    "route", res->route, "outputs", outputs, "processingMs",
                    (json_int_t) res->processing_ms, "requestId", string_or_null(ev->request_id),
                    "plugin", res->plugin, "pluginVersion", res->plugin_version, "status",
                    res->ok ? "ok" : "rejected");
    if (doc == NULL)
        return NULL;
    text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    return text;
}

int host_completion_publish(aws_client_t *aws, const char *topic_arn, const host_event_t *ev,
                            const host_route_result_t *res, int *transient, char *err,
                            size_t errlen)
{
    aws_msg_attr_t attrs[3];
    aws_sns_publish_params_t p = { .topic_arn = topic_arn, .attrs = attrs };
    aws_error_t aerr;
    char id[128], why[700];
    char *text = host_completion_json(ev, res);
    int rc, ignored;

    if (transient == NULL)
        transient = &ignored;
    *transient = 0;
    if (text == NULL) {
        snprintf(err, errlen, "completion event: out of memory or invalid UTF-8");
        return -1;
    }
    attrs[p.nattrs++] = (aws_msg_attr_t){ "route", "String", res->route };
    attrs[p.nattrs++] = (aws_msg_attr_t){ "status", "String", res->ok ? "ok" : "rejected" };
    if (ev->image_id != NULL && ev->image_id[0] != '\0')
        attrs[p.nattrs++] = (aws_msg_attr_t){ "image_id", "String", ev->image_id };
    p.message = text;
    rc = aws_sns_publish(aws, &p, id, sizeof(id), &aerr);
    if (rc != 0) {
        snprintf(err, errlen, "Publish to %s: %s", topic_arn,
                 aws_error_format(&aerr, why, sizeof(why)));
        *transient = aws_error_retryable(&aerr);
    }
    free(text);
    return rc;
}
