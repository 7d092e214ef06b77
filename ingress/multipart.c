/*
 * multipart — streaming multipart/form-data parser.  See multipart.h.
 *
 * The body is scanned for the delimiter "\r\n--" boundary.  The body's
 * first delimiter may lack the CRLF, so parsing starts as if "\r\n" had
 * already been matched.  A boundary never contains CR (checked at init),
 * so CR occurs in the delimiter only at its first byte: when a partial
 * match fails, none of the matched bytes can start another match and
 * they are plain data, equal to the delimiter's prefix; the byte that
 * failed is scanned again.
 */
#include "multipart.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

enum {
    ST_PREAMBLE = 0, /* before the first delimiter: discarded */
    ST_BOUNDARY_END, /* just after a delimiter: "--", padding or CRLF */
    ST_CLOSE_DASH,   /* after "--boundary-": expects the second '-' */
    ST_PADDING,      /* transport padding after a delimiter */
    ST_BOUNDARY_LF,  /* after the CR that ends a delimiter line */
    ST_HEADERS,      /* collecting a part's header block */
    ST_DATA,         /* inside a part's data */
    ST_EPILOGUE,     /* after the close delimiter: discarded */
    ST_ERROR
};

#define MP_IS_OWS(c) ((c) == ' ' || (c) == '\t')

/* Records a printf-formatted error in p and moves it to ST_ERROR.
 * Returns -1 so callers can `return mp_fail(...)`. */
static int __attribute__((format(printf, 2, 3))) mp_fail(ing_multipart_t *p, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(p->err, sizeof(p->err), fmt, ap);
    va_end(ap);
    p->state = ST_ERROR;
    return -1;
}

/* Turns a callback's -1 into a parse failure, keeping the message the
 * callback wrote (or a generic one when it wrote none).  Returns -1. */
static int mp_callback_failed(ing_multipart_t *p)
{
    if (p->err[0] == '\0') {
        snprintf(p->err, sizeof(p->err), "multipart parse stopped by the caller");
    }
    p->state = ST_ERROR;
    return -1;
}

/* Checks a boundary of len bytes: 1..70 bytes of visible ASCII or space,
 * not ending in a space.  Returns 0, or -1 with err set. */
static int mp_boundary_check(const char *b, size_t len, char *err, size_t errlen)
{
    size_t i;

    if (len == 0) {
        snprintf(err, errlen, "empty multipart boundary");
        return -1;
    }
    if (len > ING_MP_BOUNDARY_MAX) {
        snprintf(err, errlen, "multipart boundary longer than %d characters", ING_MP_BOUNDARY_MAX);
        return -1;
    }
    for (i = 0; i < len; i++) {
        if ((u_char) b[i] < 0x20 || (u_char) b[i] > 0x7e) {
            snprintf(err, errlen, "multipart boundary holds an invalid character (0x%02x)",
                     (u_char) b[i]);
            return -1;
        }
    }
    if (b[len - 1] == ' ') {
        snprintf(err, errlen, "multipart boundary ends with a space");
        return -1;
    }
    return 0;
}

/* Returns non-zero when c may appear in an HTTP token (RFC 9110 tchar). */
static int mp_is_tchar(u_char c)
{
    return c > 0x20 && c < 0x7f && strchr("\"(),/:;<=>?@[\\]{}", c) == NULL;
}

