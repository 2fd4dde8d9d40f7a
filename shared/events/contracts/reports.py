"""Events the reports service publishes (source ``polisen.reports``). Owned by the reports service.

Events carry identifiers and what consumers need, not narratives. ``ownerRef`` is the opaque e-ID subject of
the citizen whose case it is, so other services (bookings, for case appointments) can tell whose case it is
without personal data. No found-property event carries the finder's or the owner's personal data; the
finder's stays in the item.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from shared.events.envelope import EventData

SOURCE = "polisen.reports"


class ReportFiled(EventData):
    """A citizen filed a crime or loss report."""

    event_type = "ReportFiled"

    case_number: str
    report_type: str
    region: str
    municipality_code: str
    filed_at: datetime
    owner_ref: str


class ReportStatusChanged(EventData):
    """A report moved to another status (queued, taken by an investigator, closed, ...)."""

    event_type = "ReportStatusChanged"

    case_number: str
    region: str
    previous_status: str
    status: str
    changed_at: datetime
    owner_ref: str


class ReportDecided(EventData):
    """A decision was made on a report: by a rule (``decidedBy = rule``) or by staff."""

    event_type = "ReportDecided"

    case_number: str
    region: str
    outcome: str  # see services/reports/README.md, "Automated decisions", for the outcomes
    reason: str
    decided_by: Literal["rule", "staff"]
    rule_id: str | None = None
    rule_version: int | None = None
    decided_at: datetime
    notify_reporter: bool
    owner_ref: str


class ReportAmended(EventData):
    """The reporter added information to an open report."""

    event_type = "ReportAmended"

    case_number: str
    region: str
    amended_at: datetime
    owner_ref: str


class FoundItemRegistered(EventData):
    """Staff at a reception registered a found item (hittegods). ``region`` and ``municipalityCode`` say where
    it was found (what it is matched against); ``heldInRegion`` is the region of the reception that keeps it."""

    event_type = "FoundItemRegistered"

    found_item_id: str
    category: str
    region: str
    municipality_code: str
    found_on: datetime
    registered_at: datetime
    held_in_region: str


class LostPropertyMatched(EventData):
    """A found item was matched to an open loss or theft report; the owner is told and may claim it until
    ``claimBy`` (inclusive, Swedish date). ``matchKind`` ``serialNumber`` covers every identifying number (serial
    number, IMEI, frame number); ``description`` (category, place and time) is only ever ``confirmedBy`` staff."""

    event_type = "LostPropertyMatched"

    found_item_id: str
    case_number: str
    match_kind: Literal["serialNumber", "description"]
    matched_at: datetime
    owner_ref: str
    region: str
    claim_by: date
    confirmed_by: Literal["rule", "staff"]


class FoundItemDeadlinePassed(EventData):
    """A statutory deadline of a found item passed and the item moved on: ``claim`` (the told owner's month),
    ``unclaimed`` (3 months without an owner) or ``collection`` (the finder's month to collect and pay)."""

    event_type = "FoundItemDeadlinePassed"

    found_item_id: str
    region: str
    deadline: Literal["claim", "unclaimed", "collection"]
    deadline_date: date
    previous_status: str
    status: str
    recorded_at: datetime


class FoundItemHandedOver(EventData):
    """A found item left the police: to its owner (``caseNumber`` of the matched report), to the finder, or to
    the state."""

    event_type = "FoundItemHandedOver"

    found_item_id: str
    region: str
    recipient: Literal["owner", "finder", "state"]
    case_number: str | None = None
    owner_ref: str | None = None
    handed_over_at: datetime


class DocumentBlockRequested(EventData):
    """A passport or national ID card was reported lost or stolen by someone with the right to block it: its
    holder, or (``requestedBy = guardian``) a guardian of a holder under 18 as the population register shows.
    The document register blocks it only if it lists ``holderPersonnummer`` as the holder, and says so with the
    bookings service's ``DocumentBlocked`` or ``DocumentBlockRefused``. Nothing is requested for a document
    named by anyone else (a report filed for a relative, an employer or someone else).

    Carries the holder's personnummer, which the register needs to check the holder: personal data, never
    forwarded outside the police (the event catalog refuses to grant it to an agency)."""

    event_type = "DocumentBlockRequested"
    contains_personal_data = True

    document_type: Literal["passport", "nationalIdCard"]
    document_number: str
    holder_personnummer: str
    requested_by: Literal["holder", "guardian"]
    reason: Literal["lost", "stolen"]
    case_number: str
    requested_at: datetime


CONTRACTS: tuple[type[EventData], ...] = (
    ReportFiled,
    ReportStatusChanged,
    ReportDecided,
    ReportAmended,
    FoundItemRegistered,
    LostPropertyMatched,
    FoundItemDeadlinePassed,
    FoundItemHandedOver,
    DocumentBlockRequested,
)
