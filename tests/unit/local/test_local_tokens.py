"""Development tokens: what /_local/token issues and what the gateway accepts as the authorizer would."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import jwt
import pytest

from infra.local.tokens import (
    LOCAL_EID_AUDIENCE,
    LOCAL_EID_ISSUER,
    InvalidTokenRequest,
    TokenError,
    TokenIssuer,
    bearer_token,
    claims_for_request,
)
from shared.eid_tokens import PERSONAL_IDENTITY_NUMBER_CLAIM
from shared.identity import luhn_check_digit

TODAY = date(2026, 11, 22)


def synthetic_personnummer(birth: str = "19850312", serial: str = "238") -> str:
    short = birth[2:] + serial
    return f"{birth}-{serial}{luhn_check_digit(short)}"


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_a_citizen_gets_the_e_id_broker_s_token_and_the_citizen_routes_read_the_claims_services_read() -> (
    None
):
    issuer = TokenIssuer(issuer="test-idp")
    claims = claims_for_request({"personnummer": synthetic_personnummer()}, today=TODAY)
    token = issuer.issue(claims)
    assert jwt.get_unverified_header(token)["alg"] == "RS256"
    broker_claims = jwt.decode(token, options={"verify_signature": False})
    assert broker_claims[PERSONAL_IDENTITY_NUMBER_CLAIM] == synthetic_personnummer().replace("-", "")
    assert broker_claims["iss"] == LOCAL_EID_ISSUER
    assert broker_claims["aud"] == LOCAL_EID_AUDIENCE
    verified = issuer.verify_citizen(token)
    assert verified["principalType"] == "citizen"
    assert verified["personnummer"] == synthetic_personnummer().replace("-", "")
    assert uuid.UUID(verified["sub"]).version == 5
    assert all(isinstance(value, str) for value in verified.values())


def test_each_authorizer_refuses_the_other_s_tokens() -> None:
    issuer = TokenIssuer(issuer="test-idp")
    citizen = issuer.issue(claims_for_request({"personnummer": synthetic_personnummer()}, today=TODAY))
    staff = issuer.issue(claims_for_request({"staffId": "PM-1", "roles": [], "region": "Syd"}, today=TODAY))
    with pytest.raises(TokenError):
        issuer.verify(citizen)
    with pytest.raises(TokenError, match="e-ID"):
        issuer.verify_citizen(staff)
    assert issuer.verify(staff)["principalType"] == "staff"


def test_the_same_person_gets_the_same_subject_in_any_written_form() -> None:
    twelve = synthetic_personnummer()
    ten = twelve[2:]
    first = claims_for_request({"personnummer": twelve}, today=TODAY)
    second = claims_for_request({"personnummer": ten}, today=TODAY)
    assert first["sub"] == second["sub"]
    other = claims_for_request({"personnummer": synthetic_personnummer(serial="240")}, today=TODAY)
    assert other["sub"] != first["sub"]


@pytest.mark.parametrize("personnummer", ["19850312-2380", "1985-03-12", "", 198503122381, "20991231-0000"])
def test_an_invalid_personnummer_is_refused_naming_the_field(personnummer: object) -> None:
    with pytest.raises(InvalidTokenRequest) as refused:
        claims_for_request({"personnummer": personnummer}, today=TODAY)
    assert refused.value.name == "personnummer"
    assert refused.value.reason


def test_a_staff_token_has_space_separated_roles_and_a_region() -> None:
    claims = claims_for_request(
        {"staffId": "PM-1234", "roles": ["investigator", "triage"], "region": "Öst"}, today=TODAY
    )
    assert claims["principalType"] == "staff"
    assert claims["staffId"] == "PM-1234"
    assert claims["roles"] == "investigator triage"
    assert claims["region"] == "Öst"
    national = claims_for_request({"staffId": "PM-1", "roles": [], "region": "National"}, today=TODAY)
    assert national["region"] == "National"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"staffId": "PM-1", "roles": ["a"], "region": "Atlantis"}, "region"),
        ({"staffId": "PM-1", "roles": ["a"]}, "region"),
        ({"staffId": "", "roles": ["a"], "region": "Syd"}, "staffId"),
        ({"staffId": "PM-1", "roles": "a b", "region": "Syd"}, "roles"),
        ({"staffId": "PM-1", "roles": ["a b"], "region": "Syd"}, "roles"),
        ({"nobody": True}, "personnummer"),
    ],
)
def test_an_invalid_staff_request_names_the_field(body: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidTokenRequest) as refused:
        claims_for_request(body, today=TODAY)
    assert refused.value.name == field


def test_an_agency_token_has_space_separated_scopes() -> None:
    claims = claims_for_request({"clientId": "skatteverket", "scopes": ["reports.read"]}, today=TODAY)
    assert claims == {"sub": "skatteverket", "principalType": "agency", "scope": "reports.read"}


def test_a_token_expires_after_its_lifetime() -> None:
    clock = Clock(1_000_000.0)
    issuer = TokenIssuer(issuer="test-idp", clock=clock, ttl_s=3600)
    token = issuer.issue({"sub": "s", "principalType": "staff"})
    clock.now += 3599
    assert issuer.verify(token)["sub"] == "s"
    clock.now += 1
    with pytest.raises(TokenError, match="expired"):
        issuer.verify(token)


def test_an_e_id_login_expires_after_its_lifetime() -> None:
    clock = Clock(datetime(2026, 11, 22, 9, tzinfo=UTC).timestamp())
    issuer = TokenIssuer(issuer="test-idp", clock=clock, ttl_s=600)
    token = issuer.issue(claims_for_request({"personnummer": synthetic_personnummer()}, today=TODAY))
    clock.now += 599
    assert issuer.verify_citizen(token)["principalType"] == "citizen"
    clock.now += 1
    with pytest.raises(TokenError, match="expired"):
        issuer.verify_citizen(token)


def test_a_token_signed_with_another_key_is_refused() -> None:
    issuer = TokenIssuer(issuer="test-idp")
    forged = jwt.encode(
        {"sub": "s", "principalType": "citizen", "iss": "test-idp", "exp": 4_000_000_000},
        b"another key of thirty-two bytes!",
        algorithm="HS256",
    )
    with pytest.raises(TokenError, match="signature"):
        issuer.verify(forged)


def test_a_tampered_token_is_refused() -> None:
    issuer = TokenIssuer(issuer="test-idp")
    header, _payload, signature = issuer.issue({"sub": "s", "principalType": "agency"}).split(".")
    other_payload = TokenIssuer(issuer="test-idp").issue({"sub": "t", "principalType": "staff"}).split(".")[1]
    with pytest.raises(TokenError):
        issuer.verify(f"{header}.{other_payload}.{signature}")
    with pytest.raises(TokenError):
        issuer.verify("not-a-jwt")


@pytest.mark.parametrize(
    "token",
    [
        lambda key: jwt.encode(
            {"sub": "s", "iss": "elsewhere", "exp": 4_000_000_000}, key, algorithm="HS256"
        ),
        lambda key: jwt.encode({"sub": "s", "iss": "test-idp"}, key, algorithm="HS256"),
        lambda key: jwt.encode({"sub": "s", "iss": "test-idp", "exp": 4_000_000_000}, "", algorithm="none"),
    ],
    ids=["other issuer", "no expiry", "unsigned"],
)
def test_a_token_the_authorizer_would_not_accept_is_refused(token: object) -> None:
    issuer = TokenIssuer(issuer="test-idp")
    with pytest.raises(TokenError):
        issuer.verify(token(issuer.key))  # type: ignore[operator]


def test_the_bearer_scheme_is_required() -> None:
    assert bearer_token(None) is None
    assert bearer_token("  ") is None
    assert bearer_token("Bearer abc") == "abc"
    assert bearer_token("bearer  abc ") == "abc"
    with pytest.raises(TokenError):
        bearer_token("Basic dXNlcjpwYXNz")
    with pytest.raises(TokenError):
        bearer_token("Bearer")
