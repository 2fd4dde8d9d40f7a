"""Cold start of every Lambda function, against a bare boto3 script making the same first AWS call.

For each function of every service manifest, in a fresh interpreter each time (``bench/cold_probe.py``): the
time to import the handler's module and to serve a realistic first request (an API request, an SQS batch of
one event, a stream batch of one outbox insert, a schedule event), against a moto server the bench starts and
provisions from the manifests. Side by side, in the same run and against the same moto server, the baseline: a
fresh interpreter that imports boto3, creates the client and makes the very call the handler made first
(recorded in an untimed warm-up run and replayed). Handler and baseline runs alternate, so drift on the
machine hits both alike.

Functions are found in the manifests. A job (the outbox sweeper included) gets its schedule's event without
more ado; a service's API function, consumers and publisher get their first requests from the service's entry
in :data:`SCENARIOS`. A function without one is shown as such, with its import time only.

Prints medians, the AWS round trips of each first request and the largest imports of the slowest handler.
Asserts nothing.

Run: ``.venv/bin/python bench/cold_start.py [--runs N] [--seed S] [--traced] [--only LABEL ...]`` (``make
bench``).
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
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

# Run as a script, only bench/ is on the path; the code under test lives at the repository root.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from boto3.dynamodb.types import TypeSerializer
from botocore import xform_name

from infra.catalog import MANIFESTS
from infra.local.aws import AwsClients, aws_environment
from infra.local.event_sources import scheduled_event
from infra.local.moto_server import MotoServer
from infra.local.plan import ACCOUNT_ID, REGION, build_plan
from infra.local.provision import provision
from infra.local.tokens import LOCAL_EID_AUDIENCE, LOCAL_EID_ISSUER, TokenIssuer
from infra.local.tokens import serving_eid_keys as serving_broker_keys
from services.bookings.adapters.registers import DynamoDbDocumentRegister, DynamoDbReceptionDirectory
from services.bookings.domain.ports import IssuedDocument, IssuedDocumentType
from services.bookings.reference_data import receptions
from services.permits.adapters.dynamodb import DynamoDbPermits
from services.permits.contracts import SubmitApplicationRequest
from services.permits.demo import DemoCompanies, DemoSuitability
from services.permits.domain import applying, deciding, paying, preparing, referrals
from services.permits.domain.model import Application, Licence, MunicipalityVerdict
from services.permits.domain.rules import permit_rules
from services.reports.adapters.dynamodb import DynamoDbReportRepository
from services.reports.domain import decisions, filing
from services.reports.domain.model import Report, parse_draft
from shared import eid_authorizer
from shared.adapters.audit import DynamoDbAuditLog
from shared.audit import AuditRecord
from shared.clock import SystemClock
from shared.events.contracts import bookings as booking_events
from shared.events.contracts import feedback as feedback_events
from shared.events.contracts import permits as permit_events
from shared.events.contracts import reports as report_events
from shared.events.envelope import Envelope, EventData, new_event
from shared.events.outbox import outbox_item
from shared.identity import generate_personnummer
from shared.manifest import Function, ServiceManifest
from shared.payments import PaymentConfirmation
from tests.support.bookings import booking_body, bookings_event, open_slots
from tests.support.fakes import no_registers
from tests.support.lambda_events import citizen_claims, rest_event
from tests.support.permits import public_place, weapon_licence
from tests.support.reports import form, theft_report

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

REPO_ROOT = Path(__file__).resolve().parents[1]
ENV = "bench"
PROBE = Path(__file__).with_name("cold_probe.py")
DEFAULT_RUNS = 5
MAX_RUNS = 50
# The first run of each probe writes bytecode caches, fills the page cache and records the handler's AWS
# calls: paid once per machine, untimed.
WARM_UP_RUNS = 1
PROBE_TIMEOUT_S = 60
MOTO_START_TIMEOUT_S = 30
TOP_IMPORTS = 10

ProbeMode = Literal["handler", "baseline", "import"]


# --- what is measured --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AwsCall:
    """One AWS call as the handler made it (``operation`` as in the API, ``CreateTable``), replayed bare."""

    service: str  # boto3 client name
    operation: str
    params: dict[str, Any]

    @property
    def name(self) -> str:
        return f"{self.service}.{xform_name(self.operation)}"


@dataclass(frozen=True)
class FirstRequest:
    event: dict[str, Any]
    succeeded: Callable[[Any], bool]  # judges the handler's return value
    # What the function's environment holds besides the manifest's (the e-ID broker the authorizer reads).
    environment: dict[str, str] = field(default_factory=dict)


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
    aws_calls: list[AwsCall] = field(default_factory=list)  # made by the handler's first request (warm-up)
    outcome: str = ""

    @property
    def baseline_call(self) -> AwsCall | None:
        return self.aws_calls[0] if self.aws_calls else None


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


def function_environment(target: Target, endpoint_url: str, home: Path, *, traced: bool) -> dict[str, str]:
    """What Lambda would give the function, pointed at moto. Nothing is inherited but PATH.

    Untraced, as locally and as most invocations in AWS (ADR 58); ``traced``: as an invocation X-Ray sampled,
    with the segments sent to a port where no daemon listens."""
    tracing = (
        {
            "LAMBDA_TASK_ROOT": str(REPO_ROOT),
            "POWERTOOLS_TRACE_DISABLED": "false",
            "_X_AMZN_TRACE_ID": f"Root=1-{int(time.time()):08x}-{uuid.uuid4().hex[:24]};"
            f"Parent={uuid.uuid4().hex[:16]};Sampled=1",
            "AWS_XRAY_DAEMON_ADDRESS": "127.0.0.1:9",
            "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR",
        }
        if traced
        else {"POWERTOOLS_TRACE_DISABLED": "true"}
    )
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
        **tracing,
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


# --- first requests ----------------------------------------------------------------------------------------


def no_batch_failures(result: Any) -> bool:
    return bool(result == {"batchItemFailures": []})


def http_status(expected: int) -> Callable[[Any], bool]:
    return lambda result: isinstance(result, dict) and result.get("statusCode") == expected


class RecordingReportRepository(DynamoDbReportRepository):
    """Stores for real, and keeps the events it wrote for the bench to deliver as the stream and bus would."""

    def __init__(self, table_name: str, client: DynamoDBClient) -> None:
        super().__init__(table_name, client)
        self.events: list[Envelope[EventData]] = []

    def add(self, report: Report, events: Sequence[Envelope[EventData]]) -> None:
        super().add(report, events)
        self.events.extend(events)

    def replace(
        self,
        report: Report,
        *,
        expected_version: int,
        events: Sequence[Envelope[EventData]],
        subject: str | None = None,
    ) -> None:
        super().replace(report, expected_version=expected_version, events=events, subject=subject)
        self.events.extend(events)

    def take(self, event_type: str) -> Envelope[EventData]:
        """The last event of the type written, removed from what is kept."""
        index = max(i for i, event in enumerate(self.events) if event.metadata.event_type == event_type)
        return self.events.pop(index)


class RecordingPermits(DynamoDbPermits):
    """Stores for real, and keeps the events it wrote for the bench to deliver as the stream and bus would.
    Its holder index key is the bench's own: no first request here looks a licence up by holder."""

    def __init__(self, table_name: str, audit_table: str, client: DynamoDBClient) -> None:
        audit = DynamoDbAuditLog(audit_table, client, retention=timedelta(days=1))
        super().__init__(table_name, client, audit=audit, holder_secret=lambda: b"bench")
        self.events: list[Envelope[EventData]] = []

    def add(self, application: Application, events: Sequence[Envelope[EventData]]) -> None:
        super().add(application, events)
        self.events.extend(events)

    def save(
        self,
        application: Application,
        *,
        expected_version: int,
        events: Sequence[Envelope[EventData]] = (),
        audit: AuditRecord | None = None,
        licences: Sequence[Licence] = (),
        expected_licence_versions: dict[str, int] | None = None,
    ) -> None:
        super().save(
            application,
            expected_version=expected_version,
            events=events,
            audit=audit,
            licences=licences,
            expected_licence_versions=expected_licence_versions,
        )
        self.events.extend(events)

    def take(self, event_type: str) -> Envelope[EventData]:
        """The last event of the type written, removed from what is kept."""
        index = max(i for i, event in enumerate(self.events) if event.metadata.event_type == event_type)
        return self.events.pop(index)


