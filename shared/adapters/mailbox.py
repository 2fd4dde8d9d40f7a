"""Outgoing digital mail: letters go onto the sending service's outgoing-mail queue (SQS).

In AWS a connector drains the queue and delivers each letter through Mina meddelanden (recipient lookup in
FaR, then the citizen's chosen mailbox, or paper when they have none). Locally the letters stay in moto's
queue, where tests read them.

The message body is the letter as JSON and holds the recipient's personnummer, because the mailbox
infrastructure is addressed by it: personal data, so the queue is encrypted with the service's key, and neither
this adapter nor the connector logs a body.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from shared.letters import DigitalLetter

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient

# The connector drops a second copy of a letter by this attribute (a send can be retried after a failure).
MESSAGE_ID_ATTRIBUTE = "letterId"


class SqsDigitalMailbox:
    def __init__(self, queue_name: str, client: SQSClient) -> None:
        self.queue_name = queue_name
        self._client = client

    @cached_property
    def queue_url(self) -> str:
        return self._client.get_queue_url(QueueName=self.queue_name)["QueueUrl"]

    def send(self, letter: DigitalLetter) -> None:
        self._client.send_message(
            QueueUrl=self.queue_url,
            MessageBody=letter.model_dump_json(by_alias=True),
            MessageAttributes={
                MESSAGE_ID_ATTRIBUTE: {"DataType": "String", "StringValue": letter.message_id}
            },
        )
