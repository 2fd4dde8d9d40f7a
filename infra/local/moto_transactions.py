"""DynamoDB transactions in the moto server child: rolled back item by item, with the stream left intact.

moto backs a ``TransactWriteItems`` up by deep-copying every table it touches (once per action), and rolls a
cancelled one back by putting the copies in place. That costs time in proportion to the table, stream records
included (about half a second per transaction at 2,000 items, all of it inside the DynamoDB lock that
``moto_server`` holds), and the copy carries a copy of the stream shard, so a stream reader holding the
original never sees another record of that table: after the first refused transaction (an optimistic-lock
conflict, a full slot), events would stop crossing the bus.

Here moto's table copies are skipped, and a cancelled transaction is undone the way DynamoDB never needs to:
the items it touched get their previous versions back, and the stream loses the records the transaction wrote
before it was refused. A transaction only ever changes the items it names, so that is the whole rollback.
Runs only inside the moto server, where every DynamoDB request holds one lock.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.dynamo_type import DynamoType, Item
    from moto.dynamodb.models.table import Table

ItemKey = tuple[str, "DynamoType", "DynamoType | None"]  # (table name, hash key, range key)


def install() -> None:
    import moto.dynamodb.models as dynamodb_models
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.table import Table

    # moto.dynamodb.models reaches deepcopy through its module global `copy`: tables pass through uncopied.
    dynamodb_models.copy = SimpleNamespace(  # type: ignore[assignment,attr-defined]
        deepcopy=lambda value, memo=None: value if isinstance(value, Table) else copy.deepcopy(value, memo),
        copy=copy.copy,
    )
    DynamoDBBackend.transact_write_items = _rolled_back_item_by_item(  # type: ignore[method-assign,assignment]
        DynamoDBBackend.transact_write_items
    )


def _rolled_back_item_by_item(
    transact: Callable[[DynamoDBBackend, list[dict[str, Any]]], None],
) -> Callable[[DynamoDBBackend, list[dict[str, Any]]], None]:
    def transact_write_items(backend: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
        items = _touched_items(backend, transact_items)
        stream_lengths = {
            name: len(table.stream_shard.items)
            for name, table in backend.tables.items()
            if table.stream_shard is not None
        }
        try:
            transact(backend, transact_items)
        except Exception:
            for (name, hash_key, range_key), previous in items.items():
                _restore(backend.tables[name], hash_key, range_key, previous)
            for name, length in stream_lengths.items():
                shard = backend.tables[name].stream_shard
                if shard is not None:
                    del shard.items[length:]  # a cancelled transaction writes nothing to the stream
            raise

    return transact_write_items


def _touched_items(
    backend: DynamoDBBackend, transact_items: list[dict[str, Any]]
) -> dict[ItemKey, Item | None]:
    """A copy of each item the transaction names, as it is now (None if absent), first mention first."""
    from moto.dynamodb.models.dynamo_type import DynamoType

    touched: dict[ItemKey, Item | None] = {}
    for action in transact_items:
        for kind, operation in action.items():
            table = backend.tables.get(str(operation.get("TableName")))
            attributes = operation.get("Item") if kind == "Put" else operation.get("Key")
            key_names = (
                [name for name in (table.hash_key_attr, table.range_key_attr) if name] if table else []
            )
            if table is None or not isinstance(attributes, dict) or not set(key_names) <= set(attributes):
                continue  # moto refuses such an action without writing it
            hash_key = DynamoType(attributes[table.hash_key_attr])
            range_key = DynamoType(attributes[table.range_key_attr]) if table.range_key_attr else None
            key = (table.name, hash_key, range_key)
            if key not in touched:
                current = table.get_item(hash_key, range_key)
                touched[key] = copy.deepcopy(current) if current is not None else None
    return touched


def _restore(table: Table, hash_key: DynamoType, range_key: DynamoType | None, previous: Item | None) -> None:
    if range_key is None:
        if previous is None:
            table.items.pop(hash_key, None)
        else:
            table.items[hash_key] = previous  # type: ignore[assignment]  # moto types a hash-only table as a range one
    elif previous is None:
        table.items[hash_key].pop(range_key, None)
    else:
        table.items[hash_key][range_key] = previous
