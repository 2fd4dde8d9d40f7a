"""What a citizen adds to a filed report counts like what was filed, and passes the same screening; requested
uploads that never arrive expire, and the citizen may take one back."""

from __future__ import annotations

import io
import random
from datetime import UTC, datetime, timedelta

import pytest
from pypdf import PdfReader

from services.reports.domain import attachments, filing, receipt, stolen_goods
from services.reports.domain.attachments import MAX_ATTACHMENTS, UPLOAD_WINDOW
from services.reports.domain.model import Item, parse_draft
from shared.clock import FixedClock
from shared.errors import Conflict, InvalidInput, NotFound, Referral
from shared.identity import generate_personnummer
from shared.uploads import StoredObject, UploadTarget
from tests.support.fakes import InMemoryReportRepository, InMemoryStolenGoodsIndex, no_registers
from tests.support.reports import form, theft_report

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
OWNER = "sub-1"


class InMemoryAttachmentStore:
    def __init__(self) -> None:
        self.objects: dict[str, StoredObject] = {}
        self.deleted: list[str] = []

    def upload_target(
        self, key: str, *, content_type: str, max_bytes: int, expires_in: timedelta
    ) -> UploadTarget:
        return UploadTarget(url=f"memory://{key}", fields={"key": key}, expires_at=NOW + expires_in)

    def stored_object(self, key: str) -> StoredObject | None:
        return self.objects.get(key)

    def delete(self, key: str) -> None:
        self.deleted.append(key)
        self.objects.pop(key, None)


@pytest.fixture
def repository() -> InMemoryReportRepository:
    return InMemoryReportRepository()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def store() -> InMemoryAttachmentStore:
    return InMemoryAttachmentStore()


def file(repository: InMemoryReportRepository, clock: FixedClock, body: dict[str, object]) -> str:
    who = filing.Citizen(owner_ref=OWNER, personnummer=str(generate_personnummer(random.Random(1))))
    report = filing.file_report(
        parse_draft(body),
        citizen=who,
        repository=repository,
        registers=no_registers(),
        clock=clock,
        correlation_id="c",
    )
    return report.case_number


def amend(repository: InMemoryReportRepository, clock: FixedClock, case: str, *items: dict[str, object]):
    return filing.amend_report(
        case,
        text="Jag upptäckte att mer saknas.",
        items=[Item.model_validate(i) for i in items],
        owner_ref=OWNER,
        repository=repository,
        registers=no_registers(),
        clock=clock,
        correlation_id="c",
    )


# --- amendments --------------------------------------------------------------------------------------------


def test_a_serial_number_named_in_an_addition_is_reported_stolen_however_it_is_written(
    repository, clock
) -> None:
    case = file(repository, clock, theft_report())
    amended = amend(
        repository, clock, case, {"category": "tools", "brand": "Hilti", "serialNumber": "HX-4471-B"}
    )
    index = InMemoryStolenGoodsIndex()

    stolen_goods.index_stolen_goods(amended, index)

    for written in ("HX-4471-B", "hx 4471 b", "HX4471B", "hx.4471.b"):
        assert stolen_goods.is_reported_stolen(written, index), written
    assert not stolen_goods.is_reported_stolen("HX-4471-C", index)


def test_items_named_in_an_addition_are_on_the_receipt(repository, clock) -> None:
    case = file(repository, clock, theft_report())
    amended = amend(repository, clock, case, {"category": "camera", "brand": "Hasselblad", "model": "X2D"})

    pdf = PdfReader(io.BytesIO(receipt.render_receipt(amended, issued_at=NOW)))

    assert "Hasselblad" in "".join(page.extract_text() for page in pdf.pages)


def test_lost_keys_added_to_a_loss_report_are_referred_as_at_filing_and_nothing_is_added(
    repository, clock
) -> None:
    case = file(repository, clock, form("loss"))

    with pytest.raises(Referral) as refused:
        amend(repository, clock, case, {"category": "keys", "description": "Husnycklar"})

    assert refused.value.refer_to == filing.RECEPTION
    assert repository.get(case).amendments == []


