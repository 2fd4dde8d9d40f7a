"""Lost and found property through the handlers against moto: staff register found items, the matcher tells
the owner of a loss report, the deadline job moves unclaimed items on under a set clock, and hand-over."""

from __future__ import annotations

import functools
import json
import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from infra.local.event_sources import sqs_event
from services.reports import api, consumers, jobs
from services.reports import dependencies as reports_dependencies
from services.reports.domain.found_item import end_of
from shared.clock import FixedClock
from shared.identity import generate_personnummer
from tests.integration.conftest import MotoCloud
from tests.support.faults import crash_after_commit
from tests.support.lambda_events import (
    FakeLambdaContext,
    citizen_claims,
    response_header,
    response_json,
    rest_event,
)
from tests.support.reports import theft_report
from tests.support.reports_outbox import ReportsOutbox

REPORTS = "/reports/v1/reports"
FOUND_ITEMS = "/reports/v1/staff/found-items"
NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


def staff(region: str = "Stockholm", staff_id: str = "PM-1", roles: str = "reception") -> dict[str, str]:
    return {
        "sub": f"s-{staff_id}",
        "principalType": "staff",
        "staffId": staff_id,
        "roles": roles,
        "region": region,
    }


def citizen(seed: int) -> dict[str, str]:
    return citizen_claims(str(generate_personnummer(random.Random(seed))))


def registration(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "category": "mobilePhone",
        "description": "Black phone in a red case",
        "brand": "Fairphone",
        "imei": "356938035643809",
        "estimatedValueSek": 3000,
        "foundAt": "2026-11-21T16:00:00+01:00",
        "place": {"municipalityCode": "0180", "description": "Tunnelbanan, T-Centralen"},
        "reception": {"name": "Polisen Stockholm City", "municipalityCode": "0180"},
        "finder": {"name": "Finder Person", "email": "finder@example.se", "wantsItemIfUnclaimed": True},
    }
    body.update(changes)
    return body


LOST_PHONE = theft_report(
    type="loss",
    description="Jag tappade min telefon på väg hem.",
    items=[{"category": "mobilePhone", "brand": "Fairphone", "imei": "356938035643809"}],
)


def call(event: dict[str, Any]) -> dict[str, Any]:
    return api.handler(event, FakeLambdaContext())


def register(body: dict[str, Any] | None = None, claims: dict[str, str] | None = None, **headers: str) -> Any:
    return call(
        rest_event(
            "POST", FOUND_ITEMS, body=body or registration(), claims=claims or staff(), headers=headers
        )
    )


def found_item(found_item_id: str, claims: dict[str, str] | None = None) -> dict[str, Any]:
    return call(rest_event("GET", f"{FOUND_ITEMS}/{found_item_id}", claims=claims or staff()))


def hand_over(found_item_id: str, body: dict[str, Any]) -> dict[str, Any]:
    return call(rest_event("POST", f"{FOUND_ITEMS}/{found_item_id}/handover", body=body, claims=staff()))


CONSUMERS = {
    "triage": consumers.triage_handler,
    "lostAndFound": consumers.lost_and_found_handler,
    "notify": consumers.notify_handler,
}


class Bus(ReportsOutbox):
    """What the local cloud's pollers do, one step at a time: outbox -> bus -> a subscription's consumer."""

    def __init__(self, cloud: MotoCloud) -> None:
        super().__init__(cloud)
        self.seen: list[dict[str, Any]] = []

    def deliver(self, subscription: str) -> list[dict[str, Any]]:
        """Publish what the outbox holds, then hand the subscription's queue to its consumer once."""
        self.publish_outbox()
        queue = f"eservices-test-reports-{subscription}"
        messages = self.take_from(queue)
        if messages:
            event = sqs_event(messages, queue_arn=self.cloud.provisioned.queue_arns[queue])
            result = CONSUMERS[subscription](event, FakeLambdaContext())
            assert result["batchItemFailures"] == []
        return messages

    def events(self, detail_type: str) -> list[dict[str, Any]]:
        """Every event of the type that crossed the bus so far (as the local cloud's tap sees them)."""
        self.publish_outbox()
        self.seen.extend(json.loads(m["Body"]) for m in self.take_from(self.cloud.plan.tap_queue))
        return [e for e in self.seen if e["detail-type"] == detail_type]


