"""The local cloud: moto, a pool of workers per service, the gateway, the pollers and the scheduler, together.

    with LocalCloud().start() as cloud:
        urllib.request.urlopen(f"{cloud.base_url}/_local/health")

Start-up runs the slow parts side by side: moto and the workers are separate processes that import while
the supervisor binds the gateway; provisioning waits only for moto.
"""

from __future__ import annotations

import atexit
import functools
import json
import logging
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, TextIO

from infra.local.aws import AwsClients, aws_environment
from infra.local.faults import FAULTS_FILE_VARIABLE, FaultBook
from infra.local.gateway import Gateway
from infra.local.invoker import FunctionError, ServiceWorker
from infra.local.moto_server import MotoServer
from infra.local.payments import DEFAULT_RETRY_DELAYS_S, PaymentSimulator, callback_secret_name
from infra.local.plan import FunctionPlan, LocalPlan, SchedulePlan, build_plan
from infra.local.pollers import EventTap, Poller, QueuePoller, StreamPoller, TapPoller
from infra.local.pool import WorkerPool
from infra.local.processes import LineSink
from infra.local.provision import provision
from infra.local.scheduler import Scheduler
from infra.local.tokens import TokenIssuer
from shared.manifest import ServiceManifest

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient

log = logging.getLogger("infra.local")

DEV_IDP_ISSUER = "urn:eservices:local:dev-idp"
# Worker processes per service: concurrent requests run side by side, as in separate execution environments.
DEFAULT_CONCURRENCY = 4
_STOP_JOIN_S = 3.0


