/*
 * upload_form — an upload form (multipart/form-data) reduced to what the
 * upload handler needs: exactly one file and a few small text fields.
 *
 * The file is the first part with a filename parameter.  Its data is
 * contiguous in the body, so the collector records only its offset and
 * length; the caller reads (and hashes) it in place, e.g. from nginx's
 * temp file.
 * A part with an empty filename and no data is what a browser sends for
 * a file input left empty: it is ignored.
 * Every other part is a metadata field: at most ING_FORM_FIELDS_MAX of
 * them, each value at most ING_FORM_FIELD_MAX bytes, kept in memory.
 *
 * Errors: "no file field", "more than one file field", "form field
 * \"NAME\" too large (over 4096 bytes)", "more than 16 form fields",
 * and every multipart syntax error (see multipart.h).
 */
#ifndef ING_UPLOAD_FORM_H
#define ING_UPLOAD_FORM_H

#include <stddef.h>
#include <stdint.h>

#include "multipart.h"

#define ING_FORM_FIELDS_MAX 16
#define ING_FORM_FIELD_MAX  4096

typedef struct {
    char *name;
    char *value; /* NUL-terminated; value_len counts any NULs inside */
    size_t value_len;
} ing_form_field_t;

typedef struct {
    /* Results: complete once ing_upload_form_finish() returned 0. */
    char *file_field;     /* the file part's name */
    char *filename;       /* its filename parameter (may be "") */
    char *content_type;   /* its declared Content-Type, "" when none */
    uint64_t data_offset; /* body offset of the file's first byte */
    uint64_t data_len;    /* file size */
    ing_form_field_t fields[ING_FORM_FIELDS_MAX];
    size_t nfields;
    int nomem; /* the failure was out of memory, not the client's */

    /* Private. */
    ing_multipart_t mp;
    int current; /* kind of the part being read */
    int have_file;
    char err[ING_MP_ERR_MAX];
} ing_upload_form_t;

/* Prepares f for a body with the given boundary (as returned by
 * ing_multipart_boundary).  Returns 0, or -1 with err set for an invalid
 * boundary; f then needs no ing_upload_form_free (and may be given to
 * it). */
int ing_upload_form_init(ing_upload_form_t *f, const char *boundary, char *err, size_t errlen);

/* Parses the next len bytes of the body.  Returns 0, or -1 with the
 * message in ing_upload_form_error(f); errors are sticky. */
int ing_upload_form_feed(ing_upload_form_t *f, const u_char *buf, size_t len);

/* Declares the end of the body and checks the form holds a file.
 * Returns 0 with every result field set, or -1 with the error set. */
int ing_upload_form_finish(ing_upload_form_t *f);

/* Returns the message of the last failure ("" when none). */
const char *ing_upload_form_error(const ing_upload_form_t *f);

/* Looks up a metadata field by name (the first one when repeated).
 * Returns it, or NULL when absent. */
const ing_form_field_t *ing_upload_form_field(const ing_upload_form_t *f, const char *name);

/* Frees everything f holds (strings, field values).
 * f may then be initialised again. */
void ing_upload_form_free(ing_upload_form_t *f);

#endif
