"""The citizens' e-ID authorizer: a valid login of the broker passes with the claims services read; anything
else, however it is made, is refused as API Gateway expects (``Unauthorized`` is a 401)."""

from __future__ import annotations

import base64
import io
import json
import os
import random
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from shared import eid_authorizer
from shared.adapters.eid_keys import (
    REFETCH_GAP_S,
    REFRESH_AFTER_S,
    BrokerKeys,
    KeysUnavailable,
    fetch_over_https,
)
from shared.eid_tokens import ACCEPTED_LEVELS, PERSONAL_IDENTITY_NUMBER_CLAIM
from shared.identity import generate_personnummer
from tests.support.lambda_events import FakeLambdaContext

ISSUER = "https://broker.example/oidc"
AUDIENCE = "eservices-test"
KID = "key-1"
METHOD_ARN = "arn:aws:execute-api:eu-north-1:123456789012:abc123/v1/POST/reports/v1/reports"
PERSONNUMMER = str(generate_personnummer(random.Random(77)))
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _jwk(key: rsa.RSAPrivateKey, kid: str) -> dict[str, str]:
    numbers = key.public_key().public_numbers()

    def b64(value: int) -> str:
        raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    return {"kty": "RSA", "use": "sig", "alg": "RS256", "kid": kid, "n": b64(numbers.n), "e": b64(numbers.e)}


def claims(**changes: Any) -> dict[str, Any]:
    now = int(time.time())
    values: dict[str, Any] = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "broker-subject-1",
        PERSONAL_IDENTITY_NUMBER_CLAIM: PERSONNUMMER,
        "acr": sorted(ACCEPTED_LEVELS)[0],
        "iat": now,
        "exp": now + 300,
    }
    values.update(changes)
    return {k: v for k, v in values.items() if v is not None}


def token(
    payload: dict[str, Any] | None = None, *, key: Any = KEY, kid: str = KID, alg: str = "RS256"
) -> str:
    return jwt.encode(payload or claims(), key, algorithm=alg, headers={"kid": kid})


class Broker:
    """The broker's key set endpoint, as the authorizer's adapter reads it."""

    def __init__(self) -> None:
        self.jwks: dict[str, Any] = {"keys": [_jwk(KEY, KID)]}
        self.fetches = 0
        self.down = False

    def __call__(self, url: str) -> bytes:
        self.fetches += 1
        if self.down:
            raise OSError("connection refused")
        return json.dumps(self.jwks).encode()


@pytest.fixture
def broker(monkeypatch: pytest.MonkeyPatch) -> Broker:
    broker = Broker()
    monkeypatch.setenv(eid_authorizer.ISSUER_VARIABLE, ISSUER)
    monkeypatch.setenv(eid_authorizer.AUDIENCE_VARIABLE, AUDIENCE)
    monkeypatch.setenv(eid_authorizer.JWKS_URL_VARIABLE, "https://broker.example/jwks")
    monkeypatch.setattr(eid_authorizer, "_keys", lambda: keys)
    keys = BrokerKeys("https://broker.example/jwks", fetch=broker)
    return broker


def authorize(header: Any) -> dict[str, Any]:
    event = {"type": "TOKEN", "authorizationToken": header, "methodArn": METHOD_ARN}
    result: dict[str, Any] = eid_authorizer.handler(event, FakeLambdaContext())
    return result


def test_a_valid_login_is_allowed_on_every_method_of_the_api_with_the_citizen_s_claims(
    broker: Broker,
) -> None:
    answer = authorize(f"Bearer {token()}")
    assert answer["principalId"] == "broker-subject-1"
    (statement,) = answer["policyDocument"]["Statement"]
    assert statement == {
        "Action": "execute-api:Invoke",
        "Effect": "Allow",
        "Resource": "arn:aws:execute-api:eu-north-1:123456789012:abc123/v1/*/*",
    }
    assert answer["context"] == {
        "sub": "broker-subject-1",
        "principalType": "citizen",
        "personnummer": PERSONNUMMER.replace("-", ""),
    }


