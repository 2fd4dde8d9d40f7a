"""Cold start of every Lambda function, against a bare boto3 script making the same first AWS call.

For each function of every service manifest, in a fresh interpreter each time (``bench/cold_probe.py``): the
time to import the handler's module and to serve a realistic first request. Side by side, in the same run and
against the same moto server, the baseline: a fresh interpreter that imports boto3 and makes the handler's
first AWS call. Handler and baseline runs alternate, so drift on the machine hits both alike.

Prints medians and the largest imports of the slowest handler. Asserts nothing.

Run: ``.venv/bin/python bench/cold_start.py [--runs N] [--seed S]`` (``make bench``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

# Run as a script, only bench/ is on the path; the code under test lives at the repository root.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from boto3.dynamodb.types import TypeSerializer
from botocore import xform_name

from infra.catalog import MANIFESTS
from infra.local.aws import AwsClients, aws_environment
from infra.local.moto_server import MotoServer
from infra.local.plan import ACCOUNT_ID, REGION, build_plan
from infra.local.provision import provision
from services.reports.adapters.dynamodb import DynamoDbReportRepository
from services.reports.domain import filing
from services.reports.domain.model import Report, parse_draft
from shared.clock import SystemClock
from shared.events.envelope import Envelope, EventData
from shared.events.outbox import outbox_item
from shared.identity import generate_personnummer
from shared.manifest import Function, ServiceManifest, bus_name
from tests.support.fakes import no_registers
from tests.support.lambda_events import citizen_claims, rest_event
from tests.support.reports import theft_report

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

REPO_ROOT = Path(__file__).resolve().parents[1]
ENV = "bench"
PROBE = Path(__file__).with_name("cold_probe.py")
DEFAULT_RUNS = 5
MAX_RUNS = 50
# The first run of each probe writes bytecode caches and fills the page cache: paid once per machine, untimed.
WARM_UP_RUNS = 1
PROBE_TIMEOUT_S = 60
MOTO_START_TIMEOUT_S = 30
TOP_IMPORTS = 10

ProbeMode = Literal["handler", "baseline", "import"]


# --- what is measured --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AwsCall:
    """One bare boto3 call, as the baseline script makes it."""

    service: str  # boto3 client name
    method: str  # client method, e.g. "put_item"
    params: dict[str, Any]

    @property
    def name(self) -> str:
        return f"{self.service}.{self.method}"


@dataclass(frozen=True)
class FirstRequest:
    event: dict[str, Any]
    baseline: AwsCall  # the first AWS call the handler makes for this event
    succeeded: Callable[[Any], bool]  # judges the handler's return value


# Builds a new first request, with the state it needs already in moto: each run must do the full work.
RequestFactory = Callable[[], FirstRequest]


@dataclass(frozen=True)
class Target:
    manifest: ServiceManifest
    function: Function
    first_request: RequestFactory | None  # None: no scenario yet, so only the import is timed

    @property
    def label(self) -> str:
        return f"{self.manifest.name}/{self.function.name}"

    @property
    def module(self) -> str:
        return self.function.handler.rsplit(".", 1)[0]

    @property
    def physical_name(self) -> str:
        return self.manifest.function_name(ENV, self.function.name)


@dataclass(frozen=True)
class ProbeResult:
    import_ms: float
    request_ms: float

    @property
    def total_ms(self) -> float:
        return self.import_ms + self.request_ms


@dataclass
class Measurement:
    target: Target
    handler: list[ProbeResult] = field(default_factory=list)
    baseline: list[ProbeResult] = field(default_factory=list)
    aws_calls: list[str] = field(default_factory=list)  # made by the handler's first request (warm-up)
    outcome: str = ""
    baseline_call: str = ""


def median_of(results: Sequence[ProbeResult], figure: Callable[[ProbeResult], float]) -> float:
    return statistics.median(figure(r) for r in results)


# --- the local cloud ---------------------------------------------------------------------------------------


@contextmanager
def running_moto(scratch: Path) -> Iterator[str]:
    server = MotoServer(scratch / "moto.log")
    server.start()
    try:
        server.wait_ready(time.monotonic() + MOTO_START_TIMEOUT_S)
        yield server.url
    finally:
        server.stop()


def function_environment(target: Target, endpoint_url: str, home: Path) -> dict[str, str]:
    """What Lambda would give the function, pointed at moto. Nothing is inherited but PATH."""
    return {
        "PATH": os.environ.get("PATH", os.defpath),
        # An empty home keeps the developer's ~/.aws out of the picture, as it is out of Lambda's.
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "PYTHONPATH": str(REPO_ROOT),
        **target.manifest.environment(ENV),
        **aws_environment(endpoint_url),
        "AWS_LAMBDA_FUNCTION_NAME": target.physical_name,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(target.function.memory_mb),
        "POWERTOOLS_TRACE_DISABLED": "true",
    }


# --- Lambda event shapes -----------------------------------------------------------------------------------


def stream_insert_event(table_name: str, item: dict[str, Any]) -> dict[str, Any]:
    """A DynamoDB stream batch (NEW_IMAGE) holding the insert of ``item``."""
    serializer = TypeSerializer()
    image = {name: serializer.serialize(value) for name, value in item.items()}
    return {
        "Records": [
            {
                "eventID": uuid.uuid4().hex,
                "eventName": "INSERT",
                "eventVersion": "1.1",
                "eventSource": "aws:dynamodb",
                "awsRegion": REGION,
                "dynamodb": {
                    "ApproximateCreationDateTime": int(time.time()),
                    "Keys": {"pk": image["pk"], "sk": image["sk"]},
                    "NewImage": image,
                    "SequenceNumber": str(time.time_ns()),
                    "SizeBytes": len(json.dumps(image)),
                    "StreamViewType": "NEW_IMAGE",
                },
                "eventSourceARN": f"arn:aws:dynamodb:{REGION}:{ACCOUNT_ID}:table/{table_name}/stream/bench",
            }
        ]
    }


def eventbridge_delivery(event: Envelope[EventData], source: str) -> dict[str, Any]:
    """The event as an EventBridge rule delivers it to a queue."""
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": event.metadata.event_type,
        "source": source,
        "account": ACCOUNT_ID,
        "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": REGION,
        "resources": [],
        "detail": json.loads(event.detail_json()),
    }


def sqs_event(queue_name: str, message: dict[str, Any]) -> dict[str, Any]:
    """An SQS batch of one message, as the event source mapping hands it to the function."""
    body = json.dumps(message)
    now_ms = str(int(time.time() * 1000))
    return {
        "Records": [
            {
                "messageId": str(uuid.uuid4()),
                "receiptHandle": uuid.uuid4().hex,
                "body": body,
                "attributes": {
                    "ApproximateReceiveCount": "1",
                    "SentTimestamp": now_ms,
                    "SenderId": "events.amazonaws.com",
                    "ApproximateFirstReceiveTimestamp": now_ms,
                },
                "messageAttributes": {},
                "md5OfBody": hashlib.md5(body.encode(), usedforsecurity=False).hexdigest(),
                "eventSource": "aws:sqs",
                "eventSourceARN": f"arn:aws:sqs:{REGION}:{ACCOUNT_ID}:{queue_name}",
                "awsRegion": REGION,
            }
        ]
    }


# --- first requests of the reports service -----------------------------------------------------------------


class RecordingReportRepository(DynamoDbReportRepository):
    """Stores for real, and keeps the events it wrote for the bench to deliver as the stream and bus would."""

    def __init__(self, table_name: str, client: DynamoDBClient) -> None:
        super().__init__(table_name, client)
        self.events: list[Envelope[EventData]] = []

    def add(self, report: Report, events: Sequence[Envelope[EventData]]) -> None:
        super().add(report, events)
        self.events.extend(events)


class ReportsRequests:
    """A citizen files a theft report (api); its ReportFiled outbox item is published (publisher) and then
    delivered to triage (triage). Every request is for a new report, so no run is a cheap replay."""

    def __init__(self, manifest: ServiceManifest, dynamodb: DynamoDBClient, seed: int) -> None:
        self._manifest = manifest
        self._main_table = manifest.table_name(ENV, "main")
        self._idempotency_table = manifest.table_name(ENV, "idempotency")
        self._repository = RecordingReportRepository(self._main_table, dynamodb)
        self._people = random.Random(seed)

    def factories(self) -> dict[str, RequestFactory]:
        return {
            "api": self.file_theft_report,
            "publisher": self.publish_report_filed,
            "triage": self.triage_report,
        }

    def file_theft_report(self) -> FirstRequest:
        event = rest_event(
            "POST",
            self._filing_route(),
            body=theft_report(),
            claims=citizen_claims(self._new_citizen().personnummer),
            headers={"Idempotency-Key": str(uuid.uuid4())},
        )
        return FirstRequest(event, self._idempotency_key_lookup(), lambda result: result["statusCode"] == 201)

    def publish_report_filed(self) -> FirstRequest:
        item = outbox_item(self._filed_report(), source=self._manifest.source)
        entry = {
            "EventBusName": bus_name(ENV),
            "Source": item["source"],
            "DetailType": item["detailType"],
            "Detail": item["detail"],
        }
        return FirstRequest(
            stream_insert_event(self._main_table, item),
            AwsCall("events", "put_events", {"Entries": [entry]}),
            lambda result: result == {"published": 1, "batchItemFailures": []},
        )

    def triage_report(self) -> FirstRequest:
        delivery = eventbridge_delivery(self._filed_report(), self._manifest.source)
        return FirstRequest(
            sqs_event(self._manifest.queue_name(ENV, "triage"), delivery),
            self._idempotency_record_put(),
            lambda result: result == {"batchItemFailures": []},
        )

    def _filing_route(self) -> str:
        return next(route.path for route in self._manifest.routes if route.method == "POST")

    def _new_citizen(self) -> filing.Citizen:
        personnummer = generate_personnummer(self._people)
        return filing.Citizen(owner_ref=f"citizen-{uuid.uuid4()}", personnummer=str(personnummer))

    def _filed_report(self) -> Envelope[EventData]:
        """Files a report straight through the domain and returns its ReportFiled event."""
        filing.file_report(
            parse_draft(theft_report()),
            citizen=self._new_citizen(),
            repository=self._repository,
            registers=no_registers(),
            clock=SystemClock(),
            correlation_id=f"bench-{uuid.uuid4()}",
        )
        return self._repository.events.pop()

    def _idempotency_key_lookup(self) -> AwsCall:
        """What a request with an Idempotency-Key does first: look for the key's record."""
        key = {"id": {"S": f"request#bench-{uuid.uuid4()}"}}
        return AwsCall(
            "dynamodb", "get_item", {"TableName": self._idempotency_table, "Key": key, "ConsistentRead": True}
        )

    def _idempotency_record_put(self) -> AwsCall:
        """What a consumer's Powertools idempotency writes first: the in-progress record."""
        item = {"id": {"S": f"bench-{uuid.uuid4()}"}, "status": {"S": "INPROGRESS"}}
        return AwsCall("dynamodb", "put_item", {"TableName": self._idempotency_table, "Item": item})


