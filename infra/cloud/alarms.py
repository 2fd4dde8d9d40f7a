"""Alarms that notify the platform's alarm topic, which e-mails the address given at deploy time.

Every async path ends in a queue whose depth and age alarm; every function alarms on errors and throttles;
the outbox publisher on how far behind its stream it reads. One call makes one alarm that reaches someone:

- :func:`threshold_alarm` on any metric (``service_metric`` for a service's own Powertools metrics);
- :func:`any_occurrence_alarm` + :func:`notify` for "above zero is a bug" (errors, 5xx, dead letters);
- :func:`queue_depth_alarm`, :func:`queue_age_alarm`, :func:`throttles_alarm`, :func:`iterator_age_alarm`;
- :func:`manifest_alarm` renders a manifest's ``MetricAlarm``, the way a service adds one of its own without
  code in the renderer.

Missing data is never a breach: a quiet night is not an incident.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cloudwatch_actions
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from shared.manifest import METRICS_NAMESPACE, MetricAlarm, ServiceManifest

PERIOD = cdk.Duration.minutes(5)
# The outbox stream is read this far behind: events are late for every consumer (the stream keeps 24 hours).
OUTBOX_ITERATOR_AGE = cdk.Duration.minutes(5)
# A subscription's message waiting this long: its consumer is not keeping up, or is retrying and failing
# (three receives at the visibility timeout take minutes, not a quarter of an hour).
SUBSCRIPTION_MAX_AGE = cdk.Duration.minutes(15)
# A dead letter or failure record waiting this long has not been looked at, or not re-driven: say it again.
DEAD_LETTER_MAX_AGE = cdk.Duration.hours(24)


def notify(alarm: cloudwatch.Alarm, topic: sns.ITopic) -> cloudwatch.Alarm:
    alarm.add_alarm_action(cloudwatch_actions.SnsAction(topic))
    return alarm


def any_occurrence_alarm(
    scope: Construct, construct_id: str, *, metric: cloudwatch.IMetric, name: str, description: str
) -> cloudwatch.Alarm:
    """Alarm as soon as the metric is above zero in one period: errors, 5xx and dead letters are all bugs."""
    return cloudwatch.Alarm(
        scope,
        construct_id,
        alarm_name=name,
        alarm_description=description,
        metric=metric,
        threshold=0,
        comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluation_periods=1,
        treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
    )


def threshold_alarm(
    scope: Construct,
    construct_id: str,
    *,
    metric: cloudwatch.IMetric,
    threshold: float,
    name: str,
    description: str,
    topic: sns.ITopic,
    evaluation_periods: int = 1,
) -> cloudwatch.Alarm:
    """Alarm the topic when ``metric`` is above ``threshold`` for ``evaluation_periods`` periods in a row."""
    alarm = cloudwatch.Alarm(
        scope,
        construct_id,
        alarm_name=name,
        alarm_description=description,
        metric=metric,
        threshold=threshold,
        comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluation_periods=evaluation_periods,
        treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
    )
    return notify(alarm, topic)


def service_metric(
    manifest: ServiceManifest,
    metric_name: str,
    *,
    statistic: str = "Maximum",
    period: cdk.Duration = PERIOD,
    dimensions: dict[str, str] | None = None,
) -> cloudwatch.Metric:
    """One of the service's own metrics, as Powertools emits it: namespace ``EServices``, dimension
    ``service`` (and whatever else the code adds with it)."""
    return cloudwatch.Metric(
        namespace=METRICS_NAMESPACE,
        metric_name=metric_name,
        dimensions_map={"service": manifest.name, **(dimensions or {})},
        statistic=statistic,
        period=period,
    )


def manifest_alarm(
    scope: Construct, manifest: ServiceManifest, env_name: str, spec: MetricAlarm, topic: sns.ITopic
) -> cloudwatch.Alarm:
    metric = service_metric(
        manifest,
        spec.metric,
        statistic=spec.statistic,
        period=cdk.Duration.minutes(spec.period_minutes),
        dimensions=dict(spec.dimensions),
    )
    return threshold_alarm(
        scope,
        f"{spec.name[:1].upper()}{spec.name[1:]}Alarm",
        metric=metric,
        threshold=spec.threshold,
        name=manifest.alarm_name(env_name, spec.name),
        description=spec.description or f"{spec.metric} of {manifest.name} above {spec.threshold}",
        topic=topic,
        evaluation_periods=spec.evaluation_periods,
    )


def queue_depth_alarm(
    scope: Construct, construct_id: str, *, queue: sqs.Queue, queue_name: str, topic: sns.ITopic
) -> cloudwatch.Alarm:
    metric = queue.metric_approximate_number_of_messages_visible(period=PERIOD, statistic="Maximum")
    alarm = any_occurrence_alarm(
        scope,
        construct_id,
        metric=metric,
        name=f"{queue_name}-not-empty",
        description=f"Messages wait in {queue_name}: something failed and needs a look, then a redrive",
    )
    return notify(alarm, topic)


def queue_age_alarm(
    scope: Construct,
    construct_id: str,
    *,
    queue: sqs.Queue,
    queue_name: str,
    max_age: cdk.Duration,
    topic: sns.ITopic,
) -> cloudwatch.Alarm:
    """Alarm when the oldest message has waited longer than ``max_age``: whatever drains the queue stopped."""
    metric = queue.metric_approximate_age_of_oldest_message(period=PERIOD, statistic="Maximum")
    return threshold_alarm(
        scope,
        construct_id,
        metric=metric,
        threshold=max_age.to_seconds(),
        name=f"{queue_name}-too-old",
        description=f"A message has waited in {queue_name} over {max_age.to_minutes()} minutes",
        topic=topic,
    )


def throttles_alarm(
    scope: Construct, construct_id: str, *, function: lambda_.IFunction, function_name: str, topic: sns.ITopic
) -> cloudwatch.Alarm:
    """Alarm when Lambda refused to run the function (concurrency exhausted): callers got 429s or waited."""
    alarm = any_occurrence_alarm(
        scope,
        construct_id,
        metric=function.metric_throttles(period=PERIOD, statistic="Sum"),
        name=f"{function_name}-throttled",
        description=f"Lambda throttled {function_name}: its invocations were refused for lack of concurrency",
    )
    return notify(alarm, topic)


def iterator_age_alarm(
    scope: Construct,
    construct_id: str,
    *,
    function: lambda_.IFunction,
    function_name: str,
    max_age: cdk.Duration,
    topic: sns.ITopic,
) -> cloudwatch.Alarm:
    """Alarm when the stream function reads records older than ``max_age``: the outbox is falling behind."""
    metric = function.metric("IteratorAge", period=PERIOD, statistic="Maximum")
    return threshold_alarm(
        scope,
        construct_id,
        metric=metric,
        threshold=max_age.to_milliseconds(),
        name=f"{function_name}-iterator-age",
        description=(
            f"{function_name} reads its stream over {max_age.to_minutes()} minutes behind: events reach the "
            "bus late (the stream keeps records 24 hours)"
        ),
        topic=topic,
    )
