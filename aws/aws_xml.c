#include "aws_xml.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <expat.h>

#include "aws_buf.h"

/* Expat joins namespace URI and local name with this byte. */
#define AWS_XML_NS_SEP '\x01'

typedef struct {
    XML_Parser       parser;
    aws_xml_field_t *fields;
    size_t           nfields;
    unsigned char   *closed;       /* per field: its first match has ended */
    aws_buf_t        path;         /* "Root/Child" of the open elements */
    size_t           marks[AWS_XML_MAX_DEPTH + 1];   /* path length before each level */
    int              depth;
    const char      *failure;      /* why parsing was stopped, or NULL */
} aws_xml_ctx_t;

/* Stops the parser with a reason. */
static void aws_xml_fail(aws_xml_ctx_t *x, const char *why)
{
    if (x->failure == NULL) {
        x->failure = why;
    }
    XML_StopParser(x->parser, XML_FALSE);
}

/* Returns 1 when field i is collecting text at the current element. */
static int aws_xml_capturing(const aws_xml_ctx_t *x, size_t i)
{
    return x->fields[i].found && !x->closed[i] && strcmp(x->fields[i].path, x->path.data) == 0;
}

/* Expat start-element handler: pushes the local name on the path and
 * starts the fields whose path it completes. */
static void XMLCALL aws_xml_start(void *ud, const XML_Char *name, const XML_Char **attrs)
{
    aws_xml_ctx_t *x = ud;
    const char *local = strrchr(name, AWS_XML_NS_SEP);
    size_t i;

    (void) attrs;
    if (x->failure != NULL) {
        return;
    }
    local = local ? local + 1 : name;
    if (x->depth >= AWS_XML_MAX_DEPTH) {
        aws_xml_fail(x, "XML nested too deeply");
        return;
    }
    x->marks[x->depth++] = x->path.len;
    if ((x->path.len && aws_buf_append(&x->path, "/", 1) != 0)
        || aws_buf_puts(&x->path, local) != 0) {
        aws_xml_fail(x, "out of memory parsing XML");
        return;
    }
    for (i = 0; i < x->nfields; i++) {
        if (!x->fields[i].found && strcmp(x->fields[i].path, x->path.data) == 0) {
            x->fields[i].found = 1;
        }
    }
}

/* Expat end-element handler: closes fields matched at this element and
 * pops the path.  Handlers do nothing once parsing failed (expat may
 * still deliver an end tag after XML_StopParser). */
static void XMLCALL aws_xml_end(void *ud, const XML_Char *name)
{
    aws_xml_ctx_t *x = ud;
    size_t i;

    (void) name;
    if (x->failure != NULL) {
        return;
    }
    for (i = 0; i < x->nfields; i++) {
        if (aws_xml_capturing(x, i)) {
            x->closed[i] = 1;
        }
    }
    x->depth--;
    x->path.len = x->marks[x->depth];
    x->path.data[x->path.len] = '\0';
}

/* Expat character-data handler: appends text to the capturing fields. */
static void XMLCALL aws_xml_text(void *ud, const XML_Char *s, int len)
{
    aws_xml_ctx_t *x = ud;
    aws_xml_field_t *f;
    size_t i, have, room, n;

    if (x->failure != NULL || x->depth == 0) {
        return;
    }
    for (i = 0; i < x->nfields; i++) {
        if (!aws_xml_capturing(x, i)) {
            continue;
        }
        f = &x->fields[i];
        have = strlen(f->out);
        room = f->outlen - 1 - have;
        n = (size_t) len;
        if (n > room) {
            n = room;
            f->truncated = 1;
        }
        memcpy(f->out + have, s, n);
        f->out[have + n] = '\0';
    }
}

/* Expat DOCTYPE handler: AWS never sends one; refusing it rules out
 * entity expansion attacks. */
static void XMLCALL aws_xml_doctype(void *ud, const XML_Char *name, const XML_Char *sysid,
                                    const XML_Char *pubid, int has_internal_subset)
{
    (void) name;
    (void) sysid;
    (void) pubid;
    (void) has_internal_subset;
    aws_xml_fail(ud, "XML with a DOCTYPE is not accepted");
}

int aws_xml_extract(const char *doc, size_t len, aws_xml_field_t *fields, size_t nfields,
                    char *err, size_t errlen)
{
    aws_xml_ctx_t x;
    size_t i;
    int rc = 0;

    for (i = 0; i < nfields; i++) {
        fields[i].found = fields[i].truncated = 0;
        fields[i].out[0] = '\0';
    }
    if (len > AWS_XML_MAX_DOC) {
        snprintf(err, errlen, "XML document of %zu bytes exceeds the %d byte limit",
                 len, AWS_XML_MAX_DOC);
        return -1;
    }
    memset(&x, 0, sizeof(x));
    x.fields = fields;
    x.nfields = nfields;
    x.closed = calloc(nfields ? nfields : 1, 1);
    x.parser = XML_ParserCreateNS(NULL, AWS_XML_NS_SEP);
    if (x.closed == NULL || x.parser == NULL || aws_buf_puts(&x.path, "") != 0) {
        snprintf(err, errlen, "out of memory parsing XML");
        rc = -1;
        goto done;
    }
    XML_SetUserData(x.parser, &x);
    XML_SetElementHandler(x.parser, aws_xml_start, aws_xml_end);
    XML_SetCharacterDataHandler(x.parser, aws_xml_text);
    XML_SetStartDoctypeDeclHandler(x.parser, aws_xml_doctype);

    if (XML_Parse(x.parser, doc, (int) len, XML_TRUE) != XML_STATUS_OK) {
        if (x.failure != NULL) {
            snprintf(err, errlen, "%s", x.failure);
        } else {
            snprintf(err, errlen, "malformed XML at line %lu: %s",
                     (unsigned long) XML_GetCurrentLineNumber(x.parser),
                     XML_ErrorString(XML_GetErrorCode(x.parser)));
        }
        rc = -1;
    }

done:
    if (rc != 0) {
        for (i = 0; i < nfields; i++) {
            fields[i].found = fields[i].truncated = 0;
            fields[i].out[0] = '\0';
        }
    }
    if (x.parser != NULL) {
        XML_ParserFree(x.parser);
    }
    aws_buf_free(&x.path);
    free(x.closed);
    return rc;
}
