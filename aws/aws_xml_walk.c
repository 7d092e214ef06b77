#include "aws_xml_walk.h"

#include <stdio.h>
#include <string.h>

#include <expat.h>

#include "aws_buf.h"
#include "aws_xml.h"

/* Expat joins namespace URI and local name with this byte. */
#define AWS_XML_NS_SEP '\x01'

typedef struct {
    XML_Parser parser;
    const aws_xml_walk_ops_t *ops;
    void *ud;
    aws_buf_t path;                      /* "Root/Child" of the open elements */
    size_t marks[AWS_XML_MAX_DEPTH + 1]; /* path length before each level */
    int depth;
    const char *failure; /* why parsing was stopped, or NULL */
} aws_xml_walker_t;

/* Stops the parser with a reason (NULL: nothing to stop for).
 * Returns 1 when it stopped. */
static int aws_xml_walk_fail(aws_xml_walker_t *w, const char *why)
{
    if (why == NULL) {
        return 0;
    }
    if (w->failure == NULL) {
        w->failure = why;
    }
    XML_StopParser(w->parser, XML_FALSE);
    return 1;
}

/* Expat start-element handler: pushes the local name on the path, then
 * calls ops->start.  Handlers do nothing once parsing failed (expat may
 * still deliver events after XML_StopParser). */
static void XMLCALL aws_xml_walk_start(void *ud, const XML_Char *name, const XML_Char **attrs)
{
    aws_xml_walker_t *w = ud;
    const char *local = strrchr(name, AWS_XML_NS_SEP);

    (void) attrs;
    if (w->failure != NULL) {
        return;
    }
    local = local ? local + 1 : name;
    if (w->depth >= AWS_XML_MAX_DEPTH) {
        aws_xml_walk_fail(w, "XML nested too deeply");
        return;
    }
    w->marks[w->depth++] = w->path.len;
    if ((w->path.len && aws_buf_append(&w->path, "/", 1) != 0)
        || aws_buf_puts(&w->path, local) != 0) {
        aws_xml_walk_fail(w, "out of memory parsing XML");
        return;
    }
    aws_xml_walk_fail(w, w->ops->start(w->ud, w->path.data, w->depth, local));
}

/* Expat end-element handler: calls ops->end, then pops the path. */
static void XMLCALL aws_xml_walk_end(void *ud, const XML_Char *name)
{
    aws_xml_walker_t *w = ud;

    (void) name;
    if (w->failure != NULL || aws_xml_walk_fail(w, w->ops->end(w->ud, w->path.data, w->depth))) {
        return;
    }
    w->depth--;
    w->path.len = w->marks[w->depth];
    w->path.data[w->path.len] = '\0';
}

/* Expat character-data handler: text inside an element to ops->text. */
static void XMLCALL aws_xml_walk_text(void *ud, const XML_Char *s, int len)
{
    aws_xml_walker_t *w = ud;

    if (w->failure != NULL || w->depth == 0) {
        return;
    }
    aws_xml_walk_fail(w, w->ops->text(w->ud, w->path.data, s, (size_t) len));
}

/* Expat DOCTYPE handler: AWS never sends one; refusing it rules out
 * entity expansion attacks. */
static void XMLCALL aws_xml_walk_doctype(void *ud, const XML_Char *name, const XML_Char *sysid,
                                         const XML_Char *pubid, int has_internal_subset)
{
    (void) name;
    (void) sysid;
    (void) pubid;
    (void) has_internal_subset;
    aws_xml_walk_fail(ud, "XML with a DOCTYPE is not accepted");
}

int aws_xml_walk(const char *doc, size_t len, const aws_xml_walk_ops_t *ops, void *ud, char *err,
                 size_t errlen)
{
    aws_xml_walker_t w;
    int rc = 0;

    if (len > AWS_XML_MAX_DOC) {
        snprintf(err, errlen, "XML document of %zu bytes exceeds the %d byte limit", len,
                 AWS_XML_MAX_DOC);
        return -1;
    }
    memset(&w, 0, sizeof(w));
    w.ops = ops;
    w.ud = ud;
    w.parser = XML_ParserCreateNS(NULL, AWS_XML_NS_SEP);
    if (w.parser == NULL || aws_buf_puts(&w.path, "") != 0) {
        snprintf(err, errlen, "out of memory parsing XML");
        rc = -1;
        goto done;
    }
    XML_SetUserData(w.parser, &w);
    XML_SetElementHandler(w.parser, aws_xml_walk_start, aws_xml_walk_end);
    XML_SetCharacterDataHandler(w.parser, aws_xml_walk_text);
    XML_SetStartDoctypeDeclHandler(w.parser, aws_xml_walk_doctype);
    if (XML_Parse(w.parser, doc, (int) len, XML_TRUE) != XML_STATUS_OK) {
        if (w.failure != NULL) {
            snprintf(err, errlen, "%s", w.failure);
        } else {
            snprintf(err, errlen, "malformed XML at line %lu: %s",
                     (unsigned long) XML_GetCurrentLineNumber(w.parser),
                     XML_ErrorString(XML_GetErrorCode(w.parser)));
        }
        rc = -1;
    }
done:
    if (w.parser != NULL) {
        XML_ParserFree(w.parser);
    }
    aws_buf_free(&w.path);
    return rc;
}
