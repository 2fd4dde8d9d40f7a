"""How a service's functions are triggered: the outbox stream, event subscriptions and schedules.

Every asynchronous path ends in a queue that alarms when not empty:
- subscription: EventBridge rule -> queue (KMS) -> consumer; poison messages and undeliverable events go to
  the subscription's DLQ (the manifest's ``dlq_name``);
- outbox: table stream -> publisher -> bus; a batch that keeps failing is recorded in the publisher's
  failure queue (the shard and sequence numbers to replay from, not the items), and the outbox sweeper
  republishes what is left in the outbox, alarming when it falls behind (ADR 40);
- schedule: EventBridge Scheduler -> job function; failures land in the job's failure queue.

A standalone queue (``shared.manifest.Queue``) is the other way out: the senders put messages on it and a
consumer outside the stack drains it, so it alarms on the age of its oldest message instead.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as events_targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as event_sources
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_scheduler_targets as scheduler_targets
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.cloud.alarms import (
    DEAD_LETTER_MAX_AGE,
    PERIOD,
    SUBSCRIPTION_MAX_AGE,
    any_occurrence_alarm,
    notify,
    queue_age_alarm,
    queue_depth_alarm,
)
from infra.cloud.nag import acknowledge, logical_id
from infra.cloud.naming import pascal
from infra.cloud.service_functions import ServiceFunction
from shared.events.outbox import BEHIND_AFTER, OUTBOX_PREFIX
from shared.manifest import (
    METRICS_NAMESPACE,
    STREAM_BATCH_SIZE,
    STREAM_RETRY_ATTEMPTS,
    SWEEPER_TABLE_ACTIONS,
    Queue,
    Schedule,
    ServiceManifest,
    Subscription,
)

MESSAGE_RETENTION = cdk.Duration.days(14)
SCHEDULE_RETRY_ATTEMPTS = 3
SCHEDULE_MAX_EVENT_AGE = cdk.Duration.hours(1)
# Not among CDK's TimeZone constants, though Scheduler accepts every IANA zone.
SCHEDULE_TIME_ZONE = cdk.TimeZone.of("Europe/Stockholm")
# Spelled out rather than CDK's grantSendMessages, whose GenerateDataKey* wildcard is wider. The adapter
# resolves the queue's URL from its name once.
SEND_ACTIONS = ("sqs:GetQueueUrl", "sqs:SendMessage")
SEND_KEY_ACTIONS = ("kms:Decrypt", "kms:GenerateDataKey")
DEAD_LETTER_END = (
    "This is a dead-letter queue, the end of the line: it has no redrive of its own, and its depth alarms."
)


class FailureQueue(Construct):
    """Where a function's asynchronous failures are recorded (stream on-failure, Lambda and Scheduler DLQ).

    SQS-managed encryption: the messages are invocation records and schedule payloads, never items,
    and a customer-managed key would only widen the publisher's and the scheduler's permissions.
    """

    def __init__(
        self, scope: Construct, construct_id: str, *, queue_name: str, alarm_topic: sns.ITopic
    ) -> None:
        super().__init__(scope, construct_id)
        self.queue_name = queue_name
        self.queue = sqs.Queue(
            self,
            "Queue",
            queue_name=queue_name,
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            retention_period=MESSAGE_RETENTION,
        )
        acknowledge(self.queue, "Serverless-SQSRedrivePolicy", DEAD_LETTER_END)
        queue_depth_alarm(self, "NotEmptyAlarm", queue=self.queue, queue_name=queue_name, topic=alarm_topic)
        queue_age_alarm(
            self,
            "TooOldAlarm",
            queue=self.queue,
            queue_name=queue_name,
            max_age=DEAD_LETTER_MAX_AGE,
            topic=alarm_topic,
        )


class StandaloneQueue(Construct):
    """A queue the manifest's senders put messages on, drained by a consumer outside this stack."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        queue_name: str,
        spec: Queue,
        senders: list[ServiceFunction],
        key: kms.IKey,
        alarm_topic: sns.ITopic,
    ) -> None:
        super().__init__(scope, construct_id)
        self.queue = sqs.Queue(
            self,
            "Queue",
            queue_name=queue_name,
            encryption=sqs.QueueEncryption.KMS,
            encryption_master_key=key,
            enforce_ssl=True,
            retention_period=cdk.Duration.days(spec.retention_days),
        )
        no_dead_letters = (
            "A connector outside this stack consumes the queue and owns its failure handling; the age alarm "
            "on the oldest message watches that it keeps draining."
        )
        acknowledge(self.queue, "AwsSolutions-SQS3", no_dead_letters)
        acknowledge(self.queue, "Serverless-SQSRedrivePolicy", no_dead_letters)
        queue_age_alarm(
            self,
            "TooOldAlarm",
            queue=self.queue,
            queue_name=queue_name,
            max_age=cdk.Duration.minutes(spec.max_age_alarm_minutes),
            topic=alarm_topic,
        )
        for sender in senders:
            sender.role.add_to_policy(
                iam.PolicyStatement(actions=list(SEND_ACTIONS), resources=[self.queue.queue_arn])
            )
            sender.role.add_to_policy(
                iam.PolicyStatement(actions=list(SEND_KEY_ACTIONS), resources=[key.key_arn])
            )


