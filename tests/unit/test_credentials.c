/*
 * test_credentials — the credentials chain (aws/credentials*.c): explicit
 * config, environment, shared file and profiles, ECS container
 * credentials and EC2 IMDSv2 with refresh before expiry.
 *
 * The container and IMDS endpoints are served by a stock nginx started
 * by the group setup on 127.0.0.1 and a free port, with a generated
 * config in a temporary directory; the group teardown always stops it
 * (and the kernel kills it should this process die first).
 */
#define _GNU_SOURCE /* mkdtemp, timegm */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <curl/curl.h>

#include "credentials.h"

#define NGINX_BIN  "/usr/sbin/nginx"
#define IMDS_TOKEN "imds-session-token-1"
#define ECS_AUTH   "Bearer ecs-test-authorization"
#define ROLE_PATH  "/latest/meta-data/iam/security-credentials/prism-role"

static char dir[256]; /* the temporary directory */
static int port;      /* nginx's port */
static pid_t nginx_pid = -1;
static char url[512];  /* scratch for building URLs */
static char path[512]; /* scratch for building paths */

static const char *aws_vars[] = {
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_PROFILE",
    "AWS_SHARED_CREDENTIALS_FILE",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
    "AWS_EC2_METADATA_SERVICE_ENDPOINT",
    "AWS_EC2_METADATA_DISABLED",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
};

/* --- helpers ---------------------------------------------------------- */

/* Returns DIR/NAME in the scratch path buffer. */
static const char *in_dir(const char *name)
{
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    return path;
}

/* Writes TEXT to DIR/NAME atomically (a reader never sees half). */
static void write_file(const char *name, const char *text)
{
    char tmp[600], final[512];
    FILE *f;

    snprintf(final, sizeof(final), "%s/%s", dir, name);
    snprintf(tmp, sizeof(tmp), "%s.tmp", final);
    f = fopen(tmp, "w");
    assert_non_null(f);
    assert_int_equal(fputs(text, f) >= 0, 1);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(rename(tmp, final), 0);
}

/* Returns UTC "YYYY-MM-DDTHH:MM:SSZ" as time_t. */
static time_t utc(const char *iso)
{
    struct tm tm;

    memset(&tm, 0, sizeof(tm));
    assert_non_null(strptime(iso, "%Y-%m-%dT%H:%M:%SZ", &tm));
    return timegm(&tm);
}

/* Returns how many times nginx has logged a request containing NEEDLE. */
static int access_count(const char *needle)
{
    char line[2048];
    int n = 0;
    FILE *f = fopen(in_dir("access.log"), "r");

    if (f == NULL) {
        return 0;
    }
    while (fgets(line, sizeof(line), f) != NULL) {
        n += strstr(line, needle) != NULL;
    }
    fclose(f);
    return n;
}

/* nginx writes an access-log line after it has sent the response, so a
 * client can get ahead of the log.  Returns the count of NEEDLE once it
 * reaches EXPECTED, or what it is after 2 s. */
static int access_count_wait(const char *needle, int expected)
{
    int i, n = 0;

    for (i = 0; i < 200 && (n = access_count(needle)) < expected; i++) {
        usleep(10 * 1000); /* poll: until the condition holds or the deadline */
    }
    return n;
}

/* Returns the count of NEEDLE once it has stopped changing for 50 ms
 * (earlier requests' lines all written), waiting at most 2 s. */
static int access_count_settled(const char *needle)
{
    int i, n = access_count(needle), m;

    for (i = 0; i < 40; i++) {
        usleep(50 * 1000); /* poll: until the condition holds or the deadline */
        if ((m = access_count(needle)) == n) {
            break;
        }
        n = m;
    }
    return n;
}

