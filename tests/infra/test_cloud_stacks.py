"""What a platform team would notice in the synthesized templates: names, data protection, least privilege."""

from __future__ import annotations

import json
from typing import Any

from aws_cdk.assertions import Match

from infra.catalog import MANIFESTS
from infra.cloud.inventory import api_methods, resources
from infra.cloud.naming import (
    ALARM_TOPIC_ARN,
    BUS_ARN,
    BUS_NAME,
    EID_CLIENT_ID,
    EID_ISSUER,
    EID_JWKS_URL,
    USER_POOL_ARN,
    platform_stack_name,
    service_stack_name,
)
from shared.manifest import EID_AUTHORIZER, SWEEPER_HANDLER, archive_name, bus_name
from tests.infra.conftest import ENV, ServiceTemplate

Template = dict[str, Any]


def only(template: Template, resource_type: str) -> str:
    """The logical id of the one resource of this type in the template."""
    ids = [logical_id for logical_id, _ in resources(template, resource_type)]
    assert len(ids) == 1, f"expected one {resource_type}, found {ids}"
    return ids[0]


def ssm_parameter_defaults(template: Template) -> dict[str, str]:
    """Template parameter name -> the SSM parameter it resolves at deploy time."""
    return {
        name: parameter["Default"]
        for name, parameter in template.get("Parameters", {}).items()
        if parameter["Type"] == "AWS::SSM::Parameter::Value<String>" and name != "BootstrapVersion"
    }


def refuses_plain_http(policy_document: dict[str, Any]) -> bool:
    return any(
        statement["Effect"] == "Deny"
        and statement.get("Condition") == {"Bool": {"aws:SecureTransport": "false"}}
        for statement in policy_document["Statement"]
    )


def ref_to_ssm(template: Template, parameter_name: str) -> dict[str, str]:
    [logical] = [k for k, v in ssm_parameter_defaults(template).items() if v == parameter_name]
    return {"Ref": logical}


def test_one_platform_stack_and_one_stack_per_service(templates: dict[str, Template]) -> None:
    expected = {platform_stack_name(ENV), *(service_stack_name(ENV, m) for m in MANIFESTS)}

    assert set(templates) == expected
    assert "EServices-dev-Platform" in templates
    assert "EServices-dev-Reports" in templates


def test_stacks_deploy_alone_no_exports_no_imports(templates: dict[str, Template]) -> None:
    for name, template in templates.items():
        assert "Fn::ImportValue" not in json.dumps(template), name
        exported = [key for key, output in template.get("Outputs", {}).items() if "Export" in output]
        assert exported == [], name


def test_platform_publishes_what_services_read_from_ssm(
    platform: Template, services: list[ServiceTemplate]
) -> None:
    published = {props["Name"] for _, props in resources(platform, "AWS::SSM::Parameter")}

    platform = (BUS_ARN, BUS_NAME, ALARM_TOPIC_ARN, USER_POOL_ARN, EID_ISSUER, EID_CLIENT_ID, EID_JWKS_URL)
    assert {p.name(ENV) for p in platform} <= published
    for service in services:
        read = set(ssm_parameter_defaults(service.json).values())
        assert read, service.manifest.name
        assert read <= published, service.manifest.name


def test_platform_bus_archive_and_alarm_topic(platform: Template) -> None:
    bus = only(platform, "AWS::Events::EventBus")
    [(_, archive)] = resources(platform, "AWS::Events::Archive")
    [(_, topic)] = resources(platform, "AWS::SNS::Topic")
    [(_, topic_policy)] = resources(platform, "AWS::SNS::TopicPolicy")

    assert platform["Resources"][bus]["Properties"]["Name"] == bus_name(ENV)
    assert archive["ArchiveName"] == archive_name(ENV)
    assert archive["SourceArn"] == {"Fn::GetAtt": [bus, "Arn"]}
    assert "EventPattern" in archive
    assert "RetentionDays" in archive
    assert topic["KmsMasterKeyId"] == {"Fn::GetAtt": [only(platform, "AWS::KMS::Key"), "Arn"]}
    assert refuses_plain_http(topic_policy["PolicyDocument"])


def test_user_pool_is_closed_to_self_sign_up_and_protected(platform: Template) -> None:
    [(_, pool)] = resources(platform, "AWS::Cognito::UserPool")

    assert pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    assert pool["DeletionProtection"] == "ACTIVE"
    assert {a["Name"] for a in pool["Schema"]} >= {"personnummer", "principalType", "roles", "region"}