def test_items_cannot_be_added_to_a_form_that_lists_none(repository, clock) -> None:
    case = file(repository, clock, form("vandalism"))

    with pytest.raises(InvalidInput) as refused:
        amend(repository, clock, case, {"category": "other", "description": "En cykel"})

    assert list(refused.value.reasons) == ["items"]
    assert repository.get(case).amendments == []


def test_additions_cannot_take_a_report_past_its_item_limit(repository, clock) -> None:
    case = file(repository, clock, theft_report(items=[{"category": "tools"}] * 50))

    with pytest.raises(InvalidInput) as refused:
        amend(repository, clock, case, {"category": "tools"})

    assert list(refused.value.reasons) == ["items"]


# --- uploads -----------------------------------------------------------------------------------------------


def request(repository, store, clock, case: str):
    return attachments.request_upload(
        case,
        file_name="foto.jpg",
        content_type="image/jpeg",
        size_bytes=1000,
        owner_ref=OWNER,
        repository=repository,
        store=store,
        clock=clock,
    )[0]


def test_requested_uploads_that_never_arrive_stop_counting_when_their_window_closes(
    repository, store, clock
) -> None:
    case = file(repository, clock, form("vandalism"))
    for _ in range(MAX_ATTACHMENTS):
        request(repository, store, clock, case)
    with pytest.raises(Conflict):
        request(repository, store, clock, case)

    clock.advance(UPLOAD_WINDOW)
    fresh = request(repository, store, clock, case)

    assert [a.attachment_id for a in repository.get(case).attachments] == [fresh.attachment_id]


def test_completing_an_upload_whose_window_closed_without_a_file_removes_the_request(
    repository, store, clock
) -> None:
    case = file(repository, clock, form("vandalism"))
    pending = request(repository, store, clock, case)
    clock.advance(UPLOAD_WINDOW + timedelta(seconds=1))

    with pytest.raises(Conflict, match="window closed"):
        attachments.complete_upload(
            case,
            pending.attachment_id,
            owner_ref=OWNER,
            repository=repository,
            store=store,
            clock=clock,
            correlation_id="c",
        )

    assert repository.get(case).attachments == []


def test_a_citizen_removes_a_requested_upload_but_not_an_uploaded_file(repository, store, clock) -> None:
    case = file(repository, clock, form("vandalism"))
    kept, dropped = request(repository, store, clock, case), request(repository, store, clock, case)
    store.objects[attachments.object_key(case, kept.attachment_id)] = StoredObject(1000, "image/jpeg")
    attachments.complete_upload(
        case,
        kept.attachment_id,
        owner_ref=OWNER,
        repository=repository,
        store=store,
        clock=clock,
        correlation_id="c",
    )

    remaining = attachments.remove_requested_upload(
        case, dropped.attachment_id, owner_ref=OWNER, repository=repository, store=store
    )

    assert [a.attachment_id for a in remaining.attachments] == [kept.attachment_id]
    assert attachments.object_key(case, dropped.attachment_id) in store.deleted
    with pytest.raises(Conflict):
        attachments.remove_requested_upload(
            case, kept.attachment_id, owner_ref=OWNER, repository=repository, store=store
        )
    with pytest.raises(NotFound):
        attachments.remove_requested_upload(
            case, dropped.attachment_id, owner_ref="someone-else", repository=repository, store=store
        )


def test_a_file_not_as_declared_is_refused_even_when_triage_changed_the_report_meanwhile(
    repository, store, clock
) -> None:
    case = file(repository, clock, form("vandalism"))
    pending = request(repository, store, clock, case)
    key = attachments.object_key(case, pending.attachment_id)
    store.objects[key] = StoredObject(999_999, "image/jpeg")
    replace = repository.replace
    raced = []

    def triage_wins_once(report, *, expected_version, events, **changes):
        if not raced:
            raced.append(True)
            raise Conflict("changed meanwhile")
        return replace(report, expected_version=expected_version, events=events, **changes)

    repository.replace = triage_wins_once  # type: ignore[method-assign]

    with pytest.raises(InvalidInput) as refused:
        attachments.complete_upload(
            case,
            pending.attachment_id,
            owner_ref=OWNER,
            repository=repository,
            store=store,
            clock=clock,
            correlation_id="c",
        )

    assert list(refused.value.reasons) == ["file"]
    assert repository.get(case).attachments == []
    assert key in store.deleted
