#include "aws_attrs.h"

#include <stdlib.h>
#include <string.h>

/* Returns the entry named NAME, or NULL. */
static aws_attr_t *aws_attrs_find(const aws_attrs_t *a, const char *name)
{
    size_t i;

    for (i = 0; i < a->n; i++) {
        if (strcmp(a->items[i].name, name) == 0) {
            return &a->items[i];
        }
    }
    return NULL;
}

int aws_attrs_set(aws_attrs_t *a, const char *name, const char *value)
{
    aws_attr_t *e = aws_attrs_find(a, name), *items;
    char *v = strdup(value), *nm;
    size_t cap;

    if (v == NULL) {
        return -1;
    }
    if (e != NULL) {
        free(e->value);
        e->value = v;
        return 0;
    }
    if (a->n == a->cap) {
        cap = a->cap ? a->cap * 2 : 8;
        items = realloc(a->items, cap * sizeof(*items));
        if (items == NULL) {
            free(v);
            return -1;
        }
        a->items = items;
        a->cap = cap;
    }
    if ((nm = strdup(name)) == NULL) {
        free(v);
        return -1;
    }
    a->items[a->n].name = nm;
    a->items[a->n].value = v;
    a->n++;
    return 0;
}

const char *aws_attrs_get(const aws_attrs_t *a, const char *name)
{
    const aws_attr_t *e = aws_attrs_find(a, name);

    return e != NULL ? e->value : NULL;
}

void aws_attrs_free(aws_attrs_t *a)
{
    size_t i;

    for (i = 0; i < a->n; i++) {
        free(a->items[i].name);
        free(a->items[i].value);
    }
    free(a->items);
    a->items = NULL;
    a->n = a->cap = 0;
}