@pytest.fixture
def bus(moto_cloud: MotoCloud) -> Bus:
    return Bus(moto_cloud)


@pytest.fixture
def clock(moto_cloud: MotoCloud, monkeypatch: pytest.MonkeyPatch) -> FixedClock:
    fixed = FixedClock(NOW)
    # Cached like the real one, so the fixture's teardown can clear it as it clears every dependency.
    monkeypatch.setattr(reports_dependencies, "clock", functools.cache(lambda: fixed))
    return fixed


@pytest.fixture
def outgoing_mail(moto_cloud: MotoCloud) -> str:
    return moto_cloud.provisioned.queue_urls[reports_dependencies.outgoing_mail_queue()]


def letters(cloud: MotoCloud, queue_url: str) -> list[dict[str, Any]]:
    received = cloud.aws.sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)
    return [json.loads(m["Body"]) for m in received.get("Messages", [])]


def table_keys(cloud: MotoCloud, prefix: str) -> list[str]:
    table = cloud.plan.service("reports").environment["TABLE_MAIN"]
    items = cloud.aws.dynamodb.scan(TableName=table)["Items"]
    return sorted(i["pk"]["S"] for i in items if i["pk"]["S"].startswith(prefix))


def test_staff_register_a_found_item_and_the_finder_gets_a_receipt(
    moto_cloud: MotoCloud, clock: FixedClock
) -> None:
    result = register()

    assert result["statusCode"] == 201, result["body"]
    receipt = response_json(result)
    assert receipt["foundItemId"] == "HG1-26"
    assert response_header(result, "Location") == f"{FOUND_ITEMS}/HG1-26"
    assert receipt["reception"] == "Polisen Stockholm City"
    assert receipt["place"] == "Tunnelbanan, T-Centralen, Stockholm"
    assert receipt["what"] == "mobiltelefon, Fairphone, Black phone in a red case"
    assert receipt["unclaimedUntil"] == "2027-02-22"
    assert "22 februari 2027" in receipt["message"]
    item = response_json(found_item("HG1-26"))
    assert (item["status"], item["nextDeadline"], item["findersRewardSek"]) == (
        "registered",
        "2027-02-22",
        300,
    )


def test_a_retry_with_the_same_idempotency_key_registers_once(
    moto_cloud: MotoCloud, clock: FixedClock
) -> None:
    first = register(**{"Idempotency-Key": "desk-1"})
    again = register(**{"Idempotency-Key": "desk-1"})

    assert response_json(again)["foundItemId"] == response_json(first)["foundItemId"]
    assert table_keys(moto_cloud, "FOUND#") == ["FOUND#HG1-26"]


def test_only_staff_of_the_region_keeping_the_item_see_it(moto_cloud: MotoCloud, clock: FixedClock) -> None:
    found_item_id = response_json(register())["foundItemId"]

    assert found_item(found_item_id, staff("Väst", "PM-2"))["statusCode"] == 404
    assert found_item(found_item_id, staff("National", "PM-3"))["statusCode"] == 200
    assert found_item("HG999999-26")["statusCode"] == 404
    malformed = found_item("not-an-id")
    assert malformed["statusCode"] == 400
    assert [p["name"] for p in response_json(malformed)["invalidParameters"]] == ["foundItemId"]
    assert found_item(found_item_id, citizen(1))["statusCode"] == 403
    assert register(claims=citizen(1))["statusCode"] == 403


