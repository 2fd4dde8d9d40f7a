"""How much the decision rules decide on their own: the share of the demo reports decided automatically.

Applies the shipped rule set (``services/reports/domain/rules/decision_rules.json``) in-process to the same demo
reports the local cloud seeds (``services/reports/demo.py``) and prints, per report type and overall, how many
were decided at once and how many went to a region's queue (by priority), which rules fired, and how long an
evaluation takes.

With ``--local-cloud`` it also starts the local cloud and files clear cases over HTTP, printing how long each
took from filing to decision: by the service's own timestamps (``decidedAt - filedAt``) and as the citizen saw
it (until ``GET`` showed the decision).

Prints figures; asserts nothing. Run: ``.venv/bin/python bench/automatic_decisions.py [--local-cloud]``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

# Run as a script, only bench/ is on the path; the code under test lives at the repository root.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from services.reports.demo import DEMO_SEED, demo_reports
from services.reports.domain.decisions import DecideAction, Decided, current_rule_set
from shared.identity import generate_personnummer

EVALUATIONS = 20_000


def shares(seed: int) -> None:
    rules = current_rule_set()
    reports = demo_reports(datetime.now(UTC), seed=seed)
    verdicts = [(report.draft.type, rules.verdict(report.draft)) for report in reports]

    by_type: dict[str, Counter[str]] = defaultdict(Counter)
    fired: Counter[str] = Counter()
    for report_type, verdict in verdicts:
        by_type[report_type]["filed"] += 1
        by_type[report_type]["decided" if isinstance(verdict, Decided) else f"P{verdict.priority}"] += 1
        fired[verdict.rule_id] += 1

    print(f"Decision rules version {rules.version} on {len(reports)} demo reports (seed {seed})\n")
    print(f"{'type':<15}{'filed':>6}{'decided':>9}{'share':>8}   queued by priority")
    for report_type in sorted(by_type):
        counts = by_type[report_type]
        queued = ", ".join(f"{p}: {counts[p]}" for p in ("P1", "P2", "P3", "P4", "P5") if counts[p])
        share = counts["decided"] / counts["filed"]
        print(f"{report_type:<15}{counts['filed']:>6}{counts['decided']:>9}{share:>8.0%}   {queued or '-'}")
    decided = sum(isinstance(v, Decided) for _, v in verdicts)
    print(f"{'overall':<15}{len(verdicts):>6}{decided:>9}{decided / len(verdicts):>8.0%}\n")

    print("Rules that applied:")
    for rule in rules.rules:
        kind = "decides" if isinstance(rule.then, DecideAction) else "routes"
        print(f"  {rule.id:<32}{kind:<9}{fired[rule.id]:>4}")

    drafts = [report.draft for report in reports]
    started = time.perf_counter()
    for index in range(EVALUATIONS):
        rules.verdict(drafts[index % len(drafts)])
    elapsed = time.perf_counter() - started
    print(f"\nOne evaluation takes {elapsed / EVALUATIONS * 1e6:.1f} µs ({EVALUATIONS} evaluations).")


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


def latency_over_the_local_cloud(count: int, seed: int) -> None:
    from infra.local.cloud import LocalCloud

    rng = random.Random(seed)
    clear_cases = [r.draft for r in demo_reports(datetime.now(UTC), seed=seed)]
    rules = current_rule_set()
    clear_cases = [d for d in clear_cases if isinstance(rules.verdict(d), Decided)]
    with tempfile.TemporaryDirectory() as run_dir, LocalCloud(run_dir=run_dir) as cloud:
        print(
            f"\nLocal cloud started in {cloud.startup_seconds:.1f} s (demo reports seeded); filing {count} clear cases"
        )
        server_s: list[float] = []
        seen_s: list[float] = []
        for index in range(count):
            personnummer = str(generate_personnummer(rng))
            token = _request(cloud.base_url, "POST", "/_local/token", {"personnummer": personnummer})[
                "accessToken"
            ]
            draft = clear_cases[index % len(clear_cases)].model_dump(
                mode="json", by_alias=True, exclude_none=True
            )
            started = time.monotonic()
            case = _request(cloud.base_url, "POST", "/reports/v1/reports", draft, token)["caseNumber"]
            deadline = started + 30
            while time.monotonic() < deadline:
                report = _request(cloud.base_url, "GET", f"/reports/v1/reports/{case}", token=token)
                if report["decision"]:
                    seen_s.append(time.monotonic() - started)
                    decided_at = datetime.fromisoformat(report["decision"]["decidedAt"])
                    server_s.append((decided_at - datetime.fromisoformat(report["filedAt"])).total_seconds())
                    break
                time.sleep(0.02)
            else:
                print(f"  {case}: no decision within 30 s")
    for label, values in (("decidedAt - filedAt", server_s), ("seen by the citizen", seen_s)):
        if values:
            ordered = sorted(values)
            p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
            print(
                f"  {label:<22} p50 {statistics.median(ordered):.2f} s   p95 {p95:.2f} s   max {ordered[-1]:.2f} s"
                f"   ({len(values)} of {count})"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--seed", type=int, default=DEMO_SEED, help="demo data seed (the local cloud's by default)"
    )
    parser.add_argument("--local-cloud", action="store_true", help="also time filing to decision over HTTP")
    parser.add_argument("--count", type=int, default=30, help="clear cases to file with --local-cloud")
    args = parser.parse_args()
    shares(args.seed)
    if args.local_cloud:
        latency_over_the_local_cloud(args.count, args.seed)


if __name__ == "__main__":
    main()
