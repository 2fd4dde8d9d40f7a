"""Least privilege per function: each role grants exactly what the function's manifest declaration and its
triggers need. A grant nobody declared, or a declared one that is missing, fails here and names the pair."""

from __future__ import annotations

import json
from typing import Any

import pytest

from infra.cloud.inventory import resources
from shared.manifest import SWEEPER_HANDLER, SWEEPER_TABLE_ACTIONS, Function
from tests.infra.conftest import ENV, ServiceTemplate
from tests.infra.test_cloud_stacks import ssm_parameter_defaults

Template = dict[str, Any]
Grant = tuple[
    str, str
]  # (action, resource) with the resource named by logical id, e.g. ("s3:GetObject", "Bucket/*")

KEY_READ = ("kms:Decrypt", "kms:DescribeKey")
KEY_WRITE = ("kms:Encrypt", "kms:GenerateDataKey")
TABLE_WRITES = {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem"}
CONSUME = (
    "sqs:ReceiveMessage",
    "sqs:ChangeMessageVisibility",
    "sqs:GetQueueUrl",
    "sqs:DeleteMessage",
    "sqs:GetQueueAttributes",
)
READ_STREAM = ("dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator")


def _resource(value: Any, parameters: dict[str, str]) -> str:
    """A statement's resource as ``LogicalId``, ``LogicalId:StreamArn``, ``LogicalId/suffix``, the SSM
    parameter it reads, or ``*``."""
    if value == "*":
        return "*"
    if "Fn::GetAtt" in value:
        logical_id, attribute = value["Fn::GetAtt"]
        return logical_id if attribute == "Arn" else f"{logical_id}:{attribute}"
    if "Ref" in value:
        return parameters.get(value["Ref"], value["Ref"])
    if "Fn::Join" in value:
        separator, parts = value["Fn::Join"]
        return separator.join(p if isinstance(p, str) else _resource(p, parameters) for p in parts)
    raise AssertionError(f"unexpected resource {value}")


def granted(template: Template) -> dict[str, set[Grant]]:
    """Function name -> every (action, resource) its role's policies allow (conditions appended to the
    action, as ``events:PutEvents?{"StringEquals": ...}``)."""
    parameters = ssm_parameter_defaults(template)
    role_of = {
        props["Role"]["Fn::GetAtt"][0]: props["FunctionName"]
        for _, props in resources(template, "AWS::Lambda::Function")
    }
    grants: dict[str, set[Grant]] = {name: set() for name in role_of.values()}
    for _, policy in resources(template, "AWS::IAM::Policy"):
        functions = [role_of[r["Ref"]] for r in policy["Roles"] if r["Ref"] in role_of]
        for statement in policy["PolicyDocument"]["Statement"]:
            assert statement["Effect"] == "Allow"
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            targets = (
                statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
            )
            condition = (
                f"?{json.dumps(statement['Condition'], sort_keys=True)}" if "Condition" in statement else ""
            )
            for function in functions:
                grants[function] |= {
                    (action + condition, _resource(target, parameters))
                    for action in actions
                    for target in targets
                }
    return grants


def _ids(template: Template, resource_type: str, name_property: str) -> dict[str, str]:
    return {props[name_property]: logical for logical, props in resources(template, resource_type)}


def expected(service: ServiceTemplate, function: Function) -> set[Grant]:
    """What ``function`` needs, from the manifest alone: its logs and traces, its declared access and the
    key that needs, and what its triggers and destinations need."""
    manifest, template = service.manifest, service.json
    name = manifest.function_name(ENV, function.name)
    tables = _ids(template, "AWS::DynamoDB::Table", "TableName")
    queues = _ids(template, "AWS::SQS::Queue", "QueueName")
    buckets = {
        b.name: logical
        for logical, props in resources(template, "AWS::S3::Bucket")
        for b in manifest.buckets
        if b.name in json.dumps(props["BucketName"])
    }
    [key] = [logical for logical, _ in resources(template, "AWS::KMS::Key")]
    log_group = _ids(template, "AWS::Logs::LogGroup", "LogGroupName")[f"/aws/lambda/{name}"]
    grants: set[Grant] = {
        ("logs:CreateLogStream", log_group),
        ("logs:PutLogEvents", log_group),
        ("xray:PutTraceSegments", "*"),
        ("xray:PutTelemetryRecords", "*"),
    }
    key_actions: set[str] = set()
    for table in manifest.tables:
        table_id = tables[manifest.table_name(ENV, table.name)]
        actions = function.table_access(table.name)
        grants |= {(f"dynamodb:{a}", table_id) for a in actions}
        indexes = function.queried_indexes(table.name)
        grants |= {("dynamodb:Query", f"{table_id}/index/{i}") for i in indexes}
        if actions or indexes:
            key_actions.update(KEY_READ)
        if actions & TABLE_WRITES:
            key_actions.update(KEY_WRITE)
    for bucket in manifest.buckets:
        actions = function.bucket_access(bucket.name)
        grants |= {(f"s3:{a}", f"{buckets[bucket.name]}/*") for a in actions}
        if "GetObject" in actions:
            key_actions.add("kms:Decrypt")
        if "PutObject" in actions:
            key_actions.update(("kms:Decrypt", "kms:GenerateDataKey"))
    for queue in manifest.sends_to(function.name):
        grants |= {
            (a, queues[manifest.queue_name(ENV, queue.name)]) for a in ("sqs:GetQueueUrl", "sqs:SendMessage")
        }
        key_actions.update(("kms:Decrypt", "kms:GenerateDataKey"))
    for subscription in manifest.subscriptions:
        if subscription.function == function.name:
            grants |= {(a, queues[manifest.queue_name(ENV, subscription.name)]) for a in CONSUME}
            key_actions.add("kms:Decrypt")
    secrets = _ids(template, "AWS::SecretsManager::Secret", "Name")
    for secret in manifest.secrets:
        if function.name in secret.readers:
            grants.add(("secretsmanager:GetSecretValue", secrets[manifest.secret_name(ENV, secret.name)]))
            key_actions.add("kms:Decrypt")
    failures = queues.get(manifest.failure_queue_name(ENV, function.name))
    if function.kind == "job":
        grants.add(("sqs:SendMessage", failures or "?"))
    source_only = json.dumps({"StringEquals": {"events:source": manifest.source}}, sort_keys=True)
    if function.kind == "publisher" or function.handler == SWEEPER_HANDLER:
        grants.add((f"events:PutEvents?{source_only}", f"/eservices/{ENV}/platform/bus/arn"))
    if function.handler == SWEEPER_HANDLER:
        for table in manifest.outbox_tables:
            table_id = tables[manifest.table_name(ENV, table.name)]
            grants |= {(f"dynamodb:{a}", table_id) for a in SWEEPER_TABLE_ACTIONS}
        key_actions.update((*KEY_READ, *KEY_WRITE))
    if function.kind == "publisher":
        outbox_only = json.dumps(
            {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["OUTBOX#*"]}}, sort_keys=True
        )
        for table in manifest.outbox_tables:
            grants.add(
                (f"dynamodb:BatchWriteItem?{outbox_only}", tables[manifest.table_name(ENV, table.name)])
            )
        key_actions.add("kms:Decrypt")
        grants |= {
            (a, failures or "?") for a in ("sqs:SendMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl")
        }
        grants.add(("dynamodb:ListStreams", "*"))
        for table in manifest.tables:
            if table.stream:
                grants |= {
                    (a, f"{tables[manifest.table_name(ENV, table.name)]}:StreamArn") for a in READ_STREAM
                }
                key_actions.update(KEY_READ)
    return grants | {(a, key) for a in key_actions}


