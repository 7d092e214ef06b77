/*
 * upload_form — one file plus small metadata fields from a
 * multipart/form-data body.  See upload_form.h.
 */
#include "upload_form.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    PART_NONE = 0,
    PART_FILE, /* the file part: offset and length recorded */
    PART_FIELD /* a metadata field: value kept in memory */
};

/* Reports an allocation failure from a callback.  Returns -1. */
static int form_nomem(ing_upload_form_t *f, char *err, size_t errlen)
{
    f->nomem = 1;
    snprintf(err, errlen, "out of memory");
    return -1;
}

/* Frees the file part's strings and forgets the file. */
static void form_drop_file(ing_upload_form_t *f)
{
    free(f->file_field);
    free(f->filename);
    free(f->content_type);
    f->file_field = f->filename = f->content_type = NULL;
    f->data_offset = f->data_len = 0;
    f->have_file = 0;
}

/* part_begin callback: starts the file part or a metadata field.
 * Returns 0, or -1 with err set (second file, too many fields, memory). */
static int form_part_begin(void *ctx, const ing_mp_part_t *part, char *err, size_t errlen)
{
    ing_upload_form_t *f = ctx;
    ing_form_field_t *fld;

    if (part->filename != NULL) {
        if (f->have_file) {
            snprintf(err, errlen, "more than one file field");
            return -1;
        }
        f->have_file = 1;
        f->current = PART_FILE;
        f->data_offset = part->data_offset;
        f->data_len = 0;
        f->file_field = strdup(part->name);
        f->filename = strdup(part->filename);
        f->content_type = strdup(part->content_type);
        if (f->file_field == NULL || f->filename == NULL || f->content_type == NULL) {
            return form_nomem(f, err, errlen);
        }
        return 0;
    }

    if (f->nfields == ING_FORM_FIELDS_MAX) {
        snprintf(err, errlen, "more than %d form fields", ING_FORM_FIELDS_MAX);
        return -1;
    }
    fld = &f->fields[f->nfields++];
    fld->name = strdup(part->name);
    fld->value = malloc(ING_FORM_FIELD_MAX + 1);
    fld->value_len = 0;
    if (fld->name == NULL || fld->value == NULL) {
        return form_nomem(f, err, errlen);
    }
    fld->value[0] = '\0';
    f->current = PART_FIELD;
    return 0;
}

/* part_data callback: counts the file data's length, or appends to the
 * current field's value.  Returns 0, or -1 with err set when a field
 * outgrows ING_FORM_FIELD_MAX. */
static int form_part_data(void *ctx, const u_char *data, size_t len, uint64_t offset, char *err,
                          size_t errlen)
{
    ing_upload_form_t *f = ctx;
    ing_form_field_t *fld;

    (void) offset; /* file data is contiguous: data_offset + data_len */
    if (f->current == PART_FILE) {
        f->data_len += len;
        return 0;
    }
    fld = &f->fields[f->nfields - 1];
    if (len > ING_FORM_FIELD_MAX - fld->value_len) {
        snprintf(err, errlen, "form field \"%.64s\" too large (over %d bytes)", fld->name,
                 ING_FORM_FIELD_MAX);
        return -1;
    }
    memcpy(fld->value + fld->value_len, data, len);
    fld->value_len += len;
    fld->value[fld->value_len] = '\0';
    return 0;
}

/* part_end callback: forgets a file part that is a browser's empty file
 * input (empty filename, no data).  Returns 0. */
static int form_part_end(void *ctx, char *err, size_t errlen)
{
    ing_upload_form_t *f = ctx;

    (void) err;
    (void) errlen;
    if (f->current == PART_FILE && f->filename[0] == '\0' && f->data_len == 0) {
        form_drop_file(f);
    }
    f->current = PART_NONE;
    return 0;
}

static const ing_mp_callbacks_t form_callbacks = { form_part_begin, form_part_data, form_part_end };

int ing_upload_form_init(ing_upload_form_t *f, const char *boundary, char *err, size_t errlen)
{
    memset(f, 0, offsetof(ing_upload_form_t, mp));
    f->current = PART_NONE;
    f->have_file = 0;
    f->err[0] = '\0';
    return ing_multipart_init(&f->mp, boundary, &form_callbacks, f, err, errlen);
}

int ing_upload_form_feed(ing_upload_form_t *f, const u_char *buf, size_t len)
{
    if (ing_multipart_feed(&f->mp, buf, len) != 0) {
        snprintf(f->err, sizeof(f->err), "%s", ing_multipart_error(&f->mp));
        return -1;
    }
    return 0;
}

int ing_upload_form_finish(ing_upload_form_t *f)
{
    if (ing_multipart_finish(&f->mp) != 0) {
        snprintf(f->err, sizeof(f->err), "%s", ing_multipart_error(&f->mp));
        return -1;
    }
    if (!f->have_file) {
        snprintf(f->err, sizeof(f->err), "no file field");
        return -1;
    }
    return 0;
}

const char *ing_upload_form_error(const ing_upload_form_t *f)
{
    return f->err;
}

const ing_form_field_t *ing_upload_form_field(const ing_upload_form_t *f, const char *name)
{
    size_t i;

    for (i = 0; i < f->nfields; i++) {
        if (f->fields[i].name != NULL && strcmp(f->fields[i].name, name) == 0) {
            return &f->fields[i];
        }
    }
    return NULL;
}

void ing_upload_form_free(ing_upload_form_t *f)
{
    size_t i;

    form_drop_file(f);
    for (i = 0; i < f->nfields; i++) {
        free(f->fields[i].name);
        free(f->fields[i].value);
    }
    f->nfields = 0;
}
