"""Lost and found property: registering found items, matching them to reports, the statutory deadlines and the
hand-over, with in-memory storage and a clock the tests move."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from services.reports.domain import filing, found_item, reception
from services.reports.domain.found_item import (
    FoundItem,
    FoundItemRegistration,
    FoundItemStatus,
    Recipient,
)
from services.reports.domain.lost_and_found import (
    deadlines,
    handing_over,
    matching,
    reading,
    registering,
    telling_owner,
)
from services.reports.domain.model import Report, ReportStatus, parse_draft
from shared.clock import FixedClock
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from shared.http.problems import field_name
from shared.i18n import shown
from shared.identity import generate_organisationsnummer, generate_personnummer
from tests.support.fakes import (
    InMemoryAuditLog,
    InMemoryFoundItems,
    InMemoryReportedProperty,
    InMemoryReportRepository,
    RecordingMailbox,
    no_registers,
)
from tests.support.reports import theft_report

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
STOCKHOLM_STAFF = reception.Staff(staff_id="PM-1", region="Stockholm", roles=frozenset({"reception"}))


def registration(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "category": "bicycle",
        "description": "Blue city bike, basket in front",
        "brand": "Crescent",
        "serialNumber": "wsb 123-456",
        "estimatedValueSek": 4000,
        "foundAt": "2026-11-21T12:00:00+01:00",
        "place": {"municipalityCode": "0180", "description": "Sergels torg, by the fountain"},
        "reception": {"name": "Polisen Stockholm City", "municipalityCode": "0180"},
        "finder": {"name": "Finder Person", "phone": "070-123 45 67", "wantsItemIfUnclaimed": True},
    }
    body.update(changes)
    return body


def loss_report(**changes: Any) -> dict[str, Any]:
    loss: dict[str, Any] = {
        "type": "loss",
        "description": "Jag tappade bort min cykel.",
        "items": [{"category": "bicycle", "brand": "Crescent", "serialNumber": "WSB123456"}],
    }
    return theft_report(**{**loss, **changes})


class World:
    """The reports service's storage and clock, as the use cases see them."""

    def __init__(self) -> None:
        self.clock = FixedClock(NOW)
        self.reports = InMemoryReportRepository()
        self.audit = InMemoryAuditLog()
        self.found = InMemoryFoundItems(self.reports, self.audit)
        self.index = InMemoryReportedProperty()

    @property
    def event_types(self) -> list[str]:
        return [e.metadata.event_type for e in self.reports.events]

    def events(self, event_type: str) -> list[dict[str, Any]]:
        return [
            e.data.model_dump(mode="json", by_alias=True)
            for e in self.reports.events
            if e.metadata.event_type == event_type
        ]

    def file(self, body: dict[str, Any], seed: int = 1) -> Report:
        citizen = filing.Citizen(
            owner_ref=f"sub-{seed}", personnummer=str(generate_personnummer(random.Random(seed)))
        )
        report = filing.file_report(
            parse_draft(body),
            citizen=citizen,
            repository=self.reports,
            registers=no_registers(),
            clock=self.clock,
            correlation_id="c",
        )
        matching.match_report(
            report,
            found_items=self.found,
            reports=self.reports,
            index=self.index,
            clock=self.clock,
            correlation_id="c",
        )
        return self.report(report.case_number)

    def report(self, case_number: str) -> Report:
        report = self.reports.get(case_number)
        assert report is not None
        return report

    def register(
        self, body: dict[str, Any] | None = None, staff: reception.Staff = STOCKHOLM_STAFF
    ) -> FoundItem:
        item = registering.register_found_item(
            FoundItemRegistration.model_validate(body or registration()),
            staff=staff,
            repository=self.found,
            audit=self.audit,
            clock=self.clock,
            correlation_id="c",
        )
        return self.match(item.found_item_id)

    def match(self, found_item_id: str) -> FoundItem:
        return matching.match_found_item(
            found_item_id,
            found_items=self.found,
            reports=self.reports,
            index=self.index,
            clock=self.clock,
            correlation_id="c",
        )

    def item(self, found_item_id: str) -> FoundItem:
        item = self.found.get(found_item_id)
        assert item is not None
        return item

    def run_deadlines(self) -> deadlines.DeadlineRun:
        return deadlines.pass_deadlines(repository=self.found, clock=self.clock, correlation_id="job")

    def hand_over(
        self,
        found_item_id: str,
        to: Recipient,
        case_number: str | None = None,
        staff: reception.Staff = STOCKHOLM_STAFF,
    ) -> FoundItem:
        return handing_over.hand_over(
            found_item_id,
            recipient=to,
            case_number=case_number,
            costs_paid_sek=None,
            staff=staff,
            found_items=self.found,
            reports=self.reports,
            audit=self.audit,
            clock=self.clock,
            correlation_id="c",
        )

    def tell_owner(
        self, found_item_id: str, case_number: str, staff: reception.Staff = STOCKHOLM_STAFF
    ) -> FoundItem:
        return telling_owner.tell_owner_of_possible_match(
            found_item_id,
            case_number,
            staff=staff,
            found_items=self.found,
            reports=self.reports,
            audit=self.audit,
            clock=self.clock,
            correlation_id="c",
        )

    def move_clock_to(self, moment: datetime) -> None:
        self.clock.advance(moment - self.clock.now())


