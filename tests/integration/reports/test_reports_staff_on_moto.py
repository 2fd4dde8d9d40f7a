"""Automated decisions, letters to the reporter and staff's case work, through the handlers against moto."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest

from infra.local.event_sources import sqs_event
from services.reports import api, consumers, dependencies, seed
from services.reports.domain.audit import AuditAction, AuditRecord
from shared.errors import Conflict
from shared.identity import generate_personnummer
from shared.regions import Region
from tests.integration.conftest import MotoCloud
from tests.support.lambda_events import (
    FakeLambdaContext,
    citizen_claims,
    response_header,
    response_json,
    rest_event,
)
from tests.support.reports import form, theft_report
from tests.support.reports_outbox import ReportsOutbox

REPORTS = "/reports/v1/reports"
STAFF = "/reports/v1/staff"
HOME_BURGLARY_IN_STOCKHOLM = theft_report(theftKind="home")


class Bus(ReportsOutbox):
    """What the local cloud's pollers do, one step at a time: outbox -> bus -> a subscription's consumer."""

    def deliver(self, subscription: str) -> list[dict[str, Any]]:
        """Publish what the outbox holds, then hand the subscription's queue to its consumer once."""
        self.publish_outbox()
        queue = f"eservices-test-reports-{subscription}"
        url = self.cloud.provisioned.queue_urls[queue]
        messages = self.cloud.aws.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get(
            "Messages", []
        )
        handler = {"triage": consumers.triage_handler, "notify": consumers.notify_handler}[subscription]
        if messages:
            result = handler(
                sqs_event(messages, queue_arn=self.cloud.provisioned.queue_arns[queue]), FakeLambdaContext()
            )
            assert result["batchItemFailures"] == []
        return messages


@pytest.fixture
def bus(moto_cloud: MotoCloud) -> Bus:
    return Bus(moto_cloud)


@pytest.fixture
def outgoing_mail(moto_cloud: MotoCloud) -> str:
    return moto_cloud.provisioned.queue_urls[dependencies.outgoing_mail_queue()]


def citizen(seed: int) -> dict[str, str]:
    return citizen_claims(str(generate_personnummer(random.Random(seed))))


def staff(staff_id: str = "PM-1", region: str = "Stockholm", roles: str = "caseHandler") -> dict[str, str]:
    return {
        "sub": f"sub-{staff_id}",
        "principalType": "staff",
        "staffId": staff_id,
        "roles": roles,
        "region": region,
    }


def call(method: str, path: str, claims: dict[str, str], **kwargs: Any) -> dict[str, Any]:
    return api.handler(rest_event(method, path, claims=claims, **kwargs), FakeLambdaContext())


def file(claims: dict[str, str], body: dict[str, Any]) -> str:
    result = call("POST", REPORTS, claims, body=body)
    assert result["statusCode"] == 201, result["body"]
    return str(response_json(result)["caseNumber"])


def audit_records(cloud: MotoCloud) -> list[AuditRecord]:
    table = cloud.plan.service("reports").environment["TABLE_AUDIT"]
    items = cloud.aws.dynamodb.scan(TableName=table)["Items"]
    return sorted((AuditRecord.model_validate_json(i["body"]["S"]) for i in items), key=lambda r: r.at)


def letters(cloud: MotoCloud, queue_url: str) -> list[dict[str, Any]]:
    received = cloud.aws.sqs.receive_message(
        QueueUrl=queue_url, MaxNumberOfMessages=10, MessageAttributeNames=["All"]
    ).get("Messages", [])
    return received


