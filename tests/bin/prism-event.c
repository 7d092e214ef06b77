/*
 * prism-event — prints an upload event as the nginx module publishes it
 * (ingress/event.c's builder), for the suites that feed prism-host
 * messages without running nginx (tests/host/lib/PrismHostTest.pm).
 *
 *   prism-event --bucket B --key K [--image-id ID] [--content-type T]
 *               [--size N] [--width N] [--height N] [--animated]
 *               [--sha256 HEX] [--request-id R] [--etag E]
 *               [--storage s3|local] [--local-path P] [--user U]
 *               [--region R] [--source-ip IP] [--time UNIX_SECONDS]
 *   prism-event -h | --help
 *
 * The key is raw (the event carries it form-encoded, and raw in
 * prism.key).  Defaults: image id "img-1", image/jpeg, 3 bytes, 4 x 3,
 * sha256 "ab", request id "req-e2e", ETag "e" ("" for local storage),
 * storage s3, local path "/var/lib/prism/originals/KEY", us-east-1,
 * 127.0.0.1, 2024-05-01T12:00:00.000Z.  Prints the event's JSON and a
 * newline; exits 1 with the builder's error when it refuses, 2 on a
 * usage error.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"

static void usage(FILE *out)
{
    fputs("usage: prism-event --bucket B --key K [--image-id ID] [--content-type T]\n"
          "                   [--size N] [--width N] [--height N] [--animated]\n"
          "                   [--sha256 HEX] [--request-id R] [--etag E]\n"
          "                   [--storage s3|local] [--local-path P] [--user U]\n"
          "                   [--region R] [--source-ip IP] [--time UNIX_SECONDS]\n",
          out);
}

/* Reads a non-negative decimal number; exits 2 when S is not one. */
static unsigned long long number(const char *name, const char *s)
{
    char *end;
    unsigned long long n;

    n = strtoull(s, &end, 10);
    if (*s == '\0' || *s == '-' || *end != '\0') {
        fprintf(stderr, "prism-event: --%s: not a number: %s\n", name, s);
        exit(2);
    }
    return n;
}

int main(int argc, char **argv)
{
    static const struct option options[] = {
        { "bucket", required_argument, NULL, 'b' },
        { "key", required_argument, NULL, 'k' },
        { "image-id", required_argument, NULL, 'i' },
        { "content-type", required_argument, NULL, 'c' },
        { "size", required_argument, NULL, 's' },
        { "width", required_argument, NULL, 'W' },
        { "height", required_argument, NULL, 'H' },
        { "animated", no_argument, NULL, 'a' },
        { "sha256", required_argument, NULL, 'x' },
        { "request-id", required_argument, NULL, 'r' },
        { "etag", required_argument, NULL, 'e' },
        { "storage", required_argument, NULL, 'S' },
        { "local-path", required_argument, NULL, 'l' },
        { "user", required_argument, NULL, 'u' },
        { "region", required_argument, NULL, 'R' },
        { "source-ip", required_argument, NULL, 'I' },
        { "time", required_argument, NULL, 't' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    ing_event_t ev;
    const char *etag = NULL;
    char err[256], *json, *path = NULL;
    int c;

    memset(&ev, 0, sizeof(ev));
    ev.region = "us-east-1";
    ev.image_id = "img-1";
    ev.content_type = "image/jpeg";
    ev.size = 3;
    ev.width = 4;
    ev.height = 3;
    ev.sha256 = "ab";
    ev.request_id = "req-e2e";
    ev.source_ip = "127.0.0.1";
    ev.storage = ING_STORAGE_S3;
    ev.time.tv_sec = 1714564800; /* 2024-05-01T12:00:00Z */

    while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        switch (c) {
        case 'b': ev.bucket = optarg; break;
        case 'k': ev.key = optarg; break;
        case 'i': ev.image_id = optarg; break;
        case 'c': ev.content_type = optarg; break;
        case 's': ev.size = number("size", optarg); break;
        case 'W': ev.width = (uint32_t) number("width", optarg); break;
        case 'H': ev.height = (uint32_t) number("height", optarg); break;
        case 'a': ev.animated = 1; break;
        case 'x': ev.sha256 = optarg; break;
        case 'r': ev.request_id = optarg; break;
        case 'e': etag = optarg; break;
        case 'l': ev.local_path = optarg; break;
        case 'u': ev.user_id = optarg; break;
        case 'R': ev.region = optarg; break;
        case 'I': ev.source_ip = optarg; break;
        case 't': ev.time.tv_sec = (time_t) number("time", optarg); break;
        case 'S':
            if (strcmp(optarg, "s3") != 0 && strcmp(optarg, "local") != 0) {
                fprintf(stderr, "prism-event: --storage is s3 or local, not %s\n", optarg);
                return 2;
            }
            ev.storage = strcmp(optarg, "local") == 0 ? ING_STORAGE_LOCAL : ING_STORAGE_S3;
            break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind != argc || ev.bucket == NULL || ev.key == NULL) {
        usage(stderr);
        return 2;
    }
    ev.etag = etag != NULL ? etag : ev.storage == ING_STORAGE_LOCAL ? "" : "e";
    if (ev.storage == ING_STORAGE_LOCAL && ev.local_path == NULL) {
        path = malloc(strlen(ev.key) + sizeof("/var/lib/prism/originals/"));
        if (path == NULL) {
            fputs("prism-event: out of memory\n", stderr);
            return 1;
        }
        strcpy(path, "/var/lib/prism/originals/");
        strcat(path, ev.key);
        ev.local_path = path;
    }

    json = ing_event_json(&ev, err, sizeof(err));
    free(path);
    if (json == NULL) {
        fprintf(stderr, "prism-event: %s\n", err);
        return 1;
    }
    printf("%s\n", json);
    free(json);
    return 0;
}