@dataclass(frozen=True)
class EidBroker:
    """The e-ID broker the authorizer checks citizens' tokens against: its issuer and where its keys are."""

    tokens: TokenIssuer
    jwks_url: str


@dataclass
class World:
    """The moto server's state the scenarios build on, with the ways to add to it."""

    dynamodb: DynamoDBClient
    people: random.Random
    manifests: dict[str, ServiceManifest]
    eid: EidBroker | None = None  # served by the bench while it runs
    _reports: RecordingReportRepository | None = None
    _permits: RecordingPermits | None = None

    def manifest(self, service: str) -> ServiceManifest:
        return self.manifests[service]

    def table(self, service: str, table: str = "main") -> str:
        return self.manifest(service).table_name(ENV, table)

    def new_citizen(self) -> filing.Citizen:
        personnummer = generate_personnummer(self.people)
        return filing.Citizen(owner_ref=f"citizen-{uuid.uuid4()}", personnummer=str(personnummer))

    @property
    def reports(self) -> RecordingReportRepository:
        if self._reports is None:
            self._reports = RecordingReportRepository(self.table("reports"), self.dynamodb)
        return self._reports

    @property
    def permits(self) -> RecordingPermits:
        if self._permits is None:
            audit = self.table("permits", "audit")
            self._permits = RecordingPermits(self.table("permits"), audit, self.dynamodb)
        return self._permits

    def submit_permit(self, details: dict[str, Any]) -> Application:
        """Submits an application straight through the domain; its events are kept in :attr:`permits`."""
        citizen = self.new_citizen()
        return applying.submit(
            SubmitApplicationRequest.model_validate({"details": details}).details,
            organisation=None,
            applicant=applying.Applicant(ref=citizen.owner_ref, personnummer=citizen.personnummer),
            repository=self.permits,
            licences=self.permits,
            companies=DemoCompanies(),
            rules=permit_rules(),
            now=datetime.now(UTC),
            correlation_id=f"bench-{uuid.uuid4()}",
        )

    def pay_permit(self, application: Application) -> Application:
        paid, _ = paying.record_payment(
            PaymentConfirmation(
                reference=application.payment.reference,
                amount_sek=application.fee.amount_sek,
                currency="SEK",
                transaction_id=f"bench-{uuid.uuid4()}",
                paid_at=datetime.now(UTC),
            ),
            repository=self.permits,
            now=datetime.now(UTC),
            correlation_id="bench",
        )
        return paid

    def prepare_permit(self, application: Application) -> Application:
        preparing.prepare(
            application.diarienummer,
            repository=self.permits,
            registers=preparing.Registers(licences=self.permits, suitability=DemoSuitability()),
            rules=permit_rules(),
            now=datetime.now(UTC),
            correlation_id="bench",
        )
        # As stored: the case prepare answers with is a version ahead of the one it wrote.
        prepared = self.permits.get(application.diarienummer)
        assert prepared is not None
        return prepared

    def file_report(self, body: dict[str, Any], citizen: filing.Citizen | None = None) -> Report:
        """Files a report straight through the domain; its events are kept in :attr:`reports`."""
        return filing.file_report(
            parse_draft(body),
            citizen=citizen or self.new_citizen(),
            repository=self.reports,
            registers=no_registers(),
            clock=SystemClock(),
            correlation_id=f"bench-{uuid.uuid4()}",
        )

    def triage(self, report: Report) -> None:
        decisions.triage(
            report.case_number,
            rules=decisions.current_rule_set(),
            repository=self.reports,
            clock=SystemClock(),
            correlation_id=f"bench-{uuid.uuid4()}",
        )


