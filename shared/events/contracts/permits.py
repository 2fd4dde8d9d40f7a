"""Events the permits service publishes (source ``polisen.permits``). Owned by the permits service.

An application is named by its diarienummer; ``ownerRef`` is the opaque e-ID subject of the applicant, so the
bookings service can tell whose case a meeting is about without personal data. No event carries a
personnummer, an address or the text of a case: what a municipality answers stays in the application, and its
event says only which verdict it was.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from shared.events.envelope import EventData

SOURCE = "polisen.permits"

PermitKindName = Literal["publicPlace", "weaponLicence", "renewal", "purchasePermit", "duplicateLicence"]
Verdict = Literal["supports", "supportsWithConditions", "advisesAgainst"]


class PermitApplicationSubmitted(EventData):
    """A citizen submitted a permit application; it is handled once its fee is paid."""

    event_type = "PermitApplicationSubmitted"

    diarienummer: str
    kind: PermitKindName
    region: str  # the region of the place (public place) or "National" (the national weapons queue)
    municipality_code: str | None = None  # the place's, for a public place
    fee_sek: int
    submitted_at: datetime
    owner_ref: str


class PermitFeePaid(EventData):
    """The payment provider confirmed the application's fee: its handling starts."""

    event_type = "PermitFeePaid"

    diarienummer: str
    kind: PermitKindName
    amount_sek: int
    paid_at: datetime
    owner_ref: str


class PermitApplicationDismissed(EventData):
    """An application whose fee was not paid in time was dismissed (avskrivet) without being examined."""

    event_type = "PermitApplicationDismissed"

    diarienummer: str
    kind: PermitKindName
    dismissed_at: datetime
    owner_ref: str


class PermitReferralSent(EventData):
    """A public-place application was referred to its municipality for an opinion (remiss)."""

    event_type = "PermitReferralSent"

    diarienummer: str
    municipality_code: str
    sent_at: datetime
    answer_due_at: datetime


class MunicipalityAnswered(EventData):
    """The municipality answered a referral. The conditions or reason it gave stay with the application."""

    event_type = "MunicipalityAnswered"

    diarienummer: str
    municipality_code: str
    verdict: Verdict
    answered_at: datetime


class PermitCompletionRequested(EventData):
    """A case handler asked the applicant for more; the case's clock stands still until they answer."""

    event_type = "PermitCompletionRequested"

    diarienummer: str
    request_id: str
    due_on: date
    requested_at: datetime
    owner_ref: str


class PermitCompletionAnswered(EventData):
    """The applicant answered a completion request."""

    event_type = "PermitCompletionAnswered"

    diarienummer: str
    request_id: str
    answered_at: datetime
    owner_ref: str


class PermitDecided(EventData):
    """A permit application was decided: by a rule (``decidedBy = rule``, granting only) or by staff."""

    event_type = "PermitDecided"

    diarienummer: str
    kind: PermitKindName
    region: str
    outcome: Literal["granted", "refused"]
    decided_by: Literal["rule", "staff"]
    rule_id: str | None = None
    rule_version: int | None = None
    decided_at: datetime
    valid_until: date | None = None
    owner_ref: str


class LicenceExpiring(EventData):
    """A time-limited weapons licence, or an unused purchase permit, runs out soon; its holder is reminded."""

    event_type = "LicenceExpiring"

    licence_number: str
    licence_kind: Literal["licence", "purchasePermit"]
    expires_on: date
    owner_ref: str | None = None  # None for a licence issued before the e-service knew its holder's e-ID


CONTRACTS: tuple[type[EventData], ...] = (
    PermitApplicationSubmitted,
    PermitFeePaid,
    PermitApplicationDismissed,
    PermitReferralSent,
    MunicipalityAnswered,
    PermitCompletionRequested,
    PermitCompletionAnswered,
    PermitDecided,
    LicenceExpiring,
)
