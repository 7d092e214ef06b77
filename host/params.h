/*
 * params — a route's plugin_params, validated against the plugin's table.
 *
 * The plugin declares its parameters (prism_param_spec_t, plugin.h); the
 * host checks the route's JSON object against that table — unknown
 * names, wrong types, out-of-range values, strings outside `choices`,
 * missing required ones — fills in defaults, and hands the plugin a
 * prism_params_t to read the values by name.  Errors name the key path:
 *   routes[0].plugin_params.quality: expected integer 1..100, got "high"
 */
#ifndef HOST_PARAMS_H
#define HOST_PARAMS_H

#include <stddef.h>

#include <jansson.h>

#include "prism/plugin.h"

/* Longest INT_LIST accepted. */
#define HOST_PARAM_LIST_MAX 64

typedef struct host_params_s host_params_t;

/* Checks a plugin's table itself: names present, valid and unique, known
 * types, min <= max, choices only on strings, and every default valid for
 * its own spec.  Returns 0, or -1 with a message in err naming the
 * parameter (a plugin bug, reported at load). */
int host_params_check_specs(const prism_param_spec_t *specs, char *err, size_t errlen);

/* Validates PARAMS (a JSON object; NULL means {}) against SPECS (already
 * checked) and returns the values, defaults filled in.  PATH names the
 * object in messages ("routes[0].plugin_params").  Returns NULL with the
 * first problem in err.  Free with host_params_free(). */
host_params_t *host_params_build(const prism_param_spec_t *specs, const json_t *params,
                                 const char *path, char *err, size_t errlen);

/* Returns the reader handed to the plugin's init; valid while P lives. */
const prism_params_t *host_params_api(host_params_t *p);

/* Returns NULL, or a message naming the first parameter the plugin read
 * through P's reader that its table does not declare (a misspelling):
 * such a read answers 0 / NULL, and the host refuses the instance. */
const char *host_params_misuse(const host_params_t *p);

/* Frees P.  NULL is allowed. */
void host_params_free(host_params_t *p);

#endif
