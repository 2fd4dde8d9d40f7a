"""Fees paid with an OCR reference, and the payment provider's signed callback that confirms them (ADR 92).

A reference is the digits of a number, a length digit (the reference's whole length mod 10, counting the
length digit and the check digit) and a Luhn check digit, as Swedish giro payments carry them: the bank
refuses a mistyped reference before the money moves.

The provider confirms a payment with ``POST`` of a :class:`PaymentConfirmation`, signed the Standard Webhooks
way: ``webhook-id``, ``webhook-timestamp`` (Unix seconds) and ``webhook-signature``, ``v1,<base64 HMAC-SHA256
of "<id>.<timestamp>.<body>">``; several space-separated signatures while a secret is being rotated.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from shared.i18n import InvalidValue
from shared.identity import luhn_is_valid
from shared.messages import TEXTS
from shared.models import CamelModel, Timestamp

__all__ = [
    "DEFAULT_TOLERANCE_S",
    "ID_HEADER",
    "MAX_AMOUNT_SEK",
    "MAX_REFERENCE_DIGITS",
    "MIN_REFERENCE_DIGITS",
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "CallbackRefused",
    "PaymentConfirmation",
    "PaymentReference",
    "is_payment_reference",
    "payment_reference",
    "sign_callback",
    "verify_callback",
]

MIN_REFERENCE_DIGITS = 4
MAX_REFERENCE_DIGITS = 25
MAX_AMOUNT_SEK = 1_000_000
DEFAULT_TOLERANCE_S = 300

ID_HEADER = "webhook-id"
TIMESTAMP_HEADER = "webhook-timestamp"
SIGNATURE_HEADER = "webhook-signature"
_SIGNATURE_VERSION = "v1"
# Seconds since the epoch, as a whole number: a sign, a fraction or an exponent is not a timestamp.
_UNIX_SECONDS = re.compile(r"\d{1,12}", re.ASCII)


def payment_reference(number: int) -> str:
    """The OCR reference for ``number``: its digits, the length digit, then the Luhn check digit."""
    if number < 0:
        raise ValueError(f"a payment reference is made from a number of at least 0, not {number}")
    digits = str(number)
    length = len(digits) + 2
    if not MIN_REFERENCE_DIGITS <= length <= MAX_REFERENCE_DIGITS:
        raise ValueError(
            f"{number} makes a reference of {length} digits; it must have "
            f"{MIN_REFERENCE_DIGITS} to {MAX_REFERENCE_DIGITS}"
        )
    body = f"{digits}{length % 10}"
    return next(body + str(check) for check in range(10) if luhn_is_valid(body + str(check)))


def is_payment_reference(text: str) -> bool:
    """Whether ``text`` is an OCR reference: 4 to 25 digits, a right length digit and a right check digit."""
    return _reference_refusal(text) is None


def _reference_refusal(text: str) -> str | None:
    """The text key saying what is wrong with ``text`` as a reference, or None for a good one."""
    if not (text.isascii() and text.isdigit() and MIN_REFERENCE_DIGITS <= len(text) <= MAX_REFERENCE_DIGITS):
        return "payment.reference_form"
    if int(text[-2]) != len(text) % 10:
        return "payment.reference_length_digit"
    if not luhn_is_valid(text):
        return "payment.reference_check_digit"
    return None


def _reference(value: str) -> str:
    refusal = _reference_refusal(value)
    if refusal is not None:
        raise InvalidValue(TEXTS(refusal))
    return value


PaymentReference = Annotated[
    str,
    Field(
        description=f"OCR reference: {MIN_REFERENCE_DIGITS} to {MAX_REFERENCE_DIGITS} digits, the last a length "
        "digit and a Luhn check digit",
        examples=["1234574"],
    ),
    AfterValidator(_reference),
]
"""An OCR payment reference, its length digit and check digit verified."""


class PaymentConfirmation(CamelModel):
    """The body of the provider's callback: this reference was paid this amount."""

    reference: PaymentReference
    amount_sek: int = Field(gt=0, le=MAX_AMOUNT_SEK, description="whole kronor")
    currency: Literal["SEK"]
    transaction_id: str = Field(
        min_length=1, max_length=64, pattern=r"^[A-Za-z0-9-]+$", description="the provider's own id"
    )
    paid_at: Timestamp


class CallbackRefused(Exception):
    """A callback that is not the provider's, or not now; ``reason`` says which (for the log, not the caller)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def sign_callback(secret: bytes, *, webhook_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` header value for this callback, signed with ``secret``."""
    return f"{_SIGNATURE_VERSION},{_signature(secret, webhook_id, timestamp, body)}"


def _signature(secret: bytes, webhook_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{webhook_id}.{timestamp}.".encode() + body
    return base64.b64encode(hmac.new(secret, signed, hashlib.sha256).digest()).decode("ascii")


def verify_callback(
    secrets: Sequence[bytes],
    headers: Mapping[str, str],
    body: bytes,
    *,
    now: datetime,
    tolerance_s: int = DEFAULT_TOLERANCE_S,
) -> str:
    """The callback's ``webhook-id`` once its signature by one of ``secrets`` and its timestamp hold.

    ``secrets`` holds the current secret and, while a rotation settles, the one before it. A timestamp more
    than ``tolerance_s`` from ``now`` is refused either way, so a recorded callback cannot be replayed later.
    Raises :class:`CallbackRefused`.
    """
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    if not secrets:
        raise ValueError("at least one secret is needed to verify a callback")
    by_name = {name.lower(): value for name, value in headers.items()}
    webhook_id = _header(by_name, ID_HEADER)
    written_timestamp = _header(by_name, TIMESTAMP_HEADER)
    signatures = _header(by_name, SIGNATURE_HEADER)

    if not _UNIX_SECONDS.fullmatch(written_timestamp):
        raise CallbackRefused(f"{TIMESTAMP_HEADER} is not a whole number of Unix seconds")
    timestamp = int(written_timestamp)
    offset_s = timestamp - now.timestamp()
    if offset_s < -tolerance_s:
        raise CallbackRefused(f"{TIMESTAMP_HEADER} is more than {tolerance_s} s old")
    if offset_s > tolerance_s:
        raise CallbackRefused(f"{TIMESTAMP_HEADER} is more than {tolerance_s} s ahead")

    offered = [
        value.encode("ascii", "replace")
        for version, _, value in (part.partition(",") for part in signatures.split(" ") if part)
        if version == _SIGNATURE_VERSION
    ]
    for secret in secrets:
        expected = _signature(secret, webhook_id, timestamp, body).encode("ascii")
        # Every offered signature is compared in full: how long a refusal takes says nothing about the key.
        if any([hmac.compare_digest(expected, candidate) for candidate in offered]):
            return webhook_id
    raise CallbackRefused("no signature matches a current secret")


def _header(headers: Mapping[str, str], name: str) -> str:
    value = headers.get(name, "").strip()
    if not value:
        raise CallbackRefused(f"the {name} header is missing")
    return value
