"""Staff at police receptions: found items (hittegods) registered, listed, read, owners told, handed over.

Staff tokens only. Staff see the items kept in their own region (national staff every region); another
region's item answers 404, as a missing one does, and another region's list 403. Registering, reading an item
(the finder's data), telling an owner and handing over need the role ``reception`` (403 otherwise), and each
is audited (``domain/reception.py``); the list, which shows no finder's data, is open to the region's staff.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Query
from aws_lambda_powertools.metrics import MetricUnit
from pydantic import AwareDatetime, Field

from services.reports import dependencies
from services.reports.contracts import FoundItemIdPath
from services.reports.domain.audit import AuditAction
from services.reports.domain.found_item import (
    FoundItem,
    FoundItemRecord,
    FoundItemRegistration,
    FoundItemStatus,
    Recipient,
)
from services.reports.domain.lost_and_found import handing_over, reading, registering, telling_owner
from services.reports.domain.model import ItemCategory
from services.reports.domain.reception import Staff, require_reception
from services.reports.messages import TEXTS
from services.reports.telemetry import logger, metrics
from shared.http.auth import require_staff
from shared.http.created import created_once
from shared.http.idempotency import IdempotencyKey
from shared.http.openapi import created
from shared.http.pagination import DEFAULT_LIMIT, MAX_LIMIT, decode_token, encode_token
from shared.http.problems import ForbiddenProblem, ValidationProblem
from shared.i18n import spelled_date
from shared.models import CamelModel
from shared.regions import Region, municipality
from shared.staff import NATIONAL

FOUND_ITEMS = "/reports/v1/staff/found-items"
router = Router()  # type: ignore[no-untyped-call]


class FoundItemView(FoundItemRecord):
    """A found item as staff see it, with the day its running period ends and the finder's reward."""

    next_deadline: date | None
    finders_reward_sek: int | None

    @classmethod
    def of(cls, item: FoundItem) -> FoundItemView:
        return cls.model_validate(
            {
                **item.model_dump(include=set(FoundItemRecord.model_fields)),
                "next_deadline": item.next_deadline,
                "finders_reward_sek": item.finders_reward_sek,
            }
        )


class FoundItemSummary(CamelModel):
    found_item_id: str
    status: FoundItemStatus
    category: ItemCategory
    description: str
    found_at: AwareDatetime
    municipality_code: str
    registered_at: AwareDatetime
    next_deadline: date | None
    possible_matches: int

    @classmethod
    def of(cls, item: FoundItem) -> FoundItemSummary:
        return cls(
            found_item_id=item.found_item_id,
            status=item.status,
            category=item.category,
            description=item.description,
            found_at=item.found_at,
            municipality_code=item.place.municipality_code,
            registered_at=item.registered_at,
            next_deadline=item.next_deadline,
            possible_matches=len(item.possible_matches),
        )


class FoundItemList(CamelModel):
    region: str
    items: list[FoundItemSummary]
    next_token: str | None = None


class FinderReceipt(CamelModel):
    """What the finder is given: proof the item was handed in, and what happens next."""

    found_item_id: str
    registered_at: AwareDatetime
    reception: str
    found_at: AwareDatetime
    place: str
    what: str
    finder: str
    status: FoundItemStatus
    unclaimed_until: date
    message: str

    @classmethod
    def of(cls, item: FoundItem) -> FinderReceipt:
        what = ", ".join(
            part
            for part in (
                TEXTS(f"item.{item.category.value}").render(),
                item.brand,
                item.model,
                item.description,
            )
            if part
        )
        until = spelled_date(item.unclaimed_until)
        message = (
            TEXTS("finder.may_collect", until=until, reception=item.reception.name)
            if item.finder_may_take_it
            else TEXTS("finder.to_state", until=until)
        ).render()
        return cls(
            found_item_id=item.found_item_id,
            registered_at=item.registered_at,
            reception=item.reception.name,
            found_at=item.found_at,
            place=f"{item.place.description}, {municipality(item.place.municipality_code).name}",
            what=what,
            finder=item.finder.name,
            status=item.status,
            unclaimed_until=item.unclaimed_until,
            message=message,
        )


class OwnerNoticeRequest(CamelModel):
    """Tell the owner of a possible match (the case number of their report)."""

    case_number: Annotated[str, Field(min_length=1, max_length=32)]


class HandOverRequest(CamelModel):
    to: Recipient
    # The matched report of the owner who collects it; only for ``to = owner``.
    case_number: Annotated[str, Field(min_length=1, max_length=32)] | None = None
    # What the finder paid for the police's costs; only for ``to = finder``.
    costs_paid_sek: Annotated[int, Field(ge=0, le=1_000_000)] | None = None


def _staff() -> Staff:
    caller = require_staff(router.current_event.raw_event)
    return Staff(staff_id=caller.staff_id or caller.subject, region=caller.region or "", roles=caller.roles)


def _correlation_id() -> str:
    return logger.get_correlation_id() or ""


