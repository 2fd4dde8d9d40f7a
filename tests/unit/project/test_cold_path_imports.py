"""What a consumer, a job or a publisher loads on its cold path (ADR 73): none of them serves HTTP, so none
imports the REST resolver, the OpenAPI machinery, a service's HTTP contracts or routes, a manifest, nor
Powertools' batch package and event data classes (which import every event source's class and asyncio). Each handler module is
imported in a fresh interpreter, as Lambda does, so what another test imported before cannot hide it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from infra.catalog import MANIFESTS
from shared.events.consumer import BatchFailed, partial_batch_response

ROOT = Path(__file__).resolve().parents[3]

OFF_THE_COLD_PATH = (
    "aws_lambda_powertools.event_handler",
    "aws_lambda_powertools.utilities.data_classes",
    "aws_lambda_powertools.utilities.batch",
    "asyncio",
    "shared.http",
    "shared.manifest",
)
# A service's HTTP modules, and its manifest: the infrastructure's description, read by a handler only where
# it needs one of its values.
SERVICE_MODULES_OFF_THE_COLD_PATH = ("api", "contracts", "routes", "manifest")

NOT_HTTP = sorted(
    {
        function.handler.rsplit(".", 1)[0]
        for manifest in MANIFESTS
        for function in manifest.functions
        if function.kind != "api"
    }
)


def _loaded_by(module: str) -> list[str]:
    script = f"import importlib, json, sys; importlib.import_module({module!r}); print(json.dumps(sorted(sys.modules)))"
    done = subprocess.run(  # noqa: S603 - this interpreter, a module of the manifests
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True, timeout=60
    )
    loaded: list[str] = json.loads(done.stdout)
    return loaded


def _is_http_or_manifest(name: str) -> bool:
    parts = name.split(".")
    return parts[0] == "services" and len(parts) > 2 and parts[2] in SERVICE_MODULES_OFF_THE_COLD_PATH


def test_every_kind_of_function_but_the_api_is_checked() -> None:
    assert {"services.reports.consumers", "services.reports.jobs", "shared.events.publisher"} <= set(NOT_HTTP)


@pytest.mark.parametrize("module", NOT_HTTP)
def test_a_function_that_serves_no_http_loads_no_http_machinery(module: str) -> None:
    loaded = _loaded_by(module)

    assert module in loaded
    off_path = [name for name in loaded if name.startswith(OFF_THE_COLD_PATH) or _is_http_or_manifest(name)]
    assert off_path == []


def _record(message_id: str, body: str) -> dict[str, str]:
    return {"messageId": message_id, "body": body}


def _fail_on_poison(record: object) -> None:
    assert isinstance(record, dict)
    if record["body"] == "poison":
        raise ValueError("cannot handle this one")


def test_the_records_that_failed_are_named_for_redelivery() -> None:
    records = [_record("m1", "fine"), _record("m2", "poison"), _record("m3", "fine")]

    assert partial_batch_response(records, _fail_on_poison) == {
        "batchItemFailures": [{"itemIdentifier": "m2"}]
    }


def test_a_batch_handled_in_full_names_none() -> None:
    assert partial_batch_response([_record("m1", "fine")], _fail_on_poison) == {"batchItemFailures": []}


def test_a_batch_whose_every_record_failed_fails_the_invocation() -> None:
    with pytest.raises(BatchFailed):
        partial_batch_response([_record("m1", "poison"), _record("m2", "poison")], _fail_on_poison)
