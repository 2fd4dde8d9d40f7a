"""What a service is made of, declared once.

A service's ``manifest.py`` builds one :class:`ServiceManifest`. Two renderers read it: the CDK app
(``infra/cloud``) and the local cloud (``infra/local``). A test proves both produce the same routes, tables,
rules and queues, so what runs on a laptop is what runs in AWS.

Physical names are derived here (not in either renderer) so both agree on them, and a manifest checks itself
when it is built, so a mistake fails at import with a message naming it, not halfway through a synth or a start.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Literal, TypeVar

from shared.events.outbox import OUTBOX_TABLES_VARIABLE
from shared.metrics_namespace import METRICS_NAMESPACE as METRICS_NAMESPACE

# Who may call a route. API Gateway authenticates; the service still authorizes every object. A route is either
# authenticated or public: an e-service open to anonymous and identified use declares two routes, one public
# and one citizen, because API Gateway's Cognito authorizer cannot make a token optional (and a route with no
# authorizer never receives claims).
Audience = Literal["citizen", "staff", "agency", "public"]
FunctionKind = Literal["api", "consumer", "publisher", "job", "authorizer"]
HttpMethod = Literal["GET", "POST", "PUT", "PATCH", "DELETE"]

_Named = TypeVar("_Named", bound=Hashable)

PUBLISHER_HANDLER = "shared.events.publisher.handler"
# The outbox's sure path (ADR 40): on a schedule, republishes what the stream did not deliver. Every service
# that publishes through PUBLISHER_HANDLER declares OUTBOX_SWEEPER and OUTBOX_SWEEP (defined below).
SWEEPER_HANDLER = "shared.events.sweeper.handler"
# API Gateway's authorizer of the citizens' routes, checking the e-ID broker's token (ADR 77). Every service
# with citizen routes declares EID_AUTHORIZER (defined below).
EID_AUTHORIZER_HANDLER = "shared.eid_authorizer.handler"

# How the outbox stream feeds the publisher, in AWS and locally alike. A failing batch is split in two; a record
# that still fails is retried this many times, then recorded in the publisher's failure queue and skipped, so a
# poisoned record cannot block its shard for the stream's whole 24 hours.
STREAM_BATCH_SIZE = 100
STREAM_RETRY_ATTEMPTS = 10
# Functions whose failures arrive asynchronously (stream on-failure, Scheduler and Lambda's own DLQ) and so
# are recorded in a failure queue of their own (``ServiceManifest.failure_queue_name``).
SQS_MAX_RETENTION_DAYS = 14
# What every function logs (ADR 90). Lambda's own START, END and REPORT lines are INFO and say nothing its
# metrics do not (duration, memory, errors), at a third of a KB per invocation: only its warnings are kept.
# The application's lines are Powertools' JSON, filtered at this level by Lambda and by Powertools alike.
LOG_FORMAT = "JSON"
APPLICATION_LOG_LEVEL = "INFO"
SYSTEM_LOG_LEVEL = "WARN"
ASYNCHRONOUS_KINDS: frozenset[FunctionKind] = frozenset({"publisher", "job"})


@dataclass(frozen=True)
class Route:
    method: HttpMethod
    path: str  # full path including the base path, e.g. "/reports/v1/reports/{caseNumber}"
    audience: Audience
    # The staff role a caller must hold (staff routes only). The domain checks it, with the case in hand, so
    # a refusal is audited; the authorization matrix proves it is.
    role: str | None = None
    # Or: the caller must hold one of these roles, which one depending on the object (a weapons case needs
    # one, a public-place case another). Checked by the domain the same way.
    any_role: tuple[str, ...] = ()
    # A tighter limit for this route than the service's, per client locally and per stage in API Gateway;
    # both or neither.
    rate_limit_per_second: float | None = None
    burst_limit: int | None = None
    # The caller may stay anonymous (a tip): nothing that could identify them is kept on the way in, so the
    # stage's access log has no source address and the route is never traced (a trace of API Gateway keeps
    # the client's address). Public routes only.
    anonymous: bool = False

    @property
    def roles(self) -> tuple[str, ...]:
        """Every role the route names: a caller needs one of them."""
        return (self.role, *self.any_role) if self.role else self.any_role


# What a function may do to its service's data, as IAM names the actions. A transaction is authorized per
# item (a Put in TransactWriteItems needs PutItem, a ConditionCheck needs ConditionCheckItem, a Get in
# TransactGetItems needs GetItem); HeadObject needs GetObject; a presigned POST is the function's PutObject.
TableAction = Literal[
    "DescribeTable",
    "GetItem",
    "BatchGetItem",
    "Query",
    "ConditionCheckItem",
    "PutItem",
    "UpdateItem",
    "DeleteItem",
    "BatchWriteItem",
]
ObjectAction = Literal["GetObject", "PutObject", "DeleteObject"]
# Actions that change or remove an item: never on an append-only table.
CHANGING_TABLE_ACTIONS: frozenset[TableAction] = frozenset({"UpdateItem", "DeleteItem", "BatchWriteItem"})
READING_TABLE_ACTIONS: frozenset[TableAction] = frozenset({"GetItem", "BatchGetItem", "Query"})
# What an API function does with the idempotency table for ``Idempotency-Key``: the record is a conditional
# put in the change's own transaction, and a retry reads it (shared.http.idempotency). Consumers have no
# such record: they are idempotent by the writes that record their effects (ADR 87).
IDEMPOTENCY_KEY_ACTIONS: tuple[TableAction, ...] = ("GetItem", "PutItem")


@dataclass(frozen=True)
class TableAccess:
    """What one function does with one table of its service. ``Query`` in ``actions`` queries the table
    itself; each of ``indexes`` is an index of it the function queries (and may only query)."""

    table: str
    actions: tuple[TableAction, ...]
    indexes: tuple[str, ...] = ()


@dataclass(frozen=True)
class BucketAccess:
    """What one function does with the objects of one bucket of its service."""

    bucket: str
    actions: tuple[ObjectAction, ...]


Access = TableAccess | BucketAccess


@dataclass(frozen=True)
class Function:
    name: str  # logical name inside the service: "api", "publisher", "triage", ...
    handler: str  # dotted "module.attribute"
    kind: FunctionKind
    memory_mb: int = 512
    timeout_s: int = 10
    description: str = ""
    # Everything the function's own code does to the service's tables and buckets, and nothing more: its role
    # in AWS is rendered from it, and the local cloud refuses a call it does not declare. (Sending to a
    # standalone queue is declared on the queue, ``Queue.senders``; a publisher puts its service's events.)
    access: tuple[Access, ...] = ()

    def table_access(self, table: str) -> frozenset[TableAction]:
        return frozenset(
            a for d in self.access if isinstance(d, TableAccess) and d.table == table for a in d.actions
        )

    def queried_indexes(self, table: str) -> frozenset[str]:
        return frozenset(
            i for d in self.access if isinstance(d, TableAccess) and d.table == table for i in d.indexes
        )

    def bucket_access(self, bucket: str) -> frozenset[ObjectAction]:
        return frozenset(
            a for d in self.access if isinstance(d, BucketAccess) and d.bucket == bucket for a in d.actions
        )


@dataclass(frozen=True)
class Index:
    name: str
    partition_key: str
    sort_key: str | None = None
    # What an index entry copies of its item: everything, or only the keys (the reader then gets the items
    # it needs by key). Every write that changes a copied attribute writes the index too, at the entry's size.
    projection: Literal["ALL", "KEYS_ONLY"] = "ALL"


@dataclass(frozen=True)
class Table:
    name: str  # logical name: "main", "idempotency"
    partition_key: str = "pk"
    sort_key: str | None = "sk"
    indexes: tuple[Index, ...] = ()
    stream: bool = False  # NEW_IMAGE stream feeding the outbox publisher
    ttl_attribute: str | None = "expiresAt"
    # Records are added, never changed or removed by the service (an audit log): in AWS its functions may put
    # items but not update or delete them. Only expiry (TTL) removes them.
    append_only: bool = False


@dataclass(frozen=True)
class Subscription:
    """An EventBridge rule on the shared bus delivering to a queue of this service, drained by a function."""

    name: str  # logical: "triage"
    function: str  # logical function name
    source: str  # e.g. "polisen.reports"
    detail_types: tuple[str, ...]
    batch_size: int = 10
    max_receive_count: int = 3
    visibility_timeout_s: int = 60


@dataclass(frozen=True)
class Queue:
    """A queue of this service that its functions send to and something outside the stack drains (a
    connector, another system): no rule fills it and no function of the service consumes it."""

    name: str  # logical: "outgoing-mail"
    senders: tuple[str, ...]  # logical names of the functions allowed to send to it
    retention_days: int = 14
    # Messages older than this mean the consumer outside has stopped: alarm.
    max_age_alarm_minutes: int = 60


@dataclass(frozen=True)
class Schedule:
    name: str
    function: str
    expression: str  # "rate(5 minutes)" or "cron(...)"


@dataclass(frozen=True)
class Bucket:
    name: str


@dataclass(frozen=True)
class MetricAlarm:
    """An alarm on one of the service's own metrics (Powertools: namespace ``EServices``, dimension
    ``service``), sent to the platform's alarm topic like every other alarm: work that stalls, a backlog
    that grows. Named ``eservices-<env>-<service>-<name>``."""

    name: str  # logical: "stalled-reports"
    metric: str  # the metric the code emits: "ReportsStalled"
    threshold: float  # alarm when the statistic is above this
    statistic: Literal["Maximum", "Minimum", "Average", "Sum", "SampleCount"] = "Maximum"
    period_minutes: int = 5
    evaluation_periods: int = 1
    description: str = ""
    # Dimensions the code adds to the metric besides ``service``, as (name, value) pairs.
    dimensions: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Secret:
    """A random secret of the service (a key), generated where it is provisioned and never in code: Secrets
    Manager in AWS (encrypted with the service's key), the same API in moto locally. Only ``readers`` may read
    it; they find its name in ``SECRET_<NAME>``."""

    name: str  # logical: "page-tokens"
    readers: tuple[str, ...]  # logical names of the functions that read it


@dataclass(frozen=True)
class ServiceManifest:
    name: str  # "reports"
    title: str
    routes: tuple[Route, ...]
    functions: tuple[Function, ...]
    tables: tuple[Table, ...]
    subscriptions: tuple[Subscription, ...] = ()
    schedules: tuple[Schedule, ...] = ()
    buckets: tuple[Bucket, ...] = ()
    queues: tuple[Queue, ...] = ()
    # Alarms on the service's own metrics, besides those every service gets (errors, throttles, queues).
    alarms: tuple[MetricAlarm, ...] = ()
    secrets: tuple[Secret, ...] = ()
    publishes: tuple[str, ...] = ()  # detail types this service produces
    # Limits applied by API Gateway (stage throttling) and asserted by the local gateway.
    rate_limit_per_second: int = 50
    burst_limit: int = 100
    max_body_bytes: int = 64 * 1024
    # Reference data (receptions, registers) loaded once at start of the local cloud, run inside the service.
    seed_handler: str | None = None
    # Response types API Gateway passes through as binary (base64 from the function), e.g. a PDF receipt.
    binary_media_types: tuple[str, ...] = ()
    extra_environment: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        problems = _problems(self)
        if problems:
            raise ValueError(f"service manifest {self.name!r}: " + "; ".join(problems))

    @property
    def source(self) -> str:
        return f"polisen.{self.name}"

    @property
    def base_path(self) -> str:
        return f"/{self.name}"

    def sends_to(self, function: str) -> tuple[Queue, ...]:
        """The standalone queues ``function`` may send to."""
        return tuple(q for q in self.queues if function in q.senders)

    @property
    def api_function(self) -> Function:
        return next(f for f in self.functions if f.kind == "api")

    @property
    def asynchronous_functions(self) -> tuple[Function, ...]:
        """The functions that have a failure queue."""
        return tuple(f for f in self.functions if f.kind in ASYNCHRONOUS_KINDS)

    @property
    def publisher_function(self) -> Function | None:
        """The outbox publisher, which every streamed table feeds."""
        return next((f for f in self.functions if f.kind == "publisher"), None)

    @property
    def eid_authorizer_function(self) -> Function | None:
        """The authorizer of the citizens' routes."""
        return next((f for f in self.functions if f.handler == EID_AUTHORIZER_HANDLER), None)

    @property
    def sweeper_function(self) -> Function | None:
        """The outbox sweeper, which republishes what the publisher did not deliver."""
        return next((f for f in self.functions if f.handler == SWEEPER_HANDLER), None)

    @property
    def outbox_tables(self) -> tuple[Table, ...]:
        """The tables that hold an outbox: the streamed ones."""
        return tuple(t for t in self.tables if t.stream)

    def function(self, name: str) -> Function:
        return next(f for f in self.functions if f.name == name)

    def table(self, name: str) -> Table:
        return next(t for t in self.tables if t.name == name)

    def queue(self, name: str) -> Queue:
        return next(q for q in self.queues if q.name == name)

    # --- physical names, shared by both renderers -------------------------------------------------------

    def prefix(self, env: str) -> str:
        return f"eservices-{env}-{self.name}"

    def function_name(self, env: str, function: str) -> str:
        return f"{self.prefix(env)}-{function}"

    def table_name(self, env: str, table: str) -> str:
        return f"{self.prefix(env)}-{table}"

    def queue_name(self, env: str, queue: str) -> str:
        """The physical name of a subscription's queue or of a standalone :class:`Queue`."""
        return f"{self.prefix(env)}-{queue}"

    def dlq_name(self, env: str, subscription: str) -> str:
        return f"{self.prefix(env)}-{subscription}-dlq"

    def rule_name(self, env: str, subscription: str) -> str:
        return f"{self.prefix(env)}-{subscription}"

    def failure_queue_name(self, env: str, function: str) -> str:
        """Where a publisher's or job's asynchronous failures are recorded."""
        return f"{self.prefix(env)}-{function}-failures"

    def schedule_name(self, env: str, schedule: str) -> str:
        return f"{self.prefix(env)}-{schedule}"

    def alarm_name(self, env: str, alarm: str) -> str:
        return f"{self.prefix(env)}-{alarm}"

    def bucket_name(self, env: str, bucket: str, account: str) -> str:
        return f"{self.prefix(env)}-{bucket}-{account}"

    def secret_name(self, env: str, secret: str) -> str:
        return f"{self.prefix(env)}-{secret}"

    def event_pattern(self, subscription: Subscription) -> dict[str, list[str]]:
        return {"source": [subscription.source], "detail-type": list(subscription.detail_types)}

    def environment(self, env: str, account: str | None = None) -> dict[str, str]:
        """Environment variables every function of the service gets (besides AWS's own). Bucket names carry
        the account (they are global), so they are included when the renderer knows it."""
        variables = {
            "ESERVICES_ENV": env,
            "SERVICE_NAME": self.name,
            "POWERTOOLS_SERVICE_NAME": self.name,
            "POWERTOOLS_METRICS_NAMESPACE": METRICS_NAMESPACE,
            "POWERTOOLS_LOG_LEVEL": APPLICATION_LOG_LEVEL,
            # No pydantic plugins are used: looking for them scans every installed package on a cold start.
            "PYDANTIC_DISABLE_PLUGINS": "__all__",
            "EVENT_BUS_NAME": bus_name(env),
            "EVENT_SOURCE": self.source,
        }
        for table in self.tables:
            variables[f"TABLE_{table.name.upper()}"] = self.table_name(env, table.name)
        for queue in self.queues:
            variables[queue_variable(queue.name)] = self.queue_name(env, queue.name)
        for secret in self.secrets:
            variables[secret_variable(secret.name)] = self.secret_name(env, secret.name)
        if self.outbox_tables:
            variables[OUTBOX_TABLES_VARIABLE] = ",".join(
                self.table_name(env, t.name) for t in self.outbox_tables
            )
        if account is not None:
            for bucket in self.buckets:
                variables[f"BUCKET_{bucket.name.upper()}"] = self.bucket_name(env, bucket.name, account)
        variables.update(self.extra_environment)
        return variables


def _problems(manifest: ServiceManifest) -> list[str]:
    """Every rule the manifest breaks, in words that name the offending part."""
    checks = (
        _routes_under_the_base_path,
        _unique_names,
        _subscriptions_reach_consumers,
        _schedules_reach_jobs,
        _streams_have_a_publisher,
        _outboxes_have_a_sweeper,
        _routes_have_one_api_function,
        _citizen_routes_have_the_eid_authorizer,
        _queues_have_senders,
        _access_names_what_the_service_has,
        _alarms_are_evaluable,
        _secrets_have_readers,
    )
    return [problem for check in checks for problem in check(manifest)]


def _routes_under_the_base_path(manifest: ServiceManifest) -> Iterator[str]:
    prefix = f"{manifest.base_path}/"
    for route in manifest.routes:
        if not route.path.startswith(prefix):
            yield f"route {route.method} {route.path} must start with the service's base path {prefix}"
    for method, path in _repeated((r.method, r.path) for r in manifest.routes):
        yield f"route {method} {path} is declared twice"
    for route in manifest.routes:
        rate, burst = route.rate_limit_per_second, route.burst_limit
        if (rate is None) != (burst is None):
            yield f"route {route.method} {route.path} needs both a rate limit and a burst limit, or neither"
        elif rate is not None and burst is not None and (rate <= 0 or burst < 1):
            yield f"route {route.method} {route.path}: rate and burst limits must be positive"
        if route.roles and route.audience != "staff":
            yield f"route {route.method} {route.path}: only staff routes name a role"
        if route.role is not None and route.any_role:
            yield f"route {route.method} {route.path} names a role and any_role: name one or the other"
        if route.anonymous and route.audience != "public":
            yield f"route {route.method} {route.path} is anonymous, so its audience must be public"


def _unique_names(manifest: ServiceManifest) -> Iterator[str]:
    for kind, names in (
        ("function", (f.name for f in manifest.functions)),
        ("table", (t.name for t in manifest.tables)),
        ("subscription", (s.name for s in manifest.subscriptions)),
        ("schedule", (s.name for s in manifest.schedules)),
        ("bucket", (b.name for b in manifest.buckets)),
        ("alarm", (a.name for a in manifest.alarms)),
        # A standalone queue and a subscription's queue share the physical naming, so share the names too.
        ("queue", (*(q.name for q in manifest.queues), *(s.name for s in manifest.subscriptions))),
    ):
        for name in _repeated(names):
            yield f"{kind} name {name!r} is used twice"


def _subscriptions_reach_consumers(manifest: ServiceManifest) -> Iterator[str]:
    for subscription in manifest.subscriptions:
        where = f"subscription {subscription.name!r}"
        consumer = _target(manifest, subscription.function, "consumer", where)
        if isinstance(consumer, str):
            yield consumer
        elif subscription.visibility_timeout_s < consumer.timeout_s:
            # Lambda refuses an SQS event source whose visibility timeout is shorter than the function's.
            yield (
                f"{where}: visibility timeout {subscription.visibility_timeout_s} s is shorter than "
                f"{consumer.name!r}'s timeout {consumer.timeout_s} s"
            )


def _schedules_reach_jobs(manifest: ServiceManifest) -> Iterator[str]:
    for schedule in manifest.schedules:
        job = _target(manifest, schedule.function, "job", f"schedule {schedule.name!r}")
        if isinstance(job, str):
            yield job


def _target(manifest: ServiceManifest, name: str, kind: FunctionKind, where: str) -> Function | str:
    """The function named ``name`` if it is of ``kind``; else what is wrong with it."""
    function = next((f for f in manifest.functions if f.name == name), None)
    if function is None:
        return f"{where} targets {name!r}, which is not a function of the service"
    if function.kind != kind:
        return f"{where} targets {name!r}, a {function.kind} function, not a {kind}"
    return function


def _streams_have_a_publisher(manifest: ServiceManifest) -> Iterator[str]:
    if manifest.publisher_function is None:
        for table in manifest.tables:
            if table.stream:
                yield f"table {table.name!r} has a stream but the service has no publisher function"


def _outboxes_have_a_sweeper(manifest: ServiceManifest) -> Iterator[str]:
    """The shared publisher leaves what the bus refused to the sweeper: without one it would wait forever."""
    publisher = manifest.publisher_function
    if not manifest.outbox_tables or publisher is None or publisher.handler != PUBLISHER_HANDLER:
        return
    sweeper = manifest.sweeper_function
    if sweeper is None:
        yield (
            "a service publishing through the shared outbox publisher needs the outbox sweeper too "
            "(OUTBOX_SWEEPER and its schedule OUTBOX_SWEEP from shared.manifest)"
        )
    elif sweeper.kind != "job":
        yield f"the outbox sweeper {sweeper.name!r} must be a job, not a {sweeper.kind}"
    elif not any(s.function == sweeper.name for s in manifest.schedules):
        yield f"the outbox sweeper {sweeper.name!r} has no schedule (OUTBOX_SWEEP from shared.manifest)"


def _routes_have_one_api_function(manifest: ServiceManifest) -> Iterator[str]:
    api_functions = [f for f in manifest.functions if f.kind == "api"]
    if manifest.routes and len(api_functions) != 1:
        yield f"a service with routes has exactly one api function, not {len(api_functions)}"


def _citizen_routes_have_the_eid_authorizer(manifest: ServiceManifest) -> Iterator[str]:
    authorizer = manifest.eid_authorizer_function
    if any(r.audience == "citizen" for r in manifest.routes) and authorizer is None:
        yield "a service with citizen routes needs the e-ID authorizer (EID_AUTHORIZER from shared.manifest)"
    elif authorizer is not None and authorizer.kind != "authorizer":
        yield f"the e-ID authorizer {authorizer.name!r} must be an authorizer, not a {authorizer.kind}"


def _queues_have_senders(manifest: ServiceManifest) -> Iterator[str]:
    functions = {f.name for f in manifest.functions}
    for queue in manifest.queues:
        if not queue.senders:
            yield f"queue {queue.name!r} has no senders"
        for sender in queue.senders:
            if sender not in functions:
                yield f"queue {queue.name!r} names sender {sender!r}, which is not a function of the service"
        if not 1 <= queue.retention_days <= SQS_MAX_RETENTION_DAYS:
            yield f"queue {queue.name!r}: retention must be 1 to {SQS_MAX_RETENTION_DAYS} days"
        if queue.max_age_alarm_minutes < 1:
            yield f"queue {queue.name!r}: the age alarm needs a positive number of minutes"


def _access_names_what_the_service_has(manifest: ServiceManifest) -> Iterator[str]:
    tables = {t.name: t for t in manifest.tables}
    buckets = {b.name for b in manifest.buckets}
    for function in manifest.functions:
        where = f"function {function.name!r}"
        for declared in function.access:
            if isinstance(declared, BucketAccess):
                if declared.bucket not in buckets:
                    yield f"{where} declares access to bucket {declared.bucket!r}, which the service does not have"
                if not declared.actions:
                    yield f"{where} declares no actions on bucket {declared.bucket!r}"
                continue
            table = tables.get(declared.table)
            if table is None:
                yield f"{where} declares access to table {declared.table!r}, which the service does not have"
                continue
            if not declared.actions and not declared.indexes:
                yield f"{where} declares no actions on table {declared.table!r}"
            for index in declared.indexes:
                if index not in {i.name for i in table.indexes}:
                    yield f"{where} queries index {index!r}, which table {table.name!r} does not have"
            changes = sorted(set(declared.actions) & CHANGING_TABLE_ACTIONS)
            if table.append_only and changes:
                yield f"{where} may not {', '.join(changes)} append-only table {table.name!r}"


def _alarms_are_evaluable(manifest: ServiceManifest) -> Iterator[str]:
    for alarm in manifest.alarms:
        if alarm.period_minutes < 1 or alarm.evaluation_periods < 1:
            yield f"alarm {alarm.name!r}: period and evaluation periods must be positive"


def _secrets_have_readers(manifest: ServiceManifest) -> Iterator[str]:
    functions = {f.name for f in manifest.functions}
    for name in _repeated(s.name for s in manifest.secrets):
        yield f"secret name {name!r} is used twice"
    for secret in manifest.secrets:
        if not secret.readers:
            yield f"secret {secret.name!r} has no readers"
        for reader in secret.readers:
            if reader not in functions:
                yield f"secret {secret.name!r} names reader {reader!r}, which is not a function of the service"


def _repeated(values: Iterable[_Named]) -> list[_Named]:
    return [value for value, count in Counter(values).items() if count > 1]


# The outbox sweeper and its schedule, as every service with an outbox declares them. A run takes less than a
# minute (its timeout), so runs do not overlap; Scheduler fires at most once a minute.
# What the sweeper does to each outbox table (a streamed one): finds where the outbox starts (the table's
# creation), walks it from a watermark it holds a lease on, and deletes what it republished. It also puts its
# service's events on the bus, as the publisher does.
SWEEPER_TABLE_ACTIONS: tuple[TableAction, ...] = ("DescribeTable", "Query", "UpdateItem", "BatchWriteItem")
OUTBOX_SWEEPER = Function(
    "outboxSweeper",
    SWEEPER_HANDLER,
    "job",
    memory_mb=256,
    timeout_s=50,
    description="Republishes outbox events the stream did not deliver; alarms when the outbox falls behind",
    # What it may do is given by its role, not declared (the outbox tables are each service's own): see
    # SWEEPER_TABLE_ACTIONS.
)
OUTBOX_SWEEP = Schedule("outboxSweep", function=OUTBOX_SWEEPER.name, expression="rate(1 minute)")
# Called by API Gateway before every citizen request (no result cached: a cached policy would outlive the
# token), so it is small and quick; it touches no AWS resource.
EID_AUTHORIZER = Function(
    "eidAuthorizer",
    EID_AUTHORIZER_HANDLER,
    "authorizer",
    memory_mb=256,
    timeout_s=5,
    description="Checks the e-ID broker's ID token of a citizen's request (API Gateway's authorizer)",
)


def queue_variable(queue: str) -> str:
    """The environment variable holding a standalone queue's physical name: ``QUEUE_OUTGOING_MAIL``."""
    return "QUEUE_" + queue.upper().replace("-", "_")


def secret_variable(secret: str) -> str:
    """The environment variable holding a secret's name: ``SECRET_PAGE_TOKENS``."""
    return "SECRET_" + secret.upper().replace("-", "_")


def bus_name(env: str) -> str:
    return f"eservices-{env}"


def archive_name(env: str) -> str:
    return f"eservices-{env}-archive"


def ssm_parameter(env: str, owner: str, resource: str, attribute: str) -> str:
    """``/eservices/<env>/<owner>/<resource>/<attribute>``: how stacks find each other."""
    return f"/eservices/{env}/{owner}/{resource}/{attribute}"
