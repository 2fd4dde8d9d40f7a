"""Dead letters: what failed for good, and sending it back to be handled again (``make redrive``).

    python -m infra.local.redrive                      # every dead-letter and failure queue: count, oldest, a peek
    python -m infra.local.redrive <queue>              # re-drive one DLQ into the queue it came from
    python -m infra.local.redrive all                  # re-drive every DLQ that holds messages
    python -m infra.local.redrive --aws --env prod ... # the same against AWS, with your own credentials

Three kinds of queue end an asynchronous path (see ``docs/dead-letters.md``):

- a subscription's **DLQ** holds the EventBridge events its consumer failed ``maxReceiveCount`` times.
  Re-driving moves them back to the subscription's queue, where the consumer gets them again; consumers are
  idempotent, and every side effect (a letter, a block) is recorded with the state it changes, so a
  re-drive never repeats one however late it comes.
- a publisher's **failure queue** holds where stream records are that the publisher gave up on (a shard and
  sequence numbers, not the events). Nothing to re-drive: the outbox items are still in the table, and the
  outbox sweeper publishes every item that never reached the bus. Purge the records once understood.
- a job's **failure queue** holds the scheduled runs that failed. Nothing to re-drive either: every job is
  idempotent and its next scheduled run does the work. Purge once understood.

In AWS, SQS moves messages back itself (``StartMessageMoveTask``, what the console's "Start DLQ redrive" does).
moto does not implement that call, so against the local cloud the messages are moved here with receive,
send and delete: the same outcome (the message body and attributes in the source queue, its receive count
starting afresh), in the same module, so both ways stay side by side.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal

from infra.local.plan import LocalPlan, build_plan

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_sqs.type_defs import MessageTypeDef, SendMessageBatchRequestEntryTypeDef

QueueKind = Literal["subscription", "publisher", "job"]

# How long messages looked at stay hidden while the listing reads past them; they are made visible again
# straight after, so a consumer or another look is never kept waiting.
_SCAN_VISIBILITY_S = 30
# A listing reads at most this many messages per queue for the oldest; beyond, it says so.
SCAN_LIMIT = 1000
PEEK = 3
# A moved message stays hidden in the DLQ for this long between being copied and being deleted.
_MOVE_VISIBILITY_S = 60
# Fields of an event's data safe to show an operator: identifiers of cases, never personal data.
_SUBJECT_FIELDS = ("caseNumber", "foundItemId", "bookingNumber")

RECOVERY: dict[QueueKind, str] = {
    "subscription": "re-drive it: its consumer gets the events again (idempotent; side effects happen once)",
    "publisher": (
        "nothing to re-drive: the outbox items are still in the table and the outbox sweeper publishes every "
        "one that never reached the bus; purge the records once understood"
    ),
    "job": (
        "nothing to re-drive: the job is idempotent and its next scheduled run does the work; purge the "
        "records once understood"
    ),
}


@dataclass(frozen=True)
class DeadLetterQueue:
    name: str
    kind: QueueKind
    service: str
    source: str | None = None  # a subscription DLQ: the queue it re-drives into

    @property
    def redrivable(self) -> bool:
        return self.source is not None

    @property
    def recovery(self) -> str:
        return RECOVERY[self.kind]


def dead_letter_queues(plan: LocalPlan) -> list[DeadLetterQueue]:
    """Every queue where a failed asynchronous path ends, from the manifests: subscription DLQs first."""
    consumers = {c.queue: c.service for c in plan.consumers}
    publishers = {s.failure_queue: s.service for s in plan.streams}
    jobs = {s.failure_queue: s.service for s in plan.schedules}
    queues = [
        DeadLetterQueue(q.dlq_name, "subscription", consumers.get(q.name, ""), source=q.name)
        for q in plan.queues
    ]
    for name in plan.failure_queues:
        if name in publishers:
            queues.append(DeadLetterQueue(name, "publisher", publishers[name]))
        else:
            queues.append(DeadLetterQueue(name, "job", jobs.get(name, "")))
    return queues


@dataclass(frozen=True)
class Letter:
    """One dead letter as an operator sees it: when it was first sent, and what it is, without personal data."""

    sent_at: datetime | None
    summary: dict[str, Any]


@dataclass(frozen=True)
class QueueState:
    queue: DeadLetterQueue
    count: int
    oldest: datetime | None
    scanned: int
    peek: list[Letter] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "queue": self.queue.name,
            "kind": self.queue.kind,
            "service": self.queue.service,
            "redrivesInto": self.queue.source,
            "recovery": self.queue.recovery,
            "count": self.count,
            "oldest": self.oldest.isoformat() if self.oldest else None,
            "scanned": self.scanned,
            "peek": [
                {"sentAt": letter.sent_at.isoformat() if letter.sent_at else None, **letter.summary}
                for letter in self.peek
            ],
        }


class DeadLetters:
    """Dead-letter and failure queues of one environment, through an SQS client (moto's or AWS's)."""

    def __init__(self, sqs: SQSClient, queues: Sequence[DeadLetterQueue], *, local: bool) -> None:
        self._sqs = sqs
        self.queues = list(queues)
        self._local = local
        self._urls: dict[str, str] = {}

    def find(self, name: str) -> DeadLetterQueue:
        """A queue by its physical name, or by a unique end of it (``bookings-documents-dlq``)."""
        exact = [q for q in self.queues if q.name == name]
        matches = exact or [q for q in self.queues if q.name.endswith(name)]
        if len(matches) != 1:
            known = ", ".join(q.name for q in self.queues)
            problem = "matches several queues" if matches else "is not a dead-letter or failure queue"
            raise LookupError(f"{name!r} {problem}; the queues are: {known}")
        return matches[0]

    def url(self, name: str) -> str:
        if name not in self._urls:
            self._urls[name] = self._sqs.get_queue_url(QueueName=name)["QueueUrl"]
        return self._urls[name]

    def count(self, queue: DeadLetterQueue) -> int:
        attributes = self._sqs.get_queue_attributes(
            QueueUrl=self.url(queue.name),
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        return int(attributes.get("ApproximateNumberOfMessages", 0)) + int(
            attributes.get("ApproximateNumberOfMessagesNotVisible", 0)
        )

    def state(self, queue: DeadLetterQueue, *, peek: int = PEEK) -> QueueState:
        """How many, the oldest (of at most ``SCAN_LIMIT`` looked at) and the first few, without taking any."""
        count = self.count(queue)
        if count == 0:
            return QueueState(queue, 0, None, 0)
        seen = self._scan(queue, min(count, SCAN_LIMIT))
        letters = sorted((_letter(m, queue.kind) for m in seen), key=_sent_order)
        sent = [letter.sent_at for letter in letters if letter.sent_at]
        return QueueState(
            queue, max(count, len(seen)), min(sent) if sent else None, len(seen), letters[:peek]
        )

    def states(self, *, peek: int = PEEK) -> list[QueueState]:
        return [self.state(queue, peek=peek) for queue in self.queues]

    def redrive(self, queue: DeadLetterQueue) -> str:
        """Send the DLQ's messages back to the queue they came from; what was done, in words."""
        if queue.source is None:
            raise ValueError(f"{queue.name} is not re-driven: {queue.recovery}")
        if not self._local:
            arn = self._arn(queue.name)
            task = self._sqs.start_message_move_task(SourceArn=arn)
            return (
                f"started moving {queue.name} back into {queue.source} (SQS task {task['TaskHandle']}); "
                f"follow it with: aws sqs list-message-move-tasks --source-arn {arn}"
            )
        moved = self.move(queue.name, queue.source, limit=self.count(queue))
        return f"moved {moved} message(s) from {queue.name} back into {queue.source}"

    def redrive_all(self) -> list[str]:
        return [self.redrive(q) for q in self.queues if q.redrivable and self.count(q) > 0]

    def move(self, source: str, destination: str, *, limit: int) -> int:
        """What ``StartMessageMoveTask`` does, by hand: each message's body and attributes are sent to
        ``destination``, then deleted from ``source``. At most ``limit`` messages (those there at the
        start), so a message that fails again and comes back is not moved round in circles."""
        source_url, destination_url = self.url(source), self.url(destination)
        moved = 0
        while moved < limit:
            messages = self._sqs.receive_message(
                QueueUrl=source_url,
                MaxNumberOfMessages=min(10, limit - moved),
                VisibilityTimeout=_MOVE_VISIBILITY_S,
                MessageAttributeNames=["All"],
                WaitTimeSeconds=0,
            ).get("Messages", [])
            if not messages:
                break
            sent = self._sqs.send_message_batch(QueueUrl=destination_url, Entries=_copies(messages))
            if sent.get("Failed"):
                reasons = "; ".join(f"{f['Id']}: {f.get('Message', f['Code'])}" for f in sent["Failed"])
                raise RuntimeError(f"could not send back to {destination}: {reasons}")
            self._sqs.delete_message_batch(
                QueueUrl=source_url,
                Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)],
            )
            moved += len(messages)
        return moved

    def _scan(self, queue: DeadLetterQueue, limit: int) -> list[MessageTypeDef]:
        """Reads up to ``limit`` messages, then makes them visible again at once."""
        url = self.url(queue.name)
        seen: dict[str, MessageTypeDef] = {}
        handles: list[str] = []
        try:
            while len(seen) < limit:
                batch = self._sqs.receive_message(
                    QueueUrl=url,
                    MaxNumberOfMessages=min(10, limit - len(seen)),
                    VisibilityTimeout=_SCAN_VISIBILITY_S,
                    MessageSystemAttributeNames=["SentTimestamp"],
                    MessageAttributeNames=["All"],
                    WaitTimeSeconds=0,
                ).get("Messages", [])
                if not batch:
                    break
                for message in batch:
                    handles.append(message["ReceiptHandle"])
                    seen.setdefault(message["MessageId"], message)
        finally:
            self._release(url, handles)
        return list(seen.values())

    def _release(self, url: str, handles: Sequence[str]) -> None:
        for start in range(0, len(handles), 10):
            chunk = handles[start : start + 10]
            self._sqs.change_message_visibility_batch(
                QueueUrl=url,
                Entries=[
                    {"Id": str(i), "ReceiptHandle": h, "VisibilityTimeout": 0} for i, h in enumerate(chunk)
                ],
            )

    def _arn(self, name: str) -> str:
        attributes = self._sqs.get_queue_attributes(QueueUrl=self.url(name), AttributeNames=["QueueArn"])
        return attributes["Attributes"]["QueueArn"]


