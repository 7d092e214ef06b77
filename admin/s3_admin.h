/*
 * s3_admin — managing S3 buckets over the REST API: CreateBucket (with
 * a LocationConstraint outside us-east-1), HeadBucket,
 * Put/GetBucketEncryption (default encryption), DeleteBucket and
 * emptying a bucket (ListObjectsV2 + DeleteObject); Put/GetBucketTagging
 * and whether a bucket holds objects (s3_tagging.c).
 *
 * Addressing and errors as s3.h: path-style on custom endpoints,
 * virtual-hosted on AWS for DNS-compatible names; XML errors, HEAD's
 * mapped from the status (404 -> NotFound, 403 -> Forbidden).
 */
#ifndef AWS_S3_ADMIN_H
#define AWS_S3_ADMIN_H

#include <stddef.h>

#include "aws_attrs.h"
#include "aws_client.h"
#include "aws_error.h"
#include "s3.h"

typedef struct {
    aws_s3_sse_t sse;     /* NONE when the bucket has no default encryption */
    char kms_key_id[512]; /* KMS only; "" for the AWS managed key */
} aws_s3_bucket_encryption_t;

/* CreateBucket BUCKET in the client's region (a CreateBucketConfiguration
 * body with LocationConstraint unless the region is us-east-1).
 * Returns 0, or -1 with err set: BucketAlreadyOwnedByYou when it is
 * already yours (outside us-east-1), BucketAlreadyExists when another
 * account owns the name. */
int aws_s3_create_bucket(aws_client_t *c, const char *bucket, aws_error_t *err);

/* HeadBucket: 0 when the bucket exists and is accessible, else -1 with
 * err set (aws_s3_error_is_not_found for a missing one; Forbidden when
 * it belongs to someone else or access is denied). */
int aws_s3_head_bucket(aws_client_t *c, const char *bucket, aws_error_t *err);

/* PutBucketEncryption: default encryption SSE (AES256 or aws:kms with
 * kms_key_id, NULL for the AWS managed key; KMS rules enable S3 Bucket
 * Keys), body signed with a Content-MD5.  Returns 0, or -1 with err set
 * (AWS_ERR_CONFIG for SSE none or a key id with XML special characters). */
int aws_s3_put_bucket_encryption(aws_client_t *c, const char *bucket, aws_s3_sse_t sse,
                                 const char *kms_key_id, aws_error_t *err);

/* Parses a GetBucketEncryption answer into out: 2xx with a
 * ServerSideEncryptionConfiguration, or 404
 * ServerSideEncryptionConfigurationNotFoundError (sse NONE).  Returns 0,
 * or -1 with err set (other errors; AWS_ERR_PARSE for a 2xx body that is
 * not a ServerSideEncryptionConfiguration — an endpoint that does not
 * implement the call). */
int aws_s3_bucket_encryption_parse(const aws_response_t *resp, aws_s3_bucket_encryption_t *out,
                                   aws_error_t *err);

/* Blocking GetBucketEncryption into out. */
int aws_s3_get_bucket_encryption(aws_client_t *c, const char *bucket,
                                 aws_s3_bucket_encryption_t *out, aws_error_t *err);

/* DeleteBucket: S3 refuses a bucket that is not empty (BucketNotEmpty,
 * HTTP 409). */
int aws_s3_delete_bucket(aws_client_t *c, const char *bucket, aws_error_t *err);

/* Deletes every object of BUCKET (ListObjectsV2 pages of up to 1000
 * keys, DeleteObject each; unversioned buckets), counting them in
 * *deleted.  Bounded to 1000 pages per call.  Returns 0, or -1 with err
 * set (objects deleted so far stay deleted). */
int aws_s3_empty_bucket(aws_client_t *c, const char *bucket, size_t *deleted, aws_error_t *err);

/* ---- tags and contents (s3_tagging.c) ----------------------------------- */

/* PutBucketTagging: replaces the bucket's tag set by tags (key ->
 * value, 1..50 of them; keys and values without XML special
 * characters).  Returns 0, or -1 with err set (AWS_ERR_CONFIG for bad
 * tags). */
int aws_s3_put_bucket_tagging(aws_client_t *c, const char *bucket, const aws_attrs_t *tags,
                              aws_error_t *err);

/* Parses a GetBucketTagging answer into out (must be empty): 2xx with a
 * Tagging document, or 404 NoSuchTagSet (no tags).  Returns 0, or -1
 * with err set (other errors; AWS_ERR_PARSE for a 2xx body that is not
 * a Tagging document — an endpoint that does not implement the call). */
int aws_s3_bucket_tagging_parse(const aws_response_t *resp, aws_attrs_t *out, aws_error_t *err);

/* Blocking GetBucketTagging into out (must be empty). */
int aws_s3_get_bucket_tagging(aws_client_t *c, const char *bucket, aws_attrs_t *out,
                              aws_error_t *err);

/* Sets *empty to 1 when BUCKET holds no object (ListObjectsV2 with
 * max-keys=1).  Returns 0, or -1 with err set. */
int aws_s3_bucket_is_empty(aws_client_t *c, const char *bucket, int *empty, aws_error_t *err);

#endif
