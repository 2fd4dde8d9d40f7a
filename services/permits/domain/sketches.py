"""The sketch of a public-place application (placement and measurements), uploaded as reports' attachments are:
an upload target limited to the declared type and size, then a check of what arrived before it counts. A file
that does not match is deleted. A new sketch replaces the old one until the case is decided.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from services.permits.domain.applying import owned_application
from services.permits.domain.model import Application, PublicPlaceDetails, Sketch
from services.permits.domain.ports import ApplicationRepository
from services.permits.messages import TEXTS
from shared.concurrency import retry_on_conflict
from shared.errors import Conflict, InvalidInput
from shared.uploads import UploadStore, UploadTarget

SKETCH_CONTENT_TYPES = frozenset({"image/jpeg", "image/png", "application/pdf"})
MAX_SKETCH_BYTES = 10 * 1024 * 1024
UPLOAD_WINDOW = timedelta(minutes=15)


def _sketchable(application: Application) -> None:
    if not isinstance(application.details, PublicPlaceDetails):
        raise Conflict(TEXTS("conflict.no_sketch_for_kind"))
    if application.status.is_decided:
        raise Conflict(TEXTS("conflict.decided", diarienummer=application.diarienummer))


def request_upload(
    diarienummer: str,
    *,
    applicant_ref: str,
    content_type: str,
    size_bytes: int,
    repository: ApplicationRepository,
    store: UploadStore,
    now: datetime,
) -> tuple[Application, UploadTarget]:
    if content_type not in SKETCH_CONTENT_TYPES:
        raise InvalidInput.of(
            "contentType", TEXTS("invalid.sketch_type", types=", ".join(sorted(SKETCH_CONTENT_TYPES)))
        )
    if not 0 < size_bytes <= MAX_SKETCH_BYTES:
        raise InvalidInput.of(
            "sizeBytes", TEXTS("invalid.sketch_size", megabytes=MAX_SKETCH_BYTES // (1024 * 1024))
        )

    def attempt() -> tuple[Application, UploadTarget]:
        application = owned_application(diarienummer, applicant_ref=applicant_ref, repository=repository)
        _sketchable(application)
        key = f"permits/{application.diarienummer.replace('/', '-')}/sketch-{int(now.timestamp())}"
        target = store.upload_target(
            key, content_type=content_type, max_bytes=size_bytes, expires_in=UPLOAD_WINDOW
        )
        pending = application.changed(
            sketch=Sketch(object_key=key, content_type=content_type, size_bytes=size_bytes)
        )
        repository.save(pending, expected_version=application.version)
        return pending, target

    return retry_on_conflict(attempt)


def complete_upload(
    diarienummer: str,
    *,
    applicant_ref: str,
    repository: ApplicationRepository,
    store: UploadStore,
    now: datetime,
) -> Application:
    def attempt() -> Application:
        application = owned_application(diarienummer, applicant_ref=applicant_ref, repository=repository)
        _sketchable(application)
        sketch = application.sketch
        if sketch is None:
            raise Conflict(TEXTS("conflict.no_sketch_requested"))
        if sketch.uploaded_at is not None:
            return application
        stored = store.stored_object(sketch.object_key)
        if stored is None:
            raise Conflict(TEXTS("conflict.sketch_not_uploaded"))
        if stored.content_type != sketch.content_type or stored.size_bytes > sketch.size_bytes:
            store.delete(sketch.object_key)
            raise InvalidInput.of("sketch", TEXTS("invalid.sketch_mismatch"))
        done = application.changed(sketch=sketch.model_copy(update={"uploaded_at": now}))
        repository.save(done, expected_version=application.version)
        return done

    return retry_on_conflict(attempt)
