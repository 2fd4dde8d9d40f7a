"""The public database: only a consenting sender's item, with the text staff approved (redacted once more), the
municipality and the month; searched in Swedish by free text (case and accents do not matter, but å, ä and ö
are letters of their own; a word's beginning is enough), kind, category and municipality."""

from __future__ import annotations

import unicodedata
from typing import Any

import pytest

from services.feedback.domain.model import Status
from services.feedback.domain.publishing import PublicQuery, fold, search, words
from shared.errors import Conflict
from tests.support.feedback_fakes import UMEA, FeedbackWorld, draft


def published(text: str, **changes: Any) -> dict[str, Any]:
    return {
        "kind": "serviceComplaint",
        "category": "waitingTime",
        "municipality": "Malmö",
        "month": "2026-11",
        "text": text,
        **changes,
    }


def matches(text: str, query: str) -> bool:
    return PublicQuery(text=query).matches(published(text))


@pytest.mark.parametrize(
    ("text", "query"),
    [
        ("Lång väntetid på passexpeditionen", "VÄNTETID"),  # case
        ("LÅNG VÄNTETID", "lång väntetid"),
        ("Bemötandet på stationen i Malmö", "bemöt"),  # a word's beginning
        ("Polisens café var stängt", "cafe"),  # accents dropped
        ("Möte med Müller", "muller"),
        ("Jag fick inget kvitto, trots att jag bad om det!", "kvitto bad"),  # every word, any order
        ("Trafikkontroll på E6", "e6"),
    ],
)
def test_the_free_text_matches(text: str, query: str) -> None:
    assert matches(text, query)


@pytest.mark.parametrize(
    ("text", "query"),
    [
        ("Lång väntetid", "lang"),  # å is not a
        ("Öppettiderna", "oppet"),  # ö is not o
        ("Väntetid", "vantetid"),  # ä is not a
        ("Passexpeditionen", "expedition"),  # the beginning of a word, not its middle
        ("Lång väntetid", "väntetid kvitto"),  # every word of the query
    ],
)
def test_the_free_text_does_not_match(text: str, query: str) -> None:
    assert not matches(text, query)


def test_fold_keeps_the_swedish_letters_and_drops_other_accents() -> None:
    assert fold("ÅÄÖ éüñ") == "åäö eun"
    assert words("Hej, polisen! E6:an") == ["hej", "polisen", "e6", "an"]


def test_a_decomposed_a_with_ring_is_still_its_own_letter() -> None:
    decomposed = unicodedata.normalize("NFD", "Lång väntetid")

    assert matches(decomposed, "lång")


def test_an_empty_query_matches_everything() -> None:
    assert PublicQuery().matches(published("Vad som helst"))


def test_the_filters_match_kind_category_and_municipality() -> None:
    rows = [
        published("a"),
        published("b", kind="praise", category="treatment"),
        published("c", municipality="Umeå"),
        published("d", municipality=None),
    ]

    def texts(query: PublicQuery) -> list[str]:
        return [row["text"] for row in search(rows, query, limit=10, skip=0)[0]]

    assert texts(PublicQuery(kind="praise")) == ["b"]
    assert texts(PublicQuery(category="waitingTime")) == ["a", "c", "d"]
    assert texts(PublicQuery(municipality="UMEÅ")) == ["c"]
    assert texts(PublicQuery(municipality="umea")) == []
    assert texts(PublicQuery(municipality="malmö", kind="serviceComplaint")) == ["a"]


def test_search_pages_through_the_matches() -> None:
    rows = [published(f"väntetid {n}") for n in range(5)] + [published("annat")]

    first, more = search(rows, PublicQuery(text="vänt"), limit=2, skip=0)
    last, no_more = search(rows, PublicQuery(text="vänt"), limit=2, skip=4)

    assert [r["text"] for r in first] == ["väntetid 0", "väntetid 1"]
    assert more is True
    assert [r["text"] for r in last] == ["väntetid 4"]
    assert no_more is False


# --- approving a publication -----------------------------------------------------------------------------


def test_a_consenting_sender_s_item_is_published_with_the_approved_text_the_municipality_and_the_month() -> (
    None
):
    world = FeedbackWorld()
    number = world.give(draft(publishConsent=True, concerns={"municipalityCode": UMEA})).feedback_number

    approved = world.desk("feedback", region="Nord").approve_publication(
        number, "Lång väntetid i receptionen."
    )

    assert approved.publication is not None
    assert approved.publication.text == "Lång väntetid i receptionen."
    assert approved.publication.municipality == "Umeå"
    assert approved.publication.month == "2026-11"
    assert approved.status is Status.REGISTERED
    (found,) = world.repository.published(["2026-11"])
    assert found["text"] == "Lång väntetid i receptionen."
    assert "väntade" not in str(found)  # the sender's own text stays out


def test_an_item_without_consent_is_never_published() -> None:
    world = FeedbackWorld()
    number = world.give().feedback_number

    with pytest.raises(Conflict):
        world.function().approve_publication(number, "Redigerad text")


def test_a_complaint_about_an_employee_is_never_published() -> None:
    world = FeedbackWorld()
    number = world.give(
        draft(kind="employeeComplaint", category="treatment", publishConsent=True)
    ).feedback_number

    with pytest.raises(Conflict):
        world.function().approve_publication(number, "Redigerad text")
    assert list(world.repository.published(["2026-11"])) == []