def delivery(world: World, consumer: str, event: Envelope[EventData], source: str) -> FirstRequest:
    """The event as its subscription's rule delivers it to ``consumer``'s queue, in a batch of one."""
    manifest = world.manifest(consumer.split("/")[0])
    function = consumer.split("/")[1]
    subscription = next(s for s in manifest.subscriptions if s.function == function)
    queue = manifest.queue_name(ENV, subscription.name)
    return FirstRequest(sqs_event(queue, eventbridge_delivery(event, source)), no_batch_failures)


def publishing(world: World, service: str, event: Envelope[EventData]) -> FirstRequest:
    """The outbox insert of ``event`` in the service's table, as its stream hands it to the publisher."""
    manifest = world.manifest(service)
    item = outbox_item(event, source=manifest.source)
    world.dynamodb.put_item(TableName=world.table(service), Item=to_attributes(item))
    return FirstRequest(
        stream_insert_event(world.table(service), item),
        lambda result: result == {"published": 1, "batchItemFailures": []},
    )


def to_attributes(item: dict[str, Any]) -> dict[str, Any]:
    serializer = TypeSerializer()
    return {name: serializer.serialize(value) for name, value in item.items()}


def reports_requests(world: World) -> dict[str, RequestFactory]:
    """A citizen files a theft report (api); its ReportFiled is published (publisher) and triaged (triage); a
    decided report's reporter is written to (notify); a report's additions are matched to found items
    (lostAndFound); the document register's answer to a block reaches the report (documentBlocks). Every
    request is about a new report, so no run is a cheap replay."""

    def file_theft_report() -> FirstRequest:
        manifest = world.manifest("reports")
        route = next(route.path for route in manifest.routes if route.method == "POST")
        event = rest_event(
            "POST",
            route,
            body=theft_report(),
            claims=citizen_claims(world.new_citizen().personnummer),
            headers={"Idempotency-Key": str(uuid.uuid4())},
        )
        return FirstRequest(event, http_status(201))

    def filed() -> Envelope[EventData]:
        world.file_report(theft_report())
        return world.reports.take("ReportFiled")

    def decided() -> Envelope[EventData]:
        # A bicycle theft without leads is decided by a rule at once, and its reporter asked to be told.
        world.triage(world.file_report(theft_report()))
        return world.reports.take("ReportDecided")

    def amended() -> Envelope[EventData]:
        report = world.file_report(theft_report())
        data = report_events.ReportAmended(
            case_number=report.case_number,
            region=report.region,
            amended_at=datetime.now(UTC),
            owner_ref=report.owner_ref,
        )
        return new_event(
            data, producer=report_events.SOURCE, occurred_at=data.amended_at, correlation_id="bench"
        )

    def document_blocked() -> Envelope[EventData]:
        number = f"{world.people.randint(10_000_000, 99_999_999)}"
        report = world.file_report(form("loss", items=[{"category": "passport", "documentNumber": number}]))
        data = booking_events.DocumentBlocked(
            document_type="passport",
            document_number=number,
            case_number=report.case_number,
            blocked_at=datetime.now(UTC),
        )
        return new_event(
            data, producer=booking_events.SOURCE, occurred_at=data.blocked_at, correlation_id="b"
        )

    reports, bookings = report_events.SOURCE, booking_events.SOURCE
    return {
        "api": file_theft_report,
        "publisher": lambda: publishing(world, "reports", filed()),
        "triage": lambda: delivery(world, "reports/triage", filed(), reports),
        "notify": lambda: delivery(world, "reports/notify", decided(), reports),
        "lostAndFound": lambda: delivery(world, "reports/lostAndFound", amended(), reports),
        "documentBlocks": lambda: delivery(world, "reports/documentBlocks", document_blocked(), bookings),
    }


