/*
 * dead_letter — SendMessage to the DLQ with the reason attributes.
 * See dead_letter.h.
 */
#include "dead_letter.h"

#include <stdio.h>
#include <string.h>

/* Returns the length (2..4) of the valid UTF-8 sequence at P (a lead
 * byte >= 0x80), or 0 when it is not one (overlong forms, surrogates and
 * code points above U+10FFFF included). */
static size_t utf8_sequence(const unsigned char *p)
{
    unsigned char lo = 0x80, hi = 0xbf;
    size_t len;

    if (p[0] >= 0xc2 && p[0] <= 0xdf)
        len = 2;
    else if (p[0] >= 0xe0 && p[0] <= 0xef)
        len = 3;
    else if (p[0] >= 0xf0 && p[0] <= 0xf4)
        len = 4;
    else
        return 0;
    if (p[0] == 0xe0)
        lo = 0xa0;
    else if (p[0] == 0xed)
        hi = 0x9f;
    else if (p[0] == 0xf0)
        lo = 0x90;
    else if (p[0] == 0xf4)
        hi = 0x8f;
    if (p[1] < lo || p[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if (p[i] < 0x80 || p[i] > 0xbf)
            return 0;
    return len;
}

/* Copies IN into out (outlen bytes, truncated, NUL-terminated) as text
 * SQS accepts in an attribute: control characters become spaces, and
 * bytes that are not part of valid UTF-8 become '?'. */
static void clean_text(const char *in, char *out, size_t outlen)
{
    const unsigned char *p = (const unsigned char *) in;
    size_t n = 0;

    while (*p != '\0' && n + 1 < outlen) {
        size_t len = *p < 0x80 ? 1 : utf8_sequence(p);

        if (len == 1) {
            out[n++] = (*p < 0x20 || *p == 0x7f) ? ' ' : (char) *p;
        } else if (len == 0 || n + len >= outlen) {
            out[n++] = '?';
            len = 1;
        } else {
            memcpy(out + n, p, len);
            n += len;
        }
        p += len;
    }
    out[n] = '\0';
}

int host_dead_letter(aws_client_t *aws, const host_route_conf_t *r, const char *plugin,
                     const aws_sqs_message_t *m, const char *reason, char *err, size_t errlen)
{
    char why[HOST_DLQ_REASON_MAX + 1];
    char attempts[24];
    char sent_id[128];
    char aws_why[700];
    aws_error_t aerr;
    aws_msg_attr_t attrs[5];
    aws_sqs_send_params_t p;

    clean_text(reason != NULL && *reason ? reason : "no reason given", why, sizeof(why));
    snprintf(attempts, sizeof(attempts), "%ld", m->receive_count > 0 ? m->receive_count : 1);
    attrs[0] = (aws_msg_attr_t){ "prism.reason", "String", why };
    attrs[1] = (aws_msg_attr_t){ "prism.route", "String", r->name };
    attrs[2] = (aws_msg_attr_t){ "prism.plugin", "String", plugin };
    attrs[3] = (aws_msg_attr_t){ "prism.attempts", "Number", attempts };
    attrs[4] = (aws_msg_attr_t){ "prism.original_message_id", "String", m->message_id };

    memset(&p, 0, sizeof(p));
    p.queue_url = r->dlq_url;
    p.body = m->body;
    p.attrs = attrs;
    p.nattrs = 5;
    if (r->dlq_fifo) {
        /* The original's group keeps its order in the DLQ (the route's
         * name when it had none); the original message id makes a resend
         * within SQS's five-minute window a duplicate, not a second copy. */
        p.message_group_id = m->message_group_id ? m->message_group_id : r->name;
        p.deduplication_id = m->message_id;
    }
    if (aws_sqs_send(aws, &p, sent_id, sizeof(sent_id), &aerr) != 0) {
        snprintf(err, errlen, "SendMessage to the DLQ %s: %s", r->dlq_url,
                 aws_error_format(&aerr, aws_why, sizeof(aws_why)));
        return -1;
    }
    return 0;
}
