"""Permit applications: what a citizen submits for each of the five e-services, and the case the police keep.

Each e-service has its own form (``*Details``, chosen by ``kind``). Checks that need no clock and no storage
live here; the rest in the use cases. The case (:class:`Application`) keeps its fee and payment, the checks
that prepared it, the municipality's answer to a referral, completion requests and the decision, each with
the moment it happened, so the applicant's timeline and the staff's view are read from one item.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import AwareDatetime, Field, StringConstraints, field_validator, model_validator

from services.permits.messages import TEXTS
from shared.clock import STOCKHOLM
from shared.i18n import DEFAULT_LANGUAGE, InvalidValue, Language, Localized
from shared.identity import InvalidIdentifier, parse_organisationsnummer
from shared.models import CamelModel, Day, tagged_union
from shared.regions import UnknownMunicipality, municipality

MAX_WEAPONS = 10
# A paid case still not prepared this long after payment: its fee-paid event was lost or dead-lettered.
PREPARATION_OVERDUE = timedelta(minutes=10)
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\+?[0-9 ()-]{6,20}$")]


class PermitKind(StrEnum):
    PUBLIC_PLACE = "publicPlace"
    WEAPON_LICENCE = "weaponLicence"
    RENEWAL = "renewal"
    PURCHASE_PERMIT = "purchasePermit"
    DUPLICATE = "duplicateLicence"

    @property
    def is_weapons(self) -> bool:
        return self is not PermitKind.PUBLIC_PLACE


class ApplicationStatus(StrEnum):
    AWAITING_PAYMENT = "awaitingPayment"
    DISMISSED = "dismissed"  # not paid in time: avskrivet
    PAID = "paid"  # the fee is paid; the checks are being run
    REFERRED = "referred"  # waiting for the municipality's opinion
    QUEUED = "queued"  # prepared, waiting for a case handler
    IN_PROGRESS = "inProgress"  # a case handler has it
    AWAITING_COMPLETION = "awaitingCompletion"  # waiting for the applicant
    GRANTED = "granted"
    REFUSED = "refused"

    @property
    def is_decided(self) -> bool:
        return self in (ApplicationStatus.GRANTED, ApplicationStatus.REFUSED, ApplicationStatus.DISMISSED)


# --- the forms ---------------------------------------------------------------------------------------------


class Coordinates(CamelModel):
    # Sweden's bounding box, with a margin for coastal waters.
    latitude: Annotated[float, Field(ge=55.0, le=69.5)]
    longitude: Annotated[float, Field(ge=10.5, le=24.5)]


class Place(CamelModel):
    municipality_code: Annotated[str, Field(pattern=r"^\d{4}$", examples=["0180"])]
    address: Name
    coordinates: Coordinates | None = None

    @field_validator("municipality_code")
    @classmethod
    def _known_municipality(cls, code: str) -> str:
        try:
            municipality(code)
        except UnknownMunicipality:
            raise InvalidValue(TEXTS("invalid.municipality", code=code)) from None
        return code


class Period(CamelModel):
    starts_on: Day
    ends_on: Day

    @model_validator(mode="after")
    def _in_order(self) -> Period:
        if self.ends_on < self.starts_on:
            raise InvalidValue(TEXTS("invalid.period_order"))
        return self


class ResponsiblePerson(CamelModel):
    name: Name
    phone: Phone


class PublicPlacePurpose(StrEnum):
    OUTDOOR_SEATING = "outdoorSeating"
    BUILDING_SITE = "buildingSite"  # containers, scaffolding
    SIGN = "sign"
    STAGE_OR_EVENT = "stageOrEvent"
    SALES_STAND = "salesStand"
    MONEY_COLLECTION = "moneyCollection"
    OTHER = "other"


class Sketch(CamelModel):
    """The uploaded sketch of placement and measurements (see the sketch routes)."""

    object_key: str
    content_type: str
    size_bytes: int
    uploaded_at: AwareDatetime | None = None


class PublicPlaceDetails(CamelModel):
    kind: Literal["publicPlace"] = "publicPlace"
    purpose: PublicPlacePurpose
    description: Text
    place: Place
    period: Period
    area_square_metres: Annotated[float, Field(gt=0, le=100_000)]
    responsible_person: ResponsiblePerson


class WeaponType(StrEnum):
    RIFLE = "rifle"
    SHOTGUN = "shotgun"
    COMBINATION_GUN = "combinationGun"
    PISTOL = "pistol"
    REVOLVER = "revolver"
    AIR_WEAPON = "airWeapon"


class WeaponPurpose(StrEnum):
    HUNTING = "hunting"
    TARGET_SHOOTING = "targetShooting"
    COLLECTION = "collection"
    MEMENTO = "memento"
    OTHER = "other"


class Weapon(CamelModel):
    type: WeaponType
    make: ShortText
    model: ShortText
    calibre: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=30)]
    serial_number: Annotated[
        str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9./ -]{1,40}$")
    ]
    fully_automatic: bool = False


class NewWeapon(CamelModel):
    """A factory-new weapon, not yet bought: no serial number yet."""

    type: WeaponType
    make: ShortText
    model: ShortText
    calibre: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=30)]
    fully_automatic: bool = False


class ClubCertificate(CamelModel):
    club: Name
    member_since: Day
    active: bool  # the club certifies active shooting, not only membership


class Evidence(CamelModel):
    """What the purpose needs: the hunting exam for hunting, a club's certificate for target shooting."""

    hunting_exam_passed_on: Day | None = None
    club_certificate: ClubCertificate | None = None


