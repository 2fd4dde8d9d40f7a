"""Citizens read Swedish unless they ask for English: the language a request asks for, the problem details
every service answers with in it, and the headers that say which language answered."""

from __future__ import annotations

import json
from typing import Any

import pytest

from services.reports import api as reports_api
from shared.i18n import Catalog, negotiate, spelled_date
from tests.support.lambda_events import FakeLambdaContext, citizen_claims, response_header, rest_event


@pytest.mark.parametrize(
    ("accept_language", "language"),
    [
        (None, "sv"),
        ("", "sv"),
        ("en", "en"),
        ("en-GB", "en"),
        ("EN-us", "en"),
        ("sv-SE,sv;q=0.9,en;q=0.8", "sv"),
        ("de, en;q=0.5", "en"),
        ("sv;q=0.4, en;q=0.6", "en"),
        ("en;q=0, sv", "sv"),
        ("en;q=0", "sv"),
        ("fr, de", "sv"),
        ("*", "sv"),
        ("en;q=abc", "sv"),
        ("en;q=2", "sv"),
        ("en, sv", "en"),
        ("sv, en", "sv"),
        (";;;,,,=", "sv"),
    ],
)
def test_the_language_is_the_supported_one_weighed_highest_and_swedish_otherwise(
    accept_language: str | None, language: str
) -> None:
    assert negotiate(accept_language) == language


def _filing(body: Any, headers: dict[str, str] | None = None) -> dict[str, Any]:
    event = rest_event(
        "POST", "/reports/v1/reports", body=body, claims=citizen_claims("194009083272"), headers=headers
    )
    return reports_api.app.resolve(event, FakeLambdaContext())


def test_a_bad_request_is_explained_in_swedish_by_default_naming_the_field_as_the_contract_does() -> None:
    result = _filing({"type": "theft", "occurredFrom": "igår"})
    problem = json.loads(result["body"])
    assert result["statusCode"] == 400
    assert problem["title"] == "Felaktig begäran"
    names = {p["name"]: p["reason"] for p in problem["invalidParameters"]}
    assert names["occurredFrom"].startswith("måste vara datum och tid enligt ISO 8601")
    assert names["occurredTo"] == "måste anges"
    assert "occurredFrom: måste vara datum och tid" in problem["detail"]
    assert response_header(result, "Content-Language") == "sv"
    assert response_header(result, "Vary") == "Accept-Language"


def test_a_bad_request_is_explained_in_english_when_asked() -> None:
    result = _filing({"type": "theft", "occurredFrom": "igår"}, headers={"Accept-Language": "en-GB,sv;q=0.5"})
    problem = json.loads(result["body"])
    assert problem["title"] == "Bad Request"
    names = {p["name"]: p["reason"] for p in problem["invalidParameters"]}
    assert names["occurredFrom"].startswith("must be an ISO 8601 date and time")
    assert names["occurredTo"] == "Field required"
    assert response_header(result, "Content-Language") == "en"


def test_an_unknown_form_names_the_forms_in_either_language() -> None:
    swedish = json.loads(_filing({"type": "dragon"})["body"])
    english = json.loads(_filing({"type": "dragon"}, headers={"Accept-Language": "en"})["body"])
    assert swedish["invalidParameters"][0]["name"] == english["invalidParameters"][0]["name"] == "type"
    assert swedish["invalidParameters"][0]["reason"].startswith("måste vara en av: theft")
    assert english["invalidParameters"][0]["reason"].startswith("must be one of: theft")


def test_the_values_a_field_may_take_are_joined_in_the_language_of_the_answer() -> None:
    body = {"type": "theft", "onBehalfOf": {"relation": "cousin", "personnummer": "194009083272"}}

    def relation_reason(headers: dict[str, str] | None = None) -> str:
        problem = json.loads(_filing(body, headers=headers)["body"])
        return next(p["reason"] for p in problem["invalidParameters"] if p["name"].endswith("relation"))

    assert relation_reason() == "måste vara 'child', 'relative', 'employer' eller 'other'"
    assert (
        relation_reason({"Accept-Language": "en"})
        == "Input should be 'child', 'relative', 'employer' or 'other'"
    )


def test_a_caller_refused_at_the_door_is_told_in_the_language_asked_for() -> None:
    anonymous = rest_event("GET", "/reports/v1/reports", resource="/reports/v1/reports")
    result = reports_api.app.resolve(anonymous, FakeLambdaContext())
    assert result["statusCode"] == 401
    assert json.loads(result["body"])["detail"] == "Logga in för att använda tjänsten"
    assert response_header(result, "Content-Language") == "sv"
    anonymous["headers"]["Accept-Language"] = "en"
    anonymous["multiValueHeaders"]["Accept-Language"] = ["en"]
    english = reports_api.app.resolve(anonymous, FakeLambdaContext())
    assert json.loads(english["body"])["detail"] == "Log in to use this service"


def test_plural_forms_are_chosen_by_count_and_nested_messages_render_in_the_same_language() -> None:
    catalog = Catalog(
        "test",
        {
            "sv": {"rows": {"one": "{count} transaktion", "other": "{count} transaktioner"}, "of": "av {x}"},
            "en": {"rows": {"one": "{count} transaction", "other": "{count} transactions"}, "of": "of {x}"},
        },
    )
    assert catalog("rows", count=1).render("sv") == "1 transaktion"
    assert catalog("rows", count=3).render("sv") == "3 transaktioner"
    assert catalog("rows", count=1).render("en") == "1 transaction"
    assert catalog("of", x=catalog("rows", count=2)).render("en") == "of 2 transactions"
    stored = catalog("of", x=catalog("rows", count=2)).stored()
    assert catalog.stored(json.loads(json.dumps(stored))).render("sv") == "av 2 transaktioner"
    assert catalog.problems() == []


def test_an_incomplete_catalog_is_found_out() -> None:
    catalog = Catalog("test", {"sv": {"a": "{x}", "b": "b"}, "en": {"a": "{y}"}})
    assert catalog.problems() == ["test: b is only in sv", "test: a has other placeholders in sv than in en"]
    with pytest.raises(KeyError):
        catalog("c")


def test_dates_are_spelled_in_the_language() -> None:
    from datetime import date

    assert spelled_date(date(2027, 2, 22), "sv") == "22 februari 2027"
    assert spelled_date(date(2027, 2, 22), "en") == "22 February 2027"