def bookings_requests(world: World) -> dict[str, RequestFactory]:
    """A citizen books a passport appointment (api); a bookings event is published (publisher); a
    passport its holder reported lost is blocked (documents); the owner of a new report is learnt (cases)."""
    all_receptions = receptions()
    reception_id = all_receptions[0].id
    slots = iter(open_slots(reception_id, datetime.now(UTC) + timedelta(days=1), days=60))
    loaded: list[bool] = []

    def book_appointment() -> FirstRequest:
        if not loaded:  # the reference data the local cloud's seed loads, once
            DynamoDbReceptionDirectory(world.table("bookings"), world.dynamodb).put_all(all_receptions)
            loaded.append(True)
        manifest = world.manifest("bookings")
        route = next(
            r.path for r in manifest.routes if r.method == "POST" and r.path.endswith("/appointments")
        )
        body = booking_body(reception_id, next(slots).starts_at)
        claims = citizen_claims(world.new_citizen().personnummer)
        event = bookings_event(
            "POST", route, body=body, claims=claims, headers={"Idempotency-Key": str(uuid.uuid4())}
        )
        return FirstRequest(event, http_status(201))

    def answered() -> Envelope[EventData]:
        # The publisher does the same for every event type; this one needs no booking behind it.
        data = booking_events.DocumentBlocked(
            document_type="passport",
            document_number=f"{world.people.randint(10_000_000, 99_999_999)}",
            case_number=f"K{world.people.randint(1, 99_999)}-26",
            blocked_at=datetime.now(UTC),
        )
        return new_event(
            data, producer=booking_events.SOURCE, occurred_at=data.blocked_at, correlation_id="b"
        )

    def block_requested() -> Envelope[EventData]:
        holder = world.new_citizen()
        number = f"{world.people.randint(10_000_000, 99_999_999)}"
        expiry = date.today().replace(year=date.today().year + 3)
        DynamoDbDocumentRegister(world.table("bookings"), world.dynamodb).put_all(
            [IssuedDocument(number, IssuedDocumentType.PASSPORT, holder.personnummer, expiry, False)]
        )
        world.file_report(form("loss", items=[{"category": "passport", "documentNumber": number}]), holder)
        return world.reports.take("DocumentBlockRequested")

    def filed() -> Envelope[EventData]:
        world.file_report(theft_report())
        return world.reports.take("ReportFiled")

    reports = report_events.SOURCE
    return {
        "api": book_appointment,
        "publisher": lambda: publishing(world, "bookings", answered()),
        "documents": lambda: delivery(world, "bookings/documents", block_requested(), reports),
        "cases": lambda: delivery(world, "bookings/cases", filed(), reports),
    }


