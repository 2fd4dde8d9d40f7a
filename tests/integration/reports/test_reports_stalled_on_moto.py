"""A report whose triage never ran, on moto: the stalled-reports job puts it at the head of its region's staff
queue and counts it for the alarm; a case handler can take it; a triage arriving late leaves it alone."""

from __future__ import annotations

import functools
import json
import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from infra.local.event_sources import scheduled_event, sqs_event
from services.reports import api, consumers, dependencies, jobs
from shared.clock import FixedClock
from shared.identity import generate_personnummer
from tests.integration.conftest import MotoCloud
from tests.support.lambda_events import FakeLambdaContext, citizen_claims, response_json, rest_event
from tests.support.reports import form, theft_report
from tests.support.reports_outbox import ReportsOutbox

REPORTS = "/reports/v1/reports"
QUEUE = "/reports/v1/staff/queue"
CASE_HANDLER = {"sub": "sub-PM-7", "principalType": "staff", "staffId": "PM-7", "roles": "caseHandler"}
FILED = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock(moto_cloud: MotoCloud, monkeypatch: pytest.MonkeyPatch) -> FixedClock:
    fixed = FixedClock(FILED)
    monkeypatch.setattr(dependencies, "clock", functools.cache(lambda: fixed))
    return fixed


def call(method: str, path: str, claims: dict[str, str], **kwargs: Any) -> dict[str, Any]:
    return api.handler(rest_event(method, path, claims=claims, **kwargs), FakeLambdaContext())


def file(body: dict[str, Any], seed: int) -> str:
    claims = citizen_claims(str(generate_personnummer(random.Random(seed))))
    result = call("POST", REPORTS, claims, body=body)
    assert result["statusCode"] == 201, result["body"]
    return str(response_json(result)["caseNumber"])


def run_job(clock: FixedClock, capsys: pytest.CaptureFixture[str]) -> tuple[dict[str, int], float]:
    """The job's answer and the ReportsStalled it put out."""
    capsys.readouterr()
    event = scheduled_event("eservices-test-reports-stalledReports", clock.now())
    summary = jobs.stalled_reports_handler(event, FakeLambdaContext())
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    # (In Lambda the point also carries the dimension service=reports, from POWERTOOLS_SERVICE_NAME.)
    (point,) = [line for line in lines if "ReportsStalled" in line]
    value = point["ReportsStalled"]
    return summary, float(value[0] if isinstance(value, list) else value)


def queue(region: str = "Stockholm") -> list[dict[str, Any]]:
    result = call("GET", QUEUE, {**CASE_HANDLER, "region": region})
    assert result["statusCode"] == 200, result["body"]
    return list(response_json(result)["items"])


def deliver_triage(cloud: MotoCloud, outbox: ReportsOutbox) -> None:
    outbox.publish_outbox()
    name = "eservices-test-reports-triage"
    url = cloud.provisioned.queue_urls[name]
    messages = cloud.aws.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    result = consumers.triage_handler(
        sqs_event(messages, queue_arn=cloud.provisioned.queue_arns[name]), FakeLambdaContext()
    )
    assert result["batchItemFailures"] == []


def test_a_report_whose_triage_never_ran_heads_its_queue_alarms_and_is_left_alone_by_a_late_triage(
    moto_cloud: MotoCloud, clock: FixedClock, capsys: pytest.CaptureFixture[str]
) -> None:
    outbox = ReportsOutbox(moto_cloud)
    queued = file(theft_report(theftKind="home"), seed=1)
    deliver_triage(moto_cloud, outbox)  # triaged as usual: priority 1 in Stockholm's queue
    clock.advance(timedelta(minutes=1))
    lost = file(theft_report(theftKind="home"), seed=2)  # its ReportFiled is lost on the way to triage

    clock.advance(timedelta(minutes=9))
    assert run_job(clock, capsys) == ({"stalled": 0, "marked": 0}, 0.0)
    assert [e["caseNumber"] for e in queue()] == [queued]

    clock.advance(timedelta(minutes=2))  # 11 minutes after filing, still received
    assert run_job(clock, capsys) == ({"stalled": 1, "marked": 1}, 1.0)
    first, second = queue()
    assert (first["caseNumber"], first["status"]) == (lost, "received")
    assert datetime.fromisoformat(first["triageOverdueSince"]) == clock.now()
    assert (second["caseNumber"], second["triageOverdueSince"]) == (queued, None)
    assert queue("Väst") == []

    clock.advance(timedelta(minutes=5))
    assert run_job(clock, capsys) == ({"stalled": 1, "marked": 0}, 1.0)  # still stalled: the alarm stays on

    taken = call(
        "POST", f"/reports/v1/staff/reports/{lost}/assignment", {**CASE_HANDLER, "region": "Stockholm"}
    )
    assert taken["statusCode"] == 200, taken["body"]
    assert response_json(taken)["status"] == "underAssessment"
    assert run_job(clock, capsys) == ({"stalled": 0, "marked": 0}, 0.0)

    deliver_triage(moto_cloud, outbox)  # the lost event, re-driven at last
    case = response_json(
        call("GET", f"/reports/v1/staff/reports/{lost}", {**CASE_HANDLER, "region": "Stockholm"})
    )
    assert (case["status"], case["assignee"]) == ("underAssessment", "PM-7")


def test_a_report_that_is_triaged_in_time_is_never_counted(
    moto_cloud: MotoCloud, clock: FixedClock, capsys: pytest.CaptureFixture[str]
) -> None:
    file(form("parkingDamage"), seed=3)
    deliver_triage(moto_cloud, ReportsOutbox(moto_cloud))
    clock.advance(timedelta(hours=2))
    assert run_job(clock, capsys) == ({"stalled": 0, "marked": 0}, 0.0)
