"""Events the feedback service publishes (source ``polisen.feedback``). Owned by the feedback service.

An item is named by its feedback number. Events carry what consumers need to route, count and tell, never the
citizen's text. ``ownerRef`` is the opaque e-ID subject of an identified sender (None for anonymous feedback and
for callers registered by the contact centre who have no e-ID login). Events that a letter to the citizen is
written from carry no personnummer either: the letter's writer reads it from the item.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from shared.events.envelope import EventData

SOURCE = "polisen.feedback"

Kind = Literal["praise", "suggestion", "serviceComplaint", "employeeComplaint"]
Channel = Literal["web", "anonymousWeb", "contactCentre"]


class FeedbackReceived(EventData):
    """A feedback item was received, through the web or registered by the contact centre."""

    event_type = "FeedbackReceived"

    feedback_number: str
    kind: Kind
    category: str
    channel: Channel
    region: str  # the regional function it was routed to, or "National"
    municipality_code: str | None = None
    received_at: datetime
    answer_wanted: bool
    owner_ref: str | None = None


class FeedbackRouted(EventData):
    """An item was passed to another regional function, the national function, or (a complaint that may
    describe a crime by an employee) to the unit that investigates crimes by police employees."""

    event_type = "FeedbackRouted"

    feedback_number: str
    from_region: str
    to: str  # a region, "National", or "specialInvestigations"
    routed_at: datetime


class FeedbackAnswered(EventData):
    """The responsible manager answered the citizen (återkoppling)."""

    event_type = "FeedbackAnswered"

    feedback_number: str
    region: str
    answered_at: datetime
    within_deadline: bool
    owner_ref: str | None = None


class FeedbackClosed(EventData):
    event_type = "FeedbackClosed"

    feedback_number: str
    region: str
    closed_at: datetime


class FeedbackReopened(EventData):
    """A citizen who was not satisfied reopened a closed item (once); it goes back to the same unit."""

    event_type = "FeedbackReopened"

    feedback_number: str
    region: str
    reopened_at: datetime


class LessonPublished(EventData):
    """The police published what they changed after a set of feedback items; the senders who asked for an
    answer are told."""

    event_type = "LessonPublished"

    lesson_id: str
    region: str
    feedback_numbers: tuple[str, ...]
    published_at: datetime


CONTRACTS: tuple[type[EventData], ...] = (
    FeedbackReceived,
    FeedbackRouted,
    FeedbackAnswered,
    FeedbackClosed,
    FeedbackReopened,
    LessonPublished,
)