/* Writes the IMDS role document with KEY, SECRET, TOKEN and EXPIRATION. */
static void write_role(const char *key, const char *secret, const char *token,
                       const char *expiration)
{
    char doc[1024];

    snprintf(doc, sizeof(doc),
             "{\"Code\":\"Success\",\"LastUpdated\":\"2030-01-01T00:00:00Z\",\"Type\":\"AWS-HMAC\","
             "\"AccessKeyId\":\"%s\",\"SecretAccessKey\":\"%s\",\"Token\":\"%s\","
             "\"Expiration\":\"%s\"}\n",
             key, secret, token, expiration);
    write_file("role.json", doc);
}

/* Gets credentials from a provider made of CFG at NOW, expecting
 * success; returns the source name in src (64 bytes). */
static void get_ok(const aws_cred_config_t *cfg, time_t now, aws_credentials_t *c, char *src)
{
    char err[1024] = "";
    aws_cred_provider_t *p = aws_cred_provider_new(cfg, err, sizeof(err));

    assert_non_null(p);
    if (aws_cred_provider_get(p, now, c, err, sizeof(err)) != 0) {
        fail_msg("aws_cred_provider_get: %s", err);
    }
    snprintf(src, 64, "%s", aws_cred_provider_source(p));
    aws_cred_provider_free(p);
}

/* Expects the provider of CFG to fail; returns its message in err. */
static void get_fails(const aws_cred_config_t *cfg, char *err, size_t errlen)
{
    aws_cred_provider_t *p = aws_cred_provider_new(cfg, err, errlen);
    aws_credentials_t c;

    assert_non_null(p);
    assert_int_equal(aws_cred_provider_get(p, time(NULL), &c, err, errlen), -1);
    assert_string_equal(aws_cred_provider_source(p), "none");
    aws_cred_provider_free(p);
}

/* --- the nginx fixture ------------------------------------------------- */

/* Returns a port on 127.0.0.1 that was free a moment ago. */
static int free_port(void)
{
    struct sockaddr_in a;
    socklen_t len = sizeof(a);
    int fd = socket(AF_INET, SOCK_STREAM, 0), p;

    assert_true(fd >= 0);
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(fd, (struct sockaddr *) &a, sizeof(a)), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *) &a, &len), 0);
    p = ntohs(a.sin_port);
    close(fd);
    return p;
}

/* Returns 1 once something accepts connections on 127.0.0.1:PORT. */
static int port_open(int p)
{
    struct sockaddr_in a;
    int fd = socket(AF_INET, SOCK_STREAM, 0), ok;

    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons((uint16_t) p);
    ok = fd >= 0 && connect(fd, (struct sockaddr *) &a, sizeof(a)) == 0;
    if (fd >= 0) {
        close(fd);
    }
    return ok;
}

/* Writes nginx.conf: IMDSv2 (token PUT, role list, role document from
 * role.json) and an ECS endpoint (container.json), on 127.0.0.1:port. */
static void write_nginx_conf(void)
{
    char conf[4096];

    snprintf(
        conf, sizeof(conf),
        "daemon off;\n"
        "master_process off;\n"
        "worker_processes 1;\n"
        "pid nginx.pid;\n"
        "error_log error.log info;\n"
        "events { worker_connections 64; }\n"
        "http {\n"
        "    access_log %s/access.log;\n"
        "    client_body_temp_path tmp/body;\n"
        "    proxy_temp_path tmp/proxy;\n"
        "    fastcgi_temp_path tmp/fastcgi;\n"
        "    uwsgi_temp_path tmp/uwsgi;\n"
        "    scgi_temp_path tmp/scgi;\n"
        "    default_type application/json;\n"
        "    server {\n"
        "        listen 127.0.0.1:%d;\n"
        "        location = /latest/api/token {\n"
        "            if ($request_method != PUT) { return 405; }\n"
        "            if ($http_x_aws_ec2_metadata_token_ttl_seconds = \"\") { return 400; }\n"
        "            return 200 \"" IMDS_TOKEN "\";\n"
        "        }\n"
        "        location = /latest/meta-data/iam/security-credentials/ {\n"
        "            if ($http_x_aws_ec2_metadata_token != \"" IMDS_TOKEN "\") { return 401; }\n"
        "            return 200 \"prism-role\\n\";\n"
        "        }\n"
        "        location = " ROLE_PATH " {\n"
        "            if ($http_x_aws_ec2_metadata_token != \"" IMDS_TOKEN "\") { return 401; }\n"
        "            alias %s/role.json;\n"
        "        }\n"
        "        location = /ecs/creds {\n"
        "            if ($http_authorization != \"" ECS_AUTH "\") { return 401; }\n"
        "            alias %s/container.json;\n"
        "        }\n"
        "    }\n"
        "}\n",
        dir, port, dir, dir);
    write_file("nginx.conf", conf);
}

