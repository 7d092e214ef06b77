#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#include "credentials_sources.h"

/* What the [profile] section held: values and the lines they came from. */
typedef struct {
    int found; /* the section exists */
    aws_credentials_t creds;
    unsigned key_line; /* 0: not seen */
    unsigned secret_line;
    int has_token; /* aws_session_token seen (wins over */
                   /* the legacy aws_security_token) */
} aws_cred_profile_t;

/* Returns S without leading and trailing whitespace (modifies S). */
static char *aws_cred_trim(char *s)
{
    char *e;

    s += strspn(s, " \t\r\n");
    e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n')) {
        *--e = '\0';
    }
    return s;
}

/* Resolves the file to read into path (pathlen bytes): FILE, else
 * AWS_SHARED_CREDENTIALS_FILE, else $HOME/.aws/credentials; a leading
 * "~/" is expanded.  Returns 0, or -1 with err when there is no HOME or
 * the path does not fit. */
static int aws_cred_file_path(const char *file, char *path, size_t pathlen, char *err,
                              size_t errlen)
{
    const char *home = getenv("HOME");
    const char *env = getenv("AWS_SHARED_CREDENTIALS_FILE");
    const char *f = file ? file : (env && env[0] ? env : "~/.aws/credentials");
    int n;

    if (strncmp(f, "~/", 2) == 0) {
        if (home == NULL || home[0] == '\0') {
            snprintf(err, errlen, "HOME is not set, cannot find %s", f);
            return -1;
        }
        n = snprintf(path, pathlen, "%s/%s", home, f + 2);
    } else {
        n = snprintf(path, pathlen, "%s", f);
    }
    if (n < 0 || (size_t) n >= pathlen) {
        snprintf(err, errlen, "credentials file path is too long");
        return -1;
    }
    return 0;
}

/* Stores VALUE of KEY (line LINE of PATH) in PR when KEY is one of the
 * credential keys.  Returns 0, or -1 with err when the value is too long. */
static int aws_cred_file_key(aws_cred_profile_t *pr, const char *key, const char *value,
                             const char *path, unsigned line, char *err, size_t errlen)
{
    char *dst = NULL;
    size_t dstlen = 0;

    if (strcasecmp(key, "aws_access_key_id") == 0) {
        dst = pr->creds.access_key_id;
        dstlen = sizeof(pr->creds.access_key_id);
        pr->key_line = line;
    } else if (strcasecmp(key, "aws_secret_access_key") == 0) {
        dst = pr->creds.secret_access_key;
        dstlen = sizeof(pr->creds.secret_access_key);
        pr->secret_line = line;
    } else if (strcasecmp(key, "aws_session_token") == 0
               || (strcasecmp(key, "aws_security_token") == 0 && !pr->has_token)) {
        dst = pr->creds.session_token;
        dstlen = sizeof(pr->creds.session_token);
        pr->has_token |= strcasecmp(key, "aws_session_token") == 0;
    }
    if (dst != NULL && aws_cred_copy(dst, dstlen, value) != 0) {
        snprintf(err, errlen, "%s:%u: value of %s is too long", path, line, key);
        return -1;
    }
    return 0;
}

/* Parses the INI file F (named PATH) and collects section PROFILE into
 * PR.  Returns 0, or -1 with err "PATH:LINE: problem".  Lines are
 * "[name]", "key = value" (or "key: value"), comments starting with '#'
 * or ';', blank, or indented continuations of the previous value. */
