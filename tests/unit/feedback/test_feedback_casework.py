"""The common routine for case handling: the regional function assigns and transfers, the responsible manager
answers (within or after the deadline), gives feedback to the employee a complaint is about, and closes; the
function sees both answer and employee feedback. Who sees what, and every read and refusal audited."""

from __future__ import annotations

from contextlib import suppress
from datetime import timedelta

import pytest

from services.feedback.domain.casework import AuditAction, NotPermitted
from services.feedback.domain.model import SPECIAL_INVESTIGATIONS, Status
from shared.errors import Conflict, InvalidInput, NotFound
from shared.staff import NATIONAL
from tests.support.feedback_fakes import ANSWER_DAYS, UMEA, FeedbackWorld, draft


def test_the_function_assigns_the_responsible_manager() -> None:
    world = FeedbackWorld()
    number = world.give().feedback_number

    assigned = world.function().assign(number, "PM-5502")

    assert assigned.status is Status.ASSIGNED
    assert assigned.manager == "PM-5502"
    assert assigned.history[-1].by == "PM-5501"
    (record,) = world.audit.records
    assert (record.action, record.feedback_number, record.allowed) == (AuditAction.ASSIGN, number, True)


def test_a_manager_cannot_assign() -> None:
    world = FeedbackWorld()
    number = world.give().feedback_number

    with pytest.raises(NotPermitted):
        world.manager().assign(number, "PM-5502")

    (record,) = world.audit.records
    assert (record.action, record.allowed) == (AuditAction.ASSIGN, False)


def test_the_manager_answers_within_the_deadline() -> None:
    world = FeedbackWorld()
    number = world.assigned()
    world.clock.advance(timedelta(days=ANSWER_DAYS))

    answered = world.manager().answer(number, "Vi beklagar väntetiden.")

    assert answered.status is Status.ANSWERED
    assert answered.answer is not None
    assert answered.answer.within_deadline is True
    assert answered.answer.answered_by == "PM-5502"
    event = world.repository.events[-1]
    assert event.metadata.event_type == "FeedbackAnswered"
    assert event.data.within_deadline is True  # type: ignore[attr-defined]
    assert event.metadata.correlation_id == "corr-1"  # the item's, so one search follows it


def test_an_answer_after_the_deadline_is_recorded_as_late() -> None:
    world = FeedbackWorld()
    number = world.assigned()
    world.clock.advance(timedelta(days=ANSWER_DAYS, seconds=1))

    answered = world.manager().answer(number, "Förlåt dröjsmålet.")

    assert answered.answer is not None
    assert answered.answer.within_deadline is False
    assert world.repository.events[-1].data.within_deadline is False  # type: ignore[attr-defined]


def test_only_the_assigned_manager_answers() -> None:
    world = FeedbackWorld()
    number = world.assigned()

    with pytest.raises(NotFound):
        world.manager(staff_id="PM-5999").answer(number, "Inte mitt ärende.")


def test_a_manager_with_the_function_role_too_may_not_answer_another_s_item() -> None:
    world = FeedbackWorld()
    number = world.assigned()

    with pytest.raises(Conflict):
        world.desk("feedback", "manager", staff_id="PM-5999").answer(number, "Inte mitt ärende.")


def test_an_item_that_wants_no_answer_is_closed_without_one() -> None:
    world = FeedbackWorld()
    number = world.assigned(draft(kind="praise", category="treatment", answer=None))
    manager = world.manager()

    with pytest.raises(Conflict):
        manager.answer(number, "Tack!")
    closed = manager.close(number)

    assert closed.status is Status.CLOSED
    assert world.repository.events[-1].metadata.event_type == "FeedbackClosed"


def test_an_item_that_wants_an_answer_is_answered_before_it_is_closed() -> None:
    world = FeedbackWorld()
    number = world.assigned()
    manager = world.manager()

    with pytest.raises(Conflict):
        manager.close(number)
    manager.answer(number, "Vi beklagar.")
    closed = manager.close(number)

    assert closed.status is Status.CLOSED
    assert closed.closed_at == world.clock.now()
    assert manager.close(number) == closed  # closing again changes nothing


