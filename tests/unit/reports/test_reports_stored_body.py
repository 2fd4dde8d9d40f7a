"""A report is kept compressed and without its empty fields; every form reads back exactly as it was filed
and as it is after triage, so leaving the empty fields out loses nothing."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from services.reports.domain import decisions, filing
from services.reports.domain.authority import Registers
from services.reports.domain.model import Report, parse_draft
from shared.adapters.dynamodb import from_body, to_body, to_item
from shared.clock import FixedClock
from shared.identity import generate_personnummer
from tests.support.fakes import (
    InMemoryCompanyRegister,
    InMemoryPopulationRegister,
    InMemoryReportRepository,
    no_registers,
)
from tests.support.reports import FORMS, form

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


def _kept(report: Report) -> Report:
    return from_body(Report, to_item({"body": to_body(report)}))


@pytest.mark.parametrize("report_type", sorted(FORMS))
def test_every_form_reads_back_as_it_was_filed_and_triaged(report_type: str) -> None:
    repository = InMemoryReportRepository()
    personnummer = str(generate_personnummer(random.Random(5)))
    draft = form(report_type)
    # A shop theft is filed only by someone the company register names for the shop.
    companies = {draft["organisationsnummer"]: {personnummer}} if "organisationsnummer" in draft else {}
    report = filing.file_report(
        parse_draft(draft),
        citizen=filing.Citizen(owner_ref="subject-5", personnummer=personnummer),
        repository=repository,
        registers=Registers(
            population=InMemoryPopulationRegister(), companies=InMemoryCompanyRegister(companies)
        ),
        clock=FixedClock(NOW),
        correlation_id="corr-1",
    )
    assert _kept(report) == report

    decisions.triage(
        report.case_number,
        rules=decisions.current_rule_set(),
        repository=repository,
        clock=FixedClock(NOW),
        correlation_id="corr-1",
    )
    triaged = repository.get(report.case_number)
    assert triaged is not None
    assert triaged.version > report.version
    assert _kept(triaged) == triaged


def test_a_body_kept_as_plain_json_still_reads() -> None:
    repository = InMemoryReportRepository()
    report = filing.file_report(
        parse_draft(form("theft")),
        citizen=filing.Citizen(
            owner_ref="subject-6", personnummer=str(generate_personnummer(random.Random(6)))
        ),
        repository=repository,
        registers=no_registers(),
        clock=FixedClock(NOW),
        correlation_id="corr-1",
    )

    assert from_body(Report, to_item({"body": report.model_dump_json()})) == report
