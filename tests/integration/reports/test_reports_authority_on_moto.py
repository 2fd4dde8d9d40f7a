"""Acting for others, through the reports handlers on moto with the register simulators seeded as the local
cloud seeds them: filing for a child or a stranger, for a company, and the document register's answer."""

from __future__ import annotations

import json
import random
import uuid
from datetime import UTC, datetime
from typing import Any

from infra.local.event_sources import sqs_event
from services.reports import api, consumers, seed
from shared import synthetic_people
from shared.events.contracts.bookings import SOURCE as BOOKINGS_SOURCE
from shared.events.contracts.bookings import DocumentBlocked
from shared.events.envelope import new_event
from shared.identity import generate_organisationsnummer, generate_personnummer
from tests.integration.conftest import MotoCloud
from tests.support.lambda_events import (
    FakeLambdaContext,
    citizen_claims,
    response_header,
    response_json,
    rest_event,
)
from tests.support.reports import form, theft_report

REPORTS = "/reports/v1/reports"
GUARDIAN = synthetic_people.FAMILIES[0].guardians[0]
CHILD = synthetic_people.FAMILIES[0].children[0]
SHOP = synthetic_people.COMPANIES[0]


def file(personnummer: str, body: dict[str, Any]) -> dict[str, Any]:
    event = rest_event("POST", REPORTS, body=body, claims=citizen_claims(personnummer))
    return api.handler(event, FakeLambdaContext())


def outbox(cloud: MotoCloud, detail_type: str) -> list[dict[str, Any]]:
    table = cloud.plan.service("reports").environment["TABLE_MAIN"]
    items = cloud.aws.dynamodb.scan(TableName=table)["Items"]
    return [
        json.loads(i["detail"]["S"])["data"]
        for i in items
        if i["pk"]["S"].startswith("OUTBOX#") and i["detailType"]["S"] == detail_type
    ]


def stranger() -> str:
    return str(generate_personnummer(random.Random(uuid.uuid4().int)))


def test_a_guardian_s_report_asks_for_the_child_s_passport_to_be_blocked(moto_cloud: MotoCloud) -> None:
    seed.seed_registers([])
    body = theft_report(
        items=[{"category": "passport", "documentNumber": "11223344"}],
        onBehalfOf={"personnummer": CHILD, "relation": "child"},
    )

    result = file(GUARDIAN, body)

    assert result["statusCode"] == 201, result["body"]
    report = response_json(result)
    assert report["onBehalfOfVerified"] is True
    assert [b["status"] for b in report["documentBlocks"]] == ["requested"]
    [requested] = outbox(moto_cloud, "DocumentBlockRequested")
    assert (requested["holderPersonnummer"], requested["requestedBy"]) == (CHILD, "guardian")


def test_a_stranger_s_passport_named_for_them_is_filed_but_not_asked_to_be_blocked(
    moto_cloud: MotoCloud,
) -> None:
    seed.seed_registers([])
    someone = stranger()
    body = theft_report(
        items=[{"category": "passport", "documentNumber": "55667788"}],
        onBehalfOf={"personnummer": someone, "relation": "other"},
    )

    result = file(stranger(), body)

    assert result["statusCode"] == 201, result["body"]
    report = response_json(result)
    assert report["onBehalfOfVerified"] is False
    [block] = report["documentBlocks"]
    assert block["status"] == "notRequested"
    assert "Innehavaren måste själv anmäla det förlorat eller stulet" in block["message"]
    assert outbox(moto_cloud, "DocumentBlockRequested") == []


def test_a_shop_theft_for_a_company_one_does_not_represent_is_403_and_stores_nothing(
    moto_cloud: MotoCloud,
) -> None:
    seed.seed_registers([])
    unrelated = str(generate_organisationsnummer(random.Random(3)))

    refused = file(stranger(), form("shopTheft", organisationsnummer=SHOP.organisationsnummer))
    also_refused = file(SHOP.representatives[0], form("shopTheft", organisationsnummer=unrelated))
    filed = file(SHOP.representatives[0], form("shopTheft", organisationsnummer=SHOP.organisationsnummer))

    for result in (refused, also_refused):
        assert result["statusCode"] == 403, result["body"]
        assert response_header(result, "Content-Type") == "application/problem+json"
        assert "företrädare" in response_json(result)["detail"]
    assert filed["statusCode"] == 201, filed["body"]
    # The refused filings left nothing behind: the one report filed is the representative's.
    assert [d["caseNumber"] for d in outbox(moto_cloud, "ReportFiled")] == [
        response_json(filed)["caseNumber"]
    ]


def test_the_register_s_answer_reaches_the_report_once(moto_cloud: MotoCloud) -> None:
    seed.seed_registers([])
    body = form("loss", items=[{"category": "passport", "documentNumber": "99887766"}])
    owner = stranger()
    case = response_json(file(owner, body))["caseNumber"]
    answer = DocumentBlocked(
        document_type="passport",
        document_number="99887766",
        case_number=case,
        blocked_at=datetime(2026, 11, 22, 12, 0, tzinfo=UTC),
    )
    envelope = new_event(answer, producer=BOOKINGS_SOURCE, occurred_at=answer.blocked_at, correlation_id="c")
    delivery = {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "DocumentBlocked",
        "source": BOOKINGS_SOURCE,
        "detail": json.loads(envelope.detail_json()),
    }
    queue = moto_cloud.provisioned.queue_arns["eservices-test-reports-documentBlocks"]
    message = {"MessageId": "m-1", "ReceiptHandle": "r-1", "Body": json.dumps(delivery)}

    first = consumers.document_blocks_handler(sqs_event([message], queue_arn=queue), FakeLambdaContext())
    again = consumers.document_blocks_handler(
        sqs_event([{**message, "MessageId": "m-2"}], queue_arn=queue), FakeLambdaContext()
    )

    assert first["batchItemFailures"] == again["batchItemFailures"] == []
    read = api.handler(
        rest_event("GET", f"{REPORTS}/{case}", claims=citizen_claims(owner)), FakeLambdaContext()
    )
    report = response_json(read)
    assert [b["status"] for b in report["documentBlocks"]] == ["blocked"]
    spaerrat = [e for e in report["timeline"] if "99887766 är spärrat" in e["reason"]]
    assert len(spaerrat) == 1
