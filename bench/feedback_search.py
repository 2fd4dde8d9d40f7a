"""Feedback search: the DynamoDB index against a scan of the same items, at a few sizes (ADR 95).

Synthetic Swedish feedback (fixed seed; made-up texts, no persons) is loaded into moto in this process: the
index's rows (``services/feedback/adapters/search_index.py``) in one table, the items with their normalised
words in another, both by batch writes. Typical searches by national and regional staff are timed, each
against the index (its first page of 25) and as a scan that filters every item on the same words, and the
rows each read. Read units are estimated as AWS bills them (eventually consistent queries and scans: half a
unit per started 4 KB of what they read; the index's consistent reads of terms rows: one per row), since moto
does not count them. Latencies are moto's in this process: compare the two columns, not the milliseconds
with AWS's. moto's Query sorts the whole table at every call; here it reads its partition only, as DynamoDB
does (``partition_queries``), or the index's latency would grow with the table instead of the partition.

Run: ``.venv/bin/python bench/feedback_search.py`` (``--sizes 10000 50000 200000``, ``--runs 20``).
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

# Run as a script, only bench/ is on the path; the code under test lives at the repository root.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import boto3
from moto import mock_aws

from services.feedback.adapters.search_index import (
    FeedbackSearchIndex,
    IndexedFeedback,
    SearchFilters,
    index_rows,
)
from services.feedback.domain.search_terms import normalise, query_terms, words
from shared.adapters.dynamodb import put_all, to_item
from shared.regions import Region
from shared.staff import NATIONAL, StaffMember

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

INDEX_TABLE = "bench-feedback-index"
ITEMS_TABLE = "bench-feedback-items"
PAGE = 25
RRU_PRICE = 0.125 / 1e6
WRU_PRICE = 0.625 / 1e6
STORAGE_GB_MONTH = 0.25

KINDS = ("praise", "suggestion", "complaint_service", "complaint_employee")
CHANNELS = ("web", "phone", "letter", "counter")
STATUSES = ("received", "in_progress", "closed")
CATEGORIES = ("bemötande", "väntetid", "tillgänglighet", "handläggning", "information", "trafik")
PLACES = (
    "Umeå", "Luleå", "Östersund", "Sundsvall", "Gävle", "Uppsala", "Västerås", "Örebro", "Karlstad", "Falun",
    "Linköping", "Norrköping", "Jönköping", "Växjö", "Kalmar", "Malmö", "Lund", "Helsingborg", "Göteborg",
    "Borås", "Skövde", "Visby", "Södertälje", "Täby", "Kiruna",
)  # fmt: skip
UNITS = ("passexpeditionen", "receptionen", "växeln", "trafikenheten", "lokalpolisområdet", "utredningen")
OPENINGS = (
    "Jag vill tacka", "Jag vill klaga på", "Jag har en synpunkt om", "Mitt förslag gäller", "Jag är missnöjd med",
    "Stort tack till", "Det var dåligt med", "Jag undrar över",
)  # fmt: skip
SUBJECTS = (
    "bemötandet i", "väntetiden på", "polisen på", "polisens svar från", "handläggningen av mitt ärende hos",
    "informationen från", "polisbilen vid", "öppettiderna på", "telefontiden till", "kön vid",
)  # fmt: skip
ENDINGS = (
    "Personalen var trevlig och hjälpsam.", "Jag fick vänta i över en timme.", "Ingen svarade i telefon.",
    "Handläggaren förklarade allt tydligt.", "Det tog tre veckor att få ett beslut.",
    "Polisen kom snabbt efter samtalet.", "Lokalerna var svåra att hitta.", "Bra service, tack!",
    "Jag förstod inte beslutet.", "Hemsidan borde visa väntetiden.", "Ett café i närheten vore trevligt.",
    "Passet var klart i tid.", "Kvinnan i kassan var otrevlig.", "Det kändes tryggt.",
    "Mitt ID-kort kom bort i posten.", "Bättre skyltning behövs vid entrén.",
)  # fmt: skip


@dataclass(frozen=True)
class Search:
    label: str
    query: str
    staff: StaffMember
    filters: SearchFilters


SEARCHES = (
    Search("one word, national", "väntetiden", StaffMember("b-1", NATIONAL), SearchFilters()),
    Search("one rare word, national", "östersund", StaffMember("b-1", NATIONAL), SearchFilters()),
    Search("prefix, regional", "polis", StaffMember("b-2", str(Region.SYD)), SearchFilters()),
    Search(
        "two words + kind, national",
        "vänta timme",
        StaffMember("b-1", NATIONAL),
        SearchFilters(kind="complaint_service"),
    ),
    Search(
        "two words + status, regional",
        "trevlig personalen",
        StaffMember("b-3", str(Region.VAST)),
        SearchFilters(status="closed"),
    ),
)

T0 = datetime(2024, 1, 1, tzinfo=UTC)


def synthetic_feedback(count: int, seed: int = 95) -> Iterator[IndexedFeedback]:
    """``count`` made-up feedback items, the same ones for the same seed."""
    rng = random.Random(seed)
    regions = [str(region) for region in Region]
    for n in range(count):
        sentences = [f"{rng.choice(OPENINGS)} {rng.choice(SUBJECTS)} {rng.choice(PLACES)}."]
        sentences += rng.sample(ENDINGS, rng.randint(1, 4))
        yield IndexedFeedback(
            number=f"F-{n:07d}",
            received_at=T0 + timedelta(minutes=rng.randrange(3 * 365 * 24 * 60)),
            region=rng.choice(regions),
            text=" ".join(sentences),
            kind=rng.choice(KINDS),
            category=rng.choice(CATEGORIES),
            status=rng.choice(STATUSES),
            channel=rng.choice(CHANNELS),
            unit=rng.choice(UNITS),
            municipality=f"{rng.randint(1, 25):02d}{rng.randint(0, 99):02d}",
        )


def item_of(entry: IndexedFeedback) -> dict[str, Any]:
    """The item a scan reads: the filter attributes and the normalised words between spaces."""
    return to_item(
        {
            "pk": f"FEEDBACK#{entry.number}",
            "sk": "FEEDBACK",
            "number": entry.number,
            "received": entry.received_at.isoformat(),
            "region": entry.region,
            "kind": entry.kind,
            "category": entry.category,
            "status": entry.status,
            "channel": entry.channel,
            "unit": entry.unit,
            "municipality": entry.municipality,
            "text": entry.text,
            "words": f" {' '.join(words(entry.text))} ",
        }
    )


def item_bytes(item: dict[str, Any]) -> int:
    """An item's size as DynamoDB counts it: names and values, in UTF-8 (string sets: each member)."""
    size = 0
    for name, value in item.items():
        size += len(name.encode())
        (kind, content), *_ = value.items()
        members = content if kind == "SS" else [content]
        size += sum(len(str(member).encode()) for member in members)
    return size