def _none_signed() -> str:
    header = base64.urlsafe_b64encode(json.dumps({"alg": "none", "kid": KID}).encode()).rstrip(b"=").decode()
    body = base64.urlsafe_b64encode(json.dumps(claims()).encode()).rstrip(b"=").decode()
    return f"{header}.{body}."


def _payload_swapped() -> str:
    header, _, signature = token().split(".")
    other = token(claims(**{PERSONAL_IDENTITY_NUMBER_CLAIM: str(generate_personnummer(random.Random(78)))}))
    return f"{header}.{other.split('.')[1]}.{signature}"


def _hs256_with_the_public_key() -> str:
    # The classic confusion: the public key (which anyone has) used as an HMAC secret.
    header = base64.urlsafe_b64encode(json.dumps({"alg": "HS256", "kid": KID}).encode()).rstrip(b"=")
    body = base64.urlsafe_b64encode(json.dumps(claims()).encode()).rstrip(b"=")
    return f"{header.decode()}.{body.decode()}.c2lnbmF0dXJl"


REFUSED: dict[str, Callable[[], Any]] = {
    "no header": lambda: None,
    "not a string": lambda: 42,
    "another scheme": lambda: f"Basic {token()}",
    "bearer without a token": lambda: "Bearer ",
    "garbage": lambda: "Bearer not.a.jwt",
    "unsigned (alg none)": lambda: f"Bearer {_none_signed()}",
    "HS256 with the public key": lambda: f"Bearer {_hs256_with_the_public_key()}",
    "signed with another key": lambda: f"Bearer {token(key=OTHER_KEY)}",
    "a key the broker never published": lambda: f"Bearer {token(key=OTHER_KEY, kid='key-9')}",
    "payload swapped": lambda: f"Bearer {_payload_swapped()}",
    "another issuer": lambda: f"Bearer {token(claims(iss='https://evil.example'))}",
    "another audience": lambda: f"Bearer {token(claims(aud='someone-else'))}",
    "expired": lambda: f"Bearer {token(claims(exp=int(time.time()) - 1))}",
    "issued an hour ahead": lambda: (
        f"Bearer {token(claims(iat=int(time.time()) + 3600, exp=int(time.time()) + 3900))}"
    ),
    "valid only later": lambda: f"Bearer {token(claims(nbf=int(time.time()) + 600))}",
    "a day-long life": lambda: f"Bearer {token(claims(exp=int(time.time()) + 86400))}",
    "assurance level 2": lambda: f"Bearer {token(claims(acr='http://id.elegnamnden.se/loa/1.0/loa2'))}",
    "no personnummer": lambda: f"Bearer {token(claims(**{PERSONAL_IDENTITY_NUMBER_CLAIM: None}))}",
    "a personnummer failing its check digit": lambda: (
        f"Bearer {token(claims(**{PERSONAL_IDENTITY_NUMBER_CLAIM: PERSONNUMMER[:-1] + str((int(PERSONNUMMER[-1]) + 1) % 10)}))}"
    ),
    "no expiry": lambda: f"Bearer {token(claims(exp=None))}",
    "no subject": lambda: f"Bearer {token(claims(sub=''))}",
}


@pytest.mark.parametrize("make", REFUSED.values(), ids=REFUSED.keys())
def test_anything_but_a_valid_login_is_unauthorized(broker: Broker, make: Callable[[], Any]) -> None:
    with pytest.raises(eid_authorizer.Unauthorized) as refused:
        authorize(make())
    assert str(refused.value) == "Unauthorized"