def test_staff_list_their_region_newest_first_by_status_and_page_on(
    moto_cloud: MotoCloud, clock: FixedClock
) -> None:
    ids = []
    for _ in range(3):
        ids.append(response_json(register())["foundItemId"])
        clock.advance(timedelta(minutes=1))
    goteborg = {"name": "Polisen Göteborg", "municipalityCode": "1480"}
    register(registration(reception=goteborg), staff("Väst"))

    seen: list[str] = []
    query = {"limit": "2", "status": "registered"}
    for _ in range(4):
        page = response_json(call(rest_event("GET", FOUND_ITEMS, claims=staff(), query=query)))
        assert page["region"] == "Stockholm"
        seen.extend(i["foundItemId"] for i in page["items"])
        if not page["nextToken"]:
            break
        query = {**query, "nextToken": page["nextToken"]}

    assert seen == list(reversed(ids))
    other = call(rest_event("GET", FOUND_ITEMS, claims=staff(), query={"region": "Väst"}))
    assert other["statusCode"] == 403
    national = call(rest_event("GET", FOUND_ITEMS, claims=staff("National"), query={}))
    assert response_json(national)["invalidParameters"][0]["name"] == "region"
    vast = response_json(
        call(rest_event("GET", FOUND_ITEMS, claims=staff("National"), query={"region": "Väst"}))
    )
    assert len(vast["items"]) == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ("{not json", "body"),
        (registration(place={"municipalityCode": "0000", "description": "x"}), "place.municipalityCode"),
        (registration(foundAt="2026-11-23T10:00:00+01:00"), "foundAt"),
        (
            registration(
                finder={"name": "A", "personnummer": "19400908-3273", "wantsItemIfUnclaimed": False}
            ),
            "finder.personnummer",
        ),
        (registration(finder={"name": "A", "wantsItemIfUnclaimed": True}), "finder.phone"),
        (registration(category=None), "category"),
    ],
)
def test_bad_input_is_a_problem_naming_the_field_and_nothing_is_written(
    moto_cloud: MotoCloud, clock: FixedClock, body: Any, field: str
) -> None:
    result = register(body)

    assert result["statusCode"] == 400, result["body"]
    assert response_header(result, "Content-Type") == "application/problem+json"
    assert field in {p["name"] for p in response_json(result)["invalidParameters"]}
    assert table_keys(moto_cloud, "FOUND") == []
    assert table_keys(moto_cloud, "COUNTER#HG") == []


def test_staff_of_another_region_may_not_register_an_item_kept_there_and_nothing_is_written(
    moto_cloud: MotoCloud, clock: FixedClock
) -> None:
    result = register(registration(reception={"name": "Polisen Malmö", "municipalityCode": "1280"}))

    assert result["statusCode"] == 403, result["body"]
    assert response_header(result, "Content-Type") == "application/problem+json"
    assert table_keys(moto_cloud, "FOUND") == []
    assert table_keys(moto_cloud, "COUNTER#HG") == []


def audit_trail(cloud: MotoCloud) -> list[dict[str, Any]]:
    table = cloud.plan.service("reports").environment["TABLE_AUDIT"]
    items = cloud.aws.dynamodb.scan(TableName=table)["Items"]
    return sorted((json.loads(i["body"]["S"]) for i in items), key=lambda r: r["at"])


def test_without_the_reception_role_a_registration_is_403_and_nothing_is_written(
    moto_cloud: MotoCloud, clock: FixedClock
) -> None:
    result = register(claims=staff(roles="caseHandler"), **{"Idempotency-Key": "no-role-1"})

    assert result["statusCode"] == 403, result["body"]
    assert response_header(result, "Content-Type") == "application/problem+json"
    assert table_keys(moto_cloud, "FOUND") == []
    assert table_keys(moto_cloud, "COUNTER#HG") == []
    assert table_keys(moto_cloud, "OUTBOX#") == []
    [refused] = audit_trail(moto_cloud)
    assert (refused["action"], refused["allowed"], refused["staffId"]) == ("registerFoundItem", False, "PM-1")

    # The same key from a token with the role registers it: the refused attempt stored no answer to replay.
    allowed = register(**{"Idempotency-Key": "no-role-1"})
    assert allowed["statusCode"] == 201, allowed["body"]


