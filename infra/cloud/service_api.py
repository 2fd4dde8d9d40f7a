"""A service's REST API: every manifest route, proxied to the api function, behind Cognito and WAF."""

from __future__ import annotations

import json
import re

import aws_cdk as cdk
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from aws_cdk import aws_wafv2 as wafv2
from aws_cdk import aws_xray as xray
from constructs import Construct

from infra.cloud.alarms import PERIOD, any_occurrence_alarm, notify
from infra.cloud.nag import acknowledge
from infra.cloud.service_functions import LOG_RETENTION
from shared.http.problems import PROBLEM_BASE, PROBLEM_JSON
from shared.manifest import Audience, Route, ServiceManifest

AUTHENTICATED: frozenset[Audience] = frozenset({"citizen", "staff", "agency"})
# Staff and agencies sign in through the user pool; citizens through the e-ID broker (ADR 77).
POOL_AUDIENCES: frozenset[Audience] = frozenset({"staff", "agency"})
WHY_EID_AUTHORIZER = (
    "Citizens log in with e-ID through the broker, whose ID token a Lambda authorizer of ours checks "
    "(signature by the broker's published keys, issuer, audience, expiry, assurance level 3, personnummer): "
    "federating the broker through the user pool would bill every citizen as a monthly active user (ADR 77)."
)
WHY_NO_AUTHORIZER = (
    "An open e-service (documentation, tips, document checks): anyone may call it; "
    "WAF rate limiting and stage throttling protect it."
)
# The AWS common rule set blocks bodies over 8 KB; services accept up to their manifest's max_body_bytes.
MANAGED_BODY_SIZE_LIMIT = 8 * 1024
WAF_WINDOW_SECONDS = 300
# No single address may take more than a tenth of the service's capacity. Not less: carrier-grade NAT puts
# many citizens behind one address.
SHARE_OF_CAPACITY_PER_CLIENT_IP = 10
_PATH_PARAMETER = re.compile(r"{(\w+)\+?}")
# X-Ray applies the matching rule of the lowest priority number; the platform's rule for all stages is 1000.
ANONYMOUS_SAMPLING_PRIORITY = 1


# API Gateway's own answers as problem+json: (status, or None to keep API Gateway's; slug; title; headers).
GATEWAY_PROBLEMS: dict[apigateway.ResponseType, tuple[int | None, str, str, dict[str, str]]] = {
    apigateway.ResponseType.UNAUTHORIZED: (
        401,
        "unauthorized",
        "Unauthorized",
        {"WWW-Authenticate": "'Bearer'"},
    ),
    apigateway.ResponseType.ACCESS_DENIED: (403, "forbidden", "Forbidden", {}),
    apigateway.ResponseType.WAF_FILTERED: (403, "forbidden", "Forbidden", {}),
    apigateway.ResponseType.MISSING_AUTHENTICATION_TOKEN: (404, "not-found", "Not Found", {}),
    apigateway.ResponseType.RESOURCE_NOT_FOUND: (404, "not-found", "Not Found", {}),
    apigateway.ResponseType.BAD_REQUEST_BODY: (400, "validation-failed", "Bad Request", {}),
    apigateway.ResponseType.BAD_REQUEST_PARAMETERS: (400, "validation-failed", "Bad Request", {}),
    apigateway.ResponseType.REQUEST_TOO_LARGE: (413, "payload-too-large", "Content Too Large", {}),
    apigateway.ResponseType.UNSUPPORTED_MEDIA_TYPE: (
        415,
        "unsupported-media-type",
        "Unsupported Media Type",
        {},
    ),
    apigateway.ResponseType.THROTTLED: (
        429,
        "too-many-requests",
        "Too Many Requests",
        {"Retry-After": "'1'"},
    ),
    apigateway.ResponseType.QUOTA_EXCEEDED: (
        429,
        "too-many-requests",
        "Too Many Requests",
        {"Retry-After": "'60'"},
    ),
    # The e-ID authorizer could not check the login (the broker's keys unreadable): not the caller's fault.
    apigateway.ResponseType.AUTHORIZER_FAILURE: (
        503,
        "service-unavailable",
        "Service Unavailable",
        {"Retry-After": "'30'"},
    ),
    apigateway.ResponseType.AUTHORIZER_CONFIGURATION_ERROR: (
        503,
        "service-unavailable",
        "Service Unavailable",
        {"Retry-After": "'30'"},
    ),
    apigateway.ResponseType.DEFAULT_4_XX: (None, "bad-request", "Client Error", {}),
    apigateway.ResponseType.DEFAULT_5_XX: (None, "internal", "Server Error", {}),
}


