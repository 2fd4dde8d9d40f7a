"""A manifest's own metric alarms reach the platform topic: here, reports whose triage never ran."""

from __future__ import annotations

from infra.cloud.inventory import resources
from infra.cloud.naming import ALARM_TOPIC_ARN
from shared.manifest import METRICS_NAMESPACE
from tests.infra.conftest import ENV, ServiceTemplate
from tests.infra.test_cloud_stacks import ref_to_ssm


def test_every_declared_metric_alarm_watches_the_service_s_metric_and_notifies_the_topic(
    services: list[ServiceTemplate],
) -> None:
    declared = 0
    for service in services:
        alarms = {props["AlarmName"]: props for _, props in resources(service.json, "AWS::CloudWatch::Alarm")}
        for spec in service.manifest.alarms:
            declared += 1
            alarm = alarms[service.manifest.alarm_name(ENV, spec.metric)]
            assert (alarm["Namespace"], alarm["MetricName"], alarm["Statistic"]) == (
                METRICS_NAMESPACE,
                spec.metric,
                "Maximum",
            )
            assert alarm["Dimensions"] == [{"Name": "service", "Value": service.manifest.name}]
            assert (alarm["Threshold"], alarm["ComparisonOperator"]) == (
                spec.threshold,
                "GreaterThanThreshold",
            )
            assert alarm["Period"] == spec.period_minutes * 60
            assert alarm["AlarmActions"] == [ref_to_ssm(service.json, ALARM_TOPIC_ARN.name(ENV))]
    assert declared >= 1


def test_reports_whose_triage_never_ran_alarm() -> None:
    from services.reports.manifest import MANIFEST, STALLED_METRIC

    assert STALLED_METRIC in {a.metric for a in MANIFEST.alarms}
    assert "stalledReports" in {s.function for s in MANIFEST.schedules}
