"""A service's Lambda functions: one role, one log group, and alarms on errors and throttles each (and, for the
outbox publisher, on how far behind its stream it reads)."""

from __future__ import annotations

from dataclasses import dataclass

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.cloud.alarms import (
    OUTBOX_ITERATOR_AGE,
    PERIOD,
    any_occurrence_alarm,
    iterator_age_alarm,
    notify,
    service_metric,
    throttles_alarm,
)
from infra.cloud.nag import acknowledge
from shared.eid_authorizer import UNCHECKABLE_LOGINS_METRIC
from shared.manifest import (
    APPLICATION_LOG_LEVEL,
    LOG_FORMAT,
    SYSTEM_LOG_LEVEL,
    Function,
    FunctionKind,
    ServiceManifest,
)

RUNTIME = lambda_.Runtime.PYTHON_3_13
ARCHITECTURE = lambda_.Architecture.ARM_64
LOG_RETENTION = logs.RetentionDays.SIX_MONTHS
POWERTOOLS_LAYER_CONTEXT = "powertoolsLayerVersion"
DEFAULT_POWERTOOLS_LAYER_VERSION = 27
POWERTOOLS_LAYER = (
    "arn:aws:lambda:{region}:017000801446:layer:AWSLambdaPowertoolsPythonV3-python313-arm64:{v}"
)
# Responses carry personal data; X-Ray is no place for it.
# API functions sample as API Gateway's rule says; functions that events invoke (queues, streams, schedules)
# follow the trace of what caused them rather than sample on their own at Lambda's fixed rate (ADR 78).
API_TRACING = "Active"
EVENT_TRACING = "PassThrough"
POWERTOOLS_SETTINGS = {"POWERTOOLS_TRACER_CAPTURE_RESPONSE": "false", "POWERTOOLS_LOGGER_LOG_EVENT": "false"}

WHY_PYTHON_313 = (
    "Python 3.13 is the platform's runtime by design: the public Powertools layer used "
    "(AWSLambdaPowertoolsPythonV3-python313-arm64) is built for it; moving to a newer runtime is a "
    "deliberate, tested upgrade of every service at once."
)
# Why a function needs no dead-letter queue of its own: nothing invokes it asynchronously.
SYNCHRONOUS_CALLERS: dict[FunctionKind, str] = {
    "api": "API Gateway invokes it synchronously: the caller gets the error, and 5xx responses alarm.",
    "consumer": (
        "Its SQS event source mapping invokes it synchronously: a failed message returns to the queue "
        "and moves to the subscription's DLQ after maxReceiveCount receives."
    ),
    "publisher": (
        "Its DynamoDB stream event source mapping invokes it synchronously: a failed batch is retried, "
        "bisected and finally recorded in the publisher's on-failure queue."
    ),
    "authorizer": (
        "API Gateway invokes it synchronously before a citizen's request: a failure is answered to the "
        "caller at once (a 503 problem), and errors alarm."
    ),
}


@dataclass(frozen=True)
class FunctionSettings:
    """What every function of one service shares."""

    manifest: ServiceManifest
    env_name: str
    code: lambda_.Code
    powertools: lambda_.ILayerVersion
    alarm_topic: sns.ITopic


def powertools_layer(scope: Construct) -> lambda_.ILayerVersion:
    version = scope.node.try_get_context(POWERTOOLS_LAYER_CONTEXT) or DEFAULT_POWERTOOLS_LAYER_VERSION
    arn = POWERTOOLS_LAYER.format(region=cdk.Aws.REGION, v=version)
    return lambda_.LayerVersion.from_layer_version_arn(scope, "PowertoolsLayer", arn)