def permits_requests(world: World) -> dict[str, RequestFactory]:
    """A citizen submits a weapons licence (api); its submission is published (publisher); its paid fee is
    prepared (prepare); a municipality's answer reaches a public-place case (referralAnswers); a refusal is
    written to its applicant (letters). Every request is about a new application."""

    def submit_weapons_licence() -> FirstRequest:
        manifest = world.manifest("permits")
        route = next(
            r.path for r in manifest.routes if r.method == "POST" and r.path.endswith("/applications")
        )
        event = rest_event(
            "POST",
            route,
            body={"details": weapon_licence()},
            claims=citizen_claims(world.new_citizen().personnummer),
            headers={"Idempotency-Key": str(uuid.uuid4())},
        )
        return FirstRequest(event, http_status(201))

    def submitted() -> Envelope[EventData]:
        world.submit_permit(weapon_licence())
        return world.permits.take("PermitApplicationSubmitted")

    def paid() -> Envelope[EventData]:
        world.pay_permit(world.submit_permit(weapon_licence()))
        return world.permits.take("PermitFeePaid")

    def answered() -> Envelope[EventData]:
        referred = world.prepare_permit(world.pay_permit(world.submit_permit(public_place())))
        referrals.answer_referral(
            referred.diarienummer,
            municipality_code=referred.municipality_code or "",
            client_id="bench",
            verdict=MunicipalityVerdict.SUPPORTS,
            conditions=None,
            reason=None,
            repository=world.permits,
            now=datetime.now(UTC),
            correlation_id="bench",
        )
        return world.permits.take("MunicipalityAnswered")

    def refused() -> Envelope[EventData]:
        queued = world.prepare_permit(world.pay_permit(world.submit_permit(weapon_licence(exam=False))))
        decided = deciding.refuse(
            queued,
            reasons="Jägarexamen saknas.",
            staff_id="PM-0001",
            now=datetime.now(UTC),
            correlation_id="b",
        )
        world.permits.save(decided.application, expected_version=queued.version, events=decided.events)
        return world.permits.take("PermitDecided")

    permits = permit_events.SOURCE
    return {
        "api": submit_weapons_licence,
        "publisher": lambda: publishing(world, "permits", submitted()),
        "prepare": lambda: delivery(world, "permits/prepare", paid(), permits),
        "referralAnswers": lambda: delivery(world, "permits/referralAnswers", answered(), permits),
        "letters": lambda: delivery(world, "permits/letters", refused(), permits),
    }


