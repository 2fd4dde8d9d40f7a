"""Citizens' feedback (praise, suggestions, complaints), as the national model handles it.

A citizen gives feedback on the web, identified with e-ID or anonymously, or a caller's feedback is registered
by the contact centre on their behalf. Each item is routed to the regional function of its place (or the
national function), assigned to a responsible manager who answers the citizen, and closed; a citizen who is not
satisfied may reopen a closed item once. What staff did, and when, is the item's history.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Annotated

from pydantic import AwareDatetime, Field, StringConstraints, field_validator, model_validator

from services.feedback.messages import TEXTS
from shared.casenumbers import parse_diarienummer, parse_k_number
from shared.i18n import DEFAULT_LANGUAGE, InvalidValue, Language, Localized
from shared.identity import InvalidIdentifier
from shared.models import CamelModel, Day
from shared.regions import UnknownMunicipality, municipality
from shared.staff import NATIONAL

MAX_TEXT_CHARS = 8000
FEEDBACK_NUMBER_PATTERN = r"^F\d{1,7}-\d{2}$"
_FEEDBACK_NUMBER = re.compile(FEEDBACK_NUMBER_PATTERN)
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TEXT_CHARS)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
Email = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\+?[0-9 ()-]{6,20}$")]
# Where complaints that may describe a crime by a police employee go (Särskilda utredningar).
SPECIAL_INVESTIGATIONS = "specialInvestigations"


class Kind(StrEnum):
    PRAISE = "praise"
    SUGGESTION = "suggestion"  # förslag eller synpunkt
    SERVICE_COMPLAINT = "serviceComplaint"
    EMPLOYEE_COMPLAINT = "employeeComplaint"


class Category(StrEnum):
    TREATMENT = "treatment"  # bemötande
    ACCESSIBILITY = "accessibility"  # tillgänglighet, att nå polisen
    WAITING_TIME = "waitingTime"
    INFORMATION = "information"
    CASE_HANDLING = "caseHandling"
    DIGITAL_SERVICES = "digitalServices"
    INTERVENTION = "intervention"  # ett ingripande
    OTHER = "other"


class Channel(StrEnum):
    WEB = "web"
    ANONYMOUS_WEB = "anonymousWeb"
    CONTACT_CENTRE = "contactCentre"


class Status(StrEnum):
    REGISTERED = "registered"
    ASSIGNED = "assigned"
    ANSWERED = "answered"
    CLOSED = "closed"
    REFERRED = "referred"  # to the unit that investigates crimes by police employees: not feedback

    @property
    def is_open(self) -> bool:
        return self in (Status.REGISTERED, Status.ASSIGNED)


class AnswerBy(StrEnum):
    DIGITAL_MAIL = "digitalMail"  # the digital mailbox, or a letter on paper
    EMAIL = "email"
    PHONE = "phone"


def is_feedback_number(text: str) -> bool:
    return bool(_FEEDBACK_NUMBER.fullmatch(text))


class Unit(CamelModel):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
    # A unit of the national organisation (the national operations department, the forensic centre, ...).
    national: bool = False


class Concerns(CamelModel):
    """What the feedback is about: all optional, since praise of "the police" is feedback too."""

    municipality_code: Annotated[str | None, Field(pattern=r"^\d{4}$", examples=["1280"])] = None
    unit: Unit | None = None
    occurred_on: Day | None = None
    # A report (K-number) or permit (diarienummer) of the sender's own.
    case_number: Annotated[str | None, StringConstraints(strip_whitespace=True, max_length=30)] = None

    @field_validator("municipality_code")
    @classmethod
    def _known_municipality(cls, code: str | None) -> str | None:
        if code is None:
            return None
        try:
            municipality(code)
        except UnknownMunicipality:
            raise InvalidValue(TEXTS("invalid.municipality", code=code)) from None
        return code

    @field_validator("case_number")
    @classmethod
    def _case_number(cls, value: str | None) -> str | None:
        if value is None:
            return None
        for parse in (parse_k_number, parse_diarienummer):
            try:
                return str(parse(value))
            except InvalidIdentifier:
                continue
        raise InvalidValue(TEXTS("invalid.case_number"))


class AnswerWish(CamelModel):
    by: AnswerBy
    email: Email | None = None
    phone: Phone | None = None

    @model_validator(mode="after")
    def _reachable(self) -> AnswerWish:
        if self.by is AnswerBy.EMAIL and self.email is None:
            raise InvalidValue(TEXTS("invalid.email_needed"))
        if self.by is AnswerBy.PHONE and self.phone is None:
            raise InvalidValue(TEXTS("invalid.phone_needed"))
        return self


class FeedbackDraft(CamelModel):
    kind: Kind
    category: Category = Category.OTHER
    concerns: Concerns = Concerns()
    text: Text
    # Absent: no answer wanted. Anonymous feedback cannot be answered.
    answer: AnswerWish | None = None
    publish_consent: bool = False
    # The sender says the employee may have committed a crime (for complaints about an employee).
    describes_crime: bool = False

    @model_validator(mode="after")
    def _crime_only_of_an_employee(self) -> FeedbackDraft:
        if self.describes_crime and self.kind is not Kind.EMPLOYEE_COMPLAINT:
            raise InvalidValue(TEXTS("invalid.crime_only_employee"))
        return self


class Attachment(CamelModel):
    attachment_id: str
    content_type: str
    size_bytes: int
    requested_at: AwareDatetime
    uploaded_at: AwareDatetime | None = None


class Answer(CamelModel):
    text: str
    answered_at: AwareDatetime
    answered_by: str
    within_deadline: bool


class Publication(CamelModel):
    """The redacted version staff approved for the public database."""

    text: str
    municipality: str | None
    month: str  # YYYY-MM
    approved_by: str
    approved_at: AwareDatetime


class HistoryEntry(CamelModel):
    at: AwareDatetime
    status: Status
    what: Localized
    by: str | None = None  # a staff id; None for the citizen or the system


class FeedbackItem(CamelModel):
    feedback_number: str
    channel: Channel
    draft: FeedbackDraft
    owner_ref: str | None = None  # e-ID subject; None when anonymous or registered for a caller
    personnummer: str | None = None  # of an identified sender
    caller_name: str | None = None  # a caller registered by the contact centre
    registered_by: str | None = None  # the contact-centre staff member
    language: Language = DEFAULT_LANGUAGE
    received_at: AwareDatetime
    region: str  # a region's name or NATIONAL
    status: Status = Status.REGISTERED
    manager: str | None = None  # the responsible manager's staff id
    answer_due_at: AwareDatetime
    reminded_at: AwareDatetime | None = None
    escalated_at: AwareDatetime | None = None
    delay_notified_at: AwareDatetime | None = None
    answer: Answer | None = None
    employee_feedback_at: AwareDatetime | None = None  # the manager gave feedback to the employee concerned
    closed_at: AwareDatetime | None = None
    reopened_at: AwareDatetime | None = None
    publication: Publication | None = None
    lesson_ids: tuple[str, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    letters_sent: tuple[str, ...] = ()
    history: tuple[HistoryEntry, ...] = ()
    correlation_id: str = ""
    version: int = 1

    @property
    def anonymous(self) -> bool:
        return self.channel is Channel.ANONYMOUS_WEB

    @property
    def wants_answer(self) -> bool:
        return self.draft.answer is not None

    @property
    def next_due_at(self) -> datetime | None:
        """When the deadlines job next has something to do: remind the manager, then escalate."""
        if not self.status.is_open:
            return None
        if self.reminded_at is None:
            return self.answer_due_at - REMINDER_BEFORE
        return self.answer_due_at if self.escalated_at is None else None

    def moved(
        self, status: Status, at: datetime, what: Localized, *, by: str | None = None, **changes: object
    ) -> FeedbackItem:
        return self.model_copy(
            update={
                "version": self.version + 1,
                **changes,
                "status": status,
                "history": (*self.history, HistoryEntry(at=at, status=status, what=what, by=by)),
            }
        )

    def changed(self, **changes: object) -> FeedbackItem:
        return self.model_copy(update={"version": self.version + 1, **changes})


# The manager is reminded this long before the answer is due (configurable with the answer period).
REMINDER_BEFORE = timedelta(days=3)


def region_of(concerns: Concerns) -> str:
    """The regional function of the place, or the national one for a national unit or no place at all."""
    from shared.regions import region_for_municipality

    if concerns.unit is not None and concerns.unit.national:
        return NATIONAL
    if concerns.municipality_code is None:
        return NATIONAL
    return region_for_municipality(concerns.municipality_code).value


def month_of(moment: datetime | date) -> str:
    return f"{moment.year:04d}-{moment.month:02d}"
