"""Idempotency-Key with an in-memory record store: what a retry gets, and whose key a key is."""

from __future__ import annotations

import random
from typing import Any

import pytest
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent

from shared.adapters.dynamodb import pending_claim
from shared.errors import Conflict, NotFound
from shared.http.idempotency import (
    EXPIRES_AFTER_SECONDS,
    KeyTaken,
    Record,
    RequestClaim,
    record_id,
    request_fingerprint,
    request_scope,
    run_once,
)
from shared.http.problems import UnprocessableProblem
from shared.identity import generate_personnummer
from shared.models import CamelModel
from tests.support.lambda_events import citizen_claims, rest_event

NOW = 1_800_000_000
PERSON, OTHER_PERSON = (str(generate_personnummer(random.Random(seed))) for seed in (1, 2))


class InMemoryRecords:
    """Records as the idempotency table keeps them; a claim is written when its change commits."""

    def __init__(self) -> None:
        self.records: dict[str, tuple[Record, int]] = {}

    def find(self, rid: str, now: int) -> Record | None:
        found = self.records.get(rid)
        return found[0] if found and found[1] > now else None

    def claim(self, rid: str, fingerprint: str, now: int) -> RequestClaim:
        records = self.records

        class Claim(RequestClaim):
            def committed(self, subject: str) -> None:
                super().committed(subject)
                records[rid] = (Record(fingerprint, subject), now + EXPIRES_AFTER_SECONDS)

        return Claim("keys", rid, fingerprint, now)


class Store:
    """A repository whose change carries the request's claim, as the DynamoDB adapters' writes do."""

    def __init__(self, records: InMemoryRecords) -> None:
        self.records = records
        self.created: list[str] = []

    def add(self, subject: str) -> None:
        claim = pending_claim(subject)
        if claim is not None:
            if any(record.subject == subject for record, _ in self.records.records.values()):
                raise KeyTaken()
            claim.committed(subject)
        self.created.append(subject)


@pytest.fixture
def records() -> InMemoryRecords:
    return InMemoryRecords()


def once(
    records: InMemoryRecords, store: Store, key: str | None, *, fingerprint: str = "f1", now: int = NOW
) -> str:
    def create() -> str:
        subject = f"K{len(store.created) + 1}-26"
        store.add(subject)
        return f"created {subject}"

    return run_once(
        key=key,
        scope="POST /reports/v1/reports\ncitizen:a",
        fingerprint=fingerprint,
        create=create,
        replay=lambda subject: f"again {subject}",
        store=records,  # type: ignore[arg-type]
        now=lambda: now,
    )


def test_without_a_key_every_request_creates(records: InMemoryRecords) -> None:
    store = Store(records)

    assert [once(records, store, None) for _ in range(2)] == ["created K1-26", "created K2-26"]
    assert records.records == {}


def test_a_retry_is_answered_with_what_the_first_created_and_creates_nothing(
    records: InMemoryRecords,
) -> None:
    store = Store(records)

    answers = [once(records, store, "k") for _ in range(3)]

    assert answers == ["created K1-26", "again K1-26", "again K1-26"]
    assert store.created == ["K1-26"]


def test_the_same_key_with_another_request_is_422_and_creates_nothing(records: InMemoryRecords) -> None:
    store = Store(records)
    once(records, store, "k")

    with pytest.raises(UnprocessableProblem, match="different request"):
        once(records, store, "k", fingerprint="f2")
    assert store.created == ["K1-26"]


def test_a_key_is_forgotten_when_its_record_expires(records: InMemoryRecords) -> None:
    store = Store(records)
    once(records, store, "k")

    assert once(records, store, "k", now=NOW + EXPIRES_AFTER_SECONDS) == "created K2-26"


def test_a_request_that_changed_nothing_leaves_no_record(records: InMemoryRecords) -> None:
    def nothing_to_do() -> str:
        return "unchanged"

    answer = run_once(
        key="k",
        scope="s",
        fingerprint="f",
        create=nothing_to_do,
        replay=lambda subject: subject,
        store=records,  # type: ignore[arg-type]
    )

    assert answer == "unchanged"
    assert records.records == {}