@router.post(
    FOUND_ITEMS,
    summary="Register a found item handed in at a reception",
    description="Answers with the finder's receipt. The owner of a loss or theft report naming the item's "
    "serial number, IMEI or frame number is told at once; other possible owners are listed on the item for "
    "staff to confirm.",
    responses=created(
        "Registered: the finder's receipt, whose id is also in the Location header", FinderReceipt
    ),
)
def post_found_item(
    request: Annotated[FoundItemRegistration, Body()], idempotency_key: IdempotencyKey = None
) -> Response[FinderReceipt]:
    staff = _staff()
    # Before any stored answer of a retry: a replay is authorized like the first request.
    require_reception(
        staff,
        AuditAction.REGISTER_FOUND_ITEM,
        audit=dependencies.audit_log(),
        now=dependencies.clock().now(),
        correlation_id=_correlation_id(),
    )

    def register() -> FinderReceipt:
        item = registering.register_found_item(
            request,
            staff=staff,
            repository=dependencies.found_items(),
            audit=dependencies.audit_log(),
            clock=dependencies.clock(),
            correlation_id=_correlation_id(),
        )
        metrics.add_dimension(name="category", value=item.category.value)
        metrics.add_metric(name="FoundItemsRegistered", unit=MetricUnit.Count, value=1)
        return FinderReceipt.of(item)

    return created_once(
        router.current_event,
        request,
        idempotency_key=idempotency_key,
        create=register,
        replay=lambda found_item_id: FinderReceipt.of(_visible(found_item_id, staff)),
        location=lambda receipt: f"{FOUND_ITEMS}/{receipt.found_item_id}",
    )


def _visible(found_item_id: str, staff: Staff) -> FoundItem:
    """The item as the caller may see it: a retry is answered only as a read by that caller would be
    (the reception role, the region, and the read audited)."""
    return reading.read_found_item(
        found_item_id,
        staff=staff,
        repository=dependencies.found_items(),
        audit=dependencies.audit_log(),
        clock=dependencies.clock(),
        correlation_id=_correlation_id(),
    )


@router.get(FOUND_ITEMS, summary="List the found items kept in a region, newest first")
def list_found_items(
    status: Annotated[FoundItemStatus | None, Query()] = None,
    region: Annotated[Region | None, Query(description="Required for national staff")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    next_token: Annotated[str | None, Query(alias="nextToken", max_length=2048)] = None,
) -> FoundItemList:
    staff = _staff()
    if region is None and staff.region == NATIONAL:
        raise ValidationProblem.for_field("region", "is required for national staff: name the region to list")
    listed = region.value if region else staff.region
    if not staff.may_see(listed):
        raise ForbiddenProblem(f"Staff of region {staff.region} see the found items of {staff.region} only")
    start = decode_token(next_token)
    page = dependencies.found_items().list_held_in(listed, status=status, limit=limit, start=start)
    return FoundItemList(
        region=listed,
        items=[FoundItemSummary.of(i) for i in page.items],
        next_token=encode_token(page.next_start),
    )


@router.get(
    f"{FOUND_ITEMS}/<foundItemId>",
    summary="Read a found item kept in my region, with the finder's data",
    description="Needs the role reception; the read is audited.",
)
def get_found_item(foundItemId: FoundItemIdPath) -> FoundItemView:  # noqa: N803 - the path parameter's public name
    item = reading.read_found_item(
        foundItemId,
        staff=_staff(),
        repository=dependencies.found_items(),
        audit=dependencies.audit_log(),
        clock=dependencies.clock(),
        correlation_id=_correlation_id(),
    )
    return FoundItemView.of(item)


@router.post(
    f"{FOUND_ITEMS}/<foundItemId>/owner-notices",
    summary="Tell the owner of a possible match",
    description="For a possible match (same category, region and time) staff have checked: the owner is "
    "told on their report and may claim the item within a month. 409 when the item no longer waits for its "
    "owner or the report is not a possible match. Needs the role reception; audited.",
)
def post_owner_notice(
    foundItemId: FoundItemIdPath,  # noqa: N803 - the path parameter's public name
    request: Annotated[OwnerNoticeRequest, Body()],
    idempotency_key: IdempotencyKey = None,
) -> Response[FoundItemView]:
    staff = _staff()

    def tell() -> FoundItemView:
        item = telling_owner.tell_owner_of_possible_match(
            foundItemId,
            request.case_number,
            staff=staff,
            found_items=dependencies.found_items(),
            reports=dependencies.repository(),
            audit=dependencies.audit_log(),
            clock=dependencies.clock(),
            correlation_id=_correlation_id(),
        )
        return FoundItemView.of(item)

    return created_once(
        router.current_event,
        request,
        idempotency_key=idempotency_key,
        create=tell,
        replay=lambda found_item_id: FoundItemView.of(_visible(found_item_id, staff)),
        status=200,
    )


@router.post(
    f"{FOUND_ITEMS}/<foundItemId>/handover",
    summary="Record that a found item was handed over",
    description="To the owner (with the case number of the matched report) while the item waits for its "
    "owner; to the finder only after 3 months unclaimed, if they asked for it, within their month; to the "
    "state when neither may take it. Otherwise 409 with the reason. Needs the role reception; audited.",
)
def post_handover(
    foundItemId: FoundItemIdPath,  # noqa: N803 - the path parameter's public name
    request: Annotated[HandOverRequest, Body()],
    idempotency_key: IdempotencyKey = None,
) -> Response[FoundItemView]:
    staff = _staff()

    def hand_over() -> FoundItemView:
        item = handing_over.hand_over(
            foundItemId,
            recipient=request.to,
            case_number=request.case_number,
            costs_paid_sek=request.costs_paid_sek,
            staff=staff,
            found_items=dependencies.found_items(),
            reports=dependencies.repository(),
            audit=dependencies.audit_log(),
            clock=dependencies.clock(),
            correlation_id=_correlation_id(),
        )
        metrics.add_dimension(name="recipient", value=request.to.value)
        metrics.add_metric(name="FoundItemsHandedOver", unit=MetricUnit.Count, value=1)
        return FoundItemView.of(item)

    return created_once(
        router.current_event,
        request,
        idempotency_key=idempotency_key,
        create=hand_over,
        replay=lambda found_item_id: FoundItemView.of(_visible(found_item_id, staff)),
        status=200,
    )
