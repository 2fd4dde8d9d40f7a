"""What every feedback router reads the same way."""

from __future__ import annotations

from services.feedback.telemetry import logger


def correlation_id() -> str:
    return logger.get_correlation_id() or ""