int ing_multipart_boundary(const char *content_type, size_t len, char *out, size_t outlen,
                           char *err, size_t errlen)
{
    static const char type[] = "multipart/form-data";
    const char *s = content_type, *end = content_type + len, *name;
    size_t nlen, blen = 0;
    int found = 0;
    char value[ING_MP_BOUNDARY_MAX + 1];

    while (s < end && MP_IS_OWS(*s)) {
        s++;
    }
    if ((size_t) (end - s) < sizeof(type) - 1 || strncasecmp(s, type, sizeof(type) - 1) != 0
        || (s + sizeof(type) - 1 < end && mp_is_tchar((u_char) s[sizeof(type) - 1]))) {
        snprintf(err, errlen, "Content-Type is not multipart/form-data");
        return -1;
    }
    s += sizeof(type) - 1;

    for (;;) {
        while (s < end && MP_IS_OWS(*s)) {
            s++;
        }
        if (s == end) {
            break;
        }
        if (*s++ != ';') {
            snprintf(err, errlen, "malformed Content-Type parameters");
            return -1;
        }
        while (s < end && MP_IS_OWS(*s)) {
            s++;
        }
        if (s == end) {
            break;
        }
        name = s;
        while (s < end && mp_is_tchar((u_char) *s)) {
            s++;
        }
        nlen = (size_t) (s - name);
        if (nlen == 0 || s == end || *s != '=') {
            snprintf(err, errlen, "malformed Content-Type parameter");
            return -1;
        }
        s++;

        /* The value, a quoted string or a token, is collected into
         * value[] while it fits; blen counts its full length. */
        blen = 0;
        if (s < end && *s == '"') {
            for (s++; s < end && *s != '"'; s++) {
                if (*s == '\\' && s + 1 < end) {
                    s++;
                }
                if (blen < sizeof(value)) {
                    value[blen] = *s;
                }
                blen++;
            }
            if (s == end) {
                snprintf(err, errlen, "unterminated quoted string in Content-Type");
                return -1;
            }
            s++;
        } else {
            for (; s < end && mp_is_tchar((u_char) *s); s++) {
                if (blen < sizeof(value)) {
                    value[blen] = *s;
                }
                blen++;
            }
        }

        if (nlen != sizeof("boundary") - 1 || strncasecmp(name, "boundary", nlen) != 0) {
            continue;
        }
        if (found) {
            snprintf(err, errlen, "Content-Type has more than one boundary parameter");
            return -1;
        }
        found = 1;
        if (mp_boundary_check(value, blen, err, errlen) != 0) {
            return -1;
        }
        if (blen >= outlen) {
            snprintf(err, errlen, "multipart boundary does not fit the output buffer");
            return -1;
        }
        memcpy(out, value, blen);
        out[blen] = '\0';
    }

    if (!found) {
        snprintf(err, errlen, "Content-Type has no boundary parameter");
        return -1;
    }
    return 0;
}

int ing_multipart_init(ing_multipart_t *p, const char *boundary, const ing_mp_callbacks_t *cb,
                       void *ctx, char *err, size_t errlen)
{
    size_t blen = strnlen(boundary, ING_MP_BOUNDARY_MAX + 1);

    if (mp_boundary_check(boundary, blen, err, errlen) != 0) {
        return -1;
    }
    memset(p, 0, offsetof(ing_multipart_t, hdr));
    p->err[0] = '\0';
    p->cb = cb;
    p->ctx = ctx;
    p->state = ST_PREAMBLE;
    memcpy(p->delim, "\r\n--", 4);
    memcpy(p->delim + 4, boundary, blen);
    p->dlen = 4 + blen;
    p->match = 2; /* the first delimiter may start the body without CRLF */
    return 0;
}

/* Hands len bytes at body offset `offset` to the data callback when
 * inside a part; preamble bytes are dropped.  Returns 0 or -1. */
static int mp_emit(ing_multipart_t *p, const u_char *data, size_t len, uint64_t offset)
{
    if (p->state != ST_DATA || len == 0 || p->cb->part_data == NULL) {
        return 0;
    }
    p->err[0] = '\0';
    if (p->cb->part_data(p->ctx, data, len, offset, p->err, sizeof(p->err)) != 0) {
        return mp_callback_failed(p);
    }
    return 0;
}

/* A whole delimiter was matched: ends the current part, if any.
 * Returns 0 or -1. */
