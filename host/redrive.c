/*
 * redrive — compare max_attempts with the queues' maxReceiveCount.
 * See redrive.h.
 */
#include "redrive.h"

#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>

#include "log.h"
#include "sqs.h"

long host_redrive_max_receive_count(const char *policy)
{
    json_t *doc = json_loads(policy, 0, NULL);
    json_t *v = json_object_get(doc, "maxReceiveCount");
    long n = -1;
    char *end;

    if (json_is_integer(v)) {
        n = (long) json_integer_value(v);
    } else if (json_is_string(v)) {
        n = strtol(json_string_value(v), &end, 10);
        if (end == json_string_value(v) || *end != '\0')
            n = -1;
    }
    json_decref(doc);
    return n;
}

int host_redrive_read(aws_client_t *aws, const host_route_conf_t *r, long *count, aws_error_t *err)
{
    static const char *const names[] = { "RedrivePolicy" };
    aws_sqs_queue_attrs_t attrs = AWS_SQS_QUEUE_ATTRS_INIT;
    const char *policy;

    if (aws_sqs_get_attributes(aws, r->queue_url, names, 1, &attrs, err) != 0)
        return -1;
    policy = aws_sqs_queue_attr(&attrs, "RedrivePolicy");
    *count = policy != NULL ? host_redrive_max_receive_count(policy) : -1;
    aws_sqs_queue_attrs_free(&attrs);
    return 0;
}

int host_redrive_conflict(const host_route_conf_t *r, long count, char *why, size_t whylen)
{
    if (count <= 0 || count > r->max_attempts)
        return 0;
    snprintf(why, whylen,
             "queue %s moves a message to its DLQ after %ld receives "
             "(maxReceiveCount), max_attempts is %d: SQS dead-letters failing messages before "
             "the host can, without a reason; set max_attempts below %ld",
             r->queue_url, count, r->max_attempts, count);
    return 1;
}

void host_redrive_check(const host_conf_t *conf, aws_client_t *aws)
{
    for (size_t i = 0; i < conf->nroutes; i++) {
        const host_route_conf_t *r = &conf->routes[i];
        host_log_ctx_t ctx = { .route = r->name };
        aws_error_t aerr;
        long count;
        char why[700];

        if (host_redrive_read(aws, r, &count, &aerr) != 0) {
            host_log(HOST_LOG_WARN, &ctx,
                     "cannot read the redrive policy of %s (%s): not "
                     "checking max_attempts against the queues' maxReceiveCount",
                     r->queue_url, aws_error_format(&aerr, why, sizeof(why)));
            return;
        }
        if (host_redrive_conflict(r, count, why, sizeof(why)))
            host_log(HOST_LOG_WARN, &ctx, "%s", why);
    }
}
