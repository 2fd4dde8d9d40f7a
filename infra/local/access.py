"""The local cloud refuses an AWS call that the calling function's role in AWS would refuse.

Each manifest function declares what it does to its service's tables and buckets (``Function.access``), the
queues it sends to (``Queue.senders``), the secrets it reads (``Secret.readers``) and, for a publisher, that
it puts its service's events. The CDK app renders the function's IAM role from exactly that; here a botocore hook in the worker process checks every
call against the same declarations before it leaves the process, and answers a call that is not declared as
AWS would, with ``AccessDeniedException``. So a handler that starts using an action nobody declared fails on a
laptop and in the end-to-end tests, not first in AWS.

The supervisor renders the service's :func:`policy_document` into the plan and hands it to each worker
(``--access``). Only calls made while a manifest function runs are checked (the worker names it in
``AWS_LAMBDA_FUNCTION_NAME``); the local-only seed handler loads reference data and is no function in AWS.
Presigned requests are checked when they are signed, as what they will do (a presigned POST is a
``PutObject``), because S3 applies the signer's permissions to them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.exceptions import ClientError

from shared.manifest import SWEEPER_HANDLER, SWEEPER_TABLE_ACTIONS, ServiceManifest, bus_name

FUNCTION_NAME_VARIABLE = "AWS_LAMBDA_FUNCTION_NAME"

# Operation -> the IAM action it needs, for operations on one table (and maybe one of its indexes).
_TABLE_OPERATIONS = {
    "GetItem": "GetItem",
    "PutItem": "PutItem",
    "UpdateItem": "UpdateItem",
    "DeleteItem": "DeleteItem",
    "Query": "Query",
    "Scan": "Scan",
    "DescribeTable": "DescribeTable",
}
_TRANSACT_WRITE_ACTIONS = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
}
_OBJECT_OPERATIONS = {"HeadObject": "GetObject"}
_SEND_ACTIONS = frozenset({"sqs:GetQueueUrl", "sqs:SendMessage"})

PolicyDocument = dict[str, Any]


@dataclass(frozen=True)
class Permission:
    """One thing IAM decides on: an action on a resource of the service, by its physical name."""

    action: str  # "dynamodb:PutItem"
    resource: str  # physical table, bucket, queue or bus name
    index: str | None = None
    event_source: str | None = None  # the events:source of a PutEvents entry

    def describe(self) -> str:
        on = f"{self.resource}/index/{self.index}" if self.index else self.resource
        source = f" with source {self.event_source!r}" if self.event_source else ""
        return f"{self.action} on {on}{source}"


def permissions(
    service: str, operation: str, params: Mapping[str, Any], *, presigned: bool = False
) -> Iterator[Permission]:
    """What IAM checks for one call; ``service`` as botocore's endpoint prefix names it. A presigned request
    is checked when it is signed: it is the signer's permission that S3 applies to it."""
    if service == "s3" and presigned and operation == "CreateBucket":
        # botocore builds a presigned POST from the CreateBucket operation: it is an upload, a PutObject.
        yield Permission("s3:PutObject", str(params.get("Bucket", "")))
    elif service == "dynamodb":
        yield from _dynamodb_permissions(operation, params)
    elif service == "s3":
        action = _OBJECT_OPERATIONS.get(operation, operation)
        yield Permission(f"s3:{action}", str(params.get("Bucket", "")))
    elif service == "sqs":
        queue = params.get("QueueName") or str(params.get("QueueUrl", "")).rsplit("/", 1)[-1]
        yield Permission(f"sqs:{operation}", str(queue))
    elif service == "secretsmanager" and operation == "GetSecretValue":
        yield Permission("secretsmanager:GetSecretValue", str(params.get("SecretId", "")).rsplit(":", 1)[-1])
    elif service == "events" and operation == "PutEvents":
        for entry in params.get("Entries", []):
            bus = str(entry.get("EventBusName") or "default").rsplit("/", 1)[-1]
            yield Permission("events:PutEvents", bus, event_source=entry.get("Source"))
    else:
        yield Permission(f"{service}:{operation}", "*")


def _dynamodb_permissions(operation: str, params: Mapping[str, Any]) -> Iterator[Permission]:
    if operation in _TABLE_OPERATIONS:
        index = params.get("IndexName") if operation in ("Query", "Scan") else None
        yield Permission(f"dynamodb:{_TABLE_OPERATIONS[operation]}", str(params["TableName"]), index)
    elif operation == "TransactWriteItems":
        for item in params.get("TransactItems", []):
            for kind, request in item.items():
                yield Permission(f"dynamodb:{_TRANSACT_WRITE_ACTIONS[kind]}", str(request["TableName"]))
    elif operation == "TransactGetItems":
        for item in params.get("TransactItems", []):
            yield Permission("dynamodb:GetItem", str(item["Get"]["TableName"]))
    elif operation in ("BatchGetItem", "BatchWriteItem"):
        for table in params.get("RequestItems", {}):
            yield Permission(f"dynamodb:{operation}", str(table))
    else:
        yield Permission(f"dynamodb:{operation}", str(params.get("TableName", "*")))


