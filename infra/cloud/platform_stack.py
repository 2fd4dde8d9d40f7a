"""The platform stack: what every service shares, published as SSM parameters (never CloudFormation exports).

- the event bus ``eservices-<env>`` and an archive of every event on it, for replay;
- the alarm topic (KMS, TLS only) that every service's alarms notify;
- the Cognito user pool behind API Gateway's authorizers;
- API Gateway's account-wide CloudWatch role, without which no stage can write execution logs.

Identity providers are configuration, not code, and are not wired yet: citizens will arrive through an OIDC
e-ID broker and staff through the police IdP (both as federated identity providers of this pool), agencies
through an app client with the client-credentials grant and a resource server naming their scopes. The pool's
custom attributes are where those providers' claims are mapped to; a pre-token-generation trigger has to copy
them to the unprefixed claims ``shared.http.auth`` reads (``personnummer``, ``principalType``, ...).
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk import aws_ssm as ssm
from constructs import Construct

from infra.cloud.nag import acknowledge
from infra.cloud.naming import (
    ALARM_TOPIC_ARN,
    ARCHIVE_ARN,
    BUS_ARN,
    BUS_NAME,
    USER_POOL_ARN,
    USER_POOL_ID,
    PlatformParameter,
    pascal,
    platform_stack_name,
)
from shared.manifest import archive_name, bus_name

# Long enough to rebuild a consumer's state after a bug found weeks later; events carry identifiers and
# personal data only by exception, which argues against keeping them longer.
ARCHIVE_RETENTION = cdk.Duration.days(90)


class PlatformStack(cdk.Stack):
    def __init__(self, scope: Construct, *, env_name: str) -> None:
        super().__init__(
            scope,
            platform_stack_name(env_name),
            description=f"E-services {env_name}: event bus, archive, alarm topic, identities",
        )
        self.env_name = env_name
        self.bus = events.EventBus(self, "Bus", event_bus_name=bus_name(env_name))
        self.archive = self.bus.archive(
            "Archive",
            archive_name=archive_name(env_name),
            description="Every event on the bus, for replay",
            event_pattern=events.EventPattern(account=[self.account]),
            retention=ARCHIVE_RETENTION,
        )
        self.alarm_topic = self._alarm_topic()
        self.user_pool = self._user_pool()
        self._api_gateway_logging_role()
        self._publish(
            {
                BUS_ARN: self.bus.event_bus_arn,
                BUS_NAME: self.bus.event_bus_name,
                ARCHIVE_ARN: self.archive.archive_arn,
                ALARM_TOPIC_ARN: self.alarm_topic.topic_arn,
                USER_POOL_ARN: self.user_pool.user_pool_arn,
                USER_POOL_ID: self.user_pool.user_pool_id,
            }
        )

    def _alarm_topic(self) -> sns.Topic:
        key = kms.Key(
            self,
            "AlarmTopicKey",
            alias=f"alias/eservices-{self.env_name}-alarms",
            description="Encrypts the alarm topic",
            enable_key_rotation=True,
        )
        cloudwatch = iam.ServicePrincipal("cloudwatch.amazonaws.com")
        # CloudWatch publishes alarm notifications as itself, so it must be able to use the topic's key.
        key.add_to_resource_policy(
            iam.PolicyStatement(
                principals=[cloudwatch],
                actions=["kms:Decrypt", "kms:GenerateDataKey*"],
                resources=["*"],
            )
        )
        topic = sns.Topic(
            self,
            "AlarmTopic",
            topic_name=f"eservices-{self.env_name}-alarms",
            display_name=f"E-services {self.env_name} alarms",
            master_key=key,
            enforce_ssl=True,
        )
        topic.add_to_resource_policy(
            iam.PolicyStatement(
                principals=[cloudwatch],
                actions=["sns:Publish"],
                resources=[topic.topic_arn],
                conditions={"StringEquals": {"aws:SourceAccount": self.account}},
            )
        )
        return topic

    def _user_pool(self) -> cognito.UserPool:
        pool = cognito.UserPool(
            self,
            "UserPool",
            user_pool_name=f"eservices-{self.env_name}",
            self_sign_up_enabled=False,
            sign_in_case_sensitive=False,
            account_recovery=cognito.AccountRecovery.NONE,
            # Applies to local users only (there should be none): federated sign-in is the IdP's to secure.
            mfa=cognito.Mfa.REQUIRED,
            mfa_second_factor=cognito.MfaSecondFactor(otp=True, sms=False),
            password_policy=cognito.PasswordPolicy(
                min_length=14,
                require_digits=True,
                require_lowercase=True,
                require_uppercase=True,
                require_symbols=True,
                temp_password_validity=cdk.Duration.days(1),
            ),
            custom_attributes={
                "principalType": cognito.StringAttribute(max_len=16, mutable=True),
                "personnummer": cognito.StringAttribute(min_len=12, max_len=12, mutable=True),
                "staffId": cognito.StringAttribute(max_len=64, mutable=True),
                "roles": cognito.StringAttribute(max_len=2048, mutable=True),
                "region": cognito.StringAttribute(max_len=64, mutable=True),
            },
            feature_plan=cognito.FeaturePlan.ESSENTIALS,
            deletion_protection=True,
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )
        acknowledge(
            pool,
            "AwsSolutions-COG8",
            "Every human signs in at a federated IdP (the e-ID broker, the police IdP) that performs strong "
            "authentication itself; Cognito's Plus-tier threat protection only evaluates Cognito-local "
            "sign-ins, and this pool has none.",
        )
        return pool

    def _api_gateway_logging_role(self) -> None:
        role = iam.Role(
            self,
            "ApiGatewayLoggingRole",
            assumed_by=iam.ServicePrincipal("apigateway.amazonaws.com"),
            description="Lets API Gateway write the stages' execution logs (account-wide setting)",
            managed_policies=[
                iam.ManagedPolicy.from_aws_managed_policy_name(
                    "service-role/AmazonAPIGatewayPushToCloudWatchLogs"
                )
            ],
        )
        account = apigateway.CfnAccount(self, "ApiGatewayAccount", cloud_watch_role_arn=role.role_arn)
        account.apply_removal_policy(cdk.RemovalPolicy.RETAIN)
        acknowledge(
            role,
            "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
            "AmazonAPIGatewayPushToCloudWatchLogs]",
            "The AWS-maintained policy API Gateway documents for its logging role; only the API Gateway "
            "service can assume the role.",
        )

    def _publish(self, values: dict[PlatformParameter, str]) -> None:
        for parameter, value in values.items():
            ssm.StringParameter(
                self,
                f"Parameter{pascal(parameter.resource)}{pascal(parameter.attribute)}",
                parameter_name=parameter.name(self.env_name),
                string_value=value,
                description=f"Platform {parameter.resource} {parameter.attribute}, read by service stacks",
            )
