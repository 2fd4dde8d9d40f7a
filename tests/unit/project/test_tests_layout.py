"""The tests are grouped as docs/architecture.md says: per service, the shared package, the local cloud and the
project, at each level; only cross-service end-to-end tests sit at the top of ``tests/e2e``."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
TESTS = ROOT / "tests"
CROSS_SERVICE_E2E = {"test_authorization_matrix.py", "test_faults.py", "test_openapi_fuzz.py"}


def _services_with_a_manifest() -> list[str]:
    return sorted(p.parent.name for p in (ROOT / "services").glob("*/manifest.py"))


def test_no_unit_or_integration_test_sits_outside_a_group() -> None:
    loose = [
        str(p.relative_to(ROOT))
        for level in ("unit", "integration")
        for p in (TESTS / level).glob("test_*.py")
    ]
    assert loose == [], f"put these in a group folder (a service, shared, local or project): {loose}"


def test_only_cross_service_end_to_end_tests_sit_at_the_top() -> None:
    top = {p.name for p in (TESTS / "e2e").glob("test_*.py")}
    assert top <= CROSS_SERVICE_E2E, f"group these by service or local: {sorted(top - CROSS_SERVICE_E2E)}"


def test_every_service_has_its_unit_tests_folder() -> None:
    missing = [s for s in _services_with_a_manifest() if not list((TESTS / "unit" / s).glob("test_*.py"))]
    assert missing == [], f"services without tests/unit/<service>/: {missing}"