static int aws_cred_file_parse(FILE *f, const char *path, const char *profile,
                               aws_cred_profile_t *pr, char *err, size_t errlen)
{
    char *buf = NULL, *t, *delim, *end;
    size_t cap = 0;
    unsigned line = 0;
    int in_section = 0, in_profile = 0, after_key = 0, rc = -1;

    while (getline(&buf, &cap, f) != -1) {
        int indented = buf[0] == ' ' || buf[0] == '\t';

        line++;
        t = aws_cred_trim(buf);
        if (t[0] == '\0' || t[0] == '#' || t[0] == ';') {
            continue;
        }
        if (indented && after_key) {
            continue;
        }
        if (t[0] == '[') {
            end = strchr(t, ']');
            if (end == NULL || end[1] != '\0') {
                snprintf(err, errlen, "%s:%u: a section header must be \"[name]\"", path, line);
                goto done;
            }
            *end = '\0';
            t = aws_cred_trim(t + 1);
            if (t[0] == '\0') {
                snprintf(err, errlen, "%s:%u: empty profile name", path, line);
                goto done;
            }
            in_section = 1;
            in_profile = strcmp(t, profile) == 0;
            pr->found |= in_profile;
            after_key = 0;
            continue;
        }
        delim = t + strcspn(t, "=:");
        if (*delim == '\0' || delim == t) {
            /* the line may hold a secret: never quote it */
            snprintf(err, errlen, "%s:%u: expected \"[profile]\" or \"key = value\"", path, line);
            goto done;
        }
        if (!in_section) {
            snprintf(err, errlen, "%s:%u: key = value before any [profile] section", path, line);
            goto done;
        }
        *delim = '\0';
        if (in_profile
            && aws_cred_file_key(pr, aws_cred_trim(t), aws_cred_trim(delim + 1), path, line, err,
                                 errlen)
                   != 0) {
            goto done;
        }
        after_key = 1;
    }
    if (ferror(f)) {
        snprintf(err, errlen, "%s: read error", path);
        goto done;
    }
    rc = 0;

done:
    if (buf != NULL) {
        OPENSSL_cleanse(buf, cap);
    }
    free(buf);
    return rc;
}

int aws_cred_from_file(const char *file, const char *profile, aws_credentials_t *out,
                       char *used_profile, size_t usedlen, char *err, size_t errlen)
{
    const char *env_profile = getenv("AWS_PROFILE");
    int named_profile = (profile && profile[0]) || (env_profile && env_profile[0]);
    aws_cred_profile_t pr;
    char path[4096];
    FILE *f;
    int rc;

    if (!(profile && profile[0])) {
        profile = env_profile && env_profile[0] ? env_profile : "default";
    }
    snprintf(used_profile, usedlen, "%s", profile);
    memset(out, 0, sizeof(*out));
    if (aws_cred_file_path(file, path, sizeof(path), err, errlen) != 0) {
        return file || named_profile ? AWS_CRED_ERROR : AWS_CRED_ABSENT;
    }

    f = fopen(path, "r");
    if (f == NULL) {
        if (errno == ENOENT && file == NULL && !named_profile) {
            snprintf(err, errlen, "%s not found", path);
            return AWS_CRED_ABSENT;
        }
        snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
        return AWS_CRED_ERROR;
    }
    memset(&pr, 0, sizeof(pr));
    rc = aws_cred_file_parse(f, path, profile, &pr, err, errlen);
    fclose(f);
    if (rc != 0) {
        rc = AWS_CRED_ERROR;
    } else if (!pr.found) {
        snprintf(err, errlen, "no profile \"%s\" in %s", profile, path);
        rc = named_profile ? AWS_CRED_ERROR : AWS_CRED_ABSENT;
    } else if (pr.key_line && pr.secret_line && pr.creds.access_key_id[0]
               && pr.creds.secret_access_key[0]) {
        *out = pr.creds;
        rc = AWS_CRED_FOUND;
    } else if (pr.key_line || pr.secret_line) {
        snprintf(err, errlen,
                 "%s:%u: profile \"%s\" needs both aws_access_key_id and "
                 "aws_secret_access_key, non-empty",
                 path, pr.key_line ? pr.key_line : pr.secret_line, profile);
        rc = AWS_CRED_ERROR;
    } else {
        snprintf(err, errlen,
                 "profile \"%s\" in %s has no aws_access_key_id / "
                 "aws_secret_access_key (only static keys are read)",
                 profile, path);
        rc = named_profile ? AWS_CRED_ERROR : AWS_CRED_ABSENT;
    }
    OPENSSL_cleanse(&pr, sizeof(pr));
    return rc;
}
