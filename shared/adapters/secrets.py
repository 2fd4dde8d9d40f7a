"""Secrets a function needs (a key of its own service), read from Secrets Manager on first use and cached.

Only the functions that need a secret read it, and only when they first need it: importing a handler makes
no call, so cold starts of requests that need no secret pay nothing for it.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

import boto3

if TYPE_CHECKING:
    from mypy_boto3_secretsmanager import SecretsManagerClient


@cache
def _client() -> SecretsManagerClient:
    return boto3.client("secretsmanager")


@cache
def secret_bytes(secret_id: str) -> bytes:
    """The secret's current value (``SecretString``, UTF-8), by name or ARN, read once per process."""
    return _client().get_secret_value(SecretId=secret_id)["SecretString"].encode()


@cache
def current_and_previous(secret_id: str) -> tuple[bytes, ...]:
    """The secret's current value and, during a rotation, the one before it (``AWSPREVIOUS``), read once per
    process: what a peer signs with may lag behind the rotation for a while."""
    values = [secret_bytes(secret_id)]
    try:
        previous = _client().get_secret_value(SecretId=secret_id, VersionStage="AWSPREVIOUS")
    except _client().exceptions.ResourceNotFoundException:
        return tuple(values)
    if previous["SecretString"].encode() not in values:
        values.append(previous["SecretString"].encode())
    return tuple(values)


def forget() -> None:
    """Drop the cached client and values (tests that start a fresh moto)."""
    _client.cache_clear()
    secret_bytes.cache_clear()
    current_and_previous.cache_clear()
