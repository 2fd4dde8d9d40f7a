"""Create in moto everything the plan declares: tables, the bus, rules, queues with DLQs, failure queues,
standalone queues, buckets, secrets (with random values, as Secrets Manager generates them in AWS), the tap."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from infra.local.aws import AwsClients
from infra.local.plan import REGION, TAP_PATTERN, LocalPlan, TablePlan

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import (
        AttributeDefinitionTypeDef,
        CreateTableInputTypeDef,
        GlobalSecondaryIndexTypeDef,
        KeySchemaElementTypeDef,
    )

SECONDS_PER_DAY = 24 * 3600
SECRET_BYTES = 48


@dataclass
class Provisioned:
    """What the pollers need to find the resources again."""

    queue_urls: dict[str, str] = field(default_factory=dict)
    queue_arns: dict[str, str] = field(default_factory=dict)
    stream_arns: dict[str, str] = field(default_factory=dict)  # table name -> latest stream ARN


def provision(plan: LocalPlan, aws: AwsClients, *, time_scale: float = 1.0) -> Provisioned:
    """``time_scale`` shortens the subscription queues' visibility timeouts (see
    ``QueuePlan.local_visibility_timeout_s``); 1 keeps AWS's timing."""
    provisioned = Provisioned()
    for table in plan.tables:
        arn = _create_table(aws, table)
        if arn:
            provisioned.stream_arns[table.name] = arn

    aws.events.create_event_bus(Name=plan.bus)
    for queue in plan.queues:
        dlq_url, dlq_arn = _create_queue(aws, queue.dlq_name, {})
        provisioned.queue_urls[queue.dlq_name], provisioned.queue_arns[queue.dlq_name] = dlq_url, dlq_arn
        redrive = {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": str(queue.max_receive_count)}
        attributes = {
            "RedrivePolicy": json.dumps(redrive),
            "VisibilityTimeout": str(queue.local_visibility_timeout_s(time_scale)),
        }
        provisioned.queue_urls[queue.name], provisioned.queue_arns[queue.name] = _create_queue(
            aws, queue.name, attributes
        )
    for rule in plan.rules:
        _route_to_queue(aws, plan.bus, rule.name, rule.pattern, rule.queue, provisioned)
    for name in plan.failure_queues:
        provisioned.queue_urls[name], provisioned.queue_arns[name] = _create_queue(aws, name, {})
    for standalone in plan.standalone_queues:
        retention = {"MessageRetentionPeriod": str(standalone.retention_days * SECONDS_PER_DAY)}
        provisioned.queue_urls[standalone.name], provisioned.queue_arns[standalone.name] = _create_queue(
            aws, standalone.name, retention
        )

    tap_url, tap_arn = _create_queue(aws, plan.tap_queue, {})
    provisioned.queue_urls[plan.tap_queue], provisioned.queue_arns[plan.tap_queue] = tap_url, tap_arn
    _route_to_queue(aws, plan.bus, plan.tap_rule, TAP_PATTERN, plan.tap_queue, provisioned)

    for bucket in plan.buckets:
        aws.s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    for secret in plan.secrets:
        # A fresh value per run, never one in code: tokens sealed with it die with the local cloud.
        aws.secrets.create_secret(Name=secret, SecretString=secrets.token_urlsafe(SECRET_BYTES))
    return provisioned


def _create_table(aws: AwsClients, table: TablePlan) -> str | None:
    key_names = [table.partition_key, table.sort_key]
    for index in table.indexes:
        key_names += [index.partition_key, index.sort_key]
    # Keys are strings throughout the platform (prefixed composite keys), as the CDK stacks declare them.
    attributes: list[AttributeDefinitionTypeDef] = [
        {"AttributeName": name, "AttributeType": "S"} for name in dict.fromkeys(key_names) if name
    ]
    request: CreateTableInputTypeDef = {
        "TableName": table.name,
        "KeySchema": _key_schema(table.partition_key, table.sort_key),
        "AttributeDefinitions": attributes,
        "BillingMode": "PAY_PER_REQUEST",
    }
    indexes: list[GlobalSecondaryIndexTypeDef] = [
        {
            "IndexName": index.name,
            "KeySchema": _key_schema(index.partition_key, index.sort_key),
            "Projection": {"ProjectionType": index.projection},
        }
        for index in table.indexes
    ]
    if indexes:
        request["GlobalSecondaryIndexes"] = indexes
    if table.stream:
        request["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}
    description = aws.dynamodb.create_table(**request)["TableDescription"]
    if table.ttl_attribute:
        aws.dynamodb.update_time_to_live(
            TableName=table.name,
            TimeToLiveSpecification={"Enabled": True, "AttributeName": table.ttl_attribute},
        )
    return description.get("LatestStreamArn")


def _key_schema(partition_key: str, sort_key: str | None) -> list[KeySchemaElementTypeDef]:
    schema: list[KeySchemaElementTypeDef] = [{"AttributeName": partition_key, "KeyType": "HASH"}]
    if sort_key:
        schema.append({"AttributeName": sort_key, "KeyType": "RANGE"})
    return schema


def _create_queue(aws: AwsClients, name: str, attributes: dict[str, str]) -> tuple[str, str]:
    url = aws.sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]  # type: ignore[arg-type]
    arn = aws.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return url, arn


def _route_to_queue(
    aws: AwsClients,
    bus: str,
    rule: str,
    pattern: dict[str, Any],
    queue: str,
    provisioned: Provisioned,
) -> None:
    rule_arn = aws.events.put_rule(Name=rule, EventBusName=bus, EventPattern=json.dumps(pattern))["RuleArn"]
    queue_url, queue_arn = provisioned.queue_urls[queue], provisioned.queue_arns[queue]
    # moto delivers without checking it; the policy is here so the local queue matches the deployed one.
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": f"AllowEventBridge-{rule}",
                "Effect": "Allow",
                "Principal": {"Service": "events.amazonaws.com"},
                "Action": "sqs:SendMessage",
                "Resource": queue_arn,
                "Condition": {"ArnEquals": {"aws:SourceArn": rule_arn}},
            }
        ],
    }
    aws.sqs.set_queue_attributes(QueueUrl=queue_url, Attributes={"Policy": json.dumps(policy)})
    aws.events.put_targets(Rule=rule, EventBusName=bus, Targets=[{"Id": "queue", "Arn": queue_arn}])
