/*
 * dynamodb_admin — DynamoDB's control plane: tables (CreateTable,
 * DescribeTable, DeleteTable) and their tags, for provisioning, the CLIs
 * and prism-host's start-up checks.  The wire format and the item calls
 * are aws/dynamodb.h's.
 */
#ifndef AWS_DYNAMODB_ADMIN_H
#define AWS_DYNAMODB_ADMIN_H

#include "dynamodb.h"

/* ---- tables (dynamodb_table.c) ------------------------------------------- */

typedef struct {
    const char *name;      /* required */
    const char *hash_key;  /* required: partition key attribute */
    const char *hash_type; /* "S", "N" or "B" */
    const char *range_key; /* sort key, or NULL */
    const char *range_type;
    const char *billing_mode; /* "PAY_PER_REQUEST" (NULL means it) or "PROVISIONED" */
    long read_capacity;       /* PROVISIONED only, >= 1 */
    long write_capacity;
    int sse_kms;             /* 1: SSESpecification KMS (else the AWS owned key) */
    const char *kms_key_id;  /* with sse_kms: a customer key; NULL: the AWS managed key */
    const aws_attrs_t *tags; /* Tags (key -> value), or NULL */
} aws_ddb_table_spec_t;

typedef struct {
    char name[256];
    char arn[512];
    char status[32]; /* CREATING, ACTIVE, UPDATING, DELETING, ... */
    char hash_key[256];
    char hash_type[4];
    char range_key[256]; /* "" when none */
    char range_type[4];
    char billing_mode[32]; /* PAY_PER_REQUEST or PROVISIONED */
    char sse_type[16];     /* "KMS" when SSEDescription says so, else "" */
    char kms_key_arn[512];
} aws_ddb_table_info_t;

/* Builds and signs CreateTable for spec: AttributeDefinitions and
 * KeySchema from the keys, BillingMode, ProvisionedThroughput
 * (PROVISIONED), SSESpecification (sse_kms), Tags.  Returns 0, or -1 with
 * err set (AWS_ERR_CONFIG for a missing name or key, a key type other
 * than S/N/B, an unknown billing mode, capacities under 1). */
int aws_ddb_create_table_request(aws_client_t *c, const aws_ddb_table_spec_t *spec,
                                 aws_request_t *req, aws_buf_t *body, aws_error_t *err);

/* Parses the TableDescription of a CreateTable / DeleteTable answer or
 * the Table of a DescribeTable answer into info.  Returns 0, or -1 with
 * err set (service error; AWS_ERR_PARSE without a TableName). */
int aws_ddb_table_parse(const aws_response_t *resp, aws_ddb_table_info_t *info, aws_error_t *err);

/* Builds and signs DescribeTable / DeleteTable (TableName). */
int aws_ddb_describe_table_request(aws_client_t *c, const char *table, aws_request_t *req,
                                   aws_buf_t *body, aws_error_t *err);
int aws_ddb_delete_table_request(aws_client_t *c, const char *table, aws_request_t *req,
                                 aws_buf_t *body, aws_error_t *err);

/* Blocking forms with retries; info may be NULL.  A missing table is
 * ResourceNotFoundException (aws_ddb_error_is_not_found). */
int aws_ddb_create_table(aws_client_t *c, const aws_ddb_table_spec_t *spec,
                         aws_ddb_table_info_t *info, aws_error_t *err);
int aws_ddb_describe_table(aws_client_t *c, const char *table, aws_ddb_table_info_t *info,
                           aws_error_t *err);
int aws_ddb_delete_table(aws_client_t *c, const char *table, aws_ddb_table_info_t *info,
                         aws_error_t *err);

/* ---- tags (dynamodb_tags.c) ---------------------------------------------- */

/* Returns tags as DynamoDB's [{"Key": K, "Value": V}, ...], or NULL
 * with err set (AWS_ERR_CONFIG for text that is not UTF-8). */
json_t *aws_ddb_tags_json(const aws_attrs_t *tags, aws_error_t *err);

/* ListTagsOfResource ARN (a table's) into out (must be empty; every
 * page).  Returns 0, or -1 with err set (ResourceNotFoundException; an
 * endpoint without the action answers UnknownOperationException). */
int aws_ddb_list_tags(aws_client_t *c, const char *arn, aws_attrs_t *out, aws_error_t *err);

/* TagResource ARN with tags (non-empty).  Returns 0, or -1 with err set. */
int aws_ddb_tag_resource(aws_client_t *c, const char *arn, const aws_attrs_t *tags,
                         aws_error_t *err);

#endif
