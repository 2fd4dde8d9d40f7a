"""Feedback found by its words: an inverted index kept in DynamoDB (ADR 95).

Rows, in the table the caller names (pk and sk strings):

- one row per term of an item: pk ``TERM#<region>#<the term's first two letters>``, sk
  ``<term>#<received, sortable>#<feedback number>``, carrying the item's filter attributes and its other
  terms of the same partition (``near``); the rows of a whole word are its items newest first, and a
  prefix's rows are one ``begins_with`` within one partition;
- one row per item with all its terms: pk ``TERMS#<feedback number>``, sk ``TERMS``, read by key to check a
  candidate for the search's other words.

A search reads the rows of its rarest word (found by counting at most ``PROBE_ROWS`` rows of each), in each
region the searcher may see, merged newest first, filtered on the rows, and checks each candidate's other
words on its terms row. The next page starts where each region's rows were left.

Status changes move the rows too (status is a filter): :func:`reindex_writes` rewrites them.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from services.feedback.domain.search_terms import MIN_TERM_LENGTH, terms
from shared.adapters.dynamodb import Write, get_all, parse_sortable, put, query_page, sortable, to_item
from shared.regions import Region
from shared.staff import NATIONAL, StaffMember

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

# A transaction holds at most 100 items: the feedback item, its outbox item, the terms row and the term rows.
MAX_TERMS = 96
# Rows counted per word to find the rarest; more than this counts as common.
PROBE_ROWS = 100
# Rows read per region per request: a page's worth first, twice as many at each further read up to the
# most; and the most candidates one page examines before it answers with what it has (a search for rare
# words among common ones would otherwise read a region's whole partition).
MAX_ROWS_PER_READ = 400
MAX_CANDIDATES_PER_PAGE = 2000
DONE = "done"

FILTERS = ("kind", "category", "region", "unit", "municipality", "status", "channel")


class TooManyTerms(ValueError):
    """An item's text has more distinct words than its index rows can be written with in one transaction."""

    def __init__(self, count: int) -> None:
        super().__init__(f"the text has {count} distinct words; at most {MAX_TERMS} are indexed in one write")
        self.count = count


@dataclass(frozen=True)
class IndexedFeedback:
    """What the index keeps of a feedback item: what it is found by and filtered on."""

    number: str
    received_at: datetime
    region: str
    text: str
    kind: str
    category: str
    status: str
    channel: str
    unit: str | None = None
    municipality: str | None = None


@dataclass(frozen=True)
class SearchFilters:
    """Equalities every hit meets (``None``: any), and the period ``received_from`` ≤ received < ``received_to``."""

    kind: str | None = None
    category: str | None = None
    region: str | None = None
    unit: str | None = None
    municipality: str | None = None
    status: str | None = None
    channel: str | None = None
    received_from: datetime | None = None
    received_to: datetime | None = None


@dataclass(frozen=True)
class SearchHit:
    number: str
    received_at: datetime
    region: str
    kind: str
    category: str
    status: str
    channel: str
    unit: str | None
    municipality: str | None


@dataclass(frozen=True)
class SearchPage:
    hits: list[SearchHit]
    # Plain values for the caller's page token (shared.http.pagination); None after the last page.
    next_start: dict[str, Any] | None


# --- writes ----------------------------------------------------------------------------------------------


def index_rows(entry: IndexedFeedback) -> list[dict[str, Any]]:
    """The item's index rows as attribute maps: its terms row, then one row per term."""
    found = sorted(terms(entry.text))
    if len(found) > MAX_TERMS:
        raise TooManyTerms(len(found))
    received = sortable(entry.received_at)
    attributes = {name: getattr(entry, name) for name in FILTERS}
    rows = [to_item({"pk": _terms_pk(entry.number), "sk": "TERMS", "terms": set(found) or None})]
    rows += [
        to_item(
            {
                "pk": _term_pk(entry.region, term),
                "sk": f"{term}#{received}#{entry.number}",
                "term": term,
                "number": entry.number,
                "received": received,
                "near": {other for other in found if other[:2] == term[:2] and other != term} or None,
                **attributes,
            }
        )
        for term in found
    ]
    return rows


def index_writes(table: str, entry: IndexedFeedback) -> list[Write]:
    """The puts of the item's index rows, for the transaction that writes the item."""
    return [put(table, row) for row in index_rows(entry)]


def unindex_writes(table: str, entry: IndexedFeedback) -> list[Write]:
    """The deletes of the item's index rows, for the transaction that removes the item."""
    return [_delete(table, row) for row in index_rows(entry)]


def reindex_writes(table: str, old: IndexedFeedback, new: IndexedFeedback) -> list[Write]:
    """What moves the index from ``old`` to ``new`` (a new status, a corrected text): the rows of ``new``,
    and deletes of the rows of ``old`` that ``new`` has no row under."""
    rows = index_rows(new)
    keys = {(row["pk"]["S"], row["sk"]["S"]) for row in rows}
    stale = [row for row in index_rows(old) if (row["pk"]["S"], row["sk"]["S"]) not in keys]
    return [*(put(table, row) for row in rows), *(_delete(table, row) for row in stale)]


