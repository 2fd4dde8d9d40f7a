"""``Idempotency-Key`` for creating requests, on Powertools idempotency.

A retry with the same key and the same body gets the first response; the same key with another body is
refused with 422; a retry while the first is still running gets 409.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import cache
from typing import Any

from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
    IdempotencyValidationError,
)
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.adapters import aws
from shared.http.problems import ConflictProblem, UnprocessableProblem, ValidationProblem

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 128
# Long enough to cover a citizen's retries across a flaky connection or a closed laptop lid.
EXPIRES_AFTER_SECONDS = 24 * 3600


@cache
def _store() -> DynamoDBPersistenceLayer:
    return DynamoDBPersistenceLayer(table_name=os.environ["TABLE_IDEMPOTENCY"], boto3_client=aws.dynamodb())


def _config() -> IdempotencyConfig:
    return IdempotencyConfig(
        event_key_jmespath="key",
        payload_validation_jmespath="body",
        expires_after_seconds=EXPIRES_AFTER_SECONDS,
        raise_on_no_idempotency_key=True,
    )


def run_once(
    *,
    key: str | None,
    scope: str,
    body: dict[str, Any],
    create: Callable[[], dict[str, Any]],
    context: LambdaContext,
) -> dict[str, Any]:
    """Run ``create`` once per (scope, key). Without a key the request is simply executed."""
    if key is None:
        return create()
    if not key.strip() or len(key) > MAX_KEY_LENGTH:
        raise ValidationProblem.for_field(HEADER, f"must be 1 to {MAX_KEY_LENGTH} characters")

    def _create(request: dict[str, Any]) -> dict[str, Any]:
        return create()

    config = _config()
    config.register_lambda_context(context)
    guarded = idempotent_function(data_keyword_argument="request", persistence_store=_store(), config=config)(
        _create
    )
    try:
        result: dict[str, Any] = guarded(request={"key": f"{scope}:{key}", "body": body})
    except IdempotencyValidationError as error:
        raise UnprocessableProblem(
            f"This {HEADER} was already used with a different request body. Use a new key for a new request."
        ) from error
    except IdempotencyAlreadyInProgressError as error:
        raise ConflictProblem(
            f"A request with this {HEADER} is still being processed. Try again in a moment."
        ) from error
    return result
