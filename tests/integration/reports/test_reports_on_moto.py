"""The reports service's handlers against moto: what a citizen sees, and what reaches the bus."""

from __future__ import annotations

import base64
import json
import random
import re
from typing import Any

import pytest

from infra.local.event_sources import is_outbox_insert, sqs_event, stream_event
from services.reports import api, consumers
from shared.events.publisher import handler as publish
from shared.identity import generate_personnummer
from tests.integration.conftest import MotoCloud
from tests.support.lambda_events import (
    FakeLambdaContext,
    citizen_claims,
    response_header,
    response_json,
    rest_event,
)
from tests.support.reports import theft_report

REPORTS = "/reports/v1/reports"


def citizen(seed: int) -> dict[str, str]:
    return citizen_claims(str(generate_personnummer(random.Random(seed))))


def call(event: dict[str, Any]) -> dict[str, Any]:
    return api.handler(event, FakeLambdaContext())


def file(claims: dict[str, str], body: dict[str, Any] | None = None, **headers: str) -> dict[str, Any]:
    return call(rest_event("POST", REPORTS, body=body or theft_report(), claims=claims, headers=headers))


def table_items(cloud: MotoCloud) -> list[dict[str, Any]]:
    table = cloud.plan.service("reports").environment["TABLE_MAIN"]
    return cloud.aws.dynamodb.scan(TableName=table)["Items"]


def reports_stream(cloud: MotoCloud) -> str:
    return cloud.provisioned.stream_arns[cloud.plan.service("reports").environment["TABLE_MAIN"]]


def stream_records(cloud: MotoCloud) -> list[dict[str, Any]]:
    arn = reports_stream(cloud)
    streams = cloud.aws.streams
    records: list[dict[str, Any]] = []
    for shard in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
        iterator = streams.get_shard_iterator(
            StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        records.extend(streams.get_records(ShardIterator=iterator)["Records"])
    return records


def drain(cloud: MotoCloud, queue: str) -> list[dict[str, Any]]:
    url = cloud.provisioned.queue_urls[queue]
    messages = cloud.aws.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0)
    return messages.get("Messages", [])


def test_the_required_body_is_filed_with_a_case_number_region_and_location(moto_cloud: MotoCloud) -> None:
    result = file(citizen(1))

    assert result["statusCode"] == 201
    report = response_json(result)
    assert re.fullmatch(r"K[1-9]\d*-\d{2}", report["caseNumber"])
    assert report["region"] == "Stockholm"
    assert report["status"] == "received"
    assert response_header(result, "Location") == f"{REPORTS}/{report['caseNumber']}"


def test_only_the_owner_reads_a_report_others_get_404(moto_cloud: MotoCloud) -> None:
    case = response_json(file(citizen(1)))["caseNumber"]

    mine = call(rest_event("GET", f"{REPORTS}/{case}", claims=citizen(1)))
    theirs = call(rest_event("GET", f"{REPORTS}/{case}", claims=citizen(2)))

    assert mine["statusCode"] == 200
    assert response_json(mine)["submitted"]["description"] == theft_report()["description"]
    assert theirs["statusCode"] == 404
    assert response_header(theirs, "Content-Type") == "application/problem+json"


def test_a_citizen_pages_through_their_own_reports_newest_first(moto_cloud: MotoCloud) -> None:
    filed = [response_json(file(citizen(1)))["caseNumber"] for _ in range(3)]
    file(citizen(2))

    seen: list[str] = []
    query: dict[str, str] = {"limit": "2"}
    for _ in range(5):
        page = response_json(call(rest_event("GET", REPORTS, claims=citizen(1), query=query)))
        seen.extend(item["caseNumber"] for item in page["items"])
        if not page["nextToken"]:
            break
        query = {"limit": "2", "nextToken": page["nextToken"]}

    assert seen == list(reversed(filed))


def test_a_next_token_for_another_citizens_list_is_refused(moto_cloud: MotoCloud) -> None:
    for _ in range(2):
        file(citizen(2))
    page = response_json(call(rest_event("GET", REPORTS, claims=citizen(2), query={"limit": "1"})))

    stolen = call(rest_event("GET", REPORTS, claims=citizen(1), query={"nextToken": page["nextToken"]}))

    assert stolen["statusCode"] == 400
    assert response_json(stolen)["invalidParameters"][0]["name"] == "nextToken"