def test_reading_an_item_and_handing_it_over_need_the_role_and_each_is_audited_with_the_change(
    moto_cloud: MotoCloud, clock: FixedClock
) -> None:
    found_item_id = response_json(register())["foundItemId"]
    no_role = staff(roles="")

    refused = [
        found_item(found_item_id, claims=no_role),
        call(
            rest_event(
                "POST", f"{FOUND_ITEMS}/{found_item_id}/handover", body={"to": "state"}, claims=no_role
            )
        ),
        call(
            rest_event(
                "POST",
                f"{FOUND_ITEMS}/{found_item_id}/owner-notices",
                body={"caseNumber": "K1-26"},
                claims=no_role,
            )
        ),
    ]
    read = found_item(found_item_id)

    assert [r["statusCode"] for r in refused] == [403, 403, 403]
    assert read["statusCode"] == 200
    assert response_json(read)["finder"]["name"] == "Finder Person"
    # The test's clock stands still, so the records are compared as a set.
    trail = sorted((r["action"], r["allowed"], r.get("foundItemId")) for r in audit_trail(moto_cloud))
    assert trail == sorted(
        [
            ("registerFoundItem", True, found_item_id),
            ("viewFoundItem", False, found_item_id),
            ("handOver", False, found_item_id),
            ("notifyOwner", False, found_item_id),
            ("viewFoundItem", True, found_item_id),
        ]
    )
    assert not any(
        "Finder Person" in json.dumps(r) or "finder@example.se" in json.dumps(r)
        for r in audit_trail(moto_cloud)
    )


def test_a_found_phone_is_matched_to_the_loss_report_and_its_owner_sees_it_and_gets_a_letter(
    moto_cloud: MotoCloud, clock: FixedClock, bus: Bus, outgoing_mail: str
) -> None:
    owner = citizen(1)
    case = response_json(call(rest_event("POST", REPORTS, body=LOST_PHONE, claims=owner)))["caseNumber"]
    bus.deliver("triage")
    clock.advance(timedelta(hours=1))
    found_item_id = response_json(register())["foundItemId"]

    assert bus.deliver("lostAndFound")

    report = response_json(call(rest_event("GET", f"{REPORTS}/{case}", claims=owner)))
    (notice,) = report["foundProperty"]
    assert notice["foundItemId"] == found_item_id
    assert notice["claimBy"] == "2026-12-22"
    assert "Polisen Stockholm City" in report["timeline"][-1]["reason"]
    item = response_json(found_item(found_item_id))
    assert item["status"] == "ownerNotified"
    assert item["ownerNotices"][0]["caseNumber"] == case
    (matched,) = bus.events("LostPropertyMatched")
    assert matched["detail"]["data"]["caseNumber"] == case
    assert owner["personnummer"] not in json.dumps(matched)

    bus.deliver("notify")
    # The owner asked to be told of decisions too: the loss report's registration is in another letter.
    (letter,) = [
        m for m in letters(moto_cloud, outgoing_mail) if m["subject"].startswith("Ett upphittat föremål")
    ]
    assert letter["recipientPersonnummer"] == owner["personnummer"]
    assert letter["caseNumber"] == case
    assert found_item_id in letter["body"]
    assert "22 december 2026" in letter["body"]
    assert "300 kr" in letter["body"]


