"""Why a booking was refused, in the domain's words; the API turns each into problem+json."""

from __future__ import annotations

from services.bookings.messages import TEXTS
from shared.errors import Conflict, DomainError


class SlotFull(Conflict):
    def __init__(self) -> None:
        super().__init__(TEXTS("full"))


class BookingLimitReached(Conflict):
    def __init__(self, limit: int) -> None:
        super().__init__(TEXTS("limit", limit=limit))


class AlreadyBooked(Conflict):
    """The applicant already has an active appointment for this document (or this case)."""


class BookingNumberTaken(Conflict):
    """A freshly drawn booking number is in use: draw another."""

    def __init__(self) -> None:
        super().__init__(TEXTS("number_taken"))


class ChangedMeanwhile(Conflict):
    """What was read has changed under the caller; reading again and retrying is safe."""


class NotGuardian(DomainError):
    """The population register does not list the booker as guardian of the applicant."""

    def __init__(self) -> None:
        super().__init__(TEXTS("not_guardian"))
