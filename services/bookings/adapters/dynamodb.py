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

import random
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from services.bookings.domain.appointments import Appointment, AppointmentStatus
from services.bookings.domain.errors import (
    AlreadyBooked,
    BookingNumberTaken,
    ChangedMeanwhile,
    SlotFull,
)
from services.bookings.domain.ports import BookerLedger, Events, Page
from services.bookings.domain.receptions import AppointmentKind
from shared.clock import stockholm_time
from shared.errors import DomainError
from shared.events.contracts.bookings import SOURCE
from shared.events.outbox import outbox_item

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef

BOOKER_INDEX = "byBooker"
DAY_INDEX = "byReceptionDay"
REMINDER_INDEX = "byReminderDue"
# Appointments hold personal data: kept for a quarter after they took place, then removed by TTL.
APPOINTMENT_RETENTION = timedelta(days=90)
SLOT_RETENTION = timedelta(days=7)
# Busy slots: DynamoDB cancels a transaction that meets another on the same item; those are retried.
CONFLICT_ATTEMPTS = 6
CONFLICT_BACKOFF_S = 0.02

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


def item(values: dict[str, Any]) -> dict[str, Any]:
    return {k: _serializer.serialize(v) for k, v in values.items() if v is not None}


def plain(attributes: dict[str, Any]) -> dict[str, Any]:
    return {k: _deserializer.deserialize(v) for k, v in attributes.items()}


