"""Function code: ``shared/`` plus the one service, staged at synth without Docker or an AWS account."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from infra.catalog import MANIFESTS
from infra.cloud.app import resolve_env
from infra.cloud.assets import REPO_ROOT, stage_service_code
from infra.cloud.inventory import resources
from infra.cloud.naming import service_stack_name
from infra.cloud.synth import Synthesized
from tests.infra.conftest import ENV


def files_under(directory: Path) -> set[str]:
    return {str(p.relative_to(directory)) for p in directory.rglob("*") if p.is_file()}


def test_staging_copies_shared_and_only_the_named_service(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    for path in (
        "shared/__init__.py",
        "shared/events/publisher.py",
        "shared/__pycache__/x.cpython-311.pyc",
        "services/__init__.py",
        "services/reports/api.py",
        "services/reports/__pycache__/api.cpython-311.pyc",
        "services/permits/api.py",
    ):
        (repo / path).parent.mkdir(parents=True, exist_ok=True)
        (repo / path).write_text("")
    destination = tmp_path / "build" / "reports"
    (destination / "stale.py").parent.mkdir(parents=True)
    (destination / "stale.py").write_text("")

    stage_service_code("reports", destination, repo_root=repo)

    assert files_under(destination) == {
        "shared/__init__.py",
        "shared/events/publisher.py",
        "services/__init__.py",
        "services/reports/api.py",
    }


def test_staging_an_unknown_service_fails(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="nowhere"):
        stage_service_code("nowhere", tmp_path / "out")


def test_each_function_asset_holds_shared_its_own_service_and_its_handler(cloud: Synthesized) -> None:
    assembly = Path(cloud.assembly.directory)
    for manifest in MANIFESTS:
        template = cloud.templates()[service_stack_name(ENV, manifest)]
        for _, function in resources(template, "AWS::Lambda::Function"):
            asset = assembly / f"asset.{function['Code']['S3Key'].removesuffix('.zip')}"
            contents = files_under(asset)

            assert {p.name for p in (asset / "services").iterdir()} == {"__init__.py", manifest.name}
            assert "shared/manifest.py" in contents
            assert not any("__pycache__" in path for path in contents)
            module, _, _ = function["Handler"].rpartition(".")
            assert f"{module.replace('.', '/')}.py" in contents, function["Handler"]


def test_no_asset_needs_docker(cloud: Synthesized) -> None:
    for stack in cloud.assembly.stacks:
        assets = json.loads((Path(cloud.assembly.directory) / f"{stack.stack_name}.assets.json").read_text())
        assert assets.get("dockerImages", {}) == {}, stack.stack_name
        assert all(file["source"]["packaging"] in ("zip", "file") for file in assets["files"].values())


def test_env_comes_from_context_then_environment_variable_then_dev(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CDK_CONTEXT_JSON", raising=False)
    monkeypatch.delenv("ESERVICES_ENV", raising=False)
    assert resolve_env() == "dev"
    monkeypatch.setenv("ESERVICES_ENV", "test")
    assert resolve_env() == "test"
    monkeypatch.setenv("CDK_CONTEXT_JSON", json.dumps({"env": "prod"}))
    assert resolve_env() == "prod"


def test_the_app_synthesizes_offline_without_docker(tmp_path: Path) -> None:
    offline = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("AWS_", "CDK_")) and key not in ("DOCKER_HOST", "ESERVICES_ENV")
    }
    offline.update(
        CDK_OUTDIR=str(tmp_path / "cdk.out"),
        CDK_DOCKER=str(tmp_path / "no-docker-here"),
        ESERVICES_ENV="ci",
        AWS_EC2_METADATA_DISABLED="true",
        AWS_CONFIG_FILE=str(tmp_path / "no-config"),
        AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "no-credentials"),
    )

    result = subprocess.run(
        [sys.executable, "-m", "infra.cloud.app"],
        cwd=REPO_ROOT,
        env=offline,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert result.returncode == 0, result.stderr[-3000:]
    assert "cdk-nag clean" in result.stdout
    written = {p.name for p in (tmp_path / "cdk.out").glob("*.template.json")}
    assert written == {"EServices-ci-Platform.template.json"} | {
        f"{service_stack_name('ci', m)}.template.json" for m in MANIFESTS
    }
