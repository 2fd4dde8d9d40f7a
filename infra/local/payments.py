"""The payment provider on the laptop: takes a fee paid with an OCR reference and confirms it to the permits
service with a signed callback, as the real provider does (ADR 92). Behind ``/_local/payments``; never in AWS.

The provider and the service share a secret: the service's ``payment-callbacks`` secret, which the local
cloud provisions in moto's Secrets Manager. The simulator reads it through boto3 when a payment is made and
signs each delivery attempt with it (Standard Webhooks, ``shared/payments.py``). A delivery the service
answers with 5xx, 408 or 429, or that cannot reach it, is tried again after growing delays; any other 4xx is
the service's final word. Delivery runs on a thread of its own, so the payer is answered at once.

Outcomes a test can ask for:

- ``paid``: the callback, signed with the current secret;
- ``declined``: the card is refused; no callback;
- ``duplicateCallback``: the very same message (id and body) delivered twice, as a provider that lost the
  service's answer does; the service must confirm the fee once;
- ``badSignature``: the callback signed with a key the service does not hold, which it must refuse.
"""

from __future__ import annotations

import http.client
import logging
import secrets
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

from botocore.exceptions import BotoCoreError, ClientError

from infra.local.apigw import HttpResponse, json_response, problem
from shared.payments import (
    ID_HEADER,
    MAX_AMOUNT_SEK,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    PaymentConfirmation,
    is_payment_reference,
    sign_callback,
)

if TYPE_CHECKING:
    from mypy_boto3_secretsmanager import SecretsManagerClient

    from shared.manifest import ServiceManifest

log = logging.getLogger("infra.local.payments")

PERMITS_SERVICE = "permits"
CALLBACK_SECRET = "payment-callbacks"  # noqa: S105 - the secret's name in the manifest, not its value
CALLBACK_PATH = "/permits/v1/payment-callbacks"
OUTCOMES = ("paid", "declined", "duplicateCallback", "badSignature")
# Waits before the second, third, ... attempt; after the last the provider gives up.
DEFAULT_RETRY_DELAYS_S = (0.5, 1.0, 2.0, 4.0, 8.0)
DEFAULT_ATTEMPT_TIMEOUT_S = 10.0
# The 4xx answers that ask to be tried again rather than refuse: a timeout, and a throttle (the gateway's 429).
_COME_BACK_LATER = frozenset({HTTPStatus.REQUEST_TIMEOUT, HTTPStatus.TOO_MANY_REQUESTS})

Outcome = Literal["paid", "declined", "duplicateCallback", "badSignature"]
# delivering: an attempt is due; delivered: the service took it (2xx); refused: it answered 4xx;
# gaveUp: every attempt failed with 5xx or no answer; notSent: a declined payment has no callback.
CallbackState = Literal["delivering", "delivered", "refused", "gaveUp", "notSent"]


class InvalidPayment(ValueError):
    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"{name}: {reason}")
        self.name = name
        self.reason = reason


@dataclass(frozen=True)
class PaymentRequest:
    reference: str
    amount_sek: int
    outcome: Outcome


def parse_payment_request(body: Any) -> PaymentRequest:
    """The payment a ``POST /_local/payments`` body asks for."""
    if not isinstance(body, Mapping):
        raise InvalidPayment("body", "a JSON object is required")
    unknown = set(body) - {"reference", "amountSek", "outcome"}
    if unknown:
        raise InvalidPayment(sorted(unknown)[0], "not a payment field")
    reference = body.get("reference")
    if not isinstance(reference, str) or not is_payment_reference(reference):
        raise InvalidPayment(
            "reference", "an OCR reference: 4 to 25 digits, a length digit and a check digit"
        )
    amount = body.get("amountSek")
    if not isinstance(amount, int) or isinstance(amount, bool) or not 0 < amount <= MAX_AMOUNT_SEK:
        raise InvalidPayment("amountSek", f"whole kronor from 1 to {MAX_AMOUNT_SEK}")
    outcome = body.get("outcome", "paid")
    if outcome not in OUTCOMES:
        raise InvalidPayment("outcome", f"one of {', '.join(OUTCOMES)}")
    return PaymentRequest(reference, amount, outcome)


def callback_secret_name(manifests: Iterable[ServiceManifest], env: str) -> str | None:
    """The physical name of the permits service's callback secret, or None while no manifest declares it."""
    for manifest in manifests:
        if manifest.name == PERMITS_SERVICE and any(s.name == CALLBACK_SECRET for s in manifest.secrets):
            return manifest.secret_name(env, CALLBACK_SECRET)
    return None