def create_table(client: DynamoDBClient, name: str) -> None:
    client.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )


@dataclass
class Reads:
    """What the calls read: requests, rows, bytes (eventually consistent) and rows read consistently."""

    requests: int = 0
    rows: int = 0
    consistent_rows: int = 0
    bytes: int = 0

    def read_units(self) -> float:
        return math.ceil(self.bytes / 4096) * 0.5 + self.consistent_rows


@contextmanager
def counting(client: DynamoDBClient, row_bytes: Callable[[str], float]) -> Iterator[Reads]:
    """Counts the reads ``client`` makes; a query's or scan's bytes are its rows read times ``row_bytes``
    of its table (moto does not say what a filter dropped, only how many rows it looked at)."""
    reads = Reads()

    def after(http_response: Any, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        reads.requests += 1
        if model.name in ("Query", "Scan"):
            scanned = int(parsed.get("ScannedCount", 0))
            reads.rows += scanned
            reads.bytes += int(scanned * row_bytes(model.name))
        elif model.name == "BatchGetItem":
            got = sum(len(items) for items in parsed.get("Responses", {}).values())
            reads.rows += got
            reads.consistent_rows += got

    client.meta.events.register("after-call.dynamodb", after)
    try:
        yield reads
    finally:
        client.meta.events.unregister("after-call.dynamodb", after)


def scan_search(client: DynamoDBClient, search: Search) -> list[str]:
    """The search without an index: every item read, filtered on its words and the filters."""
    found = query_terms(search.query)
    conditions, values, names = [], {}, {}
    for i, word in enumerate(found):
        last = i == len(found) - 1
        values[f":w{i}"] = f" {word}" if last else f" {word} "
        conditions.append(f"contains(#words, :w{i})")
    names["#words"] = "words"
    regions = [r.value for r in Region] if search.staff.region == NATIONAL else [search.staff.region]
    region_values = {f":r{i}": region for i, region in enumerate(regions)}
    values |= region_values
    names["#region"] = "region"
    conditions.append(f"#region IN ({', '.join(region_values)})")
    for name in ("kind", "status"):
        value = getattr(search.filters, name)
        if value is not None:
            names[f"#{name}"] = name
            values[f":{name}"] = value
            conditions.append(f"#{name} = :{name}")
    request: dict[str, Any] = {
        "TableName": ITEMS_TABLE,
        "FilterExpression": " AND ".join(conditions),
        "ExpressionAttributeValues": to_item(values),
        "ExpressionAttributeNames": names,
        "ProjectionExpression": "#n, received",
    }
    request["ExpressionAttributeNames"]["#n"] = "number"
    hits: list[tuple[str, str]] = []
    while True:
        response = client.scan(**request)
        hits += [(item["received"]["S"], item["number"]["S"]) for item in response.get("Items", [])]
        if "LastEvaluatedKey" not in response:
            break
        request["ExclusiveStartKey"] = response["LastEvaluatedKey"]
    return [number for _, number in sorted(hits, reverse=True)[:PAGE]]


@contextmanager
def partition_queries() -> Iterator[None]:
    """moto's Query on a table's key reads only the partition asked for."""
    from moto.dynamodb.models.table import Table

    original = Table.query

    def query(self: Any, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        index_name = args[6] if len(args) > 6 else kwargs.get("index_name")
        if index_name is not None or hash_key is None or not self.range_key_attr:
            return original(self, hash_key, *args, **kwargs)
        partition = list(self.items.get(hash_key, {}).values())
        self.all_items = lambda: partition
        try:
            return original(self, hash_key, *args, **kwargs)
        finally:
            del self.all_items

    setattr(Table, "query", query)  # noqa: B010 - a method replaced for the bench only
    try:
        yield
    finally:
        setattr(Table, "query", original)  # noqa: B010


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1)]