/* Stops nginx: SIGTERM, up to 5 s, then SIGKILL. */
static void stop_nginx(void)
{
    int i, status;

    if (nginx_pid <= 0) {
        return;
    }
    kill(nginx_pid, SIGTERM);
    for (i = 0; i < 100; i++) {
        if (waitpid(nginx_pid, &status, WNOHANG) == nginx_pid) {
            nginx_pid = -1;
            return;
        }
        usleep(50000); /* poll: until the condition holds or the deadline */
    }
    kill(nginx_pid, SIGKILL);
    waitpid(nginx_pid, &status, 0);
    nginx_pid = -1;
}

/* Starts nginx on a free port and waits (at most 5 s) until it listens.
 * Returns 0, or -1 when it exited or never listened. */
static int start_nginx(void)
{
    char conf[512];
    int i, status, fd;

    port = free_port();
    write_nginx_conf();
    snprintf(conf, sizeof(conf), "%s/nginx.conf", dir);
    nginx_pid = fork();
    if (nginx_pid < 0) {
        return -1;
    }
    if (nginx_pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        fd = open(in_dir("nginx.stderr"), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
        }
        execl(NGINX_BIN, "nginx", "-p", dir, "-c", conf, (char *) NULL);
        _exit(127);
    }
    for (i = 0; i < 100; i++) {
        if (port_open(port)) {
            return 0;
        }
        if (waitpid(nginx_pid, &status, WNOHANG) == nginx_pid) {
            nginx_pid = -1;
            return -1;
        }
        usleep(50000); /* poll: until the condition holds or the deadline */
    }
    stop_nginx();
    return -1;
}

/* nftw callback removing one entry. */
static int rm_entry(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
    (void) st;
    (void) flag;
    (void) ftw;
    return remove(p);
}

static int group_setup(void **state)
{
    int tries;

    (void) state;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    snprintf(dir, sizeof(dir), "/tmp/prism-cred-test-XXXXXX");
    if (mkdtemp(dir) == NULL) {
        return -1;
    }
    snprintf(path, sizeof(path), "%s/tmp", dir);
    mkdir(path, 0700);
    write_role("ASIAIMDSONE", "imds-secret-one", "imds-token-one", "2030-01-01T06:00:00Z");
    write_file("container.json",
               "{\"RoleArn\":\"arn:aws:iam::123456789012:role/prism\","
               "\"AccessKeyId\":\"ASIACONTAINER\",\"SecretAccessKey\":\"container-secret\","
               "\"Token\":\"container-token\",\"Expiration\":\"2030-01-01T07:00:00.250+01:00\"}");
    write_file("ecs-token", ECS_AUTH "\n");
    /* another program may take the free port between probe and bind */
    for (tries = 0; tries < 3; tries++) {
        if (start_nginx() == 0) {
            return 0;
        }
    }
    fprintf(stderr, "nginx did not start; see %s/nginx.stderr\n", dir);
    return -1;
}

static int group_teardown(void **state)
{
    (void) state;
    stop_nginx();
    if (dir[0] != '\0') {
        nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    }
    curl_global_cleanup();
    return 0;
}

/* Each test starts with no AWS_* variables, HOME in the temporary
 * directory (no real ~/.aws) and IMDS disabled. */
static int test_setup(void **state)
{
    size_t i;

    (void) state;
    for (i = 0; i < sizeof(aws_vars) / sizeof(aws_vars[0]); i++) {
        unsetenv(aws_vars[i]);
    }
    setenv("HOME", dir, 1);
    setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
    return 0;
}

