"""The app synthesized once per process and environment: synthesis takes seconds, reading it takes none."""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
from dataclasses import dataclass
from typing import Any

import aws_cdk as cdk
from aws_cdk import cx_api

from infra.cloud.app import build_app


@dataclass(frozen=True)
class Synthesized:
    env: str
    app: cdk.App
    assembly: cx_api.CloudAssembly

    def templates(self) -> dict[str, dict[str, Any]]:
        """Stack name -> CloudFormation template."""
        return {stack.stack_name: stack.template for stack in self.assembly.stacks}


@functools.cache
def synthesized(env: str = "dev") -> Synthesized:
    outdir = tempfile.mkdtemp(prefix=f"eservices-{env}-cdk-")
    atexit.register(shutil.rmtree, outdir, ignore_errors=True)
    app = build_app(env, outdir=outdir)
    return Synthesized(env=env, app=app, assembly=app.synth())
