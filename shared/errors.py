"""Errors the domain raises. Free of HTTP: the API layer turns them into problem+json, in the language of
the request (a detail is a catalog message; ``str()`` of the error is its English text)."""

from __future__ import annotations

from collections.abc import Mapping

from shared.i18n import Text, render


class DomainError(Exception):
    def __init__(self, detail: Text) -> None:
        super().__init__(render(detail, "en"))
        self.detail = detail


class InvalidInput(DomainError):
    """Input that passed the schema but breaks a rule (a time in the future, an unknown code). Names every
    offending field at once, so the citizen can fix them all in one go."""

    def __init__(self, reasons: Mapping[str, Text]) -> None:
        super().__init__("; ".join(f"{field}: {render(reason, 'en')}" for field, reason in reasons.items()))
        self.reasons = dict(reasons)

    @classmethod
    def of(cls, field: str, reason: Text) -> InvalidInput:
        return cls({field: reason})


class ForeignPageStart(InvalidInput):
    """A page token that points into another list than the one asked for (someone else's, another region's):
    refused like a forged one, naming the pagination parameter every list of the APIs has."""

    def __init__(self) -> None:
        super().__init__({"nextToken": "is not a token this API gave out"})


class NotFound(DomainError):
    """Also what a caller gets for an object that exists but is not theirs: its existence is not revealed."""


class Forbidden(DomainError):
    """The caller is known but has no right to do this: acting for a company they do not represent, a staff
    member without the role the action needs. (Someone else's object is NotFound instead, so that its
    existence is not revealed.)"""


class Conflict(DomainError):
    """The state changed under the caller, or the request clashes with the current state."""


class Referral(DomainError):
    """The matter belongs elsewhere: the citizen is told where to turn (112, 114 14, a reception)."""

    def __init__(self, detail: Text, refer_to: str) -> None:
        super().__init__(detail)
        self.refer_to = refer_to
