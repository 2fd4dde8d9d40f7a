"""What every permits router reads the same way: the request's correlation id, a diarienummer from the path."""

from __future__ import annotations

import re

from services.permits.contracts import DIARIENUMMER_PATH_PATTERN, diarienummer_from_path
from services.permits.messages import TEXTS
from services.permits.telemetry import logger
from shared.http.problems import ValidationProblem

_PATH = re.compile(DIARIENUMMER_PATH_PATTERN)


def diarienummer(text: str) -> str:
    """The diarienummer a path names (``A579.501-2026`` is ``A579.501/2026``)."""
    if not _PATH.fullmatch(text):
        raise ValidationProblem.for_field("diarienummer", TEXTS("invalid.diarienummer_path"))
    return diarienummer_from_path(text)


def correlation_id() -> str:
    return logger.get_correlation_id() or ""
