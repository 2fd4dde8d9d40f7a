"""Wiring for the Lambda entry points: built on first use, so importing a handler stays cheap."""

from __future__ import annotations

import os
from datetime import timedelta
from functools import cache
from typing import TYPE_CHECKING

from shared.adapters import aws
from shared.clock import Clock, SystemClock
from shared.composition import forget_built

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient

    from services.feedback.adapters.dynamodb import DynamoDbFeedback
    from services.feedback.adapters.search_index import FeedbackSearchIndex
    from shared.adapters.audit import DynamoDbAuditLog
    from shared.adapters.mailbox import SqsDigitalMailbox
    from shared.adapters.uploads import S3UploadStore

DEFAULT_ANSWER_DAYS = 14


@cache
def audit_log() -> DynamoDbAuditLog:
    from shared.adapters.audit import DynamoDbAuditLog

    retention = timedelta(days=int(os.environ["AUDIT_RETENTION_DAYS"]))
    return DynamoDbAuditLog(os.environ["TABLE_AUDIT"], aws.dynamodb(), retention=retention)


@cache
def feedback() -> DynamoDbFeedback:
    from services.feedback.adapters.dynamodb import DynamoDbFeedback

    return DynamoDbFeedback(os.environ["TABLE_MAIN"], aws.dynamodb(), audit=audit_log())


@cache
def search_index() -> FeedbackSearchIndex:
    from services.feedback.adapters.search_index import FeedbackSearchIndex

    return FeedbackSearchIndex(aws.dynamodb(), os.environ["TABLE_MAIN"])


def answer_days() -> int:
    return int(os.environ.get("FEEDBACK_ANSWER_DAYS", DEFAULT_ANSWER_DAYS))


@cache
def attachments() -> S3UploadStore:
    from shared.adapters.uploads import S3UploadStore

    return S3UploadStore(os.environ["BUCKET_ATTACHMENTS"], aws.s3())


@cache
def sqs() -> SQSClient:
    import boto3

    return boto3.client("sqs")


@cache
def mailbox() -> SqsDigitalMailbox:
    from services.feedback.manifest import OUTGOING_MAIL
    from shared.adapters.mailbox import SqsDigitalMailbox
    from shared.manifest import queue_variable

    return SqsDigitalMailbox(os.environ[queue_variable(OUTGOING_MAIL)], sqs())


@cache
def clock() -> Clock:
    return SystemClock()


def reset() -> None:
    """Forget every client and adapter built so far (a test's fresh cloud)."""
    forget_built(globals())
