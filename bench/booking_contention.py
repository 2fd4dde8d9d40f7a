"""Contention on one slot: many citizens try to book the same time at once, through the local cloud.

Starts the local cloud, picks an unbooked slot of a reception with two counters (capacity 2), gives each of
``--attempts`` synthetic citizens an e-ID token, and has them all POST the booking at the same moment, each
from its own loopback address as separate citizens would come from separate addresses (so the gateway's
per-client throttling sees separate clients). Prints how many were booked and refused, throughput and
p50/p99 latency, and checks the slot afterwards.

Exits non-zero if the slot was overbooked, if a refusal was anything but 409 problem+json, or on any 5xx.

Run: ``.venv/bin/python bench/booking_contention.py [--attempts 200] [--seed 1]``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import socket
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

# Run as a script, only bench/ is on the path; the code under test lives at the repository root.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from infra.local.cloud import LocalCloud
from services.bookings.reference_data import receptions
from shared.identity import generate_personnummer

BASE = "/bookings/v1"
CAPACITY = 2


@dataclass(frozen=True)
class Attempt:
    status: int
    content_type: str
    latency_s: float
    body: bytes


def loopback_addresses(count: int) -> list[str]:
    """``count`` source addresses in 127.0.0.0/8 if this machine routes them (Linux does), else 127.0.0.1."""
    addresses = [f"127.0.{(i + 2) // 250}.{(i + 2) % 250 + 1}" for i in range(count)]
    probe = socket.socket()
    try:
        probe.bind((addresses[-1], 0))
    except OSError:
        return ["127.0.0.1"] * count
    finally:
        probe.close()
    return addresses


def request(
    base_url: str,
    method: str,
    path: str,
    *,
    body: Any = None,
    token: str | None = None,
    source: str | None = None,
) -> tuple[int, str, bytes]:
    url = urlsplit(base_url)
    connection = http.client.HTTPConnection(
        url.hostname or "127.0.0.1",
        url.port or 80,
        timeout=120,
        source_address=(source, 0) if source else None,
    )
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        connection.request(method, path, json.dumps(body).encode() if body is not None else None, headers)
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type") or "", response.read()
    finally:
        connection.close()


def unbooked_slot(base_url: str, reception_id: str) -> dict[str, Any]:
    today = date.today()
    path = f"{BASE}/receptions/{reception_id}/slots?from={today}&to={today + timedelta(days=20)}"
    status, _, body = request(base_url, "GET", path)
    if status != 200:
        raise SystemExit(f"listing slots failed: {status} {body!r}")
    not_before = datetime.now(UTC) + timedelta(hours=1)
    return next(
        s
        for s in json.loads(body)["items"]
        if s["free"] == s["capacity"] and datetime.fromisoformat(s["start"]) > not_before
    )


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--attempts", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)

    reception = next(r for r in receptions() if r.counters == CAPACITY)
    people = random.Random(args.seed)
    with LocalCloud(run_dir=Path(tempfile.mkdtemp(prefix="booking-contention-"))) as cloud:
        base_url = cloud.base_url
        slot = unbooked_slot(base_url, reception.id)
        tokens = []
        for _ in range(args.attempts):
            _, _, body = request(
                base_url, "POST", "/_local/token", body={"personnummer": str(generate_personnummer(people))}
            )
            tokens.append(json.loads(body)["accessToken"])
        sources = loopback_addresses(args.attempts)
        booking = {
            "receptionId": reception.id,
            "start": slot["start"],
            "services": ["passport"],
            "contact": {"email": "bench@example.se"},
        }
        start_together = threading.Barrier(args.attempts)

        def attempt(index: int) -> Attempt:
            start_together.wait()
            started = time.perf_counter()
            status, content_type, body = request(
                base_url,
                "POST",
                f"{BASE}/appointments",
                body=booking,
                token=tokens[index],
                source=sources[index],
            )
            return Attempt(status, content_type, time.perf_counter() - started, body)

        print(
            f"{args.attempts} citizens book {reception.name} at {slot['start']} (capacity {slot['capacity']}), "
            f"from {len(set(sources))} source address(es), all at once"
        )
        wall_started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.attempts) as pool:
            attempts = list(pool.map(attempt, range(args.attempts)))
        wall_s = time.perf_counter() - wall_started
        _, _, after = request(
            base_url,
            "GET",
            f"{BASE}/receptions/{reception.id}/slots?from={slot['start'][:10]}&to={slot['start'][:10]}",
        )
        free_after = next(s["free"] for s in json.loads(after)["items"] if s["start"] == slot["start"])

    statuses = Counter(a.status for a in attempts)
    booked = statuses[201]
    clear_refusals = sum(
        1 for a in attempts if a.status == 409 and a.content_type == "application/problem+json"
    )
    server_errors = sum(n for status, n in statuses.items() if status >= 500)
    latencies_ms = [a.latency_s * 1000 for a in attempts]
    print(f"statuses:      {dict(sorted(statuses.items()))}")
    print(f"booked:        {booked} (capacity {slot['capacity']}); places free afterwards: {free_after}")
    print(f"refused (409): {clear_refusals}; 5xx: {server_errors}")
    print(f"throughput:    {args.attempts / wall_s:.1f} booking attempts/s ({wall_s:.2f} s for all)")
    print(
        f"latency:       p50 {statistics.median(latencies_ms):.0f} ms, p99 {percentile(latencies_ms, 0.99):.0f} ms, "
        f"max {max(latencies_ms):.0f} ms"
    )
    overbooked = booked > slot["capacity"] or free_after < 0
    correct = (
        booked == slot["capacity"]
        and free_after == 0
        and clear_refusals == args.attempts - booked
        and server_errors == 0
    )
    print("overbooking:   " + ("YES" if overbooked else "none"))
    if not correct:
        sample = next((a.body for a in attempts if a.status not in (201, 409)), b"")
        print(f"FAILED: expected exactly {slot['capacity']} booked and the rest 409; e.g. {sample[:300]!r}")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