/* Points the IMDS variables at nginx. */
static void use_imds(void)
{
    unsetenv("AWS_EC2_METADATA_DISABLED");
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/", port);
    setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", url, 1);
}

/* Points the container variables at nginx, token from a file. */
static void use_container(void)
{
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/ecs/creds", port);
    setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", url, 1);
    setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", in_dir("ecs-token"), 1);
}

/* --- tests --------------------------------------------------------------- */

static void test_explicit_config(void **state)
{
    aws_cred_config_t cfg = { .access_key_id = "AKIDCONFIG",
                              .secret_access_key = "cfg-secret",
                              .session_token = "cfg-token" };
    aws_credentials_t c;
    char src[64], err[256];

    (void) state;
    get_ok(&cfg, time(NULL), &c, src);
    assert_string_equal(src, "config");
    assert_string_equal(c.access_key_id, "AKIDCONFIG");
    assert_string_equal(c.secret_access_key, "cfg-secret");
    assert_string_equal(c.session_token, "cfg-token");
    assert_int_equal(c.expiration, 0);

    cfg.secret_access_key = NULL;
    assert_null(aws_cred_provider_new(&cfg, err, sizeof(err)));
    assert_non_null(strstr(err, "both"));
}

static void test_env(void **state)
{
    aws_credentials_t c;
    char src[64], err[512];

    (void) state;
    setenv("AWS_ACCESS_KEY_ID", "AKIDENV", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "env-secret", 1);
    get_ok(NULL, time(NULL), &c, src);
    assert_string_equal(src, "env");
    assert_string_equal(c.access_key_id, "AKIDENV");
    assert_string_equal(c.secret_access_key, "env-secret");
    assert_string_equal(c.session_token, "");

    setenv("AWS_SESSION_TOKEN", "env-token", 1);
    get_ok(NULL, time(NULL), &c, src);
    assert_string_equal(c.session_token, "env-token");

    unsetenv("AWS_ACCESS_KEY_ID");
    get_fails(NULL, err, sizeof(err));
    assert_non_null(strstr(err, "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not"));
    assert_null(strstr(err, "env-secret"));
}

static const char *profiles_file = "# prism test credentials\n"
                                   "[default]\n"
                                   "aws_access_key_id = AKIDDEFAULT\n"
                                   "aws_secret_access_key=default-secret\n"
                                   "\n"
                                   "; another comment\n"
                                   "[ prod ]\n"
                                   "  aws_access_key_id   =   AKIDPROD  \n"
                                   "AWS_SECRET_ACCESS_KEY: prod-secret\n"
                                   "aws_session_token = prod-token\n"
                                   "region = eu-west-1\n"
                                   "s3 =\n"
                                   "    max_concurrent_requests = 20\n"
                                   "[sso]\n"
                                   "sso_start_url = https://example.awsapps.com/start\n";

static void test_file_profiles(void **state)
{
    aws_cred_config_t cfg = { 0 };
    aws_credentials_t c;
    char file[512], src[64], err[512];

    (void) state;
    write_file("creds-profiles", profiles_file);
    snprintf(file, sizeof(file), "%s", in_dir("creds-profiles"));
    cfg.credentials_file = file;

    get_ok(&cfg, time(NULL), &c, src);
    assert_string_equal(src, "file:default");
    assert_string_equal(c.access_key_id, "AKIDDEFAULT");
    assert_string_equal(c.secret_access_key, "default-secret");
    assert_string_equal(c.session_token, "");

    setenv("AWS_PROFILE", "prod", 1);
    get_ok(&cfg, time(NULL), &c, src);
    assert_string_equal(src, "file:prod");
    assert_string_equal(c.access_key_id, "AKIDPROD");
    assert_string_equal(c.secret_access_key, "prod-secret");
    assert_string_equal(c.session_token, "prod-token");

    /* the configured profile beats AWS_PROFILE */
    cfg.profile = "default";
    get_ok(&cfg, time(NULL), &c, src);
    assert_string_equal(src, "file:default");

    /* a named profile that does not exist, or has no static keys, is an error */
    cfg.profile = "nope";
    get_fails(&cfg, err, sizeof(err));
    assert_non_null(strstr(err, "no profile \"nope\""));
    assert_non_null(strstr(err, file));
    cfg.profile = "sso";
    get_fails(&cfg, err, sizeof(err));
    assert_non_null(strstr(err, "profile \"sso\""));
}