def test_each_role_grants_exactly_what_its_function_declares_and_its_triggers_need(
    services: list[ServiceTemplate],
) -> None:
    for service in services:
        roles = granted(service.json)
        for function in service.manifest.functions:
            name = service.manifest.function_name(ENV, function.name)
            want = expected(service, function)
            assert roles[name] - want == set(), f"{name} is granted more than it declares"
            assert want - roles[name] == set(), f"{name} lacks what it declares"


def _grants(services: list[ServiceTemplate], service: str, function: str) -> set[Grant]:
    template = next(s for s in services if s.manifest.name == service)
    return granted(template.json)[template.manifest.function_name(ENV, function)]


def _actions_on(grants: set[Grant], prefix: str) -> set[str]:
    return {action for action, resource in grants if resource.startswith(prefix)}


@pytest.mark.parametrize("service", ["reports", "bookings"])
def test_the_publisher_reads_its_stream_and_writes_no_table(
    services: list[ServiceTemplate], service: str
) -> None:
    grants = _grants(services, service, "publisher")
    changes = {"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"}

    assert not {action for action, _ in grants} & changes
    assert not {action for action, _ in grants} & {"s3:GetObject", "s3:PutObject", "kms:Encrypt"}
    [put] = [action for action, _ in grants if action.startswith("events:PutEvents")]
    assert f'"events:source": "polisen.{service}"' in put


def test_only_the_api_reaches_citizens_attachments_and_only_notify_sends_letters(
    services: list[ServiceTemplate],
) -> None:
    reports = next(s for s in services if s.manifest.name == "reports")
    for function in reports.manifest.functions:
        grants = _grants(services, "reports", function.name)
        objects = {action for action, _ in grants if action.startswith("s3:")}
        letters = {action for action, resource in grants if resource.startswith("OutgoingMail")}
        assert bool(objects) is (function.name == "api"), function.name
        assert bool(letters) is (function.name == "notify"), function.name


def test_jobs_and_consumers_touch_only_the_indexes_they_declare(services: list[ServiceTemplate]) -> None:
    deadlines = _grants(services, "reports", "foundItemDeadlines")
    reminders = _grants(services, "bookings", "reminders")

    assert {resource.rpartition("/")[2] for _, resource in deadlines if "/index/" in resource} == {
        "byDeadline"
    }
    assert {resource.rpartition("/")[2] for _, resource in reminders if "/index/" in resource} == {
        "byReminderDue"
    }
    # Querying an index is not querying the table it belongs to.
    assert not any(action == "dynamodb:Query" and "/index/" not in resource for action, resource in deadlines)


def test_nobody_may_change_or_remove_an_audit_record(services: list[ServiceTemplate]) -> None:
    for service in services:
        template = service.json
        tables = _ids(template, "AWS::DynamoDB::Table", "TableName")
        append_only = {
            tables[service.manifest.table_name(ENV, t.name)] for t in service.manifest.tables if t.append_only
        }
        for function, grants in granted(template).items():
            for action, resource in grants:
                if resource in append_only:
                    assert action in ("dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:Query"), (
                        function,
                        action,
                    )
    reports = next(s for s in services if s.manifest.name == "reports")
    assert _actions_on(_grants(services, "reports", "api"), "AuditTable") == {"dynamodb:PutItem"}
    assert reports.manifest.table("audit").append_only