def test_every_table_is_on_demand_recoverable_protected_and_encrypted_with_the_service_key(
    services: list[ServiceTemplate],
) -> None:
    for service in services:
        key = only(service.json, "AWS::KMS::Key")
        tables = {props["TableName"]: props for _, props in resources(service.json, "AWS::DynamoDB::Table")}
        assert set(tables) == {service.manifest.table_name(ENV, t.name) for t in service.manifest.tables}
        for spec in service.manifest.tables:
            table = tables[service.manifest.table_name(ENV, spec.name)]
            assert table["BillingMode"] == "PAY_PER_REQUEST"
            assert table["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
            assert table["DeletionProtectionEnabled"] is True
            assert table["SSESpecification"] == {
                "KMSMasterKeyId": {"Fn::GetAtt": [key, "Arn"]},
                "SSEEnabled": True,
                "SSEType": "KMS",
            }
            assert table.get("TimeToLiveSpecification", {}).get("AttributeName") == spec.ttl_attribute
            indexes = {i["IndexName"]: i for i in table.get("GlobalSecondaryIndexes", [])}
            assert set(indexes) == {i.name for i in spec.indexes}
            assert {name: i["Projection"] for name, i in indexes.items()} == {
                i.name: {"ProjectionType": i.projection} for i in spec.indexes
            }
            stream = table.get("StreamSpecification")
            assert stream == ({"StreamViewType": "NEW_IMAGE"} if spec.stream else None), spec.name
        key_props = service.json["Resources"][key]["Properties"]
        assert key_props["EnableKeyRotation"] is True


def test_reports_main_table_streams_new_images(services: list[ServiceTemplate]) -> None:
    [reports] = [s for s in services if s.manifest.name == "reports"]
    reports.assertions.has_resource_properties(
        "AWS::DynamoDB::Table",
        {"TableName": "eservices-dev-reports-main", "StreamSpecification": {"StreamViewType": "NEW_IMAGE"}},
    )


def test_every_subscription_queue_has_a_kms_encrypted_dlq_after_three_receives(
    services: list[ServiceTemplate],
) -> None:
    for service in services:
        key = {"Fn::GetAtt": [only(service.json, "AWS::KMS::Key"), "Arn"]}
        queues = {
            props["QueueName"]: (logical, props)
            for logical, props in resources(service.json, "AWS::SQS::Queue")
        }
        for sub in service.manifest.subscriptions:
            _, queue = queues[service.manifest.queue_name(ENV, sub.name)]
            dlq_id, dlq = queues[service.manifest.dlq_name(ENV, sub.name)]
            assert queue["RedrivePolicy"] == {
                "deadLetterTargetArn": {"Fn::GetAtt": [dlq_id, "Arn"]},
                "maxReceiveCount": 3,
            }
            assert queue["KmsMasterKeyId"] == key
            assert dlq["KmsMasterKeyId"] == key
            assert queue["VisibilityTimeout"] == sub.visibility_timeout_s


def test_every_queue_is_encrypted_and_refuses_plain_http(services: list[ServiceTemplate]) -> None:
    for service in services:
        policies = [p for _, p in resources(service.json, "AWS::SQS::QueuePolicy")]
        for logical_id, queue in resources(service.json, "AWS::SQS::Queue"):
            assert "KmsMasterKeyId" in queue or queue.get("SqsManagedSseEnabled") is True, queue["QueueName"]
            [policy] = [p for p in policies if {"Ref": logical_id} in p["Queues"]]
            assert refuses_plain_http(policy["PolicyDocument"]), queue["QueueName"]


def test_rules_match_source_and_detail_type_on_the_shared_bus_and_deliver_to_the_queue(
    services: list[ServiceTemplate],
) -> None:
    for service in services:
        rules = {props["Name"]: props for _, props in resources(service.json, "AWS::Events::Rule")}
        queues = {
            props["QueueName"]: logical for logical, props in resources(service.json, "AWS::SQS::Queue")
        }
        for sub in service.manifest.subscriptions:
            rule = rules[service.manifest.rule_name(ENV, sub.name)]
            assert rule["EventPattern"] == {"source": [sub.source], "detail-type": list(sub.detail_types)}
            assert ref_to_ssm(service.json, BUS_ARN.name(ENV)) == _innermost_ref(rule["EventBusName"])
            [target] = rule["Targets"]
            assert target["Arn"] == {
                "Fn::GetAtt": [queues[service.manifest.queue_name(ENV, sub.name)], "Arn"]
            }
            assert target["DeadLetterConfig"] == {
                "Arn": {"Fn::GetAtt": [queues[service.manifest.dlq_name(ENV, sub.name)], "Arn"]}
            }


def test_only_the_publisher_and_the_outbox_sweeper_may_put_events_and_only_on_the_bus(
    services: list[ServiceTemplate],
) -> None:
    for service in services:
        roles_by_function = _function_name_by_role(service.json)
        putters: set[str] = set()
        for _, policy in resources(service.json, "AWS::IAM::Policy"):
            for statement in policy["PolicyDocument"]["Statement"]:
                if "events:PutEvents" in _as_list(statement["Action"]):
                    assert statement["Resource"] == ref_to_ssm(service.json, BUS_ARN.name(ENV))
                    # Only events in its own service's name.
                    assert statement["Condition"] == {
                        "StringEquals": {"events:source": service.manifest.source}
                    }
                    putters |= {roles_by_function[r["Ref"]] for r in policy["Roles"]}
        publishers = {
            service.manifest.function_name(ENV, f.name)
            for f in service.manifest.functions
            if f.kind == "publisher" or f.handler == SWEEPER_HANDLER
        }
        assert putters == publishers


def test_each_function_has_its_own_role(services: list[ServiceTemplate]) -> None:
    for service in services:
        roles = [props["Role"] for _, props in resources(service.json, "AWS::Lambda::Function")]
        assert len(roles) == len(set(json.dumps(r) for r in roles)) == len(service.manifest.functions)


def test_wildcard_resources_are_only_for_actions_without_resource_level_permissions(
    services: list[ServiceTemplate],
) -> None:
    allowed = {"xray:PutTraceSegments", "xray:PutTelemetryRecords", "dynamodb:ListStreams"}
    for service in services:
        for _, policy in resources(service.json, "AWS::IAM::Policy"):
            for statement in policy["PolicyDocument"]["Statement"]:
                if "*" in _as_list(statement["Resource"]):
                    assert set(_as_list(statement["Action"])) <= allowed, statement
                assert not any(a.endswith("*") for a in _as_list(statement["Action"])), statement


def test_functions_run_python_313_on_arm_with_tracing_json_logs_and_the_powertools_layer(
    services: list[ServiceTemplate],
) -> None:
    for service in services:
        functions = {
            props["FunctionName"]: props for _, props in resources(service.json, "AWS::Lambda::Function")
        }
        log_groups = {logical: props for logical, props in resources(service.json, "AWS::Logs::LogGroup")}
        for spec in service.manifest.functions:
            function = functions[service.manifest.function_name(ENV, spec.name)]
            assert function["Runtime"] == "python3.13"
            assert function["Architectures"] == ["arm64"]
            assert function["Handler"] == spec.handler
            assert function["TracingConfig"] == {"Mode": "Active" if spec.kind == "api" else "PassThrough"}
            assert function["MemorySize"] == spec.memory_mb
            assert function["Timeout"] == spec.timeout_s
            assert function["Environment"]["Variables"].items() >= service.manifest.environment(ENV).items()
            assert "AWSLambdaPowertoolsPythonV3-python313-arm64" in json.dumps(function["Layers"])
            logging = function["LoggingConfig"]
            # JSON lines filtered by Lambda: the application's INFO and up, none of Lambda's own INFO lines.
            assert (logging["LogFormat"], logging["ApplicationLogLevel"], logging["SystemLogLevel"]) == (
                "JSON",
                "INFO",
                "WARN",
            )
            log_group = log_groups[logging["LogGroup"]["Ref"]]
            assert log_group["LogGroupName"] == f"/aws/lambda/{function['FunctionName']}"
            assert log_group["RetentionInDays"] > 0


def test_publisher_reads_only_outbox_inserts_and_records_what_it_gives_up_on(
    services: list[ServiceTemplate],
) -> None:
    for service in services:
        if not any(t.stream for t in service.manifest.tables):
            continue
        stream_mappings = [
            props
            for _, props in resources(service.json, "AWS::Lambda::EventSourceMapping")
            if "StreamArn" in json.dumps(props["EventSourceArn"])
        ]
        assert stream_mappings
        for mapping in stream_mappings:
            [pattern] = [json.loads(f["Pattern"]) for f in mapping["FilterCriteria"]["Filters"]]
            assert pattern == {
                "eventName": ["INSERT"],
                "dynamodb": {"Keys": {"pk": {"S": [{"prefix": "OUTBOX#"}]}}},
            }
            assert mapping["BisectBatchOnFunctionError"] is True
            assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
            assert 0 < mapping["MaximumRetryAttempts"] <= 100
            assert "OnFailure" in mapping["DestinationConfig"]


TABLE_DATA_ACTIONS = {
    f"dynamodb:{action}"
    for action in (
        "BatchGetItem",
        "BatchWriteItem",
        "DeleteItem",
        "GetItem",
        "PutItem",
        "Query",
        "Scan",
        "UpdateItem",
    )
}


def test_the_publisher_may_only_delete_outbox_items(services: list[ServiceTemplate]) -> None:
    for service in services:
        publisher = service.manifest.publisher_function
        if publisher is None:
            continue
        roles = {name: role for role, name in _function_name_by_role(service.json).items()}
        role = roles[service.manifest.function_name(ENV, publisher.name)]
        (statement,) = [
            statement
            for _, policy in resources(service.json, "AWS::IAM::Policy")
            if {"Ref": role} in policy["Roles"]
            for statement in policy["PolicyDocument"]["Statement"]
            if set(_as_list(statement["Action"])) & TABLE_DATA_ACTIONS
        ]
        assert statement["Action"] == "dynamodb:BatchWriteItem"
        assert statement["Condition"] == {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["OUTBOX#*"]}}