class ServiceApi(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        manifest: ServiceManifest,
        env_name: str,
        handler: lambda_.IFunction,
        eid_authorizer: lambda_.IFunction | None,
        user_pool: cognito.IUserPool,
        alarm_topic: sns.ITopic,
    ) -> None:
        super().__init__(scope, construct_id)
        self.manifest = manifest
        self.name = manifest.prefix(env_name)
        self.rest_api = apigateway.RestApi(
            self,
            "RestApi",
            rest_api_name=self.name,
            description=f"{manifest.title}: {manifest.base_path}",
            endpoint_types=[apigateway.EndpointType.REGIONAL],
            # The account-wide logging role is the platform stack's.
            cloud_watch_role=False,
            deploy_options=self._stage_options(env_name),
            binary_media_types=list(manifest.binary_media_types) or None,
        )
        self._integration = apigateway.LambdaIntegration(
            handler, allow_test_invoke=False, scope_permission_to_method=False
        )
        self._validator = self.rest_api.add_request_validator(
            "RequestValidator", validate_request_body=True, validate_request_parameters=True
        )
        self._authorizer = self._cognito_authorizer(user_pool) if self._needs(POOL_AUDIENCES) else None
        self._citizen_authorizer = (
            self._eid_token_authorizer(eid_authorizer)
            if eid_authorizer and self._needs({"citizen"})
            else None
        )
        for route in manifest.routes:
            self._add_route(route)
        self._never_trace_anonymous_routes(env_name)
        self._problem_gateway_responses()
        self._web_acl()
        self._alarm_on_server_errors(alarm_topic)

    def _problem_gateway_responses(self) -> None:
        """What API Gateway answers itself (no token, throttled, too large, no such route, the function
        failed) is problem+json too, as the services' own errors and the OpenAPI documents say, never its
        default ``{"message": ...}``. A route or method the API does not have is 404, not its 403."""
        for response_type, (status, slug, title, headers) in GATEWAY_PROBLEMS.items():
            document: dict[str, str | int] = {"type": PROBLEM_BASE + slug, "title": title}
            if status is not None:
                document["status"] = status
            # The message API Gateway has for the error, as a JSON string.
            body = json.dumps(document)[:-1] + ',"detail":$context.error.messageString}'
            self.rest_api.add_gateway_response(
                f"{response_type.response_type.title().replace('_', '')}Response",
                type=response_type,
                status_code=str(status) if status is not None else None,
                response_headers={"Content-Type": f"'{PROBLEM_JSON}'", **headers},
                templates={"application/json": body},
            )

    def _stage_options(self, env_name: str) -> apigateway.StageOptions:
        access_logs = logs.LogGroup(
            self,
            "AccessLogs",
            log_group_name=f"/aws/apigateway/{self.name}/access",
            retention=LOG_RETENTION,
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )
        return apigateway.StageOptions(
            stage_name=env_name,
            access_log_destination=apigateway.LogGroupLogDestination(access_logs),
            access_log_format=_access_log_format(),
            tracing_enabled=True,
            metrics_enabled=True,
            # Errors only, and never request/response bodies: they carry personal data.
            logging_level=apigateway.MethodLoggingLevel.ERROR,
            data_trace_enabled=False,
            throttling_rate_limit=self.manifest.rate_limit_per_second,
            throttling_burst_limit=self.manifest.burst_limit,
            method_options=self._route_throttling(),
        )

    def _route_throttling(self) -> dict[str, apigateway.MethodDeploymentOptions]:
        """Stage method settings for the routes the manifest limits more tightly than the service."""
        return {
            f"{route.path}/{route.method}": apigateway.MethodDeploymentOptions(
                throttling_rate_limit=route.rate_limit_per_second,
                throttling_burst_limit=route.burst_limit,
                # A method's settings replace the stage's for it: repeat the logging and metrics.
                metrics_enabled=True,
                logging_level=apigateway.MethodLoggingLevel.ERROR,
                data_trace_enabled=False,
            )
            for route in self.manifest.routes
            if route.rate_limit_per_second is not None
        }

    def _needs(self, audiences: frozenset[Audience] | set[Audience]) -> bool:
        return any(route.audience in audiences for route in self.manifest.routes)

    def _eid_token_authorizer(self, function: lambda_.IFunction) -> apigateway.TokenAuthorizer:
        """The citizens' routes: the e-ID broker's token, checked by our function (ADR 77). No result is
        cached: a cached policy would let a token through for the cache's age after it expired."""
        return apigateway.TokenAuthorizer(
            self,
            "EidAuthorizer",
            handler=function,
            authorizer_name=f"{self.name}-eid",
            identity_source=apigateway.IdentitySource.header("Authorization"),
            results_cache_ttl=cdk.Duration.seconds(0),
        )

    def _cognito_authorizer(self, user_pool: cognito.IUserPool) -> apigateway.CognitoUserPoolsAuthorizer:
        return apigateway.CognitoUserPoolsAuthorizer(
            self,
            "Authorizer",
            authorizer_name=f"{self.name}-cognito",
            cognito_user_pools=[user_pool],
            results_cache_ttl=cdk.Duration.minutes(5),
        )

    def _add_route(self, route: Route) -> None:
        resource = self.rest_api.root.resource_for_path(route.path)
        required_path_parameters = {
            f"method.request.path.{name}": True for name in _PATH_PARAMETER.findall(route.path)
        }
        authenticated = route.audience in AUTHENTICATED
        citizen = route.audience == "citizen"
        authorizer = self._citizen_authorizer if citizen else self._authorizer if authenticated else None
        method = resource.add_method(
            route.method,
            self._integration,
            authorizer=authorizer,
            authorization_type=(
                apigateway.AuthorizationType.CUSTOM
                if citizen
                else apigateway.AuthorizationType.COGNITO
                if authenticated
                else apigateway.AuthorizationType.NONE
            ),
            request_validator=self._validator,
            request_parameters=required_path_parameters or None,
        )
        if not authenticated:
            for rule in ("AwsSolutions-APIG4", "AwsSolutions-COG4"):
                acknowledge(method, rule, WHY_NO_AUTHORIZER)
        elif citizen:
            acknowledge(method, "AwsSolutions-COG4", WHY_EID_AUTHORIZER)

    def _never_trace_anonymous_routes(self, env_name: str) -> None:
        """A sampling rule that records no trace of an anonymous route: API Gateway's trace segment keeps the
        client's address. It outranks the platform's rule for every stage (priority 1 against 1000)."""
        anonymous = [route for route in self.manifest.routes if route.anonymous]
        for number, route in enumerate(anonymous, start=1):
            xray.CfnSamplingRule(
                self,
                f"NeverTraceAnonymous{number}",
                sampling_rule=xray.CfnSamplingRule.SamplingRuleProperty(
                    rule_name=f"{env_name}-{self.manifest.name}-anonymous{number}"[:32],
                    priority=ANONYMOUS_SAMPLING_PRIORITY,
                    fixed_rate=0,
                    reservoir_size=0,
                    service_name=f"{self.name}/{env_name}",
                    service_type="AWS::ApiGateway::Stage",
                    host="*",
                    http_method=route.method,
                    url_path="*" + _PATH_PARAMETER.sub("*", route.path),
                    resource_arn="*",
                    version=1,
                ),
            )

    def _web_acl(self) -> None:
        acl = wafv2.CfnWebACL(
            self,
            "WebAcl",
            name=f"{self.name}-api",
            description=f"Protects the {self.manifest.name} API",
            scope="REGIONAL",
            default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
            visibility_config=_visibility(f"{self.name}-api"),
            rules=[self._rate_limit_rule(priority=0), self._common_rule_set(priority=1)],
        )
        wafv2.CfnWebACLAssociation(
            self,
            "WebAclAssociation",
            resource_arn=self.rest_api.deployment_stage.stage_arn,
            web_acl_arn=acl.attr_arn,
        )

    def _rate_limit_rule(self, priority: int) -> wafv2.CfnWebACL.RuleProperty:
        capacity = self.manifest.rate_limit_per_second * WAF_WINDOW_SECONDS
        return wafv2.CfnWebACL.RuleProperty(
            name="RateLimitPerClientIp",
            priority=priority,
            action=wafv2.CfnWebACL.RuleActionProperty(block={}),
            statement=wafv2.CfnWebACL.StatementProperty(
                rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                    aggregate_key_type="IP",
                    evaluation_window_sec=WAF_WINDOW_SECONDS,
                    limit=max(100, capacity // SHARE_OF_CAPACITY_PER_CLIENT_IP),
                )
            ),
            visibility_config=_visibility(f"{self.name}-rate-limit"),
        )

    def _common_rule_set(self, priority: int) -> wafv2.CfnWebACL.RuleProperty:
        overrides = []
        if self.manifest.max_body_bytes > MANAGED_BODY_SIZE_LIMIT:
            overrides.append(
                wafv2.CfnWebACL.RuleActionOverrideProperty(
                    name="SizeRestrictions_BODY", action_to_use=wafv2.CfnWebACL.RuleActionProperty(count={})
                )
            )
        return wafv2.CfnWebACL.RuleProperty(
            name="AWSManagedRulesCommonRuleSet",
            priority=priority,
            override_action=wafv2.CfnWebACL.OverrideActionProperty(none={}),
            statement=wafv2.CfnWebACL.StatementProperty(
                managed_rule_group_statement=wafv2.CfnWebACL.ManagedRuleGroupStatementProperty(
                    vendor_name="AWS",
                    name="AWSManagedRulesCommonRuleSet",
                    rule_action_overrides=overrides or None,
                )
            ),
            visibility_config=_visibility(f"{self.name}-common-rules"),
        )

    def _alarm_on_server_errors(self, topic: sns.ITopic) -> None:
        alarm = any_occurrence_alarm(
            self,
            "ServerErrorsAlarm",
            metric=self.rest_api.metric_server_error(period=PERIOD, statistic="Sum"),
            name=f"{self.name}-api-5xx",
            description=f"The {self.manifest.name} API answered 5xx: a client error is never a 5xx",
        )
        notify(alarm, topic)


