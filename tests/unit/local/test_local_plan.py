"""The local cloud's plan: what it provisions and runs, derived once from the manifests."""

from __future__ import annotations

import dataclasses
import json

import pytest
from moto import mock_aws

from infra.catalog import MANIFESTS
from infra.local import describe_local_plan
from infra.local.plan import LOCAL_OUTBOX_SWEEP, build_plan
from infra.local.provision import provision
from shared.manifest import (
    EID_AUTHORIZER,
    OUTBOX_SWEEP,
    OUTBOX_SWEEPER,
    PUBLISHER_HANDLER,
    Function,
    Index,
    Queue,
    Route,
    Schedule,
    ServiceManifest,
    Subscription,
    Table,
)
from tests.support.moto_clients import moto_clients, use_fake_credentials

PROBE = ServiceManifest(
    name="probe",
    title="Probe",
    routes=(Route("GET", "/probe/v1/things/{id}", "citizen"), Route("POST", "/probe/v1/things", "public")),
    functions=(
        Function("api", "probe.api.handler", "api"),
        EID_AUTHORIZER,
        Function("publisher", PUBLISHER_HANDLER, "publisher"),
        OUTBOX_SWEEPER,
        Function("intake", "probe.consumers.intake", "consumer", timeout_s=20),
        Function("jobs", "probe.jobs.tick", "job"),
    ),
    tables=(Table("main", indexes=(Index("byOwner", "ownerKey", "ownerSort"),), stream=True),),
    subscriptions=(
        Subscription(
            "intake", "intake", "polisen.reports", ("ReportFiled",), batch_size=25, max_receive_count=5
        ),
    ),
    schedules=(Schedule("tick", "jobs", "rate(5 minutes)"), OUTBOX_SWEEP),
    seed_handler="probe.seed.load",
)


def test_the_summary_has_the_shape_of_the_cloud_inventory() -> None:
    summary = describe_local_plan([PROBE])
    assert summary == {
        "routes": {("GET", "/probe/v1/things/{id}"), ("POST", "/probe/v1/things")},
        "tables": {"eservices-local-probe-main"},
        "queues": {
            "eservices-local-probe-intake",
            "eservices-local-probe-intake-dlq",
            "eservices-local-probe-publisher-failures",
            "eservices-local-probe-jobs-failures",
            "eservices-local-probe-outboxSweeper-failures",
        },
        "rules": {
            "eservices-local-probe-intake": {
                "pattern": {"source": ["polisen.reports"], "detail-type": ["ReportFiled"]},
                "target_queue": "eservices-local-probe-intake",
            }
        },
        "secrets": set(),
    }


PROBE_WITH_OUTBOUND = dataclasses.replace(PROBE, queues=(Queue("outbound", ("intake",), retention_days=4),))


def test_a_standalone_queue_is_planned_and_reported_but_nothing_local_consumes_it() -> None:
    plan = build_plan([PROBE_WITH_OUTBOUND])

    assert [(q.name, q.retention_days) for q in plan.standalone_queues] == [
        ("eservices-local-probe-outbound", 4)
    ]
    assert "eservices-local-probe-outbound" in describe_local_plan([PROBE_WITH_OUTBOUND])["queues"]
    assert "eservices-local-probe-outbound" not in {c.queue for c in plan.consumers}
    assert plan.service("probe").environment["QUEUE_OUTBOUND"] == "eservices-local-probe-outbound"


def test_a_standalone_queue_is_provisioned_with_its_retention(monkeypatch: pytest.MonkeyPatch) -> None:
    use_fake_credentials(monkeypatch)
    with mock_aws():
        aws = moto_clients()
        provisioned = provision(build_plan([PROBE_WITH_OUTBOUND]), aws)
        url = provisioned.queue_urls["eservices-local-probe-outbound"]
        attributes = aws.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["MessageRetentionPeriod"])

    assert attributes["Attributes"]["MessageRetentionPeriod"] == str(4 * 24 * 3600)


