"""The event catalog agencies read: JSON Schema of every contract, generated from the pydantic models."""

from __future__ import annotations

import json
from typing import Any

from shared.events.contracts import bookings, reports
from shared.events.envelope import Envelope, EventData

CONTRACTS_BY_SOURCE: dict[str, tuple[type[EventData], ...]] = {
    reports.SOURCE: reports.CONTRACTS,
    bookings.SOURCE: bookings.CONTRACTS,
}


def schema_of(contract: type[EventData]) -> dict[str, Any]:
    """The JSON Schema of the ``detail`` of one event type: envelope metadata plus the contract's data."""
    schema = Envelope[contract].model_json_schema(by_alias=True)  # type: ignore[valid-type]
    schema["title"] = f"{contract.event_type} v{contract.version}"
    schema["x-event-type"] = contract.event_type
    schema["x-version"] = contract.version
    schema["x-contains-personal-data"] = contract.contains_personal_data
    if contract.__doc__:
        schema["description"] = " ".join(contract.__doc__.split())
    return schema


def rendered_schemas() -> dict[str, str]:
    """Relative file path → JSON text, for every contract."""
    files: dict[str, str] = {}
    for source, contracts in CONTRACTS_BY_SOURCE.items():
        for contract in contracts:
            path = f"{source}/{contract.event_type}.v{contract.version}.json"
            files[path] = json.dumps(schema_of(contract), indent=2, ensure_ascii=False) + "\n"
    return files
