"""Alarms that reach someone: every queue's oldest message, every function's throttles, the outbox stream's
lag and the failure queues alarm a topic that mails the address given at deploy time."""

from __future__ import annotations

import json
from typing import Any

import aws_cdk as cdk
from aws_cdk import assertions
from aws_cdk import aws_sns as sns

from infra.cloud.alarms import manifest_alarm
from infra.cloud.inventory import resources
from infra.cloud.naming import ALARM_TOPIC_ARN
from infra.cloud.platform_stack import PlatformStack
from shared.manifest import Function, MetricAlarm, ServiceManifest
from tests.infra.conftest import ENV, ServiceTemplate
from tests.infra.test_cloud_stacks import ref_to_ssm

Template = dict[str, Any]


def _alarms(template: Template) -> list[dict[str, Any]]:
    return [props for _, props in resources(template, "AWS::CloudWatch::Alarm")]


def _dimension(alarm: dict[str, Any], name: str) -> Any:
    return next((d["Value"] for d in alarm.get("Dimensions", []) if d["Name"] == name), None)


def _watched(template: Template, metric: str, dimension: str) -> dict[str, dict[str, Any]]:
    """Logical id of the resource a ``metric`` alarm watches (through its ``dimension``) -> the alarm."""
    watched = {}
    for alarm in _alarms(template):
        if alarm.get("MetricName") == metric:
            value = _dimension(alarm, dimension)
            key = value["Fn::GetAtt"][0] if "Fn::GetAtt" in value else value["Ref"]
            watched[key] = alarm
    return watched


def test_every_queue_alarms_on_the_age_of_its_oldest_message(services: list[ServiceTemplate]) -> None:
    for service in services:
        queues = {
            logical: props["QueueName"] for logical, props in resources(service.json, "AWS::SQS::Queue")
        }
        watched = _watched(service.json, "ApproximateAgeOfOldestMessage", "QueueName")

        assert set(watched) == set(queues), service.manifest.name
        manifest = service.manifest
        names = {queues[logical]: alarm for logical, alarm in watched.items()}
        for subscription in manifest.subscriptions:
            # A consumer that stopped draining is found within a quarter of an hour; a dead letter left
            # without a redrive is said again after a day.
            assert names[manifest.queue_name(ENV, subscription.name)]["Threshold"] == 15 * 60
            assert names[manifest.dlq_name(ENV, subscription.name)]["Threshold"] == 24 * 3600
        for function in manifest.asynchronous_functions:
            assert names[manifest.failure_queue_name(ENV, function.name)]["Threshold"] == 24 * 3600
        for queue in manifest.queues:
            assert (
                names[manifest.queue_name(ENV, queue.name)]["Threshold"] == queue.max_age_alarm_minutes * 60
            )


def test_dead_letters_and_failure_records_alarm_as_soon_as_they_arrive(
    services: list[ServiceTemplate],
) -> None:
    for service in services:
        manifest = service.manifest
        queues = {
            logical: props["QueueName"] for logical, props in resources(service.json, "AWS::SQS::Queue")
        }
        watched = _watched(service.json, "ApproximateNumberOfMessagesVisible", "QueueName")
        expected = {manifest.dlq_name(ENV, s.name) for s in manifest.subscriptions} | {
            manifest.failure_queue_name(ENV, f.name) for f in manifest.asynchronous_functions
        }

        assert {queues[logical] for logical in watched} == expected
        assert all(alarm["Threshold"] == 0 for alarm in watched.values())


def test_every_function_alarms_when_throttled_and_the_publisher_when_its_stream_falls_behind(
    services: list[ServiceTemplate],
) -> None:
    for service in services:
        functions = {
            logical: props["FunctionName"]
            for logical, props in resources(service.json, "AWS::Lambda::Function")
        }
        throttled = _watched(service.json, "Throttles", "FunctionName")
        behind = _watched(service.json, "IteratorAge", "FunctionName")

        assert set(throttled) == set(functions)
        assert all(alarm["Statistic"] == "Sum" and alarm["Threshold"] == 0 for alarm in throttled.values())
        publishers = {
            service.manifest.function_name(ENV, f.name)
            for f in service.manifest.functions
            if f.kind == "publisher"
        }
        assert {functions[logical] for logical in behind} == publishers
        assert all(
            alarm["Statistic"] == "Maximum" and alarm["Threshold"] == 5 * 60 * 1000
            for alarm in behind.values()
        )


def test_every_alarm_notifies_the_platform_topic_and_says_what_is_wrong(
    services: list[ServiceTemplate],
) -> None:
    for service in services:
        topic = ref_to_ssm(service.json, ALARM_TOPIC_ARN.name(ENV))
        for alarm in _alarms(service.json):
            assert alarm["AlarmActions"] == [topic], alarm["AlarmName"]
            assert alarm["AlarmName"].startswith(service.manifest.prefix(ENV)), alarm["AlarmName"]
            assert alarm["AlarmDescription"], alarm["AlarmName"]
            assert alarm["TreatMissingData"] == "notBreaching", alarm["AlarmName"]


def test_the_alarm_topic_mails_the_address_given_at_deploy_time(platform: Template) -> None:
    [(_, topic_id)] = [(t, t) for t, _ in resources(platform, "AWS::SNS::Topic")]
    [(_, subscription)] = resources(platform, "AWS::SNS::Subscription")
    parameter = platform["Parameters"]["AlarmEmail"]

    assert subscription["Protocol"] == "email"
    assert subscription["Endpoint"] == {"Ref": "AlarmEmail"}
    assert subscription["TopicArn"] == {"Ref": topic_id}
    # Without the context value, a deploy must name someone.
    assert "Default" not in parameter
    assert parameter["AllowedPattern"]


def test_the_context_value_is_the_default_recipient() -> None:
    app = cdk.App(context={"alarmEmail": "larm@example.se"})
    stack = PlatformStack(app, env_name="ctx")

    parameter = assertions.Template.from_stack(stack).to_json()["Parameters"]["AlarmEmail"]

    assert parameter["Default"] == "larm@example.se"


def test_a_manifest_alarm_watches_the_services_own_metric_and_notifies() -> None:
    manifest = ServiceManifest(
        name="probe",
        title="Probe",
        routes=(),
        functions=(Function("sweep", "probe.sweep", "job"),),
        tables=(),
        alarms=(
            MetricAlarm(
                "stalled-work",
                "WorkStalled",
                threshold=0,
                evaluation_periods=2,
                description="Work waits",
                dimensions=(("kind", "report"),),
            ),
        ),
    )
    stack = cdk.Stack(cdk.App())
    topic = sns.Topic(stack, "Topic")
    manifest_alarm(stack, manifest, "dev", manifest.alarms[0], topic)

    [alarm] = _alarms(assertions.Template.from_stack(stack).to_json())

    assert alarm["AlarmName"] == "eservices-dev-probe-stalled-work"
    assert alarm["Namespace"] == "EServices"
    assert alarm["MetricName"] == "WorkStalled"
    assert sorted(alarm["Dimensions"], key=json.dumps) == [
        {"Name": "kind", "Value": "report"},
        {"Name": "service", "Value": "probe"},
    ]
    assert alarm["EvaluationPeriods"] == 2
    assert alarm["AlarmActions"] == [
        {"Ref": next(iter(assertions.Template.from_stack(stack).find_resources("AWS::SNS::Topic")))}
    ]
