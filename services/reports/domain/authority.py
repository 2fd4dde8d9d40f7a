"""Who may act for whom: filing for another person, for a company, and blocking a passport or ID card.

A citizen is identified by e-ID; what they claim about others is checked where a register can check it, and
otherwise never trusted to decide anything on its own:

- **On behalf of someone** (``onBehalfOf``): a ``child`` relation is confirmed when the population register
  lists the reporter as a guardian of that child and the child is under 18. ``relative``, ``employer`` and
  ``other`` have no register to ask. An unconfirmed relation is recorded on the report, and the report goes
  to a case handler: the decision rules never decide it (see ``decisions.RuleSet``).
- **For a company** (shop theft): only a person the company register names as its representative files for
  an organisationsnummer; anyone else is refused (403) before anything is stored.
- **Blocking a document**: a passport or ID card named in a loss or theft report is asked to be blocked only
  when the reporter is its holder (a report for oneself) or a confirmed guardian of a holder under 18. The
  document register then blocks it only if it lists that holder (``DocumentBlockRequested``), and answers
  whether it did; the report says "blocked" only after that answer. For anyone else's document nothing is
  asked: the report is still filed, and the reporter is told why and what the holder must do.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from services.reports.domain.model import (
    DocumentBlock,
    DocumentBlockStatus,
    Item,
    ItemCategory,
    Report,
    ReportDraft,
    ShopTheftReport,
    TimelineEntry,
)
from services.reports.domain.ports import CompanyRegister, PopulationRegister, ReportRepository
from services.reports.messages import TEXTS
from shared.concurrency import retry_on_conflict
from shared.errors import Forbidden, NotFound
from shared.events.contracts.reports import SOURCE, DocumentBlockRequested
from shared.events.envelope import Envelope, EventData, new_event
from shared.i18n import Message, kept

ADULT_AGE = 18
# The only relation a register can confirm.
CHILD = "child"
BLOCKING_REPORT_TYPES = frozenset({"loss", "theft"})

DocumentType = Literal["passport", "nationalIdCard"]


@dataclass(frozen=True)
class Registers:
    """The registers of others that filing asks: who is guardian of whom, who acts for which company."""

    population: PopulationRegister
    companies: CompanyRegister


def age_on(birth_date: date, day: date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def is_guardian_of_minor(
    guardian_personnummer: str, child_personnummer: str, *, population: PopulationRegister, today: date
) -> bool:
    """The population register lists the guardian as a guardian of the child, and the child is under 18."""
    child = population.person(child_personnummer)
    return (
        child is not None
        and guardian_personnummer in child.guardians
        and age_on(child.birth_date, today) < ADULT_AGE
    )


def relation_verified(
    draft: ReportDraft, *, reporter_personnummer: str, population: PopulationRegister, today: date
) -> bool | None:
    """None when the report is the reporter's own; otherwise whether a register confirmed the relation."""
    behalf = draft.on_behalf_of
    if behalf is None:
        return None
    if behalf.relation != CHILD:
        return False
    return is_guardian_of_minor(
        reporter_personnummer, behalf.personnummer, population=population, today=today
    )


def relation_note(draft: ReportDraft, verified: bool | None) -> Message | None:
    """What the reporter reads on the timeline about the relation they gave, if anything."""
    behalf = draft.on_behalf_of
    if behalf is None or verified:
        return None
    if behalf.relation == CHILD:
        return TEXTS("timeline.child_not_confirmed")
    return TEXTS("timeline.relation_not_confirmed", relation=behalf.relation)


def require_representative(
    draft: ReportDraft, *, reporter_personnummer: str, companies: CompanyRegister
) -> None:
    """A shop theft is filed for a company only by a person its register of representatives names."""
    if not isinstance(draft, ShopTheftReport):
        return
    if reporter_personnummer not in companies.representatives_of(draft.organisationsnummer):
        raise Forbidden(TEXTS("forbidden.not_representative", org=draft.organisationsnummer))


def block_message(
    status: DocumentBlockStatus,
    document_type: DocumentType,
    document_number: str,
    *,
    filed_for_someone: bool = False,
    already_blocked: bool = False,
) -> Message:
    if status is DocumentBlockStatus.REQUESTED:
        key = "block.requested"
    elif status is DocumentBlockStatus.BLOCKED:
        key = "block.already_blocked" if already_blocked else "block.blocked"
    elif status is DocumentBlockStatus.REFUSED:
        key = "block.refused_theirs" if filed_for_someone else "block.refused_yours"
    else:
        key = "block.not_requested"
    return TEXTS(
        key,
        document=TEXTS(f"document.{document_type}"),
        Document=TEXTS(f"document.{document_type}.start"),
        documentNumber=document_number,
    )


