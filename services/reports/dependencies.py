"""Wiring for the Lambda entry points: built on first use, so importing a handler stays cheap."""

from __future__ import annotations

import os
from datetime import timedelta
from functools import cache
from typing import TYPE_CHECKING

import boto3

from services.reports.adapters.attachments import S3AttachmentStore
from services.reports.adapters.case_work import DynamoDbCaseWork
from services.reports.adapters.dynamodb import (
    DynamoDbReportRepository,
    DynamoDbStolenGoodsIndex,
    DynamoDbTipRepository,
    DynamoDbTriageBacklog,
)
from services.reports.adapters.found_items import DynamoDbFoundItemRepository, DynamoDbReportedPropertyIndex
from services.reports.adapters.registers import DynamoDbCompanyRegister, DynamoDbPopulationRegister
from services.reports.domain.authority import Registers
from services.reports.domain.decisions import RuleSet, current_rule_set
from services.reports.manifest import (
    AUDIT_RETENTION_DAYS_VARIABLE,
    OUTGOING_MAIL,
    TRIAGE_OVERDUE_MINUTES_VARIABLE,
)
from shared.adapters import aws
from shared.adapters.audit import DynamoDbAuditLog
from shared.adapters.mailbox import SqsDigitalMailbox
from shared.clock import Clock, SystemClock
from shared.composition import forget_built
from shared.manifest import queue_variable

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient


@cache
def repository() -> DynamoDbReportRepository:
    return DynamoDbReportRepository(os.environ["TABLE_MAIN"], aws.dynamodb())


@cache
def triage_backlog() -> DynamoDbTriageBacklog:
    return DynamoDbTriageBacklog(os.environ["TABLE_MAIN"], aws.dynamodb())


def triage_overdue_after() -> timedelta:
    return timedelta(minutes=int(os.environ[TRIAGE_OVERDUE_MINUTES_VARIABLE]))


@cache
def stolen_goods() -> DynamoDbStolenGoodsIndex:
    return DynamoDbStolenGoodsIndex(os.environ["TABLE_MAIN"], aws.dynamodb())


@cache
def tips() -> DynamoDbTipRepository:
    return DynamoDbTipRepository(os.environ["TABLE_MAIN"], aws.dynamodb())


@cache
def population() -> DynamoDbPopulationRegister:
    return DynamoDbPopulationRegister(os.environ["TABLE_MAIN"], aws.dynamodb())


@cache
def companies() -> DynamoDbCompanyRegister:
    return DynamoDbCompanyRegister(os.environ["TABLE_MAIN"], aws.dynamodb())


def registers() -> Registers:
    return Registers(population=population(), companies=companies())


@cache
def clock() -> Clock:
    return SystemClock()


@cache
def found_items() -> DynamoDbFoundItemRepository:
    return DynamoDbFoundItemRepository(os.environ["TABLE_MAIN"], aws.dynamodb(), audit=audit_log())


@cache
def reported_property() -> DynamoDbReportedPropertyIndex:
    return DynamoDbReportedPropertyIndex(os.environ["TABLE_MAIN"], aws.dynamodb())


@cache
def audit_log() -> DynamoDbAuditLog:
    retention = timedelta(days=int(os.environ[AUDIT_RETENTION_DAYS_VARIABLE]))
    return DynamoDbAuditLog(os.environ["TABLE_AUDIT"], aws.dynamodb(), retention=retention)


@cache
def case_work() -> DynamoDbCaseWork:
    return DynamoDbCaseWork(os.environ["TABLE_MAIN"], aws.dynamodb(), audit=audit_log())


@cache
def sqs() -> SQSClient:
    return boto3.client("sqs")


def outgoing_mail_queue() -> str:
    """The queue's physical name, as the manifest's environment gives it (the stack creates the queue)."""
    return os.environ[queue_variable(OUTGOING_MAIL)]


@cache
def mailbox() -> SqsDigitalMailbox:
    return SqsDigitalMailbox(outgoing_mail_queue(), sqs())


def decision_rules() -> RuleSet:
    return current_rule_set()


@cache
def attachments() -> S3AttachmentStore:
    return S3AttachmentStore(os.environ["BUCKET_ATTACHMENTS"], aws.s3())


def reset() -> None:
    """Forget every client and adapter built so far (a test's fresh cloud)."""
    forget_built(globals())
