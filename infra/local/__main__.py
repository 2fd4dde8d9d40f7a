"""``python -m infra.local`` (``make run``): the local cloud on ``127.0.0.1:$PORT`` until Ctrl-C.

``LOCAL_CONCURRENCY`` sets how many worker processes each service runs (default 4). ``LOCAL_TIME_SCALE``
(default 1, AWS's timing) shortens how long a failed queued message stays away before it is retried; see
``infra/local/README.md``.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import sys
import threading
from types import FrameType

from infra.local.cloud import DEFAULT_CONCURRENCY, LocalCloud
from infra.local.processes import REPO_ROOT


def main() -> int:
    port = int(os.environ.get("PORT", "3000"))
    concurrency = _concurrency(os.environ.get("LOCAL_CONCURRENCY"))
    if concurrency is None:
        print("LOCAL_CONCURRENCY must be a whole number of at least 1", file=sys.stderr, flush=True)
        return 2
    time_scale = _time_scale(os.environ.get("LOCAL_TIME_SCALE"))
    if time_scale is None:
        print("LOCAL_TIME_SCALE must be a number above 0 and at most 1", file=sys.stderr, flush=True)
        return 2
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter(f"{'local':>10} | %(message)s"))
    logging.getLogger("infra.local").addHandler(handler)
    logging.getLogger("infra.local").setLevel(logging.INFO)

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    # Explicit for SIGINT too: a shell that starts us in the background leaves SIGINT ignored.
    signal.signal(signal.SIGINT, interrupt)
    signal.signal(signal.SIGTERM, interrupt)
    cloud = LocalCloud(
        port=port,
        run_dir=REPO_ROOT / ".local-cloud",
        echo_logs=True,
        concurrency=concurrency,
        time_scale=time_scale,
    )
    try:
        cloud.start()
        print(_banner(cloud), flush=True)
        threading.Event().wait()
    except KeyboardInterrupt:
        print("\nstopping the local cloud", flush=True)
    except Exception as exc:
        print(f"the local cloud did not start: {exc}", file=sys.stderr, flush=True)
        return 1
    finally:
        cloud.stop()
    return 0


def _concurrency(setting: str | None) -> int | None:
    """Workers per service from ``LOCAL_CONCURRENCY``; None when it is set to something unusable."""
    if setting is None or not setting.strip():
        return DEFAULT_CONCURRENCY
    try:
        value = int(setting)
    except ValueError:
        return None
    return value if value >= 1 else None


def _time_scale(setting: str | None) -> float | None:
    """The local time scale from ``LOCAL_TIME_SCALE``; None when it is set to something unusable."""
    if setting is None or not setting.strip():
        return 1.0
    try:
        value = float(setting)
    except ValueError:
        return None
    return value if 0 < value <= 1 else None


def _banner(cloud: LocalCloud) -> str:
    from infra.local.people import banner_lines, municipality_examples, staff_examples

    url = cloud.base_url
    routes = "\n".join(f"    {r.method:<6} {url}{r.path}  ({r.audience})" for r in cloud.plan.routes)
    people = "\n".join(f"    {line}" for line in banner_lines())
    municipalities = "\n".join(
        f"    curl -s -X POST {url}/_local/token -d '{json.dumps(example['token'], ensure_ascii=False)}'"
        for example in municipality_examples()
    )
    staff = "\n".join(
        f"    curl -s -X POST {url}/_local/token -d '{json.dumps(example['token'], ensure_ascii=False)}'"
        for example in staff_examples()
        if example["token"]["roles"]
    )
    return f"""
The local cloud listens on {url}  (started in {cloud.startup_seconds:.1f} s; logs in {cloud.logs_dir})
  {cloud.concurrency} workers per service (LOCAL_CONCURRENCY): concurrent requests run side by side.

  Routes:
{routes}

  Get a citizen token (any valid personnummer; use a generated test number, never a real person's):
    curl -s -X POST {url}/_local/token -d '{{"personnummer": "YYYYMMDD-NNNC"}}'
  Seeded test people and documents (all of them, and what each is good for: {url}/_local/people):
{people}
  Get a staff token (one per role the services know):
{staff}
  Get a municipality's token (an agency client answering the permits referrals of its municipality):
{municipalities}
  Then call with:  -H "Authorization: Bearer <accessToken>"

  Health: {url}/_local/health     Events that crossed the bus: {url}/_local/events
  Pay a permit fee as the payment provider would (its callbacks: {url}/_local/payments):
    curl -s -X POST {url}/_local/payments -d '{{"reference": "<OCR reference>", "amountSek": 870}}'
  AWS APIs (moto): {cloud.aws_endpoint}
  Dead letters: make redrive PORT={cloud.base_url.rsplit(":", 1)[-1]}  (lists them; QUEUE=<name> or QUEUE=all re-drives)

  Your data lives in memory only: reports, bookings and everything else you create are gone when the
  local cloud stops. Each start begins again from the seed data.

Ctrl-C stops everything.
"""


if __name__ == "__main__":
    sys.exit(main())
