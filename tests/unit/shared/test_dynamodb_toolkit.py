"""The shared DynamoDB toolkit against a recording stand-in for the client: keys that sort as times, pages,
batches that DynamoDB leaves half done, and transactions whose refusals name the rule that refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from botocore.exceptions import ClientError

from shared.adapters.dynamodb import (
    Write,
    claiming,
    conditional_put,
    from_body,
    from_item,
    get_all,
    parse_sortable,
    put,
    put_all,
    put_if_absent,
    query_page,
    sortable,
    sortable_seconds,
    to_body,
    to_item,
    transact,
)
from shared.errors import Conflict, ForeignPageStart, NotFound


class Refused(Conflict):
    def __init__(self) -> None:
        super().__init__("refused by its own rule")


def cancelled(*codes: str) -> ClientError:
    return ClientError(
        {
            "Error": {"Code": "TransactionCanceledException", "Message": "cancelled"},
            "CancellationReasons": [{"Code": code} for code in codes],  # type: ignore[typeddict-unknown-key]
        },
        "TransactWriteItems",
    )


class RecordingDynamoDb:
    """Answers each call with the next outcome given (an exception is raised), and records the requests."""

    def __init__(self, *outcomes: Any) -> None:
        self.outcomes = list(outcomes)
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def _answer(self, operation: str, request: dict[str, Any]) -> Any:
        self.calls.append((operation, request))
        outcome = self.outcomes.pop(0) if self.outcomes else {}
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    def transact_write_items(self, **request: Any) -> Any:
        return self._answer("transact_write_items", request)

    def put_item(self, **request: Any) -> Any:
        return self._answer("put_item", request)

    def batch_write_item(self, **request: Any) -> Any:
        return self._answer("batch_write_item", request)

    def query(self, **request: Any) -> Any:
        return self._answer("query", request)


class OneClaim:
    """A claim as the idempotency record is one: pending until a transaction carrying it commits."""

    def __init__(self) -> None:
        self.subject: str | None = None

    @property
    def pending(self) -> bool:
        return self.subject is None

    def write(self, subject: str) -> Write:
        item = to_item({"id": "request#1", "subject": subject})
        return Write(
            {"Put": {"TableName": "keys", "Item": item, "ConditionExpression": "attribute_not_exists(id)"}},
            refusal=lambda: NotFound("claimed already"),
        )

    def committed(self, subject: str) -> None:
        self.subject = subject


def tables(client: RecordingDynamoDb) -> list[list[str]]:
    """The tables each transaction wrote to, in order."""
    return [
        [next(iter(item.values()))["TableName"] for item in request["TransactItems"]]
        for operation, request in client.calls
        if operation == "transact_write_items"
    ]


def no_pause(attempt: int) -> None:
    return None


# --- attribute maps and keys -------------------------------------------------------------------------------


def test_none_leaves_an_attribute_out_and_values_come_back_as_they_went_in() -> None:
    item = to_item({"pk": "REPORT#K1-26", "queueKey": None, "version": 3, "tags": {"a"}})

    assert set(item) == {"pk", "version", "tags"}
    assert from_item(item) == {"pk": "REPORT#K1-26", "version": 3, "tags": {"a"}}


def test_sortable_times_have_one_width_so_their_text_order_is_their_time_order() -> None:
    moments = [
        datetime(2026, 11, 24, 8, 15, 0, 5, tzinfo=UTC),
        datetime(2026, 11, 24, 9, 14, 59, tzinfo=timezone(timedelta(hours=1))),  # 08:14:59 UTC
        datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
    ]

    assert sorted(moments) == sorted(moments, key=sortable)
    assert {len(sortable(m)) for m in moments} == {27}
    assert sortable_seconds(moments[1]) == "2026-11-24T08:14:59Z"
    assert [parse_sortable(sortable(m)) for m in moments] == moments
    assert parse_sortable(sortable_seconds(moments[1])) == moments[1]


OWNERS_QUERY = {
    "TableName": "t",
    "IndexName": "byOwner",
    "KeyConditionExpression": "ownerKey = :owner",
    "ExpressionAttributeValues": to_item({":owner": "OWNER#a"}),
    "Limit": 1,
}


def test_a_page_starts_where_the_last_one_ended_and_says_where_the_next_starts() -> None:
    last = to_item({"pk": "REPORT#K2-26", "ownerKey": "OWNER#a"})
    client = RecordingDynamoDb({"Items": [{"pk": {"S": "x"}}], "LastEvaluatedKey": last}, {"Items": []})

    items, next_start = query_page(client, OWNERS_QUERY, None)  # type: ignore[arg-type]
    rest, after_last = query_page(client, OWNERS_QUERY, next_start)  # type: ignore[arg-type]

    assert (len(items), rest, after_last) == (1, [], None)
    assert next_start == {"pk": "REPORT#K2-26", "ownerKey": "OWNER#a"}
    assert client.calls[1][1]["ExclusiveStartKey"] == last
    assert "ExclusiveStartKey" not in client.calls[0][1]


def test_a_page_start_in_another_partition_is_refused_naming_the_token_before_anything_is_read() -> None:
    client = RecordingDynamoDb()
    someone_elses = {"pk": "REPORT#K3-26", "ownerKey": "OWNER#b"}

    with pytest.raises(ForeignPageStart) as refused:
        query_page(client, OWNERS_QUERY, someone_elses)  # type: ignore[arg-type]

    assert refused.value.reasons == {"nextToken": "is not a token this API gave out"}
    assert client.calls == []


def test_the_partition_a_page_start_must_lie_in_may_be_named_through_attribute_names() -> None:
    last = to_item({"pk": "REPORT#K2-26", "queueKey": "QUEUE#Väst"})
    client = RecordingDynamoDb({"Items": []})
    query = {
        "TableName": "t",
        "KeyConditionExpression": "#queue = :queue AND queueSort > :after",
        "ExpressionAttributeNames": {"#queue": "queueKey"},
        "ExpressionAttributeValues": to_item({":queue": "QUEUE#Väst", ":after": "0"}),
    }

    query_page(client, query, {"pk": "REPORT#K2-26", "queueKey": "QUEUE#Väst"})  # type: ignore[arg-type]
    with pytest.raises(ForeignPageStart):
        query_page(client, query, {"pk": "REPORT#K2-26", "queueKey": "QUEUE#Nord"})  # type: ignore[arg-type]

    assert [call[1]["ExclusiveStartKey"] for call in client.calls] == [last]


# --- batch puts --------------------------------------------------------------------------------------------


def test_batch_puts_go_25_at_a_time_and_what_dynamodb_left_undone_is_sent_again() -> None:
    rows = [to_item({"pk": f"STOLEN#{n}", "sk": "REPORT#K1-26"}) for n in range(30)]
    left = {"t": [{"PutRequest": {"Item": rows[3]}}]}
    client = RecordingDynamoDb({"UnprocessedItems": left}, {}, {})
    pauses: list[int] = []

    put_all(client, "t", rows, backoff=pauses.append)  # type: ignore[arg-type]

    sent = [len(request["RequestItems"]["t"]) for _, request in client.calls]
    assert sent == [25, 1, 5]
    assert client.calls[1][1]["RequestItems"] == left
    assert pauses == [1]


def test_writes_left_undone_round_after_round_fail_loudly() -> None:
    rows = [to_item({"pk": "STOLEN#1", "sk": "REPORT#K1-26"})]
    stuck = {"UnprocessedItems": {"t": [{"PutRequest": {"Item": rows[0]}}]}}
    client = RecordingDynamoDb(*[stuck] * 20)

    with pytest.raises(RuntimeError, match="unprocessed"):
        put_all(client, "t", rows, backoff=no_pause)  # type: ignore[arg-type]


# --- transactions ------------------------------------------------------------------------------------------


def test_a_failed_condition_raises_the_refusal_of_its_write_or_the_general_conflict() -> None:
    writes = [put("t", {}), put_if_absent("t", {}, refusal=Refused), put_if_absent("t", {})]

    with pytest.raises(Refused):
        transact(RecordingDynamoDb(cancelled("None", "ConditionalCheckFailed", "None")), writes, conflict="c")  # type: ignore[arg-type]
    with pytest.raises(Conflict, match="general"):
        transact(
            RecordingDynamoDb(cancelled("None", "None", "ConditionalCheckFailed")), writes, conflict="general"
        )  # type: ignore[arg-type]


def test_a_transaction_that_met_another_is_tried_again_until_a_condition_decides() -> None:
    pauses: list[int] = []
    client = RecordingDynamoDb(
        cancelled("TransactionConflict"),
        cancelled("TransactionConflict"),
        cancelled("ConditionalCheckFailed"),
    )

    with pytest.raises(Refused):
        transact(client, [put_if_absent("t", {}, refusal=Refused)], conflict="c", backoff=pauses.append)  # type: ignore[arg-type]
    assert pauses == [1, 2]


def test_a_transaction_contended_beyond_its_attempts_is_a_conflict_to_try_again() -> None:
    client = RecordingDynamoDb(*[cancelled("TransactionConflict")] * 3)

    with pytest.raises(Conflict, match="Try again"):
        transact(client, [put("t", {})], conflict="c", attempts=3, backoff=no_pause)  # type: ignore[arg-type]
    assert len(client.calls) == 3


def test_other_failures_are_not_mistaken_for_refusals() -> None:
    throttled = ClientError(
        {"Error": {"Code": "ThrottlingException", "Message": "slow"}}, "TransactWriteItems"
    )
    invalid = cancelled("ValidationError")

    for failure in (throttled, invalid):
        with pytest.raises(ClientError):
            transact(RecordingDynamoDb(failure), [put("t", {})], conflict="c")  # type: ignore[arg-type]


# --- a request's claim --------------------------------------------------------------------------------------


def test_a_claim_commits_with_the_first_change_that_names_a_subject_and_only_with_it() -> None:
    client = RecordingDynamoDb()
    claim = OneClaim()

    with claiming(claim):
        transact(client, [put("audit", {})], conflict="c")  # type: ignore[arg-type]
        transact(client, [put("main", {})], conflict="c", subject="K1-26")  # type: ignore[arg-type]
        transact(client, [put("main", {})], conflict="c", subject="K1-26")  # type: ignore[arg-type]
    transact(client, [put("main", {})], conflict="c", subject="K2-26")  # type: ignore[arg-type]

    assert tables(client) == [["audit"], ["keys", "main"], ["main"], ["main"]]
    assert claim.subject == "K1-26"


def test_a_claim_taken_already_is_the_refusal_even_when_another_rule_refused_too() -> None:
    client = RecordingDynamoDb(cancelled("ConditionalCheckFailed", "ConditionalCheckFailed"))
    claim = OneClaim()

    with claiming(claim), pytest.raises(NotFound, match="claimed already"):
        transact(client, [put_if_absent("main", {}, refusal=Refused)], conflict="c", subject="K1-26")  # type: ignore[arg-type]
    assert claim.pending


def test_a_claim_survives_a_refused_attempt_and_commits_with_the_retry() -> None:
    client = RecordingDynamoDb(cancelled("None", "ConditionalCheckFailed"), {})
    claim = OneClaim()

    with claiming(claim):
        with pytest.raises(Refused):
            transact(client, [put_if_absent("main", {}, refusal=Refused)], conflict="c", subject="HG1-26")  # type: ignore[arg-type]
        transact(client, [put_if_absent("main", {}, refusal=Refused)], conflict="c", subject="HG2-26")  # type: ignore[arg-type]

    assert tables(client) == [["keys", "main"], ["keys", "main"]]
    assert claim.subject == "HG2-26"


def test_a_conditional_put_is_one_put_unless_it_carries_a_claim() -> None:
    client = RecordingDynamoDb(
        {},
        {},
        ClientError({"Error": {"Code": "ConditionalCheckFailedException", "Message": "no"}}, "PutItem"),
    )
    claim = OneClaim()

    conditional_put(client, "main", {}, condition="attribute_not_exists(pk)", refusal=Refused, subject="t-1")  # type: ignore[arg-type]
    with claiming(claim):
        conditional_put(
            client, "main", {}, condition="attribute_not_exists(pk)", refusal=Refused, subject="t-2"
        )  # type: ignore[arg-type]
    with pytest.raises(Refused):
        conditional_put(client, "main", {}, condition="attribute_not_exists(pk)", refusal=Refused)  # type: ignore[arg-type]

    assert [operation for operation, _ in client.calls] == ["put_item", "transact_write_items", "put_item"]
    assert tables(client) == [["keys", "main"]]
    assert claim.subject == "t-2"


class BatchGetting:
    """Answers BatchGetItem from a dict of items, handing the first ask's last key back unprocessed."""

    def __init__(self, items: dict[str, dict[str, Any]]) -> None:
        self.items = items
        self.asks: list[list[str]] = []

    def batch_get_item(self, RequestItems: dict[str, Any]) -> dict[str, Any]:  # noqa: N803 - boto3's name
        ((table, request),) = RequestItems.items()
        wanted = [key["pk"]["S"] for key in request["Keys"]]
        self.asks.append(wanted)
        assert request["ConsistentRead"] is True
        answered, left = (wanted[:-1], wanted[-1:]) if len(self.asks) == 1 else (wanted, [])
        response: dict[str, Any] = {
            "Responses": {table: [self.items[k] for k in answered if k in self.items]}
        }
        if left:
            response["UnprocessedKeys"] = {table: {"Keys": [{"pk": {"S": k}} for k in left]}}
        return response


def test_items_by_key_come_in_their_keys_order_missing_ones_left_out_and_unprocessed_ones_asked_again() -> (
    None
):
    items = {k: {"pk": {"S": k}, "n": {"N": str(i)}} for i, k in enumerate(["a", "b", "c"])}
    client = BatchGetting(items)
    keys = [{"pk": {"S": k}} for k in ["c", "gone", "a", "b"]]
    pauses: list[int] = []

    found = get_all(client, "t", keys, backoff=pauses.append)  # type: ignore[arg-type]

    assert [item["pk"]["S"] for item in found] == ["c", "a", "b"]
    assert client.asks == [["c", "gone", "a", "b"], ["b"]]
    assert pauses == [1]


def test_a_model_kept_compressed_or_as_plain_json_reads_back_the_same() -> None:
    from shared.models import CamelModel

    class Kept(CamelModel):
        name: str
        note: str | None = None

    kept = Kept(name="ö" * 300)
    compressed = to_item({"body": to_body(kept)})

    assert from_body(Kept, compressed) == kept
    assert from_body(Kept, to_item({"body": kept.model_dump_json()})) == kept
    assert len(compressed["body"]["B"]) < len(kept.model_dump_json().encode()) / 4
