"""Who may act for whom when filing: for a child, a relative or a stranger; for a company; and who may block a
passport or ID card. Fakes stand in for the population register and the company register."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from services.reports.domain import authority, decisions, filing, receipt
from services.reports.domain.authority import Registers
from services.reports.domain.decisions import Decided, Routed
from services.reports.domain.model import DocumentBlockStatus, Report, parse_draft
from services.reports.domain.ports import RegisteredPerson
from shared.clock import FixedClock
from shared.errors import Forbidden
from shared.i18n import shown
from shared.identity import generate_organisationsnummer, generate_personnummer
from tests.support.fakes import InMemoryCompanyRegister, InMemoryPopulationRegister, InMemoryReportRepository
from tests.support.reports import form, theft_report

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
TODAY = date(2026, 11, 22)
RULES = decisions.current_rule_set()

_rng = random.Random(4711)
GUARDIAN = str(generate_personnummer(_rng, birth_date=date(1985, 4, 2)))
CHILD = str(generate_personnummer(_rng, birth_date=date(2015, 6, 1)))
# Turned 18 the day before the filing: no longer anyone's child in the register's sense.
GROWN_UP = str(generate_personnummer(_rng, birth_date=date(2008, 11, 21)))
STRANGER = str(generate_personnummer(_rng, birth_date=date(1962, 1, 30)))
SHOP = str(generate_organisationsnummer(_rng))
SHOP_MANAGER = str(generate_personnummer(_rng, birth_date=date(1975, 9, 9)))

PASSPORT = {"category": "passport", "documentNumber": "12345678"}
ID_CARD = {"category": "nationalIdCard", "documentNumber": "23456789"}
BICYCLE = {"category": "bicycle", "brand": "Crescent", "frameNumber": "WSB778899", "valueSek": 4000}


@pytest.fixture
def repository() -> InMemoryReportRepository:
    return InMemoryReportRepository()


@pytest.fixture
def population() -> InMemoryPopulationRegister:
    return InMemoryPopulationRegister(
        [
            RegisteredPerson(GUARDIAN, date(1985, 4, 2), frozenset()),
            RegisteredPerson(CHILD, date(2015, 6, 1), frozenset({GUARDIAN})),
            # The register still names the parent; being under 18 is what makes them a guardian.
            RegisteredPerson(GROWN_UP, date(2008, 11, 21), frozenset({GUARDIAN})),
        ]
    )


@pytest.fixture
def registers(population: InMemoryPopulationRegister) -> Registers:
    return Registers(population=population, companies=InMemoryCompanyRegister({SHOP: {SHOP_MANAGER}}))


def file(
    repository: InMemoryReportRepository, registers: Registers, body: dict[str, Any], reporter: str = GUARDIAN
) -> Report:
    return filing.file_report(
        parse_draft(body),
        citizen=filing.Citizen(owner_ref=f"sub-{reporter}", personnummer=reporter),
        repository=repository,
        registers=registers,
        clock=FixedClock(NOW),
        correlation_id="c",
    )


def requests(repository: InMemoryReportRepository) -> list[dict[str, Any]]:
    return [
        e.data.model_dump() for e in repository.events if e.metadata.event_type == "DocumentBlockRequested"
    ]


def bicycle_theft(**changes: Any) -> dict[str, Any]:
    """A form the rules decide at once (a bicycle stolen, no leads), unless filed on an unconfirmed relation."""
    return theft_report(items=[BICYCLE], **changes)


# --- blocking a document -------------------------------------------------------------------------------


def test_the_holder_s_own_report_asks_the_register_to_block_in_the_same_write(repository, registers) -> None:
    report = file(repository, registers, form("loss", items=[PASSPORT]), reporter=STRANGER)

    assert [e.metadata.event_type for e in repository.events] == ["ReportFiled", "DocumentBlockRequested"]
    assert requests(repository) == [
        {
            "document_type": "passport",
            "document_number": "12345678",
            "holder_personnummer": STRANGER,
            "requested_by": "holder",
            "reason": "lost",
            "case_number": report.case_number,
            "requested_at": NOW,
        }
    ]
    block = report.document_block("12345678")
    assert block is not None
    assert block.status is DocumentBlockStatus.REQUESTED
    # Asked for, not made: nothing says "spärrat" yet.
    assert "spärrat" not in report.model_dump_json()
    assert "spärrat" not in " ".join(line.text for line in receipt.receipt_lines(report, issued_at=NOW))


@pytest.mark.parametrize("relation", ["other", "relative", "employer"])
def test_a_document_of_someone_filed_for_on_an_unconfirmable_relation_is_not_blocked(
    repository, registers, relation: str
) -> None:
    body = theft_report(items=[PASSPORT], onBehalfOf={"personnummer": STRANGER, "relation": relation})

    report = file(repository, registers, body)

    assert repository.reports[report.case_number] == report  # filed all the same
    assert requests(repository) == []
    block = report.document_block("12345678")
    assert block is not None
    assert block.status is DocumentBlockStatus.NOT_REQUESTED
    assert "The holder must report it lost or stolen themselves" in shown(block.message, "en")
    assert "Innehavaren måste själv anmäla det förlorat eller stulet" in shown(block.message, "sv")
    assert block.message in [entry.reason for entry in report.timeline]
    assert "spärrat" not in report.model_dump_json()
    assert report.on_behalf_of_verified is False


def test_a_guardian_of_a_child_under_18_blocks_the_child_s_document(repository, registers) -> None:
    body = theft_report(items=[ID_CARD], onBehalfOf={"personnummer": CHILD, "relation": "child"})

    report = file(repository, registers, body)

    assert report.on_behalf_of_verified is True
    [requested] = requests(repository)
    assert (requested["holder_personnummer"], requested["requested_by"]) == (CHILD, "guardian")
    assert (requested["document_type"], requested["reason"]) == ("nationalIdCard", "stolen")


@pytest.mark.parametrize(
    ("child", "reporter"),
    [(GROWN_UP, GUARDIAN), (CHILD, STRANGER), (STRANGER, GUARDIAN)],
    ids=["child-turned-18", "not-the-guardian", "not-in-the-register-as-a-child"],
)
def test_a_child_relation_the_register_does_not_confirm_blocks_nothing(
    repository, registers, child: str, reporter: str
) -> None:
    body = theft_report(items=[PASSPORT], onBehalfOf={"personnummer": child, "relation": "child"})

    report = file(repository, registers, body, reporter=reporter)

    assert requests(repository) == []
    assert report.on_behalf_of_verified is False
    assert "does not list you as a guardian" in " ".join(shown(e.reason, "en") for e in report.timeline)


def test_documents_added_later_follow_the_same_rules(repository, registers) -> None:
    for_a_stranger = file(
        repository, registers, theft_report(onBehalfOf={"personnummer": STRANGER, "relation": "other"})
    )
    own = file(repository, registers, theft_report())

    for report in (for_a_stranger, own):
        filing.amend_report(
            report.case_number,
            text="Passet låg också i väskan.",
            items=parse_draft(theft_report(items=[PASSPORT])).items_reported,
            owner_ref=report.owner_ref,
            repository=repository,
            registers=registers,
            clock=FixedClock(NOW + timedelta(hours=1)),
            correlation_id="c",
        )

    stored = {r.case_number: r for r in repository.reports.values()}
    assert stored[for_a_stranger.case_number].document_blocks[0].status is DocumentBlockStatus.NOT_REQUESTED
    assert stored[own.case_number].document_blocks[0].status is DocumentBlockStatus.REQUESTED
    assert [r["case_number"] for r in requests(repository)] == [own.case_number]


def test_the_report_says_spaerrat_only_once_the_register_blocked_it(repository, registers) -> None:
    report = file(repository, registers, form("loss", items=[PASSPORT, ID_CARD]), reporter=STRANGER)
    answered = NOW + timedelta(seconds=3)

    blocked = authority.record_block_outcome(
        report.case_number, "12345678", blocked=True, at=answered, repository=repository
    )
    refused = authority.record_block_outcome(
        report.case_number, "23456789", blocked=False, at=answered, repository=repository
    )
    again = authority.record_block_outcome(
        report.case_number, "12345678", blocked=False, at=answered, repository=repository
    )

    assert blocked is not None
    assert refused is not None
    assert again is None  # a redelivered or late answer changes nothing
    stored = repository.reports[report.case_number]
    statuses = {b.document_number: b.status for b in stored.document_blocks}
    assert statuses == {"12345678": DocumentBlockStatus.BLOCKED, "23456789": DocumentBlockStatus.REFUSED}
    reasons = [shown(e.reason, "en") for e in stored.timeline]
    assert any("passport 12345678 is blocked (spärrat)" in r for r in reasons)
    assert any("Passet 12345678 är spärrat" in shown(e.reason, "sv") for e in stored.timeline)
    assert any("national ID card 23456789 could not be blocked" in r for r in reasons)
    lines = [line.text for line in receipt.receipt_lines(stored, issued_at=answered)]
    assert any("dokumentnummer 12345678 (spärrat)" in line for line in lines)
    assert not any("23456789 (spärrat)" in line for line in lines)


# --- relations and the decision rules ------------------------------------------------------------------


def test_a_report_filed_on_an_unconfirmed_relation_goes_to_a_case_handler(repository, registers) -> None:
    own = file(repository, registers, bicycle_theft(), reporter=STRANGER)
    for_a_relative = file(
        repository, registers, bicycle_theft(onBehalfOf={"personnummer": STRANGER, "relation": "relative"})
    )
    for_own_child = file(
        repository, registers, bicycle_theft(onBehalfOf={"personnummer": CHILD, "relation": "child"})
    )

    verdicts = {}
    for report in (own, for_a_relative, for_own_child):
        triaged = decisions.triage(
            report.case_number, rules=RULES, repository=repository, clock=FixedClock(NOW), correlation_id="c"
        )
        assert triaged is not None
        verdicts[report.case_number] = triaged.verdict

    assert isinstance(verdicts[own.case_number], Decided)
    assert isinstance(verdicts[for_own_child.case_number], Decided)
    assert verdicts[for_a_relative.case_number] == Routed("on-behalf-unverified", RULES.version, 3)
    queued = repository.reports[for_a_relative.case_number]
    assert queued.decision is None
    assert queued.status.value == "awaitingAssessment"


def test_a_draft_filed_for_someone_counts_as_unconfirmed_unless_the_register_said_so() -> None:
    draft = parse_draft(bicycle_theft(onBehalfOf={"personnummer": CHILD, "relation": "child"}))
    assert isinstance(RULES.verdict(draft), Routed)
    assert isinstance(RULES.verdict(draft, relation_verified=False), Routed)
    assert isinstance(RULES.verdict(draft, relation_verified=True), Decided)


# --- companies ------------------------------------------------------------------------------------------


def test_only_a_representative_files_a_shop_theft_for_the_company(repository, registers) -> None:
    body = form("shopTheft", organisationsnummer=SHOP)

    with pytest.raises(Forbidden, match="does not name you as a representative"):
        file(repository, registers, body, reporter=STRANGER)
    assert repository.reports == {}
    assert repository.events == []

    filed = file(repository, registers, body, reporter=SHOP_MANAGER)
    assert filed.details.type == "shopTheft"


def test_no_one_represents_a_company_the_register_does_not_list(repository, registers) -> None:
    other_shop = str(generate_organisationsnummer(random.Random(5)))
    with pytest.raises(Forbidden):
        file(repository, registers, form("shopTheft", organisationsnummer=other_shop), reporter=SHOP_MANAGER)
