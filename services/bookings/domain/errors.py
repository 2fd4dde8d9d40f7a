"""Why a booking was refused, in the domain's words; the API turns each into problem+json."""

from __future__ import annotations

from shared.errors import Conflict, DomainError


class SlotFull(Conflict):
    def __init__(self) -> None:
        super().__init__("The time is fully booked. Choose another time.")


class BookingLimitReached(Conflict):
    def __init__(self, limit: int) -> None:
        super().__init__(
            f"You already have {limit} active bookings, the most one e-ID may hold. Cancel one to book another."
        )


class AlreadyBooked(Conflict):
    """The applicant already has an active appointment for this document (or this case)."""


class BookingNumberTaken(Conflict):
    """A freshly drawn booking number is in use: draw another."""

    def __init__(self) -> None:
        super().__init__("The booking number is taken")


class ChangedMeanwhile(Conflict):
    """What was read has changed under the caller; reading again and retrying is safe."""


class NotGuardian(DomainError):
    """The population register does not list the booker as guardian of the applicant."""

    def __init__(self) -> None:
        super().__init__(
            "The population register does not list you as guardian of the applicant. A guardian may book for "
            "their child under 18; anyone else books for themself."
        )
