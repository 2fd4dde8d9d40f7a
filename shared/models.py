"""Building blocks for pydantic contracts: camelCase on the wire, tagged unions whose errors name fields, and
the value types every request shares (moments, days, identifiers in path parameters).

A tagged union's variants are tagged ``<field>=<value>`` (``type=theft``). Pydantic puts the tag in an error's
location; the problem renderer drops such parts, so a citizen reads ``location.municipalityCode``, not
``theft.location.municipalityCode``.

Moments and days are written the ISO 8601 way and nothing else: pydantic would otherwise read ``0`` or ``"0"``
as the Unix epoch. They lie between :data:`EARLIEST_DAY` and :data:`LATEST_DAY`, so no date arithmetic in a
service (a day added, a slot's end, a reminder a day before) can leave Python's calendar, and no report or
booking is about a year no one can mean. Checks that need the clock (not in the future, not begun) stay in the
use cases.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Annotated, Any, Union

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    GetCoreSchemaHandler,
    Tag,
)
from pydantic.alias_generators import to_camel
from pydantic_core import CoreSchema

if TYPE_CHECKING:
    from pydantic._internal._namespace_utils import MappingNamespace

from shared.i18n import InvalidValue
from shared.identity import InvalidIdentifier, parse_imei
from shared.messages import TEXTS

__all__ = [
    "EARLIEST_DAY",
    "LATEST_DAY",
    "TAG_SEPARATOR",
    "CamelModel",
    "Day",
    "Imei",
    "Timestamp",
    "tagged_union",
]

TAG_SEPARATOR = "="

EARLIEST_DAY = date(1900, 1, 1)
LATEST_DAY = date(2199, 12, 31)


class CamelModel(BaseModel):
    """Contracts speak camelCase on the wire and snake_case in Python.

    Built on first use, not at import (``defer_build``): a function uses few of the models its modules
    declare, and building them all was a large part of every cold start (ADR 71)."""

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="forbid", frozen=True, defer_build=True
    )

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: type[BaseModel], handler: GetCoreSchemaHandler, /
    ) -> CoreSchema:
        # A deferred model met inside another's schema (a field, a union) is built on its own first: pydantic
        # would otherwise generate it inline, keep nothing, and generate it again for every model and adapter
        # that holds it, and once more when it is used itself.
        if not cls.__pydantic_complete__ and cls not in _building:
            cls.model_rebuild(raise_errors=False)
        return handler(source)

    @classmethod
    def model_rebuild(
        cls,
        *,
        force: bool = False,
        raise_errors: bool = True,
        _parent_namespace_depth: int = 2,
        _types_namespace: MappingNamespace | None = None,
    ) -> bool | None:
        # While a model builds, its own schema is generated through the hook above: it must not rebuild again.
        outermost = cls not in _building
        _building.add(cls)
        try:
            return super().model_rebuild(
                force=force,
                raise_errors=raise_errors,
                _parent_namespace_depth=_parent_namespace_depth + 1,
                _types_namespace=_types_namespace,
            )
        finally:
            if outermost:
                _building.discard(cls)


_building: set[type[BaseModel]] = set()


_EARLIEST = datetime(EARLIEST_DAY.year, 1, 1, tzinfo=UTC)
_AFTER_LATEST = datetime(LATEST_DAY.year + 1, 1, 1, tzinfo=UTC)
_RANGE = f"from {EARLIEST_DAY.year} to {LATEST_DAY.year}"

# RFC 3339: date, T, time (seconds and fractions optional), and an offset or Z.
_ISO_MOMENT = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:[Zz]|[+-]\d{2}:\d{2})", re.ASCII
)
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


def _iso_moment(value: Any) -> Any:
    """Parsed here, so strict validation (of JSON bodies) and lax (of stored items) read it alike."""
    if not isinstance(value, str):
        return value
    if not _ISO_MOMENT.fullmatch(value):
        raise InvalidValue(TEXTS("moment_format"))
    try:
        return datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
    except ValueError:
        raise InvalidValue(TEXTS("moment_missing")) from None


def _moment_in_range(value: datetime) -> datetime:
    if not _EARLIEST <= value < _AFTER_LATEST:
        raise InvalidValue(TEXTS("moment_range", first=EARLIEST_DAY.year, last=LATEST_DAY.year))
    return value


def _iso_day(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    if not _ISO_DAY.fullmatch(value):
        raise InvalidValue(TEXTS("day_format"))
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidValue(TEXTS("day_missing")) from None


def _day_in_range(value: date) -> date:
    if not EARLIEST_DAY <= value <= LATEST_DAY:
        raise InvalidValue(TEXTS("day_range", first=EARLIEST_DAY.year, last=LATEST_DAY.year))
    return value


Timestamp = Annotated[
    AwareDatetime,
    BeforeValidator(_iso_moment),
    AfterValidator(_moment_in_range),
    Field(description=f"ISO 8601 with an offset, {_RANGE}"),
]
"""A moment a client sends: ISO 8601 with an offset, within the years the services accept."""

Day = Annotated[
    date,
    BeforeValidator(_iso_day),
    AfterValidator(_day_in_range),
    Field(description=f"ISO 8601 date (YYYY-MM-DD), {_RANGE}"),
]
"""A calendar day a client sends, in a body or a query string."""


def _imei(value: str) -> str:
    try:
        return parse_imei(value)
    except InvalidIdentifier as error:
        raise InvalidValue(error.message) from None


Imei = Annotated[
    str,
    Field(
        pattern=r"^\d{15}$",
        description="15 digits, the last a Luhn check digit",
        examples=["490154203237518"],
    ),
    AfterValidator(_imei),
]
"""A phone's IMEI, its check digit verified."""


def tagged_union(field: str, variants: dict[str, type[CamelModel]]) -> Any:
    """``Annotated[Union[...], Discriminator]`` choosing the variant by the value of ``field``."""

    def choose(value: Any) -> str | None:
        tag = value.get(field) if isinstance(value, dict) else getattr(value, field, None)
        # Only a string can name a variant; an object or a list as the tag is simply not one of them.
        return f"{field}{TAG_SEPARATOR}{tag}" if isinstance(tag, str) and tag in variants else None

    members = tuple(Annotated[model, Tag(f"{field}{TAG_SEPARATOR}{tag}")] for tag, model in variants.items())
    return Annotated[
        Union[members],  # noqa: UP007 - built at run time from a tuple
        Discriminator(
            choose,
            custom_error_type="invalid_tag",
            custom_error_message=f"must be one of: {', '.join(variants)}",
            custom_error_context={"discriminator": field, "choices": ", ".join(variants)},
        ),
    ]
