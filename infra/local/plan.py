"""What the local cloud runs, derived from the service manifests once.

Provisioning, the gateway, the workers and the pollers all read this plan, and :func:`describe_local_plan`
summarises it in the shape of the CDK inventory, so the parity test compares the data the local cloud really
uses rather than a second rendering of the manifests.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Final

from infra.local.access import policy_document
from shared.events.outbox import SWEEP_AFTER_VARIABLE
from shared.manifest import SWEEPER_HANDLER, Audience, HttpMethod, Index, ServiceManifest, bus_name

REGION: Final = "eu-north-1"
ACCOUNT_ID = "123456789012"  # moto's default account: every ARN moto hands out carries it
TAP_PATTERN: dict[str, Any] = {"source": [{"prefix": "polisen."}]}
# In the running local cloud the outbox sweeper runs every few seconds and republishes what is a few seconds
# old (in AWS: every minute, after two), so a bus outage in a test is over in seconds; the mechanism is the
# same (ADR 40). Tests that run handlers by hand keep AWS's timing: nothing sweeps behind them.
LOCAL_OUTBOX_SWEEP = "rate(3 seconds)"
LOCAL_OUTBOX_SWEEP_AFTER_S = 6


@dataclass(frozen=True)
class FunctionPlan:
    name: str  # physical, e.g. "eservices-local-reports-api"
    handler: str
    memory_mb: int
    timeout_s: int


@dataclass(frozen=True)
class RoutePlan:
    service: str
    method: HttpMethod
    path: str  # template with {param}
    audience: Audience
    function: str  # physical name of the service's api function
    rate_limit_per_second: float | None = None  # the route's own limit, on top of the service's
    burst_limit: int | None = None


@dataclass(frozen=True)
class TablePlan:
    service: str
    name: str
    partition_key: str
    sort_key: str | None
    indexes: tuple[Index, ...]
    stream: bool
    ttl_attribute: str | None


@dataclass(frozen=True)
class QueuePlan:
    name: str
    dlq_name: str
    max_receive_count: int
    visibility_timeout_s: int  # the manifest's, as the CDK stack declares it
    consumer_timeout_s: int  # the timeout of the function that drains it

    def local_visibility_timeout_s(self, time_scale: float = 1.0) -> int:
        """The visibility timeout the local queue gets: the manifest's times ``time_scale`` (1 is AWS's
        timing), but never shorter than the consumer's timeout. Lambda refuses a queue whose visibility
        timeout is shorter than its function's, so in AWS a message never comes back while the invocation
        that received it may still run; the local queue keeps that promise at any scale."""
        if time_scale <= 0:
            raise ValueError(f"the time scale must be positive, not {time_scale}")
        return max(self.consumer_timeout_s, math.ceil(self.visibility_timeout_s * time_scale))


@dataclass(frozen=True)
class StandaloneQueuePlan:
    """A queue the service's functions send to and nothing local drains (see ``shared.manifest.Queue``)."""

    name: str
    retention_days: int


@dataclass(frozen=True)
class RulePlan:
    name: str
    pattern: dict[str, Any]
    queue: str


@dataclass(frozen=True)
class ConsumerPlan:
    service: str
    queue: str
    function: str
    batch_size: int


@dataclass(frozen=True)
class StreamPlan:
    service: str
    table: str
    function: str  # the service's outbox publisher
    failure_queue: str  # where a record that keeps failing is recorded


@dataclass(frozen=True)
class SchedulePlan:
    service: str
    name: str  # physical
    function: str
    expression: str
    failure_queue: str  # the job's: where a failed run is recorded


@dataclass(frozen=True)
class ServicePlan:
    name: str
    prefix: str  # of its physical names, e.g. "eservices-local-reports"
    environment: dict[str, str]
    functions: tuple[FunctionPlan, ...]
    seed: FunctionPlan | None
    rate_limit_per_second: int
    burst_limit: int
    max_body_bytes: int
    # What each function may do to the service's resources, as its role in AWS allows (infra/local/access.py).
    access: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class LocalPlan:
    env: str
    bus: str
    services: tuple[ServicePlan, ...]
    routes: tuple[RoutePlan, ...]
    tables: tuple[TablePlan, ...]
    queues: tuple[QueuePlan, ...]
    failure_queues: tuple[str, ...]
    standalone_queues: tuple[StandaloneQueuePlan, ...]
    rules: tuple[RulePlan, ...]
    buckets: tuple[str, ...]
    secrets: tuple[str, ...]  # physical names; each gets a random value at start
    streams: tuple[StreamPlan, ...]
    consumers: tuple[ConsumerPlan, ...]
    schedules: tuple[SchedulePlan, ...]
    tap_queue: str
    tap_rule: str

    def service(self, name: str) -> ServicePlan:
        return next(s for s in self.services if s.name == name)