def test_a_clear_case_is_decided_at_once_and_the_reporter_gets_one_letter_with_the_reason(
    moto_cloud: MotoCloud, bus: Bus, outgoing_mail: str
) -> None:
    owner = citizen(1)
    case = file(owner, form("parkingDamage"))

    bus.deliver("triage")
    decided = response_json(call("GET", f"{REPORTS}/{case}", owner))
    assert decided["status"] == "closed"
    assert decided["decision"]["outcome"] == "investigationNotOpened"
    assert (decided["decision"]["decidedBy"], decided["decision"]["ruleId"]) == (
        "rule",
        "parking-damage-no-leads",
    )
    assert decided["decision"]["notifiedAt"] is None

    (delivery,) = bus.deliver("notify")
    (letter,) = letters(moto_cloud, outgoing_mail)
    body = json.loads(letter["Body"])
    assert body["recipientPersonnummer"] == owner["personnummer"]
    assert decided["decision"]["reason"] in body["body"]
    assert letter["MessageAttributes"]["letterId"]["StringValue"] == body["messageId"]
    told = response_json(call("GET", f"{REPORTS}/{case}", owner))
    assert told["decision"]["notifiedAt"] is not None

    url = moto_cloud.provisioned.queue_urls["eservices-test-reports-notify"]
    moto_cloud.aws.sqs.send_message(QueueUrl=url, MessageBody=delivery["Body"])
    bus.deliver("notify")
    assert letters(moto_cloud, outgoing_mail) == []


def test_a_decision_delivered_again_however_late_sends_no_second_letter(
    moto_cloud: MotoCloud, bus: Bus, outgoing_mail: str
) -> None:
    owner = citizen(2)
    case = file(owner, form("parkingDamage"))
    bus.deliver("triage")
    (delivery,) = bus.deliver("notify")
    (letter,) = letters(moto_cloud, outgoing_mail)
    told = response_json(call("GET", f"{REPORTS}/{case}", owner))["decision"]
    assert told["letterId"] == json.loads(letter["Body"])["messageId"]

    url = moto_cloud.provisioned.queue_urls["eservices-test-reports-notify"]
    moto_cloud.aws.sqs.send_message(QueueUrl=url, MessageBody=delivery["Body"])  # a re-drive, weeks later
    bus.deliver("notify")

    assert letters(moto_cloud, outgoing_mail) == []
    assert response_json(call("GET", f"{REPORTS}/{case}", owner))["decision"] == told


def test_a_reporter_who_did_not_ask_gets_no_letter(
    moto_cloud: MotoCloud, bus: Bus, outgoing_mail: str
) -> None:
    file(citizen(1), theft_report(notifyOnDecision=False))

    bus.deliver("triage")
    bus.deliver("notify")

    assert letters(moto_cloud, outgoing_mail) == []


def test_staff_work_a_queued_case_and_every_step_is_audited(
    moto_cloud: MotoCloud, bus: Bus, outgoing_mail: str
) -> None:
    owner = citizen(1)
    case = file(owner, HOME_BURGLARY_IN_STOCKHOLM)
    bus.deliver("triage")
    handler = staff()

    queue = response_json(call("GET", f"{STAFF}/queue", handler))
    taken = call("POST", f"{STAFF}/reports/{case}/assignment", handler)
    note = call(
        "POST",
        f"{STAFF}/reports/{case}/notes",
        handler,
        body={"text": "Grannen har en ringklocka med kamera."},
    )
    decided = call(
        "POST",
        f"{STAFF}/reports/{case}/decision",
        handler,
        body={"outcome": "investigationOpened", "reason": "There are traces at the scene to secure."},
    )
    case_file = response_json(call("GET", f"{STAFF}/reports/{case}", handler))

    assert queue["region"] == "Stockholm"
    assert [(i["caseNumber"], i["priority"]) for i in queue["items"]] == [(case, 1)]
    assert response_json(taken)["status"] == "underAssessment"
    assert response_json(taken)["assignee"] == "PM-1"
    assert note["statusCode"] == 201
    assert response_json(decided)["status"] == "underInvestigation"
    assert case_file["notes"][0]["text"] == "Grannen har en ringklocka med kamera."
    assert case_file["filerPersonnummer"] == owner["personnummer"]
    assert [(r.action, r.case_number) for r in audit_records(moto_cloud)] == [
        (AuditAction.VIEW_QUEUE, None),
        (AuditAction.TAKE_CASE, case),
        (AuditAction.ADD_NOTE, case),
        (AuditAction.DECIDE, case),
        (AuditAction.VIEW_REPORT, case),
    ]

    mine = response_json(call("GET", f"{REPORTS}/{case}", owner))
    assert mine["status"] == "underInvestigation"
    assert mine["decision"]["reason"] == "There are traces at the scene to secure."
    assert mine["decision"]["decidedBy"] == "staff"
    assert "ringklocka" not in json.dumps(mine)
    assert "notes" not in mine
    assert "assignee" not in mine

    bus.deliver("notify")
    (letter,) = letters(moto_cloud, outgoing_mail)
    assert "Förundersökning har inletts." in json.loads(letter["Body"])["body"]