def feedback_requests(world: World) -> dict[str, RequestFactory]:
    """A citizen gives feedback (api); its receipt is published (publisher); the owner of a new report is
    learnt (cases); a manager's answer is written to the sender (letters: the event alone, which finds no
    item and writes nothing, as a redelivery of an old answer would)."""

    def give() -> FirstRequest:
        manifest = world.manifest("feedback")
        route = next(r.path for r in manifest.routes if r.method == "POST" and r.path.endswith("/items"))
        body = {"kind": "praise", "category": "treatment", "text": "Tack för hjälpen i receptionen."}
        event = rest_event("POST", route, body=body, claims=citizen_claims(world.new_citizen().personnummer))
        return FirstRequest(event, http_status(201))

    def answered() -> Envelope[EventData]:
        now = datetime.now(UTC)
        data = feedback_events.FeedbackAnswered(
            feedback_number=f"F{world.people.randint(1, 99_999)}-26",
            region="Syd",
            answered_at=now,
            within_deadline=True,
        )
        return new_event(data, producer=feedback_events.SOURCE, occurred_at=now, correlation_id="b")

    def received() -> Envelope[EventData]:
        now = datetime.now(UTC)
        data = feedback_events.FeedbackReceived(
            feedback_number=f"F{world.people.randint(1, 99_999)}-26",
            kind="praise",
            category="treatment",
            channel="web",
            region="Syd",
            received_at=now,
            answer_wanted=False,
        )
        return new_event(data, producer=feedback_events.SOURCE, occurred_at=now, correlation_id="b")

    def filed() -> Envelope[EventData]:
        world.file_report(theft_report())
        return world.reports.take("ReportFiled")

    return {
        "api": give,
        "publisher": lambda: publishing(world, "feedback", received()),
        "cases": lambda: delivery(world, "feedback/cases", filed(), report_events.SOURCE),
        "letters": lambda: delivery(world, "feedback/letters", answered(), feedback_events.SOURCE),
    }


# Per service: the first requests of its API function, consumers and publisher (jobs need none, see
# scheduled_runs). A new service adds one line.
SCENARIOS: dict[str, Callable[[World], dict[str, RequestFactory]]] = {
    "reports": reports_requests,
    "bookings": bookings_requests,
    "permits": permits_requests,
    "feedback": feedback_requests,
}


def scheduled_runs(manifest: ServiceManifest) -> dict[str, RequestFactory]:
    """Every job's first request: the event of the schedule that runs it, as EventBridge Scheduler sends it."""

    def run(schedule: str) -> RequestFactory:
        name = manifest.schedule_name(ENV, schedule)
        return lambda: FirstRequest(
            scheduled_event(name, datetime.now(UTC)), lambda result: isinstance(result, dict)
        )

    return {schedule.function: run(schedule.name) for schedule in manifest.schedules}


