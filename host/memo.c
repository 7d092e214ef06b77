/*
 * memo — outputs stored, record or completion pending.  See memo.h.
 */
#include "memo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int host_memo_init(host_memo_t *m)
{
    memset(m, 0, sizeof(*m));
    return pthread_mutex_init(&m->mu, NULL) == 0 ? 0 : -1;
}

/* Frees entry E's copies and marks it free. */
static void entry_clear(host_memo_entry_t *e)
{
    free(e->message_id);
    free(e->reason);
    free(e->refs);
    memset(e, 0, sizeof(*e));
}

void host_memo_destroy(host_memo_t *m)
{
    for (size_t i = 0; i < HOST_MEMO_MAX; i++)
        entry_clear(&m->e[i]);
    pthread_mutex_destroy(&m->mu);
}

/* Returns MESSAGE_ID's entry, or NULL (lock held). */
static host_memo_entry_t *find(host_memo_t *m, const char *message_id)
{
    for (size_t i = 0; i < HOST_MEMO_MAX; i++)
        if (m->e[i].message_id != NULL && strcmp(m->e[i].message_id, message_id) == 0)
            return &m->e[i];
    return NULL;
}

/* Returns the entry to fill: a free one, else the oldest (lock held). */
static host_memo_entry_t *slot_for_new(host_memo_t *m)
{
    host_memo_entry_t *oldest = &m->e[0];

    for (size_t i = 0; i < HOST_MEMO_MAX; i++) {
        if (m->e[i].message_id == NULL)
            return &m->e[i];
        if (m->e[i].seq < oldest->seq)
            oldest = &m->e[i];
    }
    return oldest;
}

int host_memo_put(host_memo_t *m, const char *message_id, unsigned flags, const char *reason,
                  const host_output_ref_t *refs, size_t nrefs)
{
    host_memo_entry_t e = { 0 }, *slot;

    e.message_id = strdup(message_id);
    e.reason = strdup(reason);
    e.refs = nrefs > 0 ? malloc(nrefs * sizeof(*refs)) : NULL;
    if (e.message_id == NULL || e.reason == NULL || (nrefs > 0 && e.refs == NULL)) {
        entry_clear(&e);
        return -1;
    }
    if (nrefs > 0)
        memcpy(e.refs, refs, nrefs * sizeof(*refs));
    e.nrefs = nrefs;
    e.flags = flags;
    pthread_mutex_lock(&m->mu);
    e.seq = ++m->seq;
    slot = find(m, message_id);
    if (slot == NULL)
        slot = slot_for_new(m);
    entry_clear(slot);
    *slot = e;
    pthread_mutex_unlock(&m->mu);
    return 0;
}

int host_memo_take(host_memo_t *m, const char *message_id, unsigned *flags, char *reason,
                   size_t reasonlen, host_output_ref_t *refs, size_t maxrefs, size_t *nrefs)
{
    host_memo_entry_t *e;
    int found = 0;

    pthread_mutex_lock(&m->mu);
    e = find(m, message_id);
    if (e != NULL && e->nrefs <= maxrefs) {
        *flags = e->flags;
        snprintf(reason, reasonlen, "%s", e->reason);
        if (e->nrefs > 0)
            memcpy(refs, e->refs, e->nrefs * sizeof(*refs));
        *nrefs = e->nrefs;
        found = 1;
    }
    if (e != NULL)
        entry_clear(e);
    pthread_mutex_unlock(&m->mu);
    return found;
}
