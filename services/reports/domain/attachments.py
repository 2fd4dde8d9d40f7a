"""Photos and receipts attached to a report, uploaded straight to storage by the citizen's browser.

The API hands out a short-lived upload target limited to the declared type and size; when the citizen says the
upload is done, the stored object is checked against what was declared before it counts. A file that does not
match is deleted, so nothing unchecked stays attached. A requested upload that never arrives expires with its
upload window (it no longer counts against the limit, and the next request drops it); the citizen may also
remove a requested upload themselves. An uploaded file is part of the report and stays.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from services.reports.domain.filing import owned_report
from services.reports.domain.model import Attachment, Report
from services.reports.domain.ports import ReportRepository
from services.reports.messages import TEXTS
from shared.clock import Clock
from shared.concurrency import retry_on_conflict
from shared.errors import Conflict, InvalidInput, NotFound
from shared.events.contracts.reports import SOURCE, ReportAmended
from shared.events.envelope import new_event
from shared.i18n import Message
from shared.uploads import UploadStore, UploadTarget

ALLOWED_CONTENT_TYPES = frozenset({"image/jpeg", "image/png", "image/heic", "application/pdf"})
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS = 10
UPLOAD_WINDOW = timedelta(minutes=15)


def object_key(case_number: str, attachment_id: str) -> str:
    return f"reports/{case_number}/{attachment_id}"


def has_expired(attachment: Attachment, now: datetime) -> bool:
    """A requested upload whose window closed without the file being confirmed."""
    return attachment.status == "pending" and attachment.added_at + UPLOAD_WINDOW <= now


def _live(attachments: list[Attachment], now: datetime) -> list[Attachment]:
    return [a for a in attachments if not has_expired(a, now)]


def request_upload(
    case_number: str,
    *,
    file_name: str,
    content_type: str,
    size_bytes: int,
    owner_ref: str,
    repository: ReportRepository,
    store: UploadStore,
    clock: Clock,
) -> tuple[Attachment, UploadTarget]:
    """Reserve a place for an attachment and say where to upload it (retried if the report changes meanwhile)."""
    return retry_on_conflict(
        lambda: _request_upload(
            case_number,
            file_name=file_name,
            content_type=content_type,
            size_bytes=size_bytes,
            owner_ref=owner_ref,
            repository=repository,
            store=store,
            clock=clock,
        )
    )


def _request_upload(
    case_number: str,
    *,
    file_name: str,
    content_type: str,
    size_bytes: int,
    owner_ref: str,
    repository: ReportRepository,
    store: UploadStore,
    clock: Clock,
) -> tuple[Attachment, UploadTarget]:
    report = owned_report(case_number, owner_ref=owner_ref, repository=repository)
    if not report.status.is_open:
        raise Conflict(TEXTS("conflict.closed_no_attachments", caseNumber=case_number))
    now = clock.now()
    live = _live(report.attachments, now)
    if len(live) >= MAX_ATTACHMENTS:
        raise Conflict(TEXTS("conflict.too_many_attachments", max=MAX_ATTACHMENTS))
    problems: dict[str, Message] = {}
    if content_type not in ALLOWED_CONTENT_TYPES:
        problems["contentType"] = TEXTS(
            "invalid.content_type", choices=", ".join(sorted(ALLOWED_CONTENT_TYPES))
        )
    if not 1 <= size_bytes <= MAX_ATTACHMENT_BYTES:
        problems["sizeBytes"] = TEXTS("invalid.size", max=MAX_ATTACHMENT_BYTES)
    if problems:
        raise InvalidInput(problems)

    attachment = Attachment(
        attachment_id=str(uuid.uuid4()),
        file_name=file_name,
        content_type=content_type,
        size_bytes=size_bytes,
        status="pending",
        added_at=now,
    )
    # Expired requests are dropped as the new one is added: they no longer count and can never complete.
    changed = report.model_copy(update={"attachments": [*live, attachment], "version": report.version + 1})
    repository.replace(changed, expected_version=report.version, events=[], subject=attachment.attachment_id)
    target = store.upload_target(
        object_key(case_number, attachment.attachment_id),
        content_type=content_type,
        max_bytes=size_bytes,
        expires_in=UPLOAD_WINDOW,
    )
    return attachment, target


def upload_again(
    case_number: str,
    attachment_id: str,
    *,
    owner_ref: str,
    repository: ReportRepository,
    store: UploadStore,
) -> tuple[Attachment, UploadTarget]:
    """Where to upload an attachment already requested (a retried request): the same place, a fresh
    target. Changes nothing."""
    report = owned_report(case_number, owner_ref=owner_ref, repository=repository)
    attachment = next((a for a in report.attachments if a.attachment_id == attachment_id), None)
    if attachment is None:
        raise NotFound(TEXTS("not_found.attachment", attachmentId=attachment_id, caseNumber=case_number))
    target = store.upload_target(
        object_key(case_number, attachment_id),
        content_type=attachment.content_type,
        max_bytes=attachment.size_bytes,
        expires_in=UPLOAD_WINDOW,
    )
    return attachment, target


def complete_upload(
    case_number: str,
    attachment_id: str,
    *,
    owner_ref: str,
    repository: ReportRepository,
    store: UploadStore,
    clock: Clock,
    correlation_id: str,
) -> Report:
    completed = retry_on_conflict(
        lambda: _complete_upload(
            case_number,
            attachment_id,
            owner_ref=owner_ref,
            repository=repository,
            store=store,
            clock=clock,
            correlation_id=correlation_id,
        )
    )
    if completed is None:
        raise Conflict(TEXTS("conflict.upload_window_closed"))
    return completed


def _complete_upload(
    case_number: str,
    attachment_id: str,
    *,
    owner_ref: str,
    repository: ReportRepository,
    store: UploadStore,
    clock: Clock,
    correlation_id: str,
) -> Report | None:
    """Count an uploaded file once it matches what was declared. Asking twice is harmless. None: the upload
    window closed without a file, and the request was removed."""
    report = owned_report(case_number, owner_ref=owner_ref, repository=repository)
    attachment = next((a for a in report.attachments if a.attachment_id == attachment_id), None)
    if attachment is None:
        raise NotFound(TEXTS("not_found.attachment", attachmentId=attachment_id, caseNumber=case_number))
    if attachment.status == "uploaded":
        return report

    key = object_key(case_number, attachment_id)
    stored = store.stored_object(key)
    if stored is None and has_expired(attachment, clock.now()):
        _without(report, attachment_id, repository=repository)
        return None
    if stored is None:
        raise Conflict(TEXTS("conflict.not_uploaded"))
    if stored.size_bytes != attachment.size_bytes or stored.content_type != attachment.content_type:
        without = [a for a in report.attachments if a.attachment_id != attachment_id]
        # The report first: if it changed meanwhile (triage), the retry must still find the file to judge it.
        repository.replace(
            report.model_copy(update={"attachments": without, "version": report.version + 1}),
            expected_version=report.version,
            events=[],
        )
        store.delete(key)
        raise InvalidInput.of("file", TEXTS("invalid.file_mismatch"))

    now = clock.now()
    uploaded = [
        a.model_copy(update={"status": "uploaded"}) if a.attachment_id == attachment_id else a
        for a in report.attachments
    ]
    changed = report.model_copy(update={"attachments": uploaded, "version": report.version + 1})
    event = ReportAmended(case_number=case_number, region=report.region, amended_at=now, owner_ref=owner_ref)
    repository.replace(
        changed,
        expected_version=report.version,
        events=[new_event(event, producer=SOURCE, occurred_at=now, correlation_id=correlation_id)],
    )
    return changed


def _without(report: Report, attachment_id: str, *, repository: ReportRepository) -> Report:
    remaining = [a for a in report.attachments if a.attachment_id != attachment_id]
    changed = report.model_copy(update={"attachments": remaining, "version": report.version + 1})
    repository.replace(changed, expected_version=report.version, events=[])
    return changed


def remove_requested_upload(
    case_number: str,
    attachment_id: str,
    *,
    owner_ref: str,
    repository: ReportRepository,
    store: UploadStore,
) -> Report:
    """The citizen takes back an upload they requested and no longer need. An uploaded file stays (409)."""
    return retry_on_conflict(
        lambda: _remove_requested_upload(
            case_number, attachment_id, owner_ref=owner_ref, repository=repository, store=store
        )
    )


def _remove_requested_upload(
    case_number: str,
    attachment_id: str,
    *,
    owner_ref: str,
    repository: ReportRepository,
    store: UploadStore,
) -> Report:
    report = owned_report(case_number, owner_ref=owner_ref, repository=repository)
    attachment = next((a for a in report.attachments if a.attachment_id == attachment_id), None)
    if attachment is None:
        raise NotFound(TEXTS("not_found.attachment", attachmentId=attachment_id, caseNumber=case_number))
    if attachment.status == "uploaded":
        raise Conflict(TEXTS("conflict.uploaded_stays"))
    changed = _without(report, attachment_id, repository=repository)
    # A file that arrived without being confirmed goes too (the upload target may still be used until it
    # expires; such a late file is never attached).
    store.delete(object_key(case_number, attachment_id))
    return changed