def authorizer_runs(manifest: ServiceManifest, world: World) -> dict[str, RequestFactory]:
    """The e-ID authorizer's first request: a citizen's token on the filing route, as API Gateway hands it
    over (a TOKEN authorizer event). It makes no AWS call (it reads the broker's keys over HTTPS), so it has
    no bare-boto3 baseline: the bench shows its time alone."""
    function = manifest.eid_authorizer_function
    if function is None:
        return {}

    def run() -> FirstRequest:
        if world.eid is None:
            raise ProbeFailed("no e-ID broker is served")
        token = world.eid.tokens.issue(citizen_claims(world.new_citizen().personnummer))
        route = next(r for r in manifest.routes if r.audience == "citizen")
        event = {
            "type": "TOKEN",
            "authorizationToken": f"Bearer {token}",
            "methodArn": f"arn:aws:execute-api:{REGION}:{ACCOUNT_ID}:bench/v1/{route.method}{route.path}",
        }
        environment = {
            eid_authorizer.ISSUER_VARIABLE: LOCAL_EID_ISSUER,
            eid_authorizer.AUDIENCE_VARIABLE: LOCAL_EID_AUDIENCE,
            eid_authorizer.JWKS_URL_VARIABLE: world.eid.jwks_url,
        }
        allowed = lambda result: isinstance(result, dict) and "policyDocument" in result  # noqa: E731
        return FirstRequest(event, allowed, environment)

    return {function.name: run}


@contextmanager
def serving_eid_keys() -> Iterator[EidBroker]:
    """The broker's key set over HTTP on this machine, as the authorizer fetches it."""
    tokens = TokenIssuer(issuer="bench")
    with serving_broker_keys(tokens) as jwks_url:
        yield EidBroker(tokens, jwks_url)


def targets_of(manifests: Iterable[ServiceManifest], world: World) -> list[Target]:
    targets: list[Target] = []
    for manifest in manifests:
        scenario = SCENARIOS.get(manifest.name)
        requests = {
            **scheduled_runs(manifest),
            **authorizer_runs(manifest, world),
            **(scenario(world) if scenario else {}),
        }
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
    traced: bool = False

    def run(
        self, target: Target, mode: ProbeMode, spec: dict[str, Any], environment: dict[str, str] | None = None
    ) -> dict[str, Any]:
        spec_path, result_path = self.scratch / "probe-spec.json", self.scratch / "probe-result.json"
        spec_path.write_text(json.dumps({"mode": mode, **spec}), encoding="utf-8")
        result_path.unlink(missing_ok=True)
        module = "boto3" if mode == "baseline" else target.module
        env = function_environment(target, self.endpoint_url, self.scratch / "home", traced=self.traced)
        completed = subprocess.run(
            [sys.executable, str(PROBE), module, str(spec_path), str(result_path)],
            env={**env, **(environment or {})},
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
            env=function_environment(target, self.endpoint_url, self.scratch / "home", traced=self.traced),
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
        "call": {"service": call.service, "operation": call.operation, "params": call.params},
        "record_calls": False,
    }


def measure_once(
    runner: ProbeRunner, measurement: Measurement, *, warm_up: bool, handler_first: bool
) -> None:
    target = measurement.target
    request = target.first_request() if target.first_request else None

    def run_handler() -> None:
        mode: ProbeMode = "handler" if request else "import"
        spec = handler_spec(target, request, record_calls=warm_up)
        figures = runner.run(target, mode, spec, request.environment if request else None)
        if request and not request.succeeded(figures["result"]):
            raise ProbeFailed(
                f"{target.label}: the first request did not succeed: {figures['result']!r:.1000}"
            )
        if warm_up:
            measurement.aws_calls = [AwsCall(**call) for call in figures["aws_calls"]]
            measurement.outcome = summarise_result(figures["result"])
        else:
            measurement.handler.append(ProbeResult(figures["import_ms"], figures["request_ms"]))

    def run_baseline() -> None:
        call = measurement.baseline_call
        if request is None or call is None:
            return
        figures = runner.run(target, "baseline", baseline_spec(call))
        if not warm_up:
            measurement.baseline.append(ProbeResult(figures["import_ms"], figures["request_ms"]))

    # The warm-up records the handler's calls before the baseline replays the first of them.
    for step in (run_handler, run_baseline) if handler_first or warm_up else (run_baseline, run_handler):
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


