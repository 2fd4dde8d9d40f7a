"""The feedback table: items, case owners learnt from the other services' events, and the outbox.

Item layout (pk / sk):
- ``FEEDBACK#<feedbackNumber>`` / ``ITEM``: the item as JSON in ``body``, with its ``version``; indexed by
  sender (``ownerKey``/``ownerSort``, identified senders only), while open by regional function in the order
  its answer falls due (``regionKey``/``regionSort``), and while a reminder or escalation is ahead by that
  moment (``dueKey``/``dueSort``, one partition).
- ``THEMES#<month>`` / ``<feedbackNumber>``: what the item adds to the month's figures (kind,
  category, unit, answered, in time, answer days; no text, no sender), written with the item.
- ``PUBLISHED#<month>`` / ``<feedbackNumber>``: an approved publication (redacted text, kind, category,
  municipality name, month): the public database.
- ``LESSONS`` / ``<lessonId>``: a lesson (what the police changed, and after which items).
- ``CASE#<caseNumber>`` / ``OWNER``: whose report or permit case a number is (``ownerRef``), from
  ``ReportFiled`` and ``PermitApplicationSubmitted``.
- ``COUNTER#...``: running numbers; ``OUTBOX#...``: events on their way to the bus.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from services.feedback.adapters.search_index import IndexedFeedback, index_writes, reindex_writes
from services.feedback.domain.learning import ThemeRow
from services.feedback.domain.lessons import Lesson
from services.feedback.domain.model import Category, FeedbackItem, Kind
from services.feedback.domain.ports import Page
from services.feedback.domain.search_terms import terms
from services.feedback.messages import TEXTS
from shared.adapters.audit import DynamoDbAuditLog
from shared.adapters.counters import DynamoDbCounter
from shared.adapters.dynamodb import (
    Write,
    conditional_put,
    from_body,
    from_item,
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
from shared.events.contracts.feedback import SOURCE
from shared.events.envelope import Envelope, EventData

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

OWNER_INDEX = "byOwner"
REGION_INDEX = "byRegionOpen"
DUE_INDEX = "byDue"
DUE_PARTITION = "DUE"
LESSONS = "LESSONS"


def item_key(feedback_number: str) -> dict[str, Any]:
    return to_item({"pk": f"FEEDBACK#{feedback_number}", "sk": "ITEM"})


def feedback_item(item: FeedbackItem) -> dict[str, Any]:
    number = item.feedback_number
    due = item.next_due_at
    is_open = item.status.is_open
    return to_item(
        {
            "pk": f"FEEDBACK#{number}",
            "sk": "ITEM",
            "ownerKey": f"OWNER#{item.owner_ref}" if item.owner_ref else None,
            "ownerSort": f"{sortable(item.received_at)}#{number}" if item.owner_ref else None,
            "regionKey": f"REGION#{item.region}" if is_open else None,
            "regionSort": f"{sortable(item.answer_due_at)}#{number}" if is_open else None,
            "dueKey": DUE_PARTITION if due else None,
            "dueSort": f"{sortable(due)}#{number}" if due else None,
            "status": item.status.value,
            "version": item.version,
            "body": item.model_dump_json(),
        }
    )


def theme_item(item: FeedbackItem) -> dict[str, Any]:
    row = ThemeRow.of(item)
    return to_item(
        {
            "pk": f"THEMES#{row.month}",
            # By number alone: an item passed to another region moves its row, it is not counted twice.
            "sk": row.feedback_number,
            "region": row.region,
            "unit": row.unit,
            "kind": row.kind.value,
            "category": row.category.value,
            "answered": row.answered,
            "answeredInTime": row.answered_in_time,
            "answerDays": str(row.answer_days) if row.answer_days is not None else None,
        }
    )


def _theme_row(month: str, item: dict[str, Any]) -> ThemeRow:
    return ThemeRow(
        feedback_number=item["sk"]["S"],
        month=month,
        region=item["region"]["S"],
        unit=item.get("unit", {}).get("S", ""),
        kind=Kind(item["kind"]["S"]),
        category=Category(item["category"]["S"]),
        answered=item["answered"]["BOOL"],
        answered_in_time=item["answeredInTime"]["BOOL"],
        answer_days=float(item["answerDays"]["S"]) if "answerDays" in item else None,
    )


def published_item(item: FeedbackItem) -> dict[str, Any] | None:
    """The public database's row of an approved publication: the redacted text, the municipality, the month."""
    publication = item.publication
    if publication is None:
        return None
    return to_item(
        {
            "pk": f"PUBLISHED#{publication.month}",
            "sk": item.feedback_number,
            "kind": item.draft.kind.value,
            "category": item.draft.category.value,
            "municipality": publication.municipality,
            "month": publication.month,
            "text": publication.text,
        }
    )


