/*
 * aws_query — the AWS Query protocol (SNS admin actions, STS) for any
 * service.
 *
 * Wire format: POST / to the service's endpoint,
 *   Content-Type: application/x-www-form-urlencoded; charset=utf-8
 *   Action=<Action>&Version=<version>&<fields, encoded as uri.h says>
 * Success: an XML document <ActionResponse><ActionResult>...; errors:
 * ErrorResponse/Error/{Type,Code,Message} and ErrorResponse/RequestId.
 *
 * SNS (Publish and the admin actions) and STS use this layer.
 */
#ifndef AWS_QUERY_H
#define AWS_QUERY_H

#include "aws_attrs.h"
#include "aws_call.h"

/* Starts a form in *form (emptied first): Action=ACTION&Version=VERSION.
 * Returns 0, or -1 with AWS_ERR_NOMEM in err. */
int aws_query_form(aws_buf_t *form, const char *action, const char *version, aws_error_t *err);

/* Appends field NAME=VALUE to form.  Returns 0 or -1 (AWS_ERR_NOMEM). */
int aws_query_add(aws_buf_t *form, const char *name, const char *value, aws_error_t *err);

/* Appends attrs as PREFIX.entry.N.key / PREFIX.entry.N.value (N from 1),
 * the map encoding of SNS's CreateTopic and Subscribe.  attrs may be
 * NULL.  Returns 0 or -1 (AWS_ERR_NOMEM). */
int aws_query_add_map(aws_buf_t *form, const char *prefix, const aws_attrs_t *attrs,
                      aws_error_t *err);

/* Appends tags as PREFIX.member.N.Key / PREFIX.member.N.Value (N from
 * 1), the tag list encoding of SNS's CreateTopic and TagResource.  tags
 * may be NULL.  Returns 0 or -1 (AWS_ERR_NOMEM). */
int aws_query_add_tags(aws_buf_t *form, const char *prefix, const aws_attrs_t *tags,
                       aws_error_t *err);

/* Builds and signs "POST /" for SERVICE's endpoint with form as body
 * (form must outlive req).  Returns 0, or -1 with err set; req then
 * needs no aws_request_free. */
int aws_query_request(aws_client_t *c, const char *service, const aws_buf_t *form,
                      aws_request_t *req, aws_error_t *err);

/* Sets err from a non-2xx Query response: the ErrorResponse's Code,
 * Message and RequestId, or a status error when the body is not one.
 * Always returns -1. */
int aws_query_error_parse(const aws_response_t *resp, aws_error_t *err);

/* Blocking call with retries: sends form to SERVICE and, on a 2xx
 * answer, leaves the body in *body (emptied first; may be NULL when the
 * caller needs nothing back).  Returns 0, or -1 with err set (the
 * service's error for a non-2xx answer). */
int aws_query_call(aws_client_t *c, const char *service, const aws_buf_t *form, aws_buf_t *body,
                   aws_error_t *err);

#endif
