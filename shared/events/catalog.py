"""The event catalog agencies read: JSON Schema of every contract, generated from the pydantic models, and the
rule that decides which events may ever be granted to an agency.

An event whose contract is marked ``contains_personal_data`` never leaves the police: it is listed in the
catalog (marked ``x-contains-personal-data``) for the services that consume it, and :func:`check_grant`
refuses it. Agency grants (kept as reviewed data, rendered into EventBridge rules to the agency's bus or
webhook) must pass :func:`check_grant` before a rule is rendered; there are none yet.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from shared.events.contracts import bookings, feedback, permits, reports
from shared.events.envelope import Envelope, EventData

CONTRACTS_BY_SOURCE: dict[str, tuple[type[EventData], ...]] = {
    reports.SOURCE: reports.CONTRACTS,
    bookings.SOURCE: bookings.CONTRACTS,
    permits.SOURCE: permits.CONTRACTS,
    feedback.SOURCE: feedback.CONTRACTS,
}


@dataclass(frozen=True)
class Withdrawn:
    """An event type no longer published: listed so that its name is not reused for something else."""

    source: str
    event_type: str
    version: int
    replaced_by: str
    why: str


WITHDRAWN: tuple[Withdrawn, ...] = (
    Withdrawn(
        reports.SOURCE,
        "DocumentBlocked",
        1,
        replaced_by="DocumentBlockRequested",
        why=(
            "The name stated a block as a fact before anyone had made it (ADR 50): only the document register "
            "can say a document is blocked, and it does, as polisen.bookings DocumentBlocked."
        ),
    ),
)


class NotGrantable(ValueError):
    """A grant that would send an agency an event it may never receive."""


def contract_of(source: str, event_type: str) -> type[EventData] | None:
    return next((c for c in CONTRACTS_BY_SOURCE.get(source, ()) if c.event_type == event_type), None)


def may_be_granted(contract: type[EventData]) -> bool:
    """Whether an agency may ever be granted this event: never one carrying personal data."""
    return not contract.contains_personal_data


def check_grant(source: str, event_types: Iterable[str]) -> None:
    """Refuse a grant of any event type that is not in the catalog or carries personal data."""
    for event_type in event_types:
        contract = contract_of(source, event_type)
        if contract is None:
            raise NotGrantable(f"{source} publishes no {event_type}: only catalogued events can be granted")
        if not may_be_granted(contract):
            raise NotGrantable(f"{source} {event_type} carries personal data and never leaves the police")


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
