"""The local cloud's AWS clients against moto's in-process mock, for tests that provision a plan without the
moto server."""

from __future__ import annotations

import boto3
import pytest

from infra.local.aws import AwsClients

_SERVICES = {
    "dynamodb": "dynamodb",
    "streams": "dynamodbstreams",
    "events": "events",
    "sqs": "sqs",
    "s3": "s3",
    "secrets": "secretsmanager",
}


def use_fake_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """moto's mock answers any credentials; none of the developer's may reach a real endpoint."""
    for name, value in {
        "AWS_DEFAULT_REGION": "eu-north-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)


def moto_clients() -> AwsClients:
    """Clients made inside ``mock_aws()``: they talk to its in-process moto."""
    return AwsClients(**{field: boto3.client(service) for field, service in _SERVICES.items()})  # type: ignore[arg-type]
