/*
 * grayscale — an out-of-tree prism plugin, as small as a real one gets.
 *
 * Converts a binary PPM (P6, 8-bit) original to a grayscale PGM (P5)
 * derivative "gray.pgm", with BT.601 or BT.709 luma weights; optionally
 * also emits the original unchanged as "original".  It declares that it
 * accepts image/x-portable-pixmap only, so prism-host dead-letters any
 * other type without calling it; bytes that are not P6 anyway are
 * rejected with a reason (it lands in the route's DLQ).  It needs nothing
 * but libc and prism/plugin.h:
 *
 *   cc -shared -fPIC -o grayscale.so grayscale.c -I$PREFIX/include
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <prism/plugin.h>

typedef struct {
    unsigned wr, wg, wb, scale; /* luma = (wr*R + wg*G + wb*B + scale/2) / scale */
    int keep_original;
    unsigned char *out; /* reused between images */
    size_t out_cap;
} gray_state_t;

/* What it reads: the host dead-letters anything else before process(). */
static const char *const gray_accepts[] = { "image/x-portable-pixmap", NULL };

static const prism_param_spec_t gray_params[] = {
    { "weights", PRISM_PARAM_STRING, "bt601", 0, 0, "bt601|bt709", "luma coefficients" },
    { "keep_original", PRISM_PARAM_BOOL, "false", 0, 0, NULL,
      "also emit the original as \"original\"" },
    { NULL, 0, NULL, 0, 0, NULL, NULL }
};

/* Builds the state from the validated params. */
static int gray_init(const prism_params_t *params, void **state, char *err, size_t errlen)
{
    gray_state_t *st = calloc(1, sizeof(*st));

    if (st == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (strcmp(params->get_string(params, "weights"), "bt709") == 0) {
        st->wr = 2126, st->wg = 7152, st->wb = 722, st->scale = 10000;
    } else {
        st->wr = 299, st->wg = 587, st->wb = 114, st->scale = 1000;
    }
    st->keep_original = params->get_bool(params, "keep_original");
    *state = st;
    return 0;
}

/* Reads the next header number of a PNM at *pos (skipping whitespace and
 * comments).  Returns it, or -1 when there is none or it is over 65535. */
static long pnm_number(const unsigned char *p, size_t len, size_t *pos)
{
    long v = -1;

    while (*pos < len) {
        if (p[*pos] == '#') {
            while (*pos < len && p[*pos] != '\n')
                (*pos)++;
        } else if (p[*pos] == ' ' || p[*pos] == '\t' || p[*pos] == '\r' || p[*pos] == '\n') {
            (*pos)++;
        } else {
            break;
        }
    }
    while (*pos < len && p[*pos] >= '0' && p[*pos] <= '9') {
        v = (v < 0 ? 0 : v * 10) + (p[*pos] - '0');
        if (v > 65535)
            return -1;
        (*pos)++;
    }
    return v;
}

/* Converts the P6 image in `in` to a P5 image and emits it. */
static prism_result_t gray_process(void *state, const prism_input_t *in, prism_output_t *out)
{
    gray_state_t *st = state;
    size_t pos = 2, npix, hlen;
    long w, h, maxval;
    char header[32];

    if (in->len < 2 || in->data[0] != 'P' || in->data[1] != '6') {
        out->set_reason(out, "unsupported input (%s): grayscale reads binary PPM (P6) only",
                        in->content_type != NULL ? in->content_type : "unknown type");
        return PRISM_REJECT;
    }
    w = pnm_number(in->data, in->len, &pos);
    h = pnm_number(in->data, in->len, &pos);
    maxval = pnm_number(in->data, in->len, &pos);
    if (w <= 0 || h <= 0 || maxval != 255 || pos >= in->len) {
        out->set_reason(out, "corrupt or unsupported PPM header (8-bit P6 only)");
        return PRISM_REJECT;
    }
    pos++; /* the single whitespace before the pixels */
    npix = (size_t) w * (size_t) h;
    if (in->len - pos < npix * 3) {
        out->set_reason(out, "truncated PPM: %ldx%ld needs %zu bytes of pixels, has %zu", w, h,
                        npix * 3, in->len - pos);
        return PRISM_REJECT;
    }
    hlen = (size_t) snprintf(header, sizeof(header), "P5\n%ld %ld\n255\n", w, h);
    if (st->out_cap < hlen + npix) {
        unsigned char *p = realloc(st->out, hlen + npix);
        if (p == NULL) {
            out->set_reason(out, "out of memory for %zu bytes", hlen + npix);
            return PRISM_RETRY;
        }
        st->out = p;
        st->out_cap = hlen + npix;
    }
    memcpy(st->out, header, hlen);
    for (size_t i = 0; i < npix; i++) {
        const unsigned char *px = in->data + pos + 3 * i;
        st->out[hlen + i] =
            (unsigned char) ((st->wr * px[0] + st->wg * px[1] + st->wb * px[2] + st->scale / 2)
                             / st->scale);
    }
    if (out->emit(out, "gray.pgm", "image/x-portable-graymap", st->out, hlen + npix) != 0)
        return PRISM_RETRY;
    if (st->keep_original && out->emit(out, "original", in->content_type, in->data, in->len) != 0)
        return PRISM_RETRY;
    out->log(out, PRISM_LOG_DEBUG, "%ldx%ld to grayscale", w, h);
    return PRISM_OK;
}

/* Frees the state. */
static void gray_destroy(void *state)
{
    gray_state_t *st = state;

    if (st != NULL) {
        free(st->out);
        free(st);
    }
}

PRISM_PLUGIN_EXPORT const prism_plugin_t prism_plugin = {
    .abi_version = PRISM_PLUGIN_ABI_VERSION,
    .name = "grayscale",
    .version = "1.0.0",
    .description = "binary PPM to grayscale PGM (example plugin)",
    .params = gray_params,
    .accepts = gray_accepts,
    .init = gray_init,
    .process = gray_process,
    .destroy = gray_destroy,
};