class Storage(CamelModel):
    address: Name
    # A certified gun cabinet's class (for example "SS 3492"), or how else the weapon is kept safe.
    description: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


class Organisation(CamelModel):
    """A company or association applying through the person logged in."""

    organisationsnummer: str

    @field_validator("organisationsnummer")
    @classmethod
    def _valid(cls, value: str) -> str:
        try:
            return str(parse_organisationsnummer(value))
        except InvalidIdentifier as error:
            raise InvalidValue(error.message) from None


class WeaponLicenceDetails(CamelModel):
    kind: Literal["weaponLicence"] = "weaponLicence"
    weapons: Annotated[list[Weapon], Field(min_length=1, max_length=MAX_WEAPONS)]
    purpose: WeaponPurpose
    # Why the weapon is needed: required for "other", and for hunting beyond the normal set.
    reasons: Text | None = None
    evidence: Evidence = Evidence()
    storage: Storage


class RenewalDetails(CamelModel):
    kind: Literal["renewal"] = "renewal"
    licence_number: Annotated[str, Field(pattern=r"^VL-\d{4}-\d{6}$", examples=["VL-2021-000123"])]
    circumstances_unchanged: bool
    storage: Storage
    changes: Text | None = None  # what changed, when circumstances did


class PurchasePermitDetails(CamelModel):
    kind: Literal["purchasePermit"] = "purchasePermit"
    weapon: NewWeapon
    purpose: WeaponPurpose
    reasons: Text | None = None
    evidence: Evidence = Evidence()
    storage: Storage


class DuplicateDetails(CamelModel):
    kind: Literal["duplicateLicence"] = "duplicateLicence"
    licence_number: Annotated[str, Field(pattern=r"^VL-\d{4}-\d{6}$", examples=["VL-2021-000123"])]
    how_lost: Text
    lost_on: Day


PERMIT_KINDS: dict[str, type[CamelModel]] = {
    "publicPlace": PublicPlaceDetails,
    "weaponLicence": WeaponLicenceDetails,
    "renewal": RenewalDetails,
    "purchasePermit": PurchasePermitDetails,
    "duplicateLicence": DuplicateDetails,
}
if TYPE_CHECKING:
    Details = (
        PublicPlaceDetails | WeaponLicenceDetails | RenewalDetails | PurchasePermitDetails | DuplicateDetails
    )
