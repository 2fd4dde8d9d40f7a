"""A service's data: its KMS key, its tables, its buckets, and the exact permissions to use them."""

from __future__ import annotations

from dataclasses import dataclass

import aws_cdk as cdk
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

from infra.cloud.nag import acknowledge, logical_id
from infra.cloud.naming import pascal
from shared.manifest import Bucket, ServiceManifest, Table

# No Scan: services read by key and by index; a scan over personal data is a deliberate change.
TABLE_ACTIONS = (
    "dynamodb:BatchGetItem",
    "dynamodb:BatchWriteItem",
    "dynamodb:ConditionCheckItem",
    "dynamodb:DeleteItem",
    "dynamodb:DescribeTable",
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:Query",
    "dynamodb:UpdateItem",
)
# BatchWriteItem is left out too: it deletes as well as puts. PutItem could still replace an item, which the
# writers' attribute_not_exists condition refuses; IAM has no condition that could.
APPEND_ONLY_TABLE_ACTIONS = tuple(
    action
    for action in TABLE_ACTIONS
    if action not in {"dynamodb:BatchWriteItem", "dynamodb:DeleteItem", "dynamodb:UpdateItem"}
)
OBJECT_ACTIONS = ("s3:GetObject", "s3:PutObject", "s3:DeleteObject")
# Spelled out rather than CDK's grantEncryptDecrypt, whose ReEncrypt*/GenerateDataKey* wildcards are wider.
KEY_ACTIONS = ("kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey")
ACCESS_LOG_RETENTION = cdk.Duration.days(365)


@dataclass(frozen=True)
class ServiceData:
    key: kms.Key
    tables: dict[str, dynamodb.Table]
    indexes: dict[str, tuple[str, ...]]  # table logical name -> its index names
    buckets: dict[str, s3.Bucket]
    append_only: frozenset[str]  # logical names of the tables whose items are never changed

    def grant_read_write(self, role: iam.Role) -> None:
        """Read and write every table (and index) and bucket of the service, and use its key for it; an
        append-only table is read and added to only."""
        for actions, names in (
            (TABLE_ACTIONS, [n for n in self.tables if n not in self.append_only]),
            (APPEND_ONLY_TABLE_ACTIONS, [n for n in self.tables if n in self.append_only]),
        ):
            if names:
                role.add_to_policy(
                    iam.PolicyStatement(actions=list(actions), resources=self._table_arns(names))
                )
        if self.buckets:
            role.add_to_policy(
                iam.PolicyStatement(
                    actions=list(OBJECT_ACTIONS),
                    resources=[bucket.arn_for_objects("*") for bucket in self.buckets.values()],
                )
            )
            for bucket in self.buckets.values():
                acknowledge(
                    role,
                    f"AwsSolutions-IAM5[Resource::<{logical_id(bucket)}.Arn>/*]",
                    "Object keys are chosen at run time; access is limited to this service's own bucket.",
                )
        role.add_to_policy(iam.PolicyStatement(actions=list(KEY_ACTIONS), resources=[self.key.key_arn]))

    def _table_arns(self, names: list[str]) -> list[str]:
        return [
            arn
            for name in names
            for arn in (
                self.tables[name].table_arn,
                *(f"{self.tables[name].table_arn}/index/{i}" for i in self.indexes[name]),
            )
        ]


def build_service_data(scope: Construct, manifest: ServiceManifest, env_name: str) -> ServiceData:
    key = personal_data_key(scope, manifest, env_name)
    tables = {spec.name: service_table(scope, manifest, env_name, spec, key) for spec in manifest.tables}
    indexes = {spec.name: tuple(index.name for index in spec.indexes) for spec in manifest.tables}
    buckets = service_buckets(scope, manifest, env_name, key)
    append_only = frozenset(spec.name for spec in manifest.tables if spec.append_only)
    return ServiceData(key=key, tables=tables, indexes=indexes, buckets=buckets, append_only=append_only)


def personal_data_key(scope: Construct, manifest: ServiceManifest, env_name: str) -> kms.Key:
    return kms.Key(
        scope,
        "DataKey",
        alias=f"alias/{manifest.prefix(env_name)}",
        description=f"Encrypts the personal data of {manifest.name} ({env_name}): tables, queues, buckets",
        enable_key_rotation=True,
        removal_policy=cdk.RemovalPolicy.RETAIN,
    )


def service_table(
    scope: Construct, manifest: ServiceManifest, env_name: str, spec: Table, key: kms.IKey
) -> dynamodb.Table:
    table = dynamodb.Table(
        scope,
        f"{pascal(spec.name)}Table",
        table_name=manifest.table_name(env_name, spec.name),
        partition_key=_string_attribute(spec.partition_key),
        sort_key=_string_attribute(spec.sort_key) if spec.sort_key else None,
        billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
        point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
            point_in_time_recovery_enabled=True
        ),
        deletion_protection=True,
        encryption=dynamodb.TableEncryption.CUSTOMER_MANAGED,
        encryption_key=key,
        time_to_live_attribute=spec.ttl_attribute,
        stream=dynamodb.StreamViewType.NEW_IMAGE if spec.stream else None,
        removal_policy=cdk.RemovalPolicy.RETAIN,
    )
    for index in spec.indexes:
        table.add_global_secondary_index(
            index_name=index.name,
            partition_key=_string_attribute(index.partition_key),
            sort_key=_string_attribute(index.sort_key) if index.sort_key else None,
            projection_type=dynamodb.ProjectionType.ALL,
        )
    return table


def service_buckets(
    scope: Construct, manifest: ServiceManifest, env_name: str, key: kms.IKey
) -> dict[str, s3.Bucket]:
    if not manifest.buckets:
        return {}
    access_logs = _access_log_bucket(scope, manifest, env_name)
    return {
        spec.name: _bucket(scope, manifest, env_name, spec, key, access_logs) for spec in manifest.buckets
    }


def _bucket(
    scope: Construct,
    manifest: ServiceManifest,
    env_name: str,
    spec: Bucket,
    key: kms.IKey,
    access_logs: s3.IBucket,
) -> s3.Bucket:
    return s3.Bucket(
        scope,
        f"{pascal(spec.name)}Bucket",
        bucket_name=manifest.bucket_name(env_name, spec.name, cdk.Aws.ACCOUNT_ID),
        encryption=s3.BucketEncryption.KMS,
        encryption_key=key,
        bucket_key_enabled=True,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        enforce_ssl=True,
        versioned=True,
        server_access_logs_bucket=access_logs,
        server_access_logs_prefix=f"{spec.name}/",
        removal_policy=cdk.RemovalPolicy.RETAIN,
    )


def _access_log_bucket(scope: Construct, manifest: ServiceManifest, env_name: str) -> s3.Bucket:
    # S3 delivers server access logs only to buckets encrypted with S3-managed keys.
    bucket = s3.Bucket(
        scope,
        "AccessLogBucket",
        bucket_name=manifest.bucket_name(env_name, "access-logs", cdk.Aws.ACCOUNT_ID),
        encryption=s3.BucketEncryption.S3_MANAGED,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        enforce_ssl=True,
        versioned=True,
        lifecycle_rules=[s3.LifecycleRule(expiration=ACCESS_LOG_RETENTION)],
        removal_policy=cdk.RemovalPolicy.RETAIN,
    )
    acknowledge(
        bucket,
        "AwsSolutions-S1",
        "This is the access-log bucket of the service's buckets; logging it to itself would loop.",
    )
    return bucket


def _string_attribute(name: str) -> dynamodb.Attribute:
    return dynamodb.Attribute(name=name, type=dynamodb.AttributeType.STRING)
