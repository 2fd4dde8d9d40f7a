"""Idempotency-Key on the reports service, through the handlers against moto: a retry after a crash between
the commit and the answer creates nothing twice, and a retry is authorized (and audited) as a fresh request."""

from __future__ import annotations

import random
import re
from typing import Any

import pytest

from services.reports import api
from services.reports.domain.audit import AuditAction, AuditRecord
from shared.adapters import dynamodb as toolkit
from shared.identity import generate_personnummer
from tests.integration.conftest import MotoCloud
from tests.support.faults import before_each_transaction, contended_transactions, crash_after_commit
from tests.support.lambda_events import (
    FakeLambdaContext,
    citizen_claims,
    response_header,
    response_json,
    rest_event,
)
from tests.support.reports import theft_report

REPORTS = "/reports/v1/reports"
STAFF = "/reports/v1/staff"


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


def template(path: str) -> str:
    """The route's template, as API Gateway names the resource: ``/reports/v1/reports/{caseNumber}``."""
    parts = path.split("/")
    return "/".join("{caseNumber}" if re.fullmatch(r"K\d+-\d{2}", part) else part for part in parts)


def call(
    method: str, path: str, claims: dict[str, str] | None, *, key: str | None = None, **kwargs: Any
) -> dict[str, Any]:
    headers = {"Idempotency-Key": key} if key is not None else {}
    event = rest_event(method, path, claims=claims, headers=headers, resource=template(path), **kwargs)
    return api.handler(event, FakeLambdaContext())


def file(
    claims: dict[str, str], body: dict[str, Any] | None = None, *, key: str | None = None
) -> dict[str, Any]:
    return call("POST", REPORTS, claims, key=key, body=body or theft_report())


def items(cloud: MotoCloud, prefix: str, table: str = "TABLE_MAIN") -> list[dict[str, Any]]:
    name = cloud.plan.service("reports").environment[table]
    scanned = cloud.aws.dynamodb.scan(TableName=name)["Items"]
    return [i for i in scanned if i.get("pk", i.get("id", {})).get("S", "").startswith(prefix)]


def outbox_types(cloud: MotoCloud) -> list[str]:
    return sorted(i["detailType"]["S"] for i in items(cloud, "OUTBOX#"))


def audit_records(cloud: MotoCloud) -> list[AuditRecord]:
    name = cloud.plan.service("reports").environment["TABLE_AUDIT"]
    scanned = cloud.aws.dynamodb.scan(TableName=name)["Items"]
    return sorted((AuditRecord.model_validate_json(i["body"]["S"]) for i in scanned), key=lambda r: r.at)


def problem(result: dict[str, Any], status: int) -> dict[str, Any]:
    assert result["statusCode"] == status, result["body"]
    assert response_header(result, "Content-Type") == "application/problem+json"
    document: dict[str, Any] = response_json(result)
    return document


# --- a crash between the commit and the answer -------------------------------------------------------------


