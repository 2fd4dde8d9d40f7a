"""Attachments to one's own open feedback: a target limited to the declared type and size, then a check of what
arrived before it counts; a mismatch is deleted; at most five, and only while the item is open."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.feedback.domain.attachments import (
    MAX_ATTACHMENTS,
    UPLOAD_WINDOW,
    complete_upload,
    object_key,
    request_upload,
)
from services.feedback.domain.model import Attachment, FeedbackItem
from shared.errors import Conflict, InvalidInput, NotFound
from shared.uploads import StoredObject
from tests.support.feedback_fakes import FeedbackWorld, InMemoryUploads

MEGABYTE = 1024 * 1024


def _request(
    world: FeedbackWorld,
    uploads: InMemoryUploads,
    number: str,
    *,
    content_type: str = "image/jpeg",
    size: int = MEGABYTE,
    owner_ref: str = "sub-1",
) -> Attachment:
    attachment, _ = request_upload(
        number,
        owner_ref=owner_ref,
        content_type=content_type,
        size_bytes=size,
        repository=world.repository,
        store=uploads,
        now=world.clock.now(),
    )
    return attachment


def _complete(
    world: FeedbackWorld, uploads: InMemoryUploads, number: str, attachment_id: str
) -> FeedbackItem:
    return complete_upload(
        number,
        attachment_id,
        owner_ref="sub-1",
        repository=world.repository,
        store=uploads,
        now=world.clock.now(),
    )


def test_an_uploaded_file_that_matches_counts() -> None:
    world, uploads = FeedbackWorld(), InMemoryUploads()
    number = world.give().feedback_number
    attachment = _request(world, uploads, number)
    key = object_key(number, attachment.attachment_id)
    uploads.objects[key] = StoredObject(size_bytes=MEGABYTE - 10, content_type="image/jpeg")

    item = _complete(world, uploads, number, attachment.attachment_id)

    assert uploads.targets == [key]
    (stored,) = item.attachments
    assert stored.uploaded_at == world.clock.now()
    assert (
        _complete(world, uploads, number, attachment.attachment_id) == item
    )  # saying so again changes nothing


@pytest.mark.parametrize(
    "arrived",
    [
        StoredObject(size_bytes=MEGABYTE, content_type="application/pdf"),
        StoredObject(MEGABYTE + 1, "image/jpeg"),
    ],
    ids=["another-type", "larger"],
)
def test_a_file_that_does_not_match_is_deleted(arrived: StoredObject) -> None:
    world, uploads = FeedbackWorld(), InMemoryUploads()
    number = world.give().feedback_number
    attachment = _request(world, uploads, number)
    key = object_key(number, attachment.attachment_id)
    uploads.objects[key] = arrived

    with pytest.raises(InvalidInput) as refused:
        _complete(world, uploads, number, attachment.attachment_id)

    assert list(refused.value.reasons) == ["file"]
    assert uploads.deleted == [key]


def test_nothing_uploaded_yet_is_a_conflict_and_an_unknown_attachment_not_found() -> None:
    world, uploads = FeedbackWorld(), InMemoryUploads()
    number = world.give().feedback_number
    attachment = _request(world, uploads, number)

    with pytest.raises(Conflict):
        _complete(world, uploads, number, attachment.attachment_id)
    with pytest.raises(NotFound):
        _complete(world, uploads, number, "no-such-attachment")


@pytest.mark.parametrize(
    ("content_type", "size", "field"),
    [
        ("image/gif", MEGABYTE, "contentType"),
        ("image/png", 10 * MEGABYTE + 1, "sizeBytes"),
        ("image/png", 0, "sizeBytes"),
    ],
)
def test_another_type_or_size_is_refused_before_any_target(content_type: str, size: int, field: str) -> None:
    world, uploads = FeedbackWorld(), InMemoryUploads()
    number = world.give().feedback_number

    with pytest.raises(InvalidInput) as refused:
        _request(world, uploads, number, content_type=content_type, size=size)

    assert list(refused.value.reasons) == [field]
    assert uploads.targets == []


def test_at_most_five_and_an_unused_request_stops_counting_after_its_window() -> None:
    world, uploads = FeedbackWorld(), InMemoryUploads()
    number = world.give().feedback_number
    for _ in range(MAX_ATTACHMENTS):
        _request(world, uploads, number)

    with pytest.raises(Conflict):
        _request(world, uploads, number)
    world.clock.advance(UPLOAD_WINDOW + timedelta(seconds=1))
    _request(world, uploads, number)

    assert len(world.repository.items[number].attachments) == 1


def test_only_one_s_own_open_item_takes_attachments() -> None:
    world, uploads = FeedbackWorld(), InMemoryUploads()
    number = world.give().feedback_number
    closed = world.closed()

    with pytest.raises(NotFound):
        _request(world, uploads, number, owner_ref="sub-2")
    with pytest.raises(Conflict):
        _request(world, uploads, closed)
