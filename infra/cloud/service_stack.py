"""One stack per service manifest, ``EServices-<env>-<Service>``.

Shared resources (bus, alarm topic, user pool) are found only through SSM parameters resolved at deploy time,
so each stack deploys alone once the platform stack exists; nothing here is a CloudFormation export.
"""

from __future__ import annotations

from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_events as events
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_ssm as ssm
from constructs import Construct

from infra.cloud.alarms import manifest_alarm
from infra.cloud.naming import (
    ALARM_TOPIC_ARN,
    BUS_ARN,
    EID_CLIENT_ID,
    EID_ISSUER,
    EID_JWKS_URL,
    USER_POOL_ARN,
    PlatformParameter,
    pascal,
    service_stack_name,
)
from infra.cloud.service_api import ServiceApi
from infra.cloud.service_data import ServiceData, build_service_data
from infra.cloud.service_functions import FunctionSettings, ServiceFunction, powertools_layer
from infra.cloud.service_messaging import (
    FailureQueue,
    StandaloneQueue,
    SubscriptionPipeline,
    publish_outbox,
    schedule_invocation,
    sweep_outbox,
)
from infra.cloud.service_secrets import service_secret
from shared.eid_authorizer import AUDIENCE_VARIABLE, ISSUER_VARIABLE, JWKS_URL_VARIABLE
from shared.manifest import ServiceManifest
from shared.manifest import ssm_parameter as ssm_parameter_name


class ServiceStack(cdk.Stack):
    def __init__(self, scope: Construct, *, manifest: ServiceManifest, env_name: str, code_dir: Path) -> None:
        super().__init__(
            scope,
            service_stack_name(env_name, manifest),
            description=f"E-services {env_name}: {manifest.title} ({manifest.name})",
        )
        self.manifest = manifest
        self.env_name = env_name
        self.alarm_topic = sns.Topic.from_topic_arn(self, "AlarmTopic", self._platform(ALARM_TOPIC_ARN))
        self.bus = events.EventBus.from_event_bus_arn(self, "Bus", self._platform(BUS_ARN))
        self.data: ServiceData = build_service_data(self, manifest, env_name)
        self.failure_queues = self._failure_queues()
        self.functions = self._functions(lambda_.Code.from_asset(str(code_dir)))
        self._wire_outbox()
        self._wire_subscriptions()
        self._wire_schedules()
        self.standalone_queues = self._standalone_queues()
        for alarm in manifest.alarms:
            manifest_alarm(self, manifest, env_name, alarm, self.alarm_topic)
        self.secrets = {
            spec.name: service_secret(
                self,
                manifest,
                env_name,
                spec,
                key=self.data.key,
                readers=[self.functions[reader].role for reader in spec.readers],
            )
            for spec in manifest.secrets
        }
        if manifest.routes:
            self.api = self._api()

    def _platform(self, parameter: PlatformParameter) -> str:
        return ssm.StringParameter.value_for_string_parameter(self, parameter.name(self.env_name))

    def _failure_queues(self) -> dict[str, FailureQueue]:
        return {
            spec.name: FailureQueue(
                self,
                f"{pascal(spec.name)}Failures",
                queue_name=self.manifest.failure_queue_name(self.env_name, spec.name),
                alarm_topic=self.alarm_topic,
            )
            for spec in self.manifest.asynchronous_functions
        }

    def _functions(self, code: lambda_.Code) -> dict[str, ServiceFunction]:
        settings = FunctionSettings(
            manifest=self.manifest,
            env_name=self.env_name,
            code=code,
            powertools=powertools_layer(self),
            alarm_topic=self.alarm_topic,
        )
        functions: dict[str, ServiceFunction] = {}
        for spec in self.manifest.functions:
            failures = self.failure_queues.get(spec.name)
            function = ServiceFunction(
                self,
                pascal(spec.name),
                spec=spec,
                settings=settings,
                # A job is invoked asynchronously, by Scheduler: its own DLQ catches what Lambda gives up on.
                dead_letter_queue=failures.queue if failures and spec.kind == "job" else None,
            )
            self.data.grant(function.role, spec)
            functions[spec.name] = function
        return functions

    def _wire_outbox(self) -> None:
        # The manifest guarantees a publisher whenever a table streams.
        for table_spec in self.manifest.tables:
            if not table_spec.stream or self.manifest.publisher_function is None:
                continue
            publisher = self.functions[self.manifest.publisher_function.name]
            publish_outbox(
                publisher,
                self.data.tables[table_spec.name],
                self.failure_queues[publisher.spec.name],
                self.bus,
                self.manifest.source,
                self.data.key,
            )
        sweeper = self.manifest.sweeper_function
        if sweeper is not None:
            sweep_outbox(
                self,
                self.functions[sweeper.name],
                self.bus,
                manifest=self.manifest,
                env_name=self.env_name,
                alarm_topic=self.alarm_topic,
                outbox_tables=[self.data.tables[t.name] for t in self.manifest.outbox_tables],
                key=self.data.key,
            )

    def _wire_subscriptions(self) -> None:
        for subscription in self.manifest.subscriptions:
            SubscriptionPipeline(
                self,
                f"{pascal(subscription.name)}Subscription",
                manifest=self.manifest,
                env_name=self.env_name,
                subscription=subscription,
                consumer=self.functions[subscription.function],
                bus=self.bus,
                key=self.data.key,
                alarm_topic=self.alarm_topic,
            )

    def _wire_schedules(self) -> None:
        for schedule in self.manifest.schedules:
            job = self.functions[schedule.function]
            schedule_invocation(
                self, self.manifest, self.env_name, schedule, job, self.failure_queues[job.spec.name]
            )

    def _standalone_queues(self) -> dict[str, StandaloneQueue]:
        return {
            spec.name: StandaloneQueue(
                self,
                f"{pascal(spec.name)}Queue",
                queue_name=self.manifest.queue_name(self.env_name, spec.name),
                spec=spec,
                senders=[self.functions[sender] for sender in spec.senders],
                key=self.data.key,
                alarm_topic=self.alarm_topic,
            )
            for spec in self.manifest.queues
        }

    def _eid_authorizer(self) -> lambda_.IFunction | None:
        spec = self.manifest.eid_authorizer_function
        if spec is None:
            return None
        function = self.functions[spec.name].function
        for variable, parameter in (
            (ISSUER_VARIABLE, EID_ISSUER),
            (AUDIENCE_VARIABLE, EID_CLIENT_ID),
            (JWKS_URL_VARIABLE, EID_JWKS_URL),
        ):
            function.add_environment(variable, self._platform(parameter))
        return function

    def _api(self) -> ServiceApi:
        user_pool = cognito.UserPool.from_user_pool_arn(self, "UserPool", self._platform(USER_POOL_ARN))
        api = ServiceApi(
            self,
            "HttpApi",
            manifest=self.manifest,
            env_name=self.env_name,
            handler=self.functions[self.manifest.api_function.name].function,
            eid_authorizer=self._eid_authorizer(),
            user_pool=user_pool,
            alarm_topic=self.alarm_topic,
        )
        ssm.StringParameter(
            self,
            "ApiUrlParameter",
            parameter_name=ssm_parameter_name(self.env_name, self.manifest.name, "api", "url"),
            string_value=api.rest_api.url,
            description=f"Invoke URL of the {self.manifest.name} API stage",
        )
        return api
