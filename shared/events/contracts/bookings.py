"""Events the bookings service publishes (source ``polisen.bookings``). Owned by the bookings service.

An appointment is either for documents (``kind = documents``: a passport, a national ID card or both) or a
meeting with an expert about the citizen's own case (``kind = caseMeeting``). ``bookerRef`` is the opaque e-ID
subject of the citizen who booked. The events that lead to a message to the citizen (booked, rescheduled,
cancelled, reminder due) carry the contact details the citizen gave for that purpose, and are marked as
personal data: never forwarded to another agency. Attendance events carry no personal data.

The document register answers every ``DocumentBlockRequested`` of the reports service with ``DocumentBlocked``
or ``DocumentBlockRefused``, so the report says "blocked" only for a block that was made. They carry the
document number (which identifies a person's document) but no personnummer, and are marked as personal data.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from shared.events.envelope import EventData

SOURCE = "polisen.bookings"

AppointmentKind = Literal["documents", "caseMeeting"]
DocumentService = Literal["passport", "idCard"]


class AppointmentBooked(EventData):
    """A citizen booked an appointment at a passport reception; the confirmation goes to ``contactEmail``."""

    event_type = "AppointmentBooked"
    contains_personal_data = True

    booking_number: str
    kind: AppointmentKind
    services: list[DocumentService]  # empty for a case meeting
    case_number: str | None = None  # set for a case meeting
    reception_id: str
    region: str
    starts_at: datetime
    ends_at: datetime
    booked_at: datetime
    booker_ref: str
    for_child: bool  # booked by a guardian for a child
    contact_email: str
    contact_phone: str | None = None


class AppointmentRescheduled(EventData):
    """An appointment moved to another time (and possibly another reception). The new time was held before the
    old one was released, in one transaction."""

    event_type = "AppointmentRescheduled"
    contains_personal_data = True

    booking_number: str
    kind: AppointmentKind
    previous_reception_id: str
    previous_starts_at: datetime
    reception_id: str
    region: str
    starts_at: datetime
    ends_at: datetime
    rescheduled_at: datetime
    booker_ref: str
    contact_email: str
    contact_phone: str | None = None


class AppointmentCancelled(EventData):
    """An appointment was cancelled: by the booker logged in with e-ID, or with booking number and e-mail."""

    event_type = "AppointmentCancelled"
    contains_personal_data = True

    booking_number: str
    kind: AppointmentKind
    reception_id: str
    region: str
    starts_at: datetime
    cancelled_at: datetime
    cancelled_with: Literal["eId", "bookingNumberAndEmail"]
    booker_ref: str
    contact_email: str
    contact_phone: str | None = None


class AppointmentReminderDue(EventData):
    """An appointment starts within 24 hours: remind the citizen (sent once per appointment time)."""

    event_type = "AppointmentReminderDue"
    contains_personal_data = True

    booking_number: str
    kind: AppointmentKind
    reception_id: str
    region: str
    starts_at: datetime
    ends_at: datetime
    booker_ref: str
    contact_email: str
    contact_phone: str | None = None


class AppointmentAttended(EventData):
    """Reception staff marked that the citizen came to the appointment."""

    event_type = "AppointmentAttended"

    booking_number: str
    kind: AppointmentKind
    services: list[DocumentService]
    reception_id: str
    region: str
    starts_at: datetime
    marked_at: datetime


class AppointmentMissed(EventData):
    """Reception staff marked that the citizen did not come (no-show)."""

    event_type = "AppointmentMissed"

    booking_number: str
    kind: AppointmentKind
    services: list[DocumentService]
    reception_id: str
    region: str
    starts_at: datetime
    marked_at: datetime


class DocumentBlocked(EventData):
    """The document register blocked a passport or national ID card that its holder (or a guardian of a
    holder under 18) reported lost or stolen in the report ``caseNumber``: the validity check now answers
    Spärrat. ``alreadyBlocked``: it had been blocked before (an earlier report, or revoked)."""

    event_type = "DocumentBlocked"
    contains_personal_data = True

    document_type: Literal["passport", "nationalIdCard"]
    document_number: str
    case_number: str
    blocked_at: datetime
    already_blocked: bool = False


class DocumentBlockRefused(EventData):
    """The document register did not block the document a report asked it to: it holds no such passport or
    ID card of the person named as its holder (a wrong number, a wrong type, or someone else's). Nothing
    changed."""

    event_type = "DocumentBlockRefused"
    contains_personal_data = True

    document_type: Literal["passport", "nationalIdCard"]
    document_number: str
    case_number: str
    refused_at: datetime
    reason: Literal["noSuchDocumentOfTheHolder"]


CONTRACTS: tuple[type[EventData], ...] = (
    AppointmentBooked,
    AppointmentRescheduled,
    AppointmentCancelled,
    AppointmentReminderDue,
    AppointmentAttended,
    AppointmentMissed,
    DocumentBlocked,
    DocumentBlockRefused,
)
