#include "aws_xml_list.h"

#include <stdio.h>
#include <string.h>

#include <expat.h>

#include "aws_buf.h"
#include "aws_xml.h"

#define AWS_XML_LIST_MAX_NAMES 8
#define AWS_XML_LIST_NS_SEP    '\x01'

typedef struct {
    XML_Parser          parser;
    const char         *item_path;
    const char *const  *names;
    size_t              n;
    aws_xml_item_fn     fn;
    void               *ud;
    aws_buf_t           path;                      /* "Root/Child" of the open elements */
    size_t              marks[AWS_XML_MAX_DEPTH + 1];
    int                 depth;
    int                 item_depth;                /* depth of the open item, 0: none */
    int                 child;                     /* names index being captured, -1: none */
    int                 seen[AWS_XML_LIST_MAX_NAMES];
    aws_buf_t           values[AWS_XML_LIST_MAX_NAMES];
    int                 count;
    const char         *failure;
} aws_xml_list_t;

/* Stops the parser with a reason. */
static void aws_xml_list_fail(aws_xml_list_t *x, const char *why)
{
    if (x->failure == NULL) {
        x->failure = why;
    }
    XML_StopParser(x->parser, XML_FALSE);
}

/* Expat start-element handler: tracks the path, opens an item or one
 * of its wanted children. */
static void XMLCALL aws_xml_list_start(void *ud, const XML_Char *name, const XML_Char **attrs)
{
    aws_xml_list_t *x = ud;
    const char *local = strrchr(name, AWS_XML_LIST_NS_SEP);
    size_t i;

    (void) attrs;
    if (x->failure != NULL) {
        return;
    }
    local = local ? local + 1 : name;
    if (x->depth >= AWS_XML_MAX_DEPTH) {
        aws_xml_list_fail(x, "XML nested too deeply");
        return;
    }
    x->marks[x->depth++] = x->path.len;
    if ((x->path.len && aws_buf_append(&x->path, "/", 1) != 0)
        || aws_buf_puts(&x->path, local) != 0) {
        aws_xml_list_fail(x, "out of memory parsing XML");
        return;
    }
    if (x->item_depth == 0 && strcmp(x->path.data, x->item_path) == 0) {
        x->item_depth = x->depth;
        for (i = 0; i < x->n; i++) {
            x->seen[i] = 0;
            aws_buf_reset(&x->values[i]);
            if (aws_buf_puts(&x->values[i], "") != 0) {
                aws_xml_list_fail(x, "out of memory parsing XML");
                return;
            }
        }
    } else if (x->item_depth != 0 && x->depth == x->item_depth + 1) {
        for (i = 0; i < x->n; i++) {
            if (!x->seen[i] && strcmp(x->names[i], local) == 0) {
                x->seen[i] = 1;
                x->child = (int) i;
                break;
            }
        }
    }
}

/* Expat end-element handler: closes a child or an item (calling fn). */
static void XMLCALL aws_xml_list_end(void *ud, const XML_Char *name)
{
    aws_xml_list_t *x = ud;
    const char *vals[AWS_XML_LIST_MAX_NAMES];
    size_t i;

    (void) name;
    if (x->failure != NULL) {
        return;
    }
    if (x->child >= 0 && x->depth == x->item_depth + 1) {
        x->child = -1;
    } else if (x->item_depth != 0 && x->depth == x->item_depth) {
        for (i = 0; i < x->n; i++) {
            vals[i] = x->values[i].data;
        }
        x->item_depth = 0;
        x->count++;
        if (x->fn(x->ud, vals, x->n) != 0) {
            aws_xml_list_fail(x, "stopped by the caller");
            return;
        }
    }
    x->depth--;
    x->path.len = x->marks[x->depth];
    x->path.data[x->path.len] = '\0';
}

/* Expat character-data handler: appends to the child being captured
 * (text of its own nested elements included). */
static void XMLCALL aws_xml_list_text(void *ud, const XML_Char *s, int len)
{
    aws_xml_list_t *x = ud;

    if (x->failure != NULL || x->child < 0) {
        return;
    }
    if (aws_buf_append(&x->values[x->child], s, (size_t) len) != 0) {
        aws_xml_list_fail(x, "out of memory parsing XML");
    }
}

/* Expat DOCTYPE handler: refused (no entity expansion). */
static void XMLCALL aws_xml_list_doctype(void *ud, const XML_Char *name, const XML_Char *sysid,
                                         const XML_Char *pubid, int has_internal_subset)
{
    (void) name;
    (void) sysid;
    (void) pubid;
    (void) has_internal_subset;
    aws_xml_list_fail(ud, "XML with a DOCTYPE is not accepted");
}

int aws_xml_each(const char *doc, size_t len, const char *item_path,
                 const char *const *names, size_t n, aws_xml_item_fn fn, void *ud,
                 char *err, size_t errlen)
{
    aws_xml_list_t x;
    size_t i;
    int rc;

    if (n > AWS_XML_LIST_MAX_NAMES) {
        snprintf(err, errlen, "at most %d child names", AWS_XML_LIST_MAX_NAMES);
        return -1;
    }
    if (len > AWS_XML_MAX_DOC) {
        snprintf(err, errlen, "XML document of %zu bytes exceeds the %d byte limit",
                 len, AWS_XML_MAX_DOC);
        return -1;
    }
    memset(&x, 0, sizeof(x));
    x.item_path = item_path;
    x.names = names;
    x.n = n;
    x.fn = fn;
    x.ud = ud;
    x.child = -1;
    x.parser = XML_ParserCreateNS(NULL, AWS_XML_LIST_NS_SEP);
    if (x.parser == NULL || aws_buf_puts(&x.path, "") != 0) {
        snprintf(err, errlen, "out of memory parsing XML");
        rc = -1;
        goto done;
    }
    XML_SetUserData(x.parser, &x);
    XML_SetElementHandler(x.parser, aws_xml_list_start, aws_xml_list_end);
    XML_SetCharacterDataHandler(x.parser, aws_xml_list_text);
    XML_SetStartDoctypeDeclHandler(x.parser, aws_xml_list_doctype);
    if (XML_Parse(x.parser, doc, (int) len, XML_TRUE) != XML_STATUS_OK) {
        if (x.failure != NULL) {
            snprintf(err, errlen, "%s", x.failure);
        } else {
            snprintf(err, errlen, "malformed XML at line %lu: %s",
                     (unsigned long) XML_GetCurrentLineNumber(x.parser),
                     XML_ErrorString(XML_GetErrorCode(x.parser)));
        }
        rc = -1;
    } else {
        rc = x.count;
    }
done:
    if (x.parser != NULL) {
        XML_ParserFree(x.parser);
    }
    aws_buf_free(&x.path);
    for (i = 0; i < AWS_XML_LIST_MAX_NAMES; i++) {
        aws_buf_free(&x.values[i]);
    }
    return rc;
}