static int mp_delimiter(ing_multipart_t *p)
{
    p->match = 0;
    p->state = ST_BOUNDARY_END;
    if (!p->in_part) {
        return 0;
    }
    p->in_part = 0;
    if (p->cb->part_end != NULL) {
        p->err[0] = '\0';
        if (p->cb->part_end(p->ctx, p->err, sizeof(p->err)) != 0) {
            return mp_callback_failed(p);
        }
    }
    return 0;
}

/* Scans buf[*ip..len) for the delimiter (ST_PREAMBLE or ST_DATA),
 * emitting the bytes before it as data.  Leaves *ip after what it
 * consumed: past the delimiter when found, else at len.  A delimiter
 * prefix at the end of buf is held back (p->match).  Returns 0 or -1. */
static int mp_scan(ing_multipart_t *p, const u_char *buf, size_t len, size_t *ip)
{
    size_t i = *ip, start, n;
    const u_char *cr;

    if (p->match > 0) {
        while (i < len && p->match < p->dlen && buf[i] == p->delim[p->match]) {
            p->match++;
            i++;
        }
        *ip = i;
        if (p->match == p->dlen) {
            return mp_delimiter(p);
        }
        if (i == len) {
            return 0;
        }
        /* The held-back bytes were data after all. */
        if (mp_emit(p, p->delim, p->match, p->match_offset) != 0) {
            return -1;
        }
        p->match = 0;
    }

    start = i;
    while (i < len) {
        cr = memchr(buf + i, '\r', len - i);
        if (cr == NULL) {
            break;
        }
        i = (size_t) (cr - buf);
        n = len - i < p->dlen ? len - i : p->dlen;
        if (memcmp(cr, p->delim, n) == 0) {
            if (mp_emit(p, buf + start, i - start, p->pos + start) != 0) {
                return -1;
            }
            if (n == p->dlen) {
                *ip = i + n;
                return mp_delimiter(p);
            }
            p->match = n;
            p->match_offset = p->pos + i;
            *ip = len;
            return 0;
        }
        i++;
    }
    *ip = len;
    return mp_emit(p, buf + start, len - start, p->pos + start);
}

/* Decodes the parameter value that follows the '=' at *eq, a quoted
 * string or a token, writing it NUL-terminated over the bytes starting
 * at eq (the decoded form is never longer than the raw one, so what
 * follows the raw value stays intact).  Returns a pointer past the raw
 * value, or NULL when it is malformed. */
static char *mp_param_value(char *eq)
{
    char *src = eq + 1, *dst = eq;
    size_t n;

    if (*src == '"') {
        for (src++; *src != '"'; src++) {
            if (*src == '\0') {
                return NULL;
            }
            if (*src == '\\' && (src[1] == '"' || src[1] == '\\')) {
                src++;
            }
            *dst++ = *src;
        }
        *dst = '\0';
        return src + 1;
    }
    for (n = 0; src[n] != '\0' && src[n] != ';' && !MP_IS_OWS(src[n]); n++) {
        /* token up to ';', whitespace or the end */
    }
    if (n == 0) {
        return NULL;
    }
    memmove(eq, src, n);
    eq[n] = '\0';
    return src + n;
}

/* Parses a Content-Disposition value (NUL-terminated, decoded in
 * place): "form-data" followed by parameters; records name and filename
 * in part.  Returns 0 or -1 (with the error set). */