def utc_key(moment: datetime) -> str:
    """A UTC instant as a sortable key: ``2026-11-24T08:15:00Z``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def from_utc_key(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def appointment_key(booking_number: str) -> dict[str, Any]:
    return item({"pk": f"APPOINTMENT#{booking_number}", "sk": "APPOINTMENT"})


def slot_key(reception_id: str, kind: AppointmentKind, starts_at: datetime) -> dict[str, Any]:
    return item({"pk": f"SLOTS#{reception_id}#{kind.value}", "sk": utc_key(starts_at)})


def ledger_key(booker_ref: str) -> dict[str, Any]:
    return item({"pk": f"LEDGER#{booker_ref}", "sk": "LEDGER"})


def guard_keys(appointment: Appointment) -> list[dict[str, Any]]:
    """The guards an active appointment holds: per applicant and document, or per case."""
    if appointment.kind is AppointmentKind.CASE_MEETING:
        return [item({"pk": f"CASE#{appointment.case_number}", "sk": "MEETING"})]
    return [
        item({"pk": f"APPLICANT#{appointment.applicant_personnummer}", "sk": f"DOCUMENT#{service.value}"})
        for service in appointment.services
    ]


def appointment_item(appointment: Appointment) -> dict[str, Any]:
    number = appointment.booking_number
    start = utc_key(appointment.starts_at)
    listed = appointment.status is not AppointmentStatus.CANCELLED
    day = stockholm_time(appointment.starts_at).date().isoformat()
    due = appointment.reminder_due_at
    awaits_reminder = appointment.awaits_reminder
    return item(
        {
            "pk": f"APPOINTMENT#{number}",
            "sk": "APPOINTMENT",
            "bookerKey": f"BOOKER#{appointment.booker_ref}",
            "bookerSort": f"{start}#{number}",
            "dayKey": f"DAY#{appointment.reception_id}#{day}" if listed else None,
            "daySort": f"{start}#{number}" if listed else None,
            "reminderKey": f"REMIND#{due.astimezone(UTC).date().isoformat()}" if awaits_reminder else None,
            "reminderSort": f"{utc_key(due)}#{number}" if awaits_reminder else None,
            "status": appointment.status.value,
            "version": appointment.version,
            "expiresAt": epoch(appointment.ends_at + APPOINTMENT_RETENTION),
            "body": appointment.model_dump_json(),
        }
    )


def _appointment(attributes: dict[str, Any]) -> Appointment:
    return Appointment.model_validate_json(_deserializer.deserialize(attributes["body"]))


@dataclass(frozen=True)
class _Write:
    """One item of a transaction and the refusal its failed condition stands for."""

    request: TransactWriteItemTypeDef
    refusal: Callable[[], DomainError] | None = None


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
        self._backoff = backoff or _jittered_sleep

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
        values = plain(found)
        bookings = {number: from_utc_key(start) for number, start in values.get("bookings", {}).items()}
        return BookerLedger(version=int(values["version"]), bookings=bookings)

    def booked_counts(
        self, reception_id: str, kind: AppointmentKind, first: datetime, last: datetime
    ) -> dict[datetime, int]:
        counts: dict[datetime, int] = {}
        for found in self._query(
            KeyConditionExpression="pk = :slots AND sk BETWEEN :first AND :last",
            ExpressionAttributeValues=item(
                {
                    ":slots": f"SLOTS#{reception_id}#{kind.value}",
                    ":first": utc_key(first),
                    ":last": utc_key(last),
                }
            ),
            ConsistentRead=True,
        ):
            values = plain(found)
            counts[from_utc_key(values["sk"])] = int(values.get("booked", 0))
        return counts

    def places_taken(self, reception_id: str, kind: AppointmentKind, starts_at: datetime) -> int:
        found = self._client.get_item(
            TableName=self._table,
            Key=slot_key(reception_id, kind, starts_at),
            ConsistentRead=True,
            ProjectionExpression="booked",
        ).get("Item")
        return int(plain(found).get("booked", 0)) if found else 0

    def list_booked_by(self, booker_ref: str, *, limit: int, start: dict[str, Any] | None) -> Page:
        query: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": BOOKER_INDEX,
            "KeyConditionExpression": "bookerKey = :booker",
            "ExpressionAttributeValues": item({":booker": f"BOOKER#{booker_ref}"}),
            "ScanIndexForward": False,
            "Limit": limit,
        }
        if start:
            query["ExclusiveStartKey"] = item(start)
        response = self._client.query(**query)
        last = response.get("LastEvaluatedKey")
        return Page(
            appointments=[_appointment(found) for found in response.get("Items", [])],
            next_start=plain(last) if last else None,
        )

    def on_day(self, reception_id: str, day: date) -> list[Appointment]:
        return [
            _appointment(found)
            for found in self._query(
                IndexName=DAY_INDEX,
                KeyConditionExpression="dayKey = :day",
                ExpressionAttributeValues=item({":day": f"DAY#{reception_id}#{day.isoformat()}"}),
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
                ExpressionAttributeValues=item(
                    {":bucket": f"REMIND#{bucket.isoformat()}", ":due": f"{utc_key(as_of)}#~"}
                ),
            ):
                due.append(_appointment(found))
                if len(due) >= limit:
                    return due
        return due

    def _query(self, **query: Any) -> Iterator[dict[str, Any]]:
        request: dict[str, Any] = {"TableName": self._table, **query}
        while True:
            response = self._client.query(**request)
            yield from response.get("Items", [])
            last = response.get("LastEvaluatedKey")
            if not last:
                return
            request["ExclusiveStartKey"] = last

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
            _Write(
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
        self._transact([*writes, *self._outbox(events)])

    def reschedule(self, previous: Appointment, moved: Appointment, *, capacity: int, events: Events) -> None:
        writes = [
            self._replace(previous, moved),
            self._take_place(moved, capacity),
            self._give_back_place(previous),
        ]
        if moved.kind is AppointmentKind.DOCUMENTS:
            writes.append(
                _Write(
                    {
                        "Update": {
                            "TableName": self._table,
                            "Key": ledger_key(moved.booker_ref),
                            "UpdateExpression": "SET bookings.#number = :start ADD version :one",
                            "ExpressionAttributeNames": {"#number": moved.booking_number},
                            "ExpressionAttributeValues": item(
                                {":start": utc_key(moved.starts_at), ":one": 1}
                            ),
                        }
                    }
                )
            )
        for key in guard_keys(moved):
            writes.append(
                _Write(
                    {
                        "Update": {
                            "TableName": self._table,
                            "Key": key,
                            "UpdateExpression": "SET startsAt = :start, expiresAt = :expires",
                            "ConditionExpression": "bookingNumber = :number",
                            "ExpressionAttributeValues": item(
                                {
                                    ":start": utc_key(moved.starts_at),
                                    ":expires": epoch(moved.ends_at + SLOT_RETENTION),
                                    ":number": moved.booking_number,
                                }
                            ),
                        }
                    },
                    lambda: ChangedMeanwhile("The appointment changed meanwhile. Read it again."),
                )
            )
        self._transact([*writes, *self._outbox(events)])

    def close(
        self, previous: Appointment, closed: Appointment, *, release_slot: bool, events: Events
    ) -> None:
        writes = [self._replace(previous, closed)]
        if release_slot:
            writes.append(self._give_back_place(previous))
        if previous.kind is AppointmentKind.DOCUMENTS:
            writes.append(
                _Write(
                    {
                        "Update": {
                            "TableName": self._table,
                            "Key": ledger_key(previous.booker_ref),
                            "UpdateExpression": "REMOVE bookings.#number ADD version :one",
                            "ExpressionAttributeNames": {"#number": previous.booking_number},
                            "ExpressionAttributeValues": item({":one": 1}),
                        }
                    }
                )
            )
        # A guard may already belong to a newer booking (once this one's time passed): only ours are released.
        for key in self._guards_held_by(previous):
            writes.append(
                _Write(
                    {
                        "Delete": {
                            "TableName": self._table,
                            "Key": key,
                            "ConditionExpression": "bookingNumber = :number",
                            "ExpressionAttributeValues": item({":number": previous.booking_number}),
                        }
                    },
                    lambda: ChangedMeanwhile("The appointment changed meanwhile. Read it again."),
                )
            )
        self._transact([*writes, *self._outbox(events)])

    def mark_reminded(self, previous: Appointment, reminded: Appointment, *, events: Events) -> None:
        self._transact([self._replace(previous, reminded), *self._outbox(events)])

    # --- transaction parts ------------------------------------------------------------------------------

    def _replace(self, previous: Appointment, changed: Appointment) -> _Write:
        return _Write(
            {
                "Put": {
                    "TableName": self._table,
                    "Item": appointment_item(changed),
                    "ConditionExpression": "version = :expected",
                    "ExpressionAttributeValues": item({":expected": previous.version}),
                }
            },
            lambda: ChangedMeanwhile(
                f"Appointment {previous.booking_number} changed meanwhile. Read it again and retry."
            ),
        )

    def _take_place(self, appointment: Appointment, capacity: int) -> _Write:
        return _Write(
            {
                "Update": {
                    "TableName": self._table,
                    "Key": slot_key(appointment.reception_id, appointment.kind, appointment.starts_at),
                    "UpdateExpression": "SET #capacity = :capacity, expiresAt = :expires ADD booked :one",
                    "ConditionExpression": "attribute_not_exists(booked) OR booked < :capacity",
                    "ExpressionAttributeNames": {"#capacity": "capacity"},  # a reserved word
                    "ExpressionAttributeValues": item(
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

    def _give_back_place(self, appointment: Appointment) -> _Write:
        return _Write(
            {
                "Update": {
                    "TableName": self._table,
                    "Key": slot_key(appointment.reception_id, appointment.kind, appointment.starts_at),
                    "UpdateExpression": "ADD booked :minus_one",
                    "ConditionExpression": "booked > :zero",
                    "ExpressionAttributeValues": item({":minus_one": -1, ":zero": 0}),
                }
            },
            lambda: ChangedMeanwhile("The appointment's time changed meanwhile. Read it again."),
        )

    def _ledger_with(self, appointment: Appointment, ledger: BookerLedger, now: datetime) -> _Write:
        bookings = {number: utc_key(start) for number, start in ledger.active(now).items()}
        bookings[appointment.booking_number] = utc_key(appointment.starts_at)
        return _Write(
            {
                "Put": {
                    "TableName": self._table,
                    "Item": {
                        **ledger_key(appointment.booker_ref),
                        **item({"bookings": bookings, "version": ledger.version + 1}),
                    },
                    # Unchanged since it was read (version 0: there was none), so the limit check still holds.
                    "ConditionExpression": "attribute_not_exists(pk) OR version = :expected",
                    "ExpressionAttributeValues": item({":expected": ledger.version}),
                }
            },
            lambda: ChangedMeanwhile("Your bookings changed meanwhile. Try again."),
        )

    def _claim_guards(self, appointment: Appointment, now: datetime) -> list[_Write]:
        writes: list[_Write] = []
        for key in guard_keys(appointment):
            if appointment.kind is AppointmentKind.CASE_MEETING:
                refusal = f"Case {appointment.case_number} already has a booked meeting"
            else:
                service = _deserializer.deserialize(key["sk"]).removeprefix("DOCUMENT#")
                refusal = f"The applicant already has an active booking for {service}"
            writes.append(
                _Write(
                    {
                        "Put": {
                            "TableName": self._table,
                            "Item": {
                                **key,
                                **item(
                                    {
                                        "bookingNumber": appointment.booking_number,
                                        "startsAt": utc_key(appointment.starts_at),
                                        "expiresAt": epoch(appointment.ends_at + SLOT_RETENTION),
                                    }
                                ),
                            },
                            # A guard whose appointment has begun no longer holds anyone back.
                            "ConditionExpression": "attribute_not_exists(pk) OR startsAt <= :now",
                            "ExpressionAttributeValues": item({":now": utc_key(now)}),
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
            if found and plain(found).get("bookingNumber") == appointment.booking_number:
                held.append(key)
        return held

    def _outbox(self, events: Events) -> list[_Write]:
        return [
            _Write({"Put": {"TableName": self._table, "Item": item(outbox_item(event, source=SOURCE))}})
            for event in events
        ]

    def _transact(self, writes: Sequence[_Write]) -> None:
        for attempt in range(1, CONFLICT_ATTEMPTS + 1):
            try:
                self._client.transact_write_items(TransactItems=[w.request for w in writes])
                return
            except ClientError as error:
                if error.response["Error"]["Code"] != "TransactionCanceledException":
                    raise
                reasons = error.response.get("CancellationReasons", [])
                codes = [reason.get("Code") for reason in reasons]
                for write, code in zip(writes, codes, strict=False):
                    if code == "ConditionalCheckFailed":
                        refusal = write.refusal() if write.refusal else None
                        if refusal is None:
                            raise
                        raise refusal from error
                if "TransactionConflict" not in codes:
                    raise
                if attempt == CONFLICT_ATTEMPTS:
                    raise ChangedMeanwhile(
                        "Many are booking the same time right now. Try again in a moment."
                    ) from error
                self._backoff(attempt)


def _jittered_sleep(attempt: int) -> None:
    time.sleep(random.uniform(0, CONFLICT_BACKOFF_S * 2**attempt))  # noqa: S311 - jitter, not a secret