def _delete(table: str, row: Mapping[str, Any]) -> Write:
    return Write({"Delete": {"TableName": table, "Key": {"pk": row["pk"], "sk": row["sk"]}}})


def _term_pk(region: str, term: str) -> str:
    return f"TERM#{region}#{term[:MIN_TERM_LENGTH]}"


def _terms_pk(number: str) -> str:
    return f"TERMS#{number}"


# --- search ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Word:
    text: str
    prefix: bool

    def sk_start(self) -> str:
        return self.text if self.prefix else f"{self.text}#"

    def found_in(self, item_terms: set[str]) -> bool:
        if self.prefix:
            return any(term.startswith(self.text) for term in item_terms)
        return self.text in item_terms


class FeedbackSearchIndex:
    """The index of one table: searched by staff, region by region."""

    def __init__(self, client: DynamoDBClient, table: str) -> None:
        self._client = client
        self._table = table

    def search(
        self,
        staff: StaffMember,
        words: Sequence[str],
        filters: SearchFilters | None = None,
        *,
        limit: int = 25,
        start: Mapping[str, Any] | None = None,
    ) -> SearchPage:
        """The feedback with every one of ``words`` (from ``query_terms``: the last is a prefix) that meets
        ``filters``, in the regions ``staff`` may see, newest first (a prefix's hits grouped by the word they
        complete it to), ``limit`` at most, from ``start`` (a page's ``next_start``) on."""
        filters = filters or SearchFilters()
        regions = self._regions(staff, filters)
        query = [_Word(word, prefix=i == len(words) - 1) for i, word in enumerate(words)]
        if not regions or not query:
            return SearchPage([], None)
        if start:
            driver = _Word(str(start["word"]), prefix=bool(start["prefix"]))
            if driver not in query:
                raise ValueError("the page token belongs to another search")
            # Only the regions this searcher may see, whatever the token names.
            positions: dict[str, Any] = {region: start["positions"].get(region, DONE) for region in regions}
        else:
            driver = self._rarest(query, regions, filters)
            positions = dict.fromkeys(regions)
        others = [word for word in query if word != driver]
        hits: list[SearchHit] = []
        examined = 0
        for chunk in _chunks(self._merged(driver, filters, positions, first_read=limit + 1), max(limit, 25)):
            item_terms = self._terms_of(chunk) if others else {}
            for row, after in chunk:
                examined += 1
                positions.update(after)
                if self._is_hit(row, driver, others, item_terms):
                    hits.append(_hit(row))
                if len(hits) == limit or examined >= MAX_CANDIDATES_PER_PAGE:
                    return self._page(hits, driver, positions)
        return SearchPage(hits, None)

    def _regions(self, staff: StaffMember, filters: SearchFilters) -> list[str]:
        visible = [*(str(region) for region in Region), NATIONAL] if staff.is_national else [staff.region]
        if filters.region is not None:
            return [region for region in visible if region == filters.region]
        return visible

    def _page(self, hits: list[SearchHit], driver: _Word, positions: dict[str, Any]) -> SearchPage:
        if all(position == DONE for position in positions.values()):
            return SearchPage(hits, None)
        start = {"word": driver.text, "prefix": driver.prefix, "positions": positions}
        return SearchPage(hits, start)

    def _rarest(self, query: list[_Word], regions: list[str], filters: SearchFilters) -> _Word:
        if len(query) == 1:
            return query[0]
        counted = [
            (sum(self._count(word, region, filters) for region in regions), -len(word.text), word.prefix, i)
            for i, word in enumerate(query)
        ]
        return query[min(counted)[3]]

    def _count(self, word: _Word, region: str, filters: SearchFilters) -> int:
        request = self._query(word, region, filters)
        response = self._client.query(**request, Select="COUNT", Limit=PROBE_ROWS)
        return int(response.get("Count", 0)) if "LastEvaluatedKey" not in response else PROBE_ROWS

    def _query(self, word: _Word, region: str, filters: SearchFilters) -> dict[str, Any]:
        values: dict[str, Any] = {":pk": _term_pk(region, word.text)}
        names: dict[str, str] = {}
        if word.prefix:
            key = "pk = :pk AND begins_with(sk, :word)"
            values[":word"] = word.sk_start()
        else:
            # A whole word's rows are in time order: the period is a range of its keys.
            low = sortable(filters.received_from) if filters.received_from else ""
            high = sortable(filters.received_to) if filters.received_to else "~"
            key = "pk = :pk AND sk BETWEEN :low AND :high"
            values[":low"] = f"{word.sk_start()}{low}"
            values[":high"] = f"{word.sk_start()}{high}"
        conditions = []
        for name in FILTERS:
            value = getattr(filters, name)
            if value is not None:
                names[f"#{name}"] = name
                values[f":{name}"] = value
                conditions.append(f"#{name} = :{name}")
        if filters.received_from is not None:
            values[":from"] = sortable(filters.received_from)
            conditions.append("received >= :from")
        if filters.received_to is not None:
            values[":to"] = sortable(filters.received_to)
            conditions.append("received < :to")
        request: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": key,
            "ExpressionAttributeValues": to_item(values),
            "ScanIndexForward": False,
        }
        if conditions:
            request["FilterExpression"] = " AND ".join(conditions)
        if names:
            request["ExpressionAttributeNames"] = names
        return request

    def _merged(
        self, word: _Word, filters: SearchFilters, positions: Mapping[str, Any], first_read: int
    ) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
        """The driving word's rows of every region still to read, in key order (newest first), each with
        where the regions continue once it is read."""
        readers = {
            region: _RegionRows(self._client, self._query(word, region, filters), first_read=first_read)
            for region, position in positions.items()
            if position != DONE
        }
        heads: list[tuple[_Descending, str, dict[str, Any]]] = []
        finished: dict[str, Any] = {}
        for region, reader in readers.items():
            first = reader.start(positions[region])
            if first is None:
                finished[region] = DONE
            else:
                heads.append((_Descending(first["sk"]["S"]), region, first))
        heapq.heapify(heads)
        while heads:
            _, region, row = heapq.heappop(heads)
            following = readers[region].next()
            if following is None:
                finished[region] = DONE
            else:
                finished[region] = _key(row)
                heapq.heappush(heads, (_Descending(following["sk"]["S"]), region, following))
            yield row, finished
            finished = {}

    def _terms_of(self, chunk: list[tuple[dict[str, Any], dict[str, Any]]]) -> dict[str, set[str]]:
        keys = [{"pk": {"S": _terms_pk(row["number"]["S"])}, "sk": {"S": "TERMS"}} for row, _ in chunk]
        unique = list({key["pk"]["S"]: key for key in keys}.values())
        return {
            item["pk"]["S"].removeprefix("TERMS#"): set(item.get("terms", {}).get("SS", []))
            for item in get_all(self._client, self._table, unique)
        }

    @staticmethod
    def _is_hit(
        row: dict[str, Any], driver: _Word, others: list[_Word], item_terms: dict[str, set[str]]
    ) -> bool:
        if driver.prefix:
            # An item has a row for each of its words the prefix completes to, all in this partition (the
            # row's ``near``): it is a hit at the first of them in key order, the greatest.
            term = row["term"]["S"]
            near = row.get("near", {}).get("SS", [])
            if any(other.startswith(driver.text) and other > term for other in near):
                return False
        if not others:
            return True
        found = item_terms.get(row["number"]["S"], set())
        return all(word.found_in(found) for word in others)


