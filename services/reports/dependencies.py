"""Wiring for the Lambda entry points: built on first use, so importing a handler stays cheap.

Each adapter is imported where it is built: a function loads only the adapters (and the domain behind them)
that its own requests use. The manifest too is imported only where one of its values is read: building it
is work on the cold path of every function that never reads one (ADR 73).
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

    from services.reports.adapters.case_work import DynamoDbCaseWork
    from services.reports.adapters.dynamodb import (
        DynamoDbReportRepository,
        DynamoDbStolenGoodsIndex,
        DynamoDbTipRepository,
        DynamoDbTriageBacklog,
    )
    from services.reports.adapters.found_items import (
        DynamoDbFoundItemRepository,
        DynamoDbReportedPropertyIndex,
    )
    from services.reports.adapters.registers import DynamoDbCompanyRegister, DynamoDbPopulationRegister
    from services.reports.domain.authority import Registers
    from services.reports.domain.decisions import RuleSet
    from shared.adapters.audit import DynamoDbAuditLog
    from shared.adapters.mailbox import SqsDigitalMailbox
    from shared.adapters.uploads import S3UploadStore


@cache
def repository() -> DynamoDbReportRepository:
    from services.reports.adapters.dynamodb import DynamoDbReportRepository

    return DynamoDbReportRepository(os.environ["TABLE_MAIN"], aws.dynamodb())


@cache
def triage_backlog() -> DynamoDbTriageBacklog:
    from services.reports.adapters.dynamodb import DynamoDbTriageBacklog

    return DynamoDbTriageBacklog(os.environ["TABLE_MAIN"], aws.dynamodb())


def triage_overdue_after() -> timedelta:
    from services.reports.manifest import TRIAGE_OVERDUE_MINUTES_VARIABLE

    return timedelta(minutes=int(os.environ[TRIAGE_OVERDUE_MINUTES_VARIABLE]))


@cache
def stolen_goods() -> DynamoDbStolenGoodsIndex:
    from services.reports.adapters.dynamodb import DynamoDbStolenGoodsIndex

    return DynamoDbStolenGoodsIndex(os.environ["TABLE_MAIN"], aws.dynamodb())


@cache
def tips() -> DynamoDbTipRepository:
    from services.reports.adapters.dynamodb import DynamoDbTipRepository

    return DynamoDbTipRepository(os.environ["TABLE_MAIN"], aws.dynamodb())


@cache
def population() -> DynamoDbPopulationRegister:
    from services.reports.adapters.registers import DynamoDbPopulationRegister

    return DynamoDbPopulationRegister(os.environ["TABLE_MAIN"], aws.dynamodb())


@cache
def companies() -> DynamoDbCompanyRegister:
    from services.reports.adapters.registers import DynamoDbCompanyRegister

    return DynamoDbCompanyRegister(os.environ["TABLE_MAIN"], aws.dynamodb())


def registers() -> Registers:
    from services.reports.domain.authority import Registers

    return Registers(population=population(), companies=companies())


@cache
def clock() -> Clock:
    return SystemClock()


@cache
def found_items() -> DynamoDbFoundItemRepository:
    from services.reports.adapters.found_items import DynamoDbFoundItemRepository

    return DynamoDbFoundItemRepository(os.environ["TABLE_MAIN"], aws.dynamodb(), audit=audit_log())


@cache
def reported_property() -> DynamoDbReportedPropertyIndex:
    from services.reports.adapters.found_items import DynamoDbReportedPropertyIndex

    return DynamoDbReportedPropertyIndex(os.environ["TABLE_MAIN"], aws.dynamodb())


@cache
def audit_log() -> DynamoDbAuditLog:
    from services.reports.manifest import AUDIT_RETENTION_DAYS_VARIABLE
    from shared.adapters.audit import DynamoDbAuditLog

    retention = timedelta(days=int(os.environ[AUDIT_RETENTION_DAYS_VARIABLE]))
    return DynamoDbAuditLog(os.environ["TABLE_AUDIT"], aws.dynamodb(), retention=retention)


@cache
def case_work() -> DynamoDbCaseWork:
    from services.reports.adapters.case_work import DynamoDbCaseWork

    return DynamoDbCaseWork(os.environ["TABLE_MAIN"], aws.dynamodb(), audit=audit_log())


@cache
def sqs() -> SQSClient:
    import boto3

    return boto3.client("sqs")


def outgoing_mail_queue() -> str:
    """The queue's physical name, as the manifest's environment gives it (the stack creates the queue)."""
    from services.reports.manifest import OUTGOING_MAIL
    from shared.manifest import queue_variable

    return os.environ[queue_variable(OUTGOING_MAIL)]


@cache
def mailbox() -> SqsDigitalMailbox:
    from shared.adapters.mailbox import SqsDigitalMailbox

    return SqsDigitalMailbox(outgoing_mail_queue(), sqs())


def decision_rules() -> RuleSet:
    from services.reports.domain.decisions import current_rule_set

    return current_rule_set()


@cache
def attachments() -> S3UploadStore:
    from shared.adapters.uploads import S3UploadStore

    return S3UploadStore(os.environ["BUCKET_ATTACHMENTS"], aws.s3())


def reset() -> None:
    """Forget every client and adapter built so far (a test's fresh cloud)."""
    forget_built(globals())
