/*
 * key_template — the generated part of an object key.
 *
 * A template is literal text with variables in braces:
 *   "uploads/{yyyy}/{mm}/{dd}/{id}.{ext}"
 * Variables:
 *   {id}          the image id            {ext}       file extension ("jpg")
 *   {yyyy} {mm}   UTC year, month         {dd} {hh}   UTC day, hour (2 digits)
 *   {sha256}      SHA-256 of the file, hex {sha256_8}  its first 8 hex digits
 *   {request_id}  the request's id
 * Literal text may use A-Z a-z 0-9 and / . _ - = ! * ' ( ) (S3's "safe"
 * characters plus '/' and '='); there is no escape for braces.
 * A variable's value may only hold A-Z a-z 0-9 / . _ - and must not be
 * empty.  Every key, expanded or not, must also be safe (see
 * ing_key_check), so no upload can name a path outside its prefix.
 */
#ifndef ING_KEY_TEMPLATE_H
#define ING_KEY_TEMPLATE_H

#include <stddef.h>
#include <time.h>

#define ING_KEY_MAX 1024 /* S3's limit, in bytes */

/* The values a template can use; a NULL string is "not available",
 * which fails only a template that uses it. */
typedef struct {
    const char *id;
    const char *ext;
    const char *sha256; /* hex, at least 8 digits for {sha256_8} */
    const char *request_id;
    time_t time; /* the upload's time, for yyyy mm dd hh (UTC) */
} ing_key_vars_t;

/* Validates a template at configuration time (for `nginx -t`): braces
 * balanced, only known variables, only allowed literal characters, no
 * leading '/', no "..".  Returns 0, or -1 with err naming the problem. */
int ing_key_template_check(const char *tpl, char *err, size_t errlen);

/* Expands tpl with vars into out (outlen bytes, NUL-terminated) and
 * checks the result with ing_key_check.  Returns 0, or -1 with err set
 * when the template is invalid, a variable it uses is missing, empty or
 * holds a character outside A-Z a-z 0-9 / . _ -, or the key is unsafe or
 * does not fit out or ING_KEY_MAX. */
int ing_key_expand(const char *tpl, const ing_key_vars_t *vars, char *out, size_t outlen, char *err,
                   size_t errlen);

/* Checks that key is a safe object key: 1..ING_KEY_MAX bytes of valid
 * UTF-8, not starting or ending with '/', no empty segment ("//"), no
 * "." segment, no ".." anywhere, no control characters, no backslash.
 * Use it on the full key (prefix + expansion).  Returns 0, or -1 with
 * err set. */
int ing_key_check(const char *key, char *err, size_t errlen);

/* Checks the value of an nginx variable (named name, without its '$')
 * that a key prefix or template uses: it stays one path segment of
 * literal text, so no value can leave the prefix around it or add a
 * placeholder.  Every byte must be one of A-Z a-z 0-9 . _ - = ! * ' ( )
 * (no '/', no braces, no '%', no spaces, no control characters); an
 * empty value passes (the full key is checked afterwards: an empty
 * segment there is refused).  Returns 0, or -1 with err set. */
int ing_key_value_check(const char *name, const char *val, size_t len, char *err, size_t errlen);

#endif