# Per service: its functions' first requests. A service missing here still gets its import times measured.
SCENARIOS: dict[str, Callable[[ServiceManifest, DynamoDBClient, int], dict[str, RequestFactory]]] = {
    "reports": lambda manifest, dynamodb, seed: ReportsRequests(manifest, dynamodb, seed).factories(),
}


def targets_of(manifests: Iterable[ServiceManifest], dynamodb: DynamoDBClient, seed: int) -> list[Target]:
    targets: list[Target] = []
    for manifest in manifests:
        scenario = SCENARIOS.get(manifest.name)
        requests = scenario(manifest, dynamodb, seed) if scenario else {}
        targets.extend(
            Target(manifest, function, requests.get(function.name)) for function in manifest.functions
        )
    return targets


# --- probes ------------------------------------------------------------------------------------------------


class ProbeFailed(RuntimeError):
    pass


@dataclass(frozen=True)
class ProbeRunner:
    endpoint_url: str
    scratch: Path

    def run(self, target: Target, mode: ProbeMode, spec: dict[str, Any]) -> dict[str, Any]:
        spec_path, result_path = self.scratch / "probe-spec.json", self.scratch / "probe-result.json"
        spec_path.write_text(json.dumps({"mode": mode, **spec}), encoding="utf-8")
        result_path.unlink(missing_ok=True)
        module = "boto3" if mode == "baseline" else target.module
        completed = subprocess.run(
            [sys.executable, str(PROBE), module, str(spec_path), str(result_path)],
            env=function_environment(target, self.endpoint_url, self.scratch / "home"),
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=PROBE_TIMEOUT_S,
            check=False,
        )
        if completed.returncode != 0 or not result_path.exists():
            output = (completed.stdout + completed.stderr)[-3000:]
            raise ProbeFailed(f"{target.label} ({mode}) exited with {completed.returncode}:\n{output}")
        figures: dict[str, Any] = json.loads(result_path.read_text(encoding="utf-8"))
        return figures

    def import_profile(self, target: Target) -> str:
        """``python -X importtime`` output for the target's module."""
        completed = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", f"import {target.module}"],
            env=function_environment(target, self.endpoint_url, self.scratch / "home"),
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=PROBE_TIMEOUT_S,
            check=True,
        )
        return completed.stderr


