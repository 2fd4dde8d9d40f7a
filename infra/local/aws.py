"""boto3 clients and environment variables pointing at the local moto server."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

import boto3
import botocore.session
from botocore.config import Config

from infra.local.plan import REGION

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodbstreams import DynamoDBStreamsClient
    from mypy_boto3_events import EventBridgeClient
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_secretsmanager import SecretsManagerClient
    from mypy_boto3_sqs import SQSClient

# moto accepts any credentials; fixed dummy ones keep a developer's real profile out of the picture.
_ACCESS_KEY = "local"
_SECRET_KEY = "local"  # noqa: S105 - not a secret, moto ignores it


def aws_environment(endpoint_url: str) -> dict[str, str]:
    """What a function process needs to reach moto through boto3 exactly as it would reach AWS."""
    return {
        "AWS_ENDPOINT_URL": endpoint_url,
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ACCESS_KEY_ID": _ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": _SECRET_KEY,
        "AWS_SESSION_TOKEN": "local",
        # Keeps boto3 from resolving account-based DynamoDB endpoints, which moto does not model.
        "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
        # A developer's own ~/.aws settings (profiles, retries, endpoints) stay out of the local cloud.
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    }


@dataclass(frozen=True)
class AwsClients:
    """Clients the supervisor uses. boto3 clients are thread-safe, so pollers share them."""

    dynamodb: DynamoDBClient
    streams: DynamoDBStreamsClient
    events: EventBridgeClient
    sqs: SQSClient
    s3: S3Client
    secrets: SecretsManagerClient

    @classmethod
    def connect(cls, endpoint_url: str) -> AwsClients:
        # The supervisor runs in the developer's shell: no profile, config or credentials file of theirs applies.
        core = botocore.session.Session(
            session_vars={
                "profile": (None, None, None, None),
                "config_file": (None, None, os.devnull, None),
                "credentials_file": (None, None, os.devnull, None),
            }
        )
        session = boto3.session.Session(
            aws_access_key_id=_ACCESS_KEY,
            aws_secret_access_key=_SECRET_KEY,
            region_name=REGION,
            botocore_session=core,
        )
        # Long polls last 1 s; a generous read timeout and few retries keep failures quick and visible.
        config = Config(
            retries={"max_attempts": 2, "mode": "standard"},
            connect_timeout=2,
            read_timeout=15,
            max_pool_connections=32,
            account_id_endpoint_mode="disabled",
        )
        return cls(
            dynamodb=session.client("dynamodb", endpoint_url=endpoint_url, config=config),
            streams=session.client("dynamodbstreams", endpoint_url=endpoint_url, config=config),
            events=session.client("events", endpoint_url=endpoint_url, config=config),
            sqs=session.client("sqs", endpoint_url=endpoint_url, config=config),
            s3=session.client("s3", endpoint_url=endpoint_url, config=config),
            secrets=session.client("secretsmanager", endpoint_url=endpoint_url, config=config),
        )
