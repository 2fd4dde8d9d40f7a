"""Services on moto in-process, provisioned from their manifests exactly as the local cloud does."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from moto import mock_aws

from infra.catalog import MANIFESTS
from infra.local.aws import AwsClients
from infra.local.plan import LocalPlan, build_plan
from infra.local.provision import Provisioned, provision
from services.bookings import dependencies as bookings_dependencies
from services.bookings import seed as bookings_seed
from services.feedback import dependencies as feedback_dependencies
from services.permits import dependencies as permits_dependencies
from services.permits import seed as permits_seed
from services.reports import dependencies as reports_dependencies
from shared.adapters import aws as aws_clients
from shared.adapters import secrets
from shared.clock import FixedClock
from shared.http import idempotency, pagination
from tests.support import feedback_handlers, permits_handlers
from tests.support.lambda_events import FakeLambdaContext
from tests.support.moto_clients import moto_clients

ENV = "test"


@dataclass(frozen=True)
class MotoCloud:
    plan: LocalPlan
    aws: AwsClients
    provisioned: Provisioned


def _forget_clients() -> None:
    # Handlers build their boto3 clients once per process (as in Lambda); each test gets fresh moto state.
    for cached in (
        idempotency._store,
        aws_clients.dynamodb,
        aws_clients.events,
        aws_clients.s3,
        pagination.service_tokens,
    ):
        cached.cache_clear()
    reports_dependencies.reset()
    bookings_dependencies.reset()
    permits_dependencies.reset()
    feedback_dependencies.reset()
    secrets.forget()


@pytest.fixture
def moto_cloud(monkeypatch: pytest.MonkeyPatch) -> Iterator[MotoCloud]:
    plan = build_plan(MANIFESTS, ENV)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    for name, value in {
        "AWS_DEFAULT_REGION": "eu-north-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_NAMESPACE": "EServicesTest",
        "AWS_LAMBDA_FUNCTION_NAME": "eservices-test-reports-api",
        **plan.service("reports").environment,
    }.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        _forget_clients()
        aws = moto_clients()
        yield MotoCloud(plan=plan, aws=aws, provisioned=provision(plan, aws))
        _forget_clients()


@pytest.fixture
def bookings_cloud(moto_cloud: MotoCloud, monkeypatch: pytest.MonkeyPatch) -> MotoCloud:
    """``moto_cloud`` with the bookings service's environment, its receptions and registers seeded."""
    for name, value in moto_cloud.plan.service("bookings").environment.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "eservices-test-bookings-api")
    _forget_clients()
    bookings_seed.handler({}, FakeLambdaContext())
    return moto_cloud


@pytest.fixture
def permits_clock() -> FixedClock:
    return FixedClock(permits_handlers.NOW)


@pytest.fixture
def permits_cloud(
    moto_cloud: MotoCloud, permits_clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> MotoCloud:
    """``moto_cloud`` with the permits service's environment, on ``permits_clock``, its registers seeded."""
    for name, value in moto_cloud.plan.service("permits").environment.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "eservices-test-permits-api")
    _forget_clients()
    monkeypatch.setattr(permits_dependencies, "clock", lambda: permits_clock)
    permits_seed.handler({"demo": False}, FakeLambdaContext())
    return moto_cloud


@pytest.fixture
def feedback_clock() -> FixedClock:
    return FixedClock(feedback_handlers.NOW)


@pytest.fixture
def feedback_cloud(
    moto_cloud: MotoCloud, feedback_clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> MotoCloud:
    """``moto_cloud`` with the feedback service's environment, on ``feedback_clock``; no demo feedback seeded,
    so every number and figure is the test's own."""
    for name, value in moto_cloud.plan.service("feedback").environment.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "eservices-test-feedback-api")
    _forget_clients()
    monkeypatch.setattr(feedback_dependencies, "clock", lambda: feedback_clock)
    return moto_cloud