def test_the_outbox_sweeper_runs_every_minute_and_alarms_when_the_outbox_falls_behind(
    services: list[ServiceTemplate],
) -> None:
    for service in services:
        sweeper = service.manifest.sweeper_function
        if sweeper is None:
            continue
        schedules = {props["Name"]: props for _, props in resources(service.json, "AWS::Scheduler::Schedule")}
        assert schedules[service.manifest.schedule_name(ENV, "outboxSweep")]["ScheduleExpression"] == (
            "rate(1 minute)"
        )
        alarms = {props["AlarmName"]: props for _, props in resources(service.json, "AWS::CloudWatch::Alarm")}
        behind = alarms[f"{service.manifest.prefix(ENV)}-outbox-behind"]
        assert (behind["Namespace"], behind["MetricName"]) == ("EServices", "OutboxEventsBehind")
        assert behind["Dimensions"] == [{"Name": "service", "Value": service.manifest.name}]
        assert behind["Threshold"] == 0
        assert behind["AlarmActions"]


def test_consumers_report_partial_batch_failures(services: list[ServiceTemplate]) -> None:
    for service in services:
        for sub in service.manifest.subscriptions:
            service.assertions.has_resource_properties(
                "AWS::Lambda::EventSourceMapping",
                {
                    "FunctionResponseTypes": ["ReportBatchItemFailures"],
                    "BatchSize": sub.batch_size,
                    "EventSourceArn": Match.any_value(),
                },
            )


