"""The answer of every route that takes ``Idempotency-Key``: made at most once per key, and a retry answered
with the same status and ``Location`` for what the first request created or changed, as it is now."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from aws_lambda_powertools.event_handler import Response, content_types

from shared.http.idempotency import request_fingerprint, request_scope, run_once

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.data_classes.common import BaseProxyEvent
    from pydantic import BaseModel

Answer = TypeVar("Answer", bound="BaseModel")


def created_once(
    event: BaseProxyEvent,
    request: BaseModel | None,
    *,
    idempotency_key: str | None,
    create: Callable[[], Answer],
    replay: Callable[[str], Answer],
    location: Callable[[Answer], str] | None = None,
    status: int = 201,
) -> Response[Answer]:
    """``create`` once per key. ``replay`` gets the id of what the first request created or changed; it
    authorizes the caller as ``create`` does (and audits where the route audits), then reads it.
    ``location`` names the created resource's URL from the answer, for the Location header."""
    answer = run_once(
        key=idempotency_key,
        scope=request_scope(event),
        fingerprint=request_fingerprint(event, request),
        create=create,
        replay=replay,
    )
    headers = {"Location": location(answer)} if location is not None else None
    return Response(status, content_types.APPLICATION_JSON, answer, headers=headers)
