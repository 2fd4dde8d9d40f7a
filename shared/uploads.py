"""Files a citizen uploads straight to a service's storage (photos, receipts, a sketch), and the port for it.

The API hands out a short-lived upload target limited to the declared type and size; when the citizen says the
upload is done, the service checks the stored object against what was declared before it counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol


@dataclass(frozen=True)
class UploadTarget:
    url: str
    fields: dict[str, str]
    expires_at: datetime


@dataclass(frozen=True)
class StoredObject:
    size_bytes: int
    content_type: str


class UploadStore(Protocol):
    def upload_target(
        self, key: str, *, content_type: str, max_bytes: int, expires_in: timedelta
    ) -> UploadTarget: ...

    def stored_object(self, key: str) -> StoredObject | None: ...

    def delete(self, key: str) -> None: ...
