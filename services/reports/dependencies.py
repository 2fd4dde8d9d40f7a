"""Wiring for the Lambda entry points: built on first use, so importing a handler stays cheap."""

from __future__ import annotations

import os
from functools import cache

from services.reports.adapters.dynamodb import (
    DynamoDbReportRepository,
    DynamoDbStolenGoodsIndex,
    DynamoDbTipRepository,
)
from services.reports.adapters.found_items import DynamoDbFoundItemRepository, DynamoDbReportedPropertyIndex
from shared.adapters import aws
from shared.clock import Clock, SystemClock


@cache
def repository() -> DynamoDbReportRepository:
    return DynamoDbReportRepository(os.environ["TABLE_MAIN"], aws.dynamodb())


@cache
def stolen_goods() -> DynamoDbStolenGoodsIndex:
    return DynamoDbStolenGoodsIndex(os.environ["TABLE_MAIN"], aws.dynamodb())


@cache
def tips() -> DynamoDbTipRepository:
    return DynamoDbTipRepository(os.environ["TABLE_MAIN"], aws.dynamodb())


@cache
def clock() -> Clock:
    return SystemClock()


@cache
def found_items() -> DynamoDbFoundItemRepository:
    return DynamoDbFoundItemRepository(os.environ["TABLE_MAIN"], aws.dynamodb())


@cache
def reported_property() -> DynamoDbReportedPropertyIndex:
    return DynamoDbReportedPropertyIndex(os.environ["TABLE_MAIN"], aws.dynamodb())
