"""The local payment provider: a payment's signed callback delivered to a receiver on loopback that verifies it
as the permits service will, retried on 5xx and when unreachable, never on 4xx, twice on request, and signed
with a wrong key on request. The shared secret lives in moto's Secrets Manager, as the local cloud provisions it.
"""

from __future__ import annotations

import http.client
import itertools
import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import boto3
import pytest
from moto import mock_aws

from infra.catalog import MANIFESTS
from infra.local.gateway import Gateway
from infra.local.payments import (
    CALLBACK_PATH,
    DEFAULT_RETRY_DELAYS_S,
    InvalidPayment,
    PaymentSimulator,
    callback_secret_name,
    parse_payment_request,
)
from infra.local.plan import build_plan
from infra.local.pollers import EventTap
from infra.local.tokens import TokenIssuer
from shared.manifest import Function, Route, Secret, ServiceManifest, Table
from shared.payments import CallbackRefused, PaymentConfirmation, payment_reference, verify_callback
from tests.e2e.support import eventually
from tests.support.moto_clients import use_fake_credentials

SECRET_NAME = "eservices-test-permits-payment-callbacks"
SECRET_VALUE = "a-test-secret-made-by-this-test"
REFERENCE = payment_reference(2026_000_123)
# Short waits, so the provider's growing delays are seen in a test's time.
DELAYS_S = (0.01, 0.02, 0.04)

PERMITS = ServiceManifest(
    name="permits",
    title="Permits",
    routes=(Route("POST", CALLBACK_PATH, "public"),),
    functions=(Function("api", "permits.api.handler", "api"),),
    tables=(Table("main"),),
    secrets=(Secret("payment-callbacks", readers=("api",)),),
)


@dataclass(frozen=True)
class Received:
    webhook_id: str | None
    body: bytes
    answered: int


@dataclass
class Receiver:
    """The permits service's callback route, as small as it can be: verify, then answer what it is told."""

    secrets: list[bytes]
    answers: list[int] = field(default_factory=list)  # the status of each call in turn; then 204
    received: list[Received] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)
    port: int = 0

    def handle(self, headers: dict[str, str], body: bytes) -> int:
        try:
            webhook_id: str | None = verify_callback(self.secrets, headers, body, now=datetime.now(UTC))
        except CallbackRefused as refused:
            self.refusals.append(refused.reason)
            webhook_id, status = None, 401
        else:
            PaymentConfirmation.model_validate_json(body)
            status = self.answers.pop(0) if self.answers else 204
        self.received.append(Received(webhook_id, body, status))
        return status

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver(secrets=[SECRET_VALUE.encode()])

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            assert self.path == CALLBACK_PATH
            body = self.rfile.read(int(self.headers["Content-Length"]))
            status = state.handle(dict(self.headers.items()), body)
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.port = int(server.server_address[1])
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()
    thread.join(5)


@pytest.fixture
def simulator(monkeypatch: pytest.MonkeyPatch) -> Iterator[PaymentSimulator]:
    use_fake_credentials(monkeypatch)
    with mock_aws():
        secrets = boto3.client("secretsmanager")
        secrets.create_secret(Name=SECRET_NAME, SecretString=SECRET_VALUE)
        simulator = PaymentSimulator(SECRET_NAME, retry_delays_s=DELAYS_S)
        simulator.connect(secrets)
        yield simulator
        simulator.stop()


def pay(simulator: PaymentSimulator, receiver: Receiver, **body: Any) -> dict[str, Any]:
    response = simulator.take({"reference": REFERENCE, "amountSek": 870, **body}, gateway_url=receiver.url)
    answer = json.loads(response.body)
    assert response.status == 200, answer
    assert answer == {
        "transactionId": answer["transactionId"],
        "reference": REFERENCE,
        "amountSek": 870,
        "status": "accepted",
    }
    return dict(answer)


def settled(simulator: PaymentSimulator, transaction_id: str) -> dict[str, Any]:
    def done() -> dict[str, Any] | None:
        payment = simulator.payment(transaction_id)
        return payment if payment and payment["callback"] != "delivering" else None

    return eventually(done, timeout_s=10, what=f"the callback of {transaction_id}")


def statuses(payment: dict[str, Any]) -> list[int | None]:
    return [attempt["statusCode"] for attempt in payment["attempts"]]