def test_a_filing_that_crashed_after_its_commit_is_one_report_on_retry(
    moto_cloud: MotoCloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    committed = crash_after_commit(monkeypatch)
    crashed = file(citizen(1), key="crash-1")
    retry = file(citizen(1), key="crash-1")

    assert len(committed) == 1
    assert crashed["statusCode"] == 500
    assert retry["statusCode"] == 201
    case_number = response_json(retry)["caseNumber"]
    assert response_header(retry, "Location") == f"{REPORTS}/{case_number}"
    assert [i["pk"]["S"] for i in items(moto_cloud, "REPORT#")] == [f"REPORT#{case_number}"]
    assert outbox_types(moto_cloud) == ["ReportFiled"]


def test_a_retried_amendment_is_added_once(moto_cloud: MotoCloud, monkeypatch: pytest.MonkeyPatch) -> None:
    case_number = response_json(file(citizen(1)))["caseNumber"]
    path = f"{REPORTS}/{case_number}/amendments"
    body = {"text": "Cykeln hade en röd korg."}

    crash_after_commit(monkeypatch)
    assert call("POST", path, citizen(1), key="add-1", body=body)["statusCode"] == 500
    retry = call("POST", path, citizen(1), key="add-1", body=body)

    assert retry["statusCode"] == 200
    assert [a["text"] for a in response_json(retry)["amendments"]] == [body["text"]]
    assert outbox_types(moto_cloud) == ["ReportAmended", "ReportFiled"]


def test_a_retried_attachment_request_reserves_one_place_with_a_fresh_target(
    moto_cloud: MotoCloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    case_number = response_json(file(citizen(1)))["caseNumber"]
    path = f"{REPORTS}/{case_number}/attachments"
    body = {"fileName": "kvitto.pdf", "contentType": "application/pdf", "sizeBytes": 2048}

    first = call("POST", path, citizen(1), key="photo-1", body=body)
    retry = call("POST", path, citizen(1), key="photo-1", body=body)

    assert (first["statusCode"], retry["statusCode"]) == (201, 201)
    attachment = response_json(first)["attachment"]
    assert response_json(retry)["attachment"] == attachment
    assert response_json(retry)["url"]
    report = response_json(call("GET", f"{REPORTS}/{case_number}", citizen(1)))
    assert [a["attachmentId"] for a in report["attachments"]] == [attachment["attachmentId"]]


@pytest.mark.parametrize(
    ("path", "claims", "body"),
    [
        (
            "/reports/v1/tips",
            None,
            {"category": "drugs", "description": "Försäljning vid busshållplatsen varje kväll."},
        ),
        (
            "/reports/v1/identified-tips",
            citizen(3),
            {
                "category": "traffic",
                "description": "Bilar kör mot rött ljus varje morgon.",
                "phone": "0701234567",
            },
        ),
    ],
)
def test_a_retried_tip_is_received_once(
    moto_cloud: MotoCloud,
    monkeypatch: pytest.MonkeyPatch,
    path: str,
    claims: dict[str, str] | None,
    body: Any,
) -> None:
    crash_after_commit(monkeypatch)
    assert call("POST", path, claims, key="tip-1", body=body)["statusCode"] == 500
    retry = call("POST", path, claims, key="tip-1", body=body)

    assert retry["statusCode"] == 201
    assert [i["pk"]["S"] for i in items(moto_cloud, "TIP#")] == [f"TIP#{response_json(retry)['tipId']}"]


# --- the same key again ------------------------------------------------------------------------------------


def test_the_same_key_with_another_body_or_on_another_case_is_422(moto_cloud: MotoCloud) -> None:
    first, second = (response_json(file(citizen(1)))["caseNumber"] for _ in range(2))
    body = {"text": "Cykeln hade en röd korg."}
    added = call("POST", f"{REPORTS}/{first}/amendments", citizen(1), key="add-1", body=body)

    other_text = call(
        "POST", f"{REPORTS}/{first}/amendments", citizen(1), key="add-1", body={"text": "Annat."}
    )
    other_case = call("POST", f"{REPORTS}/{second}/amendments", citizen(1), key="add-1", body=body)

    assert added["statusCode"] == 200
    assert "Idempotency-Key" in problem(other_text, 422)["detail"]
    problem(other_case, 422)
    second_report = response_json(call("GET", f"{REPORTS}/{second}", citizen(1)))
    assert second_report["amendments"] == []


def test_a_key_is_one_callers_another_citizen_is_answered_as_a_fresh_request(moto_cloud: MotoCloud) -> None:
    case_number = response_json(file(citizen(1)))["caseNumber"]
    path = f"{REPORTS}/{case_number}/amendments"
    body = {"text": "Cykeln hade en röd korg."}
    call("POST", path, citizen(1), key="add-1", body=body)

    stranger = call("POST", path, citizen(2), key="add-1", body=body)

    problem(stranger, 404)
    assert len(response_json(call("GET", f"{REPORTS}/{case_number}", citizen(1)))["amendments"]) == 1


def test_a_request_with_the_same_key_that_commits_first_is_the_answer_of_both(
    moto_cloud: MotoCloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers: list[dict[str, Any]] = []
    # Both looked for the key and found none; the other one's transaction gets there first.
    before_each_transaction(monkeypatch, lambda: answers.append(file(citizen(1), key="twice")))
    late = file(citizen(1), key="twice")

    (early,) = answers
    assert (early["statusCode"], late["statusCode"]) == (201, 201)
    assert response_json(late)["caseNumber"] == response_json(early)["caseNumber"]
    assert len(items(moto_cloud, "REPORT#")) == 1


def test_a_key_still_contended_when_the_retries_run_out_is_409_with_retry_after(
    moto_cloud: MotoCloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(toolkit, "_jittered_sleep", lambda attempt: None)
    contended_transactions(monkeypatch)

    result = file(citizen(1), key="busy")

    problem(result, 409)
    assert response_header(result, "Retry-After") == "1"


@pytest.mark.parametrize(
    ("key", "reason"), [("x" * 129, "högst 128"), ("nyckel-å", "mönster"), ("tab\there", "mönster")]
)
def test_a_key_out_of_bounds_is_400_naming_the_header(moto_cloud: MotoCloud, key: str, reason: str) -> None:
    document = problem(file(citizen(1), key=key), 400)

    assert [p["name"] for p in document["invalidParameters"]] == ["idempotency-key"]
    assert reason in document["invalidParameters"][0]["reason"]
    assert items(moto_cloud, "REPORT#") == []


def test_a_key_of_128_printable_characters_is_accepted(moto_cloud: MotoCloud) -> None:
    assert file(citizen(1), key="~ " + "k" * 126)["statusCode"] == 201


# --- a retry is authorized and audited before it is answered ----------------------------------------------


@pytest.fixture
def noted(moto_cloud: MotoCloud) -> tuple[str, dict[str, Any]]:
    """A case in Stockholm with a note a case handler added with an Idempotency-Key."""
    case_number = response_json(file(citizen(1)))["caseNumber"]
    added = call(
        "POST", f"{STAFF}/reports/{case_number}/notes", staff(), key="note-1", body={"text": "Ring grannen."}
    )
    assert added["statusCode"] == 201, added["body"]
    return case_number, response_json(added)


@pytest.mark.parametrize(
    ("token", "status"),
    [(staff(roles=""), 403), (staff(region="Väst"), 404)],
    ids=["without the role", "of another region"],
)
def test_a_note_replayed_by_a_token_that_may_not_add_it_is_refused_and_audited(
    moto_cloud: MotoCloud, noted: tuple[str, dict[str, Any]], token: dict[str, str], status: int
) -> None:
    case_number, note = noted
    path = f"{STAFF}/reports/{case_number}/notes"
    fresh = call("POST", path, token, key="fresh-key", body={"text": "Ring grannen."})

    replay = call("POST", path, token, key="note-1", body={"text": "Ring grannen."})

    assert problem(replay, status)["detail"] == problem(fresh, status)["detail"]
    assert note["text"] not in replay["body"]
    refusals = [(r.action, r.case_number, r.allowed) for r in audit_records(moto_cloud) if not r.allowed]
    assert refusals == [(AuditAction.ADD_NOTE, case_number, False)] * 2


def test_a_note_replayed_by_its_author_is_the_same_note_once_and_audited(
    moto_cloud: MotoCloud, noted: tuple[str, dict[str, Any]]
) -> None:
    case_number, note = noted

    replay = call(
        "POST", f"{STAFF}/reports/{case_number}/notes", staff(), key="note-1", body={"text": "Ring grannen."}
    )

    assert replay["statusCode"] == 201
    assert response_json(replay) == note
    case_file = response_json(call("GET", f"{STAFF}/reports/{case_number}", staff()))
    assert [n["noteId"] for n in case_file["notes"]] == [note["noteId"]]
    changes = [r.change for r in audit_records(moto_cloud) if r.action is AuditAction.ADD_NOTE]
    assert changes == [f"note {note['noteId']}", f"note {note['noteId']} answered again"]


def test_the_key_record_holds_no_personal_data_and_is_small(moto_cloud: MotoCloud) -> None:
    claims = citizen(1)
    file(claims, key="small-1")

    (record,) = items(moto_cloud, "request#", table="TABLE_IDEMPOTENCY")

    assert set(record) == {"id", "fingerprint", "subject", "expiration"}
    text = str(record)
    for secret in (claims["personnummer"], claims["sub"], "small-1"):
        assert secret not in text
    assert len(text) < 300
