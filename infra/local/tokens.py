"""Development tokens: issued by ``POST /_local/token``, verified by the gateway as the authorizers would.

Two issuers stand in for the two in AWS (ADR 77), each with a key generated when the local cloud starts, so no
token outlives its run:

- a citizen gets the e-ID broker's ID token: RS256, the broker's claims (the personal identity number claim,
  assurance level 3), checked on the citizens' routes by the e-ID authorizer's own code
  (:func:`shared.eid_tokens.verify`);
- staff and agencies get the user pool's token: HS256 with the claims of ``shared.http.auth``, checked on
  their routes as the pool's authorizer would, handed to functions as strings.

A token of one issuer is refused (401) on the other's routes, as each authorizer in AWS refuses it.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from shared.eid_tokens import ACCEPTED_LEVELS, PERSONAL_IDENTITY_NUMBER_CLAIM, InvalidToken, verify
from shared.http.auth import NATIONAL
from shared.identity import InvalidIdentifier, parse_personnummer
from shared.regions import Region

DEFAULT_TTL_S = 3600
_ALGORITHM = "HS256"
# Fixed namespaces: the same person or staff member gets the same subject in every run.
_CITIZEN_NAMESPACE = uuid.UUID("6f1c3c1e-2d0b-5a7e-9b8e-3a1d2c4b5e6f")
_STAFF_NAMESPACE = uuid.UUID("0b7e2a44-8c1d-5f3e-a6b9-1d2e3f4a5b6c")
_STAFF_REGIONS = frozenset({*(r.value for r in Region), NATIONAL})


class TokenError(Exception):
    """A bearer token the authorizer would refuse; the message says why, for the 401's detail."""


class InvalidTokenRequest(ValueError):
    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"{name}: {reason}")
        self.name = name
        self.reason = reason


def citizen_claims(personnummer: Any, *, today: date) -> dict[str, str]:
    if not isinstance(personnummer, str):
        raise InvalidTokenRequest("personnummer", "a personnummer is a string, e.g. YYYYMMDD-NNNC")
    try:
        parsed = parse_personnummer(personnummer, today=today)
    except InvalidIdentifier as exc:
        raise InvalidTokenRequest("personnummer", exc.reason) from None
    digits = str(parsed)
    return {
        "sub": str(uuid.uuid5(_CITIZEN_NAMESPACE, digits)),
        "principalType": "citizen",
        "personnummer": digits,
    }


def staff_claims(staff_id: Any, roles: Any, region: Any) -> dict[str, str]:
    if not isinstance(staff_id, str) or not staff_id.strip():
        raise InvalidTokenRequest("staffId", "a non-empty string is required")
    if not isinstance(roles, list) or not all(isinstance(r, str) and r and r.split() == [r] for r in roles):
        raise InvalidTokenRequest("roles", "a list of role names without spaces is required")
    if region not in _STAFF_REGIONS:
        allowed = ", ".join(sorted(_STAFF_REGIONS))
        raise InvalidTokenRequest("region", f"must be one of {allowed}")
    staff_id = staff_id.strip()
    return {
        "sub": str(uuid.uuid5(_STAFF_NAMESPACE, staff_id)),
        "principalType": "staff",
        "staffId": staff_id,
        "roles": " ".join(roles),
        "region": str(region),
    }


def agency_claims(client_id: Any, scopes: Any) -> dict[str, str]:
    if not isinstance(client_id, str) or not client_id.strip():
        raise InvalidTokenRequest("clientId", "a non-empty string is required")
    if not isinstance(scopes, list) or not all(isinstance(s, str) and s and s.split() == [s] for s in scopes):
        raise InvalidTokenRequest("scopes", "a list of scope names without spaces is required")
    return {"sub": client_id.strip(), "principalType": "agency", "scope": " ".join(scopes)}


def claims_for_request(body: Mapping[str, Any], *, today: date) -> dict[str, str]:
    """The identity a ``POST /_local/token`` body asks for: a citizen, a staff member or an agency."""
    if "personnummer" in body:
        return citizen_claims(body["personnummer"], today=today)
    if "staffId" in body:
        return staff_claims(body["staffId"], body.get("roles", []), body.get("region"))
    if "clientId" in body:
        return agency_claims(body["clientId"], body.get("scopes", []))
    raise InvalidTokenRequest(
        "personnummer", "send personnummer (citizen), staffId (staff) or clientId (agency)"
    )


# The local e-ID broker: what the authorizer is configured with locally (issuer, our client id at the broker).
LOCAL_EID_ISSUER = "http://127.0.0.1/_local/eid"
LOCAL_EID_AUDIENCE = "eservices-local"
LOCAL_EID_KEY_ID = "local-eid-1"
_EID_LEVEL = sorted(ACCEPTED_LEVELS)[0]


