"""Bookings requests as citizens, reception staff and banks send them, and bookable times to send them for."""

from __future__ import annotations

import copy
from datetime import date, datetime, timedelta
from typing import Any

from services.bookings.domain.ports import IssuedDocument
from services.bookings.domain.receptions import AppointmentKind, Reception, Slot, slots_on
from services.bookings.reference_data import receptions
from shared.clock import stockholm_time
from tests.support.lambda_events import rest_event

BASE = "/bookings/v1"
APPOINTMENTS = f"{BASE}/appointments"
CONTACT = {"email": "kim.andersson@example.se", "phone": "070-123 45 67"}


def reception(reception_id: str) -> Reception:
    return next(r for r in receptions() if r.id == reception_id)


def open_slots(
    reception_id: str, after: datetime, *, kind: AppointmentKind = AppointmentKind.DOCUMENTS, days: int = 21
) -> list[Slot]:
    """The reception's slots that begin after ``after``, over the next ``days`` days, earliest first."""
    where = reception(reception_id)
    first = stockholm_time(after).date()
    found: list[Slot] = []
    for offset in range(days):
        found.extend(s for s in slots_on(where, kind, first + timedelta(days=offset)) if s.starts_at > after)
    return found


def first_open_day(reception_id: str, after: date) -> date:
    where = reception(reception_id)
    day = after
    while not slots_on(where, AppointmentKind.DOCUMENTS, day):
        day += timedelta(days=1)
    return day


def iso(moment: datetime) -> str:
    """As a client sends times: ISO 8601 with the Stockholm offset."""
    return stockholm_time(moment).isoformat()


def booking_body(
    reception_id: str,
    start: datetime | str,
    *,
    services: tuple[str, ...] = ("passport",),
    applicant: str | None = None,
    **changes: Any,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "receptionId": reception_id,
        "start": start if isinstance(start, str) else iso(start),
        "services": list(services),
        "contact": copy.deepcopy(CONTACT),
    }
    if applicant is not None:
        body["applicant"] = {"personnummer": applicant}
    body.update(changes)
    return body


def case_meeting_body(reception_id: str, start: datetime, case_number: str) -> dict[str, Any]:
    return {
        "receptionId": reception_id,
        "start": iso(start),
        "caseNumber": case_number,
        "contact": copy.deepcopy(CONTACT),
    }


def validity_body(document: IssuedDocument, **changes: Any) -> dict[str, Any]:
    holder = document.holder_personnummer
    body: dict[str, Any] = {
        "documentNumber": document.number,
        "personnummer": f"{holder[:8]}-{holder[8:]}",
        "expiryDate": document.expiry_date.isoformat(),
    }
    body.update(changes)
    return body


def staff_claims(
    region: str = "Stockholm", roles: str = "reception", staff_id: str = "PM-2001"
) -> dict[str, str]:
    return {
        "sub": f"staff-{staff_id}",
        "principalType": "staff",
        "staffId": staff_id,
        "roles": roles,
        "region": region,
    }


def bookings_event(
    method: str,
    path: str,
    *,
    body: Any = None,
    claims: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    query: dict[str, str] | None = None,
    source_ip: str = "198.51.100.7",
) -> dict[str, Any]:
    """A REST proxy event as API Gateway sends it, with the caller's address."""
    event = rest_event(method, path, body=body, claims=claims, headers=headers, query=query)
    event["requestContext"]["identity"] = {"sourceIp": source_ip}
    return event