def _access_log_format() -> apigateway.AccessLogFormat:
    """One format for the stage, so for every route: without the source address (or anything else of
    ``$context.identity``), because an anonymous tip must leave none behind. WAF still limits per address
    without keeping one; the service limits its open routes on a hash of it."""
    fields = {
        "requestId": apigateway.AccessLogField.context_request_id(),
        "requestTime": apigateway.AccessLogField.context_request_time(),
        "httpMethod": apigateway.AccessLogField.context_http_method(),
        "resourcePath": apigateway.AccessLogField.context_resource_path(),
        "status": apigateway.AccessLogField.context_status(),
        "responseLength": apigateway.AccessLogField.context_response_length(),
        "latencyMs": apigateway.AccessLogField.context_response_latency(),
        "subject": apigateway.AccessLogField.context_authorizer_claims("sub"),
        "authorizerError": apigateway.AccessLogField.context_authorizer_error(),
        "integrationError": apigateway.AccessLogField.context_integration_error_message(),
        "wafResponse": apigateway.AccessLogField.context_waf_response_code(),
        "xrayTraceId": apigateway.AccessLogField.context_xray_trace_id(),
    }
    return apigateway.AccessLogFormat.custom(json.dumps(fields))


def _visibility(metric_name: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
    # No sampled requests: samples would keep citizens' addresses and bearer tokens in the WAF console.
    return wafv2.CfnWebACL.VisibilityConfigProperty(
        cloud_watch_metrics_enabled=True, metric_name=metric_name, sampled_requests_enabled=False
    )
