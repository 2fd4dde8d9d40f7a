"""The local cloud's pollers for the reports table, a step at a time, for tests against moto: its outbox onto
the bus (each new outbox record once), and a queue's messages taken off it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from infra.local.event_sources import is_outbox_insert, stream_event
from shared.events.publisher import handler as publish
from tests.support.lambda_events import FakeLambdaContext

if TYPE_CHECKING:
    from tests.integration.conftest import MotoCloud


class ReportsOutbox:
    def __init__(self, cloud: MotoCloud) -> None:
        self.cloud = cloud
        self.table = cloud.plan.service("reports").environment["TABLE_MAIN"]
        self.stream_arn = cloud.provisioned.stream_arns[self.table]
        self.published: set[str] = set()

    def publish_outbox(self) -> None:
        streams = self.cloud.aws.streams
        records: list[dict[str, Any]] = []
        for shard in streams.describe_stream(StreamArn=self.stream_arn)["StreamDescription"]["Shards"]:
            iterator = streams.get_shard_iterator(
                StreamArn=self.stream_arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
            )["ShardIterator"]
            records.extend(streams.get_records(ShardIterator=iterator)["Records"])
        new = [r for r in records if is_outbox_insert(r) and r["eventID"] not in self.published]
        self.published.update(r["eventID"] for r in new)
        if new:
            publish(stream_event(new, stream_arn=self.stream_arn), FakeLambdaContext())

    def take_from(self, queue: str) -> list[dict[str, Any]]:
        """The messages waiting in ``queue`` (its physical name), received and deleted, as a poller would."""
        url = self.cloud.provisioned.queue_urls[queue]
        messages: list[dict[str, Any]] = self.cloud.aws.sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=10
        ).get("Messages", [])
        for message in messages:
            self.cloud.aws.sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        return messages
