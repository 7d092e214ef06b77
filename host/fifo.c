/*
 * fifo — order within a FIFO batch.  See fifo.h.
 */
#include "fifo.h"

#include <string.h>

/* Returns 1 when messages I and J are in the same group. */
static int same_group(const host_fifo_batch_t *b, size_t i, size_t j)
{
    if (b->group[i] == NULL || b->group[j] == NULL)
        return b->group[i] == b->group[j];
    return strcmp(b->group[i], b->group[j]) == 0;
}

void host_fifo_init(host_fifo_batch_t *b, const char *const *groups, size_t n)
{
    memset(b, 0, sizeof(*b));
    b->n = n < HOST_FIFO_MAX ? n : HOST_FIFO_MAX;
    for (size_t i = 0; groups != NULL && i < b->n; i++)
        b->group[i] = groups[i];
}

int host_fifo_may_run(host_fifo_batch_t *b, size_t i)
{
    if (i >= b->n)
        return 0;
    for (size_t j = 0; j < i; j++) {
        if (b->left[j] && same_group(b, i, j)) {
            b->left[i] = 1;
            return 0;
        }
    }
    return 1;
}

void host_fifo_left(host_fifo_batch_t *b, size_t i)
{
    if (i < b->n)
        b->left[i] = 1;
}
