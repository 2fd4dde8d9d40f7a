"""A service manifest derives the physical names both renderers use, and refuses to be built when it is wrong."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from infra.catalog import MANIFESTS
from shared.manifest import (
    EID_AUTHORIZER,
    OUTBOX_SWEEP,
    OUTBOX_SWEEPER,
    PUBLISHER_HANDLER,
    Bucket,
    BucketAccess,
    Function,
    MetricAlarm,
    Queue,
    Route,
    Schedule,
    ServiceManifest,
    Subscription,
    Table,
    TableAccess,
)

VALID = ServiceManifest(
    name="probe",
    title="Probe",
    routes=(Route("GET", "/probe/v1/things/{id}", "citizen"), Route("POST", "/probe/v1/things", "public")),
    functions=(
        Function("api", "probe.api.handler", "api"),
        EID_AUTHORIZER,
        Function("publisher", PUBLISHER_HANDLER, "publisher"),
        OUTBOX_SWEEPER,
        Function("intake", "probe.consumers.intake", "consumer", timeout_s=30),
        Function("nightly", "probe.jobs.nightly", "job"),
    ),
    tables=(Table("main", stream=True), Table("idempotency", partition_key="id", sort_key=None)),
    subscriptions=(Subscription("intake", "intake", "polisen.reports", ("ReportFiled",)),),
    schedules=(Schedule("nightly", "nightly", "cron(0 2 * * ? *)"), OUTBOX_SWEEP),
    buckets=(Bucket("attachments"),),
)


def _job(*access: TableAccess | BucketAccess) -> Function:
    return Function("sweep", "probe.jobs.sweep", "job", access=access)


def _with(**changes: Any) -> ServiceManifest:
    return dataclasses.replace(VALID, **changes)


def test_physical_names_carry_the_environment_and_the_service() -> None:
    assert VALID.failure_queue_name("dev", "publisher") == "eservices-dev-probe-publisher-failures"
    assert VALID.schedule_name("dev", "nightly") == "eservices-dev-probe-nightly"
    assert VALID.queue_name("dev", "intake") == "eservices-dev-probe-intake"
    assert VALID.dlq_name("dev", "intake") == "eservices-dev-probe-intake-dlq"


def test_a_standalone_queue_is_named_like_the_others_and_reaches_every_function_by_environment() -> None:
    manifest = _with(queues=(Queue("outgoing-mail", senders=("intake",)),))

    assert manifest.queue_name("dev", "outgoing-mail") == "eservices-dev-probe-outgoing-mail"
    assert manifest.environment("dev")["QUEUE_OUTGOING_MAIL"] == "eservices-dev-probe-outgoing-mail"
    assert manifest.queue("outgoing-mail").retention_days == 14


def test_every_catalog_manifest_is_valid() -> None:
    for manifest in MANIFESTS:
        assert dataclasses.replace(manifest) == manifest


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"routes": (Route("GET", "/reports/v1/things", "public"),)},
            "route GET /reports/v1/things must start with the service's base path /probe/",
        ),
        (
            {"routes": (Route("GET", "/probe", "public"),)},
            "route GET /probe must start with the service's base path /probe/",
        ),
        (
            {"routes": (*VALID.routes, Route("POST", "/probe/v1/things", "citizen"))},
            "route POST /probe/v1/things is declared twice",
        ),
        (
            {"functions": (*VALID.functions, Function("nightly", "probe.jobs.other", "job"))},
            "function name 'nightly' is used twice",
        ),
        ({"tables": (*VALID.tables, Table("main"))}, "table name 'main' is used twice"),
        (
            {"subscriptions": (*VALID.subscriptions, Subscription("intake", "intake", "polisen.x", ("X",)))},
            "subscription name 'intake' is used twice",
        ),
        (
            {"schedules": (*VALID.schedules, Schedule("nightly", "nightly", "rate(1 hour)"))},
            "schedule name 'nightly' is used twice",
        ),
        ({"buckets": (Bucket("files"), Bucket("files"))}, "bucket name 'files' is used twice"),
        (
            {"subscriptions": (Subscription("intake", "missing", "polisen.reports", ("ReportFiled",)),)},
            "subscription 'intake' targets 'missing', which is not a function of the service",
        ),
        (
            {"subscriptions": (Subscription("intake", "nightly", "polisen.reports", ("ReportFiled",)),)},
            "subscription 'intake' targets 'nightly', a job function, not a consumer",
        ),
        (
            {"schedules": (Schedule("nightly", "missing", "rate(1 hour)"),)},
            "schedule 'nightly' targets 'missing', which is not a function of the service",
        ),
        (
            {"schedules": (Schedule("nightly", "intake", "rate(1 hour)"),)},
            "schedule 'nightly' targets 'intake', a consumer function, not a job",
        ),
        (
            {"functions": tuple(f for f in VALID.functions if f.kind != "publisher")},
            "table 'main' has a stream but the service has no publisher function",
        ),
        (
            {"functions": tuple(f for f in VALID.functions if f != OUTBOX_SWEEPER)},
            "a service publishing through the shared outbox publisher needs the outbox sweeper too",
        ),
        (
            {"schedules": (Schedule("nightly", "nightly", "cron(0 2 * * ? *)"),)},
            "the outbox sweeper 'outboxSweeper' has no schedule",
        ),
        (
            {
                "subscriptions": (
                    Subscription(
                        "intake", "intake", "polisen.reports", ("ReportFiled",), visibility_timeout_s=20
                    ),
                )
            },
            "subscription 'intake': visibility timeout 20 s is shorter than 'intake''s timeout 30 s",
        ),
        (
            {"functions": tuple(f for f in VALID.functions if f.kind != "api")},
            "a service with routes has exactly one api function, not 0",
        ),
        (
            {"routes": (Route("POST", "/probe/v1/tips", "public", rate_limit_per_second=0, burst_limit=5),)},
            "route POST /probe/v1/tips: rate and burst limits must be positive",
        ),
        (
            {"routes": (Route("POST", "/probe/v1/tips", "public", rate_limit_per_second=1, burst_limit=0),)},
            "route POST /probe/v1/tips: rate and burst limits must be positive",
        ),
        (
            {"routes": (Route("POST", "/probe/v1/tips", "public", rate_limit_per_second=1),)},
            "route POST /probe/v1/tips needs both a rate limit and a burst limit, or neither",
        ),
        (
            {"queues": (Queue("outbound", senders=("intake", "missing")),)},
            "queue 'outbound' names sender 'missing', which is not a function of the service",
        ),
        ({"queues": (Queue("outbound", senders=()),)}, "queue 'outbound' has no senders"),
        (
            {"queues": (Queue("outbound", ("api",)), Queue("outbound", ("intake",)))},
            "queue name 'outbound' is used twice",
        ),
        # Its physical name would be the subscription's queue.
        ({"queues": (Queue("intake", ("api",)),)}, "queue name 'intake' is used twice"),
        (
            {"queues": (Queue("outbound", ("api",), retention_days=15),)},
            "queue 'outbound': retention must be 1 to 14 days",
        ),
        (
            {"queues": (Queue("outbound", ("api",), max_age_alarm_minutes=0),)},
            "queue 'outbound': the age alarm needs a positive number of minutes",
        ),
        (
            {"functions": (*VALID.functions, Function("admin", "probe.admin.handler", "api"))},
            "a service with routes has exactly one api function, not 2",
        ),
        (
            {"functions": (*VALID.functions, _job(TableAccess("ledger", ("GetItem",))))},
            "function 'sweep' declares access to table 'ledger', which the service does not have",
        ),
        (
            {"functions": (*VALID.functions, _job(TableAccess("main", ("Query",), indexes=("byNothing",))))},
            "function 'sweep' queries index 'byNothing', which table 'main' does not have",
        ),
        (
            {"functions": (*VALID.functions, _job(BucketAccess("photos", ("GetObject",))))},
            "function 'sweep' declares access to bucket 'photos', which the service does not have",
        ),
        (
            {
                "tables": (*VALID.tables, Table("audit", append_only=True)),
                "functions": (*VALID.functions, _job(TableAccess("audit", ("PutItem", "UpdateItem")))),
            },
            "function 'sweep' may not UpdateItem append-only table 'audit'",
        ),
        (
            {"routes": (Route("GET", "/probe/v1/things/{id}", "citizen", anonymous=True),)},
            "route GET /probe/v1/things/{id} is anonymous, so its audience must be public",
        ),
        (
            {"alarms": (MetricAlarm("stalled", "Stalled", 0, period_minutes=0),)},
            "alarm 'stalled': period and evaluation periods must be positive",
        ),
        (
            {"alarms": (MetricAlarm("stalled", "Stalled", 0), MetricAlarm("stalled", "Late", 0))},
            "alarm name 'stalled' is used twice",
        ),
    ],
)
def test_a_broken_manifest_is_refused_naming_what_is_wrong(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match="service manifest 'probe'") as refused:
        _with(**changes)
    assert message in str(refused.value)


def test_every_problem_is_named_at_once() -> None:
    with pytest.raises(ValueError, match="service manifest") as refused:
        _with(
            routes=(Route("GET", "/elsewhere/v1/x", "public"),),
            schedules=(Schedule("nightly", "intake", "rate(1 hour)"),),
        )
    assert "/elsewhere/v1/x" in str(refused.value)
    assert "schedule 'nightly'" in str(refused.value)


def test_the_outbox_tables_reach_every_function_by_environment() -> None:
    assert VALID.environment("dev")["OUTBOX_TABLES"] == "eservices-dev-probe-main"
    without_stream = _with(tables=(Table("idempotency", partition_key="id", sort_key=None),))
    assert "OUTBOX_TABLES" not in without_stream.environment("dev")


def test_a_service_with_its_own_publisher_needs_no_shared_sweeper() -> None:
    own = _with(
        functions=(
            *(f for f in VALID.functions if f.kind != "publisher" and f != OUTBOX_SWEEPER),
            Function("publisher", "probe.publisher.handler", "publisher"),
        ),
        schedules=(Schedule("nightly", "nightly", "cron(0 2 * * ? *)"),),
    )
    assert own.sweeper_function is None


def test_a_service_without_routes_needs_no_api_function() -> None:
    worker_only = _with(routes=(), functions=tuple(f for f in VALID.functions if f.kind != "api"))
    assert worker_only.routes == ()
