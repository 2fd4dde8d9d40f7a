"""The CDK app synthesized once per test session (synthesis takes seconds; every test only reads it)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from aws_cdk import assertions

from infra.catalog import MANIFESTS
from infra.cloud.naming import platform_stack_name, service_stack_name
from infra.cloud.synth import Synthesized, synthesized
from shared.manifest import ServiceManifest

ENV = "dev"


@dataclass(frozen=True)
class ServiceTemplate:
    manifest: ServiceManifest
    json: dict[str, Any]
    assertions: assertions.Template


@pytest.fixture(scope="session")
def cloud() -> Synthesized:
    return synthesized(ENV)


@pytest.fixture(scope="session")
def templates(cloud: Synthesized) -> dict[str, dict[str, Any]]:
    return cloud.templates()


@pytest.fixture(scope="session")
def platform(templates: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return templates[platform_stack_name(ENV)]


@pytest.fixture(scope="session")
def services(templates: dict[str, dict[str, Any]]) -> list[ServiceTemplate]:
    return [
        ServiceTemplate(
            manifest,
            templates[service_stack_name(ENV, manifest)],
            assertions.Template.from_json(templates[service_stack_name(ENV, manifest)]),
        )
        for manifest in MANIFESTS
    ]