def test_the_broker_s_rotated_key_is_fetched_and_made_up_key_ids_do_not_hammer_it(broker: Broker) -> None:
    now = [0.0]
    keys = BrokerKeys("https://broker.example/jwks", fetch=broker, monotonic=lambda: now[0])
    assert set(keys.current(KID)) == {KID}
    broker.jwks = {"keys": [_jwk(KEY, KID), _jwk(OTHER_KEY, "key-2")]}
    fetched = broker.fetches
    for n in range(20):
        assert f"made-up-{n}" not in keys.current(f"made-up-{n}")
    assert broker.fetches == fetched
    now[0] += REFETCH_GAP_S
    assert "key-2" in keys.current("key-2")
    assert broker.fetches == fetched + 1


def test_with_the_broker_away_the_keys_held_still_check_logins_and_none_held_is_an_error(
    broker: Broker,
) -> None:
    now = [0.0]
    keys = BrokerKeys("https://broker.example/jwks", fetch=broker, monotonic=lambda: now[0])
    assert KID in keys.current(KID)
    broker.down = True
    now[0] += REFRESH_AFTER_S
    assert KID in keys.current(KID)
    cold = BrokerKeys("https://broker.example/jwks", fetch=broker)
    with pytest.raises(KeysUnavailable):
        cold.current(KID)


def test_a_login_cannot_be_checked_while_the_broker_s_keys_are_unreadable_and_that_is_counted(
    broker: Broker, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = io.StringIO()
    monkeypatch.setattr(eid_authorizer.logger.registered_handler, "stream", lines)
    broker.down = True
    cold = BrokerKeys("https://broker.example/jwks", fetch=broker)
    monkeypatch.setattr(eid_authorizer, "_keys", lambda: cold)
    emitted: list[str] = []
    monkeypatch.setattr(
        eid_authorizer.metrics, "add_metric", lambda *, name, unit, value: emitted.append(name)
    )
    # Not Unauthorized: the caller did nothing wrong; API Gateway answers its authorizer failure instead.
    with pytest.raises(KeysUnavailable):
        authorize(f"Bearer {token()}")
    assert emitted == [eid_authorizer.UNCHECKABLE_LOGINS_METRIC]
    with pytest.raises(eid_authorizer.Unauthorized):
        authorize("Bearer not.a.jwt")
    assert emitted[-1] == eid_authorizer.REFUSED_LOGINS_METRIC


def test_the_citizen_s_number_is_never_logged(broker: Broker, monkeypatch: pytest.MonkeyPatch) -> None:
    lines = io.StringIO()
    monkeypatch.setattr(eid_authorizer.logger.registered_handler, "stream", lines)
    authorize(f"Bearer {token()}")
    with pytest.raises(eid_authorizer.Unauthorized):
        authorize(f"Bearer {token(claims(exp=int(time.time()) - 5))}")
    logged = lines.getvalue()
    assert "Login refused" in logged
    assert PERSONNUMMER.replace("-", "")[2:] not in logged


def test_a_policy_is_written_only_for_a_method_arn() -> None:
    with pytest.raises(ValueError, match="method ARN"):
        eid_authorizer.allow_api("not-an-arn", principal="p", context={})


def test_the_authorizer_in_front_of_every_citizen_request_loads_neither_pydantic_nor_boto3() -> None:
    probe = "import sys, shared.eid_authorizer; print(sorted({'pydantic', 'boto3'} & set(sys.modules)))"
    done = subprocess.run(  # noqa: S603 - this interpreter, our own module
        [sys.executable, "-c", probe],
        env={
            "PATH": os.environ.get("PATH", os.defpath),
            "PYTHONPATH": str(Path(__file__).resolve().parents[3]),
        },
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize(
    "url",
    [
        "http://broker.example/jwks",
        "http://localhost.evil.example/jwks",
        "file:///etc/passwd",
        "ftp://x/jwks",
    ],
)
def test_the_broker_s_keys_are_read_over_https_only_except_from_this_machine(url: str) -> None:
    with pytest.raises(KeysUnavailable, match="HTTPS"):
        fetch_over_https(url)