static int mp_disposition(ing_multipart_t *p, char *v, ing_mp_part_t *part)
{
    char *pname, *eq, *value, *next;
    size_t nlen;

    if (strncasecmp(v, "form-data", 9) != 0 || (v[9] != '\0' && v[9] != ';' && !MP_IS_OWS(v[9]))) {
        return mp_fail(p, "part Content-Disposition is not form-data");
    }
    v += 9;
    for (;;) {
        while (MP_IS_OWS(*v)) {
            v++;
        }
        if (*v == '\0') {
            return 0;
        }
        if (*v++ != ';') {
            return mp_fail(p, "malformed part Content-Disposition");
        }
        while (MP_IS_OWS(*v)) {
            v++;
        }
        if (*v == '\0') {
            return 0;
        }
        pname = v;
        while (mp_is_tchar((u_char) *v)) {
            v++;
        }
        nlen = (size_t) (v - pname);
        if (nlen == 0 || *v != '=') {
            return mp_fail(p, "malformed part Content-Disposition parameter");
        }
        eq = v;
        next = mp_param_value(eq);
        if (next == NULL) {
            return mp_fail(p, "malformed part Content-Disposition parameter value");
        }
        value = eq;
        if (nlen == 4 && strncasecmp(pname, "name", 4) == 0) {
            if (part->name != NULL) {
                return mp_fail(p, "part Content-Disposition has two name parameters");
            }
            part->name = value;
        } else if (nlen == 8 && strncasecmp(pname, "filename", 8) == 0) {
            if (part->filename != NULL) {
                return mp_fail(p, "part Content-Disposition has two filename parameters");
            }
            part->filename = value;
        }
        v = next;
    }
}

/* Parses the complete header block in p->hdr (CRLF-separated lines, the
 * final empty line already cut off), then starts the part whose data
 * begins at body offset data_offset.  Returns 0 or -1. */
static int mp_part_begin(ing_multipart_t *p, uint64_t data_offset)
{
    ing_mp_part_t part = { NULL, NULL, "", data_offset };
    char *line, *eol, *colon, *name_end, *value, *vend;
    int have_disposition = 0;

    for (line = p->hdr; *line != '\0'; line = eol + 2) {
        eol = strstr(line, "\r\n"); /* every line of the block ends with CRLF */
        *eol = '\0';
        if (MP_IS_OWS(*line)) {
            return mp_fail(p, "folded part headers are not supported");
        }
        colon = strchr(line, ':');
        if (colon == NULL || colon == line) {
            return mp_fail(p, "malformed part header line (no name or no ':')");
        }
        for (name_end = line; name_end < colon; name_end++) {
            if (!mp_is_tchar((u_char) *name_end)) {
                return mp_fail(p, "malformed part header name");
            }
        }
        value = colon + 1;
        while (MP_IS_OWS(*value)) {
            value++;
        }
        vend = value + strlen(value);
        while (vend > value && MP_IS_OWS(vend[-1])) {
            vend--;
        }
        *vend = '\0';

        if ((size_t) (colon - line) == 19 && strncasecmp(line, "Content-Disposition", 19) == 0) {
            if (have_disposition) {
                return mp_fail(p, "part has two Content-Disposition headers");
            }
            have_disposition = 1;
            if (mp_disposition(p, value, &part) != 0) {
                return -1;
            }
        } else if ((size_t) (colon - line) == 12 && strncasecmp(line, "Content-Type", 12) == 0) {
            part.content_type = value;
        }
    }

    if (!have_disposition) {
        return mp_fail(p, "part without Content-Disposition: form-data");
    }
    if (part.name == NULL) {
        return mp_fail(p, "part Content-Disposition has no name");
    }
    p->in_part = 1;
    p->state = ST_DATA;
    p->match = 0;
    if (p->cb->part_begin != NULL) {
        p->err[0] = '\0';
        if (p->cb->part_begin(p->ctx, &part, p->err, sizeof(p->err)) != 0) {
            return mp_callback_failed(p);
        }
    }
    return 0;
}

/* Collects header bytes from buf[*ip..len) until the empty line that
 * ends the block, then starts the part.  Rejects bare LF, bare CR and
 * control characters.  Returns 0 or -1. */
