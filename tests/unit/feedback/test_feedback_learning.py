"""Learning from feedback: themes per month, region, kind and category, the trend against the month before,
answer times and the share answered in time; as CSV and as a chart; who may see which region's."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest

from services.feedback.domain.casework import AuditAction, NotPermitted
from services.feedback.domain.learning import (
    CSV_COLUMNS,
    Theme,
    ThemeRow,
    as_csv,
    chart_svg,
    months_between,
    themes,
)
from services.feedback.domain.model import Category, Kind
from shared.clock import FixedClock
from shared.errors import InvalidInput
from shared.staff import NATIONAL
from tests.support.feedback_fakes import ANSWER_DAYS, UMEA, FeedbackWorld, draft

OCTOBER = datetime(2026, 10, 5, 9, 0, tzinfo=UTC)
NOVEMBER = datetime(2026, 11, 5, 9, 0, tzinfo=UTC)


def row(number: int, month: str, **changes: object) -> ThemeRow:
    fields: dict[str, object] = {
        "feedback_number": f"F{number}-26",
        "month": month,
        "region": "Syd",
        "unit": "",
        "kind": Kind.SERVICE_COMPLAINT,
        "category": Category.WAITING_TIME,
        "answered": False,
        "answered_in_time": False,
        "answer_days": None,
    }
    fields.update(changes)
    return ThemeRow(**fields)  # type: ignore[arg-type]


def test_themes_count_received_answered_and_in_time_per_month_region_kind_and_category() -> None:
    found = themes(
        [
            row(1, "2026-11", answered=True, answered_in_time=True, answer_days=4.0),
            row(2, "2026-11", answered=True, answered_in_time=False, answer_days=20.0),
            row(3, "2026-11"),
            row(4, "2026-11", category=Category.TREATMENT),
            row(5, "2026-11", region="Nord"),
            row(6, "2026-11", kind=Kind.PRAISE, category=Category.TREATMENT),
        ]
    )

    assert [(t.region, t.kind, t.category, t.received) for t in found] == [
        ("Nord", Kind.SERVICE_COMPLAINT, Category.WAITING_TIME, 1),
        ("Syd", Kind.PRAISE, Category.TREATMENT, 1),
        ("Syd", Kind.SERVICE_COMPLAINT, Category.TREATMENT, 1),
        ("Syd", Kind.SERVICE_COMPLAINT, Category.WAITING_TIME, 3),
    ]
    waiting = found[-1]
    assert (waiting.answered, waiting.answered_in_time) == (2, 1)
    assert waiting.share_in_time == 0.5
    assert waiting.mean_answer_days == 12.0


def test_a_theme_with_nothing_answered_has_no_share_or_mean() -> None:
    (theme,) = themes([row(1, "2026-11")])

    assert theme.share_in_time is None
    assert theme.mean_answer_days is None


def test_the_trend_is_against_the_month_before() -> None:
    found = themes([row(1, "2026-10"), row(2, "2026-11"), row(3, "2026-11"), row(4, "2026-11")])

    assert [(t.month, t.received, t.change_from_previous_month) for t in found] == [
        ("2026-10", 1, None),  # the first month shown has nothing to compare with
        ("2026-11", 3, 2),
    ]


def test_the_trend_crosses_the_new_year() -> None:
    found = themes([row(1, "2025-12"), row(2, "2025-12"), row(3, "2026-01")])

    assert found[-1].change_from_previous_month == -1


def test_a_theme_new_this_month_rises_from_nothing() -> None:
    found = themes([row(1, "2026-10", category=Category.TREATMENT), row(2, "2026-11"), row(3, "2026-11")])

    (waiting,) = [t for t in found if t.category is Category.WAITING_TIME]
    assert waiting.change_from_previous_month == 2


def test_months_between_spans_the_years() -> None:
    assert months_between(date(2025, 11, 20), date(2026, 2, 1)) == [
        "2025-11",
        "2025-12",
        "2026-01",
        "2026-02",
    ]


def test_a_theme_row_has_no_text_and_no_sender() -> None:
    world = FeedbackWorld()
    item = world.give()

    theme_row = ThemeRow.of(item)

    assert "väntade" not in repr(theme_row)
    assert "sub-1" not in repr(theme_row)
    assert theme_row.unit == "Passexpeditionen Malmö"


# --- from the items, through the desk --------------------------------------------------------------------


def _world_with_two_months() -> FeedbackWorld:
    world = FeedbackWorld(clock=FixedClock(OCTOBER))
    world.closed()
    world.clock.advance(NOVEMBER - OCTOBER)
    in_time = world.assigned()
    world.give()
    world.give(draft(concerns={"municipalityCode": UMEA}))
    world.clock.advance(timedelta(days=2))
    world.manager().answer(in_time, "Svar i tid")
    return world


def test_the_function_sees_its_region_s_themes_with_answer_times() -> None:
    world = _world_with_two_months()

    shown, found = world.function().learning(date(2026, 10, 1), date(2026, 11, 30), None)

    assert shown == "Syd"
    assert [(t.month, t.received, t.answered, t.answered_in_time) for t in found] == [
        ("2026-10", 1, 1, 1),
        ("2026-11", 2, 1, 1),
    ]
    assert found[-1].change_from_previous_month == 1
    assert found[-1].mean_answer_days == 2.0
    assert world.audit.records[-1].action is AuditAction.VIEW_LEARNING


def test_national_staff_see_all_regions_or_the_one_they_name() -> None:
    world = _world_with_two_months()
    national = world.function(NATIONAL)

    shown, everything = national.learning(date(2026, 11, 1), date(2026, 11, 30), None)
    named, north = national.learning(date(2026, 11, 1), date(2026, 11, 30), "Nord")

    assert shown == NATIONAL
    assert {t.region for t in everything} == {"Syd", "Nord"}
    assert named == "Nord"
    assert [(t.region, t.received) for t in north] == [("Nord", 1)]


def test_another_region_s_themes_are_refused_and_audited() -> None:
    world = _world_with_two_months()

    with pytest.raises(NotPermitted):
        world.function().learning(date(2026, 11, 1), date(2026, 11, 30), "Nord")

    assert (world.audit.records[-1].action, world.audit.records[-1].allowed) == (
        AuditAction.VIEW_LEARNING,
        False,
    )


def test_a_manager_without_the_function_role_sees_no_themes() -> None:
    with pytest.raises(NotPermitted):
        FeedbackWorld().manager().learning(date(2026, 11, 1), date(2026, 11, 30), None)


@pytest.mark.parametrize(
    ("first", "last", "field"),
    [(date(2026, 11, 1), date(2026, 10, 1), "to"), (date(2023, 1, 1), date(2026, 11, 1), "from")],
)
def test_a_backwards_or_too_long_period_is_refused(first: date, last: date, field: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        FeedbackWorld().function().learning(first, last, None)

    assert list(refused.value.reasons) == [field]


def test_the_answer_days_are_counted_against_the_service_s_deadline() -> None:
    world = FeedbackWorld()
    late = world.assigned()
    world.clock.advance(timedelta(days=ANSWER_DAYS + 1))
    world.manager().answer(late, "Sent svar")

    (theme,) = themes(world.repository.theme_rows(["2026-11"], "Syd"))

    assert (theme.answered, theme.answered_in_time, theme.share_in_time) == (1, 0, 0.0)
    assert theme.mean_answer_days == float(ANSWER_DAYS + 1)


# --- CSV and chart ---------------------------------------------------------------------------------------


def _found() -> list[Theme]:
    return themes(
        [
            row(1, "2026-10"),
            row(2, "2026-11", answered=True, answered_in_time=True, answer_days=3.0),
            row(3, "2026-11", kind=Kind.PRAISE, category=Category.TREATMENT),
        ]
    )


def test_the_csv_has_a_header_and_a_row_per_theme() -> None:
    text = as_csv(_found())

    assert text.endswith("\r\n")
    header, *rows = list(csv.reader(io.StringIO(text)))
    assert tuple(header) == CSV_COLUMNS
    assert header[0] == "month"
    assert rows == [
        ["2026-10", "Syd", "serviceComplaint", "waitingTime", "1", "0", "0", "", "", ""],
        ["2026-11", "Syd", "praise", "treatment", "1", "0", "0", "", "", "1"],
        ["2026-11", "Syd", "serviceComplaint", "waitingTime", "1", "1", "1", "1.0", "3.0", "0"],
    ]


def test_the_csv_of_no_themes_is_its_header() -> None:
    assert as_csv([]) == ",".join(CSV_COLUMNS) + "\r\n"


def test_the_chart_has_its_title_the_labels_months_and_totals() -> None:
    labels = {Category.WAITING_TIME: "Väntetid", Category.TREATMENT: "Bemötande & <annat>"}

    svg = chart_svg(_found(), title="Synpunkter i region Syd", labels=labels)

    assert svg.startswith("<svg")
    assert svg.rstrip().endswith("</svg>")
    assert '<title id="t">Synpunkter i region Syd</title>' in svg
    assert "Väntetid" in svg
    assert "Bemötande &amp; &lt;annat&gt;" in svg  # escaped, so the document stays well-formed
    assert "2026-10" in svg
    assert "2026-11" in svg
    assert ">2</text>" in svg  # November's total, readable without colour


def test_the_chart_of_no_themes_is_still_a_chart() -> None:
    svg = chart_svg([], title="Inga synpunkter", labels={})

    assert "Inga synpunkter" in svg
    assert svg.rstrip().endswith("</svg>")
