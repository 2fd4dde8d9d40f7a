"""Opaque, tamper-evident ``nextToken`` pagination over DynamoDB queries.

A token stands for the key a list's next page starts from. A client must neither read it (table keys and the
caller's e-ID subject are in it) nor change it (a crafted start key could page into someone else's data), so a
token is sealed with the service's own key, with the Python standard library only (the Lambda runtime has no
``cryptography``):

- the start key and the time it was issued, as JSON, are encrypted with a keystream of HMAC-SHA256 blocks over
  a random 16-byte nonce and a block counter (HMAC in counter mode: a pseudorandom function as a stream
  cipher), under a key derived from the service's secret for encryption only;
- the version byte, nonce and ciphertext are authenticated with HMAC-SHA256 under a second derived key
  (encrypt-then-MAC; the 16-byte tag is compared in constant time before anything is decrypted).

A token that was forged, altered, cut short, made with another key or older than ``MAX_AGE`` is a 400
problem+json naming ``nextToken``; so is a genuine token of another caller's list (the DynamoDB toolkit's
``query_page`` refuses a start outside the partition it reads, so no route needs to know key formats;
``must_contain`` pins one here too). The secret is read on the first list request, not at import, and cached for
the life of the process (``PAGE_TOKEN_SECRET_VARIABLE`` names it; ``shared.adapters.secrets`` reads it).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import secrets
import time
from collections.abc import Callable
from functools import cache
from typing import Any

from shared.http.problems import ValidationProblem
from shared.messages import TEXTS

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
# The environment variable naming the service's secret (the manifest's ``Secret("page-tokens")``).
PAGE_TOKEN_SECRET_VARIABLE = "SECRET_PAGE_TOKENS"  # noqa: S105 - the name of a variable, not a secret
# A list is paged through in minutes; a day leaves room for a paused session and limits how long a token lives.
MAX_AGE_S = 24 * 3600
MAX_TOKEN_CHARS = 2048

_VERSION = b"\x01"
_NONCE_BYTES = 16
_TAG_BYTES = 16
_BLOCK_BYTES = hashlib.sha256().digest_size
_ENCRYPTION_LABEL = b"eservices page token v1: encryption"
_AUTHENTICATION_LABEL = b"eservices page token v1: authentication"
_EXPIRED = "has expired: start again from the first page"


class InvalidToken(ValueError):
    """Not a token this service gave out (or no longer one it accepts); ``reason`` says which."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class PageTokens:
    """Seals start keys into tokens and opens them again, under one service's key."""

    def __init__(
        self, key: bytes, *, max_age_s: int = MAX_AGE_S, clock: Callable[[], float] = time.time
    ) -> None:
        if len(key) < 32:
            raise ValueError("a page token key needs at least 32 bytes")
        self._encryption_key = hmac.digest(key, _ENCRYPTION_LABEL, "sha256")
        self._authentication_key = hmac.digest(key, _AUTHENTICATION_LABEL, "sha256")
        self._max_age_s = max_age_s
        self._clock = clock

    def seal(self, start: dict[str, Any]) -> str:
        plain = json.dumps(
            {"k": start, "t": int(self._clock())}, separators=(",", ":"), sort_keys=True
        ).encode()
        nonce = secrets.token_bytes(_NONCE_BYTES)
        sealed = _VERSION + nonce + _xor(plain, self._keystream(nonce, len(plain)))
        token = sealed + self._tag(sealed)
        return base64.urlsafe_b64encode(token).decode().rstrip("=")

    def open(self, token: str) -> dict[str, Any]:
        """The start key a token stands for; raises :class:`InvalidToken`."""
        if len(token) > MAX_TOKEN_CHARS:
            raise InvalidToken("is not a token this API gave out")
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        except (binascii.Error, ValueError):
            raise InvalidToken("is not a token this API gave out") from None
        if len(raw) < len(_VERSION) + _NONCE_BYTES + _TAG_BYTES or raw[:1] != _VERSION:
            raise InvalidToken("is not a token this API gave out")
        sealed, tag = raw[:-_TAG_BYTES], raw[-_TAG_BYTES:]
        if not hmac.compare_digest(tag, self._tag(sealed)):
            raise InvalidToken("is not a token this API gave out")
        nonce, ciphertext = sealed[1 : 1 + _NONCE_BYTES], sealed[1 + _NONCE_BYTES :]
        try:
            content = json.loads(_xor(ciphertext, self._keystream(nonce, len(ciphertext))))
            start, issued = content["k"], int(content["t"])
        except (ValueError, KeyError, TypeError):  # authentic but not ours: a key shared by mistake
            raise InvalidToken("is not a token this API gave out") from None
        if not isinstance(start, dict):
            raise InvalidToken("is not a token this API gave out")
        if not 0 <= self._clock() - issued <= self._max_age_s:
            raise InvalidToken(_EXPIRED)
        return start

    def _tag(self, sealed: bytes) -> bytes:
        return hmac.digest(self._authentication_key, sealed, "sha256")[:_TAG_BYTES]

    def _keystream(self, nonce: bytes, length: int) -> bytes:
        blocks = (length + _BLOCK_BYTES - 1) // _BLOCK_BYTES
        stream = b"".join(
            hmac.digest(self._encryption_key, nonce + counter.to_bytes(4, "big"), "sha256")
            for counter in range(blocks)
        )
        return stream[:length]


def _xor(data: bytes, stream: bytes) -> bytes:
    return bytes(a ^ b for a, b in zip(data, stream, strict=True))


@cache
def service_tokens() -> PageTokens:
    """The service's sealer, its key read from its secret on first use and kept for the process's life."""
    from shared.adapters.secrets import secret_bytes

    return PageTokens(secret_bytes(os.environ[PAGE_TOKEN_SECRET_VARIABLE]))


def encode_token(
    last_evaluated_key: dict[str, Any] | None, *, tokens: PageTokens | None = None
) -> str | None:
    if not last_evaluated_key:
        return None
    return (tokens or service_tokens()).seal(last_evaluated_key)


def decode_token(
    token: str | None, *, must_contain: dict[str, Any] | None = None, tokens: PageTokens | None = None
) -> dict[str, Any] | None:
    """The start key a token stands for. ``must_contain`` pins the partition it may point into, so a genuine
    token of someone else's list is refused too."""
    if not token:
        return None
    try:
        key = (tokens or service_tokens()).open(token)
    except InvalidToken as invalid:
        reason = TEXTS("token_expired" if invalid.reason == _EXPIRED else "token_foreign")
        raise ValidationProblem.for_field("nextToken", reason) from None
    if any(key.get(k) != v for k, v in (must_contain or {}).items()):
        raise ValidationProblem.for_field("nextToken", TEXTS("token_foreign"))
    return key
