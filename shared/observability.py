"""Logger, Metrics and Tracer as every function uses them.

Personal identity numbers must never reach a log line. Code does not log them, and as a second line of defence
the formatter blanks anything shaped like a personnummer, samordningsnummer or organisationsnummer (in
exception messages, say) before the line is written.
"""

from __future__ import annotations

import re
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter

from shared.manifest import METRICS_NAMESPACE

# 10 or 12 digits with an optional -/+ before the last four: YYMMDD-NNNN, YYYYMMDDNNNN, NNNNNN-NNNN.
_IDENTITY_NUMBER = re.compile(r"(?<![\d.])(?:\d{2})?\d{6}[-+]?\d{4}(?![\d.])")
REDACTED = "[redacted]"


def redact(text: str) -> str:
    return _IDENTITY_NUMBER.sub(REDACTED, text)


class RedactingFormatter(LambdaPowertoolsFormatter):
    def serialize(self, log: dict[str, Any]) -> str:  # type: ignore[override]
        return redact(super().serialize(log))


def create_logger() -> Logger:
    return Logger(logger_formatter=RedactingFormatter())


def create_metrics() -> Metrics:
    # Named here rather than only in the environment: handlers are imported before tests set variables.
    return Metrics(namespace=METRICS_NAMESPACE)