def test_a_complaint_about_an_employee_needs_the_employee_s_feedback_before_closing() -> None:
    world = FeedbackWorld()
    number = world.assigned(draft(kind="employeeComplaint", category="treatment"))
    manager = world.manager()
    manager.answer(number, "Vi har talat med polisen i fråga.")

    with pytest.raises(Conflict):
        manager.close(number)
    given = manager.employee_feedback_given(number)
    assert given.employee_feedback_at == world.clock.now()
    assert manager.employee_feedback_given(number) == given  # once
    closed = manager.close(number)

    assert closed.status is Status.CLOSED


def test_employee_feedback_is_only_for_complaints_about_an_employee() -> None:
    world = FeedbackWorld()
    number = world.assigned()

    with pytest.raises(Conflict):
        world.manager().employee_feedback_given(number)


def test_the_function_sees_both_the_answer_and_the_employee_feedback() -> None:
    world = FeedbackWorld()
    number = world.assigned(draft(kind="employeeComplaint", category="treatment"))
    manager = world.manager()
    manager.answer(number, "Vi har talat med polisen i fråga.")
    manager.employee_feedback_given(number)

    seen = world.function().read(number)

    assert seen.answer is not None
    assert seen.answer.text == "Vi har talat med polisen i fråga."
    assert seen.employee_feedback_at is not None
    assert [h.status for h in seen.history] == [
        Status.REGISTERED,
        Status.ASSIGNED,
        Status.ANSWERED,
        Status.ANSWERED,
    ]


def test_the_function_transfers_an_item_with_a_reason() -> None:
    world = FeedbackWorld()
    number = world.assigned()

    moved = world.function().transfer(number, "Nord", "Gäller lokalpolisområde Umeå")

    assert moved.region == "Nord"
    assert moved.status is Status.REGISTERED
    assert moved.manager is None
    assert "Gäller lokalpolisområde Umeå" in str(moved.history[-1].what)
    routed = world.repository.events[-1]
    assert routed.metadata.event_type == "FeedbackRouted"
    assert (routed.data.from_region, routed.data.to) == ("Syd", "Nord")  # type: ignore[attr-defined]
    with pytest.raises(NotFound):
        world.function().read(number)  # now Nord's
    assert world.function("Nord").read(number).region == "Nord"


@pytest.mark.parametrize(("to", "field"), [("Atlantis", "to"), ("Syd", "to")])
def test_a_transfer_to_an_unknown_or_the_same_region_is_refused(to: str, field: str) -> None:
    world = FeedbackWorld()
    number = world.give().feedback_number

    with pytest.raises(InvalidInput) as refused:
        world.function().transfer(number, to, "Fel region")

    assert list(refused.value.reasons) == [field]


def test_an_item_may_be_passed_to_the_national_function() -> None:
    world = FeedbackWorld()
    number = world.give().feedback_number

    assert world.function().transfer(number, NATIONAL, "Gäller hela landet").region == NATIONAL


def test_the_function_refers_a_complaint_about_an_employee_to_special_investigations() -> None:
    world = FeedbackWorld()
    number = world.assigned(draft(kind="employeeComplaint", category="intervention", publishConsent=True))

    referred = world.function().refer_to_special_investigations(number, "Kan vara tjänstefel")

    assert referred.status is Status.REFERRED
    assert referred.draft.publish_consent is False
    assert world.repository.events[-1].data.to == SPECIAL_INVESTIGATIONS  # type: ignore[attr-defined]


def test_only_a_complaint_about_an_employee_is_referred() -> None:
    world = FeedbackWorld()
    number = world.give().feedback_number

    with pytest.raises(Conflict):
        world.function().refer_to_special_investigations(number, "Kan vara brott")


def test_a_referred_complaint_cannot_be_closed_as_feedback() -> None:
    world = FeedbackWorld()
    number = world.assigned(draft(kind="employeeComplaint", category="intervention", answer=None))
    world.function().refer_to_special_investigations(number, "Kan vara tjänstefel")
    manager = world.manager()

    with suppress(Conflict):
        manager.employee_feedback_given(number)

    with pytest.raises(Conflict):
        manager.close(number)


