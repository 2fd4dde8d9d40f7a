"""The e-ID broker's ID tokens: what makes one valid, and the citizen it names (ADR 77).

The broker signs its ID tokens (RS256, a JSON Web Token) with keys it publishes as a JSON Web Key Set. A token
is the citizen's login when its signature verifies with the published key its header names, its issuer is the
broker, its audience is our client, it has not expired, it was not issued (or made valid) more than a minute
ahead of our clock (the broker's clock may run ahead), it was issued at assurance level 3 or higher (the level
a Swedish authority's e-service asks of BankID or Freja+), and it carries a valid personnummer or
samordningsnummer. Anything else is refused, with the reason
for the log, never for the caller.

The claims follow the Swedish OIDC profile for e-ID (claim and level names as the profile writes them). The
signature is checked by the ``cryptography`` package; only the token's framing and its claims are read here.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeGuard

from shared.identity import InvalidIdentifier, parse_personnummer

PERSONAL_IDENTITY_NUMBER_CLAIM = "https://id.oidc.se/claim/personalIdentityNumber"
# Assurance levels 3 and 4 of the Swedish e-ID trust framework, as the broker writes them in ``acr``.
ACCEPTED_LEVELS = frozenset(
    {"http://id.elegnamnden.se/loa/1.0/loa3", "http://id.elegnamnden.se/loa/1.0/loa4"}
)
CLOCK_SKEW_S = 60
# A login token is short-lived; one that claims a longer life was not made for this.
MAX_LIFETIME_S = 3600
ALGORITHM = "RS256"


class InvalidToken(Exception):
    """The token is not a valid login; the message says why (for the log only)."""


@dataclass(frozen=True)
class EidLogin:
    """The citizen a valid token names."""

    subject: str
    personnummer: str  # 12 digits

    def claims(self) -> dict[str, str]:
        """As the services read a caller (``shared.http.auth``)."""
        return {"sub": self.subject, "principalType": "citizen", "personnummer": self.personnummer}


def key_id(token: str) -> str | None:
    """The ``kid`` the token's header names, if the token is framed as a JWT at all."""
    try:
        header = _json_part(token.split(".")[0])
    except (InvalidToken, IndexError):
        return None
    kid = header.get("kid")
    return kid if isinstance(kid, str) else None


def verify(
    token: str,
    *,
    keys: Mapping[str, Any],
    issuer: str,
    audience: str,
    now: datetime,
) -> EidLogin:
    """The login ``token`` is, checked against ``keys`` (``kid`` -> an RSA public key of ``cryptography``);
    InvalidToken if it is none."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    parts = token.split(".")
    if len(parts) != 3:
        raise InvalidToken("not a signed JWT")
    header, claims = _json_part(parts[0]), _json_part(parts[1])
    if header.get("alg") != ALGORITHM:
        raise InvalidToken(f"algorithm {header.get('alg')!r} is not {ALGORITHM}")
    kid = header.get("kid")
    key = keys.get(kid) if isinstance(kid, str) else None
    if key is None:
        raise InvalidToken(f"no published key {kid!r}")
    try:
        key.verify(_decoded(parts[2]), f"{parts[0]}.{parts[1]}".encode(), padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        raise InvalidToken("the signature does not verify") from None
    _check_claims(claims, issuer=issuer, audience=audience, now=now)
    return EidLogin(subject=str(claims["sub"]), personnummer=_personnummer(claims, today=now.date()))


def _check_claims(claims: Mapping[str, Any], *, issuer: str, audience: str, now: datetime) -> None:
    if claims.get("iss") != issuer:
        raise InvalidToken("another issuer")
    audiences = claims.get("aud")
    if audiences != audience and not (isinstance(audiences, list) and audience in audiences):
        raise InvalidToken("another audience")
    moment = now.timestamp()
    expires, issued = claims.get("exp"), claims.get("iat")
    if not _is_time(expires) or not _is_time(issued):
        raise InvalidToken("exp and iat are required numbers")
    if moment >= expires:
        raise InvalidToken("expired")
    if issued > moment + CLOCK_SKEW_S or expires - issued > MAX_LIFETIME_S:
        raise InvalidToken("issued in the future or for too long")
    not_before = claims.get("nbf")
    if not_before is not None and (not _is_time(not_before) or moment + CLOCK_SKEW_S < not_before):
        raise InvalidToken("not valid yet")
    if claims.get("acr") not in ACCEPTED_LEVELS:
        raise InvalidToken("assurance level below 3")
    if not isinstance(claims.get("sub"), str) or not claims["sub"]:
        raise InvalidToken("no subject")


def _personnummer(claims: Mapping[str, Any], *, today: date) -> str:
    value = claims.get(PERSONAL_IDENTITY_NUMBER_CLAIM)
    if not isinstance(value, str):
        raise InvalidToken("no personal identity number")
    try:
        return str(parse_personnummer(value, today=today))
    except InvalidIdentifier:
        raise InvalidToken("the personal identity number is not valid") from None


def _is_time(value: Any) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _decoded(part: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
    except (binascii.Error, ValueError):
        raise InvalidToken("not base64url") from None


def _json_part(part: str) -> dict[str, Any]:
    try:
        value = json.loads(_decoded(part))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise InvalidToken("not JSON") from None
    if not isinstance(value, dict):
        raise InvalidToken("not a JSON object")
    return value


def public_keys(jwks: Mapping[str, Any]) -> dict[str, Any]:
    """The RSA signing keys of a JSON Web Key Set, by ``kid``; keys of other kinds or uses are left out."""
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicNumbers

    keys: dict[str, Any] = {}
    for jwk in jwks.get("keys") or ():
        if not isinstance(jwk, dict) or jwk.get("kty") != "RSA" or jwk.get("use", "sig") != "sig":
            continue
        kid, n, e = jwk.get("kid"), jwk.get("n"), jwk.get("e")
        if not (isinstance(kid, str) and isinstance(n, str) and isinstance(e, str)):
            continue
        try:
            numbers = RSAPublicNumbers(int.from_bytes(_decoded(e), "big"), int.from_bytes(_decoded(n), "big"))
            keys[kid] = numbers.public_key()
        except (InvalidToken, ValueError):
            continue
    return keys
