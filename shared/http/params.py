"""Path parameters bounded by their formats, so a malformed identifier is a 400 naming it before any route
runs (and never reaches a storage key), and the OpenAPI document says what each one looks like."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path

from shared.casenumbers import K_NUMBER_PATTERN

CaseNumberPath = Annotated[
    str,
    Path(
        pattern=K_NUMBER_PATTERN,
        max_length=20,
        description="A crime report number, e.g. K123456-26",
        examples=["K123456-26"],
    ),
]
