"""Decision metrics (CloudWatch embedded metric format), one data point per decision.

``ReportsDecided`` by ``decidedBy`` (rule | staff): the share decided automatically is
``rule / (rule + staff)`` over any period. ``SecondsFromFilingToDecision`` by ``decidedBy``: seconds for the
rules, days for staff, so the two are kept apart. Each decision is its own data point (``single_metric``) because
a batch of events can hold decisions of both kinds and a metric's dimensions apply to everything it flushes.
"""

from __future__ import annotations

from datetime import datetime

from aws_lambda_powertools.metrics import MetricUnit, single_metric

from services.reports.domain.model import Decision
from shared.metrics_namespace import METRICS_NAMESPACE


def record_decision(decision: Decision, *, filed_at: datetime) -> None:
    seconds = max(0.0, (decision.decided_at - filed_at).total_seconds())
    for name, unit, value in (
        ("ReportsDecided", MetricUnit.Count, 1.0),
        ("SecondsFromFilingToDecision", MetricUnit.Seconds, seconds),
    ):
        with single_metric(name=name, unit=unit, value=value, namespace=METRICS_NAMESPACE) as metric:
            metric.add_dimension(name="decidedBy", value=decision.decided_by)