def timed(runs: int, call: Callable[[], object]) -> list[float]:
    samples = []
    for _ in range(runs):
        begun = time.perf_counter()
        call()
        samples.append((time.perf_counter() - begun) * 1000)
    return samples


@dataclass(frozen=True)
class SizeResult:
    items: int
    load_s: float
    index_rows: int
    index_bytes: int
    items_bytes: int
    lines: list[str]


def measure(size: int, runs: int, scan_runs: int) -> SizeResult:
    client: DynamoDBClient = boto3.client("dynamodb", region_name="eu-north-1")
    for table in (INDEX_TABLE, ITEMS_TABLE):
        create_table(client, table)
    begun = time.perf_counter()
    rows: list[dict[str, Any]] = []
    items: list[dict[str, Any]] = []
    index_count = index_size = items_size = 0
    for entry in synthetic_feedback(size):
        entry_rows = index_rows(entry)
        rows += entry_rows
        items.append(item_of(entry))
        if len(rows) >= 5000:
            index_count += len(rows)
            index_size += sum(item_bytes(row) for row in rows)
            put_all(client, INDEX_TABLE, rows)
            rows = []
        if len(items) >= 5000:
            items_size += sum(item_bytes(item) for item in items)
            put_all(client, ITEMS_TABLE, items)
            items = []
    index_count += len(rows)
    index_size += sum(item_bytes(row) for row in rows)
    items_size += sum(item_bytes(item) for item in items)
    put_all(client, INDEX_TABLE, rows)
    put_all(client, ITEMS_TABLE, items)
    load_s = time.perf_counter() - begun

    index = FeedbackSearchIndex(client, INDEX_TABLE)
    row_bytes = {"Query": index_size / index_count, "Scan": items_size / size}
    lines = []
    for search in SEARCHES:
        found = query_terms(search.query)
        with counting(client, row_bytes.__getitem__) as index_reads:
            page = index.search(search.staff, found, search.filters, limit=PAGE)
        index_ms = timed(runs, partial(index.search, search.staff, found, search.filters, limit=PAGE))
        with counting(client, row_bytes.__getitem__) as scan_reads:
            scanned = scan_search(client, search)
        scan_ms = timed(scan_runs, partial(scan_search, client, search))
        lines.append(
            f"  {search.label:<30} {len(page.hits):>4} "
            f"{statistics.median(index_ms):>8.1f} {percentile(index_ms, 0.99):>8.1f} "
            f"{index_reads.requests:>5} {index_reads.rows:>7} {index_reads.read_units():>7.1f}   "
            f"{statistics.median(scan_ms):>8.1f} {percentile(scan_ms, 0.99):>8.1f} "
            f"{scan_reads.requests:>5} {scan_reads.rows:>7} {scan_reads.read_units():>8.1f} {len(scanned):>4}"
        )
    return SizeResult(size, load_s, index_count, index_size, items_size, lines)