def test_another_regions_staff_cannot_see_the_case_or_the_queue(moto_cloud: MotoCloud, bus: Bus) -> None:
    case = file(citizen(1), HOME_BURGLARY_IN_STOCKHOLM)
    bus.deliver("triage")
    outsider = staff("PM-9", region="Väst")

    hidden = [
        call("GET", f"{STAFF}/reports/{case}", outsider),
        call("POST", f"{STAFF}/reports/{case}/assignment", outsider),
        call("POST", f"{STAFF}/reports/{case}/notes", outsider, body={"text": "x"}),
    ]
    queue = call("GET", f"{STAFF}/queue", outsider, query={"region": "Stockholm"})
    nothing = call("GET", f"{STAFF}/reports/K999999-26", outsider)

    assert [r["statusCode"] for r in hidden] == [404, 404, 404]
    assert response_json(hidden[0])["detail"].replace(case, "?") == response_json(nothing)["detail"].replace(
        "K999999-26", "?"
    )
    assert queue["statusCode"] == 403
    assert response_header(queue, "Content-Type") == "application/problem+json"
    refused = audit_records(moto_cloud)
    assert len(refused) == 5
    assert not any(r.allowed for r in refused)
    assert (
        response_json(call("GET", f"{STAFF}/reports/{case}", staff("PM-N", region="National")))["caseNumber"]
        == case
    )


def test_staff_without_the_case_handler_role_may_read_but_not_change(moto_cloud: MotoCloud, bus: Bus) -> None:
    case = file(citizen(1), HOME_BURGLARY_IN_STOCKHOLM)
    bus.deliver("triage")
    reader = staff("PM-3", roles="reader")

    assert call("GET", f"{STAFF}/reports/{case}", reader)["statusCode"] == 200
    refused = call("POST", f"{STAFF}/reports/{case}/assignment", reader)
    assert refused["statusCode"] == 403
    assert "caseHandler" in response_json(refused)["detail"]


def test_a_case_someone_else_holds_is_409_for_a_colleague(moto_cloud: MotoCloud, bus: Bus) -> None:
    case = file(citizen(1), HOME_BURGLARY_IN_STOCKHOLM)
    bus.deliver("triage")
    call("POST", f"{STAFF}/reports/{case}/assignment", staff("PM-1"))

    again = call("POST", f"{STAFF}/reports/{case}/assignment", staff("PM-2"))

    assert again["statusCode"] == 409
    assert response_header(again, "Content-Type") == "application/problem+json"


