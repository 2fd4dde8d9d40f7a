"""The stolen goods check: anyone may ask whether a serial number is reported stolen, and learn nothing more."""

from __future__ import annotations

from services.reports.domain.model import Report
from services.reports.domain.ports import StolenGoodsIndex

# What a citizen may type: letters and digits, with single spaces, dots or dashes between groups.
SERIAL_NUMBER_PATTERN = r"^[A-Za-z0-9]+(?:[ .-]?[A-Za-z0-9]+)*$"


def normalize_identifier(text: str) -> str:
    """Letters and digits only, upper case: ``hx-4471 b`` and ``HX4471B`` are one number, the same way where
    a report's items are indexed and where anyone asks (and as found property is matched)."""
    return "".join(ch for ch in text.upper() if ch.isalnum())


def index_stolen_goods(report: Report, index: StolenGoodsIndex) -> int:
    """Make a theft report's serial numbers, IMEIs and frame numbers answerable, those its additions named
    too. Returns how many."""
    if report.type != "theft":
        return 0
    identifiers = {
        key
        for item in report.items_reported
        if not item.category.is_identity_document
        for identifier in item.identifiers
        if (key := normalize_identifier(identifier))
    }
    if identifiers:
        index.mark_stolen(sorted(identifiers), report.case_number)
    return len(identifiers)


def is_reported_stolen(serial_number: str, index: StolenGoodsIndex) -> bool:
    return index.is_stolen(normalize_identifier(serial_number))
