/* Provisioning S3 buckets: create in the client's region, default
 * encryption, delete (emptied first only with force). */
#include "provision.h"

#include <string.h>

#include "provision_steps.h"
#include "s3_admin.h"

/* Returns the SSE the plan wants for b. */
static aws_s3_sse_t prov_bucket_sse(const prov_bucket_t *b)
{
    return b->encryption.kind == PROV_ENC_AES256 ? AWS_S3_SSE_AES256
           : b->encryption.kind == PROV_ENC_KMS  ? AWS_S3_SSE_KMS : AWS_S3_SSE_NONE;
}

/* Returns a name for an SSE setting. */
static const char *prov_sse_name(aws_s3_sse_t sse)
{
    return sse == AWS_S3_SSE_AES256 ? "AES256" : sse == AWS_S3_SSE_KMS ? "aws:kms" : "none";
}

/* Converges the default encryption of an existing (or just created)
 * bucket when the plan names one. */
static int prov_bucket_encryption(prov_run_t *r, const prov_bucket_t *b, int apply,
                                  aws_error_t *err)
{
    aws_s3_sse_t want = prov_bucket_sse(b);
    aws_s3_bucket_encryption_t have;
    const char *id = b->encryption.kms_key_id;
    char what[128];
    int unknown = 0;

    snprintf(what, sizeof(what), "bucket %s", b->name);
    if (want == AWS_S3_SSE_NONE) {
        return 0;
    }
    if (aws_s3_get_bucket_encryption(r->client, b->name, &have, err) != 0) {
        if (err->kind != AWS_ERR_PARSE) {
            return prov_say_error(r, what, err);
        }
        unknown = 1;   /* an endpoint that does not implement GetBucketEncryption */
    } else if (have.sse == want && (id == NULL || strcmp(id, have.kms_key_id) == 0)) {
        return 0;
    }
    r->changes++;
    prov_say(r, "%s: default encryption %s %s%s%s%s", what, apply ? "set to" : "would be set to",
             prov_sse_name(want), id ? " key " : "", id ? id : "",
             unknown ? " (the endpoint does not report bucket encryption)" : "");
    if (apply && aws_s3_put_bucket_encryption(r->client, b->name, want, id, err) != 0) {
        return prov_say_error(r, what, err);
    }
    return 0;
}

/* Converges one bucket. */
static int prov_bucket_converge(prov_run_t *r, const prov_bucket_t *b, int apply,
                                aws_error_t *err)
{
    char what[128];

    snprintf(what, sizeof(what), "bucket %s", b->name);
    if (aws_s3_head_bucket(r->client, b->name, err) == 0) {
        prov_say(r, "%s: in place", what);
        return prov_bucket_encryption(r, b, apply, err);
    }
    if (aws_error_is(err, "Forbidden") || err->http_status == 403) {
        prov_say(r, "%s: exists but is not accessible: another account owns the name, or this "
                 "identity lacks s3:ListBucket (bucket names are global: pick another, e.g. "
                 "with ${account} in it)", what);
        return prov_say_error(r, what, err);
    }
    if (!aws_s3_error_is_not_found(err)) {
        return prov_say_error(r, what, err);
    }
    r->changes++;
    if (!apply) {
        prov_say(r, "%s: missing, would be created in %s", what, aws_client_region(r->client));
        return 0;
    }
    if (aws_s3_create_bucket(r->client, b->name, err) != 0
        && !aws_error_is(err, "BucketAlreadyOwnedByYou")) {
        if (aws_error_is(err, "BucketAlreadyExists")) {
            prov_say(r, "%s: the name belongs to another account (bucket names are global)", what);
        }
        return prov_say_error(r, what, err);
    }
    prov_say(r, "%s: created in %s", what, aws_client_region(r->client));
    return prov_bucket_encryption(r, b, apply, err);
}

int prov_buckets_converge(prov_run_t *r, int apply, aws_error_t *err)
{
    size_t i;

    for (i = 0; i < r->plan->nbuckets; i++) {
        if (prov_bucket_converge(r, &r->plan->buckets[i], apply, err) != 0) {
            return -1;
        }
    }
    return 0;
}

/* Deletes one bucket; a non-empty one is emptied first with force,
 * else left in place with an error.  Returns 0 or -1 with err set. */
static int prov_bucket_remove(prov_run_t *r, const prov_bucket_t *b, aws_error_t *err)
{
    char what[128];
    size_t deleted;

    snprintf(what, sizeof(what), "bucket %s", b->name);
    if (aws_s3_head_bucket(r->client, b->name, err) != 0 && aws_s3_error_is_not_found(err)) {
        prov_say(r, "%s: absent", what);
        return 0;
    }
    if (aws_s3_delete_bucket(r->client, b->name, err) == 0) {
        prov_say(r, "%s: deleted", what);
        r->changes++;
        return 0;
    }
    if (!aws_error_is(err, "BucketNotEmpty")) {
        return prov_say_error(r, what, err);
    }
    if (!r->force) {
        prov_say(r, "%s: not empty, left in place (down --force deletes its objects first)", what);
        return -1;
    }
    if (aws_s3_empty_bucket(r->client, b->name, &deleted, err) != 0) {
        prov_say(r, "%s: %zu objects deleted before the failure", what, deleted);
        return prov_say_error(r, what, err);
    }
    prov_say(r, "%s: %zu object%s deleted", what, deleted, deleted == 1 ? "" : "s");
    if (aws_s3_delete_bucket(r->client, b->name, err) != 0) {
        return prov_say_error(r, what, err);
    }
    prov_say(r, "%s: deleted", what);
    r->changes++;
    return 0;
}

int prov_buckets_remove(prov_run_t *r, aws_error_t *err)
{
    aws_error_t e;
    size_t i;
    int rc = 0;

    for (i = 0; i < r->plan->nbuckets; i++) {
        if (prov_bucket_remove(r, &r->plan->buckets[i], &e) != 0 && rc == 0) {
            *err = e;
            rc = -1;
        }
    }
    return rc;
}
