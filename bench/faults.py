"""What each injected fault costs in events: sent, delivered, lost and duplicated, over the local cloud.

Starts the local cloud and, for each fault in turn, has synthetic citizens (one filing each) file theft reports
while the fault is injected through ``/_local/faults``, then waits for the bus to settle and counts the
``ReportFiled`` events that crossed it, per citizen (an event carries the citizen's ``ownerRef``):

- sent: filings answered 201 (a filing answered 502 is retried with its ``Idempotency-Key`` until it is);
- delivered: citizens whose ``ReportFiled`` reached the bus;
- lost: filings whose event never did (within ``--settle`` seconds after the fault ended; the local cloud on a
  busy laptop takes a while to catch up after a long outage, so the wait is generous);
- duplicated: events beyond one per citizen (the bus given an event twice, or a report filed twice).

Faults: none; the bus away for each ``--outages`` (default 25 s and 90 s, filings spread over the outage);
one entry of the next PutEvents calls refused; the first entry of every PutEvents call refused for 20 s; the
publisher crashing right after PutEvents returned; the api crashing right after the filing committed.

Run: ``.venv/bin/python bench/faults.py [--filings 60] [--outages 25,90] [--only bus]``.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Run as a script, only bench/ is on the path; the code under test lives at the repository root.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from infra.local.cloud import LocalCloud
from shared.identity import generate_personnummer
from tests.e2e.support import LocalClient, Response
from tests.support.reports import theft_report

REPORTS = "/reports/v1/reports"
RETRY_PAUSE_S = 0.5


@dataclass(frozen=True)
class Scenario:
    name: str
    fault: dict[str, Any] | None
    spread_s: float = 0.0  # filings are spread over this long (the fault's duration); 0: all at once
    concurrency: int = 6


@dataclass(frozen=True)
class Outcome:
    scenario: str
    sent: int
    delivered: int
    lost: int
    duplicated: int
    settled_s: float  # from the fault's end (or the last filing) until the last event crossed


def scenarios(filings: int, outages: list[float]) -> list[Scenario]:
    put_events = {"call": "events:PutEvents", "service": "reports"}
    return [
        Scenario("no fault", None),
        *(
            Scenario(f"bus away {s:g} s", {**put_events, "effect": "unavailable", "seconds": s}, spread_s=s)
            for s in outages
        ),
        Scenario(
            "one entry refused (next 20 calls)",
            {**put_events, "effect": "refuse-entries", "entry": 0, "times": 20},
        ),
        Scenario(
            "first entry of every call refused, 20 s",
            {**put_events, "effect": "refuse-entries", "entry": 0, "seconds": 20},
            spread_s=20,
        ),
        Scenario(
            "publisher crash after PutEvents (x3)",
            {**put_events, "function": "publisher", "effect": "crash-after", "times": 3},
        ),
        Scenario(
            "api crash after commit, retried (x5)",
            {
                "call": "dynamodb:TransactWriteItems",
                "service": "reports",
                "function": "api",
                "effect": "crash-after",
                "times": 5,
            },
            concurrency=filings,
        ),
    ]


def run(
    client: LocalClient, scenario: Scenario, filings: int, rng: random.Random, settle_s: float
) -> Outcome:
    tokens = [client.citizen_token(str(generate_personnummer(rng))) for _ in range(filings)]
    owners = {LocalClient.token_subject(token) for token in tokens}
    fault_end = time.time()
    if scenario.fault:
        added = client.request("POST", "/_local/faults", json_body=scenario.fault)
        if added.status != 201:
            raise RuntimeError(f"{scenario.name}: the fault was refused: {added.body!r}")
        fault_end = float(added.json().get("until", time.time()))
    started = time.monotonic()

    def file(index: int) -> Response:
        # Spread over the outage: filing i at its share of it (a load pattern, not a wait for a condition).
        pause = started + scenario.spread_s * index / filings - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        return file_until_answered(client, tokens[index], key=f"bench-{rng.getrandbits(64):x}-{index}")

    with ThreadPoolExecutor(scenario.concurrency) as pool:
        answers = list(pool.map(file, range(filings)))
    sent = sum(1 for a in answers if a.status == 201)
    fault_end = max(fault_end, time.time())
    delivered, settled_at = await_events(client, owners, deadline=fault_end + settle_s)
    client.request("DELETE", "/_local/faults")
    counts = Counter({owner: delivered[owner] for owner in owners if delivered[owner]})
    return Outcome(
        scenario=scenario.name,
        sent=sent,
        delivered=len(counts),
        lost=sent - len(counts),
        duplicated=sum(counts.values()) - len(counts),
        settled_s=max(0.0, settled_at - fault_end),
    )


def file_until_answered(client: LocalClient, token: str, *, key: str, timeout_s: float = 60) -> Response:
    """Files, retrying with the same key as a client would after a 5xx, 409 (in progress), 429 or no answer."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            response = client.request(
                "POST", REPORTS, json_body=theft_report(), token=token, headers={"Idempotency-Key": key}
            )
        except OSError:  # no answer in time: a busy laptop
            response = Response(504, {}, b"")
        if response.status not in (409, 429, 502, 503, 504) or time.monotonic() > deadline:
            return response
        time.sleep(RETRY_PAUSE_S)


