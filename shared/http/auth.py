"""Who is calling, as API Gateway's authorizer passed it in ``requestContext.authorizer``.

API Gateway authenticates; services authorize. Citizens are logged in by the e-ID authorizer
(``shared.eid_authorizer``), whose context is ``requestContext.authorizer`` itself; staff and agencies by the
user pool's authorizer, whose token's claims are ``requestContext.authorizer.claims``. A pool token never
names a citizen (ADR 77): one that does is no caller. Claims arrive as strings, lists space-separated:

- citizen: ``sub``, ``principalType=citizen``, ``personnummer`` (12 digits)
- staff:   ``sub``, ``principalType=staff``, ``staffId``, ``roles``, ``region`` (region name or ``National``)
- agency:  ``sub``, ``principalType=agency``, ``scope``
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from shared.http.problems import ForbiddenProblem, UnauthorizedProblem
from shared.messages import TEXTS
from shared.staff import NATIONAL

PrincipalType = Literal["citizen", "staff", "agency"]


class Caller(BaseModel):
    model_config = ConfigDict(frozen=True)

    subject: str
    principal_type: PrincipalType
    personnummer: str | None = None
    staff_id: str | None = None
    roles: frozenset[str] = frozenset()
    region: str | None = None
    scopes: frozenset[str] = frozenset()

    @property
    def is_citizen(self) -> bool:
        return self.principal_type == "citizen" and self.personnummer is not None

    @property
    def is_staff(self) -> bool:
        return self.principal_type == "staff"

    def may_see_region(self, region: str) -> bool:
        return self.is_staff and (self.region == NATIONAL or self.region == region)

    @classmethod
    def from_claims(cls, claims: Mapping[str, Any]) -> Caller | None:
        subject = claims.get("sub")
        principal_type = claims.get("principalType")
        if not subject or principal_type not in ("citizen", "staff", "agency"):
            return None
        return cls(
            subject=str(subject),
            principal_type=principal_type,
            personnummer=claims.get("personnummer") or None,
            staff_id=claims.get("staffId") or None,
            roles=frozenset(str(claims.get("roles", "")).split()),
            region=claims.get("region") or None,
            scopes=frozenset(str(claims.get("scope", "")).split()),
        )


def caller_from_event(event: Mapping[str, Any]) -> Caller | None:
    """The caller of a REST proxy event, or None when the route is public and no token was sent."""
    authorizer = (event.get("requestContext") or {}).get("authorizer") or {}
    if authorizer.get("principalType") == "citizen":
        return Caller.from_claims(authorizer)
    claims = authorizer.get("claims") or {}
    if claims.get("principalType") == "citizen":
        return None
    return Caller.from_claims(claims)


def require_citizen(event: Mapping[str, Any]) -> Caller:
    """The calling citizen, or a problem: 401 without a login, 403 for staff and agencies."""
    caller = caller_from_event(event)
    if caller is None:
        raise UnauthorizedProblem(TEXTS("login_eid"))
    if not caller.is_citizen:
        raise ForbiddenProblem(TEXTS("only_citizens"))
    return caller


def require_staff(event: Mapping[str, Any], *, role: str | None = None) -> Caller:
    """The calling police employee, or a problem: 401 without a login, 403 for others or without ``role``."""
    caller = caller_from_event(event)
    if caller is None:
        raise UnauthorizedProblem(TEXTS("login_staff"))
    if not caller.is_staff or caller.region is None:
        raise ForbiddenProblem(TEXTS("only_staff"))
    if role is not None and role not in caller.roles:
        raise ForbiddenProblem(TEXTS("needs_role", role=role))
    return caller


def require_agency(event: Mapping[str, Any]) -> Caller:
    """The calling agency client, or a problem: 401 without a login, 403 for citizens and staff."""
    caller = caller_from_event(event)
    if caller is None:
        raise UnauthorizedProblem(TEXTS("login_agency"))
    if caller.principal_type != "agency":
        raise ForbiddenProblem(TEXTS("only_agencies"))
    return caller


__all__ = ["NATIONAL", "Caller", "caller_from_event", "require_agency", "require_citizen", "require_staff"]
