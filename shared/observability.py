"""Logger, Metrics and Tracer as every function uses them, and the one decorator every entry point wears.

Personal identity numbers must never reach a log line. Code does not log them, and as a second line of defence
the formatter blanks anything shaped like a personnummer, samordningsnummer or organisationsnummer (in
exception messages, say) before the line is written.

Tracing costs nothing until an invocation is traced: :class:`LazyTracer` makes Powertools' Tracer (and so
imports the X-Ray SDK) only then (ADR 70).

A warm execution environment runs many invocations, and the Logger's keys outlive each of them (they live in
the formatter, which every Logger of a service shares). :func:`entry_point` starts every invocation from the
service's default keys, so a line never carries the event id, correlation id or case of an earlier one.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar, cast

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter

if TYPE_CHECKING:
    from aws_lambda_powertools import Tracer

from shared.metrics_namespace import METRICS_NAMESPACE

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


# What Powertools adds from the Lambda context on every line that the function's name (kept: lines of several
# functions are read together, in Logs Insights and locally) and its configuration already say.
REDUNDANT_KEYS = ("function_arn", "function_memory_size")


class RedactingFormatter(LambdaPowertoolsFormatter):
    def serialize(self, log: dict[str, Any]) -> str:  # type: ignore[override]
        for key in REDUNDANT_KEYS:
            log.pop(key, None)
        return redact(super().serialize(log))


def create_logger() -> Logger:
    return Logger(logger_formatter=RedactingFormatter())


def create_metrics() -> Metrics:
    # Named here rather than only in the environment: handlers are imported before tests set variables.
    return Metrics(namespace=METRICS_NAMESPACE)


def tracing_wanted() -> bool:
    """Whether this invocation is to be traced: in Lambda, with tracing not switched off, and sampled.

    Lambda sets ``_X_AMZN_TRACE_ID`` for each invocation before calling the handler; ``Sampled=1`` in it is
    X-Ray's decision (the sampling rules, ADR 58). Outside Lambda the Tracer disables itself anyway.
    """
    if os.environ.get("POWERTOOLS_TRACE_DISABLED", "false").strip().lower() in {"1", "true", "yes", "on"}:
        return False
    if not os.environ.get("LAMBDA_TASK_ROOT") or os.environ.get("AWS_SAM_LOCAL"):
        return False
    return "Sampled=1" in os.environ.get("_X_AMZN_TRACE_ID", "")


class LazyTracer:
    """Powertools' Tracer, made when the first invocation to be traced arrives (see :func:`tracing_wanted`).

    Making a Tracer imports the X-Ray SDK and patches botocore, even when tracing is disabled: the largest
    single cost of a cold start, paid by every function although locally nothing is traced and in AWS most
    invocations are not sampled. Once made, it stays and traces every later invocation as the SDK decides
    (an unsampled one records nothing); botocore is patched at the class, so clients made before are traced
    too. See ADR 70.
    """

    def __init__(self) -> None:
        self._tracer: Tracer | None = None

    @property
    def made(self) -> bool:
        return self._tracer is not None

    def for_invocation(self) -> Tracer | None:
        if self._tracer is None and tracing_wanted():
            from aws_lambda_powertools import Tracer

            self._tracer = Tracer()
        return self._tracer


def create_tracer() -> LazyTracer:
    return LazyTracer()


def _traced_when_wanted(handler: Callable[..., Any], tracer: LazyTracer) -> Callable[..., Any]:
    traced: Callable[..., Any] | None = None

    @functools.wraps(handler)
    def invoke(event: Any, context: Any) -> Any:
        nonlocal traced
        active = tracer.for_invocation()
        if active is None:
            return handler(event, context)
        if traced is None:
            traced = active.capture_lambda_handler(handler)
        return traced(event, context)

    return invoke


Handler = TypeVar("Handler", bound=Callable[..., Any])
# Set on every handler :func:`entry_point` wraps, so a test can prove that every function of every manifest
# wears it.
ENTRY_POINT_MARK = "__eservices_entry_point__"


def entry_point(
    logger: Logger,
    *,
    metrics: Metrics | None = None,
    tracer: LazyTracer | None = None,
    correlation_id_path: str | None = None,
) -> Callable[[Handler], Handler]:
    """The decorators of a Lambda entry point, in their one right order: metrics flushed last, the trace
    around the handler (when the invocation is traced), and the Logger's state cleared, then filled with this
    invocation's Lambda context (and correlation id, when ``correlation_id_path`` finds one in the event)."""

    def decorate(handler: Handler) -> Handler:
        wrapped: Callable[..., Any] = logger.inject_lambda_context(
            handler, correlation_id_path=correlation_id_path, clear_state=True
        )
        if tracer is not None:
            wrapped = _traced_when_wanted(wrapped, tracer)
        if metrics is not None:
            wrapped = metrics.log_metrics(wrapped)
        setattr(wrapped, ENTRY_POINT_MARK, True)
        return cast("Handler", wrapped)

    return decorate