def test_a_match_delivered_again_however_late_sends_no_second_letter(
    moto_cloud: MotoCloud, clock: FixedClock, bus: Bus, outgoing_mail: str
) -> None:
    owner = citizen(1)
    case = response_json(call(rest_event("POST", REPORTS, body=LOST_PHONE, claims=owner)))["caseNumber"]
    bus.deliver("triage")
    register()
    assert bus.deliver("lostAndFound")
    deliveries = bus.deliver("notify")
    matched = [d for d in deliveries if json.loads(d["Body"])["detail-type"] == "LostPropertyMatched"]
    (letter,) = [
        m for m in letters(moto_cloud, outgoing_mail) if m["subject"].startswith("Ett upphittat föremål")
    ]
    (notice,) = response_json(call(rest_event("GET", f"{REPORTS}/{case}", claims=owner)))["foundProperty"]
    assert notice["letterId"] == letter["messageId"]
    assert notice["letterSentAt"] is not None

    url = moto_cloud.provisioned.queue_urls["eservices-test-reports-notify"]
    for delivery in matched:  # a re-drive or an archive replay, long after
        moto_cloud.aws.sqs.send_message(QueueUrl=url, MessageBody=delivery["Body"])
    assert bus.deliver("notify")

    assert letters(moto_cloud, outgoing_mail) == []
    (again,) = response_json(call(rest_event("GET", f"{REPORTS}/{case}", claims=owner)))["foundProperty"]
    assert again == notice


def test_a_redelivered_registration_tells_the_owner_once(
    moto_cloud: MotoCloud, clock: FixedClock, bus: Bus
) -> None:
    call(rest_event("POST", REPORTS, body=LOST_PHONE, claims=citizen(1)))
    bus.deliver("triage")
    register()
    bus.publish_outbox()
    queue = "eservices-test-reports-lostAndFound"
    messages = bus.take_from(queue)
    event = sqs_event(messages, queue_arn=moto_cloud.provisioned.queue_arns[queue])

    consumers.lost_and_found_handler(event, FakeLambdaContext())
    consumers.lost_and_found_handler(event, FakeLambdaContext())

    assert len(bus.events("LostPropertyMatched")) == 1


def test_a_loss_report_filed_later_finds_the_registered_item(
    moto_cloud: MotoCloud, clock: FixedClock, bus: Bus
) -> None:
    found_item_id = response_json(register())["foundItemId"]
    bus.deliver("lostAndFound")
    assert response_json(found_item(found_item_id))["status"] == "registered"

    owner = citizen(2)
    case = response_json(call(rest_event("POST", REPORTS, body=LOST_PHONE, claims=owner)))["caseNumber"]
    bus.deliver("triage")

    report = response_json(call(rest_event("GET", f"{REPORTS}/{case}", claims=owner)))
    assert [n["foundItemId"] for n in report["foundProperty"]] == [found_item_id]


def run_deadline_job() -> dict[str, int]:
    scheduled = {"id": "schedule-run-1", "detail-type": "Scheduled Event", "source": "aws.scheduler"}
    result: dict[str, int] = jobs.found_item_deadlines_handler(scheduled, FakeLambdaContext())
    return result


def test_the_deadline_job_moves_unclaimed_items_on_once_and_publishes_it(
    moto_cloud: MotoCloud, clock: FixedClock, bus: Bus
) -> None:
    found_item_id = response_json(register())["foundItemId"]
    clock.advance(end_of(date(2027, 2, 22)) - clock.now() - timedelta(seconds=1))
    assert run_deadline_job()["moved"] == 0

    clock.advance(timedelta(seconds=1))
    first = run_deadline_job()
    second = run_deadline_job()

    assert (first["moved"], second["moved"]) == (1, 0)
    item = response_json(found_item(found_item_id))
    assert (item["status"], item["collectBy"], item["nextDeadline"]) == (
        "finderMayCollect",
        "2027-03-22",
        "2027-03-22",
    )
    (passed,) = bus.events("FoundItemDeadlinePassed")
    assert passed["detail"]["data"]["status"] == "finderMayCollect"


