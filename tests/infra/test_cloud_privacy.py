"""What the cloud keeps of a caller: no source address in any access log, no trace of an anonymous route,
sampled traces elsewhere, and no app client that could write a claim the services trust."""

from __future__ import annotations

import json
from typing import Any

import aws_cdk as cdk
from aws_cdk import assertions

from infra.cloud.inventory import resources
from infra.cloud.platform_stack import PlatformStack
from tests.infra.conftest import ENV, ServiceTemplate

Template = dict[str, Any]
TRUSTED = {"custom:principalType", "custom:personnummer", "custom:staffId", "custom:roles", "custom:region"}


def test_no_stage_logs_the_callers_address_or_anything_else_of_their_identity(
    services: list[ServiceTemplate],
) -> None:
    for service in services:
        if not service.manifest.routes:
            continue
        [(_, stage)] = resources(service.json, "AWS::ApiGateway::Stage")
        access_log = stage["AccessLogSetting"]["Format"]

        assert "$context.identity" not in access_log, service.manifest.name
        assert "sourceIp" not in access_log
        assert json.loads(access_log)["requestId"] == "$context.requestId"


def test_an_anonymous_route_is_never_traced_and_the_rest_are_sampled(
    platform: Template, services: list[ServiceTemplate]
) -> None:
    [(_, everyone)] = resources(platform, "AWS::XRay::SamplingRule")
    rule = everyone["SamplingRule"]
    assert 0 < rule["FixedRate"] <= 0.05
    assert rule["ReservoirSize"] == 0
    assert rule["ServiceName"] == f"eservices-{ENV}-*"
    assert rule["ServiceType"] == "AWS::ApiGateway::Stage"

    reports = next(s for s in services if s.manifest.name == "reports")
    anonymous = [r for r in reports.manifest.routes if r.anonymous]
    assert [(r.method, r.path) for r in anonymous] == [("POST", "/reports/v1/tips")]
    [(_, never)] = resources(reports.json, "AWS::XRay::SamplingRule")
    tips = never["SamplingRule"]
    assert (tips["FixedRate"], tips["ReservoirSize"]) == (0, 0)
    assert (tips["HTTPMethod"], tips["URLPath"]) == ("POST", "*/reports/v1/tips")
    assert tips["ServiceName"] == f"eservices-{ENV}-reports/{ENV}"
    assert tips["Priority"] < rule["Priority"]
    bookings = next(s for s in services if s.manifest.name == "bookings")
    assert list(resources(bookings.json, "AWS::XRay::SamplingRule")) == []


def test_the_sampling_rate_is_a_context_value() -> None:
    stack = PlatformStack(cdk.App(context={"tracingSampleRate": "0.2"}), env_name="ctx")

    [rule] = assertions.Template.from_stack(stack).find_resources("AWS::XRay::SamplingRule").values()

    assert rule["Properties"]["SamplingRule"]["FixedRate"] == 0.2


def test_no_app_client_can_write_a_claim_the_services_trust(platform: Template) -> None:
    clients = {props["ClientName"]: props for _, props in resources(platform, "AWS::Cognito::UserPoolClient")}

    # Citizens do not sign in through the pool: their e-ID login is checked by the e-ID authorizer (ADR 77).
    assert set(clients) == {f"eservices-{ENV}-staff"}
    for name, client in clients.items():
        # An empty list would let the client write every standard attribute: it names one, locale.
        assert client["WriteAttributes"] == ["locale"], name
        assert not set(client["WriteAttributes"]) & TRUSTED
        # No token of theirs may call UpdateUserAttributes at all, nor sign in without the identity provider.
        assert "aws.cognito.signin.user.admin" not in client["AllowedOAuthScopes"], name
        assert client["AllowedOAuthFlows"] == ["code"]
        assert client["ExplicitAuthFlows"] == ["ALLOW_REFRESH_TOKEN_AUTH"]
        assert client["PreventUserExistenceErrors"] == "ENABLED"
    assert "custom:personnummer" not in clients[f"eservices-{ENV}-staff"]["ReadAttributes"]
    assert {"custom:principalType", "custom:staffId", "custom:roles", "custom:region"} <= set(
        clients[f"eservices-{ENV}-staff"]["ReadAttributes"]
    )