class _RegionRows:
    """One region's rows of a query, page by page (toolkit's query_page), one at a time."""

    def __init__(self, client: DynamoDBClient, query: dict[str, Any], *, first_read: int) -> None:
        self._client = client
        self._query = query
        self._limit = first_read
        self._rows: list[dict[str, Any]] = []
        self._next: dict[str, Any] | None = None

    def start(self, position: Mapping[str, Any] | None) -> dict[str, Any] | None:
        self._next = dict(position) if position else None
        self._fill(first=True)
        return self._rows.pop(0) if self._rows else None

    def next(self) -> dict[str, Any] | None:
        if not self._rows and self._next is not None:
            self._fill(first=False)
        return self._rows.pop(0) if self._rows else None

    def _fill(self, *, first: bool) -> None:
        start = self._next
        while True:
            rows, self._next = query_page(self._client, {**self._query, "Limit": self._limit}, start)
            self._limit = min(2 * self._limit, MAX_ROWS_PER_READ)
            if rows or self._next is None:
                self._rows = rows
                return
            start = self._next  # a page the filters emptied


class _Descending:
    """Orders keys from the greatest, for a min-heap."""

    def __init__(self, key: str) -> None:
        self.key = key

    def __lt__(self, other: _Descending) -> bool:
        return self.key > other.key


def _key(row: Mapping[str, Any]) -> dict[str, str]:
    return {"pk": row["pk"]["S"], "sk": row["sk"]["S"]}


def _chunks(
    rows: Iterator[tuple[dict[str, Any], dict[str, Any]]], size: int
) -> Iterator[list[tuple[dict[str, Any], dict[str, Any]]]]:
    chunk: list[tuple[dict[str, Any], dict[str, Any]]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _hit(row: Mapping[str, Any]) -> SearchHit:
    def text(name: str) -> str | None:
        value = row.get(name)
        return str(value["S"]) if value else None

    def required(name: str) -> str:
        return str(row[name]["S"])

    return SearchHit(
        number=required("number"),
        received_at=parse_sortable(required("received")),
        region=required("region"),
        kind=required("kind"),
        category=required("category"),
        status=required("status"),
        channel=required("channel"),
        unit=text("unit"),
        municipality=text("municipality"),
    )
