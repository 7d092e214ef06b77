/*
 * check_online — queues, topics and redrive policies, through AWS.  See
 * check_online.h.
 */
#include "check_online.h"

#include "aws_attrs.h"
#include "aws_setup.h"
#include "json_check.h"
#include "redrive.h"
#include "sns_admin.h"
#include "sqs.h"

/* Whether the queue at URL exists: 0, or -1 with err set at KPATH. */
static int queue_exists(aws_client_t *aws, const char *url, const char *kpath, char *err,
                        size_t errlen)
{
    static const char *const names[] = { "QueueArn" };
    aws_sqs_queue_attrs_t attrs = AWS_SQS_QUEUE_ATTRS_INIT;
    aws_error_t aerr;
    char why[700];
    int rc = aws_sqs_get_attributes(aws, url, names, 1, &attrs, &aerr);

    aws_sqs_queue_attrs_free(&attrs);
    if (rc != 0)
        host_jerr(err, errlen, kpath, "GetQueueAttributes %s: %s", url,
                  aws_error_format(&aerr, why, sizeof(why)));
    return rc;
}

/* Checks route R (at PATH) as described in check_online.h. */
static int check_route(aws_client_t *aws, const host_route_conf_t *r, const char *path,
                       FILE *report, char *err, size_t errlen)
{
    char kpath[HOST_JPATH_MAX], why[700];
    aws_error_t aerr;
    aws_attrs_t attrs = AWS_ATTRS_INIT;
    long count;
    int rc;

    host_jpath_key(kpath, sizeof(kpath), path, "queue_url");
    if (host_redrive_read(aws, r, &count, &aerr) != 0) {
        host_jerr(err, errlen, kpath, "GetQueueAttributes %s: %s", r->queue_url,
                  aws_error_format(&aerr, why, sizeof(why)));
        return -1;
    }
    host_jpath_key(kpath, sizeof(kpath), path, "dlq_url");
    if (queue_exists(aws, r->dlq_url, kpath, err, errlen) != 0)
        return -1;
    if (r->completion_topic_arn != NULL) {
        rc = aws_sns_get_topic_attributes(aws, r->completion_topic_arn, &attrs, &aerr);
        aws_attrs_free(&attrs);
        if (rc != 0) {
            host_jpath_key(kpath, sizeof(kpath), path, "completion_topic_arn");
            host_jerr(err, errlen, kpath, "GetTopicAttributes %s: %s", r->completion_topic_arn,
                      aws_error_format(&aerr, why, sizeof(why)));
            return -1;
        }
    }
    if (host_redrive_conflict(r, count, why, sizeof(why))) {
        host_jpath_key(kpath, sizeof(kpath), path, "max_attempts");
        host_jerr(err, errlen, kpath, "%s", why);
        return -1;
    }
    if (report != NULL && count > 0)
        fprintf(report,
                "prism-host: route %s: queue %s: maxReceiveCount %ld, max_attempts %d: "
                "ok\n",
                r->name, r->queue_url, count, r->max_attempts);
    else if (report != NULL)
        fprintf(report,
                "prism-host: route %s: queue %s: no redrive policy, the host "
                "dead-letters after max_attempts %d: ok\n",
                r->name, r->queue_url, r->max_attempts);
    return 0;
}

int host_check_online(const host_conf_t *conf, FILE *report, char *err, size_t errlen)
{
    aws_client_t *aws = host_aws_client_new(&conf->aws, err, errlen);
    char path[HOST_JPATH_MAX];
    int rc = 0;

    if (aws == NULL)
        return -1;
    for (size_t i = 0; rc == 0 && i < conf->nroutes; i++) {
        host_jpath_index(path, sizeof(path), "routes", i);
        rc = check_route(aws, &conf->routes[i], path, report, err, errlen);
    }
    aws_client_free(aws);
    return rc;
}