def await_events(client: LocalClient, owners: set[str], *, deadline: float) -> tuple[Counter[str], float]:
    """ReportFiled per citizen once every citizen has one and nothing more came for a while, or at the
    deadline; and when the last one crossed."""
    last_change, previous = time.time(), Counter[str]()
    while True:
        try:
            counts = filed_by_owner(client, owners)
        except OSError:
            counts = previous
        if counts != previous:
            last_change, previous = time.time(), counts
        complete = set(counts) == owners
        # Duplicates may still come after every citizen has one (a retried batch): wait for a quiet spell.
        if (complete and time.time() - last_change > 8) or time.time() > deadline:
            return counts, last_change
        time.sleep(0.5)


def filed_by_owner(client: LocalClient, owners: set[str]) -> Counter[str]:
    return Counter(
        owner
        for event in client.events(detail_type="ReportFiled")
        if (owner := event["detail"]["data"].get("ownerRef")) in owners
    )


def print_table(outcomes: list[Outcome]) -> None:
    header = ("fault", "sent", "delivered", "lost", "duplicated", "settled after")
    rows = [
        (o.scenario, str(o.sent), str(o.delivered), str(o.lost), str(o.duplicated), f"{o.settled_s:.1f} s")
        for o in outcomes
    ]
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header))]

    def line(cells: tuple[str, ...]) -> str:
        return (
            "| "
            + " | ".join(
                c.ljust(w) if i == 0 else c.rjust(w)
                for i, (c, w) in enumerate(zip(cells, widths, strict=True))
            )
            + " |"
        )

    print(line(header))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in rows:
        print(line(row))


def say(text: str) -> None:
    print(text, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--filings", type=int, default=60, help="filings per fault (one citizen each)")
    parser.add_argument("--outages", default="25,90", help="seconds the bus is away, comma-separated")
    parser.add_argument(
        "--settle", type=float, default=180, help="seconds to wait for events after a fault (then: lost)"
    )
    parser.add_argument("--only", default="", help="run only the faults whose name contains this")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--run-dir", help="keep the local cloud's logs here (default: a temporary directory)")
    args = parser.parse_args(argv)
    outages = [float(s) for s in args.outages.split(",") if s]
    chosen = [s for s in scenarios(args.filings, outages) if args.only in s.name]
    rng = random.Random(args.seed)
    outcomes: list[Outcome] = []
    with tempfile.TemporaryDirectory() as scratch, LocalCloud(run_dir=args.run_dir or scratch) as cloud:
        client = LocalClient(cloud.base_url)
        say(f"Local cloud ready in {cloud.startup_seconds:.1f} s; {args.filings} filings per fault\n")
        for scenario in chosen:
            outcome = run(client, scenario, args.filings, rng, args.settle)
            say(
                f"  {outcome.scenario}: sent {outcome.sent}, delivered {outcome.delivered}, lost {outcome.lost}, "
                f"duplicated {outcome.duplicated}"
            )
            outcomes.append(outcome)
    print()
    print_table(outcomes)
    return 1 if any(o.lost for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