def report(result: SizeResult, runs: int, scan_runs: int) -> str:
    header = (
        f"  {'search':<30} {'hits':>4} {'p50 ms':>8} {'p99 ms':>8} {'calls':>5} {'rows':>7} {'RRU':>7}   "
        f"{'p50 ms':>8} {'p99 ms':>8} {'calls':>5} {'rows':>7} {'RRU':>8} {'hits':>4}"
    )
    per_item = result.index_rows / result.items
    write_units = 2 * per_item  # each row under 1 KB, twice in the item's transaction
    return "\n".join(
        [
            f"\n{result.items:,} items, loaded in {result.load_s:.0f} s; index {result.index_rows:,} rows "
            f"({per_item:.1f} per item), {result.index_bytes / 1e6:.1f} MB; items {result.items_bytes / 1e6:.1f} MB",
            f"  writing an item's index: {per_item:.1f} rows, about {write_units:.0f} write units in its transaction "
            f"(${write_units * WRU_PRICE * 1e6:.2f} per million items); storage at 300,000 items about "
            f"{result.index_bytes / result.items * 300_000 / 1e9:.2f} GB "
            f"(${result.index_bytes / result.items * 300_000 / 1e9 * STORAGE_GB_MONTH:.2f} a month)",
            f"  {'':<30} {'':>4} {'index (first page of 25), ' + str(runs) + ' runs':<42}   "
            f"scan and filter, {scan_runs} runs",
            header,
            *result.lines,
        ]
    )


def answered_in_time() -> str:
    """The share of the local cloud's demo feedback (the items that asked for an answer) answered within the
    deadline, as the learning endpoint counts it."""
    from datetime import UTC, datetime

    from services.feedback.demo import demo_feedback
    from services.feedback.manifest import ANSWER_DAYS

    demo = demo_feedback(datetime.now(UTC))
    asked = [d for d in demo if d.draft.answer is not None]
    answered = [d for d in asked if d.answered_after_days is not None]
    in_time = [
        d for d in answered if d.answered_after_days is not None and d.answered_after_days <= ANSWER_DAYS
    ]
    return (
        f"demo feedback: {len(demo)} items, {len(asked)} asked for an answer, {len(answered)} answered, "
        f"{len(in_time)} within {ANSWER_DAYS} days ({len(in_time) / max(len(answered), 1):.0%} of the answered, "
        f"{len(in_time) / max(len(asked), 1):.0%} of those who asked)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 50_000])
    parser.add_argument("--runs", type=int, default=20, help="timed index searches per query")
    parser.add_argument("--scan-runs", type=int, default=3, help="timed scans per query")
    args = parser.parse_args(argv)
    print(__doc__.split("\n\n")[0])
    print(f"normalised example: {normalise('Café i Östersund, POLISEN')!r}")
    print(answered_in_time())
    for size in args.sizes:
        with mock_aws(), partition_queries():
            result = measure(size, args.runs, args.scan_runs)
        print(report(result, args.runs, args.scan_runs), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
