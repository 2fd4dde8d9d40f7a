"""Path parameters bounded by their formats, so a malformed identifier is a 400 naming it before any route
runs (and never reaches a storage key), and the OpenAPI document says what each one looks like."""

from __future__ import annotations

import re
from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path

from shared.casenumbers import K_NUMBER_PATTERN
from shared.http.problems import ValidationProblem
from shared.messages import TEXTS

CaseNumberPath = Annotated[
    str,
    Path(
        pattern=K_NUMBER_PATTERN,
        max_length=20,
        description="A crime report number, e.g. K123456-26",
        examples=["K123456-26"],
    ),
]


def checked_case_number(value: str) -> str:
    """For the few routes that skip request validation (a binary answer): the same check by hand."""
    if len(value) > 20 or re.fullmatch(K_NUMBER_PATTERN, value) is None:
        raise ValidationProblem.for_field("caseNumber", TEXTS("case_number_path"))
    return value