@pytest.fixture
def world() -> World:
    return World()


def stockholm_midnight_after(day: date) -> datetime:
    return found_item.end_of(day)


# --- calendar months -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "last_day"),
    [
        (date(2026, 3, 15), 3, date(2026, 6, 15)),
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),
        (date(2026, 8, 31), 1, date(2026, 9, 30)),
    ],
)
def test_a_period_of_months_ends_on_the_same_day_number_or_the_last_day_of_a_shorter_month(
    start: date, months: int, last_day: date
) -> None:
    assert found_item.add_months(start, months) == last_day


def test_a_day_ends_at_midnight_in_stockholm_summer_and_winter() -> None:
    assert found_item.end_of(date(2026, 6, 15)) == datetime(2026, 6, 15, 22, 0, tzinfo=UTC)
    assert found_item.end_of(date(2026, 12, 15)) == datetime(2026, 12, 15, 23, 0, tzinfo=UTC)


def test_the_period_starts_on_the_swedish_day_of_registration() -> None:
    # 23:30 UTC on 30 November is already 1 December in Stockholm.
    assert found_item.months_after(datetime(2026, 11, 30, 23, 30, tzinfo=UTC), 3) == date(2027, 3, 1)


# --- registering -----------------------------------------------------------------------------------------


def test_a_registered_item_gets_an_id_of_the_year_waits_three_months_and_is_announced(world: World) -> None:
    item = world.register()

    assert item.found_item_id == "HG1-26"
    assert item.status is FoundItemStatus.REGISTERED
    assert (item.region, item.found_in_region) == ("Stockholm", "Stockholm")
    assert item.unclaimed_until == date(2027, 2, 22)
    assert item.registered_by == "PM-1"
    assert item.identifiers == ("WSB123456",)
    (registered,) = world.events("FoundItemRegistered")
    assert registered["foundItemId"] == "HG1-26"
    assert registered["heldInRegion"] == "Stockholm"
    assert registered["municipalityCode"] == "0180"


def test_an_item_kept_in_stockholm_but_found_in_goteborg_is_matched_in_vast(world: World) -> None:
    place = {"municipalityCode": "1480", "description": "Nordstan"}
    item = world.register(registration(place=place))
    assert (item.region, item.found_in_region) == ("Stockholm", "Väst")


