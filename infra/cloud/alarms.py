"""Alarms that notify the platform's alarm topic. Every async path ends in a queue whose depth alarms."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cloudwatch_actions
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

PERIOD = cdk.Duration.minutes(5)


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
    alarm = cloudwatch.Alarm(
        scope,
        construct_id,
        alarm_name=f"{queue_name}-too-old",
        alarm_description=f"A message has waited in {queue_name} over {max_age.to_minutes()} minutes",
        metric=metric,
        threshold=max_age.to_seconds(),
        comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluation_periods=1,
        treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
    )
    return notify(alarm, topic)


def metric_alarm(
    scope: Construct,
    construct_id: str,
    *,
    namespace: str,
    metric_name: str,
    dimensions: dict[str, str],
    threshold: float,
    period: cdk.Duration,
    name: str,
    description: str,
    topic: sns.ITopic,
) -> cloudwatch.Alarm:
    """Alarm while a service's own metric (a job's count of stuck work, say) has a maximum above ``threshold``
    in a period; it clears by itself once the metric drops."""
    metric = cloudwatch.Metric(
        namespace=namespace,
        metric_name=metric_name,
        dimensions_map=dimensions,
        period=period,
        statistic="Maximum",
    )
    alarm = cloudwatch.Alarm(
        scope,
        construct_id,
        alarm_name=name,
        alarm_description=description,
        metric=metric,
        threshold=threshold,
        comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluation_periods=1,
        treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
    )
    return notify(alarm, topic)