def test_a_paid_fee_is_confirmed_once_with_a_signed_callback(
    simulator: PaymentSimulator, receiver: Receiver
) -> None:
    answer = pay(simulator, receiver)
    payment = settled(simulator, answer["transactionId"])
    assert payment["callback"] == "delivered"
    assert statuses(payment) == [204]
    (received,) = receiver.received
    assert received.webhook_id == payment["webhookId"]
    confirmation = PaymentConfirmation.model_validate_json(received.body)
    assert (confirmation.reference, confirmation.amount_sek, confirmation.currency) == (REFERENCE, 870, "SEK")
    assert confirmation.transaction_id == answer["transactionId"]


def test_5xx_is_retried_until_the_service_takes_it(simulator: PaymentSimulator, receiver: Receiver) -> None:
    receiver.answers = [503, 503]
    payment = settled(simulator, pay(simulator, receiver)["transactionId"])
    assert payment["callback"] == "delivered"
    assert statuses(payment) == [503, 503, 204]
    assert [attempt["attempt"] for attempt in payment["attempts"]] == [1, 2, 3]
    assert len({r.webhook_id for r in receiver.received}) == 1


def test_a_service_that_never_recovers_is_given_up_on_after_the_last_delay(
    simulator: PaymentSimulator, receiver: Receiver
) -> None:
    receiver.answers = [500] * 10
    payment = settled(simulator, pay(simulator, receiver)["transactionId"])
    assert payment["callback"] == "gaveUp"
    assert statuses(payment) == [500] * (1 + len(DELAYS_S))


def test_an_unreachable_service_is_retried(simulator: PaymentSimulator) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    response = simulator.take(
        {"reference": REFERENCE, "amountSek": 870}, gateway_url=f"http://127.0.0.1:{port}"
    )
    payment = settled(simulator, json.loads(response.body)["transactionId"])
    assert payment["callback"] == "gaveUp"
    assert statuses(payment) == [None] * (1 + len(DELAYS_S))
    assert all("ConnectionRefusedError" in attempt["error"] for attempt in payment["attempts"])


def test_4xx_is_the_service_s_last_word(simulator: PaymentSimulator, receiver: Receiver) -> None:
    receiver.answers = [400]
    payment = settled(simulator, pay(simulator, receiver)["transactionId"])
    assert payment["callback"] == "refused"
    assert statuses(payment) == [400]
    assert len(receiver.received) == 1


def test_a_throttled_delivery_comes_back_later(simulator: PaymentSimulator, receiver: Receiver) -> None:
    receiver.answers = [429]
    payment = settled(simulator, pay(simulator, receiver)["transactionId"])
    assert (payment["callback"], statuses(payment)) == ("delivered", [429, 204])


def test_duplicate_callback_delivers_the_same_message_twice(
    simulator: PaymentSimulator, receiver: Receiver
) -> None:
    payment = settled(simulator, pay(simulator, receiver, outcome="duplicateCallback")["transactionId"])
    assert payment["callback"] == "delivered"
    assert [(a["delivery"], a["statusCode"]) for a in payment["attempts"]] == [(1, 204), (2, 204)]
    first, second = receiver.received
    assert first.webhook_id == second.webhook_id == payment["webhookId"]
    assert first.body == second.body


def test_bad_signature_is_refused_by_the_receiver_and_not_retried(
    simulator: PaymentSimulator, receiver: Receiver
) -> None:
    payment = settled(simulator, pay(simulator, receiver, outcome="badSignature")["transactionId"])
    assert payment["callback"] == "refused"
    assert statuses(payment) == [401]
    assert receiver.refusals == ["no signature matches a current secret"]


def test_a_declined_payment_sends_no_callback(simulator: PaymentSimulator, receiver: Receiver) -> None:
    response = simulator.take(
        {"reference": REFERENCE, "amountSek": 870, "outcome": "declined"}, gateway_url=receiver.url
    )
    assert response.status == 402
    answer = json.loads(response.body)
    assert answer["status"] == "declined"
    (payment,) = simulator.payments()
    assert (payment["transactionId"], payment["callback"], payment["attempts"]) == (
        answer["transactionId"],
        "notSent",
        [],
    )
    assert receiver.received == []


