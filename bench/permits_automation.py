"""How much of the permits work is automatic: per kind, the share decided by a rule and how the rest was prepared.

Runs the demo applications the local cloud seeds (``services/permits/demo.py``) through the shipped use cases
and rules (``services/permits/domain/rules/permit_rules.json``) in memory, and prints per kind how many were
decided automatically, queued for a case handler with flags, queued clear, or referred to their municipality;
which rules fired and which checks flagged; and how long preparing one takes.

With ``--local-cloud`` it also starts the local cloud, submits clear duplicate licences and clear renewals over
HTTP as the seeded holders (``shared.synthetic_people.WEAPON_HOLDERS``), pays each through the local payment
provider (``POST /_local/payments``) and prints the time from payment to decision: by the service's own
timestamps (``decision.decidedAt - payment.paidAt``) and as the applicant saw it (until ``GET`` showed it).

Prints figures; asserts nothing. Run: ``.venv/bin/python bench/permits_automation.py [--local-cloud]``.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

# Run as a script, only bench/ is on the path; the code under test lives at the repository root.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from services.permits.demo import DEMO_SEED, StagedPermits, demo_applications, prepared_demo
from services.permits.domain.model import Application, LicenceKind, PermitKind
from services.permits.domain.rules import permit_rules
from services.permits.seed import seeded_licences
from shared import synthetic_people

OUTCOMES = ("decided", "queued with flags", "queued clear", "referred")


@dataclass
class Shares:
    """What preparing the demo applications came to."""

    rules_version: int
    by_kind: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    rules_fired: Counter[str] = field(default_factory=Counter)
    flags: Counter[str] = field(default_factory=Counter)
    prepare_ms: float = 0.0


def outcome_of(application: Application) -> str:
    """How the application left its preparation (a referral answered since still counts as referred)."""
    if application.decision is not None and application.decision.decided_by == "rule":
        return "decided"
    if application.referral is not None:
        return "referred"
    preparation = application.preparation
    return "queued with flags" if preparation is not None and preparation.flags else "queued clear"


def demo_shares(seed: int = DEMO_SEED) -> Shares:
    rules = permit_rules()
    now = datetime.now(UTC)
    licences = seeded_licences(now.date())
    demo = demo_applications(now, licences, seed=seed)
    numbers = itertools.count(1)
    staged = StagedPermits([*licences, *demo.licences], lambda counter, year: next(numbers))
    started = time.perf_counter()
    applications = prepared_demo(demo, staged, rules, correlation_id="bench")
    elapsed = time.perf_counter() - started
    shares = Shares(rules.version, prepare_ms=elapsed * 1000 / max(1, len(applications)))
    for application in applications:
        counts = shares.by_kind[application.kind.value]
        counts["submitted"] += 1
        counts[outcome_of(application)] += 1
        if application.preparation is not None:
            shares.rules_fired[application.preparation.rule_id] += 1
            shares.flags.update(check.name for check in application.preparation.flags)
    return shares


def print_shares(shares: Shares, seed: int) -> None:
    total = sum(counts["submitted"] for counts in shares.by_kind.values())
    print(f"Permit rules version {shares.rules_version} on {total} demo applications (seed {seed})\n")
    print(f"{'kind':<18}{'submitted':>10}" + "".join(f"{o:>19}" for o in OUTCOMES) + f"{'automatic':>11}")
    overall: Counter[str] = Counter()
    for kind in PermitKind:
        counts = shares.by_kind.get(kind.value, Counter())
        overall.update(counts)
        print(_row(kind.value, counts))
    print(_row("overall", overall))
    print("\nRules that applied (prepare-for-case-handler: not decided by a rule):")
    for rule in [*(r.id for r in permit_rules().automatic), "prepare-for-case-handler"]:
        print(f"  {rule:<28}{shares.rules_fired[rule]:>5}")
    print("\nChecks that flagged a case for its case handler:")
    for check, count in shares.flags.most_common():
        print(f"  {check:<28}{count:>5}")
    print(f"\nSubmitting, paying and preparing one takes {shares.prepare_ms:.2f} ms in memory.")


def _row(label: str, counts: Counter[str]) -> str:
    submitted = counts["submitted"]
    share = counts["decided"] / submitted if submitted else 0.0
    cells = "".join(f"{counts[o]:>19}" for o in OUTCOMES)
    return f"{label:<18}{submitted:>10}{cells}{share:>11.0%}"


# --- over the local cloud ----------------------------------------------------------------------------------


def _request(base_url: str, method: str, path: str, body: Any = None, token: str | None = None) -> Any:
    url = urlsplit(base_url)
    connection = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port or 80, timeout=30)
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        connection.request(method, path, json.dumps(body) if body is not None else None, headers)
        response = connection.getresponse()
        payload = response.read()
        if response.status >= 300:
            raise RuntimeError(f"{method} {path}: {response.status} {payload[:300]!r}")
        return json.loads(payload)
    finally:
        connection.close()


def _clear_cases(count: int) -> list[tuple[str, dict[str, Any]]]:
    """(personnummer, details) of clear duplicates of the hunter's licences and clear renewals of the
    shooter's pistol licence, alternately."""
    hunter, shooter = synthetic_people.WEAPON_HOLDERS
    licences = seeded_licences(datetime.now(UTC).date())
    hunters = [lic.licence_number for lic in licences if lic.holder_personnummer == hunter]
    pistol = next(
        lic.licence_number
        for lic in licences
        if lic.holder_personnummer == shooter and lic.kind is LicenceKind.LICENCE
    )
    storage = {"address": "Storgatan 1, Umeå", "description": "Certifierat vapenskåp SS 3492"}
    today = datetime.now(UTC).date().isoformat()
    cases: list[tuple[str, dict[str, Any]]] = []
    for index in range(count):
        details: dict[str, Any]
        if index % 2 == 0:
            number = hunters[(index // 2) % len(hunters)]
            details = {
                "kind": "duplicateLicence",
                "licenceNumber": number,
                "howLost": "Licensen försvann vid en flytt",
                "lostOn": today,
            }
            cases.append((hunter, details))
        else:
            details = {
                "kind": "renewal",
                "licenceNumber": pistol,
                "circumstancesUnchanged": True,
                "storage": storage,
            }
            cases.append((shooter, details))
    return cases


def latency_over_the_local_cloud(count: int) -> None:
    from infra.local.cloud import LocalCloud

    with tempfile.TemporaryDirectory() as run_dir, LocalCloud(run_dir=run_dir) as cloud:
        print(
            f"\nLocal cloud started in {cloud.startup_seconds or 0:.1f} s (demo applications seeded); "
            f"paying {count} clear duplicates and renewals"
        )
        base = cloud.base_url
        tokens: dict[str, str] = {}
        server_s: dict[str, list[float]] = defaultdict(list)
        seen_s: dict[str, list[float]] = defaultdict(list)
        for personnummer, details in _clear_cases(count):
            if personnummer not in tokens:
                tokens[personnummer] = _request(
                    base, "POST", "/_local/token", {"personnummer": personnummer}
                )["accessToken"]
            token = tokens[personnummer]
            application = _request(base, "POST", "/permits/v1/applications", {"details": details}, token)
            path = f"/permits/v1/applications/{application['diarienummer'].replace('/', '-')}"
            started = time.monotonic()
            _request(
                base,
                "POST",
                "/_local/payments",
                {
                    "reference": application["payment"]["reference"],
                    "amountSek": application["fee"]["amountSek"],
                },
            )
            kind = details["kind"]
            deadline = started + 30
            while time.monotonic() < deadline:
                current = _request(base, "GET", path, token=token)
                if current["decision"]:
                    seen_s[kind].append(time.monotonic() - started)
                    decided_at = datetime.fromisoformat(current["decision"]["decidedAt"])
                    paid_at = datetime.fromisoformat(current["payment"]["paidAt"])
                    server_s[kind].append((decided_at - paid_at).total_seconds())
                    break
                time.sleep(0.02)
            else:
                print(f"  {application['diarienummer']}: no decision within 30 s ({current['status']})")
    for kind in sorted(server_s.keys() | seen_s.keys()):
        for label, values in (
            ("decidedAt - paidAt", server_s[kind]),
            ("seen by the applicant", seen_s[kind]),
        ):
            print(f"  {kind:<18}{label:<23}{_percentiles(values)}")


def _percentiles(values: list[float]) -> str:
    if not values:
        return "none decided"
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"p50 {statistics.median(ordered):.2f} s   p95 {p95:.2f} s   max {ordered[-1]:.2f} s   ({len(values)})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--seed", type=int, default=DEMO_SEED, help="demo data seed (the local cloud's by default)"
    )
    parser.add_argument("--local-cloud", action="store_true", help="also time payment to decision over HTTP")
    parser.add_argument("--count", type=int, default=30, help="clear cases to pay with --local-cloud")
    args = parser.parse_args()
    print_shares(demo_shares(args.seed), args.seed)
    if args.local_cloud:
        latency_over_the_local_cloud(args.count)


if __name__ == "__main__":
    main()
