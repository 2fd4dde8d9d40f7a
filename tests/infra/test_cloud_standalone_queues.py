"""A manifest's standalone queues (``shared.manifest.Queue``): the reports service's outgoing mail."""

from __future__ import annotations

from typing import Any

from infra.cloud.inventory import resources
from infra.cloud.naming import ALARM_TOPIC_ARN
from tests.infra.conftest import ENV, ServiceTemplate
from tests.infra.test_cloud_stacks import _as_list, _function_name_by_role, ref_to_ssm, refuses_plain_http

Template = dict[str, Any]


def reports(services: list[ServiceTemplate]) -> ServiceTemplate:
    return next(s for s in services if s.manifest.name == "reports")


def queue_logical_id(template: Template, queue_name: str) -> str:
    [logical_id] = [
        i for i, props in resources(template, "AWS::SQS::Queue") if props["QueueName"] == queue_name
    ]
    return logical_id


def test_outgoing_mail_queue_is_encrypted_with_the_service_key_tls_only_and_kept_14_days(
    services: list[ServiceTemplate],
) -> None:
    service = reports(services)
    name = "eservices-dev-reports-outgoing-mail"
    logical_id = queue_logical_id(service.json, name)
    queue = service.json["Resources"][logical_id]["Properties"]
    [key] = [i for i, _ in resources(service.json, "AWS::KMS::Key")]

    assert queue["KmsMasterKeyId"] == {"Fn::GetAtt": [key, "Arn"]}
    assert queue["MessageRetentionPeriod"] == 14 * 24 * 3600
    [policy] = [
        props["PolicyDocument"]
        for _, props in resources(service.json, "AWS::SQS::QueuePolicy")
        if {"Ref": logical_id} in props["Queues"]
    ]
    assert refuses_plain_http(policy)


def test_outgoing_mail_alarms_when_a_letter_waits_over_an_hour(services: list[ServiceTemplate]) -> None:
    service = reports(services)
    [alarm] = [
        props
        for _, props in resources(service.json, "AWS::CloudWatch::Alarm")
        if props["AlarmName"] == "eservices-dev-reports-outgoing-mail-too-old"
    ]

    assert alarm["MetricName"] == "ApproximateAgeOfOldestMessage"
    assert alarm["Threshold"] == 3600
    assert alarm["ComparisonOperator"] == "GreaterThanThreshold"
    assert alarm["AlarmActions"] == [ref_to_ssm(service.json, ALARM_TOPIC_ARN.name(ENV))]


def test_only_the_senders_may_send_to_a_standalone_queue(
    services: list[ServiceTemplate],
) -> None:
    for service in services:
        roles_by_function = _function_name_by_role(service.json)
        for spec in service.manifest.queues:
            queue = {
                "Fn::GetAtt": [
                    queue_logical_id(service.json, service.manifest.queue_name(ENV, spec.name)),
                    "Arn",
                ]
            }
            senders: set[str] = set()
            for _, policy in resources(service.json, "AWS::IAM::Policy"):
                for statement in policy["PolicyDocument"]["Statement"]:
                    if "sqs:SendMessage" in _as_list(statement["Action"]) and queue in _as_list(
                        statement["Resource"]
                    ):
                        senders |= {roles_by_function[r["Ref"]] for r in policy["Roles"]}
                        assert set(_as_list(statement["Action"])) == {"sqs:GetQueueUrl", "sqs:SendMessage"}

            assert senders == {service.manifest.function_name(ENV, s) for s in spec.senders}
            assert service.manifest.name != "reports" or senders == {"eservices-dev-reports-notify"}