def test_the_secret_is_read_when_a_payment_is_made(simulator: PaymentSimulator, receiver: Receiver) -> None:
    boto3.client("secretsmanager").put_secret_value(SecretId=SECRET_NAME, SecretString="the-rotated-secret")
    receiver.secrets = [b"the-rotated-secret"]
    payment = settled(simulator, pay(simulator, receiver)["transactionId"])
    assert payment["callback"] == "delivered"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (None, "body"),
        ({"reference": REFERENCE[:-1] + str((int(REFERENCE[-1]) + 1) % 10), "amountSek": 870}, "reference"),
        ({"amountSek": 870}, "reference"),
        ({"reference": REFERENCE, "amountSek": 0}, "amountSek"),
        ({"reference": REFERENCE, "amountSek": "870"}, "amountSek"),
        ({"reference": REFERENCE, "amountSek": True}, "amountSek"),
        ({"reference": REFERENCE, "amountSek": 870, "outcome": "refunded"}, "outcome"),
        ({"reference": REFERENCE, "amountSek": 870, "currency": "SEK"}, "currency"),
    ],
)
def test_a_bad_request_names_the_field(body: Any, field: str) -> None:
    with pytest.raises(InvalidPayment) as refused:
        parse_payment_request(body)
    assert refused.value.name == field
    response = PaymentSimulator(SECRET_NAME).take(body, gateway_url="http://127.0.0.1:9")
    assert response.status == 400
    assert json.loads(response.body)["invalidParameters"][0]["name"] == field


def test_without_a_permits_service_payments_are_503() -> None:
    assert callback_secret_name([m for m in MANIFESTS if m.name != "permits"], "local") is None
    response = PaymentSimulator(None).take({"reference": REFERENCE, "amountSek": 870}, gateway_url="http://x")
    assert response.status == 503
    assert response.header("Content-Type") == "application/problem+json"
    assert "no permits service" in json.loads(response.body)["detail"].lower()


def test_before_the_aws_apis_are_up_payments_are_503() -> None:
    response = PaymentSimulator(SECRET_NAME).take(
        {"reference": REFERENCE, "amountSek": 870}, gateway_url="http://x"
    )
    assert response.status == 503


def test_the_secret_is_the_permits_manifest_s() -> None:
    assert callback_secret_name([PERMITS], "test") == SECRET_NAME
    assert SECRET_NAME in build_plan([PERMITS], "test").secrets


def test_the_default_delays_grow() -> None:
    assert all(later > earlier for earlier, later in itertools.pairwise(DEFAULT_RETRY_DELAYS_S))


def test_through_the_gateway_the_callback_reaches_the_permits_route(
    simulator: PaymentSimulator,
) -> None:
    """The wiring of ``make run``: ``/_local/payments`` on the gateway, the callback back through it to the
    permits service's public route, whose function here verifies it as the lead's handler will."""
    verified: list[str] = []

    def permits_api(service: str, function: str, event: dict[str, Any]) -> dict[str, Any]:
        assert (service, function, event["path"]) == ("permits", "eservices-local-permits-api", CALLBACK_PATH)
        body = event["body"].encode()
        verified.append(
            verify_callback([SECRET_VALUE.encode()], event["headers"], body, now=datetime.now(UTC))
        )
        return {"statusCode": 204, "body": ""}

    gateway = Gateway(
        build_plan([PERMITS]),
        invoke=permits_api,
        tokens=TokenIssuer(issuer="test-idp"),
        tap=EventTap(),
        health=lambda: (True, {}),
        payments=simulator,
        today=lambda: date(2026, 12, 2),
    )
    gateway.start()
    gateway.accept_service_traffic()
    try:
        connection = http.client.HTTPConnection("127.0.0.1", gateway.port, timeout=5)
        connection.request("POST", "/_local/payments", json.dumps({"reference": REFERENCE, "amountSek": 870}))
        response = connection.getresponse()
        answer = json.loads(response.read())
        assert response.status == 200, answer
        payment = settled(simulator, answer["transactionId"])
        assert payment["callback"] == "delivered"
        assert verified == [payment["webhookId"]]
        connection.request("GET", "/_local/payments")
        listed = json.loads(connection.getresponse().read())["payments"]
        assert [p["transactionId"] for p in listed] == [answer["transactionId"]]
        assert statuses(listed[0]) == [204]
        connection.close()
    finally:
        gateway.stop()
