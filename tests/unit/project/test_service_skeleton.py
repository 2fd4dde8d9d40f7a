"""Every service under ``services/`` with a manifest has the one skeleton (docs/architecture.md, "The service
skeleton"): the same files with the same roles, a domain that knows no AWS, HTTP or adapters, storage keys only
in the adapters, and an ``api.py`` that only wires routers."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

SERVICES = Path(__file__).resolve().parents[3] / "services"
API_MAX_LINES = 60

# What each service has, and the role it plays there.
REQUIRED = {
    "manifest.py": "what the service is made of (routes, functions, tables, queues, subscriptions)",
    "api.py": "the HTTP entry point: the resolver and its routers",
    "routes": "one router per audience",
    "contracts.py": "every HTTP model",
    "telemetry.py": "the service's Logger, Metrics and Tracer",
    "dependencies.py": "the composition root",
    "consumers.py": "the event consumers' entry points",
    "jobs.py": "the scheduled jobs' entry points",
    "domain": "the model, the ports and the use cases",
    "domain/ports.py": "what the domain needs from storage and from others",
    "adapters": "the only boto3",
}
PACKAGES = ("routes", "domain", "adapters")

# What the domain never imports: AWS, HTTP, and the adapters that hide them.
FORBIDDEN_IN_DOMAIN = (
    "boto3",
    "botocore",
    "mypy_boto3",
    "aws_lambda_powertools.event_handler",
    "http",
    "urllib",
    "requests",
    "httpx",
    "shared.http",
    "shared.adapters",
)
# A storage key's prefix as the adapters write it: REPORT#, BOOKER#, QUEUE#, ...
STORAGE_KEY = re.compile(r"(?<![A-Za-z0-9_])[A-Z][A-Z_]{2,}#")


def _services() -> list[Path]:
    return sorted(path.parent for path in SERVICES.glob("*/manifest.py"))


def _imports(module: Path) -> list[str]:
    names: list[str] = []
    for node in ast.walk(ast.parse(module.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def _strings(module: Path) -> list[str]:
    return [
        node.value
        for node in ast.walk(ast.parse(module.read_text("utf-8")))
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    ]


def _within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def skeleton_problems(service: Path) -> list[str]:
    """What the service at ``service`` lacks or has in the wrong place, each naming the service and the part."""
    name = service.name
    problems = [
        f"{name}: no {part} ({role})" for part, role in REQUIRED.items() if not (service / part).exists()
    ]
    problems += [
        f"{name}: {package}/ is not a package (no __init__.py)"
        for package in PACKAGES
        if (service / package).is_dir() and not (service / package / "__init__.py").exists()
    ]
    routers = [m for m in (service / "routes").glob("*.py") if "router = Router(" in m.read_text("utf-8")]
    if (service / "routes").is_dir() and not routers:
        problems.append(f"{name}: routes/ has no router (a module with `router = Router()`)")

    api = service / "api.py"
    if api.exists():
        lines = len(api.read_text("utf-8").splitlines())
        if lines > API_MAX_LINES:
            problems.append(
                f"{name}: api.py has {lines} lines, more than {API_MAX_LINES}: routes belong in routes/"
            )
        if re.search(r"@app\.(get|post|put|patch|delete)\(", api.read_text("utf-8")):
            problems.append(f"{name}: api.py declares routes; they belong in a router under routes/")

    dependencies = service / "dependencies.py"
    if dependencies.exists():
        defined = {
            node.name
            for node in ast.parse(dependencies.read_text("utf-8")).body
            if isinstance(node, ast.FunctionDef)
        }
        if "reset" not in defined:
            problems.append(f"{name}: dependencies.py has no reset() a test can call to forget what it built")

    own_adapters = f"services.{name}.adapters"
    for module in sorted((service / "domain").rglob("*.py")):
        where = module.relative_to(service)
        problems += [
            f"{name}: {where} imports {imported}: the domain knows no AWS, HTTP or adapters"
            for imported in _imports(module)
            if any(_within(imported, f) for f in (*FORBIDDEN_IN_DOMAIN, own_adapters))
        ]

    for module in sorted(service.rglob("*.py")):
        where = module.relative_to(service)
        if where.parts[0] == "adapters":
            continue
        problems += [
            f"{name}: {where} knows the storage key {key!r}: key formats stay in adapters/"
            for text in _strings(module)
            for key in STORAGE_KEY.findall(text)
        ]
    return problems


def test_every_service_with_a_manifest_is_checked() -> None:
    assert {service.name for service in _services()} >= {"reports", "bookings"}


@pytest.mark.parametrize("service", _services(), ids=lambda service: service.name)
def test_the_service_has_the_one_skeleton(service: Path) -> None:
    problems = skeleton_problems(service)

    assert problems == [], "\n".join(problems)


def _write(root: Path, files: dict[str, str]) -> None:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")


COMPLETE = {
    "manifest.py": "MANIFEST = None\n",
    "api.py": "app = None\n",
    "routes/__init__.py": "",
    "routes/citizen.py": "router = Router()\n",
    "contracts.py": "",
    "telemetry.py": "",
    "dependencies.py": "def reset() -> None:\n    pass\n",
    "consumers.py": "",
    "jobs.py": "",
    "domain/__init__.py": "",
    "domain/model.py": "",
    "domain/ports.py": "from services.permits.domain.model import Permit\n",
    "adapters/__init__.py": "",
    "adapters/dynamodb.py": 'import boto3\nKEY = "PERMIT#"\n',
}


def test_a_service_copied_from_the_skeleton_passes(tmp_path: Path) -> None:
    service = tmp_path / "permits"
    _write(service, COMPLETE)

    assert skeleton_problems(service) == []


def test_a_service_off_the_skeleton_is_named_with_each_part_it_lacks_or_misplaces(tmp_path: Path) -> None:
    service = tmp_path / "permits"
    _write(
        service,
        {
            **{k: v for k, v in COMPLETE.items() if k not in ("jobs.py", "telemetry.py")},
            "api.py": "@app.get('/permits/v1/permits')\ndef list_permits(): ...\n" + "\n" * 60,
            "dependencies.py": "from functools import cache\n",
            "domain/filing.py": "import boto3\nfrom shared.http.auth import require_citizen\n",
            "domain/rules.py": "from services.permits.adapters.dynamodb import KEY\n",
            "routes/citizen.py": 'router = Router()\nPIN = f"PERMIT#{1}"\n',
        },
    )

    assert skeleton_problems(service) == [
        "permits: no telemetry.py (the service's Logger, Metrics and Tracer)",
        "permits: no jobs.py (the scheduled jobs' entry points)",
        "permits: api.py has 62 lines, more than 60: routes belong in routes/",
        "permits: api.py declares routes; they belong in a router under routes/",
        "permits: dependencies.py has no reset() a test can call to forget what it built",
        "permits: domain/filing.py imports boto3: the domain knows no AWS, HTTP or adapters",
        "permits: domain/filing.py imports shared.http.auth: the domain knows no AWS, HTTP or adapters",
        "permits: domain/rules.py imports services.permits.adapters.dynamodb: the domain knows no AWS, HTTP or "
        "adapters",
        "permits: routes/citizen.py knows the storage key 'PERMIT#': key formats stay in adapters/",
    ]