static void test_file_locations(void **state)
{
    aws_credentials_t c;
    char src[64], aws_dir[512], err[1024];

    (void) state;
    /* nothing anywhere: the chain ends, naming what it tried */
    get_fails(NULL, err, sizeof(err));
    assert_non_null(strstr(err, "no AWS credentials found"));
    assert_non_null(strstr(err, "env: not set"));
    assert_non_null(strstr(err, "/.aws/credentials not found"));
    assert_non_null(strstr(err, "container: not configured"));
    assert_non_null(strstr(err, "imds: disabled by AWS_EC2_METADATA_DISABLED"));

    snprintf(aws_dir, sizeof(aws_dir), "%s/.aws", dir);
    mkdir(aws_dir, 0700);
    write_file(".aws/credentials", "[default]\naws_access_key_id=AKIDHOME\n"
                                   "aws_secret_access_key=home-secret\n");
    get_ok(NULL, time(NULL), &c, src);
    assert_string_equal(c.access_key_id, "AKIDHOME");

    write_file("elsewhere", "[default]\naws_access_key_id=AKIDELSE\naws_secret_access_key=s\n");
    setenv("AWS_SHARED_CREDENTIALS_FILE", in_dir("elsewhere"), 1);
    get_ok(NULL, time(NULL), &c, src);
    assert_string_equal(c.access_key_id, "AKIDELSE");
    remove(in_dir(".aws/credentials"));
}

/* Writes TEXT as a credentials file and expects "FILE:LINE:" in the
 * error, without SECRET. */
static void expect_malformed(const char *text, int line, const char *secret)
{
    aws_cred_config_t cfg = { 0 };
    char file[512], want[600], err[1024];

    write_file("creds-bad", text);
    snprintf(file, sizeof(file), "%s", in_dir("creds-bad"));
    cfg.credentials_file = file;
    get_fails(&cfg, err, sizeof(err));
    snprintf(want, sizeof(want), "%s:%d:", file, line);
    if (strstr(err, want) == NULL) {
        fail_msg("\"%s\" does not name %s", err, want);
    }
    assert_null(strstr(err, secret));
}

static void test_file_malformed(void **state)
{
    (void) state;
    expect_malformed("[default]\naws_access_key_id = AKID\nSECRETVALUE1 wJalrXUtnFEMI\n", 3,
                     "SECRETVALUE1");
    expect_malformed("[default\naws_access_key_id = AKID\n", 1, "AKID");
    expect_malformed("aws_secret_access_key = SECRETVALUE2\n[default]\n", 1, "SECRETVALUE2");
    expect_malformed("[]\n", 1, "NOSUCHTEXT");
    expect_malformed("# keys\n[default]\n\naws_access_key_id = AKID\n", 4, "NOSUCHTEXT");
    expect_malformed("[default]\naws_secret_access_key = SECRETVALUE3\n", 2, "SECRETVALUE3");
}

static void test_container(void **state)
{
    aws_credentials_t c;
    char src[64], err[1024];

    (void) state;
    use_container();
    get_ok(NULL, time(NULL), &c, src);
    assert_string_equal(src, "container");
    assert_string_equal(c.access_key_id, "ASIACONTAINER");
    assert_string_equal(c.secret_access_key, "container-secret");
    assert_string_equal(c.session_token, "container-token");
    assert_int_equal(c.expiration, utc("2030-01-01T06:00:00Z"));

    /* token from the variable when there is no file */
    unsetenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
    setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", ECS_AUTH, 1);
    get_ok(NULL, time(NULL), &c, src);
    assert_string_equal(c.access_key_id, "ASIACONTAINER");

    /* a wrong token is an error that does not fall through to IMDS */
    setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "Bearer wrong-token-value", 1);
    use_imds();
    get_fails(NULL, err, sizeof(err));
    assert_non_null(strstr(err, "HTTP 401"));
    assert_null(strstr(err, "wrong-token-value"));

    /* plain http to anything but loopback / the ECS agents is refused */
    setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://example.com/creds", 1);
    get_fails(NULL, err, sizeof(err));
    assert_non_null(strstr(err, "must be https"));
}

