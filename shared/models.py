"""Building blocks for pydantic contracts: camelCase on the wire, and tagged unions whose errors name fields.

A tagged union's variants are tagged ``<field>=<value>`` (``type=theft``). Pydantic puts the tag in an error's
location; the problem renderer drops such parts, so a citizen reads ``location.municipalityCode``, not
``theft.location.municipalityCode``.
"""

from __future__ import annotations

from typing import Annotated, Any, Union

from pydantic import Discriminator, Tag

from shared.events.envelope import CamelModel

__all__ = ["TAG_SEPARATOR", "CamelModel", "tagged_union"]

TAG_SEPARATOR = "="


def tagged_union(field: str, variants: dict[str, type[CamelModel]]) -> Any:
    """``Annotated[Union[...], Discriminator]`` choosing the variant by the value of ``field``."""

    def choose(value: Any) -> str | None:
        tag = value.get(field) if isinstance(value, dict) else getattr(value, field, None)
        return f"{field}{TAG_SEPARATOR}{tag}" if tag in variants else None

    members = tuple(Annotated[model, Tag(f"{field}{TAG_SEPARATOR}{tag}")] for tag, model in variants.items())
    return Annotated[
        Union[members],  # noqa: UP007 - built at run time from a tuple
        Discriminator(
            choose,
            custom_error_type="invalid_tag",
            custom_error_message=f"must be one of: {', '.join(variants)}",
            custom_error_context={"discriminator": field},
        ),
    ]