def print_table(measurements: Sequence[Measurement], runs: int, endpoint_url: str, *, traced: bool) -> None:
    tracing = "every invocation traced (sampled by X-Ray)" if traced else "untraced"
    print(
        f"\nCold start per Lambda function, {tracing}: median of {runs} fresh interpreters each "
        f"(after {WARM_UP_RUNS} untimed warm-up), moto at {endpoint_url}\n"
    )
    header = (
        "function",
        "import ms",
        "first request ms",
        "total ms",
        "baseline ms",
        "total/baseline",
        "AWS round trips",
    )
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
        "\nbaseline: import boto3, create the client, make the handler's first AWS call (the same call, replayed)."
        "\nInterpreter start-up, alike for both, is in neither.\n"
    )
    for measurement in measurements:
        print_notes(measurement)


def table_row(measurement: Measurement) -> tuple[str, ...]:
    handler, baseline = measurement.handler, measurement.baseline
    total = median_of(handler, lambda r: r.total_ms)
    if not baseline:  # no scenario, or a first request that makes no AWS call to replay bare
        served = measurement.target.first_request is not None
        return (
            measurement.target.label,
            ms(median_of(handler, lambda r: r.import_ms)),
            ms(median_of(handler, lambda r: r.request_ms)) if served else "n/a",
            ms(total),
            "n/a",
            "n/a",
            str(len(measurement.aws_calls)) if served else "n/a",
        )
    baseline_total = median_of(baseline, lambda r: r.total_ms)
    return (
        measurement.target.label,
        ms(median_of(handler, lambda r: r.import_ms)),
        ms(median_of(handler, lambda r: r.request_ms)),
        ms(total),
        ms(baseline_total),
        f"{total / baseline_total:.2f}x",
        str(len(measurement.aws_calls)),
    )


def print_notes(measurement: Measurement) -> None:
    target = measurement.target
    print(f"{target.label}: {target.function.handler}")
    if target.first_request is None:
        print("  NO FIRST-REQUEST SCENARIO (add one to SCENARIOS in bench/cold_start.py): import time only")
        return
    calls = [call.name for call in measurement.aws_calls]
    print(f"  first request: {measurement.outcome}; AWS calls ({len(calls)}): {', '.join(calls)}")
    baseline, call = measurement.baseline, measurement.baseline_call
    if call is None or not baseline:
        return
    print(
        f"  baseline: import boto3 {ms(median_of(baseline, lambda r: r.import_ms))} ms"
        f" + client and {call.name} {ms(median_of(baseline, lambda r: r.request_ms))} ms"
    )


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
    parser.add_argument(
        "--traced",
        action="store_true",
        help="every invocation sampled by X-Ray, as in AWS for a few (ADR 70)",
    )
    parser.add_argument(
        "--only", nargs="+", metavar="LABEL", help="only these functions, e.g. reports/api bookings/cases"
    )
    args = parser.parse_args()
    if not 1 <= args.runs <= MAX_RUNS:
        parser.error(f"--runs must be between 1 and {MAX_RUNS}")
    return args


def main() -> None:
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix="cold-start-") as scratch_dir:
        scratch = Path(scratch_dir)
        (scratch / "home").mkdir()
        with running_moto(scratch) as endpoint_url, serving_eid_keys() as eid:
            clients = AwsClients.connect(endpoint_url)
            provision(build_plan(MANIFESTS, ENV), clients)
            runner = ProbeRunner(endpoint_url, scratch, traced=args.traced)
            manifests = {m.name: m for m in MANIFESTS}
            world = World(clients.dynamodb, random.Random(args.seed), manifests, eid=eid)
            targets = [t for t in targets_of(MANIFESTS, world) if not args.only or t.label in args.only]
            measurements = measure(targets, runner, args.runs)
            print_table(measurements, args.runs, endpoint_url, traced=args.traced)
            slowest = max(measurements, key=lambda m: median_of(m.handler, lambda r: r.total_ms)).target
            print_import_profile(slowest, runner.import_profile(slowest))


if __name__ == "__main__":
    main()
