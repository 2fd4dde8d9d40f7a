"""The deadlines: every period that ended moves an item on (owner, finder, state), one event per step."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from services.reports.domain.found_item import (
    FINDER_COLLECT_MONTHS,
    FoundItem,
    FoundItemStatus,
    add_months,
    found_item_event,
    spelled,
)
from services.reports.domain.ports import (
    FoundItemRepository,
)
from shared.clock import Clock
from shared.errors import Conflict
from shared.events.contracts.reports import (
    FoundItemDeadlinePassed,
)
from shared.events.envelope import Envelope, EventData
from shared.regions import Region


def _unclaimed(item: FoundItem, *, since: date, at: datetime) -> FoundItem:
    """No owner claimed the item in time: the finder's turn, if they asked for it; otherwise the state's."""
    if item.finder_may_take_it:
        collect_by = add_months(since, FINDER_COLLECT_MONTHS)
        return item.moved_to(
            FoundItemStatus.FINDER_MAY_COLLECT,
            at=at,
            reason=f"No owner claimed it; the finder may collect it by {spelled(collect_by)} after paying "
            "the costs.",
            owner_period_ended=since,
            collect_by=collect_by,
        )
    why = (
        "a passport or ID card never goes to the finder"
        if item.category.is_identity_document
        else "the finder did not ask for it"
    )
    return item.moved_to(
        FoundItemStatus.FORFEITED_TO_STATE,
        at=at,
        reason=f"No owner claimed it and {why}: it goes to the state.",
        owner_period_ended=since,
    )


def _next_period(
    item: FoundItem, *, at: datetime
) -> tuple[FoundItem, Literal["claim", "unclaimed", "collection"]]:
    deadline = item.next_deadline
    assert deadline is not None
    if item.status is FoundItemStatus.OWNER_NOTIFIED:
        lapsed = item.owner_notices[-1].model_copy(update={"lapsed": True})
        item = item.model_copy(update={"owner_notices": [*item.owner_notices[:-1], lapsed]})
        if item.unclaimed_until > deadline:
            return (
                item.moved_to(
                    FoundItemStatus.REGISTERED,
                    at=at,
                    reason=f"The owner who was told did not claim it by {spelled(deadline)}; it waits for "
                    f"its owner until {spelled(item.unclaimed_until)}.",
                ),
                "claim",
            )
        return _unclaimed(item, since=deadline, at=at), "claim"
    if item.status is FoundItemStatus.REGISTERED:
        return _unclaimed(item, since=deadline, at=at), "unclaimed"
    return (
        item.moved_to(
            FoundItemStatus.FORFEITED_TO_STATE,
            at=at,
            reason=f"The finder did not collect it by {spelled(deadline)}: it goes to the state.",
        ),
        "collection",
    )


def advance(
    item: FoundItem, *, now: datetime, correlation_id: str
) -> tuple[FoundItem, list[Envelope[EventData]]]:
    """The item as the law has it at ``now``: every period that ended moves it on, one event per step. The
    result's version is the input's plus the number of steps."""
    events: list[Envelope[EventData]] = []
    while (due := item.due_at) is not None and due <= now:
        deadline, previous = item.next_deadline, item.status
        assert deadline is not None
        item, kind = _next_period(item, at=now)
        passed = FoundItemDeadlinePassed(
            found_item_id=item.found_item_id,
            region=item.region,
            deadline=kind,
            deadline_date=deadline,
            previous_status=previous.value,
            status=item.status.value,
            recorded_at=now,
        )
        events.append(found_item_event(passed, now=now, correlation_id=correlation_id))
    return item, events


@dataclass(frozen=True)
class DeadlineRun:
    moved: int  # items that moved on
    steps: int  # periods that ended (an item late by months may take several)
    skipped: int  # items that changed meanwhile: the next run looks at them again


def pass_deadlines(
    *, repository: FoundItemRepository, clock: Clock, correlation_id: str, max_items: int = 1000
) -> DeadlineRun:
    """Move on every item whose period ended, in every region. Safe to run at any time and any number of
    times: an item not yet due, or already moved, is left alone."""
    now = clock.now()
    moved = steps = skipped = 0
    for region in Region:
        for found_item_id in repository.due(region.value, until=now):
            if moved + skipped >= max_items:
                return DeadlineRun(moved=moved, steps=steps, skipped=skipped)
            item = repository.get(found_item_id)  # the index lags; the item itself is the truth
            if item is None:
                continue
            advanced, events = advance(item, now=now, correlation_id=correlation_id)
            if not events:
                continue
            try:
                repository.replace(advanced, expected_version=item.version, events=events)
            except Conflict:
                skipped += 1
                continue
            moved += 1
            steps += len(events)
    return DeadlineRun(moved=moved, steps=steps, skipped=skipped)
