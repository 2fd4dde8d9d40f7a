"""The receipt a citizen hands to an insurer (or, for parking damage, to the traffic insurance fund).

In Swedish, as the insurer reads it. It holds the case number, when and what, the items and the region, and no
personal identity number: the case number is what the insurer asks the police about.
"""

from __future__ import annotations

from datetime import datetime

from services.reports.domain.model import (
    CardFraudReport,
    DocumentBlock,
    DocumentBlockStatus,
    Item,
    ParkingDamageReport,
    Report,
    ShopTheftReport,
    VandalismReport,
)
from shared.clock import stockholm_time
from shared.pdf import Line, render
from shared.regions import municipality

TYPE_NAMES = {
    "theft": "Stöld och inbrott",
    "shopTheft": "Stöld i butik",
    "cardFraud": "Kortbedrägeri",
    "vandalism": "Skadegörelse",
    "parkingDamage": "Parkeringsskada",
    "loss": "Förlust (borttappat)",
}
CATEGORY_NAMES = {
    "bicycle": "Cykel",
    "mobilePhone": "Mobiltelefon",
    "computer": "Dator",
    "jewellery": "Smycke",
    "wallet": "Plånbok",
    "bag": "Väska",
    "camera": "Kamera",
    "tools": "Verktyg",
    "vehiclePart": "Fordonsdel",
    "cash": "Kontanter",
    "paymentCard": "Betalkort",
    "passport": "Pass",
    "nationalIdCard": "Nationellt id-kort",
    "keys": "Nycklar",
    "other": "Övrigt",
}
STATUS_NAMES = {
    "received": "Mottagen",
    "awaitingAssessment": "Väntar på bedömning",
    "underAssessment": "Under bedömning",
    "underInvestigation": "Under utredning",
    "registered": "Registrerad",
    "closed": "Avslutad",
}


def _when(moment: datetime) -> str:
    return stockholm_time(moment).strftime("%Y-%m-%d %H:%M")


def _sek(amount: int) -> str:
    return f"{amount:,}".replace(",", " ") + " kr"


# What the receipt says of a passport or ID card: "spärrat" only once the register has blocked it.
BLOCK_WORDS = {
    DocumentBlockStatus.BLOCKED: "spärrat",
    DocumentBlockStatus.REQUESTED: "spärr begärd, ännu inte bekräftad",
    DocumentBlockStatus.REFUSED: "ingen spärr gjord: registret har inget sådant dokument hos innehavaren",
    DocumentBlockStatus.NOT_REQUESTED: "ingen spärr gjord: innehavaren anmäler själv",
}


def _item_line(item: Item, block: DocumentBlock | None = None) -> str:
    parts = [CATEGORY_NAMES.get(item.category.value, item.category.value)]
    parts += [p for p in (item.brand, item.model, item.description) if p]
    if item.serial_number:
        parts.append(f"serienummer {item.serial_number}")
    if item.imei:
        parts.append(f"IMEI {item.imei}")
    if item.frame_number:
        parts.append(f"ramnummer {item.frame_number}")
    if item.document_number:
        state = f" ({BLOCK_WORDS[block.status]})" if block else ""
        parts.append(f"dokumentnummer {item.document_number}{state}")
    if item.value_sek is not None:
        parts.append(f"värde {_sek(item.value_sek)}")
    return "– " + ", ".join(parts)


def _specifics(report: Report) -> list[Line]:
    draft = report.details
    if isinstance(draft, ShopTheftReport):
        lines = [
            Line("Butik", "heading"),
            Line(f"{draft.store_name}, organisationsnummer {draft.organisationsnummer}"),
        ]
        lines += [Line(f"– {g.quantity} st {g.description} à {_sek(g.unit_price_sek)}") for g in draft.goods]
        return [*lines, Line(f"Sammanlagt värde: {_sek(draft.total_value_sek)}")]
    if isinstance(draft, CardFraudReport):
        total = sum(t.amount_sek for t in draft.transactions)
        return [
            Line("Kortbedrägeri", "heading"),
            Line(f"Kortutgivare: {draft.card_issuer}; butik: {draft.merchant_name or 'okänd'}"),
            Line(f"{len(draft.transactions)} transaktioner, sammanlagt {_sek(total)}"),
        ]
    if isinstance(draft, ParkingDamageReport):
        return [
            Line("Fordon", "heading"),
            Line(f"Registreringsnummer: {draft.registration_number}"),
            Line(
                "Kvittot kan visas för Trafikförsäkringsföreningen (TFF) vid skada av okänt fordon.", "small"
            ),
        ]
    if isinstance(draft, VandalismReport):
        cost = f"; uppskattad kostnad {_sek(draft.estimated_cost_sek)}" if draft.estimated_cost_sek else ""
        return [Line("Skada", "heading"), Line(f"{draft.damaged_property}{cost}")]
    # Items named in additions count as much as those filed: the insurer needs them all.
    items = report.items_reported
    lines = [Line(_item_line(i, report.document_block(i.document_number or ""))) for i in items]
    return [Line("Egendom", "heading"), *lines] if items else []


def receipt_lines(report: Report, *, issued_at: datetime) -> list[Line]:
    draft = report.details
    place = municipality(draft.location.municipality_code)
    lines = [
        Line("Polismyndigheten", "heading"),
        Line("Kvitto på anmälan", "title"),
        Line(f"Ärendenummer: {report.case_number}", "heading"),
        Line(f"Anmälan mottagen: {_when(report.filed_at)}"),
        Line(f"Typ: {TYPE_NAMES.get(report.type, report.type)}"),
        Line(f"Polisregion: {report.region}"),
        Line(f"Status: {STATUS_NAMES.get(report.status.value, report.status.value)}"),
        Line(f"Händelsen inträffade: {_when(draft.occurred_from)} – {_when(draft.occurred_to)}"),
        Line(f"Plats: {draft.location.address}, {place.name}"),
        *_specifics(report),
        Line(""),
        Line("Uppge ärendenumret när du kontaktar ditt försäkringsbolag.", "small"),
        Line(f"Kvittot skapades {_when(issued_at)} i polisens e-tjänst.", "small"),
    ]
    return lines


def render_receipt(report: Report, *, issued_at: datetime) -> bytes:
    return render(receipt_lines(report, issued_at=issued_at), title=f"Kvitto {report.case_number}")
