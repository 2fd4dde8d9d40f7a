"""Scheduler, locally: fires each manifest schedule on time (moto stores schedules, never runs them).

``rate(N unit)`` fires every N units, the first time one period after start. ``cron(...)`` is read in
Europe/Stockholm time, as the CDK stacks declare, and supported in its common forms (numbers, names, ``*``,
``?``, lists, ranges and steps); ``L``, ``W`` and ``#`` are not, and such a schedule is logged and skipped.
"""

from __future__ import annotations

import calendar
import heapq
import logging
import re
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from infra.local.event_sources import scheduled_event
from infra.local.plan import SchedulePlan

log = logging.getLogger("infra.local")

_RATE = re.compile(r"^rate\(\s*(\d+)\s+(second|minute|hour|day)s?\s*\)$")
SCHEDULE_TIME_ZONE = ZoneInfo("Europe/Stockholm")
_CRON = re.compile(r"^cron\((.+)\)$")
_UNIT_SECONDS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
_MONTHS = {name.upper(): i for i, name in enumerate(calendar.month_abbr) if name}
_DAYS = {"SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7}


class UnsupportedExpression(ValueError):
    pass


def parse_rate(expression: str) -> timedelta:
    match = _RATE.match(expression.strip())
    if not match or int(match[1]) < 1:
        raise UnsupportedExpression(f"not a rate expression: {expression!r}")
    return timedelta(seconds=int(match[1]) * _UNIT_SECONDS[match[2]])


@dataclass(frozen=True)
class Cron:
    minutes: frozenset[int]
    hours: frozenset[int]
    days_of_month: frozenset[int] | None  # None for "?"
    months: frozenset[int]
    days_of_week: frozenset[int] | None  # 1 = Sunday, as AWS counts; None for "?"
    years: frozenset[int] | None  # None for "*"

    @classmethod
    def parse(cls, expression: str) -> Cron:
        match = _CRON.match(expression.strip())
        fields = match[1].split() if match else []
        if len(fields) != 6:
            raise UnsupportedExpression(f"not a six-field cron expression: {expression!r}")
        minute, hour, day, month, weekday, year = fields
        return cls(
            minutes=_field(minute, 0, 59, {}),
            hours=_field(hour, 0, 23, {}),
            days_of_month=None if day == "?" else _field(day, 1, 31, {}),
            months=_field(month, 1, 12, _MONTHS),
            days_of_week=None if weekday == "?" else _field(weekday, 1, 7, _DAYS),
            years=None if year == "*" else _field(year, 1970, 2199, {}),
        )

    def next_after(self, moment: datetime, zone: ZoneInfo = SCHEDULE_TIME_ZONE) -> datetime | None:
        """The first matching minute (in ``zone``) strictly after ``moment``, within five years."""
        start = moment.astimezone(zone).replace(second=0, microsecond=0) + timedelta(minutes=1)
        day = start.replace(hour=0, minute=0)
        for _ in range(5 * 366):
            if self._matches_day(day):
                for hour in sorted(self.hours):
                    for minute in sorted(self.minutes):
                        candidate = day.replace(hour=hour, minute=minute)
                        if candidate >= start:
                            return candidate.astimezone(UTC)
            day += timedelta(days=1)
        return None

    def _matches_day(self, day: datetime) -> bool:
        aws_weekday = (day.isoweekday() % 7) + 1  # Sunday 1 ... Saturday 7
        return (
            day.month in self.months
            and (self.years is None or day.year in self.years)
            and (self.days_of_month is None or day.day in self.days_of_month)
            and (self.days_of_week is None or aws_weekday in self.days_of_week)
        )


def _field(text: str, low: int, high: int, names: dict[str, int]) -> frozenset[int]:
    values: set[int] = set()
    for part in text.upper().split(","):
        base, _, step_text = part.partition("/")
        step = int(step_text) if step_text.isdigit() and int(step_text) > 0 else None
        if step_text and step is None:
            raise UnsupportedExpression(f"unsupported step in cron field {text!r}")
        if base in ("*", "?"):
            first, last = low, high
        elif "-" in base:
            first_text, _, last_text = base.partition("-")
            first, last = _value(first_text, names), _value(last_text, names)
        else:
            first = _value(base, names)
            last = high if step else first
        if not low <= first <= last <= high:
            raise UnsupportedExpression(f"cron field {text!r} is out of range {low}-{high}")
        values.update(range(first, last + 1, step or 1))
    return frozenset(values)


def _value(text: str, names: dict[str, int]) -> int:
    if text in names:
        return names[text]
    if text.isdigit():
        return int(text)
    raise UnsupportedExpression(f"unsupported cron value {text!r}")


def next_fire(expression: str, after: datetime) -> datetime | None:
    if expression.strip().startswith("rate("):
        return after + parse_rate(expression)
    return Cron.parse(expression).next_after(after)


Invoke = Callable[[str, Any], Any]
# (schedule, the event it fired with, why the job failed): where a failed run is recorded.
OnFailure = Callable[[SchedulePlan, dict[str, Any], Exception], None]


class Scheduler:
    def __init__(
        self,
        schedules: Sequence[SchedulePlan],
        invoke: Invoke,
        stop: threading.Event,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        on_failure: OnFailure | None = None,
    ) -> None:
        self._thread = threading.Thread(target=self.run, name="scheduler", daemon=True)
        self._invoke = invoke
        self._on_failure = on_failure
        self._stop = stop
        self._clock = clock
        self._queue: list[tuple[datetime, int, SchedulePlan]] = []
        # Runs still going: stopping waits for them (up to its limit), so none outlives the cloud unnoticed.
        self._jobs: set[threading.Thread] = set()
        self._jobs_lock = threading.Lock()
        now = clock()
        for index, schedule in enumerate(schedules):
            try:
                first = next_fire(schedule.expression, now)
            except UnsupportedExpression as exc:
                log.warning("schedule %s will not run locally: %s", schedule.name, exc)
                continue
            if first is not None:
                heapq.heappush(self._queue, (first, index, schedule))
                log.info("schedule %s (%s) first fires at %s", schedule.name, schedule.expression, first)

    def start(self) -> None:
        self._thread.start()

    def join(self, timeout_s: float) -> None:
        """Wait for the loop and the runs still going, at most ``timeout_s`` in all."""
        deadline = time.monotonic() + timeout_s
        if self._thread.is_alive():
            self._thread.join(timeout_s)
        with self._jobs_lock:
            jobs = list(self._jobs)
        for job in jobs:
            job.join(max(0.0, deadline - time.monotonic()))

    def run(self) -> None:
        while self._queue and not self._stop.is_set():
            due, index, schedule = self._queue[0]
            wait_s = (due - self._clock()).total_seconds()
            if wait_s > 0:
                self._stop.wait(min(wait_s, 1.0))
                continue
            heapq.heappop(self._queue)
            # Scheduler invokes asynchronously: a slow job must not delay the others.
            job = threading.Thread(
                target=self._fire, args=(schedule, due), name=f"job:{schedule.name}", daemon=True
            )
            with self._jobs_lock:
                self._jobs.add(job)
            job.start()
            # After a pause (a sleeping laptop) the next firing is the next one from now, not a backlog.
            following = next_fire(schedule.expression, max(due, self._clock()))
            if following is not None:
                heapq.heappush(self._queue, (following, index, schedule))

    def _fire(self, schedule: SchedulePlan, due: datetime) -> None:
        try:
            if not self._stop.is_set():
                self._run(schedule, due)
        finally:
            with self._jobs_lock:
                self._jobs.discard(threading.current_thread())

    def _run(self, schedule: SchedulePlan, due: datetime) -> None:
        event = scheduled_event(schedule.name, due)
        try:
            self._invoke(schedule.function, event)
        except Exception as exc:
            if self._stop.is_set():
                # The workers and the queues are going away under the run: that is not the job failing.
                log.info("schedule %s: %s stopped with the local cloud", schedule.name, schedule.function)
                return
            log.warning("schedule %s: %s failed: %s", schedule.name, schedule.function, exc)
            if self._on_failure:
                try:
                    self._on_failure(schedule, event, exc)
                except Exception as recording:
                    log.warning(
                        "schedule %s: the failed run could not be recorded: %s", schedule.name, recording
                    )
