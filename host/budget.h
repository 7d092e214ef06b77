/*
 * budget — how much image memory a worker's plugins may use at once.
 *
 * Decoding is where a plugin's memory goes: a 389 KB PNG of 9999 x 9999
 * RGBA pixels decodes to 400 MB.  Before a plugin sees an original, its
 * cost is estimated from the header alone (imageinfo, nothing decoded):
 *
 *   decoded = width x height x channels x bytes per sample
 *   cost    = 2 x decoded     (the decoded image, and as much again for the
 *                              plugin's working and output images)
 *
 * with channels the JPEG's components (1, 3, or 4 for CMYK) and 4 for
 * every other type (PNG, WebP and GIF may decode to RGBA), and 2 bytes
 * per sample above 8 bits.  An original imageinfo cannot read costs
 * nothing here: the plugin refuses it from the same header.
 *
 * Every worker holds one budget (memory.decode_budget_mb), shared by its
 * poller threads: an image costing more than the whole budget is refused
 * (HOST_BUDGET_TOO_LARGE: the message is rejected with the reason); one
 * that does not fit beside the images other pollers are processing waits
 * for them, at most memory.decode_wait_seconds (HOST_BUDGET_BUSY: the message is left
 * for a later delivery).  The sum in use never exceeds the budget.
 */
#ifndef HOST_BUDGET_H
#define HOST_BUDGET_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    pthread_mutex_t mu;
    pthread_cond_t freed;
    uint64_t capacity; /* bytes */
    uint64_t used;     /* bytes reserved by images in flight */
    double wait;       /* seconds host_budget_admit() waits for room */
} host_budget_t;

typedef enum {
    HOST_BUDGET_OK = 0,    /* reserved: release it when the plugin is done */
    HOST_BUDGET_TOO_LARGE, /* costs more than the whole budget: reject */
    HOST_BUDGET_BUSY       /* did not fit within the wait: retry later */
} host_budget_status_t;

/* Sets up B with CAPACITY bytes, admitting images after at most WAIT
 * seconds of waiting for room.  Returns 0, or -1 when the mutex or
 * condition variable cannot be created. */
int host_budget_init(host_budget_t *b, uint64_t capacity, double wait);

/* Releases what host_budget_init() set up. */
void host_budget_destroy(host_budget_t *b);

/* The cost (above) of the image in DATA (LEN bytes) as its header tells,
 * saturating at UINT64_MAX; 0 when imageinfo cannot read the header.
 * Sets *width and *height (0 when unknown). */
uint64_t host_decode_cost(const void *data, size_t len, unsigned *width, unsigned *height);

/* Reserves COST bytes of B, waiting at most WAIT seconds for other
 * reservations to be released.  Returns the status; for TOO_LARGE and
 * BUSY nothing is reserved. */
host_budget_status_t host_budget_reserve(host_budget_t *b, uint64_t cost, double wait);

/* Returns COST bytes reserved by host_budget_reserve() to B and wakes the
 * pollers waiting for room. */
void host_budget_release(host_budget_t *b, uint64_t cost);

/* Reserves the cost of the image in DATA (LEN bytes) in B, waiting at
 * most B's wait; on HOST_BUDGET_OK *cost is what to release.  For
 * TOO_LARGE and BUSY, reason (reasonlen bytes) says why, e.g. "image of
 * 9999x9999 needs ~763 MiB to decode, over the worker's decode budget of
 * 256 MiB". */
host_budget_status_t host_budget_admit(host_budget_t *b, const void *data, size_t len,
                                       uint64_t *cost, char *reason, size_t reasonlen);

#endif