def test_staff_register_only_items_kept_in_their_own_region(world: World) -> None:
    with pytest.raises(Forbidden, match="region Väst"):
        world.register(registration(reception={"name": "Polisen Göteborg", "municipalityCode": "1480"}))

    assert world.found.items == {}
    assert world.reports.events == []


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        ({"foundAt": "2026-11-23T12:00:00+01:00"}, {"foundAt"}),
        (
            {"place": {"municipalityCode": "0180", "description": "ICA Kvantum", "premises": "shop"}},
            {"finder.organisationsnummer"},
        ),
        (
            {
                "place": {"municipalityCode": "0180", "description": "Bus 4", "premises": "bus"},
                "finder": {
                    "name": "SL",
                    "personnummer": str(generate_personnummer(random.Random(3))),
                    "wantsItemIfUnclaimed": False,
                },
            },
            {"finder.organisationsnummer", "finder.personnummer"},
        ),
        ({"finder": {"name": "Anna", "wantsItemIfUnclaimed": True}}, {"finder.phone"}),
        ({"category": "passport"}, {"documentNumber"}),
        ({"documentNumber": "12345678"}, {"documentNumber"}),
    ],
)
def test_rules_across_fields_are_refused_naming_each_field_and_nothing_is_written(
    world: World, changes: dict[str, Any], fields: set[str]
) -> None:
    with pytest.raises(InvalidInput) as refused:
        world.register(registration(**changes))

    assert set(refused.value.reasons) == fields
    assert world.found.items == {}
    assert world.reports.events == []