else:
    # The form chosen by ``kind``, with errors naming the form's fields.
    Details = tagged_union("kind", PERMIT_KINDS)


def weapon_count(details: Details) -> int:
    if isinstance(details, WeaponLicenceDetails):
        return len(details.weapons)
    return 1 if isinstance(details, PurchasePermitDetails) else 0


def is_fully_automatic(details: Details) -> bool:
    if isinstance(details, WeaponLicenceDetails):
        return any(w.fully_automatic for w in details.weapons)
    return isinstance(details, PurchasePermitDetails) and details.weapon.fully_automatic


# --- the case -----------------------------------------------------------------------------------------------


class FeeLine(CamelModel):
    what: Localized
    amount_sek: int


class Fee(CamelModel):
    amount_sek: int
    lines: tuple[FeeLine, ...]
    kept_on_refusal: bool = True


class Payment(CamelModel):
    reference: str
    paid_at: AwareDatetime | None = None
    transaction_id: str | None = None


class CheckOutcome(StrEnum):
    PASSED = "passed"
    FLAGGED = "flagged"


class Check(CamelModel):
    """One check done when the fee was paid: which, its outcome, and what a case handler should know."""

    name: str
    outcome: CheckOutcome
    note: Localized


class Preparation(CamelModel):
    checks: tuple[Check, ...]
    rule_id: str
    rule_version: int
    prepared_at: AwareDatetime

    @property
    def flags(self) -> tuple[Check, ...]:
        return tuple(c for c in self.checks if c.outcome is CheckOutcome.FLAGGED)


class MunicipalityVerdict(StrEnum):
    SUPPORTS = "supports"  # tillstyrker
    SUPPORTS_WITH_CONDITIONS = "supportsWithConditions"  # tillstyrker med villkor
    ADVISES_AGAINST = "advisesAgainst"  # avstyrker


class MunicipalityAnswer(CamelModel):
    verdict: MunicipalityVerdict
    conditions: str | None = None
    reason: str | None = None
    answered_at: AwareDatetime
    answered_by: str  # the agency client


class Referral(CamelModel):
    municipality_code: str
    sent_at: AwareDatetime
    answer_due_at: AwareDatetime
    reminder_due_at: AwareDatetime
    reminded_at: AwareDatetime | None = None
    escalated_at: AwareDatetime | None = None
    answer: MunicipalityAnswer | None = None


class CompletionRequest(CamelModel):
    request_id: str
    asked: Localized
    due_on: date
    requested_at: AwareDatetime
    requested_by: str
    answer: str | None = None
    answered_at: AwareDatetime | None = None
    lapsed_at: AwareDatetime | None = None  # the deadline passed without an answer


class Outcome(StrEnum):
    GRANTED = "granted"
    REFUSED = "refused"


class Decision(CamelModel):
    outcome: Outcome
    decided_by: Literal["rule", "staff"]
    decided_at: AwareDatetime
    reasons: Localized
    conditions: str | None = None
    valid_until: date | None = None
    rule_id: str | None = None
    rule_version: int | None = None
    staff_id: str | None = None
    licence_numbers: tuple[str, ...] = ()


class TimelineEntry(CamelModel):
    at: AwareDatetime
    status: ApplicationStatus
    text: Localized


