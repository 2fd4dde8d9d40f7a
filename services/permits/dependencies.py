"""Wiring for the Lambda entry points: built on first use, so importing a handler stays cheap.

Each adapter is imported where it is built: a function loads only the adapters (and the domain behind them)
that its own requests use.
"""

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

    from services.permits.adapters.dynamodb import DynamoDbPermits
    from services.permits.adapters.registers import DynamoDbCompanyRegister, DynamoDbSuitabilityRegister
    from services.permits.domain.rules import PermitRules
    from shared.adapters.audit import DynamoDbAuditLog
    from shared.adapters.mailbox import SqsDigitalMailbox
    from shared.adapters.uploads import S3UploadStore


def _table() -> str:
    return os.environ["TABLE_MAIN"]


def _secret(name: str) -> bytes:
    from shared.adapters.secrets import secret_bytes
    from shared.manifest import secret_variable

    return secret_bytes(os.environ[secret_variable(name)])


def holder_secret() -> bytes:
    from services.permits.manifest import HOLDER_KEYS

    return _secret(HOLDER_KEYS)


def payment_callback_secrets() -> tuple[bytes, ...]:
    """The secrets a payment callback may be signed with: the current one and, while a rotation is under way,
    the previous one."""
    from services.permits.manifest import PAYMENT_CALLBACK_SECRET
    from shared.adapters.secrets import current_and_previous
    from shared.manifest import secret_variable

    return current_and_previous(os.environ[secret_variable(PAYMENT_CALLBACK_SECRET)])


@cache
def audit_log() -> DynamoDbAuditLog:
    from shared.adapters.audit import DynamoDbAuditLog

    retention = timedelta(days=int(os.environ["AUDIT_RETENTION_DAYS"]))
    return DynamoDbAuditLog(os.environ["TABLE_AUDIT"], aws.dynamodb(), retention=retention)


@cache
def permits() -> DynamoDbPermits:
    """Applications and the register of licences (one table: a grant changes both at once)."""
    from services.permits.adapters.dynamodb import DynamoDbPermits

    return DynamoDbPermits(_table(), aws.dynamodb(), audit=audit_log(), holder_secret=holder_secret)


@cache
def companies() -> DynamoDbCompanyRegister:
    from services.permits.adapters.registers import DynamoDbCompanyRegister

    return DynamoDbCompanyRegister(_table(), aws.dynamodb())


@cache
def suitability() -> DynamoDbSuitabilityRegister:
    from services.permits.adapters.registers import DynamoDbSuitabilityRegister

    return DynamoDbSuitabilityRegister(_table(), aws.dynamodb())


@cache
def sketches() -> S3UploadStore:
    from shared.adapters.uploads import S3UploadStore

    return S3UploadStore(os.environ["BUCKET_SKETCHES"], aws.s3())


@cache
def sqs() -> SQSClient:
    import boto3

    return boto3.client("sqs")


@cache
def mailbox() -> SqsDigitalMailbox:
    from services.permits.manifest import OUTGOING_MAIL
    from shared.adapters.mailbox import SqsDigitalMailbox
    from shared.manifest import queue_variable

    return SqsDigitalMailbox(os.environ[queue_variable(OUTGOING_MAIL)], sqs())


def rules() -> PermitRules:
    from services.permits.domain.rules import permit_rules

    return permit_rules()


@cache
def clock() -> Clock:
    return SystemClock()


def reset() -> None:
    """Forget every client and adapter built so far (a test's fresh cloud)."""
    forget_built(globals())
