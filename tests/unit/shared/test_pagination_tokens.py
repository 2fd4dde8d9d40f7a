"""nextToken: opaque (no key or subject readable), tamper-evident (forged or altered → 400), bound to its list,
and short-lived."""

from __future__ import annotations

import base64
import secrets

import pytest

from shared.http.pagination import (
    PAGE_TOKEN_SECRET_VARIABLE,
    PageTokens,
    decode_token,
    encode_token,
)
from shared.http.problems import ValidationProblem
from shared.manifest import secret_variable

SUBJECT = "6f0e1c2a-9b8d-4e7f-a1b2-c3d4e5f60718"
START = {
    "ownerKey": f"OWNER#{SUBJECT}",
    "ownerSort": "2026-11-22T09:00:00+00:00#K42-26",
    "pk": "REPORT#K42-26",
    "sk": "REPORT",
}


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def tokens(clock: Clock) -> PageTokens:
    return PageTokens(secrets.token_bytes(32), clock=clock)


def raw(token: str) -> bytes:
    return base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))


def refused(token: str, tokens: PageTokens, **must_contain: str) -> str:
    with pytest.raises(ValidationProblem) as problem:
        decode_token(token, must_contain=must_contain or None, tokens=tokens)
    [invalid] = problem.value.invalid_parameters or []
    assert invalid.name == "nextToken"
    return invalid.reason


def test_a_token_takes_the_next_page_from_where_the_last_one_ended(tokens: PageTokens) -> None:
    token = encode_token(START, tokens=tokens)
    assert token is not None
    assert decode_token(token, must_contain={"ownerKey": START["ownerKey"]}, tokens=tokens) == START
    assert encode_token(None, tokens=tokens) is None
    assert decode_token(None, tokens=tokens) is None


def test_nothing_of_the_key_or_the_subject_can_be_read_in_a_token(tokens: PageTokens) -> None:
    token = encode_token(START, tokens=tokens)
    assert token is not None
    readable = [token, raw(token).decode("latin-1")]
    for secret in (SUBJECT, "OWNER#", "REPORT#", "K42-26", "ownerKey", SUBJECT[:8]):
        assert all(secret not in text for text in readable)
    # The same page twice gives two different tokens: nothing to compare either.
    assert encode_token(START, tokens=tokens) != token


def test_an_altered_token_is_refused_whatever_byte_changes(tokens: PageTokens) -> None:
    token = encode_token(START, tokens=tokens)
    assert token is not None
    sealed = raw(token)
    for position in range(len(sealed)):
        changed = bytearray(sealed)
        changed[position] ^= 0x01
        forged = base64.urlsafe_b64encode(bytes(changed)).decode().rstrip("=")
        assert refused(forged, tokens) == "is not a token this API gave out"


@pytest.mark.parametrize(
    "forged",
    [
        base64.urlsafe_b64encode(b'{"ownerKey":"OWNER#x","pk":"REPORT#K1-26","sk":"REPORT"}').decode(),
        "bm90LWEtdG9rZW4",
        "AQ",
        "!!!not base64!!!",
        "A" * 3000,
    ],
    ids=["plain-json-key", "plain-text", "too-short", "not-base64", "too-long"],
)
def test_a_forged_token_is_refused(tokens: PageTokens, forged: str) -> None:
    assert refused(forged, tokens) == "is not a token this API gave out"


def test_a_token_of_another_service_or_key_is_refused(tokens: PageTokens, clock: Clock) -> None:
    elsewhere = PageTokens(secrets.token_bytes(32), clock=clock)
    token = encode_token(START, tokens=elsewhere)
    assert token is not None
    assert refused(token, tokens) == "is not a token this API gave out"


def test_a_genuine_token_of_someone_else_s_list_is_refused(tokens: PageTokens) -> None:
    token = encode_token(START, tokens=tokens)
    assert token is not None
    assert refused(token, tokens, ownerKey="OWNER#someone-else") == "is not a token this API gave out"


def test_a_token_expires_after_a_day(tokens: PageTokens, clock: Clock) -> None:
    token = encode_token(START, tokens=tokens)
    assert token is not None
    clock.now += 24 * 3600
    assert decode_token(token, tokens=tokens) == START
    clock.now += 1
    assert refused(token, tokens) == "has expired: start again from the first page"


def test_a_short_key_is_refused() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        PageTokens(b"too short")


def test_the_service_finds_its_key_where_the_manifest_puts_it() -> None:
    assert secret_variable("page-tokens") == PAGE_TOKEN_SECRET_VARIABLE