class Application(CamelModel):
    diarienummer: str
    kind: PermitKind
    applicant_ref: str  # the e-ID subject
    applicant_personnummer: str
    organisation: Organisation | None = None
    language: Language = DEFAULT_LANGUAGE
    details: Details
    region: str  # the place's region, or "National" for the national weapons queue
    submitted_at: AwareDatetime
    fee: Fee
    payment: Payment
    payment_due_at: AwareDatetime
    status: ApplicationStatus
    sketch: Sketch | None = None
    preparation: Preparation | None = None
    referral: Referral | None = None
    completions: tuple[CompletionRequest, ...] = ()
    # The days the case waited for the applicant: they do not count against the police's handling time.
    paused_days: int = 0
    assigned_to: str | None = None
    decision: Decision | None = None
    delay_notified_at: AwareDatetime | None = None
    # The letters written about the case (their ids), so none is written twice.
    letters_sent: tuple[str, ...] = ()
    timeline: tuple[TimelineEntry, ...] = ()
    correlation_id: str = ""
    version: int = 1

    @property
    def municipality_code(self) -> str | None:
        return self.details.place.municipality_code if isinstance(self.details, PublicPlaceDetails) else None

    @property
    def next_due_at(self) -> datetime | None:
        """When the scheduled job next has something to do on the case: dismiss it unpaid, count it as
        stalled (paid, never prepared), remind or escalate its referral, or lapse its completion request.
        None when nothing is pending."""
        if self.status is ApplicationStatus.AWAITING_PAYMENT:
            return self.payment_due_at
        if self.status is ApplicationStatus.PAID and self.payment.paid_at is not None:
            return self.payment.paid_at + PREPARATION_OVERDUE
        due: list[datetime] = []
        referral = self.referral
        if self.referral_pending and referral is not None and referral.escalated_at is None:
            due.append(referral.reminder_due_at if referral.reminded_at is None else referral.answer_due_at)
        completion = self.open_completion
        if self.status is ApplicationStatus.AWAITING_COMPLETION and completion is not None:
            # The applicant has the whole last day, in Stockholm time.
            due.append(datetime.combine(completion.due_on + timedelta(days=1), time(0), STOCKHOLM))
        return min(due, default=None)

    @property
    def referral_pending(self) -> bool:
        """Referred and not yet answered, while the case is open: a case handler may take it meanwhile, and the
        municipality is still reminded and the case still escalated."""
        referral = self.referral
        return referral is not None and referral.answer is None and not self.status.is_decided

    @property
    def open_completion(self) -> CompletionRequest | None:
        return next((c for c in self.completions if c.answered_at is None and c.lapsed_at is None), None)

    @property
    def municipality_advised_against(self) -> bool:
        answer = self.referral.answer if self.referral else None
        return answer is not None and answer.verdict is MunicipalityVerdict.ADVISES_AGAINST

    def moved(
        self, status: ApplicationStatus, at: datetime, text: Localized, **changes: object
    ) -> Application:
        """The case in ``status`` with a timeline entry saying why, and its version raised."""
        return self.model_copy(
            update={
                "version": self.version + 1,
                **changes,
                "status": status,
                "timeline": (*self.timeline, TimelineEntry(at=at, status=status, text=text)),
            }
        )

    def changed(self, **changes: object) -> Application:
        return self.model_copy(update={"version": self.version + 1, **changes})


class LicenceKind(StrEnum):
    LICENCE = "licence"
    PURCHASE_PERMIT = "purchasePermit"


class LicenceStatus(StrEnum):
    VALID = "valid"
    EXPIRED = "expired"
    USED = "used"  # a purchase permit whose weapon was bought


class Licence(CamelModel):
    """A weapons licence or purchase permit in the police's register of licences."""

    licence_number: str
    kind: LicenceKind
    holder_personnummer: str
    holder_ref: str | None = None  # the e-ID subject, once the holder has used the e-service
    weapon: Weapon | NewWeapon
    purpose: WeaponPurpose
    issued_on: date
    valid_until: date | None = None  # None: not time-limited
    status: LicenceStatus = LicenceStatus.VALID
    diarienummer: str | None = None  # the application that granted it
    document_issued: int = 1  # how many licence documents were issued (duplicates raise it)
    reminded_at: AwareDatetime | None = None
    letters_sent: tuple[str, ...] = ()
    version: int = 1

    @property
    def is_time_limited(self) -> bool:
        return self.valid_until is not None

    def changed_to(self, **changes: object) -> Licence:
        return self.model_copy(update={**changes, "version": self.version + 1})