def publish_outbox(
    publisher: ServiceFunction,
    table: dynamodb.Table,
    failures: FailureQueue,
    bus: events.IEventBus,
    source: str,
    key: kms.IKey,
) -> None:
    """Feed the table's stream, outbox inserts only, to the publisher, which puts the events on the bus, only
    events of its own service's ``source`` (no service can put an event in another's name), and deletes the
    outbox items of those the bus took (its only table permission is a batch write to keys starting
    ``OUTBOX#``)."""
    outbox_inserts = lambda_.FilterCriteria.filter(
        {
            "eventName": lambda_.FilterRule.is_equal("INSERT"),
            "dynamodb": {"Keys": {"pk": {"S": lambda_.FilterRule.begins_with(OUTBOX_PREFIX)}}},
        }
    )
    publisher.function.add_event_source(
        event_sources.DynamoEventSource(
            table,
            starting_position=lambda_.StartingPosition.TRIM_HORIZON,
            batch_size=STREAM_BATCH_SIZE,
            bisect_batch_on_error=True,
            # The publisher reports the refused tail of a batch, so only that is retried (ADR 40).
            report_batch_item_failures=True,
            retry_attempts=STREAM_RETRY_ATTEMPTS,
            on_failure=event_sources.SqsDlq(failures.queue),
            filters=[outbox_inserts],
        )
    )
    publisher.role.add_to_policy(
        iam.PolicyStatement(
            actions=["events:PutEvents"],
            resources=[bus.event_bus_arn],
            conditions={"StringEquals": {"events:source": source}},
        )
    )
    publisher.role.add_to_policy(
        iam.PolicyStatement(
            actions=["dynamodb:BatchWriteItem"],
            resources=[table.table_arn],
            conditions={"ForAllValues:StringLike": {"dynamodb:LeadingKeys": [f"{OUTBOX_PREFIX}*"]}},
        )
    )
    publisher.role.add_to_policy(iam.PolicyStatement(actions=["kms:Decrypt"], resources=[key.key_arn]))
    acknowledge(
        failures.queue,
        "AwsSolutions-SQS3",
        "This queue is the on-failure destination of the publisher's stream event source (a dead-letter "
        "queue that cdk-nag does not recognise as one).",
    )


def sweep_outbox(
    scope: Construct,
    sweeper: ServiceFunction,
    bus: events.IEventBus,
    *,
    manifest: ServiceManifest,
    env_name: str,
    alarm_topic: sns.ITopic,
    outbox_tables: list[dynamodb.Table],
    key: kms.IKey,
) -> cloudwatch.Alarm:
    """Let the outbox sweeper (a scheduled job) put events of its own service's source on the bus, and alarm
    when it finds events that have waited in the outbox longer than ``BEHIND_AFTER``: the bus or the way to it
    is failing."""
    sweeper.role.add_to_policy(
        iam.PolicyStatement(
            actions=["events:PutEvents"],
            resources=[bus.event_bus_arn],
            conditions={"StringEquals": {"events:source": manifest.source}},
        )
    )
    sweeper.role.add_to_policy(
        iam.PolicyStatement(
            actions=[f"dynamodb:{a}" for a in SWEEPER_TABLE_ACTIONS],
            resources=[table.table_arn for table in outbox_tables],
        )
    )
    sweeper.role.add_to_policy(
        iam.PolicyStatement(
            actions=["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"],
            resources=[key.key_arn],
        )
    )
    behind = cloudwatch.Metric(
        namespace=METRICS_NAMESPACE,
        metric_name="OutboxEventsBehind",
        dimensions_map={"service": manifest.name},
        period=PERIOD,
        statistic="Maximum",
    )
    alarm = any_occurrence_alarm(
        scope,
        "OutboxBehindAlarm",
        metric=behind,
        name=f"{manifest.prefix(env_name)}-outbox-behind",
        description=(
            f"Events of {manifest.name} have waited in the outbox over "
            f"{BEHIND_AFTER.total_seconds() / 60:.0f} minutes without reaching the bus"
        ),
    )
    return notify(alarm, alarm_topic)


