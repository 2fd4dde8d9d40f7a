"""Taking feedback in: the feedback number, routing by place (national for a national unit or no place), the
crime referral, anonymous feedback that cannot be answered or name a case, and a case that is not the sender's."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import ValidationError

from services.feedback.domain import intake
from services.feedback.domain.model import SPECIAL_INVESTIGATIONS, Channel, FeedbackDraft, Status
from shared.errors import InvalidInput, NotFound
from shared.staff import NATIONAL
from tests.support.feedback_fakes import (
    ANONYMOUS,
    ANSWER_DAYS,
    NOW,
    UMEA,
    FeedbackWorld,
    caller,
    citizen,
    draft,
)


def test_feedback_gets_a_feedback_number_of_the_year_and_its_answer_deadline() -> None:
    world = FeedbackWorld()

    first = world.give()
    second = world.give()

    assert (first.feedback_number, second.feedback_number) == ("F1-26", "F2-26")
    assert first.status is Status.REGISTERED
    assert first.answer_due_at == NOW + timedelta(days=ANSWER_DAYS)
    assert world.repository.event_types() == ["FeedbackReceived", "FeedbackReceived"]


@pytest.mark.parametrize(
    ("concerns", "region"),
    [
        ({"municipalityCode": "1280"}, "Syd"),
        ({"municipalityCode": UMEA, "unit": {"name": "Lokalpolisområde Umeå"}}, "Nord"),
        ({"municipalityCode": "0180"}, "Stockholm"),
        (
            {"municipalityCode": "1280", "unit": {"name": "Nationellt forensiskt centrum", "national": True}},
            NATIONAL,
        ),
        ({}, NATIONAL),
        ({"unit": {"name": "Polisens kontaktcenter"}}, NATIONAL),
    ],
)
def test_feedback_is_routed_to_the_function_of_its_place(concerns: dict[str, object], region: str) -> None:
    world = FeedbackWorld()

    item = world.give(draft(concerns=concerns))

    assert item.region == region
    (received,) = world.repository.events
    assert received.data.region == region  # type: ignore[attr-defined]


def test_an_unknown_municipality_is_refused_by_the_contract() -> None:
    with pytest.raises(ValidationError, match="municipalityCode"):
        draft(concerns={"municipalityCode": "9999"})


def test_a_complaint_that_may_describe_a_crime_by_an_employee_is_referred_at_once() -> None:
    world = FeedbackWorld()

    item = world.give(
        draft(kind="employeeComplaint", category="intervention", describesCrime=True, publishConsent=True)
    )

    assert item.status is Status.REFERRED
    assert not item.status.is_open
    assert item.draft.publish_consent is False
    assert item.next_due_at is None  # no reminders: it is not handled as feedback
    assert world.repository.event_types() == ["FeedbackReceived", "FeedbackRouted"]
    routed = world.repository.events[1].data
    assert routed.to == SPECIAL_INVESTIGATIONS  # type: ignore[attr-defined]
    assert routed.from_region == "Syd"  # type: ignore[attr-defined]


def test_only_a_complaint_about_an_employee_can_describe_a_crime() -> None:
    with pytest.raises(ValidationError, match="employee"):
        draft(kind="serviceComplaint", describesCrime=True)


def test_a_complaint_about_an_employee_without_a_crime_is_handled_as_feedback() -> None:
    item = FeedbackWorld().give(draft(kind="employeeComplaint", category="treatment"))

    assert item.status is Status.REGISTERED


def test_anonymous_feedback_cannot_ask_for_an_answer() -> None:
    world = FeedbackWorld()

    with pytest.raises(InvalidInput) as refused:
        world.give(draft(), sender=ANONYMOUS)

    assert list(refused.value.reasons) == ["answer"]
    assert world.repository.items == {}


def test_anonymous_feedback_cannot_name_a_case() -> None:
    world = FeedbackWorld()

    with pytest.raises(InvalidInput) as refused:
        world.give(draft(answer=None, concerns={"caseNumber": "K100-26"}), sender=ANONYMOUS)

    assert list(refused.value.reasons) == ["concerns.caseNumber"]


def test_anonymous_feedback_keeps_nothing_of_the_sender() -> None:
    item = FeedbackWorld().give(draft(answer=None), sender=ANONYMOUS)

    assert item.channel is Channel.ANONYMOUS_WEB
    assert item.anonymous
    assert (item.owner_ref, item.personnummer, item.caller_name) == (None, None, None)


def test_feedback_about_one_s_own_case_is_taken() -> None:
    world = FeedbackWorld()
    sender = citizen(7)
    assert sender.owner_ref is not None
    world.repository.learn_owner("K100-26", sender.owner_ref)

    item = world.give(draft(concerns={"municipalityCode": "1280", "caseNumber": "K100-26"}), sender=sender)

    assert item.draft.concerns.case_number == "K100-26"


@pytest.mark.parametrize("owner", ["sub-someone-else", None])
def test_a_case_number_that_is_not_the_sender_s_is_not_found(owner: str | None) -> None:
    world = FeedbackWorld()
    if owner is not None:
        world.repository.learn_owner("K100-26", owner)

    with pytest.raises(NotFound):
        world.give(draft(concerns={"caseNumber": "K100-26"}), sender=citizen(7))

    assert world.repository.items == {}


def test_a_case_number_that_is_neither_a_report_nor_a_permit_is_refused() -> None:
    with pytest.raises(ValidationError, match="caseNumber"):
        draft(concerns={"caseNumber": "not-a-case"})


def test_the_contact_centre_registers_a_caller_with_who_registered_it() -> None:
    item = FeedbackWorld().give(draft(answer={"by": "phone", "phone": "070-123 45 67"}), sender=caller())

    assert item.channel is Channel.CONTACT_CENTRE
    assert item.registered_by == "KC-114"
    assert item.caller_name == "Kim Andersson"
    assert item.owner_ref is None


def test_an_answer_by_email_needs_an_address() -> None:
    with pytest.raises(ValidationError, match="answer"):
        draft(answer={"by": "email"})


def test_a_sender_reads_only_their_own_items() -> None:
    world = FeedbackWorld()
    mine = world.give(sender=citizen(1))
    world.give(sender=citizen(2))

    assert intake.owned_item(mine.feedback_number, owner_ref="sub-1", repository=world.repository) == mine
    with pytest.raises(NotFound):
        intake.owned_item(mine.feedback_number, owner_ref="sub-2", repository=world.repository)
    page = intake.items_of("sub-1", repository=world.repository, limit=10, start=None)
    assert [i.feedback_number for i in page.items] == [mine.feedback_number]


def test_an_anonymous_item_is_nobody_s() -> None:
    world = FeedbackWorld()
    item = world.give(draft(answer=None), sender=ANONYMOUS)

    with pytest.raises(NotFound):
        intake.owned_item(item.feedback_number, owner_ref="", repository=world.repository)


def test_the_draft_is_a_strict_contract() -> None:
    with pytest.raises(ValidationError, match="text"):
        FeedbackDraft.model_validate({"kind": "praise", "text": "   "})