def handler_spec(target: Target, request: FirstRequest | None, record_calls: bool) -> dict[str, Any]:
    return {
        "attribute": target.function.handler.rsplit(".", 1)[1],
        "function_name": target.physical_name,
        "memory_mb": target.function.memory_mb,
        "event": request.event if request else None,
        "record_calls": record_calls,
    }


def baseline_spec(call: AwsCall) -> dict[str, Any]:
    return {
        "call": {"service": call.service, "method": call.method, "params": call.params},
        "record_calls": False,
    }


def measure_once(
    runner: ProbeRunner, measurement: Measurement, *, warm_up: bool, handler_first: bool
) -> None:
    target = measurement.target
    request = target.first_request() if target.first_request else None

    def run_handler() -> None:
        mode: ProbeMode = "handler" if request else "import"
        figures = runner.run(target, mode, handler_spec(target, request, record_calls=warm_up))
        if request and not request.succeeded(figures["result"]):
            raise ProbeFailed(
                f"{target.label}: the first request did not succeed: {figures['result']!r:.1000}"
            )
        if warm_up:
            measurement.aws_calls = figures["aws_calls"]
            measurement.outcome = summarise_result(figures["result"])
        else:
            measurement.handler.append(ProbeResult(figures["import_ms"], figures["request_ms"]))

    def run_baseline() -> None:
        if request is None:
            return
        figures = runner.run(target, "baseline", baseline_spec(request.baseline))
        measurement.baseline_call = request.baseline.name
        if not warm_up:
            measurement.baseline.append(ProbeResult(figures["import_ms"], figures["request_ms"]))

    for step in (run_handler, run_baseline) if handler_first else (run_baseline, run_handler):
        step()


