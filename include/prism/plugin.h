/*
 * prism plugin ABI — the one header a plugin author needs.
 *
 * A plugin is a shared object exporting one symbol, `prism_plugin`, a
 * `prism_plugin_t` descriptor.  prism-host dlopen()s it, refuses it when
 * `abi_version` differs from PRISM_PLUGIN_ABI_VERSION, validates the
 * route's params against `params` (types, ranges, defaults), dead-letters
 * every message whose image type is not in `accepts`, then calls
 * `init` once per worker, `process` once per message, `destroy` at exit
 * or reload.  A plugin does no network I/O and links no AWS code: it gets
 * the original's bytes and emits derivatives through `prism_output_t`.
 *
 * Out of tree:  cc -shared -fPIC -fvisibility=hidden -o myplugin.so myplugin.c -I<prefix>/include
 * (-fvisibility=hidden keeps everything but the descriptor private, see
 * PRISM_PLUGIN_EXPORT below).
 *
 * Threading: a plugin instance (the state returned by init) is used by
 * one thread at a time; distinct instances may run concurrently.
 */
#ifndef PRISM_PLUGIN_H
#define PRISM_PLUGIN_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* 2: `accepts` added after `params` */
#define PRISM_PLUGIN_ABI_VERSION 2
#define PRISM_PLUGIN_SYMBOL      "prism_plugin"

/* What happened to one message; the host owns the policy that follows. */
typedef enum {
    PRISM_OK = 0,    /* outputs emitted; the host stores them, then deletes the message */
    PRISM_RETRY = 1, /* transient trouble: leave the message for redelivery */
    PRISM_REJECT =
        2 /* never going to work (corrupt, too large, unsupported): DLQ with the reason */
} prism_result_t;

typedef enum {
    PRISM_LOG_ERROR = 0,
    PRISM_LOG_WARN,
    PRISM_LOG_INFO,
    PRISM_LOG_DEBUG
} prism_log_level_t;

/* One declared parameter.  The host parses the route's JSON params with
 * this table: unknown names and wrong types are config errors, missing
 * ones take `default_value`.  The same table documents the plugin. */
typedef enum {
    PRISM_PARAM_INT,     /* integer within [min, max] */
    PRISM_PARAM_DOUBLE,  /* number within [min, max] */
    PRISM_PARAM_BOOL,    /* true/false */
    PRISM_PARAM_STRING,  /* any string; `choices` ("a|b|c") restricts it when set */
    PRISM_PARAM_INT_LIST /* JSON array of integers each within [min, max], or one integer */
} prism_param_type_t;

typedef struct {
    const char *name;
    prism_param_type_t type;
    const char *default_value; /* text form ("85", "true", "128,256"); NULL = required */
    double min, max;           /* numeric types; both 0 = unbounded */
    const char *choices;       /* PRISM_PARAM_STRING only, "|"-separated, or NULL */
    const char *description;
} prism_param_spec_t;

/* Validated parameter values, read by name.  A name not in the plugin's
 * table reads as 0 / NULL, and when init read one the host refuses the
 * instance, naming it ("plugin NAME read an undeclared parameter: ...",
 * reported by prism-host -t): a misspelling fails loudly.  The strings
 * live as long as the instance. */
typedef struct prism_params prism_params_t;
struct prism_params {
    void *host;
    long (*get_int)(const prism_params_t *p, const char *name);
    double (*get_double)(const prism_params_t *p, const char *name);
    int (*get_bool)(const prism_params_t *p, const char *name);
    const char *(*get_string)(const prism_params_t *p, const char *name);
    /* Copies up to `max` integers into `out`; returns how many there are. */
    size_t (*get_int_list)(const prism_params_t *p, const char *name, long *out, size_t max);
};

/* The original and what the upload event said about it. */
typedef struct {
    const unsigned char *data; /* the original's bytes */
    size_t len;
    const char *key;          /* the original's object key */
    const char *content_type; /* from the event (sniffed at ingress), or NULL */
    long width, height;       /* from the event, 0 when unknown */
    const char *image_id;     /* may be NULL */
    const char *request_id;   /* the upload's request id, may be NULL */
} prism_input_t;

/* Where derivatives go.  `emit` copies the bytes (the plugin keeps
 * ownership of `data`); `suffix` names the derivative within the
 * message ("256.jpg"): [A-Za-z0-9._-], at most 64 characters, unique per
 * message.  The host derives the final key from the original's key, the
 * route and the suffix, so a redelivery overwrites the same objects.
 * `emit` returns 0, or -1 when the host refuses (bad suffix, no memory):
 * the plugin then returns PRISM_RETRY or PRISM_REJECT.
 * `set_reason` records why a RETRY or REJECT happened (printf-style);
 * the host logs it and, on reject, sends it to the DLQ as an attribute. */
typedef struct prism_output prism_output_t;
struct prism_output {
    void *host;
    int (*emit)(prism_output_t *out, const char *suffix, const char *content_type, const void *data,
                size_t len);
    void (*set_reason)(prism_output_t *out, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));
    void (*log)(prism_output_t *out, prism_log_level_t level, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
};

typedef struct {
    int abi_version;     /* PRISM_PLUGIN_ABI_VERSION */
    const char *name;    /* [a-z0-9_-]+ */
    const char *version; /* the plugin's own version, e.g. "1.0.0" */
    const char *description;
    const prism_param_spec_t *params; /* terminated by an entry with name == NULL */

    /* The MIME types of the originals the plugin decodes, NULL-terminated
     * ("image/jpeg", "image/png", ..., NULL); required, 1 to 32 entries,
     * lower-case "type/subtype".  The host dead-letters a message of any
     * other type (the event's contentType, else the type sniffed from the
     * original's bytes) without calling process(); prism-host -t prints
     * the list, and prism-provision can make it a route's SNS filter
     * policy ("filter_from_plugin"). */
    const char *const *accepts;

    /* Builds an instance from validated params into *state.  Returns 0, or
     * -1 with a message in err (at most errlen bytes, NUL-terminated) when
     * the values are inconsistent; `prism-host -t` reports it. */
    int (*init)(const prism_params_t *params, void **state, char *err, size_t errlen);

    /* Processes one original.  Must not exit(), abort on bad input, or
     * keep pointers into `in` after returning. */
    prism_result_t (*process)(void *state, const prism_input_t *in, prism_output_t *out);

    /* Frees what init made.  state may be NULL. */
    void (*destroy)(void *state);
} prism_plugin_t;

/* The descriptor's visibility: the one symbol a plugin exports.  Define it
 *
 *     PRISM_PLUGIN_EXPORT const prism_plugin_t prism_plugin = { ... };
 *
 * and build with -fvisibility=hidden: the plugin's own functions and any
 * static library it carries stay private to it (no clash with the host's
 * or another plugin's symbols), while prism-host still finds the
 * descriptor with dlsym(). */
#if defined(__GNUC__) || defined(__clang__)
#define PRISM_PLUGIN_EXPORT __attribute__((visibility("default")))
#else
#define PRISM_PLUGIN_EXPORT
#endif

/* The descriptor a plugin defines (PRISM_PLUGIN_SYMBOL). */
extern PRISM_PLUGIN_EXPORT const prism_plugin_t prism_plugin;

#ifdef __cplusplus
}
#endif
#endif /* PRISM_PLUGIN_H */