static void test_imds(void **state)
{
    aws_credentials_t c;
    char src[64];

    (void) state;
    use_imds();
    write_role("ASIAIMDSONE", "imds-secret-one", "imds-token-one", "2030-01-01T06:00:00Z");
    get_ok(NULL, utc("2030-01-01T01:00:00Z"), &c, src);
    assert_string_equal(src, "imds");
    assert_string_equal(c.access_key_id, "ASIAIMDSONE");
    assert_string_equal(c.secret_access_key, "imds-secret-one");
    assert_string_equal(c.session_token, "imds-token-one");
    assert_int_equal(c.expiration, utc("2030-01-01T06:00:00Z"));
}

static void test_imds_refresh(void **state)
{
    time_t e1 = utc("2030-01-01T06:00:00Z"), e2 = utc("2030-01-01T12:00:00Z");
    aws_cred_provider_t *p;
    aws_credentials_t c;
    char err[1024];
    int fetches;

    (void) state;
    use_imds();
    write_role("ASIAIMDSONE", "imds-secret-one", "imds-token-one", "2030-01-01T06:00:00Z");
    p = aws_cred_provider_new(NULL, err, sizeof(err));
    assert_non_null(p);
    fetches = access_count_settled("GET " ROLE_PATH " ");

    assert_int_equal(aws_cred_provider_get(p, e1 - 3600, &c, err, sizeof(err)), 0);
    assert_string_equal(c.access_key_id, "ASIAIMDSONE");
    assert_int_equal(access_count_wait("GET " ROLE_PATH " ", fetches + 1), fetches + 1);

    /* IMDS rotates the keys; far from expiry the cached ones are used */
    write_role("ASIAIMDSTWO", "imds-secret-two", "imds-token-two", "2030-01-01T12:00:00Z");
    assert_int_equal(aws_cred_provider_get(p, e1 - 3000, &c, err, sizeof(err)), 0);
    assert_string_equal(c.access_key_id, "ASIAIMDSONE");
    assert_int_equal(access_count("GET " ROLE_PATH " "), fetches + 1);

    /* within 5 minutes of expiry they are fetched again */
    assert_int_equal(aws_cred_provider_get(p, e1 - 200, &c, err, sizeof(err)), 0);
    assert_string_equal(c.access_key_id, "ASIAIMDSTWO");
    assert_string_equal(c.secret_access_key, "imds-secret-two");
    assert_string_equal(c.session_token, "imds-token-two");
    assert_int_equal(c.expiration, e2);
    assert_int_equal(access_count_wait("GET " ROLE_PATH " ", fetches + 2), fetches + 2);

    /* a failed refresh keeps credentials that have not expired yet ... */
    write_file("role.json", "{ not json");
    assert_int_equal(aws_cred_provider_get(p, e2 - 100, &c, err, sizeof(err)), 0);
    assert_string_equal(c.access_key_id, "ASIAIMDSTWO");
    assert_int_equal(access_count_wait("GET " ROLE_PATH " ", fetches + 3), fetches + 3);
    assert_string_equal(aws_cred_provider_source(p), "imds");

    /* ... but not expired ones */
    assert_int_equal(aws_cred_provider_get(p, e2 + 1, &c, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "not a JSON object"));
    assert_null(strstr(err, "imds-secret"));
    aws_cred_provider_free(p);
    write_role("ASIAIMDSONE", "imds-secret-one", "imds-token-one", "2030-01-01T06:00:00Z");
}

