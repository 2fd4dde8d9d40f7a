"""The receipt a citizen hands to an insurer (or, for parking damage, to the traffic insurance fund).

In Swedish unless the citizen asks for English (the insurer may be abroad). It holds the case number, when and what, the items and the region, and no
personal identity number: the case number is what the insurer asks the police about.
"""

from __future__ import annotations

from datetime import datetime

from services.reports.domain.model import (
    CardFraudReport,
    DocumentBlock,
    Item,
    ParkingDamageReport,
    Report,
    ShopTheftReport,
    VandalismReport,
)
from services.reports.messages import TEXTS
from shared.clock import stockholm_time
from shared.i18n import DEFAULT_LANGUAGE, Language
from shared.pdf import Line, render
from shared.regions import municipality


def _when(moment: datetime) -> str:
    return stockholm_time(moment).strftime("%Y-%m-%d %H:%M")


def _sek(amount: int, language: Language) -> str:
    return TEXTS("receipt.sek", amount=f"{amount:,}".replace(",", " ")).render(language)


def _item_line(item: Item, language: Language, block: DocumentBlock | None = None) -> str:
    def text(key: str, **params: str) -> str:
        return TEXTS(key, **params).render(language)

    parts = [text(f"category.{item.category.value}")]
    parts += [p for p in (item.brand, item.model, item.description) if p]
    if item.serial_number:
        parts.append(text("receipt.serial_number", number=item.serial_number))
    if item.imei:
        parts.append(text("receipt.imei", number=item.imei))
    if item.frame_number:
        parts.append(text("receipt.frame_number", number=item.frame_number))
    if item.document_number:
        # "spärrat" only once the register has blocked it.
        state = f" ({text(f'receipt.block.{block.status.value}')})" if block else ""
        parts.append(text("receipt.document_number", number=item.document_number) + state)
    if item.value_sek is not None:
        parts.append(text("receipt.value", value=_sek(item.value_sek, language)))
    return "– " + ", ".join(parts)


def _specifics(report: Report, language: Language) -> list[Line]:
    def text(key: str, **params: str | int) -> str:
        return TEXTS(key, **params).render(language)

    draft = report.details
    if isinstance(draft, ShopTheftReport):
        lines = [
            Line(text("receipt.shop"), "heading"),
            Line(text("receipt.shop_line", store=draft.store_name, org=draft.organisationsnummer)),
        ]
        lines += [
            Line(
                text(
                    "receipt.goods_line",
                    quantity=g.quantity,
                    description=g.description,
                    price=_sek(g.unit_price_sek, language),
                )
            )
            for g in draft.goods
        ]
        return [*lines, Line(text("receipt.total", total=_sek(draft.total_value_sek, language)))]
    if isinstance(draft, CardFraudReport):
        total = sum(t.amount_sek for t in draft.transactions)
        merchant = draft.merchant_name or text("receipt.merchant_unknown")
        return [
            Line(text("receipt.card_fraud"), "heading"),
            Line(text("receipt.card_line", issuer=draft.card_issuer, merchant=merchant)),
            Line(text("receipt.transactions", count=len(draft.transactions), total=_sek(total, language))),
        ]
    if isinstance(draft, ParkingDamageReport):
        return [
            Line(text("receipt.vehicle"), "heading"),
            Line(text("receipt.registration", number=draft.registration_number)),
            Line(text("receipt.tff"), "small"),
        ]
    if isinstance(draft, VandalismReport):
        cost = (
            text("receipt.estimated_cost", cost=_sek(draft.estimated_cost_sek, language))
            if draft.estimated_cost_sek
            else ""
        )
        return [Line(text("receipt.damage"), "heading"), Line(f"{draft.damaged_property}{cost}")]
    # Items named in additions count as much as those filed: the insurer needs them all.
    items = report.items_reported
    lines = [Line(_item_line(i, language, report.document_block(i.document_number or ""))) for i in items]
    return [Line(text("receipt.property"), "heading"), *lines] if items else []


def _place(address: str, town: str) -> str:
    """The address and the municipality, the town once: ``Drottninggatan 1, Stockholm`` is not followed by
    Stockholm again."""
    if town.casefold() in (part.strip().casefold() for part in address.split(",")):
        return address
    return f"{address}, {town}"


def receipt_lines(
    report: Report, *, issued_at: datetime, language: Language = DEFAULT_LANGUAGE
) -> list[Line]:
    def text(key: str, **params: str) -> str:
        return TEXTS(key, **params).render(language)

    draft = report.details
    place = municipality(draft.location.municipality_code)
    status = report.status.value
    return [
        Line(text("receipt.authority"), "heading"),
        Line(text("receipt.title"), "title"),
        Line(text("receipt.case", caseNumber=report.case_number), "heading"),
        Line(text("receipt.filed", when=_when(report.filed_at))),
        Line(text("receipt.type", type=text(f"receipt.type.{report.type}"))),
        Line(text("receipt.region", region=report.region)),
        Line(text("receipt.status", status=text(f"status.{status}"))),
        Line(text("receipt.occurred", start=_when(draft.occurred_from), end=_when(draft.occurred_to))),
        Line(text("receipt.place", place=_place(draft.location.address, place.name))),
        *_specifics(report, language),
        Line(""),
        Line(text("receipt.ask_insurer"), "small"),
        Line(text("receipt.issued", when=_when(issued_at)), "small"),
    ]


def render_receipt(report: Report, *, issued_at: datetime, language: Language = DEFAULT_LANGUAGE) -> bytes:
    title = TEXTS("receipt.document_title", caseNumber=report.case_number).render(language)
    return render(receipt_lines(report, issued_at=issued_at, language=language), title=title)
