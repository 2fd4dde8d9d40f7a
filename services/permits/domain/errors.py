"""The permits domain's own refusals, beyond shared.errors."""

from __future__ import annotations

from shared.errors import Conflict, DomainError


class ChangedMeanwhile(Conflict):
    """Another change to the case came first: read it again."""


class RegisterUnavailable(DomainError):
    """A register the checks need did not answer; the preparation is tried again later."""