class SubscriptionPipeline(Construct):
    """Rule on the shared bus -> queue (+DLQ) of this service -> consumer, as the manifest declares it."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        manifest: ServiceManifest,
        env_name: str,
        subscription: Subscription,
        consumer: ServiceFunction,
        bus: events.IEventBus,
        key: kms.IKey,
        alarm_topic: sns.ITopic,
    ) -> None:
        super().__init__(scope, construct_id)
        dlq_name = manifest.dlq_name(env_name, subscription.name)
        self.dead_letter_queue = self._queue("DeadLetterQueue", dlq_name, key)
        self.queue = self._queue(
            "Queue",
            manifest.queue_name(env_name, subscription.name),
            key,
            visibility_timeout=cdk.Duration.seconds(subscription.visibility_timeout_s),
            dead_letter_queue=sqs.DeadLetterQueue(
                max_receive_count=subscription.max_receive_count, queue=self.dead_letter_queue
            ),
        )
        acknowledge(self.dead_letter_queue, "Serverless-SQSRedrivePolicy", DEAD_LETTER_END)
        pattern = manifest.event_pattern(subscription)
        detail_types = "/".join(subscription.detail_types)
        self.rule = events.Rule(
            self,
            "Rule",
            rule_name=manifest.rule_name(env_name, subscription.name),
            description=f"{detail_types} from {subscription.source} to {manifest.name}",
            event_bus=bus,
            event_pattern=events.EventPattern(source=pattern["source"], detail_type=pattern["detail-type"]),
            targets=[events_targets.SqsQueue(self.queue, dead_letter_queue=self.dead_letter_queue)],
        )
        consumer.function.add_event_source(
            event_sources.SqsEventSource(
                self.queue,
                batch_size=subscription.batch_size,
                max_batching_window=cdk.Duration.seconds(1) if subscription.batch_size > 10 else None,
                report_batch_item_failures=True,
            )
        )
        acknowledge(
            consumer.function,
            "Serverless-LambdaEventSourceMappingDestination",
            "SQS event sources take no on-failure destination: the queue's redrive policy moves a message "
            "that keeps failing to the subscription's DLQ.",
        )
        queue_depth_alarm(
            self, "DeadLettersAlarm", queue=self.dead_letter_queue, queue_name=dlq_name, topic=alarm_topic
        )
        queue_age_alarm(
            self,
            "DeadLettersTooOldAlarm",
            queue=self.dead_letter_queue,
            queue_name=dlq_name,
            max_age=DEAD_LETTER_MAX_AGE,
            topic=alarm_topic,
        )
        queue_age_alarm(
            self,
            "TooOldAlarm",
            queue=self.queue,
            queue_name=manifest.queue_name(env_name, subscription.name),
            max_age=SUBSCRIPTION_MAX_AGE,
            topic=alarm_topic,
        )

    def _queue(
        self,
        construct_id: str,
        queue_name: str,
        key: kms.IKey,
        *,
        visibility_timeout: cdk.Duration | None = None,
        dead_letter_queue: sqs.DeadLetterQueue | None = None,
    ) -> sqs.Queue:
        return sqs.Queue(
            self,
            construct_id,
            queue_name=queue_name,
            encryption=sqs.QueueEncryption.KMS,
            encryption_master_key=key,
            enforce_ssl=True,
            retention_period=MESSAGE_RETENTION,
            visibility_timeout=visibility_timeout,
            dead_letter_queue=dead_letter_queue,
        )


def schedule_invocation(
    scope: Construct,
    manifest: ServiceManifest,
    env_name: str,
    spec: Schedule,
    job: ServiceFunction,
    failures: FailureQueue,
) -> scheduler.Schedule:
    construct_id = f"{pascal(spec.name)}Schedule"
    role = iam.Role(
        scope,
        f"{construct_id}Role",
        assumed_by=iam.ServicePrincipal(
            "scheduler.amazonaws.com", conditions={"StringEquals": {"aws:SourceAccount": cdk.Aws.ACCOUNT_ID}}
        ),
        description=f"Lets EventBridge Scheduler invoke {job.name}",
    )
    acknowledge(
        role,
        f"AwsSolutions-IAM5[Resource::<{logical_id(job.function)}.Arn>:*]",
        "CDK grants lambda:InvokeFunction on the job function and its versions and aliases (ARN:*); it "
        "names one function.",
    )
    return scheduler.Schedule(
        scope,
        construct_id,
        schedule_name=manifest.schedule_name(env_name, spec.name),
        description=f"Runs {job.name} on {spec.expression}",
        schedule=scheduler.ScheduleExpression.expression(spec.expression, SCHEDULE_TIME_ZONE),
        target=scheduler_targets.LambdaInvoke(
            job.function,
            role=role,
            dead_letter_queue=failures.queue,
            retry_attempts=SCHEDULE_RETRY_ATTEMPTS,
            max_event_age=SCHEDULE_MAX_EVENT_AGE,
        ),
    )
