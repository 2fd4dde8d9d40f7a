"""Submitting an application, and reading one back as its applicant.

An application is stored at once with its diarienummer, its fee and a payment reference; its handling starts
only when the payment provider confirms the fee (:mod:`services.permits.domain.paying`). What can be checked
before anything is stored is: the form's fields (the contract), a period not in the past, a company applied
for only by a person its register names, and a renewal or duplicate only of a licence the applicant holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from services.permits.domain.fees import fee_for
from services.permits.domain.model import (
    Application,
    ApplicationStatus,
    Details,
    DuplicateDetails,
    Licence,
    LicenceStatus,
    Organisation,
    Payment,
    PermitKind,
    PublicPlaceDetails,
    RenewalDetails,
    TimelineEntry,
)
from services.permits.domain.ports import ApplicationRepository, CompanyRegister, LicenceRegister, Page
from services.permits.domain.rules import PermitRules
from services.permits.messages import TEXTS
from shared.casenumbers import Diarienummer
from shared.clock import stockholm_time
from shared.errors import Forbidden, InvalidInput, NotFound
from shared.events.contracts.permits import SOURCE, PermitApplicationSubmitted
from shared.events.envelope import Envelope, EventData, new_event
from shared.i18n import DEFAULT_LANGUAGE, Language
from shared.payments import payment_reference
from shared.regions import region_for_municipality
from shared.staff import NATIONAL

# The national weapons queue: every weapons case, whatever the applicant's region.
WEAPONS_QUEUE = "weapons"


@dataclass(frozen=True)
class Applicant:
    ref: str  # the e-ID subject
    personnummer: str  # 12 digits
    language: Language = DEFAULT_LANGUAGE


def birth_date_of(personnummer: str) -> date:
    """The birth date a 12-digit personnummer or samordningsnummer (day + 60) carries."""
    day = int(personnummer[6:8])
    return date(int(personnummer[:4]), int(personnummer[4:6]), day - 60 if day > 60 else day)


def age_on(personnummer: str, day: date) -> int:
    born = birth_date_of(personnummer)
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def region_of(details: Details) -> str:
    if isinstance(details, PublicPlaceDetails):
        return region_for_municipality(details.place.municipality_code).value
    return NATIONAL


def queue_of(application: Application) -> str:
    return WEAPONS_QUEUE if application.kind.is_weapons else application.region


def diarienummer_of(number: int, year: int) -> str:
    return Diarienummer(number=number, year=year).format()


def reference_for(diarienummer: str) -> str:
    """The OCR payment reference of an application: its year and number, a length digit and a check digit."""
    series_number, year = diarienummer[1:].split("/")
    return payment_reference(int(f"{year}{series_number.replace('.', '')}"))


def _check_dates(details: Details, today: date) -> None:
    if isinstance(details, PublicPlaceDetails) and details.period.starts_on < today:
        raise InvalidInput.of("details.period.startsOn", TEXTS("invalid.in_the_past"))
    if isinstance(details, DuplicateDetails) and details.lost_on > today:
        raise InvalidInput.of("details.lostOn", TEXTS("invalid.in_the_future"))


def held_licence(licence_number: str, applicant: Applicant, licences: LicenceRegister) -> Licence:
    """A licence of the applicant's, or a refusal naming the field: another's licence is as unknown as none."""
    licence = licences.licence(licence_number)
    if licence is None or licence.holder_personnummer != applicant.personnummer:
        raise InvalidInput.of(
            "details.licenceNumber", TEXTS("invalid.not_your_licence", number=licence_number)
        )
    return licence


def _check_licence(details: Details, applicant: Applicant, licences: LicenceRegister, today: date) -> None:
    if isinstance(details, RenewalDetails):
        licence = held_licence(details.licence_number, applicant, licences)
        if not licence.is_time_limited:
            raise InvalidInput.of("details.licenceNumber", TEXTS("invalid.not_time_limited"))
        if licence.status is not LicenceStatus.VALID or (licence.valid_until and licence.valid_until < today):
            raise InvalidInput.of("details.licenceNumber", TEXTS("invalid.licence_expired"))
    elif isinstance(details, DuplicateDetails):
        licence = held_licence(details.licence_number, applicant, licences)
        if licence.status is not LicenceStatus.VALID:
            raise InvalidInput.of("details.licenceNumber", TEXTS("invalid.licence_expired"))


def submit(
    details: Details,
    *,
    organisation: Organisation | None,
    applicant: Applicant,
    repository: ApplicationRepository,
    licences: LicenceRegister,
    companies: CompanyRegister,
    rules: PermitRules,
    now: datetime,
    correlation_id: str,
) -> Application:
    today = stockholm_time(now).date()
    _check_dates(details, today)
    if organisation is not None:
        if not isinstance(details, PublicPlaceDetails):
            raise InvalidInput.of("organisation", TEXTS("invalid.organisation_public_place_only"))
        if applicant.personnummer not in companies.representatives_of(organisation.organisationsnummer):
            raise Forbidden(TEXTS("forbidden.not_representative", org=organisation.organisationsnummer))
    _check_licence(details, applicant, licences, today)
    # The year of the number is Stockholm's: the first hour of January 1 is still the old year in UTC.
    year = stockholm_time(now).year
    diarienummer = diarienummer_of(repository.allocate_number(year), year)
    fee = fee_for(details, rules)
    region = region_of(details)
    application = Application(
        diarienummer=diarienummer,
        kind=PermitKind(details.kind),
        applicant_ref=applicant.ref,
        applicant_personnummer=applicant.personnummer,
        organisation=organisation,
        language=applicant.language,
        details=details,
        region=region,
        submitted_at=now,
        fee=fee,
        payment=Payment(reference=reference_for(diarienummer)),
        payment_due_at=now + timedelta(days=rules.deadlines.payment_days),
        status=ApplicationStatus.AWAITING_PAYMENT,
        timeline=(
            TimelineEntry(
                at=now,
                status=ApplicationStatus.AWAITING_PAYMENT,
                text=TEXTS("timeline.submitted", fee=fee.amount_sek).kept(),
            ),
        ),
        correlation_id=correlation_id,
    )
    event: Envelope[EventData] = new_event(
        PermitApplicationSubmitted(
            diarienummer=diarienummer,
            kind=application.kind.value,
            region=region,
            municipality_code=application.municipality_code,
            fee_sek=fee.amount_sek,
            submitted_at=now,
            owner_ref=applicant.ref,
        ),
        producer=SOURCE,
        occurred_at=now,
        correlation_id=correlation_id,
    )
    repository.add(application, [event])
    return application


def owned_application(
    diarienummer: str, *, applicant_ref: str, repository: ApplicationRepository
) -> Application:
    """The applicant's own application; another's, or one that does not exist, is not found alike."""
    application = repository.get(diarienummer)
    if application is None or application.applicant_ref != applicant_ref:
        raise NotFound(TEXTS("not_found.application", diarienummer=diarienummer))
    return application


def applications_of(
    applicant_ref: str, *, repository: ApplicationRepository, limit: int, start: dict[str, Any] | None
) -> Page:
    return repository.of_applicant(applicant_ref, limit=limit, start=start)
