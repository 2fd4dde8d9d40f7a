"""What a consumer, a job or a publisher loads on its cold path (ADR 73): none of them serves HTTP, so none
imports the REST resolver, the OpenAPI machinery, a service's HTTP contracts or routes, a manifest, nor
Powertools' batch package and event data classes (which import every event source's class and asyncio). Each handler module is
imported in a fresh interpreter, as Lambda does, so what another test imported before cannot hide it.

An API function imports its routers only when a request needs one (ADR 74): importing it loads none, a request
loads the router of its path and no other, and every route is served by the router its path names, so what
is answered is what the function answered when it included every router at import."""

from __future__ import annotations

import importlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from infra.catalog import MANIFESTS
from shared.events.consumer import BatchFailed, partial_batch_response
from shared.manifest import ServiceManifest

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

API = sorted(
    {
        function.handler.rsplit(".", 1)[0]
        for manifest in MANIFESTS
        for function in manifest.functions
        if function.kind == "api"
    }
)

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


def _routers_loaded(api: str, method: str, path: str) -> tuple[list[str], list[str], int]:
    """In a fresh interpreter: the routers loaded by importing ``api``, then by a request to ``path``."""
    script = f"""
import importlib, json, sys
from tests.support.lambda_events import FakeLambdaContext, rest_event
api = importlib.import_module({api!r})
prefix = {api.rsplit(".", 1)[0] + ".routes."!r}
routes = lambda: sorted(m for m, v in sys.modules.items() if m.startswith(prefix) and hasattr(v, "router"))
imported = routes()
result = api.app.resolve(rest_event({method!r}, {path!r}), FakeLambdaContext())
print(json.dumps([imported, routes(), result["statusCode"]]))
"""
    done = subprocess.run(  # noqa: S603 - this interpreter, a module of the manifests
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True, timeout=60
    )
    imported, requested, status = json.loads(done.stdout.splitlines()[-1])
    return imported, requested, status


def test_every_service_api_is_checked() -> None:
    assert {"services.reports.api", "services.bookings.api"} <= set(API)


@pytest.mark.parametrize("api", API)
def test_an_api_function_imports_a_router_when_a_request_under_its_paths_comes(api: str) -> None:
    app = importlib.import_module(api).app
    manifest = next(m for m in MANIFESTS for f in m.functions if f.handler.startswith(f"{api}."))
    # A public route that answers without AWS: the method it does not take (405 is answered as not found).
    route = next(r for r in manifest.routes if r.audience == "public" and app.router_for(_concrete(r.path)))
    other = next(m for m in ("GET", "POST", "PUT", "DELETE") if (m, route.path) not in _declared(manifest))

    imported, requested, status = _routers_loaded(api, other, _concrete(route.path))

    assert imported == []
    assert requested == [app.router_for(_concrete(route.path))]
    assert status == 404


@pytest.mark.parametrize("api", API)
def test_every_route_is_served_by_the_router_its_path_names(api: str) -> None:
    app = importlib.import_module(api).app
    manifest = next(m for m in MANIFESTS for f in m.functions if f.handler.startswith(f"{api}."))
    app.include_every_router()
    registered = [*app._static_routes, *app._dynamic_routes]
    # Every declared path, and every path a router's prefix could send somewhere: each is matched only by
    # routes of the router its path names (or, for a path no router claims, by the resolver's own).
    paths = {_concrete(r.path) for r in manifest.routes}
    for prefixes in app._included.values():
        paths |= {
            p for prefix in prefixes for p in (prefix, f"{prefix}/x", f"{prefix}/x/y", f"{prefix}/x/y/z")
        }
    wrong = [
        (route.method, path, route.func.__module__, app.router_for(path))
        for path in sorted(paths)
        for route in registered
        if route.rule.match(path)
        and route.func.__module__ != (app.router_for(path) or "shared.http.resolver")
    ]
    assert wrong == []
    unserved = [
        (r.method, r.path)
        for r in manifest.routes
        if not any(route.method == r.method and route.rule.match(_concrete(r.path)) for route in registered)
    ]
    assert unserved == []


def _concrete(template: str) -> str:
    return re.sub(r"\{[^}]+\}", "x1", template)


def _declared(manifest: ServiceManifest) -> set[tuple[str, str]]:
    return {(r.method, r.path) for r in manifest.routes}