def test_a_next_token_reveals_no_key_and_a_crafted_one_for_one_s_own_list_is_refused(
    moto_cloud: MotoCloud,
) -> None:
    claims = citizen(1)
    for _ in range(2):
        file(claims)
    page = response_json(call(rest_event("GET", REPORTS, claims=claims, query={"limit": "1"})))
    token = page["nextToken"]
    decoded = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode("latin-1")
    assert claims["sub"] not in decoded
    assert "OWNER#" not in decoded
    assert "REPORT#" not in decoded

    crafted_key = {
        "ownerKey": f"OWNER#{claims['sub']}",
        "ownerSort": "~",
        "pk": "REPORT#K1-26",
        "sk": "REPORT",
    }
    crafted = base64.urlsafe_b64encode(json.dumps(crafted_key).encode()).decode().rstrip("=")
    answer = call(rest_event("GET", REPORTS, claims=claims, query={"nextToken": crafted}))

    assert answer["statusCode"] == 400
    assert response_header(answer, "Content-Type") == "application/problem+json"
    assert response_json(answer)["invalidParameters"][0]["name"] == "nextToken"


def test_a_retry_with_the_same_idempotency_key_returns_the_first_case(moto_cloud: MotoCloud) -> None:
    first = file(citizen(1), **{"Idempotency-Key": "retry-1"})
    again = file(citizen(1), **{"Idempotency-Key": "retry-1"})
    other_body = file(citizen(1), theft_report(description="Något annat."), **{"Idempotency-Key": "retry-1"})

    assert response_json(again)["caseNumber"] == response_json(first)["caseNumber"]
    assert again["statusCode"] == 201
    assert other_body["statusCode"] == 422
    reports = [i for i in table_items(moto_cloud) if i["pk"]["S"].startswith("REPORT#")]
    assert len(reports) == 1


def test_the_same_key_from_two_citizens_files_two_reports(moto_cloud: MotoCloud) -> None:
    one = file(citizen(1), **{"Idempotency-Key": "same"})
    two = file(citizen(2), **{"Idempotency-Key": "same"})
    assert response_json(one)["caseNumber"] != response_json(two)["caseNumber"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ("{not json", "body"),
        (theft_report(type="arson-on-mars"), "type"),
        (theft_report(location={"municipalityCode": "0000", "address": "X"}), "location.municipalityCode"),
        (theft_report(occurredTo="2026-11-20T17:00:00+01:00"), "occurredTo"),
        (
            theft_report(occurredFrom="2099-01-01T00:00:00+01:00", occurredTo="2099-01-02T00:00:00+01:00"),
            None,
        ),
        (theft_report(description="å" * 4001), "description"),
        (theft_report(items=[{"category": "bicycle"}] * 51), "items"),
    ],
)
def test_bad_input_is_a_problem_naming_the_field_and_nothing_is_written(
    moto_cloud: MotoCloud, body: Any, field: str | None
) -> None:
    result = file(citizen(1), body)

    assert result["statusCode"] == 400
    assert response_header(result, "Content-Type") == "application/problem+json"
    problem = response_json(result)
    names = {p["name"] for p in problem["invalidParameters"]}
    assert field in names if field else names & {"occurredFrom", "occurredTo"}
    assert table_items(moto_cloud) == []


def test_a_staff_token_cannot_file_as_a_citizen(moto_cloud: MotoCloud) -> None:
    staff = {"sub": "s-1", "principalType": "staff", "staffId": "P1", "roles": "handler", "region": "Väst"}
    assert file(staff)["statusCode"] == 403


def test_the_report_and_its_event_are_written_together_and_published_to_the_bus(
    moto_cloud: MotoCloud,
) -> None:
    claims = citizen(1)
    case = response_json(file(claims))["caseNumber"]

    records = [r for r in stream_records(moto_cloud) if is_outbox_insert(r)]
    arn = reports_stream(moto_cloud)
    assert publish(stream_event(records, stream_arn=arn), FakeLambdaContext()) == {
        "published": 1,
        "batchItemFailures": [],
    }
    assert not outbox_keys(moto_cloud), "a published event leaves the outbox"

    (delivered,) = drain(moto_cloud, moto_cloud.plan.tap_queue)
    event = json.loads(delivered["Body"])
    assert (event["source"], event["detail-type"]) == ("polisen.reports", "ReportFiled")
    assert event["detail"]["data"]["caseNumber"] == case
    assert claims["personnummer"] not in delivered["Body"]
    (triage,) = drain(moto_cloud, "eservices-test-reports-triage")
    assert (
        json.loads(triage["Body"])["detail"]["metadata"]["eventId"] == event["detail"]["metadata"]["eventId"]
    )


