"""The permits table: applications, payment references, licences, decided-case tallies and the outbox.

Item layout (pk / sk):
- ``APP#<diarienummer>`` / ``APP``: the application as JSON in ``body``, with its ``version``; indexed by
  applicant (``applicantKey``/``applicantSort``), while it waits for a case handler by queue in the order it
  was paid (``queueKey``/``queueSort``: ``weapons`` or a region), while its referral waits for an answer by
  municipality (``referralKey``/``referralSort``), and while something is due on it by that moment
  (``dueKey``/``dueSort``, one partition: a few writes per case, read by the job each run).
- ``PAYREF#<reference>`` / ``PAYREF``: which application a payment reference pays for.
- ``PAYMENT#<transactionId>`` / ``REVIEW``: a payment that was made but could not be taken (a wrong amount, an
  application no longer waiting for its fee), kept for staff to refund or match.
- ``LICENCE#<licenceNumber>`` / ``LICENCE``: a licence or purchase permit; indexed by holder (``holderKey``, a
  keyed hash of the personnummer, never the number itself) and, while its end may need a reminder or an
  expiry, by that end (``expiryKey``/``expirySort``).
- ``DECIDED#weapons`` / ``<decidedAt>#<diarienummer>``: one row per decided weapons case, counted for the
  national queue's throughput.
- ``COUNTER#...``: running numbers (shared.adapters.counters); ``OUTBOX#...``: events on their way to the bus.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from services.permits.domain.applying import queue_of
from services.permits.domain.errors import ChangedMeanwhile
from services.permits.domain.model import Application, ApplicationStatus, Licence, LicenceKind, LicenceStatus
from services.permits.domain.ports import Page
from services.permits.messages import TEXTS
from shared.adapters.audit import DynamoDbAuditLog
from shared.adapters.counters import DynamoDbCounter
from shared.adapters.dynamodb import (
    Write,
    from_body,
    outbox_puts,
    put,
    put_if_absent,
    put_if_version,
    query_all,
    query_page,
    sortable,
    to_item,
    transact,
)
from shared.audit import AuditRecord
from shared.errors import Conflict
from shared.events.contracts.permits import SOURCE
from shared.events.envelope import Envelope, EventData
from shared.payments import PaymentConfirmation

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

APPLICANT_INDEX = "byApplicant"
QUEUE_INDEX = "byQueue"
REFERRAL_INDEX = "byMunicipality"
DUE_INDEX = "byDue"
HOLDER_INDEX = "byHolder"
EXPIRY_INDEX = "byExpiry"
DUE_PARTITION = "DUE"
EXPIRY_PARTITION = "EXPIRY"
DECIDED_WEAPONS = "DECIDED#weapons"
# Decided rows are counted for a few weeks' throughput, then expire.
DECIDED_RETENTION = timedelta(days=90)


def application_key(diarienummer: str) -> dict[str, Any]:
    return to_item({"pk": f"APP#{diarienummer}", "sk": "APP"})


def licence_key(licence_number: str) -> dict[str, Any]:
    return to_item({"pk": f"LICENCE#{licence_number}", "sk": "LICENCE"})


def application_item(application: Application) -> dict[str, Any]:
    number = application.diarienummer
    paid = application.payment.paid_at
    queued = application.status is ApplicationStatus.QUEUED and paid is not None
    referral = application.referral
    referred = (
        application.status is ApplicationStatus.REFERRED and referral is not None and referral.answer is None
    )
    due = application.next_due_at
    return to_item(
        {
            "pk": f"APP#{number}",
            "sk": "APP",
            "applicantKey": f"APPLICANT#{application.applicant_ref}",
            "applicantSort": f"{sortable(application.submitted_at)}#{number}",
            "queueKey": f"QUEUE#{queue_of(application)}" if queued else None,
            "queueSort": f"{sortable(paid)}#{number}" if queued and paid else None,
            "referralKey": f"REFERRAL#{referral.municipality_code}" if referred and referral else None,
            "referralSort": f"{sortable(referral.sent_at)}#{number}" if referred and referral else None,
            "dueKey": DUE_PARTITION if due else None,
            "dueSort": f"{sortable(due)}#{number}" if due else None,
            "status": application.status.value,
            "version": application.version,
            "body": application.model_dump_json(),
        }
    )


def _application(item: dict[str, Any]) -> Application:
    return from_body(Application, item)


def holder_hash(secret: bytes, personnummer: str) -> str:
    return hmac.new(secret, personnummer.encode(), hashlib.sha256).hexdigest()


def _changed_meanwhile() -> Exception:
    return ChangedMeanwhile(TEXTS("changed"))


class DynamoDbPermits:
    """Applications and the register of licences, in one table (a grant changes both in one transaction)."""

    def __init__(
        self,
        table_name: str,
        client: DynamoDBClient,
        *,
        audit: DynamoDbAuditLog,
        holder_secret: Callable[[], bytes],
    ) -> None:
        self._table = table_name
        self._client = client
        self._audit = audit
        self._holder_secret = holder_secret
        self._counter = DynamoDbCounter(table_name, client)

    # --- applications --------------------------------------------------------------------------------------

    def allocate_number(self, year: int) -> int:
        return self._counter.next(f"permits-{year}")

    def add(self, application: Application, events: Sequence[Envelope[EventData]]) -> None:
        reference = application.payment.reference
        transact(
            self._client,
            [
                put_if_absent(self._table, application_item(application), refusal=_changed_meanwhile),
                put_if_absent(
                    self._table,
                    to_item(
                        {
                            "pk": f"PAYREF#{reference}",
                            "sk": "PAYREF",
                            "diarienummer": application.diarienummer,
                        }
                    ),
                    refusal=_changed_meanwhile,
                ),
                *outbox_puts(self._table, events, source=SOURCE),
            ],
            conflict=TEXTS("changed").render(),
            subject=application.diarienummer,
        )

    def hold_for_review(self, confirmation: PaymentConfirmation, *, diarienummer: str, why: str) -> None:
        row = to_item(
            {
                "pk": f"PAYMENT#{confirmation.transaction_id}",
                "sk": "REVIEW",
                "diarienummer": diarienummer,
                "why": why,
                "body": confirmation.model_dump_json(by_alias=True),
            }
        )
        self._client.put_item(TableName=self._table, Item=row)

    def get(self, diarienummer: str) -> Application | None:
        item = self._client.get_item(
            TableName=self._table, Key=application_key(diarienummer), ConsistentRead=True
        ).get("Item")
        return _application(item) if item else None

    def by_payment_reference(self, reference: str) -> Application | None:
        item = self._client.get_item(
            TableName=self._table,
            Key=to_item({"pk": f"PAYREF#{reference}", "sk": "PAYREF"}),
            ConsistentRead=True,
        ).get("Item")
        return self.get(item["diarienummer"]["S"]) if item else None

    def save(
        self,
        application: Application,
        *,
        expected_version: int,
        events: Sequence[Envelope[EventData]] = (),
        audit: AuditRecord | None = None,
        licences: Sequence[Licence] = (),
        expected_licence_versions: dict[str, int] | None = None,
    ) -> None:
        writes: list[Write] = [
            put_if_version(
                self._table, application_item(application), expected_version, refusal=_changed_meanwhile
            )
        ]
        versions = expected_licence_versions or {}
        for licence in licences:
            writes.append(self._licence_write(licence, versions.get(licence.licence_number)))
        decision = application.decision
        if decision is not None and application.kind.is_weapons and application.status.is_decided:
            writes.append(
                put(
                    self._table,
                    to_item(
                        {
                            "pk": DECIDED_WEAPONS,
                            "sk": f"{sortable(decision.decided_at)}#{application.diarienummer}",
                            "expiresAt": int((decision.decided_at + DECIDED_RETENTION).timestamp()),
                        }
                    ),
                )
            )
        if audit is not None:
            writes.append(self._audit.put(audit))
        writes.extend(outbox_puts(self._table, events, source=SOURCE))
        transact(self._client, writes, conflict=TEXTS("changed").render(), subject=application.diarienummer)

    def _page(self, query: dict[str, Any], start: dict[str, Any] | None) -> Page:
        items, next_start = query_page(self._client, query, start)
        keys = [{"pk": item["pk"], "sk": item["sk"]} for item in items]
        found = [self.get(key["pk"]["S"].removeprefix("APP#")) for key in keys]
        return Page([a for a in found if a is not None], next_start)

    def of_applicant(self, applicant_ref: str, *, limit: int, start: dict[str, Any] | None) -> Page:
        return self._page(
            {
                "TableName": self._table,
                "IndexName": APPLICANT_INDEX,
                "KeyConditionExpression": "applicantKey = :key",
                "ExpressionAttributeValues": to_item({":key": f"APPLICANT#{applicant_ref}"}),
                "ScanIndexForward": False,
                "Limit": limit,
            },
            start,
        )

    def queue(self, queue: str, *, limit: int, start: dict[str, Any] | None) -> Page:
        return self._page(
            {
                "TableName": self._table,
                "IndexName": QUEUE_INDEX,
                "KeyConditionExpression": "queueKey = :key",
                "ExpressionAttributeValues": to_item({":key": f"QUEUE#{queue}"}),
                "Limit": limit,
            },
            start,
        )

    def position_in_queue(self, application: Application) -> int:
        paid = application.payment.paid_at
        if paid is None:
            return 0
        response = self._client.query(
            TableName=self._table,
            IndexName=QUEUE_INDEX,
            KeyConditionExpression="queueKey = :key AND queueSort < :mine",
            ExpressionAttributeValues=to_item(
                {
                    ":key": f"QUEUE#{queue_of(application)}",
                    ":mine": f"{sortable(paid)}#{application.diarienummer}",
                }
            ),
            Select="COUNT",
        )
        return int(response.get("Count", 0))

    def referrals_of(self, municipality_code: str, *, limit: int, start: dict[str, Any] | None) -> Page:
        return self._page(
            {
                "TableName": self._table,
                "IndexName": REFERRAL_INDEX,
                "KeyConditionExpression": "referralKey = :key",
                "ExpressionAttributeValues": to_item({":key": f"REFERRAL#{municipality_code}"}),
                "Limit": limit,
            },
            start,
        )

    def due(self, *, by: datetime) -> Iterator[Application]:
        for item in query_all(
            self._client,
            {
                "TableName": self._table,
                "IndexName": DUE_INDEX,
                "KeyConditionExpression": "dueKey = :key AND dueSort <= :by",
                "ExpressionAttributeValues": to_item({":key": DUE_PARTITION, ":by": f"{sortable(by)}#~"}),
            },
        ):
            application = self.get(item["pk"]["S"].removeprefix("APP#"))
            if application is not None:
                yield application

    def decided_weapons_cases(self, since: date) -> int:
        response = self._client.query(
            TableName=self._table,
            KeyConditionExpression="pk = :pk AND sk >= :since",
            ExpressionAttributeValues=to_item({":pk": DECIDED_WEAPONS, ":since": since.isoformat()}),
            Select="COUNT",
        )
        return int(response.get("Count", 0))

    # --- the register of licences --------------------------------------------------------------------------

    def allocate_licence_number(self, year: int) -> int:
        return self._counter.next(f"licences-{year}")

    def _licence_item(self, licence: Licence) -> dict[str, Any]:
        watched = (
            licence.status is LicenceStatus.VALID
            and licence.valid_until is not None
            and (licence.reminded_at is None or licence.kind is LicenceKind.PURCHASE_PERMIT)
        )
        return to_item(
            {
                "pk": f"LICENCE#{licence.licence_number}",
                "sk": "LICENCE",
                "holderKey": f"HOLDER#{holder_hash(self._holder_secret(), licence.holder_personnummer)}",
                "holderSort": licence.licence_number,
                "expiryKey": EXPIRY_PARTITION if watched else None,
                "expirySort": f"{licence.valid_until.isoformat()}#{licence.licence_number}"
                if watched and licence.valid_until
                else None,
                "version": licence.version,
                "body": licence.model_dump_json(),
            }
        )

    def _licence_write(self, licence: Licence, expected_version: int | None) -> Write:
        item = self._licence_item(licence)
        if expected_version is None:
            return put_if_absent(self._table, item, refusal=_changed_meanwhile)
        return put_if_version(self._table, item, expected_version, refusal=_changed_meanwhile)

    def licence(self, licence_number: str) -> Licence | None:
        item = self._client.get_item(
            TableName=self._table, Key=licence_key(licence_number), ConsistentRead=True
        ).get("Item")
        return from_body(Licence, item) if item else None

    def held_by(self, personnummer: str) -> list[Licence]:
        items = query_all(
            self._client,
            {
                "TableName": self._table,
                "IndexName": HOLDER_INDEX,
                "KeyConditionExpression": "holderKey = :key",
                "ExpressionAttributeValues": to_item(
                    {":key": f"HOLDER#{holder_hash(self._holder_secret(), personnummer)}"}
                ),
            },
        )
        found = [self.licence(item["pk"]["S"].removeprefix("LICENCE#")) for item in items]
        return [
            licence
            for licence in found
            if licence is not None and licence.holder_personnummer == personnummer
        ]

    def expiring(self, by: date) -> Iterator[Licence]:
        for item in query_all(
            self._client,
            {
                "TableName": self._table,
                "IndexName": EXPIRY_INDEX,
                "KeyConditionExpression": "expiryKey = :key AND expirySort <= :by",
                "ExpressionAttributeValues": to_item(
                    {":key": EXPIRY_PARTITION, ":by": f"{by.isoformat()}#~"}
                ),
            },
        ):
            licence = self.licence(item["pk"]["S"].removeprefix("LICENCE#"))
            if licence is not None:
                yield licence

    def save_licence(
        self, licence: Licence, *, expected_version: int | None, events: Sequence[Envelope[EventData]] = ()
    ) -> None:
        transact(
            self._client,
            [
                self._licence_write(licence, expected_version),
                *outbox_puts(self._table, events, source=SOURCE),
            ],
            conflict=TEXTS("changed").render(),
        )

    def put_licences(self, licences: Sequence[Licence]) -> None:
        """Load licences into the register as they are (the local cloud's seed)."""
        for licence in licences:
            try:
                self.save_licence(licence, expected_version=None)
            except Conflict:
                continue
