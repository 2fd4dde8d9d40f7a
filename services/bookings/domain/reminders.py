"""Reminders a day before an appointment: run on a schedule, each appointment time reminded once."""

from __future__ import annotations

from datetime import datetime

from services.bookings.domain.errors import ChangedMeanwhile
from services.bookings.domain.ports import AppointmentRepository
from shared.clock import Clock
from shared.events.contracts.bookings import SOURCE, AppointmentReminderDue
from shared.events.envelope import new_event

# Per run: a run stays well inside its timeout, and the next one (minutes later) takes the rest.
BATCH = 200


def send_due_reminders(
    *, as_of: datetime, repository: AppointmentRepository, clock: Clock, correlation_id: str
) -> int:
    """Publish ``AppointmentReminderDue`` for every appointment whose reminder is due at ``as_of`` and mark
    it reminded, both in one transaction. Returns how many were reminded."""
    now = clock.now()
    reminded = 0
    for appointment in repository.due_reminders(as_of, limit=BATCH):
        if not appointment.needs_reminder(now):
            continue
        due = AppointmentReminderDue(
            booking_number=appointment.booking_number,
            kind=appointment.kind.value,
            reception_id=appointment.reception_id,
            region=appointment.region,
            starts_at=appointment.starts_at,
            ends_at=appointment.ends_at,
            booker_ref=appointment.booker_ref,
            contact_email=appointment.contact.email,
            contact_phone=appointment.contact.phone,
        )
        try:
            repository.mark_reminded(
                appointment,
                appointment.changed(reminded_at=now),
                events=[new_event(due, producer=SOURCE, occurred_at=now, correlation_id=correlation_id)],
            )
        except ChangedMeanwhile:
            # Cancelled or moved since it was read: the next run sees it as it is now.
            continue
        reminded += 1
    return reminded
