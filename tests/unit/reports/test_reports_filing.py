"""The reports domain, with an in-memory repository and a fixed clock."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from services.reports.domain import filing
from services.reports.domain.model import ReportStatus, parse_draft
from shared.clock import FixedClock
from shared.errors import InvalidInput, NotFound
from shared.http.problems import field_name
from shared.identity import generate_personnummer
from tests.support.fakes import InMemoryReportRepository, no_registers
from tests.support.reports import theft_report

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


@pytest.fixture
def repository() -> InMemoryReportRepository:
    return InMemoryReportRepository()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


def citizen(seed: int = 1) -> filing.Citizen:
    personnummer = generate_personnummer(random.Random(seed))
    return filing.Citizen(owner_ref=f"sub-{seed}", personnummer=str(personnummer))


def file(repository: InMemoryReportRepository, clock: FixedClock, who: filing.Citizen, **changes: object):
    draft = parse_draft(theft_report(**changes))
    return filing.file_report(
        draft,
        citizen=who,
        repository=repository,
        registers=no_registers(),
        clock=clock,
        correlation_id="corr-1",
    )


def test_a_filed_report_gets_a_k_number_of_the_year_and_its_region(repository, clock) -> None:
    report = file(repository, clock, citizen())

    assert report.case_number == "K1-26"
    assert report.region == "Stockholm"
    assert report.status is ReportStatus.RECEIVED
    assert [entry.status for entry in report.timeline] == [ReportStatus.RECEIVED]


def test_case_numbers_run_on_within_the_year(repository, clock) -> None:
    numbers = [file(repository, clock, citizen()).case_number for _ in range(3)]
    assert numbers == ["K1-26", "K2-26", "K3-26"]


def test_the_case_number_year_follows_swedish_time_at_new_year(repository) -> None:
    # 23:30 UTC on New Year's Eve is already 00:30 on 1 January in Stockholm.
    new_year = FixedClock(datetime(2026, 12, 31, 23, 30, tzinfo=UTC))
    report = file(repository, new_year, citizen())
    assert report.case_number.endswith("-27")


def test_filing_publishes_report_filed_with_the_correlation_id_and_no_personnummer(repository, clock) -> None:
    who = citizen()
    report = file(repository, clock, who)

    (event,) = repository.events
    assert event.metadata.event_type == "ReportFiled"
    assert event.metadata.correlation_id == "corr-1"
    assert event.metadata.producer == "polisen.reports"
    assert event.data.model_dump()["case_number"] == report.case_number
    assert event.metadata.event_type == "ReportFiled"
    assert who.personnummer not in event.detail_json()


@pytest.mark.parametrize("fields", [["occurredTo"], ["occurredFrom", "occurredTo"]])
def test_a_time_in_the_future_is_refused_naming_each_field(repository, clock, fields) -> None:
    tomorrow = (NOW + timedelta(days=1)).isoformat()

    with pytest.raises(InvalidInput) as refused:
        file(repository, clock, citizen(), **dict.fromkeys(fields, tomorrow))

    assert list(refused.value.reasons) == fields
    assert repository.reports == {}
    assert repository.events == []


def test_a_few_minutes_of_clock_drift_on_the_citizens_device_is_tolerated(repository, clock) -> None:
    soon = (NOW + timedelta(minutes=2)).isoformat()
    assert file(repository, clock, citizen(), occurredTo=soon).case_number


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"type": "burglary-of-the-moon"}, "type"),
        ({"occurredTo": "2026-11-19T07:30:00+01:00"}, "occurredTo"),
        ({"location": {"municipalityCode": "9999", "address": "Storgatan 1"}}, "location.municipalityCode"),
        ({"description": "x" * 4001}, "description"),
        ({"occurredFrom": "2026-11-20T18:00:00"}, "occurredFrom"),
        ({"items": [{"category": "bicycle", "valueSek": -1}]}, "items[0].valueSek"),
        ({"notifyOnDecision": None}, "notifyOnDecision"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_drafts_that_break_the_contract_are_refused_naming_the_field(changes, field) -> None:
    with pytest.raises(ValidationError) as refused:
        parse_draft(theft_report(**changes))

    named = {field_name(e["loc"], e.get("ctx", {}).get("discriminator")) for e in refused.value.errors()}
    assert named == {field}


def test_another_citizens_report_is_not_found(repository, clock) -> None:
    report = file(repository, clock, citizen(1))

    with pytest.raises(NotFound):
        filing.owned_report(report.case_number, owner_ref=citizen(2).owner_ref, repository=repository)
    assert (
        filing.owned_report(report.case_number, owner_ref=citizen(1).owner_ref, repository=repository)
        == report
    )


def test_a_citizen_lists_only_their_own_reports_newest_first(repository, clock) -> None:
    mine = citizen(1)
    first = file(repository, clock, mine)
    clock.advance(timedelta(minutes=1))
    file(repository, clock, citizen(2))
    clock.advance(timedelta(minutes=1))
    second = file(repository, clock, mine)

    page = filing.owned_reports(mine.owner_ref, limit=10, start=None, repository=repository)
    assert [r.case_number for r in page.reports] == [second.case_number, first.case_number]
