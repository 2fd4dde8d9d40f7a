"""cdk-nag on every synth, and the one way this app acknowledges a finding.

cdk-nag 3 is a CDK policy-validation plugin: ``app.synth()`` fails when any pack reports an unacknowledged
finding (errors and warnings alike), so a clean synth is the proof that every finding was fixed or
acknowledged. Acknowledgments are CDK's own (``Validations.of(construct).acknowledge``); an IAM5 finding is
acknowledged one finding at a time (``AwsSolutions-IAM5[Resource::*]``), never the whole rule.
"""

from __future__ import annotations

import json
from pathlib import Path

import aws_cdk as cdk
from cdk_nag import AwsSolutionsChecks, NagPack, ServerlessChecks
from constructs import IConstruct

REPORT_FILE = "validation-report.json"


def nag_packs(app: cdk.App) -> tuple[NagPack, ...]:
    # The acknowledgments are also written into the templates' metadata, so a reviewer sees them there.
    return (
        AwsSolutionsChecks(app, verbose=True, write_suppressions_to_cloud_formation=True),
        ServerlessChecks(app, verbose=True),
    )


def install_nag_checks(app: cdk.App) -> None:
    cdk.Validations.of(app).add_plugins(*nag_packs(app))


def logical_id(construct: IConstruct) -> str:
    """The template logical id of an L2 construct's resource, as IAM5 finding ids spell it."""
    resource = construct.node.default_child
    assert isinstance(resource, cdk.CfnElement)
    return cdk.Stack.of(construct).get_logical_id(resource)


def acknowledge(scope: IConstruct, rule: str, reason: str) -> None:
    """Acknowledge ``rule`` on ``scope`` and everything below it, with the reason a reviewer will read."""
    cdk.Validations.of(scope).acknowledge(cdk.Acknowledgment(id=rule, reason=reason))


def unacknowledged_findings(assembly_directory: str | Path) -> list[str]:
    """Every violation in the synthesized validation report, errors and warnings alike.

    Read back after synth because CDK only raises for errors, and under the CDK CLI it merely sets the exit
    code of its own node process, which a Python app never sees.
    """
    report_path = Path(assembly_directory) / REPORT_FILE
    if not report_path.exists():
        return []
    report = json.loads(report_path.read_text())
    return [
        f"{violation['severity']} {violation['ruleName']} at {construct['constructPath']}"
        for plugin in report.get("pluginReports", [])
        for violation in plugin.get("violations", [])
        for construct in violation.get("violatingConstructs", [])
    ]
