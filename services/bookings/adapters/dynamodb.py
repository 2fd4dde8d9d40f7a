"""The bookings table: appointments, slot counters, booking guards and the outbox, in one table.

Item layout (pk / sk):
- ``APPOINTMENT#<bookingNumber>`` / ``APPOINTMENT``: the appointment as JSON in ``body``; indexed by booker
  (``bookerKey``/``bookerSort``), by reception and day while not cancelled (``dayKey``/``daySort``) and by the
  day its reminder is due while one is awaited (``reminderKey``/``reminderSort``).
- ``SLOTS#<receptionId>#<kind>`` / ``<start, UTC>``: ``booked`` places of one slot, never above ``capacity``.
- ``LEDGER#<bookerRef>`` / ``LEDGER``: the document bookings one e-ID holds (booking number → start), with a
  ``version`` every change raises.
- ``APPLICANT#<personnummer>`` / ``DOCUMENT#<service>`` and ``CASE#<caseNumber>`` / ``MEETING``: guards, one
  active booking per applicant and document, one per case.
- ``OUTBOX#<eventId>`` / ``EVENT``: events on their way to the bus (see shared.events.outbox).

Registers and reference data (receptions, population, documents, case owners) live in the same table; see
:mod:`services.bookings.adapters.registers`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

from services.bookings.domain.appointments import Appointment, AppointmentStatus
from services.bookings.domain.errors import (
    AlreadyBooked,
    BookingNumberTaken,
    ChangedMeanwhile,
    SlotFull,
)
from services.bookings.domain.ports import BookerLedger, Events, Page
from services.bookings.domain.receptions import AppointmentKind
from services.bookings.messages import TEXTS
from shared.adapters.dynamodb import (
    TRANSACT_ATTEMPTS,
    Write,
    epoch,
    from_body,
    from_item,
    outbox_puts,
    parse_sortable,
    query_all,
    query_page,
    sortable_seconds,
    to_item,
    transact,
)
from shared.clock import stockholm_time
from shared.events.contracts.bookings import SOURCE

if TYPE_CHECKING:
    from collections.abc import Sequence

    from mypy_boto3_dynamodb import DynamoDBClient

BOOKER_INDEX = "byBooker"
DAY_INDEX = "byReceptionDay"
REMINDER_INDEX = "byReminderDue"
# Appointments hold personal data: kept for a quarter after they took place, then removed by TTL.
APPOINTMENT_RETENTION = timedelta(days=90)
SLOT_RETENTION = timedelta(days=7)
# Busy slots: DynamoDB cancels a transaction that meets another on the same item; those are retried.
CONFLICT_ATTEMPTS = TRANSACT_ATTEMPTS


def appointment_key(booking_number: str) -> dict[str, Any]:
    return to_item({"pk": f"APPOINTMENT#{booking_number}", "sk": "APPOINTMENT"})


def slot_key(reception_id: str, kind: AppointmentKind, starts_at: datetime) -> dict[str, Any]:
    return to_item({"pk": f"SLOTS#{reception_id}#{kind.value}", "sk": sortable_seconds(starts_at)})


def ledger_key(booker_ref: str) -> dict[str, Any]:
    return to_item({"pk": f"LEDGER#{booker_ref}", "sk": "LEDGER"})


def guard_keys(appointment: Appointment) -> list[dict[str, Any]]:
    """The guards an active appointment holds: per applicant and document, or per case."""
    if appointment.kind is AppointmentKind.CASE_MEETING:
        return [to_item({"pk": f"CASE#{appointment.case_number}", "sk": "MEETING"})]
    return [
        to_item({"pk": f"APPLICANT#{appointment.applicant_personnummer}", "sk": f"DOCUMENT#{service.value}"})
        for service in appointment.services
    ]


def appointment_item(appointment: Appointment) -> dict[str, Any]:
    number = appointment.booking_number
    start = sortable_seconds(appointment.starts_at)
    listed = appointment.status is not AppointmentStatus.CANCELLED
    day = stockholm_time(appointment.starts_at).date().isoformat()
    due = appointment.reminder_due_at
    awaits_reminder = appointment.awaits_reminder
    return to_item(
        {
            "pk": f"APPOINTMENT#{number}",
            "sk": "APPOINTMENT",
            "bookerKey": f"BOOKER#{appointment.booker_ref}",
            "bookerSort": f"{start}#{number}",
            "dayKey": f"DAY#{appointment.reception_id}#{day}" if listed else None,
            "daySort": f"{start}#{number}" if listed else None,
            "reminderKey": f"REMIND#{due.astimezone(UTC).date().isoformat()}" if awaits_reminder else None,
            "reminderSort": f"{sortable_seconds(due)}#{number}" if awaits_reminder else None,
            "status": appointment.status.value,
            "version": appointment.version,
            "expiresAt": epoch(appointment.ends_at + APPOINTMENT_RETENTION),
            "body": appointment.model_dump_json(),
        }
    )


def _appointment(attributes: dict[str, Any]) -> Appointment:
    return from_body(Appointment, attributes)


def _changed_meanwhile() -> ChangedMeanwhile:
    return ChangedMeanwhile(TEXTS("changed"))


def _busy() -> ChangedMeanwhile:
    return ChangedMeanwhile(TEXTS("busy"))


class DynamoDbAppointmentRepository:
    def __init__(
        self,
        table_name: str,
        client: DynamoDBClient,
        *,
        backoff: Callable[[int], None] | None = None,
    ) -> None:
        self._table = table_name
        self._client = client
        self._backoff = backoff

    # --- reads ------------------------------------------------------------------------------------------

    def get(self, booking_number: str) -> Appointment | None:
        response = self._client.get_item(
            TableName=self._table, Key=appointment_key(booking_number), ConsistentRead=True
        )
        found = response.get("Item")
        return _appointment(found) if found else None

    def ledger(self, booker_ref: str) -> BookerLedger:
        response = self._client.get_item(
            TableName=self._table, Key=ledger_key(booker_ref), ConsistentRead=True
        )
        found = response.get("Item")
        if not found:
            return BookerLedger()
        values = from_item(found)
        bookings = {number: parse_sortable(start) for number, start in values.get("bookings", {}).items()}
        return BookerLedger(version=int(values["version"]), bookings=bookings)

    def booked_counts(
        self, reception_id: str, kind: AppointmentKind, first: datetime, last: datetime
    ) -> dict[datetime, int]:
        counts: dict[datetime, int] = {}
        for found in self._query(
            KeyConditionExpression="pk = :slots AND sk BETWEEN :first AND :last",
            ExpressionAttributeValues=to_item(
                {
                    ":slots": f"SLOTS#{reception_id}#{kind.value}",
                    ":first": sortable_seconds(first),
                    ":last": sortable_seconds(last),
                }
            ),
            ConsistentRead=True,
        ):
            values = from_item(found)
            counts[parse_sortable(values["sk"])] = int(values.get("booked", 0))
        return counts

    def places_taken(self, reception_id: str, kind: AppointmentKind, starts_at: datetime) -> int:
        found = self._client.get_item(
            TableName=self._table,
            Key=slot_key(reception_id, kind, starts_at),
            ConsistentRead=True,
            ProjectionExpression="booked",
        ).get("Item")
        return int(from_item(found).get("booked", 0)) if found else 0

    def list_booked_by(self, booker_ref: str, *, limit: int, start: dict[str, Any] | None) -> Page:
        query: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": BOOKER_INDEX,
            "KeyConditionExpression": "bookerKey = :booker",
            "ExpressionAttributeValues": to_item({":booker": f"BOOKER#{booker_ref}"}),
            "ScanIndexForward": False,
            "Limit": limit,
        }
        found, next_start = query_page(self._client, query, start)
        return Page(appointments=[_appointment(i) for i in found], next_start=next_start)

    def on_day(self, reception_id: str, day: date) -> list[Appointment]:
        return [
            _appointment(found)
            for found in self._query(
                IndexName=DAY_INDEX,
                KeyConditionExpression="dayKey = :day",
                ExpressionAttributeValues=to_item({":day": f"DAY#{reception_id}#{day.isoformat()}"}),
            )
        ]

    def due_reminders(self, as_of: datetime, *, limit: int) -> list[Appointment]:
        # An appointment that has not begun has its reminder due after as_of - 24 h: two daily buckets cover it.
        due: list[Appointment] = []
        first_bucket = (as_of - timedelta(days=1)).astimezone(UTC).date()
        for bucket in (first_bucket, first_bucket + timedelta(days=1)):
            for found in self._query(
                IndexName=REMINDER_INDEX,
                KeyConditionExpression="reminderKey = :bucket AND reminderSort <= :due",
                ExpressionAttributeValues=to_item(
                    {":bucket": f"REMIND#{bucket.isoformat()}", ":due": f"{sortable_seconds(as_of)}#~"}
                ),
            ):
                due.append(_appointment(found))
                if len(due) >= limit:
                    return due
        return due

    def _query(self, **query: Any) -> Iterator[dict[str, Any]]:
        return query_all(self._client, {"TableName": self._table, **query})

    # --- writes -----------------------------------------------------------------------------------------

    def add(
        self,
        appointment: Appointment,
        *,
        capacity: int,
        ledger: BookerLedger | None,
        now: datetime,
        events: Events,
    ) -> None:
        writes = [
            Write(
                {
                    "Put": {
                        "TableName": self._table,
                        "Item": appointment_item(appointment),
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
                BookingNumberTaken,
            ),
            self._take_place(appointment, capacity),
        ]
        if ledger is not None:
            writes.append(self._ledger_with(appointment, ledger, now))
        writes.extend(self._claim_guards(appointment, now))
        self._transact([*writes, *self._outbox(events)], booking_number=appointment.booking_number)

    def reschedule(self, previous: Appointment, moved: Appointment, *, capacity: int, events: Events) -> None:
        writes = [
            self._replace(previous, moved),
            self._take_place(moved, capacity),
            self._give_back_place(previous),
        ]
        if moved.kind is AppointmentKind.DOCUMENTS:
            writes.append(
                Write(
                    {
                        "Update": {
                            "TableName": self._table,
                            "Key": ledger_key(moved.booker_ref),
                            "UpdateExpression": "SET bookings.#number = :start ADD version :one",
                            "ExpressionAttributeNames": {"#number": moved.booking_number},
                            "ExpressionAttributeValues": to_item(
                                {":start": sortable_seconds(moved.starts_at), ":one": 1}
                            ),
                        }
                    }
                )
            )
        for key in guard_keys(moved):
            writes.append(
                Write(
                    {
                        "Update": {
                            "TableName": self._table,
                            "Key": key,
                            "UpdateExpression": "SET startsAt = :start, expiresAt = :expires",
                            "ConditionExpression": "bookingNumber = :number",
                            "ExpressionAttributeValues": to_item(
                                {
                                    ":start": sortable_seconds(moved.starts_at),
                                    ":expires": epoch(moved.ends_at + SLOT_RETENTION),
                                    ":number": moved.booking_number,
                                }
                            ),
                        }
                    },
                    _changed_meanwhile,
                )
            )
        self._transact([*writes, *self._outbox(events)], booking_number=moved.booking_number)

    def close(
        self, previous: Appointment, closed: Appointment, *, release_slot: bool, events: Events
    ) -> None:
        writes = [self._replace(previous, closed)]
        if release_slot:
            writes.append(self._give_back_place(previous))
        if previous.kind is AppointmentKind.DOCUMENTS:
            writes.append(
                Write(
                    {
                        "Update": {
                            "TableName": self._table,
                            "Key": ledger_key(previous.booker_ref),
                            "UpdateExpression": "REMOVE bookings.#number ADD version :one",
                            "ExpressionAttributeNames": {"#number": previous.booking_number},
                            "ExpressionAttributeValues": to_item({":one": 1}),
                        }
                    }
                )
            )
        # A guard may already belong to a newer booking (once this one's time passed): only ours are released.
        for key in self._guards_held_by(previous):
            writes.append(
                Write(
                    {
                        "Delete": {
                            "TableName": self._table,
                            "Key": key,
                            "ConditionExpression": "bookingNumber = :number",
                            "ExpressionAttributeValues": to_item({":number": previous.booking_number}),
                        }
                    },
                    _changed_meanwhile,
                )
            )
        self._transact([*writes, *self._outbox(events)], booking_number=previous.booking_number)

    def mark_reminded(self, previous: Appointment, reminded: Appointment, *, events: Events) -> None:
        self._transact(
            [self._replace(previous, reminded), *self._outbox(events)], booking_number=reminded.booking_number
        )

    # --- transaction parts ------------------------------------------------------------------------------

    def _replace(self, previous: Appointment, changed: Appointment) -> Write:
        return Write(
            {
                "Put": {
                    "TableName": self._table,
                    "Item": appointment_item(changed),
                    "ConditionExpression": "version = :expected",
                    "ExpressionAttributeValues": to_item({":expected": previous.version}),
                }
            },
            lambda: ChangedMeanwhile(TEXTS("changed_retry", bookingNumber=previous.booking_number)),
        )

    def _take_place(self, appointment: Appointment, capacity: int) -> Write:
        return Write(
            {
                "Update": {
                    "TableName": self._table,
                    "Key": slot_key(appointment.reception_id, appointment.kind, appointment.starts_at),
                    "UpdateExpression": "SET #capacity = :capacity, expiresAt = :expires ADD booked :one",
                    "ConditionExpression": "attribute_not_exists(booked) OR booked < :capacity",
                    "ExpressionAttributeNames": {"#capacity": "capacity"},  # a reserved word
                    "ExpressionAttributeValues": to_item(
                        {
                            ":capacity": capacity,
                            ":expires": epoch(appointment.ends_at + SLOT_RETENTION),
                            ":one": 1,
                        }
                    ),
                }
            },
            SlotFull,
        )

    def _give_back_place(self, appointment: Appointment) -> Write:
        return Write(
            {
                "Update": {
                    "TableName": self._table,
                    "Key": slot_key(appointment.reception_id, appointment.kind, appointment.starts_at),
                    "UpdateExpression": "ADD booked :minus_one",
                    "ConditionExpression": "booked > :zero",
                    "ExpressionAttributeValues": to_item({":minus_one": -1, ":zero": 0}),
                }
            },
            lambda: ChangedMeanwhile("The appointment's time changed meanwhile. Read it again."),
        )

    def _ledger_with(self, appointment: Appointment, ledger: BookerLedger, now: datetime) -> Write:
        bookings = {number: sortable_seconds(start) for number, start in ledger.active(now).items()}
        bookings[appointment.booking_number] = sortable_seconds(appointment.starts_at)
        return Write(
            {
                "Put": {
                    "TableName": self._table,
                    "Item": {
                        **ledger_key(appointment.booker_ref),
                        **to_item({"bookings": bookings, "version": ledger.version + 1}),
                    },
                    # Unchanged since it was read (version 0: there was none), so the limit check still holds.
                    "ConditionExpression": "attribute_not_exists(pk) OR version = :expected",
                    "ExpressionAttributeValues": to_item({":expected": ledger.version}),
                }
            },
            lambda: ChangedMeanwhile(TEXTS("yours_changed")),
        )

    def _claim_guards(self, appointment: Appointment, now: datetime) -> list[Write]:
        writes: list[Write] = []
        for key in guard_keys(appointment):
            if appointment.kind is AppointmentKind.CASE_MEETING:
                refusal = TEXTS("already_booked_case", caseNumber=appointment.case_number or "")
            else:
                service = str(from_item(key)["sk"]).removeprefix("DOCUMENT#")
                refusal = TEXTS("already_booked_document", service=TEXTS(f"service.{service}"))
            writes.append(
                Write(
                    {
                        "Put": {
                            "TableName": self._table,
                            "Item": {
                                **key,
                                **to_item(
                                    {
                                        "bookingNumber": appointment.booking_number,
                                        "startsAt": sortable_seconds(appointment.starts_at),
                                        "expiresAt": epoch(appointment.ends_at + SLOT_RETENTION),
                                    }
                                ),
                            },
                            # A guard whose appointment has begun no longer holds anyone back.
                            "ConditionExpression": "attribute_not_exists(pk) OR startsAt <= :now",
                            "ExpressionAttributeValues": to_item({":now": sortable_seconds(now)}),
                        }
                    },
                    partial(AlreadyBooked, refusal),
                )
            )
        return writes

    def _guards_held_by(self, appointment: Appointment) -> list[dict[str, Any]]:
        held: list[dict[str, Any]] = []
        for key in guard_keys(appointment):
            found = self._client.get_item(TableName=self._table, Key=key, ConsistentRead=True).get("Item")
            if found and from_item(found).get("bookingNumber") == appointment.booking_number:
                held.append(key)
        return held

    def _outbox(self, events: Events) -> list[Write]:
        return outbox_puts(self._table, events, source=SOURCE)

    def _transact(self, writes: Sequence[Write], *, booking_number: str) -> None:
        transact(
            self._client,
            writes,
            conflict="The appointment changed meanwhile. Read it again and retry.",
            subject=booking_number,
            attempts=CONFLICT_ATTEMPTS,
            busy=_busy,
            backoff=self._backoff,
        )
