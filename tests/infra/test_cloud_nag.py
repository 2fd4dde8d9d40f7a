"""cdk-nag: nothing unacknowledged, every acknowledgment reviewed and explained, and a finding fails synth."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_sqs as sqs
from cdk_nag import AwsSolutionsChecks, ServerlessChecks

from infra.cloud import app as cloud_app
from infra.cloud.nag import install_nag_checks, unacknowledged_findings
from infra.cloud.synth import Synthesized

# The acknowledgments this app is allowed to make; a new kind is a decision to review, not a side effect.
REVIEWED_ACKNOWLEDGMENTS = [
    r"AwsSolutions-COG8",  # Plus tier: sign-in is federated
    r"AwsSolutions-IAM4\[Policy::.*AmazonAPIGatewayPushToCloudWatchLogs\]",  # API Gateway's logging role
    r"AwsSolutions-IAM5\[Resource::\*\]",  # X-Ray and dynamodb:ListStreams
    r"AwsSolutions-IAM5\[Resource::<\w+Bucket\w+\.Arn>/\*\]",  # objects of the service's own bucket
    r"AwsSolutions-IAM5\[Resource::<\w+Function\w+\.Arn>:\*\]",  # Scheduler invoking a job's versions
    r"AwsSolutions-S1",  # the access-log bucket itself
    r"AwsSolutions-SQS3",  # the publisher's on-failure queue; standalone queues drained outside the stack
    r"AwsSolutions-APIG4",  # public routes
    r"AwsSolutions-COG4",  # same routes
    r"AwsSolutions-L1",  # Python 3.13 by design
    r"Serverless-LambdaLatestVersion",  # same
    r"Serverless-LambdaDLQ",  # synchronously invoked functions
    r"Serverless-LambdaTracing",  # event-invoked functions follow their cause's trace (ADR 78)
    r"Serverless-LambdaEventSourceMappingDestination",  # SQS sources redrive to the subscription's DLQ
    r"Serverless-SQSRedrivePolicy",  # dead-letter queues themselves; standalone queues
    r"AwsSolutions-SMG4",  # the page-token key: replacing its value is its rotation
]


def acknowledgments(templates: dict[str, dict[str, Any]]) -> list[tuple[str, str, str]]:
    """(stack, rule, reason) of every acknowledgment written into the templates' metadata."""
    return [
        (stack, rule["id"], rule["reason"])
        for stack, template in templates.items()
        for resource in template["Resources"].values()
        for rule in resource.get("Metadata", {}).get("cdk_nag", {}).get("rules_to_suppress", [])
    ]


@pytest.mark.parametrize("pack", [AwsSolutionsChecks, ServerlessChecks], ids=lambda p: p.__name__)
def test_no_unacknowledged_finding_error_or_warning(
    cloud: Synthesized, pack: type[AwsSolutionsChecks]
) -> None:
    report = pack().validate_scope(cloud.app)

    findings = [
        (v.severity, v.rule_name, [r.construct_path for r in v.violating_resources])
        for v in report.violations
    ]
    assert findings == []


def test_synthesized_validation_report_is_clean(cloud: Synthesized) -> None:
    assert unacknowledged_findings(cloud.assembly.directory) == []


def test_every_acknowledgment_is_a_reviewed_kind_with_a_reason(templates: dict[str, dict[str, Any]]) -> None:
    acknowledged = acknowledgments(templates)

    assert acknowledged, "the acknowledgments should be written into the templates"
    for stack, rule, reason in acknowledged:
        assert any(re.fullmatch(pattern, rule) for pattern in REVIEWED_ACKNOWLEDGMENTS), (stack, rule)
        assert len(reason) > 40, (stack, rule, reason)


def careless_app(outdir: str | None) -> cdk.App:
    app = cdk.App(outdir=outdir)
    stack = cdk.Stack(app, "Careless")
    sqs.Queue(stack, "PlainQueue", encryption=sqs.QueueEncryption.UNENCRYPTED)
    install_nag_checks(app)
    return app


def test_synthesis_fails_on_an_unacknowledged_finding(tmp_path: Path) -> None:
    app = careless_app(str(tmp_path))

    with pytest.raises(RuntimeError, match=r"(?i)validation ?failed"):
        app.synth()
    assert any("AwsSolutions-SQS2" in finding for finding in unacknowledged_findings(tmp_path))


def test_the_app_exits_non_zero_on_an_unacknowledged_finding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CDK_OUTDIR", str(tmp_path))
    monkeypatch.setattr(cloud_app, "build_app", lambda env, outdir: careless_app(outdir))

    assert cloud_app.main() == 1
    assert "AwsSolutions-SQS2" in capsys.readouterr().err