def summarise_result(result: Any) -> str:
    if isinstance(result, dict) and "statusCode" in result:
        return f"HTTP {result['statusCode']}"
    return json.dumps(result, default=str)[:80]


def measure(targets: Sequence[Target], runner: ProbeRunner, runs: int) -> list[Measurement]:
    measurements = [Measurement(target) for target in targets]
    for run in range(WARM_UP_RUNS + runs):
        for measurement in measurements:
            # Alternating the order keeps a slow first or second slot from favouring either side.
            measure_once(runner, measurement, warm_up=run < WARM_UP_RUNS, handler_first=run % 2 == 0)
        print(f"  run {run + 1} of {WARM_UP_RUNS + runs} done", file=sys.stderr, flush=True)
    return measurements


# --- import profile ----------------------------------------------------------------------------------------

_IMPORTTIME_LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \| ( *)(\S+)")


@dataclass(frozen=True)
class ImportTime:
    module: str
    self_us: int
    cumulative_us: int
    depth: int  # 0 for a module imported directly by the script


def parse_importtime(stderr: str) -> list[ImportTime]:
    entries = []
    for line in stderr.splitlines():
        if match := _IMPORTTIME_LINE.match(line):
            self_us, cumulative_us, indent, module = match.groups()
            entries.append(ImportTime(module, int(self_us), int(cumulative_us), len(indent) // 2))
    return entries


def self_time_by_package(entries: Iterable[ImportTime]) -> list[tuple[str, int]]:
    totals: dict[str, int] = defaultdict(int)
    for entry in entries:
        totals[entry.module.split(".")[0]] += entry.self_us
    return sorted(totals.items(), key=lambda item: item[1], reverse=True)


# --- report ------------------------------------------------------------------------------------------------


def ms(value: float) -> str:
    return f"{value:.1f}"


def print_table(measurements: Sequence[Measurement], runs: int, endpoint_url: str) -> None:
    print(
        f"\nCold start per Lambda function: median of {runs} fresh interpreters each "
        f"(after {WARM_UP_RUNS} untimed warm-up), moto at {endpoint_url}\n"
    )
    header = ("function", "import ms", "first request ms", "total ms", "baseline ms", "total/baseline")
    rows = [header, *(table_row(m) for m in measurements)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    for row in rows:
        cells = [
            row[0].ljust(widths[0]),
            *(cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True)),
        ]
        print("  ".join(cells))
    print(
        "\nimport: the handler's module; first request: the handler call, its AWS calls to moto included;"
        "\nbaseline: import boto3, create the client, make the handler's first AWS call."
        "\nInterpreter start-up, alike for both, is in neither.\n"
    )
    for measurement in measurements:
        print_notes(measurement)


def table_row(measurement: Measurement) -> tuple[str, str, str, str, str, str]:
    handler, baseline = measurement.handler, measurement.baseline
    total = median_of(handler, lambda r: r.total_ms)
    if not baseline:
        return (
            measurement.target.label,
            ms(median_of(handler, lambda r: r.import_ms)),
            "n/a",
            ms(total),
            "n/a",
            "n/a",
        )
    baseline_total = median_of(baseline, lambda r: r.total_ms)
    return (
        measurement.target.label,
        ms(median_of(handler, lambda r: r.import_ms)),
        ms(median_of(handler, lambda r: r.request_ms)),
        ms(total),
        ms(baseline_total),
        f"{total / baseline_total:.2f}x",
    )


def print_notes(measurement: Measurement) -> None:
    target = measurement.target
    print(f"{target.label}: {target.function.handler}")
    if not measurement.baseline:
        print("  no first-request scenario in bench/cold_start.py yet: import time only")
        return
    calls = [
        f"{service}.{xform_name(operation)}"
        for service, operation in (c.split(".") for c in measurement.aws_calls)
    ]
    print(f"  first request: {measurement.outcome}; AWS calls ({len(calls)}): {', '.join(calls)}")
    baseline = measurement.baseline
    print(
        f"  baseline: import boto3 {ms(median_of(baseline, lambda r: r.import_ms))} ms"
        f" + client and {measurement.baseline_call} {ms(median_of(baseline, lambda r: r.request_ms))} ms"
    )
    if calls and calls[0] != measurement.baseline_call:
        baseline_call = measurement.baseline_call
        print(f"  NOTE: the handler's first AWS call was {calls[0]}, the baseline's is {baseline_call}")


def print_import_profile(target: Target, profile: str) -> None:
    entries = parse_importtime(profile)
    print(f"\nLargest imports of the slowest function, {target.label} ({target.module})")
    print("python -X importtime, one run")
    print(f"{'cumulative ms':>13}  {'self ms':>7}  module")
    for entry in sorted(entries, key=lambda e: e.cumulative_us, reverse=True)[:TOP_IMPORTS]:
        indented = "  " * entry.depth + entry.module
        print(f"{entry.cumulative_us / 1000:13.1f}  {entry.self_us / 1000:7.1f}  {indented}")
    print("\nSelf time summed by top-level package")
    for package, self_us in self_time_by_package(entries)[:TOP_IMPORTS]:
        print(f"{self_us / 1000:13.1f}  {package}")


# --- main --------------------------------------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=DEFAULT_RUNS, help=f"timed runs per probe (1-{MAX_RUNS})")
    parser.add_argument("--seed", type=int, default=2026, help="seed for the generated citizens")
    args = parser.parse_args()
    if not 1 <= args.runs <= MAX_RUNS:
        parser.error(f"--runs must be between 1 and {MAX_RUNS}")
    return args


def main() -> None:
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix="cold-start-") as scratch_dir:
        scratch = Path(scratch_dir)
        (scratch / "home").mkdir()
        with running_moto(scratch) as endpoint_url:
            clients = AwsClients.connect(endpoint_url)
            provision(build_plan(MANIFESTS, ENV), clients)
            runner = ProbeRunner(endpoint_url, scratch)
            measurements = measure(targets_of(MANIFESTS, clients.dynamodb, args.seed), runner, args.runs)
            print_table(measurements, args.runs, endpoint_url)
            slowest = max(measurements, key=lambda m: median_of(m.handler, lambda r: r.total_ms)).target
            print_import_profile(slowest, runner.import_profile(slowest))


if __name__ == "__main__":
    main()