# Of a long text, the words up to this many distinct ones are searchable: an item and its index rows are one
# transaction of at most 100 writes (the item, its theme row, publication, audit, events and the index).
SEARCHABLE_TERMS = 88


def searchable_text(text: str) -> str:
    """The text up to the word that would make it more than ``SEARCHABLE_TERMS`` distinct terms."""
    seen: set[str] = set()
    kept: list[str] = []
    for word in text.split():
        new = terms(word) - seen
        if len(seen) + len(new) > SEARCHABLE_TERMS:
            break
        seen |= new
        kept.append(word)
    return " ".join(kept)


def indexed(item: FeedbackItem) -> IndexedFeedback:
    concerns = item.draft.concerns
    return IndexedFeedback(
        number=item.feedback_number,
        received_at=item.received_at,
        region=item.region,
        text=searchable_text(item.draft.text),
        kind=item.draft.kind.value,
        category=item.draft.category.value,
        status=item.status.value,
        channel=item.channel.value,
        unit=concerns.unit.name if concerns.unit else None,
        municipality=concerns.municipality_code,
    )


def _changed() -> Exception:
    return Conflict(TEXTS("changed"))


class DynamoDbFeedback:
    def __init__(self, table_name: str, client: DynamoDBClient, *, audit: DynamoDbAuditLog) -> None:
        self._table = table_name
        self._client = client
        self._audit = audit
        self._counter = DynamoDbCounter(table_name, client)

    def allocate_number(self, year: int) -> int:
        return self._counter.next(f"feedback-{year}")

    def add(self, item: FeedbackItem, events: Sequence[Envelope[EventData]]) -> None:
        transact(
            self._client,
            [
                put_if_absent(self._table, feedback_item(item), refusal=_changed),
                put(self._table, theme_item(item)),
                *outbox_puts(self._table, events, source=SOURCE),
                *index_writes(self._table, indexed(item)),
            ],
            conflict=TEXTS("changed").render(),
            subject=item.feedback_number,
        )

    def get(self, feedback_number: str) -> FeedbackItem | None:
        found = self._client.get_item(
            TableName=self._table, Key=item_key(feedback_number), ConsistentRead=True
        ).get("Item")
        return from_body(FeedbackItem, found) if found else None

    def save(
        self,
        item: FeedbackItem,
        *,
        expected_version: int,
        events: Sequence[Envelope[EventData]] = (),
        audit: AuditRecord | None = None,
    ) -> None:
        writes: list[Write] = [
            put_if_version(self._table, feedback_item(item), expected_version, refusal=_changed),
            put(self._table, theme_item(item)),
        ]
        published = published_item(item)
        if published is not None:
            writes.append(put(self._table, published))
        if audit is not None:
            writes.append(self._audit.put(audit))
        writes.extend(outbox_puts(self._table, events, source=SOURCE))
        before = self.get(item.feedback_number)
        moves = reindex_writes(self._table, indexed(before), indexed(item)) if before is not None else []
        # The index rows' new state goes with the change; rows of a region the item left go right after.
        writes.extend(w for w in moves if "Put" in w.request)
        transact(self._client, writes, conflict=TEXTS("changed").render(), subject=item.feedback_number)
        stale = [w for w in moves if "Delete" in w.request]
        for first in range(0, len(stale), 100):
            transact(self._client, stale[first : first + 100], conflict=TEXTS("changed").render())

    def _page(self, query: dict[str, Any], start: dict[str, Any] | None) -> Page:
        rows, next_start = query_page(self._client, query, start)
        found = [self.get(row["pk"]["S"].removeprefix("FEEDBACK#")) for row in rows]
        return Page([i for i in found if i is not None], next_start)

    def of_owner(self, owner_ref: str, *, limit: int, start: dict[str, Any] | None) -> Page:
        return self._page(
            {
                "TableName": self._table,
                "IndexName": OWNER_INDEX,
                "KeyConditionExpression": "ownerKey = :key",
                "ExpressionAttributeValues": to_item({":key": f"OWNER#{owner_ref}"}),
                "ScanIndexForward": False,
                "Limit": limit,
            },
            start,
        )

    def open_in_region(self, region: str, *, limit: int, start: dict[str, Any] | None) -> Page:
        return self._page(
            {
                "TableName": self._table,
                "IndexName": REGION_INDEX,
                "KeyConditionExpression": "regionKey = :key",
                "ExpressionAttributeValues": to_item({":key": f"REGION#{region}"}),
                "Limit": limit,
            },
            start,
        )

    def due(self, *, by: datetime) -> Iterator[FeedbackItem]:
        for row in query_all(
            self._client,
            {
                "TableName": self._table,
                "IndexName": DUE_INDEX,
                "KeyConditionExpression": "dueKey = :key AND dueSort <= :by",
                "ExpressionAttributeValues": to_item({":key": DUE_PARTITION, ":by": f"{sortable(by)}#~"}),
            },
        ):
            item = self.get(row["pk"]["S"].removeprefix("FEEDBACK#"))
            if item is not None:
                yield item

    def theme_rows(self, months: list[str], region: str | None) -> list[ThemeRow]:
        """The theme rows of ``months``, of one region or (None) of all."""
        rows: list[ThemeRow] = []
        for month in months:
            query: dict[str, Any] = {
                "TableName": self._table,
                "KeyConditionExpression": "pk = :pk",
                "ExpressionAttributeValues": to_item(
                    {":pk": f"THEMES#{month}", **({":region": region} if region else {})}
                ),
            }
            if region:
                query["FilterExpression"] = "#region = :region"
                query["ExpressionAttributeNames"] = {"#region": "region"}
            rows.extend(_theme_row(month, item) for item in query_all(self._client, query))
        return rows

    def published(self, months: list[str]) -> Iterator[dict[str, Any]]:
        """The public database's rows of ``months``, newest month first."""
        for month in sorted(months, reverse=True):
            for row in query_all(
                self._client,
                {
                    "TableName": self._table,
                    "KeyConditionExpression": "pk = :pk",
                    "ExpressionAttributeValues": to_item({":pk": f"PUBLISHED#{month}"}),
                },
            ):
                yield from_item(row)

    # --- lessons -------------------------------------------------------------------------------------------

    def add_lesson(self, lesson: Lesson, events: list[Envelope[EventData]]) -> None:
        row = to_item({"pk": LESSONS, "sk": lesson.lesson_id, "body": lesson.model_dump_json()})
        transact(
            self._client,
            [
                put_if_absent(self._table, row, refusal=_changed),
                *outbox_puts(self._table, events, source=SOURCE),
            ],
            conflict=TEXTS("changed").render(),
        )

    def lesson(self, lesson_id: str) -> Lesson | None:
        found = self._client.get_item(
            TableName=self._table, Key=to_item({"pk": LESSONS, "sk": lesson_id})
        ).get("Item")
        return from_body(Lesson, found) if found else None

    def lessons(self, *, limit: int) -> list[Lesson]:
        rows = query_all(
            self._client,
            {
                "TableName": self._table,
                "KeyConditionExpression": "pk = :pk",
                "ExpressionAttributeValues": to_item({":pk": LESSONS}),
            },
        )
        found = sorted(
            (from_body(Lesson, row) for row in rows), key=lambda lesson: lesson.published_at, reverse=True
        )
        return found[:limit]

    # --- case owners ---------------------------------------------------------------------------------------

    def owner_of(self, case_number: str) -> str | None:
        found = self._client.get_item(
            TableName=self._table, Key=to_item({"pk": f"CASE#{case_number}", "sk": "OWNER"})
        ).get("Item")
        return found["ownerRef"]["S"] if found else None

    def learn_owner(self, case_number: str, owner_ref: str) -> None:
        """Record whose case a number is; a redelivery of the same announcement changes nothing."""
        try:
            conditional_put(
                self._client,
                self._table,
                to_item({"pk": f"CASE#{case_number}", "sk": "OWNER", "ownerRef": owner_ref}),
                condition="attribute_not_exists(pk)",
                refusal=_changed,
            )
        except Conflict:
            return