def test_citizens_cannot_use_the_staff_api(moto_cloud: MotoCloud) -> None:
    assert call("GET", f"{STAFF}/queue", citizen(1))["statusCode"] == 403
    assert api.handler(rest_event("GET", f"{STAFF}/queue"), FakeLambdaContext())["statusCode"] == 401


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "field"),
    [
        ("POST", "decision", {"body": {"outcome": "acquitted", "reason": "x"}}, "outcome"),
        ("POST", "decision", {"body": {"outcome": "investigationOpened"}}, "reason"),
        ("POST", "status", {"body": {"status": "underAssessment", "reason": "   "}}, "reason"),
        ("POST", "status", {"body": {"status": "lost", "reason": "x"}}, "status"),
        ("POST", "notes", {"body": {"text": "x" * 2001}}, "text"),
        ("POST", "notes", {"body": "{not json"}, "body"),
    ],
)
def test_bad_staff_input_is_a_problem_naming_the_field(
    moto_cloud: MotoCloud, bus: Bus, method: str, path: str, kwargs: dict[str, Any], field: str
) -> None:
    case = file(citizen(1), HOME_BURGLARY_IN_STOCKHOLM)
    bus.deliver("triage")

    result = call(method, f"{STAFF}/reports/{case}/{path}", staff(), **kwargs)

    assert result["statusCode"] == 400, result["body"]
    assert field in {p["name"] for p in response_json(result)["invalidParameters"]}


@pytest.mark.parametrize(
    ("claims", "query", "field"),
    [
        (staff(), {"region": "Atlantis"}, "region"),
        (staff(region="National"), None, "region"),
        (staff(), {"limit": "0"}, "limit"),
        (staff(), {"nextToken": "bm90LWEtdG9rZW4"}, "nextToken"),
    ],
)
def test_a_bad_queue_request_is_a_problem_naming_the_parameter(
    moto_cloud: MotoCloud, claims: dict[str, str], query: dict[str, str] | None, field: str
) -> None:
    result = call("GET", f"{STAFF}/queue", claims, query=query)

    assert result["statusCode"] == 400, result["body"]
    assert [p["name"] for p in response_json(result)["invalidParameters"]] == [field]


def test_the_queue_pages_in_priority_order(moto_cloud: MotoCloud, bus: Bus) -> None:
    ordinary = file(
        citizen(1), form("cardFraud", location={"municipalityCode": "0180", "address": "Internet"})
    )
    urgent = file(citizen(2), HOME_BURGLARY_IN_STOCKHOLM)
    leads = file(citizen(3), theft_report(cctv=True))
    bus.deliver("triage")

    seen: list[str] = []
    query = {"limit": "2"}
    while True:
        page = response_json(call("GET", f"{STAFF}/queue", staff(), query=query))
        seen.extend(item["caseNumber"] for item in page["items"])
        if not page["nextToken"]:
            break
        query = {"limit": "2", "nextToken": page["nextToken"]}

    assert seen == [urgent, leads, ordinary]


def test_a_change_that_loses_a_race_leaves_neither_the_change_nor_its_audit_record(
    moto_cloud: MotoCloud, bus: Bus
) -> None:
    case = file(citizen(1), HOME_BURGLARY_IN_STOCKHOLM)
    bus.deliver("triage")
    cases = dependencies.case_work()
    report = cases.get(case)
    assert report is not None
    record = AuditRecord(
        audit_id="a-1",
        at=report.filed_at,
        staff_id="PM-1",
        staff_region="Stockholm",
        action=AuditAction.TAKE_CASE,
        allowed=True,
        case_number=case,
        correlation_id="c",
    )

    with pytest.raises(Conflict):
        cases.save(
            report.model_copy(update={"assignee": "PM-1"}), expected_version=1, events=[], audit=record
        )

    assert cases.get(case) == report
    assert audit_records(moto_cloud) == []


def test_the_demo_seed_leaves_every_region_work_and_announces_nothing(moto_cloud: MotoCloud) -> None:
    summary = seed.handler({}, FakeLambdaContext())

    assert {k: summary[k] for k in ("filed", "decided", "queued")} == {
        "filed": 41,
        "decided": 21,
        "queued": 20,
    }
    national = staff("PM-N", region="National")
    queued = {
        region.value: response_json(call("GET", f"{STAFF}/queue", national, query={"region": region.value}))[
            "items"
        ]
        for region in Region
    }
    assert sum(len(items) for items in queued.values()) == 20
    assert all(queued.values())
    table = moto_cloud.plan.service("reports").environment["TABLE_MAIN"]
    keys = [item["pk"]["S"] for item in moto_cloud.aws.dynamodb.scan(TableName=table)["Items"]]
    assert not [key for key in keys if key.startswith("OUTBOX#")]
    assert moto_cloud.aws.sqs.get_queue_url(QueueName=dependencies.outgoing_mail_queue())["QueueUrl"]


