"""The feedback search index on moto: Swedish words found however they are typed, filters, each searcher's
regions only, and pages that neither repeat nor skip."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from moto import mock_aws

from services.feedback.adapters.search_index import (
    MAX_TERMS,
    FeedbackSearchIndex,
    IndexedFeedback,
    SearchFilters,
    TooManyTerms,
    index_rows,
    index_writes,
    reindex_writes,
    unindex_writes,
)
from services.feedback.domain.search_terms import query_terms
from shared.adapters.dynamodb import put_all, transact
from shared.staff import NATIONAL, StaffMember
from tests.support.moto_clients import use_fake_credentials

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

TABLE = "eservices-test-feedback"
T0 = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)

NATIONAL_STAFF = StaffMember("n-1", NATIONAL)
NORD_STAFF = StaffMember("r-1", "Nord")


def feedback(number: int, text: str, *, region: str = "Nord", **values: str) -> IndexedFeedback:
    attributes = {"kind": "praise", "category": "bemötande", "status": "received", "channel": "web"} | values
    return IndexedFeedback(
        number=f"F-{number:05d}",
        received_at=T0 + timedelta(hours=number),
        region=region,
        text=text,
        unit=values.get("unit"),
        municipality=values.get("municipality"),
        **{k: v for k, v in attributes.items() if k not in ("unit", "municipality")},
    )


@pytest.fixture
def client(monkeypatch: pytest.MonkeyPatch) -> Iterator[DynamoDBClient]:
    use_fake_credentials(monkeypatch)
    with mock_aws():
        dynamodb = boto3.client("dynamodb")
        dynamodb.create_table(
            TableName=TABLE,
            KeySchema=[
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "S"},
            ],
            BillingMode="PAY_PER_REQUEST",
        )
        yield dynamodb


def load(client: DynamoDBClient, *entries: IndexedFeedback) -> FeedbackSearchIndex:
    put_all(client, TABLE, [row for entry in entries for row in index_rows(entry)])
    return FeedbackSearchIndex(client, TABLE)


def numbers(
    index: FeedbackSearchIndex, query: str, staff: StaffMember = NATIONAL_STAFF, **filters: Any
) -> list[str]:
    page = index.search(staff, query_terms(query), SearchFilters(**filters), limit=100)
    return [hit.number for hit in page.hits]


def test_swedish_words_are_found_whatever_case_and_accents_they_are_typed_with(
    client: DynamoDBClient,
) -> None:
    index = load(
        client,
        feedback(1, "Polisen i Östersund var mycket hjälpsam"),
        feedback(2, "Vi träffades på ett CAFÉ i Luleå"),
        feedback(3, "Han blev utsatt för våld"),
        feedback(4, "Jag har en fråga om vald nämndeman"),
    )

    assert numbers(index, "östersund") == ["F-00001"]
    assert numbers(index, "ÖSTERSUND hjälpsam") == ["F-00001"]
    assert numbers(index, "polis") == ["F-00001"]
    assert numbers(index, "cafe") == ["F-00002"]
    assert numbers(index, "Café luleå") == ["F-00002"]
    assert numbers(index, "våld") == ["F-00003"]
    assert numbers(index, "vald") == ["F-00004"]


def test_every_word_must_be_found_and_only_the_last_is_a_prefix(client: DynamoDBClient) -> None:
    index = load(
        client,
        feedback(1, "Polisen kom snabbt till olyckan"),
        feedback(2, "Polisen kom aldrig"),
        feedback(3, "Polisbilen stod fel parkerad"),
    )

    assert numbers(index, "polisen snabb") == ["F-00001"]
    assert numbers(index, "snabbt polisen") == ["F-00001"]
    assert numbers(index, "kom polis") == ["F-00002", "F-00001"]
    # A word before the last is whole: "polis" is not "polisen", "snabb" not "snabbt".
    assert numbers(index, "polis kom") == []
    assert numbers(index, "snabb polisen") == []
    assert numbers(index, "fel polis") == ["F-00003"]
    # A prefix finds each item once, though it completes to several of its words.
    assert sorted(numbers(index, "pol")) == ["F-00001", "F-00002", "F-00003"]


def test_filters_are_met_by_every_hit(client: DynamoDBClient) -> None:
    index = load(
        client,
        feedback(1, "Bemötandet i receptionen", kind="complaint_service", status="received", channel="web"),
        feedback(2, "Bemötandet vid passkontrollen", kind="praise", unit="Pass Umeå", municipality="2480"),
        feedback(3, "Bemötandet i telefon", kind="complaint_service", status="closed", channel="phone"),
        feedback(4, "Bemötandet på stationen", region="Syd", kind="complaint_service"),
    )

    assert numbers(index, "bemötandet", kind="complaint_service") == ["F-00004", "F-00003", "F-00001"]
    assert numbers(index, "bemötandet", kind="complaint_service", status="closed") == ["F-00003"]
    assert numbers(index, "bemötandet", channel="phone") == ["F-00003"]
    assert numbers(index, "bemöt", unit="Pass Umeå") == ["F-00002"]
    assert numbers(index, "bemötandet", municipality="2480") == ["F-00002"]
    assert numbers(index, "bemötandet", region="Syd") == ["F-00004"]
    since, until = T0 + timedelta(hours=2), T0 + timedelta(hours=4)
    assert numbers(index, "bemötandet", received_from=since, received_to=until) == ["F-00003", "F-00002"]
    assert numbers(index, "bemöt", received_from=since, received_to=until) == ["F-00003", "F-00002"]


def test_regional_staff_search_their_own_region_only(client: DynamoDBClient) -> None:
    index = load(
        client,
        feedback(1, "Trafikpolisen var trevlig", region="Nord"),
        feedback(2, "Trafikpolisen var otrevlig", region="Syd"),
        feedback(3, "Trafikpolisen svarade inte", region="Stockholm"),
    )

    assert numbers(index, "trafikpolisen", NORD_STAFF) == ["F-00001"]
    assert numbers(index, "trafikpolisen", NORD_STAFF, region="Syd") == []
    assert numbers(index, "trafikpolisen") == ["F-00003", "F-00002", "F-00001"]
    assert numbers(index, "trafikpolisen", region="Syd") == ["F-00002"]


def test_pages_across_regions_come_newest_first_without_repeats_or_gaps(client: DynamoDBClient) -> None:
    regions = ["Nord", "Syd", "Väst", "Öst"]
    entries = [
        feedback(n, f"Ärendet gällde ett pass nummer {n}", region=regions[n % 4]) for n in range(1, 58)
    ]
    index = load(client, *entries)

    seen: list[str] = []
    start = None
    pages = 0
    while True:
        page = index.search(NATIONAL_STAFF, query_terms("ärendet pass"), limit=10, start=start)
        seen += [hit.number for hit in page.hits]
        pages += 1
        if page.next_start is None:
            break
        start = page.next_start
    assert seen == [f"F-{n:05d}" for n in range(57, 0, -1)]
    assert pages == 6


def test_a_national_token_read_by_regional_staff_gives_only_their_region(client: DynamoDBClient) -> None:
    entries = [feedback(n, "Synpunkt om öppettider", region=["Nord", "Syd"][n % 2]) for n in range(1, 11)]
    index = load(client, *entries)
    first = index.search(NATIONAL_STAFF, ["öppettider"], limit=2)
    assert first.next_start is not None

    rest = index.search(NORD_STAFF, ["öppettider"], limit=100, start=first.next_start)

    assert {hit.region for hit in rest.hits} == {"Nord"}


def test_the_index_is_written_changed_and_removed_with_the_item(client: DynamoDBClient) -> None:
    index = FeedbackSearchIndex(client, TABLE)
    filed = feedback(1, "Klagomål på handläggningstiden")
    transact(client, index_writes(TABLE, filed), conflict="x")
    assert numbers(index, "klagomål", status="received") == ["F-00001"]

    closed = feedback(1, "Klagomål på handläggningstiden för pass", status="closed")
    transact(client, reindex_writes(TABLE, filed, closed), conflict="x")
    assert numbers(index, "klagomål", status="received") == []
    assert numbers(index, "klagomål pass", status="closed") == ["F-00001"]

    transact(client, unindex_writes(TABLE, closed), conflict="x")
    assert numbers(index, "klagomål") == []
    assert client.scan(TableName=TABLE)["Count"] == 0


def test_a_text_too_long_for_one_transaction_is_refused_by_name() -> None:
    text = " ".join(f"ord{n}" for n in range(MAX_TERMS + 1))

    with pytest.raises(TooManyTerms):
        index_rows(feedback(1, text))
