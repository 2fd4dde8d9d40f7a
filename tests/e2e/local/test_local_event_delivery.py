"""Events the local cloud delivers carry every field EventBridge gives them: a consumer written against AWS,
with Powertools' EventBridgeModel, reads them unchanged."""

from __future__ import annotations

import random

import pytest
from aws_lambda_powertools.utilities.parser.models import EventBridgeModel

from shared.events.catalog import contract_of
from shared.events.envelope import Envelope
from tests.e2e.support import LocalClient, synthetic_personnummer

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("local_cloud")]

THEFT = {
    "type": "theft",
    "theftKind": "home",
    "occurredFrom": "2026-01-10T08:00:00+01:00",
    "occurredTo": "2026-01-10T09:30:00+01:00",
    "location": {"municipalityCode": "1280", "address": "Stortorget 1"},
    "description": "Någon tog sig in genom balkongdörren och tog en dator.",
    "items": [{"category": "computer", "brand": "Lenovo"}],
    "notifyOnDecision": False,
}


def test_a_delivered_event_parses_with_powertools_eventbridge_model(
    client: LocalClient, rng: random.Random
) -> None:
    token = client.citizen_token(synthetic_personnummer(rng))
    filed = client.request("POST", "/reports/v1/reports", json_body=THEFT, token=token)
    assert filed.status == 201, filed.body
    case_number = filed.json()["caseNumber"]

    raw = client.wait_for_event("ReportFiled", lambda e: e["detail"]["data"]["caseNumber"] == case_number)
    event = EventBridgeModel.model_validate(raw)
    assert event.account
    assert event.version == "0"
    assert event.id
    assert event.region
    assert event.resources == []
    assert event.source == "polisen.reports"
    assert event.detail_type == "ReportFiled"
    contract = contract_of(event.source, event.detail_type)
    assert contract is not None
    envelope = Envelope[contract].model_validate(event.detail)  # type: ignore[valid-type]
    assert envelope.metadata.event_type == "ReportFiled"
    assert envelope.data.model_dump(by_alias=True)["caseNumber"] == case_number
