"""The CDK app: the platform stack and one stack per service manifest, checked by cdk-nag on every synth.

``python -m infra.cloud.app`` (or ``cdk synth``) synthesizes to ``cdk.out/`` fully offline: no Docker, no AWS
account, no context lookups. The environment comes from the context value ``env`` (``cdk synth -c env=prod``)
or ``ESERVICES_ENV``, default ``dev``. Synthesis fails when cdk-nag reports an unacknowledged finding.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import aws_cdk as cdk

from infra.catalog import MANIFESTS
from infra.cloud.assets import stage_service_code
from infra.cloud.nag import install_nag_checks, unacknowledged_findings
from infra.cloud.platform_stack import PlatformStack
from infra.cloud.service_stack import ServiceStack

DEFAULT_ENV = "dev"
DEFAULT_OUTDIR = "cdk.out"
# Behaviour the stacks rely on, set here rather than in cdk.json so that `cdk synth`, `python -m` and the
# tests all build the same templates.
FEATURE_FLAGS = {
    # Queues encrypted with a customer key accept EventBridge deliveries from this account only.
    "@aws-cdk/aws-events:eventsTargetQueueSameAccount": True,
    # Server access logs are granted by bucket policy, not ACL, so buckets can enforce object ownership.
    "@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy": True,
}


def build_app(env: str = DEFAULT_ENV, outdir: str | None = None) -> cdk.App:
    app = cdk.App(outdir=outdir, context=FEATURE_FLAGS, analytics_reporting=False)
    PlatformStack(app, env_name=env)
    build_dir = Path(app.outdir) / ".build"
    for manifest in MANIFESTS:
        code_dir = stage_service_code(manifest.name, build_dir / manifest.name)
        ServiceStack(app, manifest=manifest, env_name=env, code_dir=code_dir)
    install_nag_checks(app)
    return app


def resolve_env() -> str:
    """The ``env`` context value the CDK CLI passes (``-c env=...``), else ``ESERVICES_ENV``, else dev."""
    cli_context = json.loads(os.environ.get("CDK_CONTEXT_JSON") or "{}")
    return str(cli_context.get("env") or os.environ.get("ESERVICES_ENV") or DEFAULT_ENV)


def main() -> int:
    env = resolve_env()
    app = build_app(env, outdir=os.environ.get("CDK_OUTDIR") or DEFAULT_OUTDIR)
    try:
        assembly = app.synth()
    except RuntimeError as error:  # jsii surfaces a failed validation as a RuntimeError
        print(f"Synthesis of {env} failed: {error}", file=sys.stderr)
        return 1
    findings = unacknowledged_findings(assembly.directory)
    if findings:
        print(
            f"cdk-nag: {len(findings)} unacknowledged findings in {env}:",
            *findings,
            sep="\n  ",
            file=sys.stderr,
        )
        return 1
    print(f"Synthesized {len(assembly.stacks)} stacks for {env} to {assembly.directory}, cdk-nag clean")
    return 0


if __name__ == "__main__":
    sys.exit(main())
