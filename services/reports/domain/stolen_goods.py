"""The stolen goods check: anyone may ask whether a serial number is reported stolen, and learn nothing more."""

from __future__ import annotations

from services.reports.domain.model import Report
from services.reports.domain.ports import StolenGoodsIndex


def normalize_identifier(text: str) -> str:
    return "".join(text.split()).upper()


def index_stolen_goods(report: Report, index: StolenGoodsIndex) -> int:
    """Make a theft report's serial numbers, IMEIs and frame numbers answerable. Returns how many."""
    if report.type != "theft":
        return 0
    identifiers = {
        normalize_identifier(identifier)
        for item in report.details.items_reported
        if not item.category.is_identity_document
        for identifier in item.identifiers
    }
    if identifiers:
        index.mark_stolen(sorted(identifiers), report.case_number)
    return len(identifiers)


def is_reported_stolen(serial_number: str, index: StolenGoodsIndex) -> bool:
    return index.is_stolen(normalize_identifier(serial_number))