# --- who sees what ---------------------------------------------------------------------------------------


def test_another_region_s_item_is_not_found_and_the_attempt_audited() -> None:
    world = FeedbackWorld()
    number = world.give().feedback_number

    with pytest.raises(NotFound):
        world.function("Nord").read(number)

    (record,) = world.audit.records
    assert (record.action, record.feedback_number, record.allowed) == (AuditAction.VIEW_ITEM, number, False)
    assert record.staff_region == "Nord"


def test_a_missing_item_is_not_found_the_same_way() -> None:
    world = FeedbackWorld()

    with pytest.raises(NotFound):
        world.function().read("F999-26")

    assert [r.allowed for r in world.audit.records] == [False]


def test_national_staff_see_every_region_s_items() -> None:
    world = FeedbackWorld()
    south = world.give().feedback_number
    north = world.give(draft(concerns={"municipalityCode": UMEA})).feedback_number
    national = world.function(NATIONAL)

    assert national.read(south).region == "Syd"
    assert national.read(north).region == "Nord"
    assert [i.feedback_number for i in national.open_items("Nord", limit=10, start=None).items] == [north]


def test_a_reading_is_audited_with_the_item() -> None:
    world = FeedbackWorld()
    number = world.give().feedback_number

    world.function().read(number)

    (record,) = world.audit.records
    assert (record.action, record.feedback_number, record.region, record.allowed) == (
        AuditAction.VIEW_ITEM,
        number,
        "Syd",
        True,
    )
    assert record.subject().kind == "feedback"


def test_a_manager_sees_only_the_items_assigned_to_them() -> None:
    world = FeedbackWorld()
    mine = world.assigned()
    unassigned = world.give().feedback_number
    manager = world.manager()

    assert manager.read(mine).feedback_number == mine
    with pytest.raises(NotFound):
        manager.read(unassigned)
    with pytest.raises(NotFound):
        world.manager(staff_id="PM-5999").read(mine)
    with pytest.raises(NotPermitted):
        manager.open_items("Syd", limit=10, start=None)


def test_staff_without_a_feedback_role_see_nothing_and_are_audited() -> None:
    world = FeedbackWorld()
    number = world.give().feedback_number

    with pytest.raises(NotPermitted):
        world.desk("contactCentre").read(number)

    assert [(r.action, r.allowed) for r in world.audit.records] == [(AuditAction.VIEW_ITEM, False)]


def test_the_open_list_is_the_region_s_open_items_soonest_due_first_and_audited() -> None:
    world = FeedbackWorld()
    first = world.give().feedback_number
    world.clock.advance(timedelta(hours=1))
    second = world.give().feedback_number
    world.give(draft(concerns={"municipalityCode": UMEA}))
    world.closed()

    page = world.function().open_items(None, limit=10, start=None)

    assert [i.feedback_number for i in page.items] == [first, second]
    listed = world.audit.records[-1]
    assert (listed.action, listed.region, listed.feedback_numbers) == (
        AuditAction.VIEW_LIST,
        "Syd",
        [first, second],
    )


def test_another_region_s_list_is_refused_and_audited() -> None:
    world = FeedbackWorld()

    with pytest.raises(NotPermitted):
        world.function().open_items("Nord", limit=10, start=None)

    assert [(r.action, r.region, r.allowed) for r in world.audit.records] == [
        (AuditAction.VIEW_LIST, "Nord", False)
    ]


def test_each_change_is_audited_with_the_change() -> None:
    world = FeedbackWorld()
    number = world.closed()

    assert [(r.action, r.staff_id) for r in world.audit.records] == [
        (AuditAction.ASSIGN, "PM-5501"),
        (AuditAction.ANSWER, "PM-5502"),
        (AuditAction.CLOSE, "PM-5502"),
    ]
    assert {r.feedback_number for r in world.audit.records} == {number}