def test_an_event_the_bus_refuses_stays_in_the_outbox_and_its_record_goes_back_to_the_stream(
    moto_cloud: MotoCloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    file(citizen(1))
    records = [r for r in stream_records(moto_cloud) if is_outbox_insert(r)]
    arn = reports_stream(moto_cloud)
    monkeypatch.setenv("EVENT_BUS_NAME", "no-such-bus")

    result = publish(stream_event(records, stream_arn=arn), FakeLambdaContext())

    (record,) = records
    assert result == {
        "published": 0,
        "batchItemFailures": [{"itemIdentifier": record["dynamodb"]["SequenceNumber"]}],
    }
    assert len(outbox_keys(moto_cloud)) == 1, "the sweeper still finds it"


def outbox_keys(cloud: MotoCloud) -> list[str]:
    table = cloud.plan.service("reports").environment["TABLE_MAIN"]
    items = cloud.aws.dynamodb.scan(TableName=table)["Items"]
    return [item["pk"]["S"] for item in items if item["pk"]["S"].startswith("OUTBOX#")]


def _deliver_to_triage(cloud: MotoCloud, extra_bodies: list[str] | None = None) -> dict[str, Any]:
    records = [r for r in stream_records(cloud) if is_outbox_insert(r)]
    arn = reports_stream(cloud)
    publish(stream_event(records, stream_arn=arn), FakeLambdaContext())
    queue = "eservices-test-reports-triage"
    messages = drain(cloud, queue)
    for index, body in enumerate(extra_bodies or []):
        messages.append({**messages[0], "MessageId": f"poison-{index}", "Body": body})
    event = sqs_event(messages, queue_arn=cloud.provisioned.queue_arns[queue])
    return consumers.triage_handler(event, FakeLambdaContext())


def test_triage_queues_the_report_and_reports_only_the_poison_message_as_failed(
    moto_cloud: MotoCloud,
) -> None:
    claims = citizen(1)
    # A burglary is assessed by staff (a bicycle theft without leads would be decided at once).
    case = response_json(file(claims, theft_report(theftKind="home")))["caseNumber"]

    result = _deliver_to_triage(moto_cloud, extra_bodies=['{"not": "an event"}'])

    assert result["batchItemFailures"] == [{"itemIdentifier": "poison-0"}]
    report = response_json(call(rest_event("GET", f"{REPORTS}/{case}", claims=claims)))
    assert report["status"] == "awaitingAssessment"
    assert [entry["status"] for entry in report["timeline"]] == ["received", "awaitingAssessment"]


def test_a_redelivered_event_is_handled_once(moto_cloud: MotoCloud) -> None:
    claims = citizen(1)
    case = response_json(file(claims, theft_report(theftKind="home")))["caseNumber"]
    records = [r for r in stream_records(moto_cloud) if is_outbox_insert(r)]
    arn = reports_stream(moto_cloud)
    publish(stream_event(records, stream_arn=arn), FakeLambdaContext())
    queue = "eservices-test-reports-triage"
    (message,) = drain(moto_cloud, queue)
    event = sqs_event([message], queue_arn=moto_cloud.provisioned.queue_arns[queue])

    first = consumers.triage_handler(event, FakeLambdaContext())
    second = consumers.triage_handler(event, FakeLambdaContext())

    assert first["batchItemFailures"] == second["batchItemFailures"] == []
    report = response_json(call(rest_event("GET", f"{REPORTS}/{case}", claims=claims)))
    assert len(report["timeline"]) == 2
    status_events = [r for r in stream_records(moto_cloud) if is_outbox_insert(r)]
    assert len(status_events) == 2  # ReportFiled, and one ReportStatusChanged despite two deliveries


def test_the_owner_gets_a_pdf_receipt(moto_cloud: MotoCloud) -> None:
    case = response_json(file(citizen(1)))["caseNumber"]

    result = call(rest_event("GET", f"{REPORTS}/{case}/receipt", claims=citizen(1)))

    assert result["statusCode"] == 200, result["body"]
    assert result["isBase64Encoded"] is True
    assert base64.b64decode(result["body"]).startswith(b"%PDF-1.4")
    assert response_header(result, "Content-Type") == "application/pdf"


def test_every_time_the_citizen_reads_is_stockholm_time_with_its_offset(moto_cloud: MotoCloud) -> None:
    from datetime import datetime

    from shared.clock import STOCKHOLM

    filed = response_json(file(citizen(31)))
    read = response_json(call(rest_event("GET", f"{REPORTS}/{filed['caseNumber']}", claims=citizen(31))))
    listed = response_json(call(rest_event("GET", REPORTS, claims=citizen(31))))["items"][0]
    times = [filed["filedAt"], read["filedAt"], listed["filedAt"], *(e["at"] for e in read["timeline"])]
    for text in times:
        moment = datetime.fromisoformat(text)
        assert moment.utcoffset() == moment.astimezone(STOCKHOLM).utcoffset(), text
        assert not text.endswith(("Z", "+00:00")), text
