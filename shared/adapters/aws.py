"""boto3 clients, one of each per process (as Lambda reuses them between invocations).

Every user of DynamoDB in a function shares one client: a second one would load and parse the service model
again, which costs tens of milliseconds on a cold start.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

import boto3

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_events import EventBridgeClient


@cache
def dynamodb() -> DynamoDBClient:
    return boto3.client("dynamodb")


@cache
def events() -> EventBridgeClient:
    return boto3.client("events")
