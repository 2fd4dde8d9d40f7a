"""boto3 clients, one of each per process (as Lambda reuses them between invocations).

Every user of DynamoDB in a function shares one client: a second one would load and parse the service model
again, which costs tens of milliseconds on a cold start.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

import boto3
from botocore.config import Config

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_events import EventBridgeClient
    from mypy_boto3_s3 import S3Client


@cache
def dynamodb() -> DynamoDBClient:
    return boto3.client("dynamodb")


@cache
def events() -> EventBridgeClient:
    return boto3.client("events")


@cache
def s3() -> S3Client:
    # Signature v4 for presigned POST policies on KMS-encrypted buckets.
    return boto3.client("s3", config=Config(signature_version="s3v4"))