static int mp_headers(ing_multipart_t *p, const u_char *buf, size_t len, size_t *ip)
{
    size_t i = *ip;
    u_char c;

    while (i < len) {
        c = buf[i++];
        if (p->hlen == ING_MP_HEADERS_MAX) {
            return mp_fail(p, "part headers too large (over %d bytes)", ING_MP_HEADERS_MAX);
        }
        if (p->hlen > 0 && p->hdr[p->hlen - 1] == '\r' && c != '\n') {
            return mp_fail(p, "CR without LF in part headers");
        }
        if (c == '\n' && (p->hlen == 0 || p->hdr[p->hlen - 1] != '\r')) {
            return mp_fail(p, "LF-only line endings are not supported (CRLF required)");
        }
        if ((c < 0x20 && c != '\t' && c != '\r' && c != '\n') || c == 0x7f) {
            return mp_fail(p, "control character in part headers");
        }
        p->hdr[p->hlen++] = (char) c;
        if (c != '\n') {
            continue;
        }
        if (p->hlen - p->line_start == 2) {
            p->hdr[p->hlen - 2] = '\0';
            *ip = i;
            return mp_part_begin(p, p->pos + i);
        }
        p->line_start = p->hlen;
    }
    *ip = i;
    return 0;
}

/* Handles one byte of the delimiter line's tail (close marker, padding,
 * CRLF) in the ST_BOUNDARY_* / ST_CLOSE_DASH / ST_PADDING states.
 * Returns 0 or -1. */
static int mp_boundary_tail(ing_multipart_t *p, u_char c)
{
    if (c == '\n' && p->state != ST_BOUNDARY_LF && p->state != ST_CLOSE_DASH) {
        return mp_fail(p, "LF-only line endings are not supported (CRLF required)");
    }
    switch (p->state) {
    case ST_BOUNDARY_END:
        if (c == '-') {
            p->state = ST_CLOSE_DASH;
            return 0;
        }
        /* fall through */
    case ST_PADDING:
        if (MP_IS_OWS(c)) {
            p->state = ST_PADDING;
            return 0;
        }
        if (c == '\r') {
            p->state = ST_BOUNDARY_LF;
            return 0;
        }
        break;
    case ST_CLOSE_DASH:
        if (c == '-') {
            p->state = ST_EPILOGUE;
            return 0;
        }
        break;
    default: /* ST_BOUNDARY_LF */
        if (c != '\n') {
            return mp_fail(p, "CR without LF after a boundary");
        }
        if (p->parts == ING_MP_PARTS_MAX) {
            return mp_fail(p, "more than %d parts", ING_MP_PARTS_MAX);
        }
        p->parts++;
        p->hlen = 0;
        p->line_start = 0;
        p->state = ST_HEADERS;
        return 0;
    }
    return mp_fail(p, "boundary followed by unexpected characters");
}

int ing_multipart_feed(ing_multipart_t *p, const u_char *buf, size_t len)
{
    size_t i = 0;
    int rc = 0;

    while (i < len && rc == 0) {
        switch (p->state) {
        case ST_PREAMBLE:
        case ST_DATA: rc = mp_scan(p, buf, len, &i); break;
        case ST_HEADERS: rc = mp_headers(p, buf, len, &i); break;
        case ST_EPILOGUE: i = len; break;
        case ST_ERROR: return -1;
        default: rc = mp_boundary_tail(p, buf[i++]); break;
        }
    }
    if (p->state == ST_ERROR) {
        return -1;
    }
    p->pos += len;
    return 0;
}

int ing_multipart_finish(ing_multipart_t *p)
{
    switch (p->state) {
    case ST_EPILOGUE: return 0;
    case ST_ERROR: return -1;
    case ST_PREAMBLE: return mp_fail(p, "no boundary found in the body");
    default:
        if (p->parts == 0 && p->state != ST_HEADERS) {
            return mp_fail(p, "body ends after the first boundary: no closing boundary");
        }
        return mp_fail(p, "unterminated part: no closing boundary");
    }
}

const char *ing_multipart_error(const ing_multipart_t *p)
{
    return p->err;
}
