"""The gate: every served OpenAPI document, fuzzed against the local cloud by schemathesis with all its checks.

For each service, schemathesis reads the document the service serves and runs its phases (the examples,
property-based fuzzing, and stateful sequences that create objects and use them; ``make fuzz`` adds the
coverage phase: every boundary of every constraint, methods a path does not have, missing headers),
with a citizen's e-ID token on citizen routes, a staff token (case handler and reception) on staff routes and
no token on public ones; its ``ignored_auth`` check adds anonymous and forged calls to every route that needs a
login. Real objects to reach are made first: reports the citizen owns and a found item the staff keep, so reads
by id find something, and schemathesis reuses identifiers from earlier answers. It passes only when no answer
is a server error and every status code, content type, header and body is the one the document declares.

Bounded for ``make test`` (``FUZZ_MAX_EXAMPLES``, default 5 per operation, a fixed seed); ``make fuzz`` runs
it deeper with a fresh seed. A failure prints schemathesis' report, each case with a curl line to reproduce it.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from infra.catalog import MANIFESTS
from infra.local.cloud import LocalCloud
from shared.identity import generate_personnummer
from shared.manifest import ServiceManifest
from tests.e2e.support import LocalClient
from tests.support.reports import form, theft_report

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("fuzz_cloud")]

MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "5"))
PHASES = os.environ.get("FUZZ_PHASES", "examples,fuzzing,stateful")
SEED = os.environ.get("FUZZ_SEED", "2026")
STATEFUL_STEPS = int(os.environ.get("FUZZ_STATEFUL_STEPS", "10"))
# Parallel workers are threads; under Python 3.11 the coverage phase's many hypothesis filters can trip
# CPython's thread-unsafe AST recursion counter (a SystemError inside schemathesis), so make fuzz uses one.
WORKERS = os.environ.get("FUZZ_WORKERS", "2")
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")

# JSON Schema cannot say everything a service checks: a check digit, a municipality among the 290, a time not
# in the future, a register's answer. A schema-valid request refused for such a reason is 400 or 422 with the
# field named; 429 is the stage's throttling, which any request may meet. Everything else is as schemathesis
# expects by default.
ACCEPTED = ["2XX", "400", "401", "403", "404", "409", "422", "429"]
REJECTED = ["400", "401", "403", "404", "409", "413", "415", "422", "429"]


@pytest.fixture(scope="module")
def fuzz_cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCloud]:
    """A cloud of its own: the fuzz fills it with odd data no other test should meet."""
    cloud = LocalCloud(run_dir=tmp_path_factory.mktemp("fuzz-cloud"))
    cloud.start(timeout_s=60)
    try:
        yield cloud
    finally:
        cloud.stop()


@pytest.fixture(scope="module")
def identities(fuzz_cloud: LocalCloud) -> dict[str, str]:
    """Tokens, and the objects they own, for the fuzz to reach."""
    client = LocalClient(fuzz_cloud.base_url)
    citizen = client.citizen_token(str(generate_personnummer(random.Random(SEED))))
    staff = client.staff_token(staff_id="PM-4711", roles=("caseHandler", "reception"), region="Stockholm")
    for body in (theft_report(), form("loss"), form("vandalism")):
        filed = client.request("POST", "/reports/v1/reports", json_body=body, token=citizen)
        assert filed.status == 201, filed.body
    return {"citizen": citizen, "staff": staff}


def _config(manifest: ServiceManifest, identities: dict[str, str]) -> str:
    audiences = {r.audience for r in manifest.routes}
    schemes = {"citizen": "citizenEid", "staff": "policeStaff"}
    auth = "".join(
        f'[auth.openapi.{schemes[audience]}]\nbearer = "{identities[audience]}"\n\n'
        for audience in ("citizen", "staff")
        if audience in audiences
    )
    return f"""{auth}[checks.positive_data_acceptance]
expected-statuses = {json.dumps(ACCEPTED)}

[checks.negative_data_rejection]
expected-statuses = {json.dumps(REJECTED)}

[phases.stateful]
max-steps = {STATEFUL_STEPS}

[phases.examples]
fill-missing = true

[output.sanitization]
enabled = false
"""


@pytest.mark.parametrize("manifest", MANIFESTS, ids=lambda m: m.name)
def test_the_served_openapi_document_holds_under_fuzzing(
    manifest: ServiceManifest, fuzz_cloud: LocalCloud, identities: dict[str, str], tmp_path: Path
) -> None:
    config = tmp_path / "schemathesis.toml"
    config.write_text(_config(manifest, identities), encoding="utf-8")
    document = f"{fuzz_cloud.base_url}{manifest.base_path}/v1/openapi.json"
    command = [
        str(SCHEMATHESIS),
        "--no-color",
        "--config-file",
        str(config),
        "run",
        document,
        "--url",
        fuzz_cloud.base_url,
        "--checks",
        "all",
        "--mode",
        "all",
        "--phases",
        PHASES,
        "--wait-for-schema",
        "60",
        "--max-examples",
        str(MAX_EXAMPLES),
        "--seed",
        SEED,
        "--workers",
        WORKERS,
        "--continue-on-failure",
        "--suppress-health-check",
        "all",
        "--request-timeout",
        "20",
    ]
    # In its own directory: schemathesis keeps a cache of what it found where it runs.
    result = subprocess.run(  # noqa: S603
        command, capture_output=True, text=True, timeout=900, check=False, cwd=tmp_path
    )
    report = result.stdout + result.stderr
    lines = [line.strip() for line in report.splitlines()]
    figures = [
        line if line != label else " ".join(lines[index : index + 2])
        for label in ("Tested:", "Test cases:")
        for index, line in enumerate(lines)
        if line.startswith(label)
    ]
    print(f"\n{manifest.name}: exit {result.returncode};", "; ".join(figures), lines[-1] if lines else "")
    assert result.returncode == 0, report[-20_000:]
