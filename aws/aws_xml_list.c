#include "aws_xml_list.h"

#include <stdio.h>
#include <string.h>

#include "aws_buf.h"
#include "aws_xml_walk.h"

#define AWS_XML_LIST_MAX_NAMES 8

typedef struct {
    const char *item_path;
    const char *const *names;
    size_t n;
    aws_xml_item_fn fn;
    void *ud;
    int item_depth; /* depth of the open item, 0: none */
    int child;      /* names index being captured, -1: none */
    int seen[AWS_XML_LIST_MAX_NAMES];
    aws_buf_t values[AWS_XML_LIST_MAX_NAMES];
    int count;
} aws_xml_list_t;

/* aws_xml_walk start callback: opens an item or one of its wanted
 * children. */
static const char *aws_xml_list_start(void *ud, const char *path, int depth, const char *local)
{
    aws_xml_list_t *x = ud;
    size_t i;

    if (x->item_depth == 0 && strcmp(path, x->item_path) == 0) {
        x->item_depth = depth;
        for (i = 0; i < x->n; i++) {
            x->seen[i] = 0;
            aws_buf_reset(&x->values[i]);
            if (aws_buf_puts(&x->values[i], "") != 0) {
                return "out of memory parsing XML";
            }
        }
    } else if (x->item_depth != 0 && depth == x->item_depth + 1) {
        for (i = 0; i < x->n; i++) {
            if (!x->seen[i] && strcmp(x->names[i], local) == 0) {
                x->seen[i] = 1;
                x->child = (int) i;
                break;
            }
        }
    }
    return NULL;
}

/* aws_xml_walk end callback: closes a child or an item (calling fn). */
static const char *aws_xml_list_end(void *ud, const char *path, int depth)
{
    aws_xml_list_t *x = ud;
    const char *vals[AWS_XML_LIST_MAX_NAMES];
    size_t i;

    (void) path;
    if (x->child >= 0 && depth == x->item_depth + 1) {
        x->child = -1;
    } else if (x->item_depth != 0 && depth == x->item_depth) {
        for (i = 0; i < x->n; i++) {
            vals[i] = x->values[i].data;
        }
        x->item_depth = 0;
        x->count++;
        if (x->fn(x->ud, vals, x->n) != 0) {
            return "stopped by the caller";
        }
    }
    return NULL;
}

/* aws_xml_walk text callback: appends to the child being captured (text
 * of its own nested elements included). */
static const char *aws_xml_list_text(void *ud, const char *path, const char *s, size_t len)
{
    aws_xml_list_t *x = ud;

    (void) path;
    if (x->child >= 0 && aws_buf_append(&x->values[x->child], s, len) != 0) {
        return "out of memory parsing XML";
    }
    return NULL;
}

int aws_xml_each(const char *doc, size_t len, const char *item_path, const char *const *names,
                 size_t n, aws_xml_item_fn fn, void *ud, char *err, size_t errlen)
{
    static const aws_xml_walk_ops_t ops = { aws_xml_list_start, aws_xml_list_end,
                                            aws_xml_list_text };
    aws_xml_list_t x;
    size_t i;
    int rc;

    if (n > AWS_XML_LIST_MAX_NAMES) {
        snprintf(err, errlen, "at most %d child names", AWS_XML_LIST_MAX_NAMES);
        return -1;
    }
    memset(&x, 0, sizeof(x));
    x.item_path = item_path;
    x.names = names;
    x.n = n;
    x.fn = fn;
    x.ud = ud;
    x.child = -1;
    rc = aws_xml_walk(doc, len, &ops, &x, err, errlen) == 0 ? x.count : -1;
    for (i = 0; i < AWS_XML_LIST_MAX_NAMES; i++) {
        aws_buf_free(&x.values[i]);
    }
    return rc;
}
