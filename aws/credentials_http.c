#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <jansson.h>
#include <openssl/crypto.h>

#include "credentials_sources.h"

/* State of one response body being received. */
typedef struct {
    aws_buf_t *body;
    int too_large;
} aws_cred_sink_t;

/* libcurl write callback: appends to the body up to
 * AWS_CRED_MAX_RESPONSE; returning less than asked aborts the transfer. */
static size_t aws_cred_write(char *data, size_t size, size_t nmemb, void *userdata)
{
    aws_cred_sink_t *sink = userdata;
    size_t n = size * nmemb;

    if (sink->body->len + n > AWS_CRED_MAX_RESPONSE) {
        sink->too_large = 1;
        return 0;
    }
    return aws_buf_append(sink->body, data, n) == 0 ? n : 0;
}

/* libcurl read callback for the empty PUT body. */
static size_t aws_cred_read_nothing(char *data, size_t size, size_t nmemb, void *userdata)
{
    (void) data;
    (void) size;
    (void) nmemb;
    (void) userdata;
    return 0;
}

int aws_cred_http(const char *method, const char *url, const char *const *headers,
                  const char *label, aws_buf_t *body, long *status, char *err, size_t errlen)
{
    aws_cred_sink_t sink = { body, 0 };
    struct curl_slist *list = NULL, *l;
    CURLcode cc;
    CURL *h;
    int rc = AWS_CRED_ERROR;

    *status = 0;
    h = curl_easy_init();
    if (h == NULL) {
        snprintf(err, errlen, "%s: cannot create a libcurl handle", label);
        return AWS_CRED_ERROR;
    }
    for (; headers && *headers; headers++) {
        l = curl_slist_append(list, *headers);
        if (l == NULL) {
            snprintf(err, errlen, "out of memory");
            goto done;
        }
        list = l;
    }
    if (strcmp(method, "PUT") == 0) {
        curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t) 0);
        curl_easy_setopt(h, CURLOPT_READFUNCTION, aws_cred_read_nothing);
    }
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long) AWS_CRED_CONNECT_TIMEOUT_MS);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long) AWS_CRED_TOTAL_TIMEOUT_MS);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, aws_cred_write);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);

    cc = curl_easy_perform(h);
    if (cc == CURLE_OK) {
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
        rc = AWS_CRED_FOUND;
    } else if (sink.too_large) {
        snprintf(err, errlen, "%s: response larger than %d bytes", label, AWS_CRED_MAX_RESPONSE);
    } else {
        snprintf(err, errlen, "%s: %s", label, curl_easy_strerror(cc));
        if (cc == CURLE_COULDNT_CONNECT || cc == CURLE_OPERATION_TIMEDOUT
            || cc == CURLE_COULDNT_RESOLVE_HOST) {
            rc = AWS_CRED_ABSENT;
        }
    }

done:
    curl_slist_free_all(list);
    curl_easy_cleanup(h);
    return rc;
}

int aws_cred_parse_time(const char *s, time_t *out)
{
    int y, mo, d, h, mi, sec, n = 0, oh = 0, om = 0, sign = 0;
    struct tm tm;
    const char *p;
    time_t t;

    if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6 || n == 0) {
        return -1;
    }
    p = s + n;
    if (*p == '.') {
        for (p++; *p >= '0' && *p <= '9'; p++) {
            /* fractions of a second do not matter here */
        }
    }
    if (*p == '+' || *p == '-') {
        sign = *p == '+' ? 1 : -1;
        n = 0;
        if (sscanf(p + 1, "%2d:%2d%n", &oh, &om, &n) != 2 || p[1 + n] != '\0') {
            return -1;
        }
    } else if (strcmp(p, "Z") != 0) {
        return -1;
    }
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) {
        return -1;
    }
    memset(&tm, 0, sizeof(tm));
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    t = timegm(&tm);
    if (t == (time_t) -1) {
        return -1;
    }
    *out = t - sign * (time_t) (oh * 3600 + om * 60);
    return 0;
}

int aws_cred_parse_json(const char *json, size_t len, const char *label, aws_credentials_t *out,
                        char *err, size_t errlen)
{
    const char *key, *secret, *token, *expiration, *code;
    json_error_t jerr;
    json_t *root;
    int rc = AWS_CRED_ERROR;

    memset(out, 0, sizeof(*out));
    root = json_loadb(json, len, 0, &jerr);
    if (root == NULL || !json_is_object(root)) {
        /* jerr.text may quote the document: report the position only */
        snprintf(err, errlen, "%s: response is not a JSON object (line %d)", label, jerr.line);
        goto done;
    }
    code = json_string_value(json_object_get(root, "Code"));
    key = json_string_value(json_object_get(root, "AccessKeyId"));
    secret = json_string_value(json_object_get(root, "SecretAccessKey"));
    token = json_string_value(json_object_get(root, "Token"));
    expiration = json_string_value(json_object_get(root, "Expiration"));
    if (code != NULL && strcmp(code, "Success") != 0) {
        snprintf(err, errlen, "%s: Code is \"%.64s\", not \"Success\"", label, code);
        goto done;
    }
    if (key == NULL || key[0] == '\0' || secret == NULL || secret[0] == '\0') {
        snprintf(err, errlen, "%s: response lacks AccessKeyId or SecretAccessKey", label);
        goto done;
    }
    if (aws_cred_copy(out->access_key_id, sizeof(out->access_key_id), key) != 0
        || aws_cred_copy(out->secret_access_key, sizeof(out->secret_access_key), secret) != 0
        || aws_cred_copy(out->session_token, sizeof(out->session_token), token ? token : "") != 0) {
        snprintf(err, errlen, "%s: a credential value is too long", label);
        goto done;
    }
    if (expiration != NULL && aws_cred_parse_time(expiration, &out->expiration) != 0) {
        snprintf(err, errlen, "%s: Expiration \"%.40s\" is not an ISO-8601 time", label,
                 expiration);
        goto done;
    }
    rc = AWS_CRED_FOUND;

done:
    if (rc != AWS_CRED_FOUND) {
        OPENSSL_cleanse(out, sizeof(*out));
    }
    json_decref(root);
    return rc;
}