def _broker_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass(frozen=True)
class TokenIssuer:
    issuer: str
    key: bytes = field(default_factory=lambda: secrets.token_bytes(32), repr=False)
    eid_key: rsa.RSAPrivateKey = field(default_factory=_broker_key, repr=False)
    ttl_s: int = DEFAULT_TTL_S
    clock: Callable[[], float] = time.time

    def issue(self, claims: Mapping[str, str], *, ttl_s: int | None = None) -> str:
        if claims.get("principalType") == "citizen":
            return self._issue_eid(claims, ttl_s=self.ttl_s if ttl_s is None else ttl_s)
        now = int(self.clock())
        payload: dict[str, Any] = {
            **claims,
            "iss": self.issuer,
            "iat": now,
            "exp": now + (self.ttl_s if ttl_s is None else ttl_s),
        }
        return jwt.encode(payload, self.key, algorithm=_ALGORITHM)

    def _issue_eid(self, claims: Mapping[str, str], *, ttl_s: int) -> str:
        """The broker's ID token of a login: its subject, the personal identity number, level 3."""
        now = int(self.clock())
        payload = {
            "iss": LOCAL_EID_ISSUER,
            "aud": LOCAL_EID_AUDIENCE,
            "sub": claims["sub"],
            PERSONAL_IDENTITY_NUMBER_CLAIM: claims["personnummer"],
            "acr": _EID_LEVEL,
            "iat": now,
            "exp": now + ttl_s,
        }
        return jwt.encode(payload, self.eid_key, algorithm="RS256", headers={"kid": LOCAL_EID_KEY_ID})

    def eid_jwks(self) -> dict[str, Any]:
        """The local broker's published key set (what ``EID_JWKS_URL`` serves in AWS)."""
        numbers = self.eid_key.public_key().public_numbers()
        return {
            "keys": [
                {
                    "kty": "RSA",
                    "use": "sig",
                    "alg": "RS256",
                    "kid": LOCAL_EID_KEY_ID,
                    "n": _base64url(numbers.n),
                    "e": _base64url(numbers.e),
                }
            ]
        }

    def verify_citizen(self, token: str) -> dict[str, str]:
        """The citizen an e-ID token names, checked as the e-ID authorizer checks it (against this issuer's
        clock, so tests can move time); TokenError for anything it refuses."""
        try:
            login = verify(
                token,
                keys={LOCAL_EID_KEY_ID: self.eid_key.public_key()},
                issuer=LOCAL_EID_ISSUER,
                audience=LOCAL_EID_AUDIENCE,
                now=datetime.fromtimestamp(self.clock(), UTC),
            )
        except InvalidToken as refused:
            raise TokenError(f"not a valid e-ID login: {refused}") from None
        return login.claims()

    def verify(self, token: str) -> dict[str, str]:
        """The user pool token's claims as strings; raises :class:`TokenError` for anything the pool's
        authorizer refuses."""
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                self.key,
                algorithms=[_ALGORITHM],
                issuer=self.issuer,
                # Expiry is checked below against the issuer's clock, so tests can move time.
                options={"require": ["exp", "iss", "sub"], "verify_exp": False, "verify_iat": False},
            )
        except jwt.InvalidSignatureError:
            raise TokenError("the token's signature is not valid") from None
        except jwt.InvalidTokenError as exc:
            raise TokenError(f"the token is not valid: {exc}") from None
        try:
            expires = float(claims["exp"])
        except (TypeError, ValueError):
            raise TokenError("the token's exp claim is not a time") from None
        if expires <= self.clock():
            raise TokenError("the token has expired")
        return {name: _claim_string(value) for name, value in claims.items()}


def bearer_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer`` header; None without one; TokenError for another scheme."""
    if authorization is None or not authorization.strip():
        return None
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise TokenError("the Authorization header must be 'Bearer <token>'")
    return token.strip()


def _base64url(value: int) -> str:
    return (
        base64.urlsafe_b64encode(value.to_bytes((value.bit_length() + 7) // 8, "big")).rstrip(b"=").decode()
    )


def _claim_string(value: Any) -> str:
    if isinstance(value, list):
        return " ".join(str(item) for item in value)
    return str(value)


@contextmanager
def serving_eid_keys(tokens: TokenIssuer) -> Iterator[str]:
    """The local broker's key set over HTTP on this machine, where an e-ID authorizer running outside the
    gateway (a bench's function) fetches it; yields its address."""
    body = json.dumps(tokens.eid_jwks()).encode()

    class Keys(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Keys)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/jwks.json"
    finally:
        server.shutdown()
        server.server_close()
