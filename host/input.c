/*
 * input — admit a message's original to a route.  See input.h.
 */
#include "input.h"

#include <stdio.h>
#include <string.h>

#include "keys.h"

/* Returns 1 when BUCKET is one of R's input.buckets. */
static int bucket_allowed(const host_route_conf_t *r, const char *bucket)
{
    for (size_t i = 0; i < r->ninput_buckets; i++)
        if (strcmp(r->input_buckets[i], bucket) == 0)
            return 1;
    return 0;
}

int host_input_admit(const host_route_conf_t *r, const host_event_t *ev, char *reason,
                     size_t reasonlen)
{
    if (host_key_check_segments(ev->key, 0, reason, reasonlen) != 0)
        return -1;
    if (!ev->storage_local && !bucket_allowed(r, ev->bucket)) {
        snprintf(reason, reasonlen,
                 "bucket \"%.255s\" is not an input of route %s "
                 "(input.buckets)",
                 ev->bucket, r->name);
        return -1;
    }
    if (strncmp(ev->key, r->input_prefix, strlen(r->input_prefix)) != 0) {
        snprintf(reason, reasonlen,
                 "key \"%.300s\" is outside the route's input.prefix "
                 "\"%.300s\"",
                 ev->key, r->input_prefix);
        return -1;
    }
    return 0;
}
