"""Opaque ``nextToken`` pagination over DynamoDB queries."""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import Any

from shared.http.problems import ValidationProblem

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
_MAX_KEY_ATTRIBUTES = 4
_MAX_KEY_VALUE_CHARS = 1024
_ATTRIBUTE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9]{0,63}")


def encode_token(last_evaluated_key: dict[str, Any] | None) -> str | None:
    if not last_evaluated_key:
        return None
    raw = json.dumps(last_evaluated_key, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_token(token: str | None, *, must_contain: dict[str, Any] | None = None) -> dict[str, Any] | None:
    """The start key a token stands for. ``must_contain`` pins the partition it may point into, so a
    crafted token cannot page into someone else's data."""
    if not token:
        return None
    try:
        padded = token + "=" * (-len(token) % 4)
        key = json.loads(base64.urlsafe_b64decode(padded))
    except (binascii.Error, ValueError, UnicodeDecodeError, RecursionError):
        key = None
    if not _is_start_key(key) or any(key.get(k) != v for k, v in (must_contain or {}).items()):
        raise ValidationProblem.for_field("nextToken", "is not a token this API gave out")
    return key  # type: ignore[no-any-return]


def _is_start_key(key: object) -> bool:
    """What a DynamoDB start key of ours looks like: the table's and an index's key attributes (at most four),
    each a string. Anything else would reach DynamoDB and come back as a server error."""
    return (
        isinstance(key, dict)
        and 0 < len(key) <= _MAX_KEY_ATTRIBUTES
        and all(
            isinstance(name, str)
            and _ATTRIBUTE_NAME.fullmatch(name) is not None
            and isinstance(value, str)
            and 0 < len(value) <= _MAX_KEY_VALUE_CHARS
            for name, value in key.items()
        )
    )