def test_api_routes_exist_with_an_authorizer_exactly_where_the_audience_needs_one(
    services: list[ServiceTemplate],
) -> None:
    # Citizens: the e-ID authorizer (a Lambda of ours); staff and agencies: the user pool (ADR 77).
    expected = {"citizen": "CUSTOM", "staff": "COGNITO_USER_POOLS", "agency": "COGNITO_USER_POOLS"}
    for service in services:
        methods = api_methods(service.json)
        assert set(methods) == {(r.method, r.path) for r in service.manifest.routes}
        authorizers = dict(resources(service.json, "AWS::ApiGateway::Authorizer"))
        for route in service.manifest.routes:
            method = methods[(route.method, route.path)]
            authenticated = route.audience in expected
            assert ("AuthorizerId" in method) is authenticated, route
            assert method["AuthorizationType"] == expected.get(route.audience, "NONE"), route
            if authenticated:
                authorizer = authorizers[method["AuthorizerId"]["Ref"]]
                assert authorizer["Type"] == (
                    "TOKEN" if route.audience == "citizen" else "COGNITO_USER_POOLS"
                )
            assert method["Integration"]["Type"] == "AWS_PROXY"


def test_api_is_named_by_the_manifest_and_its_authorizer_uses_the_platform_user_pool(
    services: list[ServiceTemplate],
) -> None:
    for service in services:
        if not service.manifest.routes:
            continue
        service.assertions.has_resource_properties(
            "AWS::ApiGateway::RestApi", {"Name": service.manifest.prefix(ENV)}
        )
        pool = [a for _, a in resources(service.json, "AWS::ApiGateway::Authorizer") if "ProviderARNs" in a]
        for authorizer in pool:
            assert authorizer["Type"] == "COGNITO_USER_POOLS"
            assert authorizer["ProviderARNs"] == [ref_to_ssm(service.json, USER_POOL_ARN.name(ENV))]


