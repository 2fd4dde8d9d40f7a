"""The report forms' rules: screening, additions, tips, the stolen goods index, receipts. (Who may block a
document: ``test_reports_authority.py``.)"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from services.reports.domain import filing, receipt, stolen_goods, tips
from services.reports.domain.model import Report, ReportStatus, Tip, TipCategory, parse_draft
from shared.clock import FixedClock
from shared.errors import Conflict, InvalidInput, Referral
from shared.i18n import Language
from shared.identity import generate_personnummer
from tests.support.fakes import (
    InMemoryReportRepository,
    InMemoryStolenGoodsIndex,
    InMemoryTipRepository,
    no_registers,
)
from tests.support.reports import form

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


@pytest.fixture
def repository() -> InMemoryReportRepository:
    return InMemoryReportRepository()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


def citizen(seed: int = 1) -> filing.Citizen:
    return filing.Citizen(
        owner_ref=f"sub-{seed}", personnummer=str(generate_personnummer(random.Random(seed)))
    )


def file(
    repository: InMemoryReportRepository,
    clock: FixedClock,
    body: dict[str, Any],
    who: filing.Citizen | None = None,
):
    return filing.file_report(
        parse_draft(body),
        citizen=who or citizen(),
        repository=repository,
        registers=no_registers(),
        clock=clock,
        correlation_id="c",
    )


@pytest.mark.parametrize(
    ("body", "refer_to"),
    [
        (form("vandalism", ongoing=True), "112"),
        (form("cardFraud", cardBlocked=False), "114 14"),
        (form("cardFraud", detailsGivenByPhone=True), "114 14"),
        (form("loss", items=[{"category": "keys"}]), "reception"),
    ],
)
def test_screening_refers_and_stores_nothing(repository, clock, body, refer_to) -> None:
    with pytest.raises(Referral) as referred:
        file(repository, clock, body)
    assert referred.value.refer_to == refer_to
    assert repository.reports == {}


def test_information_added_later_is_kept_and_a_closed_report_takes_none(repository, clock) -> None:
    who = citizen()
    report = file(repository, clock, form("vandalism"), who)
    clock.advance(timedelta(hours=1))

    amended = filing.amend_report(
        report.case_number,
        text="Fler klotter på baksidan.",
        items=[],
        owner_ref=who.owner_ref,
        repository=repository,
        registers=no_registers(),
        clock=clock,
        correlation_id="c",
    )
    assert [a.text for a in amended.amendments] == ["Fler klotter på baksidan."]
    assert repository.events[-1].metadata.event_type == "ReportAmended"

    repository.reports[report.case_number] = amended.move_to(ReportStatus.CLOSED, at=NOW, reason="Avslutad.")
    with pytest.raises(Conflict):
        filing.amend_report(
            report.case_number,
            text="En sak till.",
            items=[],
            owner_ref=who.owner_ref,
            repository=repository,
            registers=no_registers(),
            clock=clock,
            correlation_id="c",
        )


def test_only_theft_reports_make_serial_numbers_read_as_stolen(repository, clock) -> None:
    index = InMemoryStolenGoodsIndex()
    theft = file(repository, clock, form("theft"))
    loss = file(
        repository, clock, form("loss", items=[{"category": "mobilePhone", "imei": "490154203237518"}])
    )

    assert stolen_goods.index_stolen_goods(theft, index) == 1
    assert stolen_goods.index_stolen_goods(loss, index) == 0
    assert stolen_goods.is_reported_stolen(" pf-3kx9q2 ", index)
    assert not stolen_goods.is_reported_stolen("490154203237518", index)


@pytest.mark.parametrize(("municipality", "region"), [("2584", "Nord"), (None, "National")])
def test_a_tip_goes_to_the_region_of_its_place(clock, municipality, region) -> None:
    repository = InMemoryTipRepository()
    tip = tips.receive_tip(
        category=TipCategory.FRAUD,
        description="Misstänkt bedrägeri mot äldre i området.",
        municipality_code=municipality,
        occurred_at=None,
        sender_personnummer=None,
        sender_phone=None,
        repository=repository,
        clock=clock,
    )
    assert tip.region == region
    assert tip.is_anonymous
    assert repository.tips == [tip]


def test_an_anonymous_tip_keeps_no_sender_and_its_time_only_to_the_minute() -> None:
    clock = FixedClock(datetime(2026, 11, 22, 9, 41, 17, 123456, tzinfo=UTC))
    sender = str(generate_personnummer(random.Random(3)))

    def tip(personnummer: str | None, phone: str | None) -> Tip:
        return tips.receive_tip(
            category=TipCategory.DRUGS,
            description="Det säljs narkotika vid busshållplatsen.",
            municipality_code="0180",
            occurred_at=None,
            sender_personnummer=personnummer,
            sender_phone=phone,
            repository=InMemoryTipRepository(),
            clock=clock,
        )

    anonymous = tip(None, None)
    identified = tip(sender, "070-123 45 67")

    assert anonymous.received_at == datetime(2026, 11, 22, 9, 41, tzinfo=UTC)
    assert (anonymous.sender_personnummer, anonymous.sender_phone) == (None, None)
    assert identified.received_at == clock.now()
    with pytest.raises(ValueError, match="no phone"):
        tip(None, "070-123 45 67")


def test_a_tip_about_the_future_is_refused(clock) -> None:
    with pytest.raises(InvalidInput) as refused:
        tips.receive_tip(
            category=TipCategory.OTHER,
            description="Något kommer att hända i morgon.",
            municipality_code=None,
            occurred_at=NOW + timedelta(days=1),
            sender_personnummer=None,
            sender_phone=None,
            repository=InMemoryTipRepository(),
            clock=clock,
        )
    assert list(refused.value.reasons) == ["occurredAt"]


def test_the_receipt_speaks_swedish_and_holds_no_personnummer(repository, clock) -> None:
    who = citizen()
    report = file(repository, clock, form("theft"), who)

    text = "\n".join(line.text for line in receipt.receipt_lines(report, issued_at=NOW))

    assert "Kvitto på anmälan" in text
    assert "Stöld och inbrott" in text
    assert f"Ärendenummer: {report.case_number}" in text
    assert "Dator, Lenovo, serienummer PF-3KX9Q2, värde 12 000 kr" in text
    assert who.personnummer not in text
    assert receipt.render_receipt(report, issued_at=NOW).startswith(b"%PDF-1.4")


def test_the_receipt_counts_one_transaction_in_the_singular_and_names_the_town_once(
    repository, clock
) -> None:
    report = file(repository, clock, form("cardFraud"), citizen())
    several = {**form("cardFraud"), "transactions": form("cardFraud")["transactions"] * 2}
    other = file(repository, clock, several, citizen())
    address = {
        **form("theft"),
        "location": {"municipalityCode": "0180", "address": "Drottninggatan 1, Stockholm"},
    }
    theft = file(repository, clock, address, citizen())

    def text(of: Report, language: Language = "sv") -> str:
        return "\n".join(line.text for line in receipt.receipt_lines(of, issued_at=NOW, language=language))

    assert "1 transaktion, sammanlagt 2 499 kr" in text(report)
    assert "2 transaktioner, sammanlagt 4 998 kr" in text(other)
    assert "1 transaction, SEK 2 499 in total" in text(report, "en")
    assert "Plats: Drottninggatan 1, Stockholm\n" in text(theft) + "\n"
    assert "Stockholm, Stockholm" not in text(theft)


def test_the_receipt_is_in_english_when_the_citizen_asks(repository, clock) -> None:
    report = file(repository, clock, form("theft"), citizen())

    text = "\n".join(line.text for line in receipt.receipt_lines(report, issued_at=NOW, language="en"))

    assert "Receipt for a report" in text
    assert f"Case number: {report.case_number}" in text
    assert "Computer, Lenovo, serial number PF-3KX9Q2, value SEK 12 000" in text
    assert "Kvitto" not in text


def test_an_addition_racing_with_triage_is_applied_to_the_fresh_report(repository, clock) -> None:
    who = citizen()
    report = file(repository, clock, form("vandalism"), who)
    real_replace = repository.replace

    def triage_wins_the_race(changed, *, expected_version, events):
        repository.replace = real_replace  # only the first write loses
        current = repository.reports[report.case_number]
        queued = current.move_to(ReportStatus.AWAITING_ASSESSMENT, at=NOW, reason="I kö.")
        real_replace(queued, expected_version=current.version, events=[])
        real_replace(changed, expected_version=expected_version, events=events)

    repository.replace = triage_wins_the_race
    amended = filing.amend_report(
        report.case_number,
        text="Mer information.",
        items=[],
        owner_ref=who.owner_ref,
        repository=repository,
        registers=no_registers(),
        clock=clock,
        correlation_id="c",
    )

    assert amended.status is ReportStatus.AWAITING_ASSESSMENT
    assert [a.text for a in amended.amendments] == ["Mer information."]
    assert repository.reports[report.case_number] == amended
