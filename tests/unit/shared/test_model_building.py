"""A deferred model (``CamelModel``) met inside another's schema is built on its own, once, and reused by every
model and adapter that holds it (ADR 74); what it validates, the errors it gives and its JSON schema stay."""

from __future__ import annotations

import pytest
from pydantic import TypeAdapter, ValidationError

from shared.models import CamelModel


def _models() -> tuple[type[CamelModel], type[CamelModel], type[CamelModel]]:
    """New classes per test: a model's build happens once per class."""

    class Item(CamelModel):
        serial_number: str

    class Draft(CamelModel):
        items: list[Item]

    class Record(CamelModel):
        submitted: Draft
        first: Item | None = None

    return Item, Draft, Record


def test_a_model_met_inside_another_is_built_on_its_own_and_reused() -> None:
    item, draft, record = _models()

    record.model_validate({"submitted": {"items": [{"serialNumber": "A1"}]}})

    assert item.__pydantic_complete__
    assert draft.__pydantic_complete__
    schema_of_draft = draft.__pydantic_core_schema__
    TypeAdapter(list[draft]).validate_python([{"items": []}])
    assert draft.__pydantic_core_schema__ is schema_of_draft


def test_validation_and_errors_are_those_of_each_model() -> None:
    item, _, record = _models()

    with pytest.raises(ValidationError) as refused:
        record.model_validate({"submitted": {"items": [{"serialNumber": 7}]}, "first": {}})

    assert [e["loc"] for e in refused.value.errors()] == [
        ("submitted", "items", 0, "serialNumber"),
        ("first", "serialNumber"),
    ]
    assert item.model_validate({"serialNumber": "B2"}).serial_number == "B2"


def test_the_json_schema_names_each_model_once() -> None:
    item, draft, record = _models()

    schema = record.model_json_schema()

    assert set(schema["$defs"]) == {item.__name__, draft.__name__}
    assert schema["properties"]["submitted"] == {"$ref": f"#/$defs/{draft.__name__}"}