class LocalCloud:
    def __init__(
        self,
        manifests: Sequence[ServiceManifest] | None = None,
        *,
        port: int = 0,
        run_dir: Path | str | None = None,
        echo_logs: bool = False,
        env: str = "local",
        concurrency: int = DEFAULT_CONCURRENCY,
        time_scale: float = 1.0,
        payment_retry_delays_s: Sequence[float] = DEFAULT_RETRY_DELAYS_S,
    ) -> None:
        """``time_scale`` below 1 makes queued messages come back sooner after a failure than in AWS (see
        ``QueuePlan.local_visibility_timeout_s``), for tests that must see retries; 1 is AWS's timing.
        ``payment_retry_delays_s`` are the payment simulator's waits before it delivers a callback again."""
        if concurrency < 1:
            raise ValueError(f"concurrency must be at least 1, not {concurrency}")
        if not 0 < time_scale <= 1:
            raise ValueError(f"the time scale must be above 0 and at most 1, not {time_scale}")
        if manifests is None:
            from infra.catalog import MANIFESTS

            manifests = MANIFESTS
        self.plan: LocalPlan = build_plan(manifests, env, fast_outbox_sweep=True)
        # The payment provider's simulator; it refuses payments while no permits service declares the secret.
        self.payments = PaymentSimulator(
            callback_secret_name(manifests, env), retry_delays_s=payment_retry_delays_s
        )
        self.run_dir = Path(run_dir) if run_dir else Path(tempfile.mkdtemp(prefix="eservices-local-"))
        self.tokens = TokenIssuer(issuer=DEV_IDP_ISSUER)
        self.tap = EventTap()
        self.startup_seconds: float | None = None
        self.concurrency = concurrency
        self.time_scale = time_scale
        self._port = port
        self._echo: LineSink | None = _ConsoleEcho(sys.stdout) if echo_logs else None
        self._stop_event = threading.Event()
        # Set after each invocation of a service's functions: their writes are what its streams carry.
        self._stream_wakes = {service.name: threading.Event() for service in self.plan.services}
        self.faults: FaultBook | None = None
        self._moto: MotoServer | None = None
        self._pools: dict[str, WorkerPool] = {}
        self._gateway: Gateway | None = None
        self._loops: list[Poller | Scheduler] = []
        self._log_handler: logging.Handler | None = None
        self._previous_level = logging.NOTSET
        self._ready = False
        self._stopped = False

    # --- public ------------------------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        if self._gateway is None:
            raise RuntimeError("the local cloud has not started")
        return self._gateway.url

    @property
    def aws_endpoint(self) -> str:
        if self._moto is None:
            raise RuntimeError("the local cloud has not started")
        return self._moto.url

    @property
    def aws_pid(self) -> int | None:
        """The moto server's process id."""
        return self._moto.pid if self._moto else None

    @property
    def logs_dir(self) -> Path:
        return self.run_dir / "logs"

    def start(self, timeout_s: float = 30.0) -> LocalCloud:
        if self._moto is not None:
            raise RuntimeError("a local cloud starts once; make a new one to start again")
        started = time.monotonic()
        deadline = started + timeout_s
        atexit.register(self.stop)
        try:
            self._start(deadline)
        except BaseException:
            self.stop()
            raise
        self.startup_seconds = time.monotonic() - started
        log.info(
            "local cloud ready on %s in %.2f s (logs in %s)",
            self.base_url,
            self.startup_seconds,
            self.logs_dir,
        )
        return self

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        self._ready = False
        self._stop_event.set()
        for wake in self._stream_wakes.values():
            wake.set()
        for loop in self._loops:
            loop.join(_STOP_JOIN_S)
        self.payments.stop()
        if self._gateway:
            self._gateway.stop()
        for pool in self._pools.values():
            pool.stop()
        if self._moto:
            self._moto.stop()
        self._detach_log_file()
        atexit.unregister(self.stop)

    def invoke(self, service: str, function: str, event: Any) -> Any:
        """Invoke a function by its logical name (``"triage"``) or physical one; raises FunctionError."""
        plan = self.plan.service(service)
        names = {f.name for f in plan.functions} | ({plan.seed.name} if plan.seed else set())
        physical = function if function in names else f"{plan.prefix}-{function}"
        if physical not in names:
            raise ValueError(f"{service} has no function {function!r}")
        return self._invoke(service, physical, event)

    def worker_pids(self, service: str) -> list[int]:
        """The process ids of the service's workers, one per execution environment."""
        return self._pools[service].pids

    def __enter__(self) -> LocalCloud:
        if self.startup_seconds is None:
            self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # --- start-up ----------------------------------------------------------------------------------------

    def _start(self, deadline: float) -> None:
        self.logs_dir.mkdir(parents=True, exist_ok=True)
        for old in self.logs_dir.glob("*.log"):
            old.unlink()
        self._attach_log_file()

        self._moto = MotoServer(self.logs_dir / "moto.log")
        self._moto.start()
        # Faults the tests inject (/_local/faults), read by every worker from this file.
        self.faults = FaultBook(
            self.run_dir / "faults.json",
            {
                service.name: {f.name.removeprefix(f"{service.prefix}-") for f in service.functions}
                for service in self.plan.services
            },
        )
        aws_env = {**aws_environment(self._moto.url), FAULTS_FILE_VARIABLE: str(self.faults.path)}
        for service in self.plan.services:
            # The workers of a service share its log, as a function's environments share its log group.
            log_path = self.logs_dir / f"{service.name}.log"
            workers = [ServiceWorker(service, aws_env, log_path, self._echo) for _ in range(self.concurrency)]
            pool = WorkerPool(service.name, workers)
            pool.start()
            self._pools[service.name] = pool
        self._gateway = Gateway(
            self.plan,
            invoke=self._invoke,
            tokens=self.tokens,
            tap=self.tap,
            health=self._health,
            faults=self.faults,
            payments=self.payments,
            port=self._port,
        )
        self._gateway.start()

        self._moto.wait_ready(deadline)
        aws = AwsClients.connect(self._moto.url)
        provisioned = provision(self.plan, aws, time_scale=self.time_scale)
        self.payments.connect(aws.secrets)
        for pool in self._pools.values():
            pool.wait_ready(deadline)
        self._seed()

        for stream in self.plan.streams:
            table = next(t for t in self.plan.tables if t.name == stream.table)
            self._loops.append(
                StreamPoller(
                    table=stream.table,
                    partition_key=table.partition_key,
                    stream_arn=provisioned.stream_arns[stream.table],
                    function=stream.function,
                    invoke=functools.partial(self._invoke, stream.service),
                    streams=aws.streams,
                    failure_queue_url=provisioned.queue_urls[stream.failure_queue],
                    sqs=aws.sqs,
                    stop=self._stop_event,
                    wake=self._stream_wakes[stream.service],
                )
            )
        for consumer in self.plan.consumers:
            self._loops.append(
                QueuePoller(
                    queue_url=provisioned.queue_urls[consumer.queue],
                    queue_arn=provisioned.queue_arns[consumer.queue],
                    function=consumer.function,
                    batch_size=consumer.batch_size,
                    invoke=functools.partial(self._invoke, consumer.service),
                    sqs=aws.sqs,
                    stop=self._stop_event,
                )
            )
        self._loops.append(
            TapPoller(
                queue_url=provisioned.queue_urls[self.plan.tap_queue],
                tap=self.tap,
                sqs=aws.sqs,
                stop=self._stop_event,
            )
        )
        by_function = {f.name: s.name for s in self.plan.services for f in s.functions}
        self._loops.append(
            Scheduler(
                self.plan.schedules,
                lambda function, event: self._invoke(by_function[function], function, event),
                self._stop_event,
                on_failure=functools.partial(_record_job_failure, aws.sqs, provisioned.queue_urls),
            )
        )
        for loop in self._loops:
            loop.start()
        self._ready = True
        self._gateway.accept_service_traffic()

    def _seed(self) -> None:
        """Reference data, loaded by each service's own code inside its own worker, before health says ok.

        Services seed side by side: each seed imports its service's code cold, and they share nothing.
        """
        seeds = [(service.name, service.seed) for service in self.plan.services if service.seed is not None]
        if seeds:
            with ThreadPoolExecutor(len(seeds), thread_name_prefix="seed") as pool:
                for failure in pool.map(lambda seed: self._seed_service(*seed), seeds):
                    if failure:
                        raise failure

    def _seed_service(self, service: str, seed: FunctionPlan) -> RuntimeError | None:
        try:
            self._invoke(service, seed.name, {})
        except FunctionError as exc:
            log_path = self.logs_dir / f"{service}.log"
            return RuntimeError(f"seeding {service} failed: {exc.message} (see {log_path})")
        log.info("seeded %s with %s", service, seed.handler)
        return None

    def _invoke(self, service: str, function: str, event: Any) -> Any:
        try:
            return self._pools[service].invoke(function, event)
        finally:
            self._stream_wakes[service].set()

    def _health(self) -> tuple[bool, dict[str, Any]]:
        """Ready once started, while every worker and the moto server answer. Once started, anything down
        makes health ``down`` (503): the services cannot work without their AWS APIs."""
        with ThreadPoolExecutor(len(self._pools) + 1, thread_name_prefix="health") as checks:
            pings = {name: checks.submit(pool.ping) for name, pool in self._pools.items()}
            moto_answers = checks.submit(lambda: bool(self._moto and self._moto.answers()))
            services = {name: "ok" if ping.result() else "down" for name, ping in pings.items()}
            aws_apis = "ok" if moto_answers.result() else "down"
        ready = self._ready and aws_apis == "ok" and all(state == "ok" for state in services.values())
        details: dict[str, Any] = {
            "services": services,
            "awsApis": aws_apis,
            "concurrency": self.concurrency,
            "timeScale": self.time_scale,
            "bus": self.plan.bus,
            # Everything lives in the moto server's memory: a restart starts from the seed data again.
            "persistence": "in memory, gone on restart",
        }
        if self._ready and not ready:
            details["status"] = "down"
        if self._moto:
            details["awsEndpoint"] = self._moto.url
        return ready, details

    def _attach_log_file(self) -> None:
        handler = logging.FileHandler(self.logs_dir / "local.log", encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        log.addHandler(handler)
        self._previous_level = log.level
        if log.getEffectiveLevel() > logging.INFO:
            log.setLevel(logging.INFO)
        self._log_handler = handler

    def _detach_log_file(self) -> None:
        if self._log_handler:
            log.removeHandler(self._log_handler)
            self._log_handler.close()
            log.setLevel(self._previous_level)
            self._log_handler = None


def _record_job_failure(
    sqs: SQSClient,
    queue_urls: dict[str, str],
    schedule: SchedulePlan,
    event: dict[str, Any],
    error: Exception,
) -> None:
    """What Lambda puts in a job's dead-letter queue when an asynchronous invocation fails: the event, and
    why in message attributes. (Lambda first retries twice, minutes apart; locally the run is recorded at once.)"""
    sqs.send_message(
        QueueUrl=queue_urls[schedule.failure_queue],
        MessageBody=json.dumps(event),
        MessageAttributes={
            "RequestID": {"DataType": "String", "StringValue": str(event["id"])},
            # The invocation itself succeeded; the function failed.
            "ErrorCode": {"DataType": "Number", "StringValue": "200"},
            "ErrorMessage": {"DataType": "String", "StringValue": str(error)[:1024]},
        },
    )


class _ConsoleEcho:
    """Worker output on the console, each line prefixed with its service, for ``make run``."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._lock = threading.Lock()

    def __call__(self, name: str, line: str) -> None:
        with self._lock:
            self._stream.write(f"{name:>10} | {line}\n")
            self._stream.flush()