def policy_document(manifest: ServiceManifest, env: str, account: str) -> PolicyDocument:
    """Per physical function name: the actions it may take on which physical resource (JSON-able)."""
    functions: dict[str, Any] = {}
    for function in manifest.functions:
        grants: dict[str, list[str]] = {}
        for table in manifest.tables:
            name = manifest.table_name(env, table.name)
            actions = sorted(f"dynamodb:{a}" for a in function.table_access(table.name))
            if actions:
                grants[name] = actions
            for index in sorted(function.queried_indexes(table.name)):
                grants[f"{name}/index/{index}"] = ["dynamodb:Query"]
        for bucket in manifest.buckets:
            actions = sorted(f"s3:{a}" for a in function.bucket_access(bucket.name))
            if actions:
                grants[manifest.bucket_name(env, bucket.name, account)] = actions
        for queue in manifest.sends_to(function.name):
            grants[manifest.queue_name(env, queue.name)] = sorted(_SEND_ACTIONS)
        for secret in manifest.secrets:
            if function.name in secret.readers:
                grants[manifest.secret_name(env, secret.name)] = ["secretsmanager:GetSecretValue"]
        if function.kind == "publisher":
            # It deletes the outbox items the bus took (in AWS: only keys starting OUTBOX#).
            for table in manifest.outbox_tables:
                name = manifest.table_name(env, table.name)
                grants[name] = sorted({*grants.get(name, []), "dynamodb:BatchWriteItem"})
        if function.handler == SWEEPER_HANDLER:
            for table in manifest.outbox_tables:
                name = manifest.table_name(env, table.name)
                grants[name] = sorted(
                    {*grants.get(name, []), *(f"dynamodb:{a}" for a in SWEEPER_TABLE_ACTIONS)}
                )
        if function.kind == "publisher" or function.handler == SWEEPER_HANDLER:
            grants[f"{bus_name(env)}@{manifest.source}"] = ["events:PutEvents"]
        functions[manifest.function_name(env, function.name)] = {"name": function.name, "grants": grants}
    return {"service": manifest.name, "functions": functions}


def refused(document: PolicyDocument, function: str, needed: list[Permission]) -> list[Permission]:
    """What of ``needed`` the policy does not grant the (physical) function; nothing for a non-function."""
    spec = document["functions"].get(function)
    if spec is None:
        return []
    grants: dict[str, list[str]] = spec["grants"]

    def granted(permission: Permission) -> bool:
        resource = permission.resource
        if permission.index is not None:
            resource = f"{resource}/index/{permission.index}"
        if permission.action == "events:PutEvents":
            resource = f"{resource}@{permission.event_source}"
        return permission.action in grants.get(resource, ())

    return [p for p in needed if not granted(p)]


def access_denied(
    document: PolicyDocument, function: str, refusals: list[Permission], operation: str
) -> ClientError:
    service, name = document["service"], document["functions"][function]["name"]
    what = "; ".join(p.describe() for p in refusals)
    message = (
        f"{function} may not {what}: its role in AWS would refuse it. If the {name!r} function needs it, "
        f"declare it in services/{service}/manifest.py (Function.access, Queue.senders or Secret.readers)."
    )
    return ClientError({"Error": {"Code": "AccessDeniedException", "Message": message}}, operation)


def install(document: PolicyDocument, session: boto3.Session | None = None) -> None:
    """Check every call of the clients made from ``session`` from now on (by default boto3's default
    session, from which the services make theirs) against the grants of the function that is running."""

    def check(
        params: Mapping[str, Any], model: Any, context: Mapping[str, Any] | None = None, **_: Any
    ) -> None:
        function = os.environ.get(FUNCTION_NAME_VARIABLE, "")
        presigned = bool((context or {}).get("is_presign_request"))
        needed = list(
            permissions(model.service_model.endpoint_prefix, model.name, params, presigned=presigned)
        )
        refusals = refused(document, function, needed)
        if refusals:
            raise access_denied(document, function, refusals, model.name)

    if session is None:
        boto3.setup_default_session()
        session = boto3.DEFAULT_SESSION
    assert session is not None
    session.events.register("provide-client-params", check)