def _copies(messages: Iterable[MessageTypeDef]) -> list[SendMessageBatchRequestEntryTypeDef]:
    entries: list[SendMessageBatchRequestEntryTypeDef] = []
    for i, message in enumerate(messages):
        entry: SendMessageBatchRequestEntryTypeDef = {"Id": str(i), "MessageBody": message["Body"]}
        attributes = message.get("MessageAttributes")
        if attributes:
            entry["MessageAttributes"] = attributes
        entries.append(entry)
    return entries


def _letter(message: MessageTypeDef, kind: QueueKind) -> Letter:
    stamp = message.get("Attributes", {}).get("SentTimestamp")
    sent_at = datetime.fromtimestamp(int(stamp) / 1000, UTC) if stamp else None
    try:
        body = json.loads(message.get("Body", ""))
    except ValueError:
        body = None
    if not isinstance(body, dict):
        return Letter(sent_at, {"unreadable": True})
    if kind == "subscription":
        return Letter(sent_at, _event_summary(body))
    if kind == "publisher":
        return Letter(sent_at, _stream_failure_summary(body))
    reason = message.get("MessageAttributes", {}).get("ErrorMessage")
    error = reason.get("StringValue") if reason else None
    resources = body.get("resources") or [""]
    return Letter(
        sent_at,
        {"schedule": str(resources[0]).rsplit("/", 1)[-1], "scheduledAt": body.get("time"), "error": error},
    )