def test_citizens_routes_are_checked_by_the_e_id_authorizer_uncached_with_the_broker_s_settings(
    services: list[ServiceTemplate],
) -> None:
    for service in services:
        if not any(r.audience == "citizen" for r in service.manifest.routes):
            continue
        [token] = [
            a for _, a in resources(service.json, "AWS::ApiGateway::Authorizer") if a["Type"] == "TOKEN"
        ]
        assert token["IdentitySource"] == "method.request.header.Authorization"
        assert token["AuthorizerResultTtlInSeconds"] == 0
        name = service.manifest.function_name(ENV, EID_AUTHORIZER.name)
        [function] = [
            props
            for _, props in resources(service.json, "AWS::Lambda::Function")
            if props["FunctionName"] == name
        ]
        variables = function["Environment"]["Variables"]
        for variable, parameter in (
            ("EID_ISSUER", EID_ISSUER),
            ("EID_AUDIENCE", EID_CLIENT_ID),
            ("EID_JWKS_URL", EID_JWKS_URL),
        ):
            assert variables[variable] == ref_to_ssm(service.json, parameter.name(ENV))


def test_stage_is_throttled_traced_logged_as_json_and_behind_waf(services: list[ServiceTemplate]) -> None:
    for service in services:
        if not service.manifest.routes:
            continue
        [(stage_id, stage)] = resources(service.json, "AWS::ApiGateway::Stage")
        [settings] = [m for m in stage["MethodSettings"] if m["ResourcePath"] == "/*"]
        assert settings["HttpMethod"] == "*"
        assert settings["ThrottlingRateLimit"] == service.manifest.rate_limit_per_second
        assert settings["ThrottlingBurstLimit"] == service.manifest.burst_limit
        assert settings["DataTraceEnabled"] is False
        assert stage["TracingEnabled"] is True
        assert json.loads(stage["AccessLogSetting"]["Format"])["requestId"] == "$context.requestId"
        [(_, association)] = resources(service.json, "AWS::WAFv2::WebACLAssociation")
        assert {"Ref": stage_id} in association["ResourceArn"]["Fn::Join"][1]
        [(_, acl)] = resources(service.json, "AWS::WAFv2::WebACL")
        statements = [rule["Statement"] for rule in acl["Rules"]]
        assert any(s.get("RateBasedStatement", {}).get("AggregateKeyType") == "IP" for s in statements)
        assert any(
            s.get("ManagedRuleGroupStatement", {}).get("Name") == "AWSManagedRulesCommonRuleSet"
            for s in statements
        )


def test_routes_with_their_own_limit_are_throttled_on_the_stage_by_method(
    services: list[ServiceTemplate],
) -> None:
    for service in services:
        if not service.manifest.routes:
            continue
        [(_, stage)] = resources(service.json, "AWS::ApiGateway::Stage")
        by_method = {
            (m["HttpMethod"], m["ResourcePath"].replace("~1", "/")): m
            for m in stage["MethodSettings"]
            if m["ResourcePath"] != "/*"
        }
        expected = {
            (r.method, f"/{r.path}"): (r.rate_limit_per_second, r.burst_limit)
            for r in service.manifest.routes
            if r.rate_limit_per_second is not None
        }
        assert {
            k: (m["ThrottlingRateLimit"], m["ThrottlingBurstLimit"]) for k, m in by_method.items()
        } == expected
        assert all(
            m["LoggingLevel"] == "ERROR" and m["DataTraceEnabled"] is False for m in by_method.values()
        )

    reports = next(s for s in services if s.manifest.name == "reports")
    [(_, stage)] = resources(reports.json, "AWS::ApiGateway::Stage")
    tips = next(r for r in reports.manifest.routes if r.path.endswith("/tips") and r.method == "POST")
    assert {
        "HttpMethod": "POST",
        "ResourcePath": "/~1reports~1v1~1tips",
        "ThrottlingRateLimit": tips.rate_limit_per_second,
        "ThrottlingBurstLimit": tips.burst_limit,
        "MetricsEnabled": True,
        "LoggingLevel": "ERROR",
        "DataTraceEnabled": False,
    } in stage["MethodSettings"]


