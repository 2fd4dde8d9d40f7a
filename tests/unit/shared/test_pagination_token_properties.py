"""Whatever a client sends as ``nextToken``, decoding it either gives a start key of ours or a 400 naming it.

Written against the functions' common signature, so it holds for plain and for sealed tokens alike (a sealer,
where ``shared.http.pagination`` has one, is given a test key).
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.http import pagination
from shared.http.pagination import decode_token, encode_token
from shared.http.problems import ValidationProblem

PARTITION = {"ownerKey": "OWNER#sub-1"}
_SEALER = getattr(pagination, "PageTokens", None)
SEALED: dict[str, Any] = {"tokens": _SEALER(b"k" * 32)} if _SEALER else {}


def _token(key: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode().rstrip("=")


def assert_refused(token: str) -> None:
    with pytest.raises(ValidationProblem) as refused:
        decode_token(token, must_contain=PARTITION, **SEALED)
    assert [p.name for p in refused.value.invalid_parameters or []] == ["nextToken"]


def test_a_token_this_api_gave_out_decodes_to_its_start_key() -> None:
    key = {"pk": "REPORT#K1-26", "sk": "REPORT", "ownerKey": "OWNER#sub-1", "ownerSort": "2026-11-22"}
    assert decode_token(encode_token(key, **SEALED), must_contain=PARTITION, **SEALED) == key


@pytest.mark.parametrize(
    "key",
    [
        {"ownerKey": "OWNER#sub-1", "pk": {"a": 1}},
        {"ownerKey": "OWNER#sub-1", "pk": 1},
        {"ownerKey": "OWNER#sub-1", "pk": ["REPORT#K1-26"]},
        {"ownerKey": "OWNER#sub-1", "pk": None},
        {"ownerKey": "OWNER#sub-1", "pk": ""},
        {"ownerKey": "OWNER#sub-1", "pk": "x" * 2000},
        {"ownerKey": "OWNER#sub-1", "a": "1", "b": "2", "c": "3", "d": "4"},
        {"ownerKey": "OWNER#sub-1", "not a name": "x"},
        {"ownerKey": "OWNER#sub-2", "pk": "REPORT#K1-26"},
    ],
)
def test_a_crafted_token_keeping_the_callers_partition_with_odd_attributes_is_refused(key: Any) -> None:
    assert_refused(_token(key))


def test_a_token_nested_too_deep_to_decode_is_refused() -> None:
    assert_refused(base64.urlsafe_b64encode(b"[" * 1500 + b"]" * 1500).decode())


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.text(max_size=300), st.binary(max_size=300).map(lambda b: base64.urlsafe_b64encode(b).decode())
    )
)
def test_any_text_is_a_start_key_of_ours_or_a_400(token: str) -> None:
    try:
        key = decode_token(token, must_contain=PARTITION, **SEALED)
    except ValidationProblem:
        return
    assert key is None or key["ownerKey"] == PARTITION["ownerKey"]
