/*
 * accepts — a plugin's list of the image types it decodes (the
 * descriptor's `accepts`, see prism/plugin.h): checking the list a
 * plugin declares, matching a message's type against it, and writing it
 * out for messages and reports.
 */
#ifndef HOST_ACCEPTS_H
#define HOST_ACCEPTS_H

#include <stddef.h>

/* The most types a plugin may declare. */
#define HOST_ACCEPTS_MAX 32

/* Checks a declared list: not NULL, 1 to HOST_ACCEPTS_MAX entries before
 * the NULL, each a lower-case media type "type/subtype" of
 * [a-z0-9!#$&^_.+-] (no parameters), no duplicates.  Returns 0, or -1
 * with the reason in why. */
int host_accepts_check(const char *const *accepts, char *why, size_t whylen);

/* Whether TYPE (a media type, any case; parameters after ';' and
 * surrounding blanks are ignored) is in the checked list ACCEPTS. */
int host_accepts_has(const char *const *accepts, const char *type);

/* Whether plugin NAME, accepting the checked list ACCEPTS, must be
 * spared a message of TYPE: returns 0 when TYPE is accepted, else 1 with
 * the reason in buf ("image/jpeg is not a type plugin NAME accepts
 * (image/png)"; SNIFFED adds that the type came from the original's
 * bytes, not from the event). */
int host_accepts_refuse(const char *const *accepts, const char *name, const char *type, int sniffed,
                        char *buf, size_t len);

/* Writes the list into buf joined by SEP ("image/jpeg, image/png"),
 * truncating to len - 1 bytes (always NUL-terminated).  Returns buf. */
char *host_accepts_format(const char *const *accepts, const char *sep, char *buf, size_t len);

#endif
