"""The public HTTP contract of the feedback API (camelCase on the wire, times in Europe/Stockholm)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path
from pydantic import AwareDatetime, Field, StringConstraints

from services.feedback.domain.model import (
    FEEDBACK_NUMBER_PATTERN,
    Category,
    Channel,
    FeedbackDraft,
    FeedbackItem,
    Kind,
    Publication,
    Reason,
    Status,
    Text,
)
from services.feedback.messages import TEXTS
from shared.clock import stockholm_time
from shared.i18n import Localized
from shared.models import CamelModel
from shared.staff import NATIONAL

FeedbackNumberPath = Annotated[str, Path(pattern=FEEDBACK_NUMBER_PATTERN, examples=["F1234-26"])]
StaffId = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9-]{2,40}$")]


class GiveFeedbackRequest(FeedbackDraft):
    """The feedback itself (also what the contact centre registers for a caller)."""


class Caller(CamelModel):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class RegisterCallRequest(CamelModel):
    caller: Caller | None = None  # None: the caller stays anonymous
    feedback: FeedbackDraft


class ReopenRequest(CamelModel):
    reason: Reason


class AssignRequest(CamelModel):
    manager: StaffId


class TransferRequest(CamelModel):
    to: Annotated[str, StringConstraints(max_length=20)]
    reason: Reason


class ReferralRequest(CamelModel):
    reason: Reason


class AnswerRequest(CamelModel):
    text: Text


class PublicationRequest(CamelModel):
    text: Text


class KindView(CamelModel):
    kind: Kind
    label: Localized


class GuidanceView(CamelModel):
    anonymous: Localized
    answer: Localized
    crime: Localized
    publish: Localized
    answer_days: int
    kinds: list[KindView]
    categories: list[Category]


def _function(region: str) -> Localized:
    text = TEXTS("function.national") if region == NATIONAL else TEXTS("function.region", region=region)
    return text.kept()


class ReceiptView(CamelModel):
    feedback_number: str
    status: Status
    received_at: AwareDatetime
    function: Localized
    message: Localized
    anonymous_notice: Localized | None = None
    answer_by: date | None = None

    @classmethod
    def of(cls, item: FeedbackItem) -> ReceiptView:
        referred = item.status is Status.REFERRED
        return cls(
            feedback_number=item.feedback_number,
            status=item.status,
            received_at=item.received_at,
            function=_function(item.region),
            message=(
                TEXTS("receipt.referred")
                if referred
                else TEXTS("receipt.received", feedbackNumber=item.feedback_number)
            ).kept(),
            anonymous_notice=TEXTS("receipt.anonymous").kept() if item.anonymous else None,
            answer_by=stockholm_time(item.answer_due_at).date()
            if item.wants_answer and not referred
            else None,
        )


class HistoryView(CamelModel):
    at: AwareDatetime
    status: Status
    what: Localized


class AnswerView(CamelModel):
    text: str
    answered_at: AwareDatetime


class ItemView(CamelModel):
    feedback_number: str
    kind: Kind
    category: Category
    status: Status
    received_at: AwareDatetime
    answer_due_at: AwareDatetime | None = None
    answer: AnswerView | None = None
    may_reopen: bool
    attachments: int = 0
    history: list[HistoryView]

    @classmethod
    def of(cls, item: FeedbackItem) -> ItemView:
        return cls(
            feedback_number=item.feedback_number,
            kind=item.draft.kind,
            category=item.draft.category,
            status=item.status,
            received_at=item.received_at,
            answer_due_at=item.answer_due_at if item.wants_answer and item.status.is_open else None,
            answer=AnswerView(text=item.answer.text, answered_at=item.answer.answered_at)
            if item.answer
            else None,
            may_reopen=item.status is Status.CLOSED and item.reopened_at is None,
            attachments=sum(a.uploaded_at is not None for a in item.attachments),
            history=[HistoryView(at=h.at, status=h.status, what=h.what) for h in item.history],
        )


class ItemSummary(CamelModel):
    feedback_number: str
    kind: Kind
    status: Status
    received_at: AwareDatetime
    region: str
    answer_due_at: AwareDatetime

    @classmethod
    def of(cls, item: FeedbackItem) -> ItemSummary:
        return cls(
            feedback_number=item.feedback_number,
            kind=item.draft.kind,
            status=item.status,
            received_at=item.received_at,
            region=item.region,
            answer_due_at=item.answer_due_at,
        )


class ItemList(CamelModel):
    items: list[ItemSummary]
    next_token: str | None = None


class StaffItemView(ItemView):
    region: str
    channel: Channel
    feedback: FeedbackDraft
    registered_by: str | None = None
    caller_name: str | None = None
    sender_personnummer: str | None = None
    manager: str | None = None
    reminded_at: AwareDatetime | None = None
    escalated_at: AwareDatetime | None = None
    employee_feedback_at: AwareDatetime | None = None
    publication: Publication | None = None
    # What the redaction takes out, as a starting point for the publication staff approve.
    proposed_publication: str | None = None
    lessons: list[str] = Field(default_factory=list)
    history_by: list[str | None] = Field(default_factory=list)

    @classmethod
    def for_staff(cls, item: FeedbackItem, *, proposal: str | None) -> StaffItemView:
        base = ItemView.of(item)
        return cls(
            **{name: getattr(base, name) for name in ItemView.model_fields},
            region=item.region,
            channel=item.channel,
            feedback=item.draft,
            registered_by=item.registered_by,
            caller_name=item.caller_name,
            sender_personnummer=item.personnummer,
            manager=item.manager,
            reminded_at=item.reminded_at,
            escalated_at=item.escalated_at,
            employee_feedback_at=item.employee_feedback_at,
            publication=item.publication,
            proposed_publication=proposal,
            lessons=list(item.lesson_ids),
            history_by=[h.by for h in item.history],
        )


class ThemeView(CamelModel):
    month: str
    region: str
    kind: Kind
    category: Category
    received: int
    answered: int
    answered_in_time: int
    share_in_time: float | None = None
    mean_answer_days: float | None = None
    change_from_previous_month: int | None = None


class LearningView(CamelModel):
    region: str
    from_: str = Field(alias="from")
    to: str
    themes: list[ThemeView]
    csv: str
    chart: str


class LessonRequest(CamelModel):
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    change: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
    feedback_numbers: Annotated[
        list[Annotated[str, StringConstraints(max_length=20)]], Field(min_length=1, max_length=200)
    ]


class LessonView(CamelModel):
    lesson_id: str
    region: str
    title: str
    change: str
    items: int
    published_at: AwareDatetime


class LessonList(CamelModel):
    items: list[LessonView]


class PublishedView(CamelModel):
    kind: Kind
    category: Category
    municipality: str | None = None
    month: str
    text: str


class PublishedList(CamelModel):
    items: list[PublishedView]
    page: int
    more: bool


class AttachmentRequest(CamelModel):
    content_type: Annotated[str, StringConstraints(max_length=100)]
    size_bytes: Annotated[int, Field(ge=1, le=1_000_000_000)]


class UploadInstructions(CamelModel):
    """Send the file as ``multipart/form-data`` POST to ``url`` with ``fields`` first and the file last, then
    call ``complete``."""

    attachment_id: str
    url: str
    fields: dict[str, str]
    expires_at: AwareDatetime
    complete: str


AttachmentIdPath = Annotated[str, Path(pattern=r"^[0-9a-f-]{36}$")]


class SearchHitView(CamelModel):
    feedback_number: str
    received_at: AwareDatetime
    region: str
    kind: Kind
    category: Category
    status: Status
    channel: Channel
    unit: str | None = None
    municipality_code: str | None = None


class SearchResults(CamelModel):
    items: list[SearchHitView]
    next_token: str | None = None