def test_a_refusal_after_another_request_with_the_key_committed_is_that_requests_answer(
    records: InMemoryRecords,
) -> None:
    store = Store(records)

    def beaten_to_it() -> str:
        # The other request commits while this one runs; this one is then refused by the state it left.
        once(records, store, "k")
        raise Conflict("You already have 2 active bookings")

    answer = run_once(
        key="k",
        scope="POST /reports/v1/reports\ncitizen:a",
        fingerprint="f1",
        create=beaten_to_it,
        replay=lambda subject: f"again {subject}",
        store=records,  # type: ignore[arg-type]
        now=lambda: NOW,
    )

    assert answer == "again K1-26"


def test_a_refusal_with_no_record_behind_it_stands(records: InMemoryRecords) -> None:
    def refused() -> str:
        raise NotFound("No report K9-26 of yours was found")

    with pytest.raises(NotFound):
        run_once(key="k", scope="s", fingerprint="f", create=refused, replay=str, store=records)  # type: ignore[arg-type]


def test_a_replay_is_refused_when_the_routes_own_check_refuses(records: InMemoryRecords) -> None:
    store = Store(records)
    once(records, store, "k")

    def refuse(subject: str) -> str:
        raise NotFound("No report of yours")

    with pytest.raises(NotFound):
        run_once(
            key="k",
            scope="POST /reports/v1/reports\ncitizen:a",
            fingerprint="f1",
            create=lambda: "never",
            replay=refuse,
            store=records,  # type: ignore[arg-type]
            now=lambda: NOW,
        )


# --- whose key, which request -------------------------------------------------------------------------------


def event(
    claims: dict[str, str] | None, path: str = "/reports/v1/reports", **kwargs: Any
) -> APIGatewayProxyEvent:
    return APIGatewayProxyEvent(rest_event("POST", path, claims=claims, **kwargs))


def staff(staff_id: str, roles: str, region: str) -> dict[str, str]:
    return {
        "sub": f"token-{roles}-{region}",
        "principalType": "staff",
        "staffId": staff_id,
        "roles": roles,
        "region": region,
    }


def test_a_key_belongs_to_one_route_and_one_caller() -> None:
    one, other = citizen_claims(PERSON), citizen_claims(OTHER_PERSON)
    notes = "/reports/v1/staff/reports/{caseNumber}/notes"

    assert request_scope(event(one)) != request_scope(event(other))
    assert request_scope(event(one)) != request_scope(event(one, "/reports/v1/identified-tips"))
    assert request_scope(event(None)) == request_scope(event(None))
    # Staff are one caller per staff id, whatever their token says, so the route refuses a token without rights.
    assert request_scope(event(staff("P1", "caseHandler", "Väst"), resource=notes)) == request_scope(
        event(staff("P1", "", "Syd"), resource=notes)
    )
    assert request_scope(event(staff("P1", "", "Väst"))) != request_scope(event(staff("P2", "", "Väst")))


def test_a_route_is_its_template_so_a_key_used_on_another_case_is_another_request() -> None:
    notes = "/reports/v1/staff/reports/{caseNumber}/notes"
    first = event(None, "/reports/v1/staff/reports/K1-26/notes", resource=notes)
    second = event(None, "/reports/v1/staff/reports/K2-26/notes", resource=notes)

    class Note(CamelModel):
        text: str

    assert request_scope(first) == request_scope(second)
    assert request_fingerprint(first, Note(text="a")) != request_fingerprint(second, Note(text="a"))
    assert request_fingerprint(first, Note(text="a")) != request_fingerprint(first, Note(text="b"))
    assert request_fingerprint(first, Note(text="a")) == request_fingerprint(
        first, Note.model_validate({"text": "a"})
    )


def test_a_record_id_reveals_neither_the_caller_nor_the_key() -> None:
    scope = request_scope(event(citizen_claims(PERSON)))
    rid = record_id(scope, "my-first-report")

    assert rid.startswith("request#")
    assert "my-first-report" not in rid
    assert PERSON not in rid
    assert record_id(scope, "my-first-report") == rid != record_id(scope, "my-second-report")