def test_the_local_only_tap_is_provisioned_but_not_reported() -> None:
    plan = build_plan([PROBE])
    summary = describe_local_plan([PROBE])
    assert plan.tap_queue not in summary["queues"]
    assert plan.tap_rule not in summary["rules"]


def test_the_plan_wires_streams_consumers_schedules_and_the_seed() -> None:
    plan = build_plan([PROBE], env="dev")
    assert plan.bus == "eservices-dev"
    (stream,) = plan.streams
    assert (stream.table, stream.function, stream.failure_queue) == (
        "eservices-dev-probe-main",
        "eservices-dev-probe-publisher",
        "eservices-dev-probe-publisher-failures",
    )
    (consumer,) = plan.consumers
    assert (consumer.queue, consumer.function, consumer.batch_size) == (
        "eservices-dev-probe-intake",
        "eservices-dev-probe-intake",
        25,
    )
    assert plan.queues[0].max_receive_count == 5
    schedule, sweep = plan.schedules
    assert sweep.expression == "rate(1 minute)", "AWS's timing unless the running local cloud asks"
    assert (schedule.name, schedule.function, schedule.expression, schedule.failure_queue) == (
        "eservices-dev-probe-tick",
        "eservices-dev-probe-jobs",
        "rate(5 minutes)",
        "eservices-dev-probe-jobs-failures",
    )
    # The running local cloud sweeps the outbox every few seconds (every minute in AWS), on the same code.
    (_, fast) = build_plan([PROBE], env="dev", fast_outbox_sweep=True).schedules
    assert (fast.function, fast.expression) == ("eservices-dev-probe-outboxSweeper", LOCAL_OUTBOX_SWEEP)
    service = plan.service("probe")
    assert service.seed is not None
    assert service.seed.handler == "probe.seed.load"
    assert service.environment["TABLE_MAIN"] == "eservices-dev-probe-main"
    assert {r.function for r in plan.routes} == {"eservices-dev-probe-api"}


def test_every_catalog_service_is_planned() -> None:
    plan = build_plan(MANIFESTS)
    assert {s.name for s in plan.services} == {m.name for m in MANIFESTS}
    assert describe_local_plan(MANIFESTS)["routes"] == {
        (r.method, r.path) for m in MANIFESTS for r in m.routes
    }


def test_a_subscription_queue_keeps_the_manifests_visibility_timeout_at_aws_timing() -> None:
    (queue,) = build_plan([PROBE]).queues
    assert (queue.visibility_timeout_s, queue.consumer_timeout_s, queue.max_receive_count) == (60, 20, 5)
    assert queue.local_visibility_timeout_s() == 60
    assert queue.local_visibility_timeout_s(0.5) == 30


def test_a_time_scale_never_brings_a_message_back_before_its_consumer_s_timeout() -> None:
    (queue,) = build_plan([PROBE]).queues
    # 60 s x 0.1 would be 6 s, but the consumer may run for 20 s: a message must not come back meanwhile.
    assert queue.local_visibility_timeout_s(0.1) == 20
    with pytest.raises(ValueError, match="positive"):
        queue.local_visibility_timeout_s(0)


def test_the_local_queue_is_provisioned_with_the_scaled_visibility_timeout(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    use_fake_credentials(monkeypatch)
    with mock_aws():
        aws = moto_clients()
        plan = build_plan([PROBE])
        provisioned = provision(plan, aws, time_scale=0.5)
        url = provisioned.queue_urls[plan.queues[0].name]
        attributes = aws.sqs.get_queue_attributes(
            QueueUrl=url, AttributeNames=["VisibilityTimeout", "RedrivePolicy"]
        )["Attributes"]

    assert attributes["VisibilityTimeout"] == "30"
    assert int(json.loads(attributes["RedrivePolicy"])["maxReceiveCount"]) == 5
