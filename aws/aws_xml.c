#include "aws_xml.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws_xml_walk.h"

typedef struct {
    aws_xml_field_t *fields;
    size_t nfields;
    unsigned char *closed; /* per field: its first match has ended */
} aws_xml_ctx_t;

/* Returns 1 when field i is collecting text at the element at path. */
static int aws_xml_capturing(const aws_xml_ctx_t *x, size_t i, const char *path)
{
    return x->fields[i].found && !x->closed[i] && strcmp(x->fields[i].path, path) == 0;
}

/* aws_xml_walk start callback: starts the fields whose path the element
 * completes. */
static const char *aws_xml_start(void *ud, const char *path, int depth, const char *local)
{
    aws_xml_ctx_t *x = ud;
    size_t i;

    (void) depth;
    (void) local;
    for (i = 0; i < x->nfields; i++) {
        if (!x->fields[i].found && strcmp(x->fields[i].path, path) == 0) {
            x->fields[i].found = 1;
        }
    }
    return NULL;
}

/* aws_xml_walk end callback: closes the fields matched at the element. */
static const char *aws_xml_end(void *ud, const char *path, int depth)
{
    aws_xml_ctx_t *x = ud;
    size_t i;

    (void) depth;
    for (i = 0; i < x->nfields; i++) {
        if (aws_xml_capturing(x, i, path)) {
            x->closed[i] = 1;
        }
    }
    return NULL;
}

/* aws_xml_walk text callback: appends text to the capturing fields. */
static const char *aws_xml_text(void *ud, const char *path, const char *s, size_t len)
{
    aws_xml_ctx_t *x = ud;
    aws_xml_field_t *f;
    size_t i, have, room, n;

    for (i = 0; i < x->nfields; i++) {
        if (!aws_xml_capturing(x, i, path)) {
            continue;
        }
        f = &x->fields[i];
        have = strlen(f->out);
        room = f->outlen - 1 - have;
        n = len;
        if (n > room) {
            n = room;
            f->truncated = 1;
        }
        memcpy(f->out + have, s, n);
        f->out[have + n] = '\0';
    }
    return NULL;
}

/* Empties every field. */
static void aws_xml_reset(aws_xml_field_t *fields, size_t nfields)
{
    size_t i;

    for (i = 0; i < nfields; i++) {
        fields[i].found = fields[i].truncated = 0;
        fields[i].out[0] = '\0';
    }
}

int aws_xml_extract(const char *doc, size_t len, aws_xml_field_t *fields, size_t nfields, char *err,
                    size_t errlen)
{
    static const aws_xml_walk_ops_t ops = { aws_xml_start, aws_xml_end, aws_xml_text };
    aws_xml_ctx_t x = { fields, nfields, NULL };
    int rc;

    aws_xml_reset(fields, nfields);
    x.closed = calloc(nfields ? nfields : 1, 1);
    if (x.closed == NULL) {
        snprintf(err, errlen, "out of memory parsing XML");
        return -1;
    }
    rc = aws_xml_walk(doc, len, &ops, &x, err, errlen);
    if (rc != 0) {
        aws_xml_reset(fields, nfields);
    }
    free(x.closed);
    return rc;
}
