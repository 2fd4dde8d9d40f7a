"""The audit log every service keeps of staff's reads, changes and refused attempts (brottsdatalagen's log of
who did what), and its port. A service's record names its own actions and objects by extending
:class:`AuditRecord`; the log stores any of them (``shared.adapters.audit``)."""

from __future__ import annotations

from typing import NamedTuple, Protocol

from pydantic import AwareDatetime

from shared.models import CamelModel


class AuditSubject(NamedTuple):
    """What a record is about: a kind (``case``, ``found``, ``region``, ...) and its id. Records of one
    subject are read together."""

    kind: str
    id: str


class AuditRecord(CamelModel):
    """Who did what, when, and whether it was allowed. Names the change, never its content (a note's text, a
    reason or a finder's data stays with the object)."""

    audit_id: str
    at: AwareDatetime
    staff_id: str
    staff_region: str
    action: str
    allowed: bool
    # The region whose objects were read or changed.
    region: str | None = None
    change: str | None = None
    correlation_id: str

    def subject(self) -> AuditSubject:
        """The object the record is about; by default the region (a list, or an attempt naming no object)."""
        return AuditSubject("region", self.region or "")


class AuditLog(Protocol):
    def record(self, entry: AuditRecord) -> None:
        """Append a record of a read or a refused attempt; records are never changed or removed."""
        ...