def build_plan(
    manifests: Iterable[ServiceManifest], env: str = "local", *, fast_outbox_sweep: bool = False
) -> LocalPlan:
    services: list[ServicePlan] = []
    routes: list[RoutePlan] = []
    tables: list[TablePlan] = []
    queues: list[QueuePlan] = []
    failure_queues: list[str] = []
    standalone_queues: list[StandaloneQueuePlan] = []
    rules: list[RulePlan] = []
    buckets: list[str] = []
    secrets: list[str] = []
    streams: list[StreamPlan] = []
    consumers: list[ConsumerPlan] = []
    schedules: list[SchedulePlan] = []

    for manifest in manifests:
        services.append(_service_plan(manifest, env, fast_outbox_sweep))
        api = manifest.function_name(env, manifest.api_function.name) if manifest.routes else ""
        routes.extend(
            RoutePlan(
                manifest.name, r.method, r.path, r.audience, api, r.rate_limit_per_second, r.burst_limit
            )
            for r in manifest.routes
        )
        for table in manifest.tables:
            physical = manifest.table_name(env, table.name)
            tables.append(
                TablePlan(
                    manifest.name,
                    physical,
                    table.partition_key,
                    table.sort_key,
                    table.indexes,
                    table.stream,
                    table.ttl_attribute,
                )
            )
            publisher = manifest.publisher_function
            if table.stream and publisher is not None:  # the manifest guarantees one for a stream
                streams.append(
                    StreamPlan(
                        manifest.name,
                        physical,
                        manifest.function_name(env, publisher.name),
                        manifest.failure_queue_name(env, publisher.name),
                    )
                )
        failure_queues.extend(
            manifest.failure_queue_name(env, f.name) for f in manifest.asynchronous_functions
        )
        standalone_queues.extend(
            StandaloneQueuePlan(manifest.queue_name(env, q.name), q.retention_days) for q in manifest.queues
        )
        for sub in manifest.subscriptions:
            queue = manifest.queue_name(env, sub.name)
            queues.append(
                QueuePlan(
                    queue,
                    manifest.dlq_name(env, sub.name),
                    sub.max_receive_count,
                    sub.visibility_timeout_s,
                    manifest.function(sub.function).timeout_s,
                )
            )
            rules.append(
                RulePlan(manifest.rule_name(env, sub.name), dict(manifest.event_pattern(sub)), queue)
            )
            consumers.append(
                ConsumerPlan(
                    manifest.name,
                    queue,
                    manifest.function_name(env, manifest.function(sub.function).name),
                    sub.batch_size,
                )
            )
        buckets.extend(manifest.bucket_name(env, b.name, ACCOUNT_ID) for b in manifest.buckets)
        secrets.extend(manifest.secret_name(env, s.name) for s in manifest.secrets)
        schedules.extend(
            SchedulePlan(
                manifest.name,
                manifest.schedule_name(env, s.name),
                manifest.function_name(env, s.function),
                LOCAL_OUTBOX_SWEEP
                if fast_outbox_sweep and manifest.function(s.function).handler == SWEEPER_HANDLER
                else s.expression,
                manifest.failure_queue_name(env, s.function),
            )
            for s in manifest.schedules
        )

    return LocalPlan(
        env=env,
        bus=bus_name(env),
        services=tuple(services),
        routes=tuple(routes),
        tables=tuple(tables),
        queues=tuple(queues),
        failure_queues=tuple(failure_queues),
        standalone_queues=tuple(standalone_queues),
        rules=tuple(rules),
        buckets=tuple(buckets),
        secrets=tuple(secrets),
        streams=tuple(streams),
        consumers=tuple(consumers),
        schedules=tuple(schedules),
        tap_queue=f"eservices-{env}-local-tap",
        tap_rule=f"eservices-{env}-local-tap",
    )


def describe_local_plan(manifests: Iterable[ServiceManifest], env: str = "local") -> dict[str, Any]:
    """Routes, tables, queues and rules the local cloud provisions, in the shape of ``cloud_inventory()``.

    Queues are the subscriptions' (with their DLQs), the failure queues and the standalone queues. The local-only tap (its rule and
    queue) is left out: it has no counterpart in AWS.
    """
    plan = build_plan(manifests, env)
    return {
        "routes": {(r.method, r.path) for r in plan.routes},
        "tables": {t.name for t in plan.tables},
        "queues": {name for q in plan.queues for name in (q.name, q.dlq_name)}
        | set(plan.failure_queues)
        | {q.name for q in plan.standalone_queues},
        "rules": {r.name: {"pattern": r.pattern, "target_queue": r.queue} for r in plan.rules},
        "secrets": set(plan.secrets),
    }


def _service_plan(manifest: ServiceManifest, env: str, fast_outbox_sweep: bool) -> ServicePlan:
    functions = tuple(
        FunctionPlan(manifest.function_name(env, f.name), f.handler, f.memory_mb, f.timeout_s)
        for f in manifest.functions
    )
    # Older manifests may predate the field: reference data is optional.
    seed_handler: str | None = getattr(manifest, "seed_handler", None)
    seed = FunctionPlan(manifest.function_name(env, "seed"), seed_handler, 512, 60) if seed_handler else None
    environment = manifest.environment(env, ACCOUNT_ID)
    if fast_outbox_sweep and manifest.sweeper_function is not None:
        environment[SWEEP_AFTER_VARIABLE] = str(LOCAL_OUTBOX_SWEEP_AFTER_S)
    return ServicePlan(
        name=manifest.name,
        prefix=manifest.prefix(env),
        environment=environment,
        functions=functions,
        seed=seed,
        rate_limit_per_second=manifest.rate_limit_per_second,
        burst_limit=manifest.burst_limit,
        max_body_bytes=manifest.max_body_bytes,
        access=policy_document(manifest, env, ACCOUNT_ID),
    )