def _event_summary(event: dict[str, Any]) -> dict[str, Any]:
    detail = _mapping(event.get("detail"))
    metadata, data = _mapping(detail.get("metadata")), _mapping(detail.get("data"))
    summary: dict[str, Any] = {
        "detailType": event.get("detail-type"),
        "source": event.get("source"),
        "eventId": metadata.get("eventId"),
        "occurredAt": metadata.get("occurredAt") or event.get("time"),
    }
    summary.update({name: data[name] for name in _SUBJECT_FIELDS if name in data})
    return summary


def _mapping(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _stream_failure_summary(record: dict[str, Any]) -> dict[str, Any]:
    batch = record.get("DDBStreamBatchInfo") or {}
    context = record.get("requestContext") or {}
    return {
        "condition": context.get("condition"),
        "function": str(context.get("functionArn", "")).rsplit(":", 1)[-1],
        "shard": batch.get("shardId"),
        "firstSequence": batch.get("startSequenceNumber"),
        "lastSequence": batch.get("endSequenceNumber"),
        "records": batch.get("batchSize"),
    }


def _sent_order(letter: Letter) -> datetime:
    return letter.sent_at or datetime.max.replace(tzinfo=UTC)


# --- the command ---------------------------------------------------------------------------------------


def describe(
    states: Iterable[QueueState],
    *,
    now: datetime,
    command: Callable[[str], str] = lambda q: f"make redrive QUEUE={q}",
) -> str:
    """The listing an operator reads: per queue its count, the oldest message and a peek, and what to do."""
    lines: list[str] = []
    for state in states:
        queue = state.queue
        where = f"{queue.service} {queue.kind}" + (f", re-drives into {queue.source}" if queue.source else "")
        if state.count == 0:
            lines.append(f"{queue.name}  ({where}): empty")
            continue
        lines.append(f"{queue.name}  ({where})")
        oldest = ""
        if state.oldest:
            minutes = int((now - state.oldest).total_seconds() // 60)
            oldest = f", oldest sent {state.oldest:%Y-%m-%d %H:%M:%S} UTC ({minutes} min ago)"
            if state.scanned < state.count:
                oldest += f" among the {state.scanned} looked at"
        lines.append(f"  {state.count} message(s){oldest}")
        for letter in state.peek:
            sent = f"{letter.sent_at:%Y-%m-%d %H:%M:%S}" if letter.sent_at else "?"
            shown = "  ".join(f"{k}={v}" for k, v in letter.summary.items() if v is not None)
            lines.append(f"    {sent}  {shown}")
        if queue.redrivable:
            lines.append(f"  re-drive: {command(queue.name)}")
        else:
            lines.append(f"  {queue.recovery}")
    return "\n".join(lines)


def local_endpoint(gateway: str) -> str:
    """The moto endpoint of the local cloud listening on ``gateway``, from its health answer."""
    try:
        with urllib.request.urlopen(f"{gateway}/_local/health", timeout=5) as response:  # noqa: S310 - loopback
            health = json.load(response)
    except urllib.error.HTTPError as error:  # 503 while starting or when something is down: still says where
        health = json.load(error)
    except (urllib.error.URLError, OSError) as error:
        raise ConnectionError(
            f"no local cloud answers on {gateway} ({error}); start it with make run"
        ) from error
    endpoint = health.get("awsEndpoint")
    if not endpoint:
        raise ConnectionError(f"the local cloud on {gateway} does not say where its AWS APIs are")
    return str(endpoint)


def _client(args: argparse.Namespace) -> SQSClient:
    if args.aws:
        import boto3

        return boto3.client("sqs")  # the operator's own credentials and region
    from infra.local.aws import AwsClients

    endpoint = args.endpoint or local_endpoint(args.gateway)
    return AwsClients.connect(endpoint).sqs


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m infra.local.redrive",
        description="List dead letters (count, oldest, a peek) or re-drive a DLQ into the queue it came from.",
    )
    parser.add_argument(
        "queue", nargs="?", help="a DLQ to re-drive (its name or a unique end of it), or 'all'"
    )
    default_gateway = f"http://127.0.0.1:{os.environ.get('PORT', '3000')}"
    parser.add_argument("--gateway", default=default_gateway, help="the local cloud (default %(default)s)")
    parser.add_argument("--endpoint", help="an SQS endpoint to use instead (the local cloud's moto server)")
    parser.add_argument("--aws", action="store_true", help="AWS itself, with your credentials and region")
    parser.add_argument("--env", default="local", help="the environment's name in queue names (with --aws)")
    parser.add_argument("--json", action="store_true", help="the listing as JSON")
    args = parser.parse_args(argv)
    if args.aws and args.env == "local":
        parser.error("--aws needs --env (dev, prod, ...)")

    from infra.catalog import MANIFESTS

    try:
        letters = DeadLetters(
            _client(args), dead_letter_queues(build_plan(MANIFESTS, args.env)), local=not args.aws
        )
        if args.queue is None:
            states = letters.states()
            if args.json:
                print(json.dumps([s.to_json() for s in states], indent=2))
            else:
                print(describe(states, now=datetime.now(UTC), command=_redrive_command(args)))
            return 0
        done = letters.redrive_all() if args.queue == "all" else [letters.redrive(letters.find(args.queue))]
        print("\n".join(done) if done else "no dead letters to re-drive")
    except (LookupError, ValueError, ConnectionError) as error:
        print(error, file=sys.stderr)
        return 2
    return 0


def _redrive_command(args: argparse.Namespace) -> Callable[[str], str]:
    if args.aws:
        return lambda queue: f"python -m infra.local.redrive --aws --env {args.env} {queue}"
    port = args.gateway.rsplit(":", 1)[-1]
    return lambda queue: f"make redrive PORT={port} QUEUE={queue}"


if __name__ == "__main__":
    sys.exit(main())
