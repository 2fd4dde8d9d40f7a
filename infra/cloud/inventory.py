"""What the synthesized templates deploy, in the shape the local cloud describes itself
(``infra.local.plan.describe_local_plan``), so a test can prove both run the same thing.

Read from the templates, not from the manifests: a renderer bug shows up as a difference.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from infra.cloud.naming import platform_stack_name
from infra.cloud.synth import synthesized

Template = dict[str, Any]
Route = tuple[str, str]  # (HTTP method, full path)


def cloud_inventory(env: str = "dev") -> dict[str, Any]:
    """``routes``, ``tables``, ``queues`` (every queue: subscriptions', their DLQs, failure queues), ``rules``
    and ``secrets`` of every service stack. The platform's own plumbing (the alarm topic's undelivered mail)
    has no local counterpart and is left out."""
    platform = platform_stack_name(env)
    templates = [t for name, t in synthesized(env).templates().items() if name != platform]
    return {
        "routes": {route for template in templates for route in api_methods(template)},
        "tables": {name for template in templates for name in table_names(template)},
        "queues": {name for template in templates for name in queue_names(template).values()},
        "rules": {name: rule for template in templates for name, rule in queue_rules(template).items()},
        "secrets": {
            secret["Name"]
            for template in templates
            for _, secret in resources(template, "AWS::SecretsManager::Secret")
        },
    }


def resources(template: Template, resource_type: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """(logical id, properties) of every resource of one type."""
    for logical_id, resource in template.get("Resources", {}).items():
        if resource["Type"] == resource_type:
            yield logical_id, resource.get("Properties", {})


def api_methods(template: Template) -> dict[Route, dict[str, Any]]:
    """(method, full path) -> the method's properties, for every API Gateway method but CORS preflights."""
    paths = _resource_paths(template)
    methods: dict[Route, dict[str, Any]] = {}
    for _, method in resources(template, "AWS::ApiGateway::Method"):
        if method["HttpMethod"] == "OPTIONS":
            continue
        resource_id = method["ResourceId"]
        path = paths[resource_id["Ref"]] if "Ref" in resource_id else "/"
        methods[(method["HttpMethod"], path)] = method
    return methods


def table_names(template: Template) -> set[str]:
    return {table["TableName"] for _, table in resources(template, "AWS::DynamoDB::Table")}


def queue_names(template: Template) -> dict[str, str]:
    """Logical id -> physical name of every queue."""
    return {logical_id: queue["QueueName"] for logical_id, queue in resources(template, "AWS::SQS::Queue")}


def queue_rules(template: Template) -> dict[str, dict[str, Any]]:
    """Rule name -> its event pattern and the queue it delivers to."""
    names = queue_names(template)
    return {
        rule["Name"]: {"pattern": rule["EventPattern"], "target_queue": names[_arn_of(target["Arn"])]}
        for _, rule in resources(template, "AWS::Events::Rule")
        for target in rule["Targets"]
        if _arn_of(target["Arn"]) in names
    }


def _resource_paths(template: Template) -> dict[str, str]:
    """API Gateway resource logical id -> full path, rebuilt from the PathPart/ParentId chain."""
    parts = {logical_id: props for logical_id, props in resources(template, "AWS::ApiGateway::Resource")}

    def path_of(logical_id: str) -> str:
        props = parts[logical_id]
        parent = props["ParentId"]
        prefix = path_of(parent["Ref"]) if "Ref" in parent else ""
        return f"{prefix}/{props['PathPart']}"

    return {logical_id: path_of(logical_id) for logical_id in parts}


def _arn_of(reference: dict[str, Any]) -> str:
    """The logical id behind ``{"Fn::GetAtt": [id, "Arn"]}``."""
    logical_id, _attribute = reference["Fn::GetAtt"]
    return str(logical_id)
