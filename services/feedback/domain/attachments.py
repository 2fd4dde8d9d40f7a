"""Photos and documents a sender attaches to their own feedback, uploaded straight to storage as reports'
attachments are: an upload target limited to the declared type and size, then a check of what arrived before
it counts. A file that does not match is deleted. At most a few per item, and only while the item is open.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from services.feedback.domain.intake import owned_item
from services.feedback.domain.model import Attachment, FeedbackItem
from services.feedback.domain.ports import FeedbackRepository
from services.feedback.messages import TEXTS
from shared.concurrency import retry_on_conflict
from shared.errors import Conflict, InvalidInput, NotFound
from shared.uploads import UploadStore, UploadTarget

CONTENT_TYPES = frozenset({"image/jpeg", "image/png", "application/pdf"})
MAX_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS = 5
UPLOAD_WINDOW = timedelta(minutes=15)


def object_key(feedback_number: str, attachment_id: str) -> str:
    return f"feedback/{feedback_number}/{attachment_id}"


def request_upload(
    feedback_number: str,
    *,
    owner_ref: str,
    content_type: str,
    size_bytes: int,
    repository: FeedbackRepository,
    store: UploadStore,
    now: datetime,
) -> tuple[Attachment, UploadTarget]:
    if content_type not in CONTENT_TYPES:
        raise InvalidInput.of(
            "contentType", TEXTS("invalid.attachment_type", types=", ".join(sorted(CONTENT_TYPES)))
        )
    if not 0 < size_bytes <= MAX_BYTES:
        raise InvalidInput.of("sizeBytes", TEXTS("invalid.attachment_size", megabytes=MAX_BYTES // 2**20))

    def attempt() -> tuple[Attachment, UploadTarget]:
        item = owned_item(feedback_number, owner_ref=owner_ref, repository=repository)
        if not item.status.is_open:
            raise Conflict(
                TEXTS("conflict.not_open", feedbackNumber=feedback_number, status=item.status.value)
            )
        # Requests whose upload window passed without a file no longer count.
        kept = tuple(
            a for a in item.attachments if a.uploaded_at is not None or now - a.requested_at < UPLOAD_WINDOW
        )
        if len(kept) >= MAX_ATTACHMENTS:
            raise Conflict(TEXTS("conflict.attachments_full", limit=MAX_ATTACHMENTS))
        attachment = Attachment(
            attachment_id=str(uuid.uuid4()),
            content_type=content_type,
            size_bytes=size_bytes,
            requested_at=now,
        )
        target = store.upload_target(
            object_key(feedback_number, attachment.attachment_id),
            content_type=content_type,
            max_bytes=size_bytes,
            expires_in=UPLOAD_WINDOW,
        )
        repository.save(item.changed(attachments=(*kept, attachment)), expected_version=item.version)
        return attachment, target

    return retry_on_conflict(attempt)


def complete_upload(
    feedback_number: str,
    attachment_id: str,
    *,
    owner_ref: str,
    repository: FeedbackRepository,
    store: UploadStore,
    now: datetime,
) -> FeedbackItem:
    def attempt() -> FeedbackItem:
        item = owned_item(feedback_number, owner_ref=owner_ref, repository=repository)
        attachment = next((a for a in item.attachments if a.attachment_id == attachment_id), None)
        if attachment is None:
            raise NotFound(TEXTS("not_found.attachment", attachmentId=attachment_id))
        if attachment.uploaded_at is not None:
            return item
        key = object_key(feedback_number, attachment_id)
        stored = store.stored_object(key)
        if stored is None:
            raise Conflict(TEXTS("conflict.not_uploaded"))
        if stored.content_type != attachment.content_type or stored.size_bytes > attachment.size_bytes:
            store.delete(key)
            raise InvalidInput.of("file", TEXTS("invalid.attachment_mismatch"))
        done = attachment.model_copy(update={"uploaded_at": now})
        changed = item.changed(
            attachments=tuple(done if a.attachment_id == attachment_id else a for a in item.attachments)
        )
        repository.save(changed, expected_version=item.version)
        return changed

    return retry_on_conflict(attempt)
