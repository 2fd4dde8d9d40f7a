"""The platform stack: what every service shares, published as SSM parameters (never CloudFormation exports).

- the event bus ``eservices-<env>`` and an archive of every event on it, for replay;
- the alarm topic (KMS, TLS only) that every service's alarms notify, and its subscriber: the e-mail address
  given at deploy time (template parameter ``AlarmEmail``, default from the context value ``alarmEmail``);
- the X-Ray sampling rule for every stage of the e-services' APIs;
- the Cognito user pool behind the staff and agency routes' authorizer, and its sign-in client for staff, which
  can read the claims the services trust and can write none of them; citizens log in with e-ID through the
  broker, whose tokens the services' e-ID authorizer checks (ADR 77), and the broker's settings;
- API Gateway's account-wide CloudWatch role, without which no stage can write execution logs.

Identity providers are configuration, not code, and are not wired yet: staff will arrive through the police
IdP (a federated identity provider of this pool), agencies
through an app client with the client-credentials grant and a resource server naming their scopes. The pool's
custom attributes hold the claims ``shared.http.auth`` trusts; a pre-token-generation trigger has to copy them
to the unprefixed claims it reads (``personnummer``, ``principalType``, ...). Cognito only maps an IdP's
attribute into a user attribute the app client may write, so no IdP may be mapped straight into a trusted
claim: the platform sets those server-side (see infra/cloud/README.md).
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_ssm as ssm
from aws_cdk import aws_xray as xray
from constructs import Construct

from infra.cloud.alarms import queue_depth_alarm
from infra.cloud.nag import acknowledge
from infra.cloud.naming import (
    ALARM_TOPIC_ARN,
    ARCHIVE_ARN,
    BUS_ARN,
    BUS_NAME,
    EID_CLIENT_ID,
    EID_ISSUER,
    EID_JWKS_URL,
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
# The claims the services trust (shared/http/auth.py), kept as the pool's custom attributes. No app client may
# write them: a user holding a token could otherwise make themself staff, national, or someone else.
TRUSTED_CLAIMS = ("principalType", "personnummer", "staffId", "roles", "region")
# Who signs in through which app client, and which of the trusted claims it reads.
APP_CLIENTS = {
    "staff": ("principalType", "staffId", "roles", "region"),
}
# Where each app client's sign-in returns to (context values; the pages are not deployed yet).
DEFAULT_CALLBACK_URL = "http://localhost:3000/auth/callback"
EID_ISSUER_CONTEXT = "eidIssuer"
EID_CLIENT_ID_CONTEXT = "eidClientId"
EID_JWKS_CONTEXT = "eidJwksUrl"
EID_DEFAULTS = {
    EID_ISSUER_CONTEXT: "https://eid-broker.invalid",
    EID_CLIENT_ID_CONTEXT: "eservices",
    EID_JWKS_CONTEXT: "https://eid-broker.invalid/.well-known/jwks.json",
}
# Who the alarms reach: the template parameter given at deploy time, defaulting to the context value.
ALARM_EMAIL_PARAMETER = "AlarmEmail"
ALARM_EMAIL_CONTEXT = "alarmEmail"
# Traces kept of requests entering through API Gateway: this share of them (context value
# ``tracingSampleRate``), and no reservoir: at the e-services' volume a reservoir of one a second keeps nearly
# every request, and traces are billed each (ADR 78). The functions that events invoke are traced when the
# request that caused them was (see ``service_functions.EVENT_TRACING``).
TRACING_SAMPLE_RATE_CONTEXT = "tracingSampleRate"
DEFAULT_TRACING_SAMPLE_RATE = 0.01
TRACING_RESERVOIR_PER_SECOND = 0
# Below the anonymous routes' "never" rules (priority 1), above X-Ray's default rule.
TRACING_SAMPLING_PRIORITY = 1000


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
        self._alarm_recipient()
        self._tracing_sampling()
        self.user_pool = self._user_pool()
        self.app_clients = {name: self._app_client(name, claims) for name, claims in APP_CLIENTS.items()}
        self._api_gateway_logging_role()
        self._publish(
            {
                BUS_ARN: self.bus.event_bus_arn,
                BUS_NAME: self.bus.event_bus_name,
                ARCHIVE_ARN: self.archive.archive_arn,
                ALARM_TOPIC_ARN: self.alarm_topic.topic_arn,
                USER_POOL_ARN: self.user_pool.user_pool_arn,
                USER_POOL_ID: self.user_pool.user_pool_id,
                **self._eid_broker(),
            }
        )

    def _eid_broker(self) -> dict[PlatformParameter, str]:
        """Where the citizens' e-ID broker is, as context values of the deployment (``eidIssuer``,
        ``eidClientId``, ``eidJwksUrl``); the defaults name no real broker, so no login passes until they
        are set."""
        values = {
            EID_ISSUER: EID_ISSUER_CONTEXT,
            EID_CLIENT_ID: EID_CLIENT_ID_CONTEXT,
            EID_JWKS_URL: EID_JWKS_CONTEXT,
        }
        return {
            parameter: str(self.node.try_get_context(context) or EID_DEFAULTS[context])
            for parameter, context in values.items()
        }

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

    def _alarm_recipient(self) -> None:
        """Every alarm reaches a person: the topic mails the address given at deploy time (the recipient
        confirms the subscription once, from the mail AWS sends)."""
        email = cdk.CfnParameter(
            self,
            ALARM_EMAIL_PARAMETER,
            type="String",
            description="Who receives the e-services' alarms (confirm the subscription mail AWS sends)",
            allowed_pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
            constraint_description="an e-mail address",
            default=self.node.try_get_context(ALARM_EMAIL_CONTEXT),
        )
        undelivered = self._undelivered_alarm_mail()
        self.alarm_topic.add_subscription(
            subscriptions.EmailSubscription(email.value_as_string, dead_letter_queue=undelivered)
        )

    def _undelivered_alarm_mail(self) -> sqs.Queue:
        """Alarm notifications SNS could not mail: kept 14 days, and an alarm of their own (visible in the
        console even when the mail is what fails)."""
        name = f"eservices-{self.env_name}-alarm-mail-dlq"
        queue = sqs.Queue(
            self,
            "UndeliveredAlarmMail",
            queue_name=name,
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            retention_period=cdk.Duration.days(14),
        )
        why = (
            "This is the dead-letter queue of the alarm topic's e-mail subscription, the end of the line: it "
            "has no redrive of its own, and its depth alarms."
        )
        acknowledge(queue, "AwsSolutions-SQS3", why)
        acknowledge(queue, "Serverless-SQSRedrivePolicy", why)
        queue_depth_alarm(
            self, "UndeliveredAlarmMailAlarm", queue=queue, queue_name=name, topic=self.alarm_topic
        )
        return queue

    def _tracing_sampling(self) -> None:
        rate = float(self.node.try_get_context(TRACING_SAMPLE_RATE_CONTEXT) or DEFAULT_TRACING_SAMPLE_RATE)
        xray.CfnSamplingRule(
            self,
            "TracingSampling",
            sampling_rule=xray.CfnSamplingRule.SamplingRuleProperty(
                rule_name=f"eservices-{self.env_name}"[:32],
                priority=TRACING_SAMPLING_PRIORITY,
                fixed_rate=rate,
                reservoir_size=TRACING_RESERVOIR_PER_SECOND,
                service_name=f"eservices-{self.env_name}-*",
                service_type="AWS::ApiGateway::Stage",
                host="*",
                http_method="*",
                url_path="*",
                resource_arn="*",
                version=1,
            ),
        )

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
            # Mutable so that the platform can correct them (AdminUpdateUserAttributes); no app client writes them.
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

    def _app_client(self, name: str, claims: tuple[str, ...]) -> cognito.UserPoolClient:
        """A sign-in client for one audience that can read its trusted claims and write none of them.

        Only the authorization-code flow through the hosted sign-in: no password, SRP or custom flows, and not
        the ``aws.cognito.signin.user.admin`` scope, so no token it issues may call UpdateUserAttributes; and
        the write list names only ``locale``, so even such a token could not change a trusted claim.
        """
        callback = str(self.node.try_get_context(f"{name}CallbackUrl") or DEFAULT_CALLBACK_URL)
        return self.user_pool.add_client(
            f"{pascal(name)}Client",
            user_pool_client_name=f"eservices-{self.env_name}-{name}",
            generate_secret=True,
            auth_flows=cognito.AuthFlow(
                user_password=False, user_srp=False, custom=False, admin_user_password=False
            ),
            o_auth=cognito.OAuthSettings(
                flows=cognito.OAuthFlows(authorization_code_grant=True),
                scopes=[cognito.OAuthScope.OPENID, cognito.OAuthScope.PROFILE],
                callback_urls=[callback],
            ),
            read_attributes=cognito.ClientAttributes()
            .with_standard_attributes(locale=True)
            .with_custom_attributes(*claims),
            write_attributes=cognito.ClientAttributes().with_standard_attributes(locale=True),
            prevent_user_existence_errors=True,
            enable_token_revocation=True,
        )

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