class ServiceFunction(Construct):
    """One manifest function: its own role (no managed policies), log group with retention, error alarm."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        spec: Function,
        settings: FunctionSettings,
        dead_letter_queue: sqs.IQueue | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        manifest, env_name = settings.manifest, settings.env_name
        self.spec = spec
        self.manifest = manifest
        self.name = manifest.function_name(env_name, spec.name)
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"Runs {self.name}",
        )
        self.log_group = logs.LogGroup(
            self,
            "Logs",
            log_group_name=f"/aws/lambda/{self.name}",
            retention=LOG_RETENTION,
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )
        self.log_group.grant_write(self.role)
        self.function = lambda_.Function(
            self,
            "Function",
            function_name=self.name,
            description=spec.description or f"{manifest.name} {spec.name}",
            runtime=RUNTIME,
            architecture=ARCHITECTURE,
            code=settings.code,
            handler=spec.handler,
            layers=[settings.powertools],
            environment={**manifest.environment(env_name, cdk.Aws.ACCOUNT_ID), **POWERTOOLS_SETTINGS},
            memory_size=spec.memory_mb,
            timeout=cdk.Duration.seconds(spec.timeout_s),
            tracing=lambda_.Tracing.ACTIVE if spec.kind == "api" else lambda_.Tracing.PASS_THROUGH,
            log_group=self.log_group,
            logging_format=lambda_.LoggingFormat[LOG_FORMAT],
            application_log_level_v2=lambda_.ApplicationLogLevel[APPLICATION_LOG_LEVEL],
            system_log_level_v2=lambda_.SystemLogLevel[SYSTEM_LOG_LEVEL],
            role=self.role,
            dead_letter_queue=dead_letter_queue,
        )
        self._alarm(settings.alarm_topic)
        self._acknowledge_findings(dead_letter_queue)

    def _alarm(self, topic: sns.ITopic) -> None:
        if self.spec.kind == "authorizer":
            # A refused login is an error to Lambda (API Gateway's 401 is the authorizer raising
            # "Unauthorized"), so the errors alarm would ring at every expired token: what is a fault is a
            # login that could not be checked at all.
            alarm = any_occurrence_alarm(
                self,
                "UncheckableLoginsAlarm",
                metric=service_metric(self.manifest, UNCHECKABLE_LOGINS_METRIC, statistic="Sum"),
                name=f"{self.name}-uncheckable-logins",
                description=f"{self.name} could not read the e-ID broker's keys: citizens cannot log in",
            )
        else:
            alarm = any_occurrence_alarm(
                self,
                "ErrorsAlarm",
                metric=self.function.metric_errors(period=PERIOD, statistic="Sum"),
                name=f"{self.name}-errors",
                description=f"{self.name} raised errors",
            )
        notify(alarm, topic)
        throttles_alarm(self, "ThrottlesAlarm", function=self.function, function_name=self.name, topic=topic)
        if self.spec.kind == "publisher":
            iterator_age_alarm(
                self,
                "IteratorAgeAlarm",
                function=self.function,
                function_name=self.name,
                max_age=OUTBOX_ITERATOR_AGE,
                topic=topic,
            )

    def _acknowledge_findings(self, dead_letter_queue: sqs.IQueue | None) -> None:
        acknowledge(
            self.role,
            "AwsSolutions-IAM5[Resource::*]",
            "X-Ray's PutTraceSegments/PutTelemetryRecords (and, for the stream reader, dynamodb:ListStreams) "
            "have no resource-level permissions; every other statement names its resources.",
        )
        for rule in ("AwsSolutions-L1", "Serverless-LambdaLatestVersion"):
            acknowledge(self.function, rule, WHY_PYTHON_313)
        if dead_letter_queue is None:
            acknowledge(self.function, "Serverless-LambdaDLQ", SYNCHRONOUS_CALLERS[self.spec.kind])
        if self.spec.kind != "api":
            acknowledge(
                self.function,
                "Serverless-LambdaTracing",
                "Traced when the request that caused the event was (PassThrough): Lambda's own sampling of "
                "event invocations keeps one a second and 5 % above it, nearly all of them at our volume, and "
                "traces are billed each (ADR 78).",
            )