@dataclass(frozen=True)
class DocumentBlocks:
    """What a filing or an addition does about the identity documents it names."""

    blocks: list[DocumentBlock]
    events: list[Envelope[EventData]]

    @property
    def not_requested(self) -> list[DocumentBlock]:
        return [b for b in self.blocks if b.status is DocumentBlockStatus.NOT_REQUESTED]


def document_blocks(
    items: Sequence[Item],
    *,
    report_type: str,
    case_number: str,
    reporter_personnummer: str,
    draft: ReportDraft,
    population: PopulationRegister,
    already_named: Sequence[str] = (),
    relation_confirmed: bool | None = None,
    now: datetime,
    today: date,
    correlation_id: str,
) -> DocumentBlocks:
    """Ask for a block of each passport or ID card the items name, where the reporter has the right to, and
    say for each what happened. A document the report already names is left as it is. ``relation_confirmed``
    is the relation check made a moment ago, if any (the register is asked otherwise, and only if needed)."""
    documents = [
        item
        for item in items
        if item.category.is_identity_document
        and item.document_number is not None
        and item.document_number not in already_named
    ]
    if report_type not in BLOCKING_REPORT_TYPES or not documents:
        return DocumentBlocks([], [])
    behalf = draft.on_behalf_of
    holder: str | None
    requested_by: Literal["holder", "guardian"]
    if behalf is None:
        holder, requested_by = reporter_personnummer, "holder"
    elif behalf.relation == CHILD and (
        relation_confirmed
        if relation_confirmed is not None
        else is_guardian_of_minor(
            reporter_personnummer, behalf.personnummer, population=population, today=today
        )
    ):
        holder, requested_by = behalf.personnummer, "guardian"
    else:
        holder, requested_by = None, "holder"
    blocks: list[DocumentBlock] = []
    events: list[Envelope[EventData]] = []
    seen: set[str] = set()
    for item in documents:
        number = item.document_number
        assert number is not None
        if number in seen:
            continue
        seen.add(number)
        status = DocumentBlockStatus.REQUESTED if holder else DocumentBlockStatus.NOT_REQUESTED
        document_type: DocumentType = (
            "passport" if item.category is ItemCategory.PASSPORT else "nationalIdCard"
        )
        blocks.append(
            DocumentBlock(
                document_type=document_type,
                document_number=number,
                status=status,
                message=kept(block_message(status, document_type, number)),
                at=now,
            )
        )
        if holder is None:
            continue
        requested = DocumentBlockRequested(
            document_type=document_type,
            document_number=number,
            holder_personnummer=holder,
            requested_by=requested_by,
            reason="lost" if report_type == "loss" else "stolen",
            case_number=case_number,
            requested_at=now,
        )
        events.append(new_event(requested, producer=SOURCE, occurred_at=now, correlation_id=correlation_id))
    return DocumentBlocks(blocks, events)


def record_block_outcome(
    case_number: str,
    document_number: str,
    *,
    blocked: bool,
    already_blocked: bool = False,
    at: datetime,
    repository: ReportRepository,
) -> Report | None:
    """The document register's answer, on the report that asked: the document's block and a timeline entry
    the reporter reads. Only a block still awaiting its answer changes, so a redelivered answer changes
    nothing (None)."""

    def attempt() -> Report | None:
        report = repository.get(case_number)
        if report is None:
            raise NotFound(TEXTS("not_found.report", caseNumber=case_number))
        block = report.document_block(document_number)
        if block is None or block.status is not DocumentBlockStatus.REQUESTED:
            return None
        status = DocumentBlockStatus.BLOCKED if blocked else DocumentBlockStatus.REFUSED
        message = block_message(
            status,
            block.document_type,
            document_number,
            filed_for_someone=report.details.on_behalf_of is not None,
            already_blocked=already_blocked,
        )
        answered = block.model_copy(update={"status": status, "message": kept(message), "at": at})
        changed = report.model_copy(
            update={
                "document_blocks": [answered if b is block else b for b in report.document_blocks],
                "timeline": [
                    *report.timeline,
                    TimelineEntry(status=report.status, at=at, reason=kept(message)),
                ],
                "version": report.version + 1,
            }
        )
        repository.replace(changed, expected_version=report.version, events=[])
        return changed

    # Triage or the reporter may change the report at the same moment: read it again and retry.
    return retry_on_conflict(attempt)