def test_a_business_is_the_finder_of_what_is_found_on_its_bus(world: World) -> None:
    business = {
        "name": "Busslinjen AB",
        "organisationsnummer": str(generate_organisationsnummer(random.Random(1))),
        "email": "hittegods@example.se",
        "wantsItemIfUnclaimed": True,
    }
    place = {"municipalityCode": "0180", "description": "Bus 4", "premises": "bus"}
    item = world.register(registration(place=place, finder=business))
    assert item.finder.organisationsnummer == business["organisationsnummer"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"place": {"municipalityCode": "9999", "description": "x"}}, "place.municipalityCode"),
        (
            {"finder": {"name": "A", "personnummer": "19400908-3273", "wantsItemIfUnclaimed": False}},
            "finder.personnummer",
        ),
        ({"finder": {"name": "A"}}, "finder.wantsItemIfUnclaimed"),
        ({"foundAt": "2026-11-21T12:00:00"}, "foundAt"),
        ({"category": "spaceship"}, "category"),
        ({"imei": "123"}, "imei"),
        ({"surprise": True}, "surprise"),
    ],
)
def test_a_registration_that_breaks_the_contract_names_the_field(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as refused:
        FoundItemRegistration.model_validate(registration(**changes))
    assert {field_name(e["loc"]) for e in refused.value.errors()} == {field}


def test_staff_see_only_items_kept_in_their_region_and_national_staff_all(world: World) -> None:
    item = world.register()

    with pytest.raises(NotFound):
        reading.visible_found_item(
            item.found_item_id, staff=reception.Staff("PM-2", "Väst"), repository=world.found
        )
    with pytest.raises(NotFound):
        reading.visible_found_item("HG99-26", staff=STOCKHOLM_STAFF, repository=world.found)
    national = reading.visible_found_item(
        item.found_item_id, staff=reception.Staff("PM-3", "National"), repository=world.found
    )
    assert national == item


# --- the reception role and the audit trail ---------------------------------------------------------------

WITHOUT_THE_ROLE = reception.Staff(staff_id="PM-9", region="Stockholm", roles=frozenset({"caseHandler"}))


def test_registering_needs_the_reception_role_and_a_refusal_writes_nothing_but_its_record(
    world: World,
) -> None:
    with pytest.raises(Forbidden, match="reception"):
        world.register(staff=WITHOUT_THE_ROLE)

    assert world.found.items == {}
    assert world.reports.events == []
    [refused] = world.audit.records
    assert (refused.staff_id, refused.action.value, refused.allowed) == ("PM-9", "registerFoundItem", False)


def test_every_found_item_action_needs_the_role_and_is_refused_on_record(world: World) -> None:
    item = world.register()
    before = world.item(item.found_item_id)
    world.audit.records.clear()

    attempts = [
        lambda: world.hand_over(item.found_item_id, Recipient.STATE, staff=WITHOUT_THE_ROLE),
        lambda: world.tell_owner(item.found_item_id, "K1-26", staff=WITHOUT_THE_ROLE),
        lambda: read(world, item.found_item_id, staff=WITHOUT_THE_ROLE),
    ]
    for attempt in attempts:
        with pytest.raises(Forbidden):
            attempt()

    assert world.item(item.found_item_id) == before
    assert [(r.action.value, r.allowed, r.found_item_id) for r in world.audit.records] == [
        ("handOver", False, item.found_item_id),
        ("notifyOwner", False, item.found_item_id),
        ("viewFoundItem", False, item.found_item_id),
    ]


def read(world: World, found_item_id: str, staff: reception.Staff = STOCKHOLM_STAFF) -> FoundItem:
    return reading.read_found_item(
        found_item_id,
        staff=staff,
        repository=world.found,
        audit=world.audit,
        clock=world.clock,
        correlation_id="c",
    )


def test_each_found_item_action_leaves_an_audit_record_naming_no_finder_data(world: World) -> None:
    report = world.file(loss_report())
    item = world.register()  # its serial number is the loss report's: the owner is told by the rule
    assert item.is_matched_to(report.case_number)

    seen = read(world, item.found_item_id)
    world.hand_over(item.found_item_id, Recipient.OWNER, report.case_number)

    actions = [(r.action.value, r.allowed, r.found_item_id, r.staff_id) for r in world.audit.records]
    assert actions == [
        ("registerFoundItem", True, item.found_item_id, "PM-1"),
        ("viewFoundItem", True, item.found_item_id, "PM-1"),
        ("handOver", True, item.found_item_id, "PM-1"),
    ]
    assert world.audit.records[-1].case_number == report.case_number
    assert all(seen.finder.name not in r.model_dump_json() for r in world.audit.records)
    assert all("070-123 45 67" not in r.model_dump_json() for r in world.audit.records)


def test_another_region_s_item_is_not_found_and_the_attempt_is_recorded(world: World) -> None:
    item = world.register()
    world.audit.records.clear()
    elsewhere = reception.Staff("PM-2", "Väst", roles=frozenset({"reception"}))

    with pytest.raises(NotFound):
        read(world, item.found_item_id, staff=elsewhere)
    [refused] = world.audit.records
    assert (refused.action.value, refused.allowed, refused.staff_region) == ("viewFoundItem", False, "Väst")


# --- matching --------------------------------------------------------------------------------------------


def test_a_found_item_with_the_serial_number_of_a_loss_report_tells_its_owner_at_once(world: World) -> None:
    report = world.file(loss_report())
    world.clock.advance(timedelta(hours=2))

    item = world.register()

    assert item.status is FoundItemStatus.OWNER_NOTIFIED
    (notice,) = item.owner_notices
    assert (notice.case_number, notice.match_kind, notice.confirmed_by) == (
        report.case_number,
        "serialNumber",
        "rule",
    )
    assert notice.claim_by == date(2026, 12, 22)
    seen = world.report(report.case_number)
    assert "Polisen Stockholm City" in shown(seen.timeline[-1].reason, "en")
    assert "22 December 2026" in shown(seen.timeline[-1].reason, "en")
    assert "22 december 2026" in shown(seen.timeline[-1].reason, "sv")
    assert seen.timeline[-1].status is seen.status
    (on_report,) = seen.found_property
    assert (on_report.found_item_id, on_report.claim_by) == (item.found_item_id, date(2026, 12, 22))
    (matched,) = world.events("LostPropertyMatched")
    assert matched["caseNumber"] == report.case_number
    assert matched["ownerRef"] == "sub-1"
    assert matched["claimBy"] == "2026-12-22"


def test_a_theft_report_naming_the_number_is_matched_too(world: World) -> None:
    report = world.file(theft_report())
    item = world.register()
    assert [n.case_number for n in item.owner_notices] == [report.case_number]


def test_a_report_filed_after_the_item_was_registered_finds_it(world: World) -> None:
    item = world.register()
    assert item.status is FoundItemStatus.REGISTERED

    report = world.file(loss_report(), seed=7)

    assert world.item(item.found_item_id).status is FoundItemStatus.OWNER_NOTIFIED
    assert [n.found_item_id for n in report.found_property] == [item.found_item_id]


def test_an_item_added_to_a_report_later_finds_a_registered_item(world: World) -> None:
    report = world.file(unnumbered_loss(location={"municipalityCode": "1480", "address": "Nordstan"}))
    item = world.register()
    assert item.possible_matches == []

    bicycle_with_its_number = parse_draft(loss_report()).items_reported
    amended = filing.amend_report(
        report.case_number,
        text="The serial number was on the receipt I found later.",
        items=bicycle_with_its_number,
        owner_ref=report.owner_ref,
        repository=world.reports,
        registers=no_registers(),
        clock=world.clock,
        correlation_id="c",
    )
    matching.match_report(
        amended,
        found_items=world.found,
        reports=world.reports,
        index=world.index,
        clock=world.clock,
        correlation_id="c",
    )

    assert [n.case_number for n in world.item(item.found_item_id).owner_notices] == [report.case_number]


def test_a_match_that_loses_a_race_reads_again_and_tells_the_owner_once(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = world.file(loss_report())
    write = world.found.replace_with_report
    calls: list[str] = []

    def changed_meanwhile_once(item: FoundItem, **kwargs: Any) -> None:
        calls.append(item.found_item_id)
        if len(calls) == 1:
            raise Conflict("changed meanwhile")
        write(item, **kwargs)

    monkeypatch.setattr(world.found, "replace_with_report", changed_meanwhile_once)

    item = world.register()

    assert len(calls) == 2
    assert [n.case_number for n in item.owner_notices] == [report.case_number]
    assert world.event_types.count("LostPropertyMatched") == 1


def test_matching_again_tells_the_owner_once(world: World) -> None:
    report = world.file(loss_report())
    item = world.register()
    world.match(item.found_item_id)
    world.file(loss_report(), seed=1)

    assert world.event_types.count("LostPropertyMatched") == 1
    assert len(world.report(report.case_number).found_property) == 1


def test_a_closed_loss_report_is_not_matched(world: World) -> None:
    report = world.file(loss_report())
    closed = report.move_to(ReportStatus.CLOSED, at=NOW, reason="Closed.")
    world.reports.reports[report.case_number] = closed

    item = world.register()

    assert item.status is FoundItemStatus.REGISTERED
    assert item.possible_matches == []


def test_a_theft_report_closed_without_investigation_is_still_matched(world: World) -> None:
    report = world.file(theft_report())
    closed = report.move_to(ReportStatus.CLOSED, at=NOW, reason="A preliminary investigation is not opened.")
    world.reports.reports[report.case_number] = closed

    item = world.register()

    assert [n.case_number for n in item.owner_notices] == [report.case_number]


def test_a_number_named_by_two_owners_is_left_to_staff(world: World) -> None:
    first = world.file(loss_report(), seed=1)
    second = world.file(theft_report(), seed=2)

    item = world.register()

    assert item.status is FoundItemStatus.REGISTERED
    assert {(p.case_number, p.match_kind) for p in item.possible_matches} == {
        (first.case_number, "serialNumber"),
        (second.case_number, "serialNumber"),
    }
    assert "LostPropertyMatched" not in world.event_types


def unnumbered_loss(**changes: Any) -> dict[str, Any]:
    return loss_report(items=[{"category": "bicycle", "description": "Blå cykel med korg"}], **changes)


def test_a_loss_of_the_same_kind_place_and_time_is_a_possible_match_for_staff_not_a_notice(
    world: World,
) -> None:
    report = world.file(unnumbered_loss())

    item = world.register()

    assert item.status is FoundItemStatus.REGISTERED
    assert [(p.case_number, p.match_kind) for p in item.possible_matches] == [
        (report.case_number, "description")
    ]
    assert world.report(report.case_number).found_property == []


@pytest.mark.parametrize(
    ("found_at", "matched"),
    [
        ("2026-11-20T18:00:00+01:00", True),  # as the loss period began
        ("2026-12-05T07:30:00+01:00", True),  # 14 days after it ended
        ("2026-12-05T07:31:00+01:00", False),
        ("2026-11-20T17:59:00+01:00", False),  # before it was lost
    ],
)
def test_a_possible_match_is_found_within_fourteen_days_after_the_loss_period(
    world: World, found_at: str, matched: bool
) -> None:
    world.file(unnumbered_loss())
    world.move_clock_to(datetime(2026, 12, 10, tzinfo=UTC))

    item = world.register(registration(foundAt=found_at, serialNumber=None))

    assert bool(item.possible_matches) is matched


@pytest.mark.parametrize(
    "changes",
    [
        {"place": {"municipalityCode": "1480", "description": "Nordstan"}, "serialNumber": None},
        {"category": "mobilePhone", "serialNumber": None},
        {"serialNumber": "OTHER999"},
    ],
    ids=["another-region", "another-category", "the-report-names-another-number"],
)
def test_no_possible_match_across_regions_categories_or_contradicting_numbers(
    world: World, changes: dict[str, Any]
) -> None:
    world.file(loss_report())
    item = world.register(registration(**changes))
    assert item.possible_matches == []
    assert item.status is FoundItemStatus.REGISTERED


def test_a_serial_number_matches_wherever_the_item_was_found(world: World) -> None:
    report = world.file(loss_report())
    item = world.register(registration(place={"municipalityCode": "1480", "description": "Nordstan"}))
    assert [n.case_number for n in item.owner_notices] == [report.case_number]


def test_staff_confirm_a_possible_match_and_its_owner_is_told(world: World) -> None:
    report = world.file(unnumbered_loss())
    item = world.register()

    told = world.tell_owner(item.found_item_id, report.case_number)

    assert told.status is FoundItemStatus.OWNER_NOTIFIED
    assert told.possible_matches == []
    (notice,) = told.owner_notices
    assert (notice.match_kind, notice.confirmed_by) == ("description", "staff")
    (matched,) = world.events("LostPropertyMatched")
    assert matched["confirmedBy"] == "staff"
    assert len(world.report(report.case_number).found_property) == 1


def test_only_a_possible_match_can_be_confirmed(world: World) -> None:
    other = world.file(unnumbered_loss(location={"municipalityCode": "1480", "address": "Nordstan"}))
    item = world.register()

    with pytest.raises(Conflict, match="not a possible match"):
        world.tell_owner(item.found_item_id, other.case_number)
    assert "LostPropertyMatched" not in world.event_types


def test_the_owner_gets_one_letter_with_the_place_and_the_last_day_unless_the_item_is_back(
    world: World,
) -> None:
    report = world.file(loss_report())
    item = world.register()
    (notice,) = item.owner_notices
    mailbox = RecordingMailbox()

    def write() -> bool:
        return telling_owner.write_to_owner(
            item.found_item_id,
            report.case_number,
            claim_by=notice.claim_by,
            matched_at=notice.notified_at,
            found_items=world.found,
            reports=world.reports,
            mailbox=mailbox,
            clock=world.clock,
        )

    assert write()
    assert not write()  # a redelivery, however late: the letter is recorded on the report, so none is sent
    (first,) = mailbox.letters
    told = world.reports.get(report.case_number)
    assert told is not None
    (recorded,) = told.found_property
    assert (recorded.letter_id, recorded.letter_sent_at) == (first.message_id, first.written_at)
    assert first.recipient_personnummer == report.filer_personnummer
    # Filed without asking for English: the letter is in Swedish.
    assert "Polisen Stockholm City" in first.body
    assert "senast 22 december 2026" in first.body
    assert "hittelön på ungefär 400 kr" in first.body

    world.hand_over(item.found_item_id, Recipient.OWNER, report.case_number)
    assert not write()


# --- deadlines -------------------------------------------------------------------------------------------


def test_three_months_unclaimed_the_finder_who_asked_may_collect_it_within_a_month(world: World) -> None:
    item = world.register()  # registered 22 November: waits until 22 February

    world.move_clock_to(found_item.end_of(date(2027, 2, 22)) - timedelta(seconds=1))
    assert world.run_deadlines().moved == 0
    world.move_clock_to(found_item.end_of(date(2027, 2, 22)))
    assert world.run_deadlines().moved == 1

    moved = world.item(item.found_item_id)
    assert moved.status is FoundItemStatus.FINDER_MAY_COLLECT
    assert moved.collect_by == date(2027, 3, 22)
    (passed,) = world.events("FoundItemDeadlinePassed")
    assert (passed["deadline"], passed["previousStatus"], passed["status"]) == (
        "unclaimed",
        "registered",
        "finderMayCollect",
    )
    assert passed["deadlineDate"] == "2027-02-22"

    world.move_clock_to(found_item.end_of(date(2027, 3, 22)))
    world.run_deadlines()
    assert world.item(item.found_item_id).status is FoundItemStatus.FORFEITED_TO_STATE


@pytest.mark.parametrize(
    "changes",
    [
        {"finder": {"name": "Anna", "wantsItemIfUnclaimed": False}},
        {
            "category": "passport",
            "serialNumber": None,
            "documentNumber": "12345678",
            "finder": {"name": "Anna", "phone": "0701234567", "wantsItemIfUnclaimed": True},
        },
    ],
    ids=["finder-did-not-ask", "identity-document"],
)
def test_unclaimed_it_goes_to_the_state_when_the_finder_may_not_take_it(
    world: World, changes: dict[str, Any]
) -> None:
    item = world.register(registration(**changes))
    world.move_clock_to(found_item.end_of(date(2027, 2, 22)))
    world.run_deadlines()
    assert world.item(item.found_item_id).status is FoundItemStatus.FORFEITED_TO_STATE


def test_a_told_owners_month_is_never_cut_short_by_the_three_months(world: World) -> None:
    item = world.register()
    world.move_clock_to(datetime(2027, 2, 10, 12, tzinfo=UTC))
    report = world.file(loss_report())  # the owner is told on 10 February: may claim until 10 March
    assert world.item(item.found_item_id).owner_notices[-1].claim_by == date(2027, 3, 10)

    world.move_clock_to(found_item.end_of(date(2027, 2, 22)))
    world.run_deadlines()
    assert world.item(item.found_item_id).status is FoundItemStatus.OWNER_NOTIFIED

    world.move_clock_to(found_item.end_of(date(2027, 3, 10)))
    world.run_deadlines()
    after = world.item(item.found_item_id)
    assert after.status is FoundItemStatus.FINDER_MAY_COLLECT
    assert after.owner_period_ended == date(2027, 3, 10)
    assert after.collect_by == date(2027, 4, 10)
    assert after.owner_notices[-1].lapsed
    assert report.case_number in after.notified_case_numbers


def test_an_owner_who_lets_the_month_pass_early_leaves_it_waiting_for_its_owner_until_three_months(
    world: World,
) -> None:
    world.file(loss_report())
    item = world.register()  # told 22 November: may claim until 22 December

    world.move_clock_to(found_item.end_of(date(2026, 12, 22)))
    world.run_deadlines()

    after = world.item(item.found_item_id)
    assert after.status is FoundItemStatus.REGISTERED
    assert after.next_deadline == date(2027, 2, 22)
    (passed,) = world.events("FoundItemDeadlinePassed")
    assert (passed["deadline"], passed["status"]) == ("claim", "registered")


def test_a_job_late_by_months_takes_every_step_at_once_and_a_second_run_does_nothing(world: World) -> None:
    item = world.register()
    world.move_clock_to(datetime(2027, 6, 1, tzinfo=UTC))

    first = world.run_deadlines()
    second = world.run_deadlines()

    assert (first.moved, first.steps) == (1, 2)
    assert (second.moved, second.steps) == (0, 0)
    assert world.item(item.found_item_id).status is FoundItemStatus.FORFEITED_TO_STATE
    assert [e["deadline"] for e in world.events("FoundItemDeadlinePassed")] == ["unclaimed", "collection"]


def test_a_matched_owner_is_not_told_once_their_time_is_over(world: World) -> None:
    item = world.register()
    world.move_clock_to(found_item.end_of(date(2027, 2, 22)))

    world.file(loss_report())

    assert world.item(item.found_item_id).owner_notices == []


# --- hand-over -------------------------------------------------------------------------------------------


def test_the_owner_of_the_matched_report_gets_the_item_and_sees_it_on_the_report(world: World) -> None:
    report = world.file(loss_report())
    item = world.register()
    world.clock.advance(timedelta(days=3))

    handed = world.hand_over(item.found_item_id, Recipient.OWNER, report.case_number)

    assert handed.status is FoundItemStatus.HANDED_OVER
    assert handed.handed_over is not None
    assert (handed.handed_over.recipient, handed.handed_over.staff_id) == (Recipient.OWNER, "PM-1")
    (notice,) = world.report(report.case_number).found_property
    assert notice.handed_over_at == world.clock.now()
    (event,) = world.events("FoundItemHandedOver")
    assert (event["recipient"], event["caseNumber"], event["ownerRef"]) == (
        "owner",
        report.case_number,
        "sub-1",
    )


def test_a_hand_over_to_the_owner_needs_the_case_number_of_a_matched_report(world: World) -> None:
    unrelated = world.file(theft_report(items=[]))
    item = world.register()

    with pytest.raises(InvalidInput) as refused:
        world.hand_over(item.found_item_id, Recipient.OWNER)
    assert list(refused.value.reasons) == ["caseNumber"]
    with pytest.raises(Conflict, match="not matched"):
        world.hand_over(item.found_item_id, Recipient.OWNER, unrelated.case_number)
    assert world.item(item.found_item_id).status is FoundItemStatus.REGISTERED


def test_the_finder_gets_it_only_after_three_months_unclaimed(world: World) -> None:
    item = world.register()

    with pytest.raises(Conflict, match="only if no owner claims it by 22 February 2027"):
        world.hand_over(item.found_item_id, Recipient.FINDER)
    assert "FoundItemHandedOver" not in world.event_types

    world.move_clock_to(found_item.end_of(date(2027, 2, 22)) + timedelta(hours=1))  # before the job ran
    handed = world.hand_over(item.found_item_id, Recipient.FINDER)

    assert handed.status is FoundItemStatus.HANDED_OVER
    assert world.event_types[-2:] == ["FoundItemDeadlinePassed", "FoundItemHandedOver"]


def test_the_owner_is_refused_once_the_item_is_the_finders(world: World) -> None:
    report = world.file(loss_report())
    item = world.register()
    world.move_clock_to(found_item.end_of(date(2027, 2, 22)))
    world.run_deadlines()

    with pytest.raises(Conflict, match=r"owner's time to claim .* ended on 22 February 2027"):
        world.hand_over(item.found_item_id, Recipient.OWNER, report.case_number)


def test_the_state_takes_only_what_neither_owner_nor_finder_may_take(world: World) -> None:
    item = world.register(registration(finder={"name": "Anna", "wantsItemIfUnclaimed": False}))
    with pytest.raises(Conflict, match="goes to the state only"):
        world.hand_over(item.found_item_id, Recipient.STATE)

    world.move_clock_to(found_item.end_of(date(2027, 2, 22)))
    world.run_deadlines()
    with pytest.raises(Conflict, match="not the finder's"):
        world.hand_over(item.found_item_id, Recipient.FINDER)
    assert world.hand_over(item.found_item_id, Recipient.STATE).status is FoundItemStatus.HANDED_OVER
    with pytest.raises(Conflict, match="already handed over to the state"):
        world.hand_over(item.found_item_id, Recipient.STATE)
