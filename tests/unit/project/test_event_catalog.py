"""The catalog's rule for agencies: an event that carries personal data is never granted to one."""

from __future__ import annotations

import pytest

from shared.events.catalog import CONTRACTS_BY_SOURCE, NotGrantable, check_grant, schema_of


def test_the_document_block_request_carries_a_personnummer_and_says_so() -> None:
    schema = schema_of(
        next(c for c in CONTRACTS_BY_SOURCE["polisen.reports"] if c.event_type == "DocumentBlockRequested")
    )
    assert "holderPersonnummer" in schema["$defs"]["DocumentBlockRequested"]["properties"]
    assert schema["x-contains-personal-data"] is True


@pytest.mark.parametrize(
    ("source", "event_type"),
    [
        ("polisen.reports", "DocumentBlockRequested"),
        ("polisen.bookings", "DocumentBlocked"),
        ("polisen.bookings", "AppointmentBooked"),
    ],
)
def test_an_event_with_personal_data_is_never_granted_to_an_agency(source: str, event_type: str) -> None:
    with pytest.raises(NotGrantable, match="never leaves the police"):
        check_grant(source, [event_type])


def test_an_event_not_in_the_catalog_cannot_be_granted_either() -> None:
    with pytest.raises(NotGrantable, match="only catalogued events"):
        check_grant("polisen.reports", ["DocumentBlocked"])  # withdrawn: the register's answer is bookings'


def test_events_without_personal_data_may_be_granted() -> None:
    check_grant("polisen.reports", ["ReportFiled", "ReportDecided"])
    check_grant("polisen.bookings", ["AppointmentAttended"])
