"""Learning from feedback: themes per month, region, unit, kind and category, with trends, answer times
against the deadline and the share answered in time; as data, as CSV, and as a chart a manager would rather
look at than read.

Every item leaves one theme row per month it was received in (written with the item, so the figures never lag
behind it); a month of a region is read in one query and summed here.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from html import escape

from services.feedback.domain.model import Category, FeedbackItem, Kind, month_of
from shared.clock import stockholm_time


@dataclass(frozen=True)
class ThemeRow:
    """What one item contributes to the figures: no text, no sender."""

    feedback_number: str
    month: str
    region: str
    unit: str
    kind: Kind
    category: Category
    answered: bool
    answered_in_time: bool
    answer_days: float | None

    @classmethod
    def of(cls, item: FeedbackItem) -> ThemeRow:
        answer = item.answer
        unit = item.draft.concerns.unit
        return cls(
            feedback_number=item.feedback_number,
            month=month_of(stockholm_time(item.received_at)),
            region=item.region,
            unit=unit.name if unit else "",
            kind=item.draft.kind,
            category=item.draft.category,
            answered=answer is not None,
            answered_in_time=answer is not None and answer.within_deadline,
            answer_days=round((answer.answered_at - item.received_at).total_seconds() / 86400, 2)
            if answer
            else None,
        )


@dataclass(frozen=True)
class Theme:
    month: str
    region: str
    kind: Kind
    category: Category
    received: int
    answered: int
    answered_in_time: int
    mean_answer_days: float | None
    # Received this month against the month before (same region, kind and category; none that month counts
    # as zero); None for the first month shown.
    change_from_previous_month: int | None

    @property
    def share_in_time(self) -> float | None:
        return round(self.answered_in_time / self.answered, 3) if self.answered else None


def months_back(day: date, months: int) -> date:
    """The first day of the month ``months`` before ``day``'s."""
    index = day.year * 12 + day.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def months_between(first: date, last: date) -> list[str]:
    months, year, month = [], first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def themes(rows: Iterable[ThemeRow]) -> list[Theme]:
    groups: dict[tuple[str, str, Kind, Category], list[ThemeRow]] = defaultdict(list)
    for row in rows:
        groups[(row.month, row.region, row.kind, row.category)].append(row)
    found: list[Theme] = []
    first_month = min((key[0] for key in groups), default="")
    for (month, region, kind, category), members in sorted(
        groups.items(), key=lambda g: (g[0][0], g[0][1], g[0][2].value, g[0][3].value)
    ):
        days = [r.answer_days for r in members if r.answer_days is not None]
        year, number = (int(part) for part in month.split("-"))
        previous = f"{year - 1:04d}-12" if number == 1 else f"{year:04d}-{number - 1:02d}"
        before = groups.get((previous, region, kind, category))
        found.append(
            Theme(
                month=month,
                region=region,
                kind=kind,
                category=category,
                received=len(members),
                answered=sum(r.answered for r in members),
                answered_in_time=sum(r.answered_in_time for r in members),
                mean_answer_days=round(sum(days) / len(days), 1) if days else None,
                change_from_previous_month=None if month == first_month else len(members) - len(before or ()),
            )
        )
    return found


CSV_COLUMNS = (
    "month",
    "region",
    "kind",
    "category",
    "received",
    "answered",
    "answeredInTime",
    "shareInTime",
    "meanAnswerDays",
    "changeFromPreviousMonth",
)


def as_csv(found: Iterable[Theme]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for t in found:
        writer.writerow(
            [
                t.month,
                t.region,
                t.kind.value,
                t.category.value,
                t.received,
                t.answered,
                t.answered_in_time,
                "" if t.share_in_time is None else t.share_in_time,
                "" if t.mean_answer_days is None else t.mean_answer_days,
                "" if t.change_from_previous_month is None else t.change_from_previous_month,
            ]
        )
    return out.getvalue()


# A colour per category, distinguishable in print and for the common colour-vision deficiencies.
_COLOURS = ("#1b4f72", "#d35400", "#117a65", "#7d3c98", "#b7950b", "#a93226", "#2e4053", "#6e2c00")


def chart_svg(found: Iterable[Theme], *, title: str, labels: dict[Category, str]) -> str:
    """Stacked bars: items received per month, by category; each bar says its total, so it reads without
    colour too."""
    by_month: dict[str, dict[Category, int]] = defaultdict(lambda: defaultdict(int))
    for t in found:
        by_month[t.month][t.category] += t.received
    months = sorted(by_month)
    width, height, left, bottom, top = 760, 420, 60, 60, 50
    plot_h = height - bottom - top
    most = max((sum(v.values()) for v in by_month.values()), default=0) or 1
    bar_w = max(8, min(60, (width - left - 180) // max(len(months), 1) - 10))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-labelledby="t"><title id="t">{escape(title)}</title>',
        '<rect width="100%" height="100%" fill="#ffffff"/>',
        f'<text x="{left}" y="28" font-family="sans-serif" font-size="16" fill="#111">{escape(title)}</text>',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - 170}" y2="{top + plot_h}" stroke="#333"/>',
    ]
    categories = list(Category)
    for i, month in enumerate(months):
        x = left + 10 + i * (bar_w + 10)
        y: float = top + plot_h
        for c, category in enumerate(categories):
            count = by_month[month].get(category, 0)
            if not count:
                continue
            h = plot_h * count / most
            y -= h
            parts.append(
                f'<rect x="{x}" y="{y:.1f}" width="{bar_w}" height="{h:.1f}" fill="{_COLOURS[c % len(_COLOURS)]}">'
                f"<title>{escape(month)} {escape(labels.get(category, category.value))}: {count}</title></rect>"
            )
        total = sum(by_month[month].values())
        parts.append(
            f'<text x="{x + bar_w / 2}" y="{y - 4:.1f}" font-family="sans-serif" font-size="11" text-anchor="middle" fill="#111">{total}</text>'
        )
        parts.append(
            f'<text x="{x + bar_w / 2}" y="{top + plot_h + 16}" font-family="sans-serif" font-size="11" text-anchor="middle" fill="#111">{escape(month)}</text>'
        )
    for c, category in enumerate(categories):
        y = top + 10 + c * 20
        parts.append(
            f'<rect x="{width - 160}" y="{y}" width="12" height="12" fill="{_COLOURS[c % len(_COLOURS)]}"/>'
        )
        parts.append(
            f'<text x="{width - 142}" y="{y + 10}" font-family="sans-serif" font-size="12" fill="#111">{escape(labels.get(category, category.value))}</text>'
        )
    parts.append("</svg>")
    return "\n".join(parts)