def test_errors_5xx_and_dead_letters_alarm_the_platform_topic(services: list[ServiceTemplate]) -> None:
    for service in services:
        topic = ref_to_ssm(service.json, ALARM_TOPIC_ARN.name(ENV))
        alarms = {props["AlarmName"]: props for _, props in resources(service.json, "AWS::CloudWatch::Alarm")}
        assert all(alarm["AlarmActions"] == [topic] for alarm in alarms.values())
        manifest = service.manifest
        expected = {
            f"{manifest.function_name(ENV, f.name)}-errors"
            for f in manifest.functions
            if f.kind != "authorizer"
        }
        # A refused login is a Lambda error (the authorizer raises "Unauthorized"): the e-ID authorizer alarms
        # on logins it could not check at all, never on its errors.
        for authorizer in (f for f in manifest.functions if f.kind == "authorizer"):
            name = manifest.function_name(ENV, authorizer.name)
            assert f"{name}-errors" not in alarms
            uncheckable = alarms[f"{name}-uncheckable-logins"]
            assert uncheckable["MetricName"] == "EidLoginsUncheckable"
            assert uncheckable["Threshold"] == 0
        expected |= {f"{manifest.dlq_name(ENV, s.name)}-not-empty" for s in manifest.subscriptions}
        standalone = {manifest.queue_name(ENV, q.name) for q in manifest.queues}
        # Drained outside the stack, so never empty for long: their oldest message's age alarms instead.
        expected |= {f"{name}-too-old" for name in standalone}
        if manifest.routes:
            expected.add(f"{manifest.prefix(ENV)}-api-5xx")
        assert expected <= set(alarms)
        queues_without_redrive = {
            props["QueueName"]
            for _, props in resources(service.json, "AWS::SQS::Queue")
            if "RedrivePolicy" not in props
        }
        assert {f"{name}-not-empty" for name in queues_without_redrive - standalone} <= set(alarms)


def _function_name_by_role(template: Template) -> dict[str, str]:
    return {
        props["Role"]["Fn::GetAtt"][0]: props["FunctionName"]
        for _, props in resources(template, "AWS::Lambda::Function")
    }


def _innermost_ref(value: Any) -> Any:
    """The ``{"Ref": ...}`` buried in an intrinsic (e.g. the bus name CloudFormation splits out of its ARN)."""
    if isinstance(value, dict):
        if "Ref" in value:
            return value
        for inner in value.values():
            found = _innermost_ref(inner)
            if found is not None:
                return found
    if isinstance(value, list):
        for inner in value:
            found = _innermost_ref(inner)
            if found is not None:
                return found
    return None


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def test_append_only_tables_can_be_added_to_but_not_changed(services: list[ServiceTemplate]) -> None:
    changes = {"dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"}
    for service in services:
        tables = {
            props["TableName"]: logical for logical, props in resources(service.json, "AWS::DynamoDB::Table")
        }
        for spec in service.manifest.tables:
            arn = {"Fn::GetAtt": [tables[service.manifest.table_name(ENV, spec.name)], "Arn"]}
            granted = [
                set(_as_list(statement["Action"]))
                for _, policy in resources(service.json, "AWS::IAM::Policy")
                for statement in policy["PolicyDocument"]["Statement"]
                # The publisher's delete of published outbox items is limited to outbox keys.
                if arn in _as_list(statement["Resource"]) and "Condition" not in statement
            ]
            assert granted, spec.name
            if spec.append_only:
                assert all("dynamodb:PutItem" in actions and not actions & changes for actions in granted)

    reports = next(s for s in services if s.manifest.name == "reports")
    assert reports.manifest.table("audit").append_only
    assert not reports.manifest.table("main").append_only


def test_api_gateway_answers_its_own_errors_as_problem_json_and_an_unknown_route_as_404(
    services: list[ServiceTemplate],
) -> None:
    for service in services:
        responses = {
            props["ResponseType"]: props
            for _, props in resources(service.json, "AWS::ApiGateway::GatewayResponse")
        }
        for kind in ("UNAUTHORIZED", "THROTTLED", "REQUEST_TOO_LARGE", "DEFAULT_4XX", "DEFAULT_5XX"):
            assert responses[kind]["ResponseParameters"]["gatewayresponse.header.Content-Type"] == (
                "'application/problem+json'"
            ), (service.manifest.name, kind)
            document = responses[kind]["ResponseTemplates"]["application/json"]
            assert '"detail":$context.error.messageString' in document
        assert responses["MISSING_AUTHENTICATION_TOKEN"]["StatusCode"] == "404"
        assert responses["THROTTLED"]["ResponseParameters"]["gatewayresponse.header.Retry-After"] == "'1'"