@dataclass
class _Attempt:
    delivery: int
    attempt: int
    at: str
    status_code: int | None
    error: str | None

    def to_json(self) -> dict[str, Any]:
        document: dict[str, Any] = {
            "delivery": self.delivery,
            "attempt": self.attempt,
            "at": self.at,
            "statusCode": self.status_code,
        }
        if self.error:
            document["error"] = self.error
        return document


@dataclass
class _Payment:
    transaction_id: str
    reference: str
    amount_sek: int
    outcome: Outcome
    taken_at: str
    webhook_id: str | None
    callback: CallbackState
    attempts: list[_Attempt] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "transactionId": self.transaction_id,
            "reference": self.reference,
            "amountSek": self.amount_sek,
            "outcome": self.outcome,
            "status": "declined" if self.outcome == "declined" else "accepted",
            "takenAt": self.taken_at,
            "webhookId": self.webhook_id,
            "callback": self.callback,
            "attempts": [attempt.to_json() for attempt in self.attempts],
        }


class PaymentSimulator:
    """``secret_name`` is the permits service's callback secret (:func:`callback_secret_name`); None while
    there is no permits service, and then every payment is refused with 503."""

    def __init__(
        self,
        secret_name: str | None,
        *,
        retry_delays_s: Sequence[float] = DEFAULT_RETRY_DELAYS_S,
        attempt_timeout_s: float = DEFAULT_ATTEMPT_TIMEOUT_S,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        if any(delay < 0 for delay in retry_delays_s):
            raise ValueError("a retry delay cannot be negative")
        self.secret_name = secret_name
        self.retry_delays_s = tuple(retry_delays_s)
        self._attempt_timeout_s = attempt_timeout_s
        self._clock = clock
        self._secrets: SecretsManagerClient | None = None
        self._payments: dict[str, _Payment] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._deliveries: list[threading.Thread] = []

    def connect(self, secrets_client: SecretsManagerClient) -> None:
        """Where the shared secret is read, once the AWS APIs are up."""
        self._secrets = secrets_client

    def stop(self, timeout_s: float = 2.0) -> None:
        """Ends the deliveries still waiting for their next attempt."""
        self._stop.set()
        deadline = time.monotonic() + timeout_s
        with self._lock:
            deliveries = list(self._deliveries)
        for delivery in deliveries:
            delivery.join(max(0.0, deadline - time.monotonic()))

    def payments(self) -> list[dict[str, Any]]:
        """Every payment taken, oldest first, with each delivery attempt's status code."""
        with self._lock:
            return [payment.to_json() for payment in self._payments.values()]

    def payment(self, transaction_id: str) -> dict[str, Any] | None:
        with self._lock:
            payment = self._payments.get(transaction_id)
            return payment.to_json() if payment else None

    def take(self, body: Any, *, gateway_url: str) -> HttpResponse:
        """``POST /_local/payments``: the payment ``body`` asks for, its callback sent to ``gateway_url``."""
        if self.secret_name is None:
            return problem(
                HTTPStatus.SERVICE_UNAVAILABLE,
                "no-permits-service",
                "No permits service: there is nothing to pay a fee to",
                instance="/_local/payments",
            )
        try:
            request = parse_payment_request(body)
        except InvalidPayment as exc:
            return problem(
                HTTPStatus.BAD_REQUEST,
                "validation-failed",
                str(exc),
                instance="/_local/payments",
                invalid_parameters=[(exc.name, exc.reason)],
            )
        transaction_id = f"tx-{uuid.uuid4().hex[:20]}"
        paid_at = self._clock()
        if request.outcome == "declined":
            self._record(
                _Payment(
                    transaction_id=transaction_id,
                    reference=request.reference,
                    amount_sek=request.amount_sek,
                    outcome="declined",
                    taken_at=_iso(paid_at),
                    webhook_id=None,
                    callback="notSent",
                )
            )
            log.info("payment %s declined", transaction_id)
            return json_response(
                HTTPStatus.PAYMENT_REQUIRED,
                {
                    "transactionId": transaction_id,
                    "reference": request.reference,
                    "amountSek": request.amount_sek,
                    "status": "declined",
                },
            )
        try:
            key = self._key(request.outcome)
        except _SecretUnavailable as exc:
            return problem(
                HTTPStatus.SERVICE_UNAVAILABLE,
                "payment-secret-unavailable",
                str(exc),
                instance="/_local/payments",
            )
        confirmation = PaymentConfirmation(
            reference=request.reference,
            amount_sek=request.amount_sek,
            currency="SEK",
            transaction_id=transaction_id,
            paid_at=paid_at,
        )
        webhook_id = f"msg_{uuid.uuid4().hex}"
        self._record(
            _Payment(
                transaction_id=transaction_id,
                reference=request.reference,
                amount_sek=request.amount_sek,
                outcome=request.outcome,
                taken_at=_iso(paid_at),
                webhook_id=webhook_id,
                callback="delivering",
            )
        )
        deliveries = 2 if request.outcome == "duplicateCallback" else 1
        thread = threading.Thread(
            target=self._deliver,
            args=(transaction_id, webhook_id, confirmation.model_dump_json(by_alias=True).encode(), key),
            kwargs={"url": gateway_url.rstrip("/") + CALLBACK_PATH, "deliveries": deliveries},
            name=f"payment-{transaction_id}",
            daemon=True,
        )
        with self._lock:
            self._deliveries = [t for t in self._deliveries if t.is_alive()] + [thread]
        thread.start()
        return json_response(
            HTTPStatus.OK,
            {
                "transactionId": transaction_id,
                "reference": request.reference,
                "amountSek": request.amount_sek,
                "status": "accepted",
            },
        )

    # --- delivery --------------------------------------------------------------------------------------

    def _key(self, outcome: Outcome) -> bytes:
        if outcome == "badSignature":
            return secrets.token_bytes(32)
        if self._secrets is None:
            raise _SecretUnavailable("The local cloud is starting: the payment secret cannot be read yet")
        assert self.secret_name is not None
        try:
            secret = self._secrets.get_secret_value(SecretId=self.secret_name)["SecretString"]
        except (ClientError, BotoCoreError, KeyError) as exc:
            raise _SecretUnavailable(f"The payment secret {self.secret_name} cannot be read: {exc}") from None
        return secret.encode("utf-8")

    def _deliver(
        self, transaction_id: str, webhook_id: str, body: bytes, key: bytes, *, url: str, deliveries: int
    ) -> None:
        state: CallbackState = "delivered"
        for delivery in range(1, deliveries + 1):
            state = self._deliver_once(transaction_id, webhook_id, body, key, url=url, delivery=delivery)
            if state != "delivered":
                break
        with self._lock:
            self._payments[transaction_id].callback = state
        log.info("payment %s: callback %s", transaction_id, state)

    def _deliver_once(
        self, transaction_id: str, webhook_id: str, body: bytes, key: bytes, *, url: str, delivery: int
    ) -> CallbackState:
        waits = (0.0, *self.retry_delays_s)
        for attempt, wait_s in enumerate(waits, start=1):
            if self._stop.wait(wait_s):
                return "gaveUp"
            # Each attempt is signed when it is sent: a receiver refuses a timestamp minutes old.
            timestamp = int(self._clock().timestamp())
            headers = {
                "Content-Type": "application/json",
                "User-Agent": "eservices-local-payments",
                ID_HEADER: webhook_id,
                TIMESTAMP_HEADER: str(timestamp),
                SIGNATURE_HEADER: sign_callback(key, webhook_id=webhook_id, timestamp=timestamp, body=body),
            }
            status_code, error = self._post(url, headers, body)
            with self._lock:
                self._payments[transaction_id].attempts.append(
                    _Attempt(delivery, attempt, _iso(self._clock()), status_code, error)
                )
            if status_code is not None and status_code < 500 and status_code not in _COME_BACK_LATER:
                return "delivered" if 200 <= status_code < 300 else "refused"
            log.info("payment %s: attempt %d got %s", transaction_id, attempt, status_code or error)
        return "gaveUp"

    def _post(self, url: str, headers: Mapping[str, str], body: bytes) -> tuple[int | None, str | None]:
        target = urlsplit(url)
        if target.scheme != "http" or not target.hostname:
            return None, f"not a plain HTTP address: {url}"
        connection = http.client.HTTPConnection(target.hostname, target.port, timeout=self._attempt_timeout_s)
        try:
            connection.request("POST", target.path, body, dict(headers))
            response = connection.getresponse()
            response.read()
            return response.status, None
        except (OSError, http.client.HTTPException) as exc:
            return None, f"{type(exc).__name__}: {exc}"
        finally:
            connection.close()

    def _record(self, payment: _Payment) -> None:
        with self._lock:
            self._payments[payment.transaction_id] = payment


class _SecretUnavailable(Exception):
    pass


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")
