"""The shape of every event's ``detail``: ``{"metadata": {...}, "data": {...}}``."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, ClassVar, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from shared.models import CamelModel


class EventData(CamelModel):
    """Base of every event's ``data``. Subclasses name their detail-type and version."""

    # Additive changes keep the version; consumers must ignore fields they don't know.
    model_config = ConfigDict(extra="ignore")
    event_type: ClassVar[str]
    version: ClassVar[int] = 1
    # True when the payload holds personal data: such an event is never forwarded to another agency.
    contains_personal_data: ClassVar[bool] = False


class EventMetadata(CamelModel):
    model_config = ConfigDict(extra="ignore")

    event_id: str
    event_type: str
    version: int
    occurred_at: datetime
    correlation_id: str
    producer: str


DataT = TypeVar("DataT", bound=EventData)


class Envelope(CamelModel, Generic[DataT]):
    model_config = ConfigDict(extra="ignore")

    metadata: EventMetadata
    data: DataT

    def detail_json(self) -> str:
        # serialize_as_any: ``data`` is a contract subclass and all of its fields must go out.
        return self.model_dump_json(by_alias=True, serialize_as_any=True)


def new_event(data: DataT, *, producer: str, occurred_at: datetime, correlation_id: str) -> Envelope[DataT]:
    metadata = EventMetadata(
        event_id=str(uuid.uuid4()),
        event_type=data.event_type,
        version=data.version,
        occurred_at=occurred_at,
        correlation_id=correlation_id,
        producer=producer,
    )
    return Envelope(metadata=metadata, data=data)


class DeliveredEvent(BaseModel):
    """An EventBridge event as a rule delivered it to a queue: only the fields the consumers rely on (the
    local cloud delivers every field EventBridge does, so Powertools' ``EventBridgeModel`` reads them too)."""

    model_config = ConfigDict(populate_by_name=True, extra="ignore")

    id: str
    source: str
    detail_type: str = Field(alias="detail-type")
    time: datetime | None = None
    detail: dict[str, Any]

    @property
    def metadata(self) -> EventMetadata:
        return EventMetadata.model_validate(self.detail["metadata"])
