"""The answer of every reports route that creates something: 201 with what was created, made at most once per
idempotency key (a retry gets the first answer again)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel

from shared.http.idempotency import run_once


def created_once(
    request: BaseModel,
    *,
    idempotency_key: str | None,
    scope: str,
    create: Callable[[], dict[str, Any]],
    context: LambdaContext,
    location: Callable[[dict[str, Any]], str] | None = None,
) -> Response[dict[str, Any]]:
    """``location`` names the created resource's URL from the body, for the Location header."""
    body = run_once(
        key=idempotency_key,
        scope=scope,
        body=request.model_dump(mode="json", by_alias=True),
        create=create,
        context=context,
    )
    if location is None:
        return Response(201, content_types.APPLICATION_JSON, body)
    return Response(201, content_types.APPLICATION_JSON, body, headers={"Location": location(body)})
