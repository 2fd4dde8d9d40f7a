"""Taking feedback in: on the web (identified with e-ID, or anonymous) and at the contact centre, on a caller's
behalf. Each item gets a feedback number at once and is routed to the regional function of its place, or the
national function. A complaint about an employee that may describe a crime is not handled as feedback: it is
referred at once to the unit that investigates crimes by police employees, and the sender is told so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from services.feedback.domain.model import (
    SPECIAL_INVESTIGATIONS,
    Channel,
    FeedbackDraft,
    FeedbackItem,
    HistoryEntry,
    Kind,
    Status,
    region_of,
)
from services.feedback.domain.ports import CaseOwnership, FeedbackRepository, Page
from services.feedback.messages import TEXTS
from shared.casenumbers import KNumber
from shared.clock import stockholm_time
from shared.errors import InvalidInput, NotFound
from shared.events.contracts.feedback import SOURCE, FeedbackReceived, FeedbackRouted
from shared.events.envelope import Envelope, EventData, new_event
from shared.i18n import DEFAULT_LANGUAGE, Language


@dataclass(frozen=True)
class Sender:
    """Who gives the feedback: a citizen with e-ID, nobody (anonymous), or a caller the contact centre
    registers (named as the caller said, with the staff member who registered it)."""

    owner_ref: str | None = None
    personnummer: str | None = None
    caller_name: str | None = None
    registered_by: str | None = None
    language: Language = DEFAULT_LANGUAGE

    @property
    def channel(self) -> Channel:
        if self.registered_by is not None:
            return Channel.CONTACT_CENTRE
        return Channel.WEB if self.owner_ref is not None else Channel.ANONYMOUS_WEB


def feedback_number_of(number: int, year: int) -> str:
    return KNumber.for_year(number, year).format().replace("K", "F", 1)


def _check(draft: FeedbackDraft, sender: Sender, cases: CaseOwnership) -> None:
    if sender.channel is Channel.ANONYMOUS_WEB:
        if draft.answer is not None:
            raise InvalidInput.of("answer", TEXTS("invalid.anonymous_answer"))
        if draft.concerns.case_number is not None:
            raise InvalidInput.of("concerns.caseNumber", TEXTS("invalid.anonymous_case"))
    number = draft.concerns.case_number
    if number is not None and sender.owner_ref is not None and cases.owner_of(number) != sender.owner_ref:
        # Another's case, or one not known, alike: nothing says which.
        raise NotFound(TEXTS("not_found.case", caseNumber=number))


def receive(
    draft: FeedbackDraft,
    *,
    sender: Sender,
    repository: FeedbackRepository,
    cases: CaseOwnership,
    now: datetime,
    answer_days: int,
    correlation_id: str,
) -> FeedbackItem:
    _check(draft, sender, cases)
    year = stockholm_time(now).year
    number = feedback_number_of(repository.allocate_number(year), year)
    region = region_of(draft.concerns)
    referred = draft.kind is Kind.EMPLOYEE_COMPLAINT and draft.describes_crime
    status = Status.REFERRED if referred else Status.REGISTERED
    history = [HistoryEntry(at=now, status=Status.REGISTERED, what=TEXTS("history.received").kept())]
    if referred:
        history.append(HistoryEntry(at=now, status=status, what=TEXTS("history.referred_crime").kept()))
    item = FeedbackItem(
        feedback_number=number,
        channel=sender.channel,
        draft=draft.model_copy(update={"publish_consent": False}) if referred else draft,
        owner_ref=sender.owner_ref,
        personnummer=sender.personnummer,
        caller_name=sender.caller_name,
        registered_by=sender.registered_by,
        language=sender.language,
        received_at=now,
        region=region,
        status=status,
        answer_due_at=now + timedelta(days=answer_days),
        history=tuple(history),
        correlation_id=correlation_id,
    )
    events: list[Envelope[EventData]] = [
        new_event(
            FeedbackReceived(
                feedback_number=number,
                kind=draft.kind.value,
                category=draft.category.value,
                channel=sender.channel.value,
                region=region,
                municipality_code=draft.concerns.municipality_code,
                received_at=now,
                answer_wanted=draft.answer is not None,
                owner_ref=sender.owner_ref,
            ),
            producer=SOURCE,
            occurred_at=now,
            correlation_id=correlation_id,
        )
    ]
    if referred:
        events.append(
            new_event(
                FeedbackRouted(
                    feedback_number=number, from_region=region, to=SPECIAL_INVESTIGATIONS, routed_at=now
                ),
                producer=SOURCE,
                occurred_at=now,
                correlation_id=correlation_id,
            )
        )
    repository.add(item, events)
    return item


def owned_item(feedback_number: str, *, owner_ref: str, repository: FeedbackRepository) -> FeedbackItem:
    item = repository.get(feedback_number)
    if item is None or item.owner_ref is None or item.owner_ref != owner_ref:
        raise NotFound(TEXTS("not_found.item", feedbackNumber=feedback_number))
    return item


def items_of(
    owner_ref: str, *, repository: FeedbackRepository, limit: int, start: dict[str, Any] | None
) -> Page:
    return repository.of_owner(owner_ref, limit=limit, start=start)
