"""Faults injected into the AWS clients the handlers use, for tests of what a user sees when AWS misbehaves."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from shared.adapters import aws


class Crashed(Exception):
    """The process died after DynamoDB committed, before the handler could answer."""


def crash_after_commit(monkeypatch: pytest.MonkeyPatch, *, times: int = 1) -> list[dict[str, Any]]:
    """The next ``times`` transactions commit for real, then the call raises as a crash would; the
    committed requests are returned for the test to look at."""
    client = aws.dynamodb()
    real = client.transact_write_items
    committed: list[dict[str, Any]] = []

    def commit_then_crash(**request: Any) -> Any:
        response = real(**request)
        if len(committed) < times:
            committed.append(request)
            raise Crashed("crashed right after the commit")
        return response

    monkeypatch.setattr(client, "transact_write_items", commit_then_crash)
    return committed


def before_each_transaction(monkeypatch: pytest.MonkeyPatch, action: Callable[[], None]) -> None:
    """Run ``action`` (once) just before the next transaction is sent: another request that gets there first."""
    client = aws.dynamodb()
    real = client.transact_write_items
    pending = [action]

    def first_another(**request: Any) -> Any:
        if pending:
            pending.pop()()
        return real(**request)

    monkeypatch.setattr(client, "transact_write_items", first_another)


def contended_transactions(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every transaction meets another one on its first item (DynamoDB's TransactionConflict)."""
    client = aws.dynamodb()

    def conflict(**request: Any) -> Any:
        reasons = [{"Code": "TransactionConflict"}] + [{"Code": "None"}] * (len(request["TransactItems"]) - 1)
        raise ClientError(
            {
                "Error": {"Code": "TransactionCanceledException", "Message": "Transaction cancelled"},
                "CancellationReasons": reasons,  # type: ignore[typeddict-unknown-key]
            },
            "TransactWriteItems",
        )

    monkeypatch.setattr(client, "transact_write_items", conflict)