static void test_imds_unavailable(void **state)
{
    aws_cred_config_t cfg = { .disable_imds = 1 };
    char err[1024];

    (void) state;
    use_imds();
    get_fails(&cfg, err, sizeof(err));
    assert_non_null(strstr(err, "imds: disabled by configuration"));

    /* nothing listening: not on EC2, the chain just ends */
    snprintf(url, sizeof(url), "http://127.0.0.1:%d", free_port());
    setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", url, 1);
    get_fails(NULL, err, sizeof(err));
    assert_non_null(strstr(err, "no AWS credentials found"));
    assert_non_null(strstr(err, "imds: IMDS at http://127.0.0.1:"));
}

static void test_precedence(void **state)
{
    aws_cred_config_t cfg = { .access_key_id = "AKIDCONFIG", .secret_access_key = "s" };
    aws_credentials_t c;
    char src[64];

    (void) state;
    use_imds();
    use_container();
    write_file("creds-prec", "[default]\naws_access_key_id=AKIDFILE\naws_secret_access_key=s\n");
    setenv("AWS_SHARED_CREDENTIALS_FILE", in_dir("creds-prec"), 1);
    setenv("AWS_ACCESS_KEY_ID", "AKIDENV", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "s", 1);

    get_ok(&cfg, time(NULL), &c, src);
    assert_string_equal(src, "config");
    get_ok(NULL, time(NULL), &c, src);
    assert_string_equal(src, "env");
    assert_string_equal(c.access_key_id, "AKIDENV");
    unsetenv("AWS_ACCESS_KEY_ID");
    unsetenv("AWS_SECRET_ACCESS_KEY");
    get_ok(NULL, time(NULL), &c, src);
    assert_string_equal(src, "file:default");
    assert_string_equal(c.access_key_id, "AKIDFILE");
    unsetenv("AWS_SHARED_CREDENTIALS_FILE");
    get_ok(NULL, time(NULL), &c, src);
    assert_string_equal(src, "container");
    unsetenv("AWS_CONTAINER_CREDENTIALS_FULL_URI");
    get_ok(NULL, utc("2030-01-01T01:00:00Z"), &c, src);
    assert_string_equal(src, "imds");
    assert_string_equal(c.access_key_id, "ASIAIMDSONE");
}

static void test_region(void **state)
{
    char region[32], err[256];

    (void) state;
    assert_int_equal(aws_region_resolve(NULL, region, sizeof(region), err, sizeof(err)), -1);
    assert_non_null(strstr(err, "AWS_REGION"));
    setenv("AWS_DEFAULT_REGION", "eu-central-1", 1);
    assert_int_equal(aws_region_resolve("", region, sizeof(region), err, sizeof(err)), 0);
    assert_string_equal(region, "eu-central-1");
    setenv("AWS_REGION", "us-west-2", 1);
    assert_int_equal(aws_region_resolve(NULL, region, sizeof(region), err, sizeof(err)), 0);
    assert_string_equal(region, "us-west-2");
    assert_int_equal(aws_region_resolve("ap-south-1", region, sizeof(region), err, sizeof(err)), 0);
    assert_string_equal(region, "ap-south-1");
    assert_int_equal(aws_region_resolve("a-region-name-longer-than-the-buffer", region,
                                        sizeof(region), err, sizeof(err)),
                     -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_explicit_config, test_setup),
        cmocka_unit_test_setup(test_env, test_setup),
        cmocka_unit_test_setup(test_file_profiles, test_setup),
        cmocka_unit_test_setup(test_file_locations, test_setup),
        cmocka_unit_test_setup(test_file_malformed, test_setup),
        cmocka_unit_test_setup(test_container, test_setup),
        cmocka_unit_test_setup(test_imds, test_setup),
        cmocka_unit_test_setup(test_imds_refresh, test_setup),
        cmocka_unit_test_setup(test_imds_unavailable, test_setup),
        cmocka_unit_test_setup(test_precedence, test_setup),
        cmocka_unit_test_setup(test_region, test_setup),
    };

    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
