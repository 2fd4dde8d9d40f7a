"""A service's data: its KMS key, its tables, its buckets, and each function's declared use of them."""

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
from shared.manifest import Bucket, Function, ServiceManifest, Table, TableAction

# What a function's own table and bucket actions need of the service key, as CDK's own grants reckon it,
# spelled out rather than with their ReEncrypt*/GenerateDataKey* wildcards.
KEY_READ_ACTIONS = ("kms:Decrypt", "kms:DescribeKey")
KEY_WRITE_ACTIONS = ("kms:Encrypt", "kms:GenerateDataKey")
TABLE_WRITE_ACTIONS: frozenset[TableAction] = frozenset(
    {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem"}
)
ACCESS_LOG_RETENTION = cdk.Duration.days(365)


@dataclass(frozen=True)
class ServiceData:
    key: kms.Key
    tables: dict[str, dynamodb.Table]
    buckets: dict[str, s3.Bucket]

    def grant(self, role: iam.Role, spec: Function) -> None:
        """Exactly what the manifest says ``spec`` does to the service's tables and buckets, and the use of
        the service key that needs; nothing for a function that declares nothing."""
        key_actions: set[str] = set()
        for name, table in self.tables.items():
            actions = spec.table_access(name)
            if actions:
                role.add_to_policy(
                    iam.PolicyStatement(
                        actions=[f"dynamodb:{a}" for a in sorted(actions)], resources=[table.table_arn]
                    )
                )
            indexes = sorted(spec.queried_indexes(name))
            if indexes:
                role.add_to_policy(
                    iam.PolicyStatement(
                        actions=["dynamodb:Query"],
                        resources=[f"{table.table_arn}/index/{i}" for i in indexes],
                    )
                )
            if actions or indexes:
                key_actions.update(KEY_READ_ACTIONS)
            if actions & TABLE_WRITE_ACTIONS:
                key_actions.update(KEY_WRITE_ACTIONS)
        for name, bucket in self.buckets.items():
            object_actions = spec.bucket_access(name)
            if not object_actions:
                continue
            role.add_to_policy(
                iam.PolicyStatement(
                    actions=[f"s3:{a}" for a in sorted(object_actions)],
                    resources=[bucket.arn_for_objects("*")],
                )
            )
            acknowledge(
                role,
                f"AwsSolutions-IAM5[Resource::<{logical_id(bucket)}.Arn>/*]",
                "Object keys are chosen at run time; access is limited to this service's own bucket.",
            )
            if "GetObject" in object_actions:
                key_actions.add("kms:Decrypt")
            if "PutObject" in object_actions:
                key_actions.update(("kms:Decrypt", "kms:GenerateDataKey"))
        if key_actions:
            role.add_to_policy(iam.PolicyStatement(actions=sorted(key_actions), resources=[self.key.key_arn]))


def build_service_data(scope: Construct, manifest: ServiceManifest, env_name: str) -> ServiceData:
    key = personal_data_key(scope, manifest, env_name)
    tables = {spec.name: service_table(scope, manifest, env_name, spec, key) for spec in manifest.tables}
    buckets = service_buckets(scope, manifest, env_name, key)
    return ServiceData(key=key, tables=tables, buckets=buckets)


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
            projection_type=dynamodb.ProjectionType(index.projection),
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
