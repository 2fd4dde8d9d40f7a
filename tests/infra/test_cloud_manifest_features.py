"""Manifest features no deployed service uses yet (schedules, buckets, staff/agency routes) render
to resources that cdk-nag accepts, so the first service to use them does not discover the gaps."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import aws_cdk as cdk
import pytest
from cdk_nag import AwsSolutionsChecks, ServerlessChecks

from infra.cloud.app import FEATURE_FLAGS
from infra.cloud.assets import stage_service_code
from infra.cloud.inventory import api_methods, resources
from infra.cloud.nag import install_nag_checks, unacknowledged_findings
from infra.cloud.service_stack import ServiceStack
from services.reports.manifest import MANIFEST as REPORTS
from shared.manifest import OUTBOX_SWEEP, Bucket, Function, Route, Schedule

ENV = "feature"
FULL = dataclasses.replace(
    REPORTS,
    routes=(
        *REPORTS.routes,
        Route("GET", "/reports/v1/intake", "staff"),
        Route("GET", "/reports/v1/shared/{caseNumber}", "agency"),
        Route("GET", "/reports/v1/feature/open", "public"),
    ),
    functions=(*REPORTS.functions, Function("reminders", "services.reports.jobs.remind", "job")),
    schedules=(Schedule("morning-reminders", "reminders", "cron(0 7 * * ? *)"), OUTBOX_SWEEP),
    buckets=(Bucket("attachments"),),
)


@pytest.fixture(scope="module")
def full(tmp_path_factory: pytest.TempPathFactory) -> tuple[cdk.App, dict[str, Any]]:
    outdir = tmp_path_factory.mktemp("cdk-feature")
    app = cdk.App(outdir=str(outdir), context=FEATURE_FLAGS, analytics_reporting=False)
    code = stage_service_code(FULL.name, outdir / ".build" / FULL.name)
    stack = ServiceStack(app, manifest=FULL, env_name=ENV, code_dir=code)
    install_nag_checks(app)
    assembly = app.synth()
    assert unacknowledged_findings(assembly.directory) == []
    return app, assembly.get_stack_by_name(stack.stack_name).template


def test_every_feature_is_cdk_nag_clean(full: tuple[cdk.App, dict[str, Any]]) -> None:
    app, _ = full
    for pack in (AwsSolutionsChecks(), ServerlessChecks()):
        assert [v.rule_name for v in pack.validate_scope(app).violations] == []


def test_schedule_invokes_its_job_in_stockholm_time_with_a_dead_letter_queue(
    full: tuple[cdk.App, dict[str, Any]],
) -> None:
    _, template = full
    [schedule] = [
        props
        for _, props in resources(template, "AWS::Scheduler::Schedule")
        if props["Name"] == f"{FULL.prefix(ENV)}-morning-reminders"
    ]
    functions = {
        props["FunctionName"]: logical for logical, props in resources(template, "AWS::Lambda::Function")
    }
    queues = {props["QueueName"]: logical for logical, props in resources(template, "AWS::SQS::Queue")}
    failures = {"Fn::GetAtt": [queues[f"{FULL.prefix(ENV)}-reminders-failures"], "Arn"]}

    assert schedule["Name"] == f"{FULL.prefix(ENV)}-morning-reminders"
    assert schedule["ScheduleExpression"] == "cron(0 7 * * ? *)"
    assert schedule["ScheduleExpressionTimezone"] == "Europe/Stockholm"
    assert schedule["Target"]["Arn"] == {
        "Fn::GetAtt": [functions[FULL.function_name(ENV, "reminders")], "Arn"]
    }
    assert schedule["Target"]["DeadLetterConfig"] == {"Arn": failures}
    job = template["Resources"][functions[FULL.function_name(ENV, "reminders")]]["Properties"]
    assert job["DeadLetterConfig"] == {"TargetArn": failures}


def test_bucket_is_private_versioned_logged_tls_only_and_encrypted_with_the_service_key(
    full: tuple[cdk.App, dict[str, Any]],
) -> None:
    _, template = full
    [key] = [logical for logical, _ in resources(template, "AWS::KMS::Key")]
    buckets = {
        json.dumps(props["BucketName"]): (logical, props)
        for logical, props in resources(template, "AWS::S3::Bucket")
    }
    [(logical, bucket)] = [v for k, v in buckets.items() if "attachments" in k]

    encryption = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
    assert encryption["ServerSideEncryptionByDefault"]["KMSMasterKeyID"] == {"Fn::GetAtt": [key, "Arn"]}
    assert bucket["VersioningConfiguration"] == {"Status": "Enabled"}
    assert all(bucket["PublicAccessBlockConfiguration"].values())
    assert "DestinationBucketName" in bucket["LoggingConfiguration"]
    policies = [p for _, p in resources(template, "AWS::S3::BucketPolicy") if p["Bucket"] == {"Ref": logical}]
    assert any("aws:SecureTransport" in json.dumps(p) for p in policies)


def test_only_authenticated_audiences_get_the_authorizer(full: tuple[cdk.App, dict[str, Any]]) -> None:
    _, template = full
    methods = api_methods(template)

    assert "AuthorizerId" in methods[("GET", "/reports/v1/intake")]
    assert "AuthorizerId" in methods[("GET", "/reports/v1/shared/{caseNumber}")]
    assert "AuthorizerId" not in methods[("GET", "/reports/v1/feature/open")]
    assert methods[("GET", "/reports/v1/feature/open")]["AuthorizationType"] == "NONE"
    assert methods[("GET", "/reports/v1/shared/{caseNumber}")]["RequestParameters"] == {
        "method.request.path.caseNumber": True
    }
