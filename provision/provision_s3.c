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
           : b->encryption.kind == PROV_ENC_KMS  ? AWS_S3_SSE_KMS
                                                 : AWS_S3_SSE_NONE;
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
        unknown = 1; /* an endpoint that does not implement GetBucketEncryption */
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

/* Tags a bucket up just created with the stack's tag and reads it back:
 * an endpoint that does not keep bucket tags is a warning (down will
 * keep the bucket, never delete what it cannot show to be its own). */
static int prov_bucket_tag(prov_run_t *r, const prov_bucket_t *b, aws_error_t *err)
{
    aws_attrs_t tags = AWS_ATTRS_INIT, have = AWS_ATTRS_INIT;
    char what[128];
    int rc = 0;

    snprintf(what, sizeof(what), "bucket %s", b->name);
    if (prov_plan_tags(r->plan, &tags) != 0) {
        aws_error_set(err, AWS_ERR_NOMEM, "out of memory planning %s", what);
        return -1;
    }
    if ((aws_s3_put_bucket_tagging(r->client, b->name, &tags, err) != 0
         || aws_s3_get_bucket_tagging(r->client, b->name, &have, err) != 0)
        && !prov_tags_unsupported(err)) {
        rc = prov_say_error(r, what, err);
    } else if (prov_owner(err->kind == AWS_ERR_NONE ? &have : NULL, r->plan->stack)
               != PROV_OWNER_STACK) {
        prov_say(r,
                 "%s: warning: the endpoint does not keep bucket tags (" PROV_STACK_TAG
                 "=%s); down will keep this bucket",
                 what, r->plan->stack);
        r->warnings++;
    }
    aws_attrs_free(&tags);
    aws_attrs_free(&have);
    return rc;
}

/* Converges one bucket. */
static int prov_bucket_converge(prov_run_t *r, const prov_bucket_t *b, int apply, aws_error_t *err)
{
    char what[128];
    int rc = aws_s3_head_bucket(r->client, b->name, err);

    snprintf(what, sizeof(what), "bucket %s", b->name);
    if (b->existing) {
        return prov_say_existing(r, what, rc, rc != 0 && aws_s3_error_is_not_found(err), err);
    }
    if (rc == 0) {
        prov_say(r, "%s: in place", what);
        return prov_bucket_encryption(r, b, apply, err);
    }
    if (aws_error_is(err, "Forbidden") || err->http_status == 403) {
        prov_say(r,
                 "%s: exists but is not accessible: another account owns the name, or this "
                 "identity lacks s3:ListBucket (bucket names are global: pick another, e.g. "
                 "with ${account} in it)",
                 what);
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
    if (prov_bucket_tag(r, b, err) != 0) {
        return -1;
    }
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

/* prov_remove_fn: empties the bucket first with force (objects put
 * since the look-up included), then DeleteBucket. */
static int prov_bucket_remove(prov_run_t *r, const prov_down_item_t *it, aws_error_t *err)
{
    size_t deleted = 0;
    int rc = r->force ? aws_s3_empty_bucket(r->client, it->handle, &deleted, err) : 0;

    if (deleted > 0 || rc != 0) {
        prov_say(r, "bucket %s: %zu object%s deleted", it->name, deleted, deleted == 1 ? "" : "s");
    }
    return rc == 0 ? aws_s3_delete_bucket(r->client, it->handle, err) : -1;
}

/* Also whether a bucket of this stack holds objects. */
int prov_bucket_survey(prov_run_t *r, size_t i, prov_down_list_t *l, aws_error_t *err)
{
    const prov_bucket_t *b = &r->plan->buckets[i];
    aws_attrs_t tags = AWS_ATTRS_INIT;
    prov_down_facts_t f = { 1, b->existing, PROV_OWNER_NONE, 0 };
    const char *other = NULL;
    char what[128];
    int rc = 0, empty = 1;

    snprintf(what, sizeof(what), "bucket %s", b->name);
    if (aws_s3_head_bucket(r->client, b->name, err) != 0) {
        if (!aws_s3_error_is_not_found(err)) {
            return prov_say_error(r, what, err);
        }
        f.exists = 0;
    } else if (!b->existing) {
        rc =
            prov_owner_from_tags(r, what, aws_s3_get_bucket_tagging(r->client, b->name, &tags, err),
                                 &tags, err, &f.owner, &other);
        if (rc == 0 && f.owner == PROV_OWNER_STACK
            && aws_s3_bucket_is_empty(r->client, b->name, &empty, err) != 0) {
            rc = prov_say_error(r, what, err);
        }
        f.holds_data = !empty;
    }
    if (rc == 0) {
        rc = prov_down_add(r, l, "bucket", b->name, b->name, &f, other, prov_bucket_remove, err);
    }
    aws_attrs_free(&tags);
    return rc;
}