def test_recording_that_the_reporter_was_told_refuses_a_stale_report(moto_cloud: MotoCloud, bus: Bus) -> None:
    case = file(citizen(1), form("parkingDamage"))
    bus.deliver("triage")
    repository = dependencies.repository()
    report = repository.get(case)
    assert report is not None

    with pytest.raises(Conflict):
        repository.replace(report.model_copy(update={"version": 2}), expected_version=1, events=[])

    assert repository.get(case) == report


ENGLISH = {"Accept-Language": "en-GB,en;q=0.9,sv;q=0.1"}


def test_a_report_filed_in_english_is_answered_and_written_to_in_english_and_one_without_in_swedish(
    moto_cloud: MotoCloud, bus: Bus, outgoing_mail: str
) -> None:
    swedish, english = citizen(71), citizen(72)
    in_swedish = file(swedish, form("parkingDamage"))
    filed = call("POST", REPORTS, english, body=form("parkingDamage"), headers=ENGLISH)
    assert response_header(filed, "Content-Language") == "en"
    in_english = str(response_json(filed)["caseNumber"])
    assert response_json(filed)["timeline"][0]["reason"] == "The report was received."

    bus.deliver("triage")
    bus.deliver("notify")
    sent = {
        json.loads(m["Body"])["caseNumber"]: json.loads(m["Body"]) for m in letters(moto_cloud, outgoing_mail)
    }

    # Without Accept-Language: Swedish everywhere, and the letter follows the language filed in.
    read = call("GET", f"{REPORTS}/{in_swedish}", swedish)
    sv = response_json(read)
    assert response_header(read, "Content-Language") == "sv"
    assert sv["timeline"][0]["reason"] == "Anmälan har tagits emot."
    assert sv["decision"]["reason"].startswith("Förundersökning inleds inte, eftersom")
    assert sent[in_swedish]["subject"] == f"Beslut om din anmälan {in_swedish}"
    assert sv["decision"]["reason"] in sent[in_swedish]["body"]
    assert "Beslut: Förundersökning inleds inte." in sent[in_swedish]["body"]

    en = response_json(call("GET", f"{REPORTS}/{in_english}", english, headers=ENGLISH))
    assert en["timeline"][0]["reason"] == "The report was received."
    assert en["decision"]["reason"].startswith("A preliminary investigation will not be opened, because")
    assert sent[in_english]["subject"] == f"Decision on your report {in_english}"
    assert en["decision"]["reason"] in sent[in_english]["body"]
    assert "Decision: A preliminary investigation will not be opened." in sent[in_english]["body"]

    # What is stored as a key is read in the reader's language, whatever it was filed in.
    later = response_json(call("GET", f"{REPORTS}/{in_english}", english))
    assert later["timeline"][0]["reason"] == "Anmälan har tagits emot."

    # A bad request: the detail in Swedish by default, in English when asked; the field named alike.
    bad = {**form("parkingDamage"), "occurredTo": "i morse"}
    refused_sv = response_json(call("POST", REPORTS, swedish, body=bad))
    refused_en = response_json(call("POST", REPORTS, english, body=bad, headers=ENGLISH))
    assert (
        refused_sv["invalidParameters"][0]["name"]
        == refused_en["invalidParameters"][0]["name"]
        == "occurredTo"
    )
    assert refused_sv["detail"].startswith("occurredTo: måste vara datum och tid enligt ISO 8601")
    assert refused_en["detail"].startswith("occurredTo: must be an ISO 8601 date and time")
