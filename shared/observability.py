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

# A personnummer or samordningsnummer (YYMMDD or YYYYMMDD, a plausible month and day, the day + 60 for
# samordningsnummer, then four digits with an optional -/+), or an organisationsnummer (NNNNNN-NNNN, third
# digit >= 2). The date shape keeps account ids and timestamps in ARNs readable.
_IDENTITY_NUMBER = re.compile(
    r"(?<![\d.])(?:(?:19|20)?\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01]|6[1-9]|[78]\d|9[01])[-+]?\d{4}"
    r"|\d{2}[2-9]\d{3}-\d{4})(?![\d.])"
)
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