def test_hand_over_follows_the_rules_and_says_why_not(
    moto_cloud: MotoCloud, clock: FixedClock, bus: Bus
) -> None:
    owner = citizen(1)
    case = response_json(call(rest_event("POST", REPORTS, body=LOST_PHONE, claims=owner)))["caseNumber"]
    bus.deliver("triage")
    found_item_id = response_json(register())["foundItemId"]
    bus.deliver("lostAndFound")

    early = hand_over(found_item_id, {"to": "finder"})
    missing_case = hand_over(found_item_id, {"to": "owner"})
    to_owner = hand_over(found_item_id, {"to": "owner", "caseNumber": case})

    assert early["statusCode"] == 409
    assert "22 February 2027" in response_json(early)["detail"]
    assert response_json(missing_case)["invalidParameters"][0]["name"] == "caseNumber"
    assert to_owner["statusCode"] == 200, to_owner["body"]
    assert response_json(to_owner)["handedOver"]["recipient"] == "owner"
    report = response_json(call(rest_event("GET", f"{REPORTS}/{case}", claims=owner)))
    assert report["foundProperty"][0]["handedOverAt"]
    (handed,) = bus.events("FoundItemHandedOver")
    assert handed["detail"]["data"]["caseNumber"] == case
    again = hand_over(found_item_id, {"to": "owner", "caseNumber": case})
    assert again["statusCode"] == 409


def test_staff_tell_the_owner_of_a_possible_match(moto_cloud: MotoCloud, clock: FixedClock, bus: Bus) -> None:
    owner = citizen(3)
    unnumbered = {
        **LOST_PHONE,
        "items": [{"category": "mobilePhone", "description": "Svart telefon, rött skal"}],
    }
    case = response_json(call(rest_event("POST", REPORTS, body=unnumbered, claims=owner)))["caseNumber"]
    bus.deliver("triage")
    found_item_id = response_json(register())["foundItemId"]
    bus.deliver("lostAndFound")
    item = response_json(found_item(found_item_id))
    assert [(m["caseNumber"], m["matchKind"]) for m in item["possibleMatches"]] == [(case, "description")]

    told = call(
        rest_event(
            "POST", f"{FOUND_ITEMS}/{found_item_id}/owner-notices", body={"caseNumber": case}, claims=staff()
        )
    )

    assert told["statusCode"] == 200, told["body"]
    assert response_json(told)["status"] == "ownerNotified"
    report = response_json(call(rest_event("GET", f"{REPORTS}/{case}", claims=owner)))
    assert len(report["foundProperty"]) == 1
    assert bus.events("LostPropertyMatched")[0]["detail"]["data"]["confirmedBy"] == "staff"


def test_a_registration_that_crashed_after_its_commit_is_one_item_on_retry(
    moto_cloud: MotoCloud, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    crash_after_commit(monkeypatch)

    crashed = register(**{"Idempotency-Key": "desk-2"})
    retry = register(**{"Idempotency-Key": "desk-2"})

    assert crashed["statusCode"] == 500
    assert retry["statusCode"] == 201
    assert response_header(retry, "Location") == f"{FOUND_ITEMS}/HG1-26"
    assert table_keys(moto_cloud, "FOUND#") == ["FOUND#HG1-26"]


def test_a_retried_hand_over_is_answered_with_the_hand_over_not_refused(
    moto_cloud: MotoCloud, clock: FixedClock, bus: Bus, monkeypatch: pytest.MonkeyPatch
) -> None:
    owner = citizen(1)
    case = response_json(call(rest_event("POST", REPORTS, body=LOST_PHONE, claims=owner)))["caseNumber"]
    bus.deliver("triage")
    found_item_id = response_json(register())["foundItemId"]
    bus.deliver("lostAndFound")
    path = f"{FOUND_ITEMS}/{found_item_id}/handover"
    body = {"to": "owner", "caseNumber": case}
    crash_after_commit(monkeypatch)

    crashed = call(rest_event("POST", path, body=body, claims=staff(), headers={"Idempotency-Key": "give-1"}))
    retry = call(rest_event("POST", path, body=body, claims=staff(), headers={"Idempotency-Key": "give-1"}))
    elsewhere = call(
        rest_event("POST", path, body=body, claims=staff("Väst"), headers={"Idempotency-Key": "give-1"})
    )

    assert crashed["statusCode"] == 500
    assert retry["statusCode"] == 200, retry["body"]
    assert response_json(retry)["handedOver"]["recipient"] == "owner"
    assert elsewhere["statusCode"] == 404
    assert len(bus.events("FoundItemHandedOver")) == 1
